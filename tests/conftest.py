"""Makes a silent skip of the tests that need an outside tool visible: every run ends with a
count, per tool, of the tests marked for it that passed (0 when the tool is missing and they
were skipped). CI installs the tools and fails on a zero."""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Generator

import pytest

#: marker -> the line that counts its tests.
EXTERNAL_TOOLS = {"torch": "torch-backed tests run", "sarif_multitool": "SARIF Multitool tests run"}
#: marker -> the module whose absence skips a whole test module (``pytest.importorskip``),
#: whose tests are then never collected, so never counted.
IMPORTED = {"torch": "torch"}

_outcomes: dict[str, Counter[str]] = {marker: Counter() for marker in EXTERNAL_TOOLS}
_skipped_modules: dict[str, list[str]] = {marker: [] for marker in EXTERNAL_TOOLS}


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.outcome == "skipped" and isinstance(report.longrepr, tuple):
        reason = report.longrepr[2]
        for marker, module in IMPORTED.items():
            if f"could not import '{module}'" in reason:
                _skipped_modules[marker].append(report.nodeid)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    # The call phase decides a test's outcome; skips and errors may come from setup.
    if report.when == "call" or not report.passed:
        for marker, outcomes in _outcomes.items():
            if item.get_closest_marker(marker):
                outcomes[report.outcome] += 1
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for marker, label in EXTERNAL_TOOLS.items():
        outcomes = _outcomes[marker]
        details = ", ".join(
            [f"{n} {outcome}" for outcome, n in sorted(outcomes.items())]
            + [f"all of {module} skipped" for module in _skipped_modules[marker]]
        )
        terminalreporter.write_line(f"{label}: {outcomes['passed']}" + (f" ({details})" if details else ""))


@pytest.fixture(autouse=True, scope="session")
def _ctrl_c_as_a_terminal_gives_it() -> None:
    """Started in the background by a shell without job control (``pytest &`` in a script),
    the tests inherit SIGINT ignored, and so would every netspec they start, which Python then
    leaves ignored: the Ctrl-C tests need it as a terminal gives it."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def _plain_output_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests expect the default output format, and paths from the current directory, also when
    CI itself runs on GitHub Actions."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.delenv("NETSPEC_OUTPUT_FORMAT", raising=False)
