"""Makes a silent skip of the PyTorch comparisons visible: every run ends with a count of the
tests marked ``torch`` that passed (0 when torch is missing and their module was skipped)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator

import pytest

_torch_outcomes: Counter[str] = Counter()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    # The call phase decides a test's outcome; skips and errors may come from setup.
    if item.get_closest_marker("torch") and (report.when == "call" or not report.passed):
        _torch_outcomes[report.outcome] += 1
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    details = ", ".join(f"{n} {outcome}" for outcome, n in sorted(_torch_outcomes.items()))
    terminalreporter.write_line(
        f"torch-backed tests run: {_torch_outcomes['passed']}" + (f" ({details})" if details else "")
    )


@pytest.fixture(autouse=True)
def _plain_output_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests expect the default output format, also when CI itself runs on GitHub Actions."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("NETSPEC_OUTPUT_FORMAT", raising=False)
