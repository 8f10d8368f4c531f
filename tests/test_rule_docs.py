"""Rule documentation: every rule documents itself, and `netspec rule`, the README table and
SARIF all render that one text."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netspec import Settings, lint_text
from netspec.cli import app
from netspec.diagnostics import Severity
from netspec.docs import README_END, README_START, main, sections, with_readme_table
from netspec.rules import RULES, Rule
from tests.helpers import ROOT

runner = CliRunner()

#: The sections every rule's documentation has.
SECTIONS = ("What it does", "Why is this bad?", "Example", "Fix")


def missing_sections(rule: Rule) -> list[str]:
    """The required sections that are absent or empty in the rule's documentation."""
    present = sections(rule)
    return [heading for heading in SECTIONS if not present.get(heading)]


def test_every_rule_module_is_registered_under_its_code_and_name() -> None:
    modules = {path.stem for path in (ROOT / "netspec" / "rules").glob("ns*.py")}
    assert modules == {f"{code.lower()}_{rule.name.replace('-', '_')}" for code, rule in RULES.items()}
    assert list(RULES) == sorted(RULES)


@pytest.mark.parametrize("code", list(RULES))
def test_every_rule_has_every_section(code: str) -> None:
    rule = RULES[code]
    assert missing_sections(rule) == []
    assert rule.summary.endswith(".")
    assert "```yaml" in sections(rule)["Example"]


#: Examples whose layer also shows the cause of their problem: a 62×62 conv output is why
#: the add and the expectation fail; NS109's stride 2 on 32 leaves padding only (opt-in NS113).
EXAMPLE_COMPANIONS = {"NS106": {"NS102"}, "NS108": {"NS102"}, "NS109": {"NS113"}}
#: The rules not selected by default, selected for their examples.
OPT_IN = tuple(code for code, rule in RULES.items() if not rule.selected_by_default)


@pytest.mark.parametrize("code", list(RULES))
def test_every_rule_example_fires_its_rule(code: str) -> None:
    (body,) = re.findall(r"```yaml\n(.*?)```", sections(RULES[code])["Example"], re.DOTALL)
    if body.startswith("- "):  # a list of layers
        body = "input: [3, 32, 32]\nlayers:\n" + textwrap.indent(body, "  ")
    found = {d.code for d in lint_text(body, "example.yaml", Settings(extend_select=OPT_IN)).diagnostics}
    assert code in found
    assert found - {code} <= EXAMPLE_COMPANIONS.get(code, set())


def test_a_missing_or_empty_section_is_detected() -> None:
    doc = "Summary.\n\n## What it does\nThis.\n\n## Why is this bad?\n\n## Example\n```yaml\n```\n"
    rule = Rule("NS999", "made-up", Severity.ERROR, doc, None)
    assert missing_sections(rule) == ["Why is this bad?", "Fix"]


def test_readme_rule_table_is_up_to_date() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert with_readme_table(readme) == readme, "run `python -m netspec.docs --write-readme`"
    table = readme[readme.index(README_START) : readme.index(README_END)]
    for rule in RULES.values():
        assert f"| {rule.code} | `{rule.name}` | {rule.severity_label} |" in table
    # The table: NS107 is an error for pooling and a warning for convolution.
    assert "| NS107 | `excessive-padding` | error / warning |" in table


def test_docs_module_rewrites_a_stale_readme(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{README_START}\n| old |\n{README_END}\n\nafter\n", encoding="utf-8")
    assert main(["--readme", str(readme), "--check"]) == 1
    assert main(["--readme", str(readme), "--write-readme"]) == 0
    assert main(["--readme", str(readme), "--check"]) == 0
    text = readme.read_text(encoding="utf-8")
    assert "| old |" not in text
    assert text.startswith("# x\n\n") and text.endswith(f"{README_END}\n\nafter\n")
    assert "| NS101 | `non-integer-output` | warning | yes |" in text


def test_rule_prints_the_documentation() -> None:
    result = runner.invoke(app, ["rule", "NS101"])
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("# NS101: non-integer-output\n")
    for heading in SECTIONS:
        assert f"## {heading}\n" in out
    # The AlexNet arithmetic the rule explains, and its example.
    assert "(224 − 11)/4 + 1 =\n54.25" in out
    assert "{type: conv, name: conv1, filters: 96, kernel: 11, stride: 4}" in out
    assert "- Default severity: warning" in out
    assert "- Selected by default: yes" in out
    assert "- Fix: sometimes available. A fix is safe when re-analysis of the fixed spec finds no new problem" in out


def test_rule_states_opt_in_rules_and_missing_fixes() -> None:
    result = runner.invoke(app, ["rule", "NS113"])
    assert result.exit_code == 0
    assert "- Selected by default: no (enable it with `--extend-select NS113`)" in result.stdout
    assert "- Fix: not available.\n" in result.stdout


def test_rule_all_lists_every_rule() -> None:
    result = runner.invoke(app, ["rule", "--all"])
    assert result.exit_code == 0
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["code", "name", "severity", "default"]
    # The default column, written out: what netspec cannot check past is always reported (the
    # file, a field, a reference, a layer without an output), NS113, NS114 and NS119 are
    # opt-in, the rest are on.
    always = [
        "NS001",
        "NS002",
        "NS004",
        "NS103",
        "NS104",
        "NS105",
        "NS106",
        "NS107",
        "NS111",
        "NS112",
        "NS115",
        "NS117",
    ]
    defaults = {**dict.fromkeys(always, "always"), "NS113": "no", "NS114": "no", "NS119": "no"}
    assert [row.split() for row in rows] == [
        [r.code, r.name, *r.severity_label.split(), defaults.get(r.code, "yes")] for r in RULES.values()
    ]
    assert ["NS002", "invalid-field", "error", "always"] in [row.split() for row in rows]
    assert ["NS113", "padding-only-remainder", "warning", "no"] in [row.split() for row in rows]


def test_a_blocking_rule_names_what_may_still_be_silenced() -> None:
    ns107 = runner.invoke(app, ["rule", "NS107"]).stdout
    assert "its convolution warnings leave nothing unchecked, and may be silenced)" in ns107
    # The near miss: a rule blocking in every case names no exception.
    assert "hide them)" in runner.invoke(app, ["rule", "NS103"]).stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NS999"], "unknown rule code 'NS999' (`netspec rule --all` lists the rules)"),
        # Codes are upper case, as --select and noqa comments read them; a name is no code.
        (["ns101"], "unknown rule code 'ns101' (codes are upper-case: 'NS101')"),
        (["non-integer-output"], "unknown rule code 'non-integer-output' ('non-integer-output' is the name of NS101;"),
        # A prefix is no code here, in either case.
        (["ns1"], "unknown rule code 'ns1' (`netspec rule --all` lists the rules)"),
        ([], "give either a rule code"),
        (["NS101", "--all"], "give either a rule code"),
    ],
)
def test_rule_usage_errors_exit_two(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["rule", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
