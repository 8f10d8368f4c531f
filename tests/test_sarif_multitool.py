"""netspec's SARIF through Microsoft's SARIF Multitool, the SARIF SDK's own validator.

`Sarif.Multitool validate` checks a log against SARIF's rules (SARIF1xxx/2xxx) and against the
rules GitHub code scanning applies when it ingests one (GHxxxx, rule kind ``Ghas``). It skips
without the tool: set ``NETSPEC_SARIF_MULTITOOL`` to the ``Sarif.Multitool`` executable of the
npm package ``@microsoft/sarif-multitool-linux``, as ``.ci/run`` does.

The Multitool passes some logs that break the schema (a result level of ``"warn"``, for one),
so the schema itself is checked in ``tests/test_reporters_ci.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from netspec.rules import RULES
from tests.helpers import BROKEN_EXAMPLES, netspec_process

MULTITOOL = os.environ.get("NETSPEC_SARIF_MULTITOOL", "")

pytestmark = [
    pytest.mark.sarif_multitool,
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.access(MULTITOOL, os.X_OK),
        reason="set NETSPEC_SARIF_MULTITOOL to the SARIF Multitool's executable to run these",
    ),
]


def multitool_findings(log: dict[str, Any], directory: Path) -> list[tuple[str, str, str]]:
    """The Multitool's errors and warnings on ``log``: (rule id, level, where)."""
    subject = directory / "subject.sarif"
    subject.write_text(json.dumps(log, ensure_ascii=False, indent=2), encoding="utf-8")
    verdict = directory / "verdict.sarif"
    command = [MULTITOOL, "validate", str(subject), "--output", str(verdict), "--log", "ForceOverwrite"]
    command += ["--rule-kind", "Sarif;Ghas", "--level", "Error;Warning"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    (run,) = json.loads(verdict.read_text(encoding="utf-8"))["runs"]
    assert all(invocation["executionSuccessful"] for invocation in run["invocations"])
    return [(r["ruleId"], r["level"], r["message"]["arguments"][0]) for r in run.get("results", [])]


def netspec_sarif(*paths: Path, cwd: Path) -> dict[str, Any]:
    opt_in = ",".join(code for code, rule in RULES.items() if not rule.selected_by_default)
    done = netspec_process("check", "--extend-select", opt_in, "--output-format", "sarif", *map(str, paths), cwd=cwd)
    assert done.returncode == 1, done.stderr
    log: dict[str, Any] = json.loads(done.stdout)
    return log


@pytest.fixture(scope="module")
def every_rule(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A log with every rule firing: the broken examples, relative to the working directory,
    and one spec outside it (an absolute ``file:`` URI)."""
    outside = tmp_path_factory.mktemp("outside") / "collapsed.yaml"
    outside.write_text("input: [1, 3, 3]\nlayers:\n  - {type: conv, filters: 8, kernel: 5}\n", encoding="utf-8")
    examples = BROKEN_EXAMPLES[0].parent
    return netspec_sarif(examples, outside, cwd=examples.parent.parent)


def test_every_rule_fires_in_the_log(every_rule: dict[str, Any]) -> None:
    fired = {result["ruleId"] for result in every_rule["runs"][0]["results"]}
    assert fired == {path.name[:5].upper() for path in BROKEN_EXAMPLES}
    uris = {
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in every_rule["runs"][0]["results"]
    }
    assert any(uri.startswith("file:///") for uri in uris)
    assert "examples/broken/ns101_non_integer_output.yaml" in uris


def test_the_multitool_and_github_rules_accept_netspec_sarif(every_rule: dict[str, Any], tmp_path: Path) -> None:
    assert multitool_findings(every_rule, tmp_path) == []


def test_the_multitool_reports_a_result_github_cannot_place(every_rule: dict[str, Any], tmp_path: Path) -> None:
    # Proof that the check can fail: the same log, with one result's locations removed.
    broken = json.loads(json.dumps(every_rule))
    del broken["runs"][0]["results"][0]["locations"]
    findings = multitool_findings(broken, tmp_path)
    assert findings
    assert {rule_id[:2] for rule_id, _, _ in findings} == {"GH"}
    assert {where for _, _, where in findings} == {"runs[0].results[0]"}
