"""``netspec check --fix``: text edits checked against hand-written golden files, idempotence,
``--diff`` that never writes, atomic writes, and the exit codes of every fix flag.

Each ``tests/fix_golden/NAME.yaml`` has ``NAME.fixed.yaml``, what ``--fix`` must make of it
(and, where unsafe fixes matter, ``NAME.unsafe.yaml`` for ``--fix --unsafe-fixes``). The
expected files were written by hand from the output-size formula; their derivations are in
the comment above ``CASES``.
"""

from __future__ import annotations

import codecs
import json
import os
import random
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import netspec.fix
import netspec.linter
from netspec import Applicability, Settings, Severity, lint_text
from netspec.analysis import analyse
from netspec.cli import app
from netspec.edits import FixError, TextEdit, apply_edits, render
from netspec.fix import Seen, analysis_cost, fix_file, fix_paths, fix_text, standing_of_violations
from netspec.layers.base import Edit, EditValue
from netspec.rules import RULES, Violation
from tests.helpers import (
    IS_ROOT,
    NOBODY,
    netspec_as_ordinary_user,
    netspec_process,
    ordinary_directory,
    spec,
    within,
    write_spec,
)

GOLDEN = Path(__file__).parent / "fix_golden"
# What each golden case's fixed file holds, from W_out = (W − F + 2P)/S + 1:
# - alexnet_chain: conv1, (224 − 11)/4 + 1 = 54.25; 224 − 11 is odd and 2P even, so per side:
#   [1, 2] gives (224 + 3 − 11)/4 + 1 = 55, the paper's 55×55 (pool1 then divides too).
# - per_side_block: the same conv1, its `padding: [0, 0]` replaced by [[1, 2], [1, 2]].
# - json_style: a 3×3 stride-1 conv on 16 shrinks to 14: P = (3 − 1)/2 = 1. Then the stride-2
#   3×3 on 16: 16 − 3 + 2P is odd for every P, so per side, [0, 1]: (16 + 1 − 3)/2 + 1 = 8.
# - crlf_no_final_newline: 5×5 on 28 needs P = 2 (28 − 5 + 4 + 1 = 28), the 3×3 after it P = 1.
# - vgg_block: both 3×3 convs get P = 1 and keep 32, so the pool's expect [64, 16, 16] holds.
# - concat_mismatch: 64×64 joined with 32×32 has no fix; the file stays as it is.
# - unsafe_expect: padding c1 (P = 2) would break its expect [6, 28, 28]: unsafe, left as is.
CASES = sorted(p.name.removesuffix(".yaml") for p in GOLDEN.glob("*.yaml") if p.name.count(".") == 1)
runner = CliRunner()

#: 8 − 3 + 1 = 6: padding (3 − 1)/2 = 1 keeps 8×8.
SMALL = "input: [1, 8, 8]\nlayers:\n  - {type: conv, filters: 2, kernel: 3}  # café\n"
SMALL_FIXED = "input: [1, 8, 8]\nlayers:\n  - {type: conv, filters: 2, kernel: 3, padding: 1}  # café\n"
CLEAN = SMALL_FIXED
#: Fixing c1 (32 − 5 + 1 = 28 → P = 2) would break its expect: only an unsafe fix.
UNSAFE = (GOLDEN / "unsafe_expect.yaml").read_text()
#: One safe fix (c1) and one problem without a fix (the dense layer on an unflattened tensor).
MIXED = "input: [1, 8, 8]\nlayers:\n  - {type: conv, name: c1, filters: 2, kernel: 3}\n  - {type: dense, units: 4}\n"


def run(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["check", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def copy_case(name: str, tmp_path: Path) -> Path:
    target = tmp_path / f"{name}.yaml"
    shutil.copyfile(GOLDEN / f"{name}.yaml", target)
    return target


# --- golden files -------------------------------------------------------------------------


def test_every_case_has_its_expected_file() -> None:
    assert len(CASES) >= 7
    for name in CASES:
        assert (GOLDEN / f"{name}.fixed.yaml").is_file(), name


@pytest.mark.parametrize("name", CASES)
def test_fix_matches_golden_file(name: str, tmp_path: Path) -> None:
    path = copy_case(name, tmp_path)
    run("--fix", path)
    assert path.read_bytes() == (GOLDEN / f"{name}.fixed.yaml").read_bytes()


@pytest.mark.parametrize("name", CASES)
def test_second_fix_changes_nothing(name: str, tmp_path: Path) -> None:
    path = copy_case(name, tmp_path)
    run("--fix", path)
    once = path.read_bytes()
    code, _, _ = run("--fix", path)
    assert path.read_bytes() == once
    outcome = fix_text(once.decode(), str(path))
    assert not outcome.changed and outcome.result.fixed == 0
    assert code == (1 if outcome.result.diagnostics else 0)


def test_unsafe_fix_matches_golden_file(tmp_path: Path) -> None:
    path = copy_case("unsafe_expect", tmp_path)
    code, out, _ = run("--fix", "--unsafe-fixes", "--output-format", "concise", path)
    assert path.read_bytes() == (GOLDEN / "unsafe_expect.unsafe.yaml").read_bytes()
    # The fix removed NS102 but broke the expect: one fixed, one new problem remaining.
    assert code == 1
    assert "NS108" in out and "Found 2 problems (1 fixed, 1 remaining)." in out
    assert run("--fix", "--unsafe-fixes", path)[0] == 1
    assert path.read_bytes() == (GOLDEN / "unsafe_expect.unsafe.yaml").read_bytes()


def test_chain_counts_the_problems_the_first_fix_resolved(tmp_path: Path) -> None:
    # conv1's fix also makes pool1, pool2 and pool5 divide exactly and pool5's expect hold.
    code, out, _ = run("--fix", copy_case("alexnet_chain", tmp_path))
    assert code == 0
    assert out.strip() == "Found 5 problems (5 fixed, 0 remaining)."


def test_a_fix_that_solves_a_silenced_problem_stays_safe_and_leaves_the_comment_unused(tmp_path: Path) -> None:
    # conv1: (224 − 11)/4 + 1 = 54.25; per-side padding [1, 2] gives (224 + 3 − 11)/4 + 1 = 55.
    # pool1: (54 − 3)/2 + 1 = 26.5 before, silenced; (55 − 3)/2 + 1 = 27 after, exact.
    text = spec(
        "[3, 224, 224]",
        "{type: conv, name: conv1, filters: 96, kernel: 11, stride: 4}",
        "{type: maxpool, name: pool1, kernel: 3, stride: 2}  # noqa: NS101",
        "{type: flatten}",
    )
    (problem,) = lint_text(text, "spec.yaml").diagnostics
    assert (problem.code, problem.layer, problem.applicability) == ("NS101", "conv1", Applicability.SAFE)
    path = write_spec(tmp_path, text)
    code, out, _ = run("--fix", "--output-format", "concise", path)
    assert code == 1
    assert "padding: [[1, 2], [1, 2]]" in path.read_text()
    (remaining,) = [line for line in out.splitlines() if ": NS" in line]
    assert f"{path}:4:57: NS900" in remaining and "NS101" in remaining


def test_case_without_a_fix_says_so_and_is_left_alone(tmp_path: Path) -> None:
    path = copy_case("concat_mismatch", tmp_path)
    before = path.read_bytes()
    code, out, _ = run("--fix", path)
    assert code == 1 and path.read_bytes() == before
    assert "NS106" in out and "help: no automatic fix" in out


# --- safety -------------------------------------------------------------------------------


def test_unsafe_fix_is_reported_as_unsafe_and_not_applied_by_fix(tmp_path: Path) -> None:
    path = write_spec(tmp_path, UNSAFE)
    code, out, _ = run("--output-format", "json", path)
    [problem] = json.loads(out)
    assert problem["code"] == "NS102" and problem["fix"]["applicability"] == "unsafe"
    code, out, _ = run("--fix", path)
    assert code == 1 and path.read_text() == UNSAFE
    assert "NS102 warning" in out  # no [*]: --fix would not apply it
    assert "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option)." in out


def test_an_unsafe_fix_says_what_would_go_wrong(tmp_path: Path) -> None:
    # 32 − 5 + 1 = 28, as expected; padding 2 keeps 32, so conv1's own expectation breaks.
    layer = "{type: conv, filters: 6, kernel: 5, expect: [6, 28, 28]}"
    code, out, _ = run(write_spec(tmp_path, f"input: [1, 32, 32]\nlayers:\n  - {layer}\n"))
    assert code == 1
    assert "fix (unsafe: conv1 would then report NS108): set padding to 2\n" in out
    # The near miss: without the expectation the same fix is safe, and says so plainly.
    plain = layer.replace(", expect: [6, 28, 28]", "")
    code, out, _ = run(write_spec(tmp_path, f"input: [1, 32, 32]\nlayers:\n  - {plain}\n"))
    assert "fix (safe): set padding to 2\n" in out


@pytest.mark.parametrize(
    ("expect", "applicability"),
    [
        # Rows (8 − 3)/3 + 1 = 2.67 floor to 2, as expected; columns (9 − 3)/3 + 1 = 3, not 4.
        # Padding 2 gives (8 + 4 − 3)/3 + 1 = 4 rows: the expectation would fail for them too.
        ("[8, 2, 4]", Applicability.UNSAFE),
        # The near miss: expecting 4 rows, the fix leaves the columns the only ones that differ.
        ("[8, 4, 4]", Applicability.SAFE),
    ],
)
def test_a_fix_that_breaks_an_expectation_in_one_more_dimension_is_unsafe(
    expect: str, applicability: Applicability
) -> None:
    text = (
        f"input: [1, 8, 9]\nlayers:\n  - {{type: conv, name: a, filters: 8, kernel: 3, stride: 3, expect: {expect}}}\n"
    )
    ns101, ns108 = lint_text(text).diagnostics
    assert (ns101.code, ns108.code) == ("NS101", "NS108")
    assert ns101.fix is not None and ns101.fix.edits == (Edit("padding", [2, 0]),)
    assert ns101.applicability is applicability
    if applicability is Applicability.UNSAFE:
        assert ns101.unsafe_because == "a would then report NS108 in another dimension"


@pytest.mark.parametrize(
    ("selection", "config"),
    [
        (["--select", "NS102"], ""),
        (["--ignore", "NS108"], ""),
        ([], "[per-file-ignores]\n'*.yaml' = ['NS108']\n"),
    ],
)
def test_a_fix_is_judged_by_every_default_rule_whatever_the_selection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, selection: list[str], config: str
) -> None:
    # 32 − 5 + 1 = 28 as expected; padding 2 gives 32 and breaks the expectation, which is
    # the spec's own word, whether NS108 is selected in this run or not.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "netspec.toml").write_text(config)
    layer = "{type: conv, filters: 6, kernel: 5, expect: [6, 28, 28]}"
    path = write_spec(tmp_path, f"input: [1, 32, 32]\nlayers:\n  - {layer}\n")
    assert "fix (unsafe: conv1 would then report NS108): set padding to 2\n" in run(*selection, path)[1]
    assert run(*selection, "--fix", path)[0] == 1
    assert "padding" not in path.read_text()
    # The near miss: without the expectation, the fix is safe under the same selection.
    path.write_text(f"input: [1, 32, 32]\nlayers:\n  - {layer.replace(', expect: [6, 28, 28]', '')}\n")
    assert "fix (safe): set padding to 2\n" in run(*selection, path)[1]


@pytest.mark.parametrize(
    ("selection", "config", "judged_by_ns113"),
    [
        (["--extend-select", "NS113"], "", True),
        (["--select", "ALL"], "", True),
        ([], "extend-select = ['NS113']\n", True),
        # The near misses: NS113 switched off again, on the command line or for this file.
        (["--extend-select", "NS113", "--ignore", "NS113"], "", False),
        (["--select", "ALL", "--ignore", "NS113,NS114"], "", False),
        ([], "extend-select = ['NS113']\n[per-file-ignores]\n'*.yaml' = ['NS113']\n", False),
    ],
)
def test_a_rule_off_by_default_judges_fixes_only_where_it_is_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, selection: list[str], config: str, judged_by_ns113: bool
) -> None:
    # Columns: (12 + 7 + 6 − 7)/2 + 1 = 10, but padding 7 on the left is a whole kernel (NS107).
    # Its fix, 6, gives (12 + 12 − 7)/2 + 1 = 9.5: the dropped column is the right padding's
    # last, which NS113 reports where it is on. Rows: (20 + 2 + 5 − 7)/2 + 1 = 11.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "netspec.toml").write_text(config)
    layer = "{type: conv, filters: 4, kernel: 7, stride: 2, padding: [[2, 5], [7, 6]]}"
    path = write_spec(tmp_path, f"input: [2, 20, 12]\nlayers:\n  - {layer}\n")
    fix = "set padding to [[2, 5], [6, 6]]\n"
    if judged_by_ns113:
        assert f"fix (unsafe: conv1 would then report NS113): {fix}" in run(*selection, path)[1]
        assert run(*selection, "--fix", path)[0] == 1
        assert "[7, 6]" in path.read_text()
    else:
        assert f"fix (safe): {fix}" in run(*selection, path)[1]
        assert run(*selection, "--fix", path)[0] == 0
        assert "[[2, 5], [6, 6]]" in path.read_text()


def test_fix_leaves_a_problem_of_a_rule_not_selected_that_an_earlier_fix_brought(tmp_path: Path) -> None:
    # c1 shrinks 13 to 13 − 5 + 1 = 9 (NS102); its padding 2 keeps 13, on which the pool's
    # (13 − 3)/3 + 1 = 4.33 is no integer (NS101, fixed by padding 1: 12/3 + 1 = 5), where
    # (9 − 3)/3 + 1 = 3 was.
    text = (
        "input: [1, 13, 13]\nlayers:\n"
        "  - {type: conv, filters: 4, kernel: 5}\n  - {type: maxpool, kernel: 3, stride: 3}\n"
    )
    path = write_spec(tmp_path, text)
    assert run("--select", "NS102", "--fix", "--unsafe-fixes", path)[0] == 0
    assert yaml.safe_load(path.read_text())["layers"] == [
        {"type": "conv", "filters": 4, "kernel": 5, "padding": 2},
        {"type": "maxpool", "kernel": 3, "stride": 3},
    ]
    # The near miss: with NS101 selected too, its fix follows.
    path.write_text(text)
    assert run("--select", "NS101,NS102", "--fix", "--unsafe-fixes", path)[0] == 0
    assert yaml.safe_load(path.read_text())["layers"][1]["padding"] == 1


def test_a_fix_of_a_problem_an_earlier_fix_brought_to_light_is_counted(tmp_path: Path) -> None:
    # a: 98 − 3 + 1 = 96 (NS102); padding 1 keeps 98, on which b's (98 − 3)/3 + 1 = 32.67 is
    # no integer (NS101; (96 − 3)/3 + 1 = 31 was), and padding 2 gives (98 + 4 − 3)/3 + 1 = 34.
    text = spec(
        "[3, 98, 98]",
        "{type: conv, name: a, filters: 8, kernel: 3}",
        "{type: conv, name: b, filters: 8, kernel: 3, stride: 3}",
    )
    path = write_spec(tmp_path, text)
    assert run("--diff", "--unsafe-fixes", path)[2] == "\nWould fix 2 problems.\n"
    assert run("--fix", "--unsafe-fixes", path) == (0, "Found 2 problems (2 fixed, 0 remaining).\n", "")
    assert path.read_text() == text.replace("kernel: 3}", "kernel: 3, padding: 1}").replace(
        "stride: 3}", "stride: 3, padding: 2}"
    )


def test_problems_an_unsafe_fix_leaves_unchecked_are_not_counted_as_fixed(tmp_path: Path) -> None:
    # a: 32 − 3 + 1 = 30 (NS102), unsafe: padded, a keeps 32, and s adds 32×32 to b's 30×30
    # (NS106), so c and d have no input to check. Their 1×1 windows of stride 2 read half of
    # their input (NS109), which has no automatic fix: no longer reported, but unchanged, so
    # one problem fixed, not three.
    text = spec(
        "[3, 32, 32]",
        "{type: conv, name: a, filters: 8, kernel: 3}",
        "{type: conv, name: b, filters: 8, kernel: 3, from: input}  # noqa: NS102",
        "{type: add, name: s, from: [a, b]}",
        "{type: conv, name: c, filters: 8, kernel: 1, stride: 2}",
        "{type: conv, name: d, filters: 8, kernel: 1, stride: 2}",
    )
    assert [d.code for d in lint_text(text).diagnostics] == ["NS102", "NS109", "NS109"]
    path = write_spec(tmp_path, text)
    assert run("--diff", "--unsafe-fixes", path)[2].endswith("\nWould fix 1 problem.\n")
    code, out, _ = run("--fix", "--unsafe-fixes", "--output-format", "concise", path)
    assert code == 1 and path.read_text() == text.replace("kernel: 3}", "kernel: 3, padding: 1}", 1)
    assert out.endswith(
        "Found 2 problems (1 fixed, 1 remaining).\n"
        "2 layers after the error could not be checked: fix it and run again.\n"
    )


def test_unsafe_fixes_apply_every_safe_fix_as_well(tmp_path: Path) -> None:
    # a: 32 − 3 + 1 = 30 (NS102), unsafe: padded, a keeps 32, and r's 8×30×30 = 7,200 no
    # longer holds 8,192 elements (NS117), which hides c. c's own fix (30 − 3 + 2 + 1 = 30)
    # is safe: --fix applies it, so --fix --unsafe-fixes must too, before a's.
    text = spec(
        "[8, 32, 32]",
        "{type: conv, name: a, filters: 8, kernel: 3}",
        "{type: reshape, name: r, shape: [8, 30, 30]}",
        "{type: conv, name: c, filters: 8, kernel: 3}",
    )
    padded_c = text.replace("name: c, filters: 8, kernel: 3}", "name: c, filters: 8, kernel: 3, padding: 1}")
    safe, unsafe = write_spec(tmp_path, text, "safe.yaml"), write_spec(tmp_path, text, "unsafe.yaml")
    run("--fix", safe)
    assert safe.read_text() == padded_c
    run("--fix", "--unsafe-fixes", unsafe)
    assert unsafe.read_text() == padded_c.replace(
        "name: a, filters: 8, kernel: 3}", "name: a, filters: 8, kernel: 3, padding: 1}"
    )


@pytest.mark.usefixtures("layers_alone")
def test_unsafe_fixes_that_hide_nothing_are_taken_within_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # 20 unpadded 3-taps on 100 positions, each with the size it gives as its `expect`: each
    # padding fix breaks its own expect (NS108), so each is unsafe, and hides no layer. A
    # budget of five judgements (20 layers each) must buy fixes, not only their judging.
    layers, size = [], 100
    for index in range(20):
        size -= 2  # 3 − 1 positions lost per unpadded 3-tap
        layers.append(f"{{type: conv, name: c{index}, filters: 1, kernel: 3, expect: [1, {size}]}}")
    text = spec("[1, 100]", *layers)
    assert analysis_cost(analyse(text, "s.yaml", "s")) == 20
    monkeypatch.setattr("netspec.fix.FIX_BUDGET", 5 * 20)
    judged = counted_calls(monkeypatch, "judge")
    fixed = fix_text(text, "s.yaml", unsafe=True).result.text
    assert fixed is not None and fixed.count("padding: 1") == 20
    # Five bought one by one; past them, every expect already fails (the first fix grew every
    # size after it), so the other fifteen, judged together, bring nothing new and are taken.
    assert len(judged) == 5


@pytest.mark.usefixtures("layers_alone")
def test_unsafe_fixes_that_each_hide_a_branch_are_all_taken_in_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    # 12 branches from the input: a conv (32 − 3 + 1 = 30, NS102) and a reshape to its
    # 8×30×30. Each padding fix breaks its own reshape (NS117), hiding it: unsafe. More of
    # them than MAX_PASSES, so one pass must take them all; and what each hides has no fix of
    # its own, so none waits: a budget of one judgement each (24 layers) is enough.
    branches = 12
    monkeypatch.setattr("netspec.fix.FIX_BUDGET", branches * 2 * branches)
    assert branches > netspec.fix.MAX_PASSES
    layers = []
    for index in range(branches):
        layers += [
            f"{{type: conv, name: a{index}, filters: 8, kernel: 3, from: input}}",
            f"{{type: reshape, name: r{index}, shape: [8, 30, 30]}}",
        ]
    text = spec("[8, 32, 32]", *layers) + f"outputs: [{', '.join(f'r{i}' for i in range(branches))}]\n"
    assert [d.code for d in lint_text(text).diagnostics] == ["NS102"] * branches
    fixed = fix_text(text, "s.yaml", unsafe=True).result.text
    assert fixed is not None and fixed.count("padding: 1") == branches


def test_a_comment_a_fix_puts_to_use_is_no_problem_fixed(tmp_path: Path) -> None:
    # a: 98 − 3 + 1 = 96 (NS102), where b's (96 − 3)/3 + 1 = 31 is exact, so its noqa is unused
    # (NS900); padding a keeps 98, and b's (98 − 3)/3 + 1 = 32.67 uses the comment.
    text = spec(
        "[3, 98, 98]",
        "{type: conv, name: a, filters: 8, kernel: 3}",
        "{type: conv, name: b, filters: 8, kernel: 3, stride: 3}  # noqa: NS101",
    )
    assert [d.code for d in lint_text(text).diagnostics] == ["NS102", "NS900"]
    path = write_spec(tmp_path, text)
    assert run("--fix", path) == (0, "Found 1 problem (1 fixed, 0 remaining).\n", "")
    assert path.read_text() == text.replace("kernel: 3}", "kernel: 3, padding: 1}", 1)


def test_the_comments_are_read_once_per_lint_whatever_the_fixes_to_judge(monkeypatch: pytest.MonkeyPatch) -> None:
    import netspec.noqa

    calls = []
    read = netspec.noqa.directives
    monkeypatch.setattr(netspec.noqa, "directives", lambda *args: calls.append(1) or read(*args))
    # Two fixable layers, one of them under a comment for another rule: every fix is judged.
    conv = "{type: conv, filters: 4, kernel: 3}"
    text = spec("[3, 8, 8]", f"{conv}  # noqa: NS101", conv)
    assert [d.code for d in lint_text(text).diagnostics] == ["NS102", "NS900", "NS102"]
    assert len(calls) == 1


def test_safe_fix_is_marked_and_counted(tmp_path: Path) -> None:
    code, out, _ = run(write_spec(tmp_path, MIXED))
    assert code == 1
    assert "NS102 [*] warning" in out and "[*] 1 fixable with the `--fix` option." in out


def test_suppressed_problem_is_not_fixed(tmp_path: Path) -> None:
    text = SMALL.replace("# café", "# noqa: NS102")
    path = write_spec(tmp_path, text)
    assert run("--fix", path)[0] == 0
    assert path.read_text() == text


def test_a_finding_silenced_before_and_after_a_fix_does_not_make_it_unsafe() -> None:
    # c1 shrinks 8 → 6 under a noqa; c2 shrinks 6 → 4 and its padding 1 keeps 6. After c2's
    # fix the silenced c1 finding is still there, silenced: nothing new is found.
    text = (
        "input: [1, 8, 8]\nlayers:\n"
        "  - {type: conv, name: c1, filters: 2, kernel: 3}  # noqa: NS102\n"
        "  - {type: conv, name: c2, filters: 2, kernel: 3}\n"
    )
    (d,) = lint_text(text).diagnostics
    assert (d.code, d.layer, d.applicability) == ("NS102", "c2", Applicability.SAFE)


#: stem: 'same' with stride 2 (NS112) gives ceil(64/2) = 32, which needs a total padding of
#: (32 − 1)·2 + 3 − 64 = 1, the odd pixel after. head goes unchecked until stem has an
#: output; then it shrinks 32 to 32 − 3 + 1 = 30 (NS102), which padding 1 keeps at 32.
BEHIND_A_BLOCKED_LAYER = (
    "input: [3, 64, 64]\nlayers:\n"
    "  - {type: conv, name: stem, filters: 16, kernel: 3, stride: 2, padding: same}\n"
    "  - {type: conv, name: head, filters: 16, kernel: 3}  # noqa: NS102\n"
)
STEM_FIXED = BEHIND_A_BLOCKED_LAYER.replace("padding: same", "padding: [[0, 1], [0, 1]]")


def test_a_problem_a_fix_brings_to_light_under_a_noqa_is_neither_new_nor_fixed(tmp_path: Path) -> None:
    (d,) = lint_text(BEHIND_A_BLOCKED_LAYER).diagnostics
    assert (d.code, d.layer, d.applicability) == ("NS112", "stem", Applicability.SAFE)
    path = write_spec(tmp_path, BEHIND_A_BLOCKED_LAYER)
    assert run("--fix", "--unsafe-fixes", path)[0] == 0
    assert path.read_text() == STEM_FIXED
    # The near miss: without the comment, head's shrinking is new, so stem's fix is unsafe,
    # and --unsafe-fixes pads head too.
    text = BEHIND_A_BLOCKED_LAYER.replace("  # noqa: NS102", "")
    path = write_spec(tmp_path, text, "plain.yaml")
    # head had no input before the fix: the reason says the fix reveals its problem.
    assert "fix (unsafe: head, unchecked until now, would then report NS102): " in run(path)[1]
    assert run("--fix", "--unsafe-fixes", path)[0] == 0
    assert path.read_text() == STEM_FIXED.replace("  # noqa: NS102", "").replace("kernel: 3}", "kernel: 3, padding: 1}")


#: a: 3 + 2·3 − 3 + 1 = 7, so b reflects 5 of 7 rows: below W = 7, it runs (PyTorch: 7 + 10 −
#: 5 + 1 = 13, as c expects). Padding 2 on a gives 3 + 4 − 3 + 1 = 5 rows, and a reflect padding
#: of 5 then reaches past them (PyTorch raises). b's NS107 warning becomes that error.
REFLECT_AFTER = (
    "input: [8, 3, 3]\nlayers:\n"
    "  - {type: conv, name: a, filters: 8, kernel: 3, padding: 3}\n"
    "  - {type: conv, name: b, filters: 8, kernel: 5, padding: 5, padding_mode: reflect}\n"
    "  - {type: conv, name: c, filters: 8, kernel: 1, expect: [8, 13, 13]}\n"
)


def test_a_fix_that_turns_a_warning_into_an_error_of_the_same_rule_is_unsafe(tmp_path: Path) -> None:
    # a and b also grow their maps (3 → 7 → 13: NS102), whose fixes are unsafe too.
    first, second = [d for d in lint_text(REFLECT_AFTER).diagnostics if d.code == "NS107"]
    assert (first.code, first.layer, first.applicability) == ("NS107", "a", Applicability.UNSAFE)
    assert (second.code, second.layer, second.blocking) == ("NS107", "b", False)
    path = write_spec(tmp_path, REFLECT_AFTER)
    assert "fix (unsafe: b would then report NS107 as an error netspec cannot check past): " in run(path)[1]
    assert run("--fix", path)[0] == 1
    assert path.read_text() == REFLECT_AFTER
    # The near miss: with zeros padded instead of a reflection, b's warning stays a warning
    # (7 → 5 rows, 5 + 10 − 5 + 1 = 11 in c): the fix is safe once c expects that.
    zeros = REFLECT_AFTER.replace(", padding_mode: reflect", "").replace("13, 13", "11, 11")
    assert next(d for d in lint_text(zeros).diagnostics if d.code == "NS107").applicability is Applicability.SAFE


def test_a_fix_that_turns_an_error_into_a_warning_of_the_same_rule_is_safe(tmp_path: Path) -> None:
    # a: 7 − 3 + 1 = 5 rows, so b's reflect padding 5 reaches past them (an error). Padding 1
    # keeps 7, and b's NS107 is then only the warning that padding 5 ≥ kernel 5: nothing new.
    # b's stride 2 gives (7 + 10 − 5)/2 + 1 = 7, so that b does not grow the map (NS102).
    text = (
        "input: [8, 7, 7]\nlayers:\n"
        "  - {type: conv, name: a, filters: 8, kernel: 3}\n"
        "  - {type: conv, name: b, filters: 8, kernel: 5, stride: 2, padding: 5, padding_mode: reflect}\n"
    )
    first, second = lint_text(text).diagnostics
    assert (first.code, first.layer, first.applicability) == ("NS102", "a", Applicability.SAFE)
    assert (second.code, second.layer, second.blocking) == ("NS107", "b", True)
    path = write_spec(tmp_path, text)
    # b's error was reported (a blocking problem always is); its warning is not selected.
    assert run("--fix", "--select", "NS102", path)[:2] == (0, "Found 2 problems (2 fixed, 0 remaining).\n")
    assert path.read_text() == text.replace("kernel: 3}", "kernel: 3, padding: 1}")


SPREADING = (
    "input: [1, 8, 7]\nlayers:\n"
    "  - {type: conv, name: c, filters: 2, kernel: 5, stride: 4, padding: [[9, 0], [1, 0]]}\n"
)


HIDDEN_FIX = "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"


def test_a_fix_that_brings_a_problem_to_another_dimension_of_its_layer_is_unsafe(tmp_path: Path) -> None:
    # A 5×5 kernel. Columns: (7 + 1 − 5)/4 leaves 3, past the 0 padded after: NS101. Rows:
    # (8 + 9 − 5)/4 = 3 divides, but padding 9 ≥ 5 blinds the first window: NS107, whose clamp
    # to 4 gives (8 + 4 − 5)/4, which leaves 3 rows unread that a third window would read. The
    # layer already has NS101, for its columns; the rows would be new.
    ns101, ns107 = (d for d in lint_text(SPREADING).diagnostics if d.code in {"NS101", "NS107"})
    assert ns101.applicability is Applicability.SAFE
    assert ns107.applicability is Applicability.UNSAFE
    assert ns107.unsafe_because == "c would then report NS101 in another dimension"
    path = write_spec(tmp_path, SPREADING)
    assert "[*] 1 fixable with the `--fix` option" in run(path)[1]
    # What check counts as fixable is what --fix fixes: NS101's padding, and not NS107's.
    out = run("--fix", path)[1]
    assert out.endswith("Found 2 problems (1 fixed, 1 remaining).\n" + HIDDEN_FIX)
    assert path.read_text() == SPREADING.replace("[1, 0]]", "[1, 1]]")


@pytest.mark.parametrize(
    ("second", "axes"),
    [
        (frozenset({1}), frozenset({0, 1})),
        # One of the whole layer (no axes told) makes the finding the whole layer's.
        (None, None),
    ],
)
def test_a_rules_problems_in_one_layer_stand_in_every_axis_any_of_them_is_in(
    second: frozenset[int] | None, axes: frozenset[int] | None
) -> None:
    # Two problems of one rule in one layer are one diagnostic, and one finding to judge a
    # fix against: in the axes of both, and blocking if either is.
    analysis = analyse(SPREADING, "s.yaml", "s")
    rule = RULES["NS101"]
    found = [
        (rule, Violation(0, "rows", axes=frozenset({0}))),
        (rule, Violation(0, "columns", axes=second, blocking=True)),
    ]
    (merged,) = netspec.linter.check(analysis, Settings(), found)
    assert (merged.axes, merged.blocking) == (axes, True)
    standing = standing_of_violations(found, analysis.suppressions)
    assert standing == {("NS101", 0): Seen(blocking=True, axes=axes)}


def test_a_fix_after_which_a_layer_reads_none_of_its_input_is_unsafe() -> None:
    # a pads 2 columns to 6 (NS102); p puts 3 before them, c 2 more: (6 + 5 − 5)/4 + 1 = 2
    # windows, the second from −1 to 3, reading columns. a's fix keeps 2, and then
    # (2 + 5 − 5)/4 + 1 = 1 window, from −5 to −1: c reads nothing, where it read 2/9.
    text = spec(
        "[1, 9, 2]",
        "{type: conv, name: a, filters: 1, kernel: 1, padding: [0, 2]}",
        "{type: pad, name: p, padding: [[0, 0], [3, 0]]}",
        "{type: conv, name: c, filters: 1, kernel: [1, 5], stride: [3, 4], padding: [[0, 0], [2, 0]]}",
    )
    fixes = [d for d in lint_text(text).diagnostics if d.fix is not None]
    assert [(d.code, d.layer) for d in fixes] == [("NS102", "a"), ("NS107", "a")]
    assert {d.unsafe_because for d in fixes} == {"c would then report NS109 for the whole layer"}


def judgement(text: str, layer: str) -> tuple[str, Applicability | None, str | None]:
    """The rule, applicability and reason of the one fixable problem of ``layer``."""
    (d,) = [d for d in lint_text(text).diagnostics if d.layer == layer and d.fix is not None]
    return d.code, d.applicability, d.unsafe_because


def test_a_fix_after_which_a_layer_leaves_input_positions_unread_is_unsafe() -> None:
    # Kernel 2, dilation 4 (taps s and s + 4), padding 3 on 3: 3 + 6 − 5 + 1 = 5 windows from
    # s = −3 to 1, reading 1, 2, nothing, 0 and 1: every position (NS109 for the one window
    # that steps over them). NS102's padding 2 keeps 3 windows, s = −2 to 0, reading 2,
    # nothing and 0: position 1 is never read, a new kind of NS109 problem in the same axis.
    unread = ("NS102", Applicability.UNSAFE, "conv1 would then report NS109 for input positions left unread")
    assert judgement(spec("[3, 3]", "{type: conv, filters: 2, kernel: 2, dilation: 4, padding: 3}"), "conv1") == unread
    # The same columns beside rows that a stride of 2 over a window of 1 leaves half unread:
    # the layer had unread positions already, but in the rows, not the columns.
    layer = "{type: conv, filters: 2, kernel: [1, 2], stride: [2, 1], dilation: [1, 4], padding: [0, 3]}"
    assert judgement(spec("[1, 8, 3]", layer), "conv1") == unread
    # The near miss: kernel 3, dilation 2 (taps s, s + 2, s + 4) on 5: padding 2 keeps 5
    # windows, s = −2 to 2, which read every position between them.
    near = spec("[3, 5]", "{type: conv, filters: 2, kernel: 3, dilation: 2, padding: 3}")
    assert judgement(near, "conv1") == ("NS102", Applicability.SAFE, None)


def test_a_fix_after_which_a_layer_reads_less_of_its_input_is_unsafe() -> None:
    # Kernel 2, stride 3, padding 2 before 6 positions: windows at −2, 1 and 4 read 1, 2, 4
    # and 5 (2/3; the first reads only padding, NS107). NS107's padding 1 leaves windows at
    # −1 and 2, reading 0, 2 and 3: 3 positions unread where 2 were, in the same kind.
    text = spec("[1, 6]", "{type: conv, filters: 1, kernel: 2, stride: 3, padding: [[2, 0]]}")
    less = ("NS107", Applicability.UNSAFE, "conv1 would then report NS109 for more input positions left unread")
    assert judgement(text, "conv1") == less


def test_a_fix_after_which_a_later_layer_drops_more_is_unsafe() -> None:
    # 3-wide pools of stride 3: 13 gives 4 (position 12 dropped), then 4 gives 1 (position 3
    # dropped). Padding the first by 1 gives 15 → 5, and then 5 → 1 drops 2 positions.
    text = spec("[1, 13]", "{type: maxpool, kernel: 3}", "{type: avgpool, kernel: 3}")
    more = "avgpool2 would then report NS101 for more input positions dropped after the last window"
    assert judgement(text, "maxpool1") == ("NS101", Applicability.UNSAFE, more)
    # The near miss: 16 gives 5 (one dropped), then 5 → 1 drops 2; padded, 18 → 6 → 2, none.
    text = spec("[1, 16]", "{type: maxpool, kernel: 3}", "{type: avgpool, kernel: 3}")
    assert judgement(text, "maxpool1") == ("NS101", Applicability.SAFE, None)


def test_a_fix_after_which_a_layer_reads_some_of_its_input_is_safe() -> None:
    # a shrinks 3 to 3 − 3 + 1 = 1 (kernel 2, dilation 2). b pads that one column by 1 on
    # each side, and its stride-2 windows of 1 lie at −1 and 1: b reads none of its input.
    # Padding a by 1 keeps 3×3: b's windows are then at rows 0 and 2 and at columns −1, 1
    # and 3, reading 2/3 · 1/3 = 2/9 of it, which is no new problem, nor one in another axis.
    text = spec(
        "[1, 3, 3]",
        "{type: conv, name: a, filters: 1, kernel: 2, dilation: 2}",
        "{type: conv, name: b, filters: 1, kernel: 1, stride: 2, padding: [0, 1]}",
    )
    diagnostics = lint_text(text).diagnostics
    assert [(d.code, d.layer, d.severity) for d in diagnostics if d.code == "NS109"][-1] == (
        "NS109",
        "b",
        Severity.ERROR,
    )
    (a,) = [d for d in diagnostics if d.layer == "a" and d.fix is not None]
    assert (a.code, a.applicability) == ("NS102", Applicability.SAFE)
    fixed = lint_text(text.replace("dilation: 2}", "dilation: 2, padding: 1}")).diagnostics
    assert [d.message.rpartition("; ")[2] for d in fixed if (d.code, d.layer) == ("NS109", "b")] == [
        "the layer reads only 2/9 of its input"
    ]


@pytest.mark.parametrize(
    ("m_padding", "applicability"),
    [
        # l shrinks 7 rows to 7 − 3 + 1 = 5, which m's kernel of 5 covers whole: one output,
        # as a dense layer would give, no shrinking. Padding l by 1 keeps 7, and m then gives
        # 7 − 5 + 1 = 3 of 7 rows: m shrinks its rows too, where it shrank only its columns.
        ("", Applicability.UNSAFE),
        # The near miss: m padded 2 along the rows keeps 5 and 7 rows alike.
        (", padding: [[2, 2], [0, 0]]", Applicability.SAFE),
    ],
)
def test_a_fix_that_makes_a_layer_shrink_another_dimension_is_unsafe(
    m_padding: str, applicability: Applicability
) -> None:
    text = spec(
        "[1, 7, 9]",
        "{type: conv, name: l, filters: 1, kernel: [3, 1]}",
        f"{{type: conv, name: m, filters: 1, kernel: [5, 3]{m_padding}}}",
    )
    (l_fix,) = [d for d in lint_text(text).diagnostics if d.layer == "l"]
    assert (l_fix.code, l_fix.applicability) == ("NS102", applicability)
    if applicability is Applicability.UNSAFE:
        assert l_fix.unsafe_because == "m would then report NS102 in another dimension"


def test_a_fix_that_moves_a_problem_to_another_dimension_says_so() -> None:
    # l gives 6×5; m's stride 3 divides (6 − 3)/3 but not (5 − 3)/3: NS101 in the columns.
    # l's padding [1, 2] keeps 8×9, where (8 − 3)/3 does not divide and (9 − 3)/3 does: m's
    # NS101 moves to the rows, no more dimensions than before, but one it was not in.
    text = spec(
        "[1, 8, 9]",
        "{type: conv, name: l, filters: 1, kernel: [3, 5]}",
        "{type: conv, name: m, filters: 1, kernel: 3, stride: 3}",
    )
    (l_fix,) = [d for d in lint_text(text).diagnostics if d.layer == "l"]
    assert (l_fix.code, l_fix.applicability) == ("NS102", Applicability.UNSAFE)
    assert l_fix.unsafe_because == "m would then report NS101 in another dimension"


def test_a_fix_that_keeps_its_layers_other_problem_where_it_was_is_safe(tmp_path: Path) -> None:
    # The near miss: 9 rows padded 8 divide, (9 + 8 − 5)/4 = 3, and so do they clamped to 4,
    # (9 + 4 − 5)/4 = 2. NS101 stays in the columns alone, so both fixes are safe.
    text = SPREADING.replace("[1, 8, 7]", "[1, 9, 7]").replace("[[9, 0]", "[[8, 0]")
    assert [d.applicability for d in lint_text(text).diagnostics if d.fix] == [Applicability.SAFE] * 2
    path = write_spec(tmp_path, text)
    assert run("--fix", path)[1].endswith("Found 2 problems (2 fixed, 0 remaining).\n")
    assert path.read_text() == text.replace("[[8, 0], [1, 0]]", "[[4, 0], [1, 1]]")


def test_strided_same_on_every_conv_of_a_keras_port_is_fixed_in_one_run(tmp_path: Path) -> None:
    # 224 → 112 → 56 → 28: each conv needs (out − 1)·2 + 3 − in = 1 pixel of padding, after.
    # The later convs' NS112 is in the file before the first is fixed, so it is not new.
    strided = "{{type: conv, name: s{}, filters: 8, kernel: 3, stride: 2, padding: same}}"
    text = spec("[3, 224, 224]", *(strided.format(i) for i in (1, 2, 3)))
    found = lint_text(text).diagnostics
    assert [(d.code, d.layer, d.fix is not None) for d in found] == [
        ("NS112", "s1", True),
        ("NS112", "s2", False),
        ("NS112", "s3", False),
    ]
    assert found[0].applicability == Applicability.SAFE
    path = write_spec(tmp_path, text)
    assert run("--fix", path) == (0, "Found 3 problems (3 fixed, 0 remaining).\n", "")
    assert path.read_text() == text.replace("padding: same", "padding: [[0, 1], [0, 1]]")
    # The near miss: s2's fix gives 56, so its expectation of 55 breaks: s1 is fixed, s2 is not.
    text = text.replace("name: s2, ", "name: s2, expect: [8, 55, 55], ")
    path.write_text(text)
    assert run("--fix", path)[0] == 1
    assert path.read_text() == text.replace("padding: same", "padding: [[0, 1], [0, 1]]", 1)


@pytest.mark.parametrize("brk", ["\u2028", "\u2029", "\x85"])
def test_fix_inserts_after_a_line_ending_in_a_unicode_line_break(brk: str) -> None:
    # YAML ends the comment's line at the separator, so padding goes before the relu layer.
    text = f"input: [3, 32, 32]\nlayers:\n  - type: conv\n    filters: 4\n    kernel: 3  # a{brk}  - {{type: relu}}\n"
    fixed = fix_text(text).result.text
    assert fixed == text.replace(f"# a{brk}", f"# a{brk}    padding: 1{brk}")


@pytest.mark.parametrize(
    ("layer", "fixed"),
    [
        # 32 − 3 + 1 = 30: padding 1 keeps 32. libyaml ends a flow collection or a quoted
        # scalar at the "#" that follows it, which then starts a comment; a plain `1#` would not.
        ("  - {type: conv, filters: 8, kernel: [3, 3]# c\n    }\n", "kernel: [3, 3], padding: 1 # c"),
        # (32 − 3)/2 + 1 = 15.5; one more row and column after: (33 − 3)/2 + 1 = 16.
        (
            "  - type: conv\n    filters: 8\n    kernel: 3\n    stride: 2\n    padding: 'valid'# c\n",
            "padding: [[0, 1], [0, 1]] # c",
        ),
        ("  - type: conv\n    filters: 8\n    kernel: 3\n    padding: [0]# c\n", "padding: 1 # c"),
        # A block list, written back after its key: the last item's comment follows the new value.
        # (Its items are flow lists: `- 0# c` would be the string '0# c'.)
        (
            "  - type: conv\n    filters: 8\n    kernel: 3\n    padding:\n      - [0, 0]\n      - [0, 0]# c\n",
            "padding: 1 # c",
        ),
    ],
)
def test_fix_keeps_a_comment_that_follows_the_value_without_a_space(layer: str, fixed: str) -> None:
    text = f"input: [3, 32]\nlayers:\n{layer}" if "[0]" in layer else f"input: [3, 32, 32]\nlayers:\n{layer}"
    outcome = fix_text(text)
    assert outcome.result.fixed == 1 and fixed in outcome.result.text
    assert yaml.safe_load(outcome.result.text)["layers"][0]["padding"] == yaml.safe_load(fixed.rsplit("padding:", 1)[1])


@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85"])
def test_fix_replaces_a_block_padding_after_a_comment_ending_in_any_line_break(brk: str) -> None:
    # 8 − 3 + 1 = 6: padding 1 keeps 8×8. The comment ends at the break; the list follows it.
    head = "input: [3, 8, 8]\nlayers:\n  - type: conv\n    filters: 4\n    kernel: 3\n"
    fixed = fix_text(f"{head}    padding:  # none{brk}    - 0\n    - 0\n").result.text
    assert fixed == f"{head}    padding: 1  # none\n"


@pytest.fixture
def layers_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Judging a fix costs the layers analysed (and what else a test counts), not the problems
    found on the fixed spec: the budgets below are counted in judgements of so many layers."""
    monkeypatch.setattr("netspec.fix.LAYERS_PER_FINDING", 0)


def shrinking_stack(layers: int) -> str:
    """Unpadded 3×3 convs on a wide 1-D input: each shrinks by 2, each fix (padding 1) is safe."""
    return spec(f"[4, {4 * layers + 100}]", *["{type: conv, filters: 4, kernel: 3}"] * layers)


@pytest.mark.usefixtures("layers_alone")
@pytest.mark.parametrize(("layers", "judged"), [(10, 10), (20, 5)])
def test_a_check_judges_fixes_within_its_budget(monkeypatch: pytest.MonkeyPatch, layers: int, judged: int) -> None:
    # Each judgement analyses every layer: a budget of 100 pays for 100/10 = 10 of 10, or
    # 100/20 = 5 of 20. The rest are reported unjudged: neither safe nor unsafe.
    monkeypatch.setattr("netspec.fix.ASSESSMENT_BUDGET", 100)
    marks = [d.applicability for d in lint_text(shrinking_stack(layers)).diagnostics]
    assert marks == [Applicability.SAFE] * judged + [None] * (layers - judged)


@pytest.mark.parametrize(("layers", "budget", "judged"), [(10, 100, 3), (2_000, 20_000, 3)])
def test_the_problems_found_on_a_fixed_spec_count_towards_the_budget(
    monkeypatch: pytest.MonkeyPatch, layers: int, budget: int, judged: int
) -> None:
    # Each is worded as it is found. A judgement costs the n layers, charged before, and
    # 3 for each of the n − 1 shrinking convs left: 10 + 27 = 37, with 100, 63 and 26 left
    # before the first three (−11 after); 2,000 + 5,997 = 7,997, with 20,000, 12,003 and
    # 4,006 left (−3,991 after). Without this, 2,000 of them took 10 judgements and 2 s.
    monkeypatch.setattr("netspec.fix.ASSESSMENT_BUDGET", budget)
    marks = [d.applicability for d in lint_text(shrinking_stack(layers)).diagnostics]
    assert marks == [Applicability.SAFE] * judged + [None] * (layers - judged)


def test_problems_a_comment_silences_count_towards_the_budget_too() -> None:
    # They are found, and worded, all the same: 2,000 shrinking convs, all but the first 10
    # silenced, cost 2,000 + 3·1,999 a judgement, as in the test above, and 3 of the 10
    # reported fixes are judged (not 10, as counting only what is reported would have it).
    lines = shrinking_stack(2_000).splitlines(keepends=True)
    text = "".join(lines[:12] + [line.rstrip("\n") + "  # noqa: NS102\n" for line in lines[12:]])
    marks = [d.applicability for d in lint_text(text).diagnostics if d.code == "NS102"]
    assert marks == [Applicability.SAFE] * 3 + [None] * 7


def test_fix_counts_the_problems_found_on_each_fixed_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    # --fix judges each fix with the pass's earlier ones applied: on 10 shrinking convs, the
    # judgements cost 10 + 3·9 = 37, 10 + 3·8 = 34 and 10 + 3·7 = 31, with 100, 63 and 29
    # left before them (−2 after): three one by one, then the other seven together.
    monkeypatch.setattr("netspec.fix.FIX_BUDGET", 100)
    one_by_one = counted_calls(monkeypatch, "judge")
    outcome = fix_text(shrinking_stack(10))
    assert outcome.result.fixed == 10
    assert len(one_by_one) == 3


@pytest.mark.usefixtures("layers_alone")
def test_a_spec_with_schema_problems_costs_its_problems_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # With a schema problem, each judgement validates the spec whole again, problems and all:
    # 10 layers and 20 unknown keys cost 10 + 2·20 = 50, so a budget of 100 pays for 2 of the
    # 9 convs' fixes (one layer with 10,000 unknown keys took 16 s for 140 fixes).
    # The convs read the input, past the relu that netspec cannot check.
    monkeypatch.setattr("netspec.fix.ASSESSMENT_BUDGET", 100)
    junk = "{type: relu, name: junk, " + ", ".join(f"x{i}: 1" for i in range(20)) + "}"
    convs = [f"{{type: conv, name: c{i}, filters: 4, kernel: 3, from: input}}" for i in range(9)]
    outputs = "outputs: [junk, " + ", ".join(f"c{i}" for i in range(9)) + "]\n"
    text = spec("[4, 200]", junk, *convs) + outputs
    marks = [d.applicability for d in lint_text(text).diagnostics if d.fix is not None]
    assert marks == [Applicability.SAFE] * 2 + [None] * 7
    # The near miss: without the unknown keys, 10 layers cost 10, and all 9 are judged.
    clean = [d.applicability for d in lint_text(text.replace(junk, "{type: relu}")).diagnostics if d.fix]
    assert clean == [Applicability.SAFE] * 9


@pytest.mark.usefixtures("layers_alone")
def test_fixes_past_the_budget_are_reported_unjudged_not_unsafe(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The summary sent them to --unsafe-fixes, which does not apply them: --fix judges them
    # anew, as its own budget allows (100/20 = 5 of the 20 here), then the rest together.
    monkeypatch.setattr("netspec.fix.ASSESSMENT_BUDGET", 100)
    monkeypatch.setattr("netspec.fix.FIX_BUDGET", 100)
    path = write_spec(tmp_path, shrinking_stack(20))
    code, out, _ = run("--output-format", "full", path)
    assert code == 1
    assert out.count("fix (safe): set padding to 1") == 5
    assert out.count("fix (unverified: this file has too many fixes to re-check each)") == 15
    assert out.endswith(
        "[*] 5 fixable with the `--fix` option.\n15 more fixes not judged, too many in one file to re-check "
        "each: `--fix` applies those it finds safe, the last ones where they are safe together.\n"
    )
    assert "--unsafe-fixes" not in out
    # As it says: --fix applies 5, then the other 15, each of which keeps its map's size.
    code, out, _ = run("--fix", "--output-format", "concise", path)
    assert (code, out) == (0, "Found 20 problems (20 fixed, 0 remaining).\n")
    assert path.read_text().count("padding: 1") == 20


@pytest.mark.usefixtures("layers_alone")
@pytest.mark.parametrize(("inputs", "judged"), [(81, 9), (161, 7), (1601, 1)])
def test_a_merges_inputs_count_towards_the_budget(monkeypatch: pytest.MonkeyPatch, inputs: int, judged: int) -> None:
    # 9 unpadded convs, then a concat of the last one `inputs` times: a judgement costs the 10
    # layers and (inputs − 1)/8 for the inputs past the first, so 10 + 10 = 20, 10 + 20 = 30 or
    # 10 + 200 = 210. A budget of 200 pays for each judgement begun with some left: all 9 at
    # 20 each; 7 at 30 (200, 170, …, 20 left before each); the first alone at 210.
    monkeypatch.setattr("netspec.fix.ASSESSMENT_BUDGET", 200)
    text = shrinking_stack(9) + f"  - {{type: concat, from: [{', '.join(['conv9'] * inputs)}]}}\n"
    marks = [d.applicability for d in lint_text(text).diagnostics if d.code == "NS102"]
    assert marks == [Applicability.SAFE] * judged + [None] * (9 - judged)


def test_what_ns114_works_out_on_a_fixed_spec_counts_towards_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each fix judged runs NS114's exact check again: on a spec where it reads a lot, a few
    # unpadded convs took minutes. Here its field is 1 + 2 + 2 + 118 = 123 ≥ 2·60 − 1 by the
    # third conv, so it works out what each of the 56 positions of that conv's output sees:
    # about 56 windows of up to 119 taps, thousands of reads, past a budget of 100 layers.
    # The first fix is always judged; the second finds the budget spent (and --fix takes it
    # judged together with what is left: itself).
    monkeypatch.setattr("netspec.fix.ASSESSMENT_BUDGET", 100)
    monkeypatch.setattr("netspec.fix.FIX_BUDGET", 100)
    shrinking = "{type: conv, filters: 1, kernel: 3}"
    keeps = "{type: conv, filters: 1, kernel: 3, padding: 1}"
    text = spec("[1, 60]", shrinking, shrinking, "{type: conv, filters: 1, kernel: 119, padding: 59}", keeps)
    with_ns114 = Settings(extend_select=("NS114",))
    found = lint_text(text, settings=with_ns114).diagnostics
    assert [d.code for d in found] == ["NS102", "NS102", "NS114"]
    assert [d.applicability for d in found[:2]] == [Applicability.SAFE, None]
    judged = counted_calls(monkeypatch, "judge")
    assert fix_text(text, settings=with_ns114).result.fixed == 2
    assert len(judged) == 1
    # The near miss: without NS114 a judgement costs the 4 layers, and both fixes are judged.
    assert [d.applicability for d in lint_text(text).diagnostics] == [Applicability.SAFE] * 2
    assert fix_text(text).result.fixed == 2


@pytest.mark.usefixtures("layers_alone")
@pytest.mark.parametrize(("layers", "judged"), [(10, 10), (20, 5), (300, 1)])
def test_fix_judges_within_one_budget_for_all_its_passes_and_the_rest_together(
    monkeypatch: pytest.MonkeyPatch, layers: int, judged: int
) -> None:
    # A budget of 100 layers analysed: 10 judgements of 10 layers, 5 of 20, and the first of
    # 300, which is always judged. What is left is judged together, and so fixed in one run:
    # a second run changes nothing, as --fix must.
    monkeypatch.setattr("netspec.fix.FIX_BUDGET", 100)
    one_by_one = counted_calls(monkeypatch, "judge")
    outcome = fix_text(shrinking_stack(layers))
    assert outcome.result.fixed == layers
    assert outcome.result.text is not None and outcome.result.text.count("padding: 1") == layers
    assert len(one_by_one) == judged
    again = fix_text(outcome.result.text)
    assert (again.changed, again.result.diagnostics) == (False, [])


def test_fixes_past_the_budget_that_are_unsafe_together_wait_for_the_next_run(monkeypatch: pytest.MonkeyPatch) -> None:
    # 5 unpadded 3-taps on 20 positions, then a dense layer that declares the 4·10 = 40
    # features the stack gives (20 − 5·2 = 10). Any padding fix changes them (NS105): with one
    # judgement to spend, the first fix is judged alone, unsafe (20, 18, 16, 14, 12: 48
    # features), and the other four together are too (18 each: 72), so they wait, as before.
    monkeypatch.setattr("netspec.fix.FIX_BUDGET", 1)
    convs = ["{type: conv, filters: 4, kernel: 3}"] * 5
    text = spec("[4, 20]", *convs, "{type: flatten}", "{type: dense, units: 2, in_features: 40}")
    assert [d.code for d in lint_text(text).diagnostics] == ["NS102"] * 5
    outcome = fix_text(text)
    assert (outcome.changed, outcome.result.fixed) == (False, 0)


def test_a_fix_past_the_budget_worked_out_for_a_size_the_batch_changes_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    # On 100 positions: conv a (3 taps) gives 98, conv b (4 taps) 95, and the pool's stride 2
    # drops the 95th (NS101: padding [[0, 1]]). With one judgement, a's fix is judged alone;
    # b's, which keeps 98, and the pool's, worked out for 95, are left. Together b's takes
    # away the pool's problem (98/2 + 1 − 1 = 49): the pool's fix, no longer needed, waits,
    # and the next run finds nothing for it.
    monkeypatch.setattr("netspec.fix.FIX_BUDGET", 1)
    layers = [
        "{type: conv, name: a, filters: 1, kernel: 3}",
        "{type: conv, name: b, filters: 1, kernel: 4}",
        "{type: maxpool, name: p, kernel: 2, stride: 2}",
        "{type: conv, name: c, filters: 1, kernel: 3}",
    ]
    fixed = fix_text(spec("[1, 100]", *layers)).result.text
    assert fixed is not None and "{type: maxpool, name: p, kernel: 2, stride: 2}" in fixed
    assert fixed.count("padding:") == 3
    assert not fix_text(fixed).changed


def test_fixes_past_the_budget_leave_out_the_one_that_breaks_its_own_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    # Ten unpadded convs, and a branch whose padding fix breaks its own `expect` (NS108): the
    # batch of the nine left after the first judgement takes the convs and leaves the branch.
    monkeypatch.setattr("netspec.fix.FIX_BUDGET", 1)
    convs = [f"{{type: conv, name: c{i}, filters: 4, kernel: 3}}" for i in range(10)]
    branch = "{type: conv, name: b, filters: 4, kernel: 3, from: input, expect: [4, 98]}"
    text = spec("[4, 100]", *convs, branch) + "outputs: [c9, b]\n"
    outcome = fix_text(text)
    assert outcome.result.text is not None and outcome.result.text.count("padding: 1") == 10
    assert [(d.code, d.layer) for d in outcome.result.diagnostics] == [("NS102", "b")]
    assert not fix_text(outcome.result.text).changed


def test_an_unsafe_fix_taken_after_the_budget_ran_out_leaves_the_batch_what_is_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a's fix breaks the reshape after it (NS117) and hides b and c, so it waits while b's and
    # c's come first; past the budget, it is taken, and the batch then finds nothing left of
    # the layers it hid (it looked one up that was gone: KeyError, an internal error).
    monkeypatch.setattr("netspec.fix.FIX_BUDGET", 1)
    layers = [
        "{type: conv, name: a, filters: 8, kernel: 3}",
        "{type: reshape, name: r, shape: [8, 30, 30]}",
        "{type: conv, name: b, filters: 8, kernel: 3}",
        "{type: conv, name: c, filters: 8, kernel: 3}",
    ]
    outcome = fix_text(spec("[8, 32, 32]", *layers), unsafe=True)
    assert outcome.result.text is not None and "name: a, filters: 8, kernel: 3, padding: 1}" in outcome.result.text
    assert [d.code for d in outcome.result.diagnostics] == ["NS117"]


def counted_calls(monkeypatch: pytest.MonkeyPatch, name: str) -> list[None]:
    """Each call of ``netspec.fix``'s function ``name`` from now on, as a None in a list."""
    calls: list[None] = []
    real = getattr(netspec.fix, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(None)
        return real(*args, **kwargs)

    monkeypatch.setattr(netspec.fix, name, counting)
    return calls


@pytest.mark.usefixtures("layers_alone")
def test_the_cost_of_a_judgement_is_counted_once_per_analysis_not_per_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    # Past the budget, each of 200 fixable layers used to count the whole graph again: a check
    # quadratic in the layers. The cost changes only with the analysis: once for a check, and
    # once per fix chosen in a pass (plus the pass's start) for --fix.
    counted = []
    real = netspec.fix.analysis_cost

    def counting(analysis: Any) -> int:
        counted.append(len(analysis.graph.nodes))
        return real(analysis)

    monkeypatch.setattr("netspec.fix.analysis_cost", counting)
    monkeypatch.setattr("netspec.fix.ASSESSMENT_BUDGET", 1_000)
    monkeypatch.setattr("netspec.fix.FIX_BUDGET", 1_000)
    text = shrinking_stack(200)
    marks = [d.applicability for d in lint_text(text).diagnostics]
    assert marks == [Applicability.SAFE] * 5 + [None] * 195  # 1,000 / 200 judgements
    assert counted == [200]
    counted.clear()
    assert fix_text(text, settings=Settings(select=("NS102",))).result.fixed == 200
    # Pass 1 starts (1), picks 5 fixes (5) and takes the other 195 together; pass 2 finds the
    # budget spent, and with no fix left the last lint is the report.
    assert counted == [200] * 6


# --- text edits ---------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "text"), [(1, "1"), ([1, 2], "[1, 2]"), ([[1, 2], [1, 2]], "[[1, 2], [1, 2]]")])
def test_values_are_written_in_flow_style(value: EditValue, text: str) -> None:
    assert render(value) == text


def test_overlapping_edits_are_refused() -> None:
    with pytest.raises(FixError):
        apply_edits("abcdef", [TextEdit(0, 3, "x"), TextEdit(2, 4, "y")])
    assert apply_edits("abcdef", [TextEdit(4, 4, "+"), TextEdit(0, 1, "A")]) == "Abcd+ef"


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (b"", "utf-8"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (b"", "utf-16-be"),
    ],
)
def test_encoding_and_byte_order_mark_are_kept(bom: bytes, encoding: str, tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_bytes(bom + SMALL.encode(encoding))
    assert run("--fix", path)[0] == 0
    assert path.read_bytes() == bom + SMALL_FIXED.encode(encoding)


def test_layers_shared_through_anchors_or_merge_keys_are_left_alone(tmp_path: Path) -> None:
    # Editing a shared mapping would change every layer that uses it.
    text = (
        "input: [1, 16, 16]\n"
        "layers:\n"
        "  - &c {type: conv, name: a, filters: 2, kernel: 3}\n"
        "  - *c\n"
        "  - <<: {type: conv, filters: 2, kernel: 3, padding: 0}\n"
        "    name: m\n"
    )
    path = write_spec(tmp_path, text)
    _, _, err = run("--fix", path)
    assert path.read_text() == text
    assert "a: NS102 not fixed: the layer is shared through an anchor or alias" in err
    assert "m: NS102 not fixed: its padding comes from a merge key (<<)" in err
    # Under --fix-only, which reports nothing, the fixes left out are results a quiet run
    # prints, and a silent one does not.
    assert run("--fix-only", "-q", path)[2] == err
    assert run("--fix-only", "-s", path) == (0, "", "")
    # So does --fix: a concise report lists the problems without the edit to make by hand.
    _, out, quiet = run("--fix", "-q", "--output-format", "concise", path)
    assert quiet == err and "by hand" not in out


#: Layers whose text --fix cannot edit, with the reason it gives. 16 − 3 + 1 = 14: padding 1
#: keeps 16×16 and breaks nothing, so only the text stands in the way.
UNEDITABLE = [
    pytest.param(
        "  - {type: conv, name: a, filters: 2, kernel: 3, padding: [&z 0, 0]}\n"
        "  - {type: conv, filters: 2, kernel: 1, padding: *z}\n",
        "its padding carries an anchor",
        id="anchor-inside-the-padding",
    ),
    pytest.param(
        "  - {type: conv, name: a, filters: 2, kernel: 3, padding: !!int &p 0}\n"
        "  - {type: conv, filters: 2, kernel: 1, padding: *p}\n",
        "an alias shares its padding (--fix edits it once no alias does)",
        id="tag-before-the-anchor",
    ),
    pytest.param(
        "  - type: conv\n    name: a\n    filters: 2\n    kernel: 3\n    padding:\n      - &z 0\n      - 0\n",
        "its padding carries an anchor",
        id="anchor-in-a-block-padding",
    ),
    # Every key merged in: none of its own to place a new one beside.
    pytest.param(
        "  - <<: {type: conv, name: a, filters: 2, kernel: 3}\n",
        "the layer has no keys of its own",
        id="every-key-merged",
    ),
    # An inserted `padding: 1` would take the indent of the key after `? `, and not load.
    pytest.param(
        "  - ? type\n    : conv\n    ? name\n    : a\n    ? filters\n    : 2\n    ? kernel\n    : 3\n",
        "the layer writes its keys explicitly (`? key`)",
        id="all-keys-explicit",
    ),
    pytest.param(
        "  - type: conv\n    name: a\n    filters: 2\n    ? kernel\n    : 3\n",
        "the layer writes its keys explicitly (`? key`)",
        id="last-key-explicit",
    ),
    pytest.param(
        "  - type: conv\n    name: a\n    filters: 2\n    ?\n      kernel\n    : 3\n",
        "the layer writes its keys explicitly (`? key`)",
        id="key-on-the-line-after-its-indicator",
    ),
    pytest.param(
        "  - type: conv\n    name: a\n    filters: 2\n    ?  # why\n\n      # not\n      kernel\n    : 3\n",
        "the layer writes its keys explicitly (`? key`)",
        id="comments-between-indicator-and-key",
    ),
    # Both comments would end the one row left, and a noqa is read from a row's first comment
    # only: NS108's, silenced by the second, would come back.
    pytest.param(
        "  - type: conv\n    name: a\n    filters: 2\n    kernel: 3\n    expect: [3, 16, 16]\n"
        "    padding:  # noqa: NS113\n      - 0\n      - 0  # noqa: NS108\n",
        "both its padding key and its last item carry a comment",
        id="comments-after-the-key-and-the-last-item",
    ),
    # A flow value after the colon would drop the tag; nothing here is a comment.
    pytest.param(
        "  - type: conv\n    name: a\n    filters: 2\n    kernel: 3\n    padding: !!seq\n      - 0\n      - 0\n",
        "its padding value carries a tag",
        id="tagged-block-padding",
    ),
]


@pytest.mark.parametrize(("text", "reason"), UNEDITABLE)
def test_layers_whose_text_cannot_be_edited_are_left_alone(tmp_path: Path, text: str, reason: str) -> None:
    # With an anchor, an alias elsewhere may share the value: editing it would change that too.
    path = write_spec(tmp_path, "input: [1, 16, 16]\nlayers:\n" + text)
    code, _, err = run("--fix", path)
    assert code == 1 and "internal error" not in err
    assert path.read_text() == "input: [1, 16, 16]\nlayers:\n" + text
    assert f"a: NS102 not fixed: {reason}; edit it by hand" in err


@pytest.mark.parametrize(("text", "reason"), UNEDITABLE)
def test_a_fix_that_fix_cannot_apply_is_reported_as_help(tmp_path: Path, text: str, reason: str) -> None:
    path = write_spec(tmp_path, "input: [1, 16, 16]\nlayers:\n" + text)
    (diagnostic,) = lint_text(path.read_text(), str(path)).diagnostics
    assert (diagnostic.code, diagnostic.layer) == ("NS102", "a")
    assert (diagnostic.fix, diagnostic.applicability) == (None, None)
    assert diagnostic.help == (
        f"padding 1 keeps 16×16 (P = D·(F − 1)/2); set padding to 1 by hand: --fix cannot edit this layer, as {reason}"
    )
    # Nothing promises that another flag would apply it.
    _, out, _ = run(path)
    assert "fixable" not in out and "--unsafe-fixes" not in out


def test_a_padding_anchor_that_no_alias_refers_to_is_kept() -> None:
    # 16 − 3 + 1 = 14 in every layer; padding 1 keeps 16×16. An anchor shares nothing until an
    # alias refers to it: the value after it is replaced, and the anchor stays for later use.
    head = "input: [1, 16, 16]\nlayers:\n"
    text = head + (
        "  - {type: conv, filters: 2, kernel: 3, padding: &flow 0}\n"
        "  - type: conv\n    filters: 2\n    kernel: 3\n    padding: &block 0  # why\n"
        "  - {type: conv, filters: 2, kernel: 3, padding: &tagged !!int 0}\n"
    )
    assert fix_text(text).result.text == head + (
        "  - {type: conv, filters: 2, kernel: 3, padding: &flow 1}\n"
        "  - type: conv\n    filters: 2\n    kernel: 3\n    padding: &block 1  # why\n"
        "  - {type: conv, filters: 2, kernel: 3, padding: &tagged 1}\n"
    )
    # A block list's anchor, after the key or on a line of its own, and the key's comment.
    block = head + "  - type: conv\n    filters: 2\n    kernel: 3\n    padding: &z\n      - 0\n      - 0\n"
    fixed = head + "  - type: conv\n    filters: 2\n    kernel: 3\n    padding: &z 1\n"
    assert fix_text(block).result.text == fixed
    own_line = block.replace("padding: &z\n", "padding:  # why\n      &z\n")
    assert fix_text(own_line).result.text == fixed.replace("&z 1\n", "&z 1  # why\n")
    # The near miss: an alias refers to it, so its layer waits until the alias is replaced,
    # in a later pass of the same run.
    shared = head + (
        "  - {type: conv, filters: 2, kernel: 3, padding: &p 0}\n  - {type: conv, filters: 2, kernel: 3, padding: *p}\n"
    )
    outcome = fix_text(shared)
    assert outcome.result.text == head + (
        "  - {type: conv, filters: 2, kernel: 3, padding: &p 1}\n  - {type: conv, filters: 2, kernel: 3, padding: 1}\n"
    )
    assert outcome.result.diagnostics == [] and outcome.notes == []


def test_a_question_mark_that_is_no_key_indicator_does_not_stop_a_fix() -> None:
    # A `?` in a comment, or after a value, above the last key: 16 − 3 + 1 = 14, padding 1 keeps 16.
    head = "input: [1, 16, 16]\nlayers:\n  -\n    # why?\n    type: conv\n    name: 'a ?'\n    # ?\n"
    text = head + "    filters: 2\n    kernel: 3  # ?\n"
    assert fix_text(text).result.text == text + "    padding: 1\n"
    # Two thousand comment lines between a `?` and its key, and in place of the `# ?` above.
    comments = "      # -----\n" * 2000
    explicit = head + "    filters: 2\n    ?\n" + comments + "      kernel\n    : 3\n"
    assert fix_text(explicit).notes == [
        "a ?: NS102 not fixed: the layer writes its keys explicitly (`? key`); edit it by hand"
    ]
    assert fix_text(text.replace("    # ?\n", comments)).result.text.endswith("padding: 1\n")


@pytest.mark.parametrize(
    "value",
    ["|\n      why\n      ?\n", ">-\n      ? # x\n", "a\n      ?\n", "'a\n      ?'\n"],
    ids=["literal", "folded", "plain", "quoted"],
)
def test_a_question_mark_on_a_line_of_a_value_is_no_key_indicator(value: str) -> None:
    # The `?` lines belong to the value of `name`, before the last key: 16 − 3 + 1 = 14, padding 1.
    text = f"input: [1, 16, 16]\nlayers:\n  - type: conv\n    filters: 2\n    name: {value}    kernel: 3\n"
    assert fix_text(text).result.text == text + "    padding: 1\n"


def test_a_padding_that_is_an_alias_is_replaced_by_the_new_value() -> None:
    # The alias goes, the anchor stays with the layer that holds it: 32 − 3 + 1 = 30 in each
    # 3×3 conv, and padding 1 keeps 32. A list's alias is text like a scalar's, in flow and
    # block mappings, and on a line of its own.
    head = "input: [3, 32, 32]\nlayers:\n  - {type: conv, filters: 4, kernel: 1, padding: &q [0, 0]}\n"
    block = "  - type: conv\n    filters: 4\n    kernel: 3\n    padding:"
    text = head + "  - {type: conv, filters: 4, kernel: 3, padding: *q}\n" + f"{block} *q\n{block}\n      *q\n"
    fixed = head + "  - {type: conv, filters: 4, kernel: 3, padding: 1}\n" + f"{block} 1\n{block}\n      1\n"
    outcome = fix_text(text)
    assert (outcome.result.text, outcome.notes) == (fixed, [])
    assert yaml.safe_load(fixed)["layers"][1:] == [{"type": "conv", "filters": 4, "kernel": 3, "padding": 1}] * 3


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        pytest.param(
            "layers:\n  - &c {type: conv, filters: 2, kernel: 3}\n",
            "layers:\n  - &c {type: conv, filters: 2, kernel: 3, padding: 1}\n",
            id="flow-layer",
        ),
        pytest.param(
            "layers:\n  - !!map &c {type: conv, filters: 2, kernel: 3}\n",
            "layers:\n  - !!map &c {type: conv, filters: 2, kernel: 3, padding: 1}\n",
            id="tagged-flow-layer",
        ),
        pytest.param(
            "layers:\n  - &c\n    type: conv\n    filters: 2\n    kernel: 3\n  - {type: relu}\n",
            "layers:\n  - &c\n    type: conv\n    filters: 2\n    kernel: 3\n    padding: 1\n  - {type: relu}\n",
            id="block-layer",
        ),
        pytest.param(
            "layers: &all\n  - {type: conv, filters: 2, kernel: 3}\n",
            "layers: &all\n  - {type: conv, filters: 2, kernel: 3, padding: 1}\n",
            id="layer-list",
        ),
    ],
)
def test_an_anchor_that_no_alias_refers_to_shares_nothing_and_stays(text: str, fixed: str) -> None:
    # 16 − 3 + 1 = 14, and padding 1 keeps 16: the key goes in after the anchor, which stays.
    outcome = fix_text("input: [1, 16, 16]\n" + text, "spec.yaml")
    assert (outcome.result.text, outcome.notes) == ("input: [1, 16, 16]\n" + fixed, [])
    assert yaml.safe_load(outcome.result.text)["layers"][0]["padding"] == 1


def test_an_anchored_layer_list_keeps_every_layer_as_it_is(tmp_path: Path) -> None:
    text = "input: [1, 16, 16]\nlayers: &all\n  - {type: conv, filters: 2, kernel: 3}\nshared: *all\n"
    outcome = fix_text(text, "spec.yaml")
    assert outcome.result.text == text
    assert outcome.notes == ["conv1: NS102 not fixed: the layers are shared through an anchor; edit it by hand"]


def test_only_the_layer_with_a_duplicate_key_is_left_alone() -> None:
    # Which `filters` the user meant is theirs to say. conv2 gets 14×14 and keeps it with padding 1.
    head = "input: [1, 16, 16]\nlayers:\n  - {type: conv, filters: 2, filters: 2, kernel: 3}\n"
    outcome = fix_text(head + "  - {type: conv, filters: 2, kernel: 3}\n", "spec.yaml")
    assert outcome.result.text == head + "  - {type: conv, filters: 2, kernel: 3, padding: 1}\n"
    assert outcome.notes == ["conv1: NS102 not fixed: the layer has a duplicate key; edit it by hand"]


def test_a_fix_that_fix_can_apply_stays_a_fix() -> None:
    # The near miss: the same layer, written plainly.
    text = "input: [1, 16, 16]\nlayers:\n  - {type: conv, filters: 2, kernel: 3, padding: 0}\n"
    (diagnostic,) = lint_text(text, "spec.yaml").diagnostics
    assert diagnostic.fix is not None and diagnostic.applicability == Applicability.SAFE
    assert diagnostic.help == "padding 1 keeps 16×16 (P = D·(F − 1)/2)"


def test_merged_padding_is_overridden_by_an_own_key_when_absent(tmp_path: Path) -> None:
    # The layer merges defaults without padding: the key is added to the layer itself.
    # 16 − 3 + 1 = 14 → P = 1.
    text = "d: &d {filters: 2, kernel: 3}\ninput: [1, 16, 16]\nlayers:\n  - <<: *d\n    type: conv\n"
    outcome = fix_text(text, "spec.yaml")
    assert outcome.result.text == text + "    padding: 1\n"


def test_key_after_a_block_scalar_goes_on_its_own_line() -> None:
    text = "input: [1, 8, 8]\nlayers:\n  - type: conv\n    filters: 2\n    kernel: 3\n    name: |\n      relu\n"
    assert fix_text(text).result.text == text + "    padding: 1\n"


@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85"])
def test_key_after_a_block_scalar_ending_in_any_line_break_goes_on_its_own_line(brk: str) -> None:
    # The block scalar's value ends with its line break: the key goes right after it.
    head = f"input: [3, 8, 8]{brk}layers:{brk}  - type: conv{brk}    filters: 4{brk}    kernel: 3{brk}"
    layer = f"    name: |{brk}      abc{brk}"
    text = head + layer + f"  - {{type: relu}}{brk}"
    assert fix_text(text).result.text == head + layer + f"    padding: 1{brk}" + f"  - {{type: relu}}{brk}"


@pytest.mark.parametrize(
    ("head", "brk"),
    [
        # A line separator inside a quoted string ends no line for YAML 1.2, editors or diff.
        pytest.param('description: "LeNet\u2028from the paper"\n', "\n", id="separator-in-a-string"),
        pytest.param("name: a\r\n", "\n", id="crlf-first-line"),
        # A CR (or CRLF) inside a quoted name does not make an LF file a CR file, though it is
        # the last break before the end.
        pytest.param('name: "a\rb"\n', "\n", id="cr-in-a-string"),
        pytest.param('name: "a\r\nb"\n', "\n", id="crlf-in-a-string"),
        # The near misses: the file's own breaks, where its lines end in them.
        pytest.param("name: a\r\n", "\r\n", id="crlf"),
        pytest.param("name: a\u2028", "\u2028", id="separators"),
    ],
)
def test_a_key_added_at_the_end_of_a_file_takes_the_lines_break(head: str, brk: str) -> None:
    # No final newline: the key starts a line of its own, with the break the lines above end in.
    body = f"input: [3, 8, 8]{brk}layers:{brk}  - type: conv{brk}    filters: 4{brk}    kernel: 3"
    assert fix_text(head + body).result.text == head + body + f"{brk}    padding: 1"
    # With the string last, just before the end of the file.
    if head.startswith("name"):
        last = body + f"{brk}    {head.rstrip()}"
        assert fix_text(last).result.text == last + f"{brk}    padding: 1"


@pytest.mark.parametrize(
    "padding",
    [
        pytest.param("padding:\n      - 0  # rows\n      - 0\n", id="after-an-item"),
        pytest.param("padding:\n      - 0\n      # why\n      - 0\n", id="between-items"),
        pytest.param("padding: [0,  # rows\n      0]\n", id="in-a-flow-list"),
    ],
)
def test_a_padding_value_holding_a_comment_is_left_alone(tmp_path: Path, padding: str) -> None:
    # Written back in flow style on one line, the value would lose the comment.
    text = "input: [3, 8, 8]\nlayers:\n  - type: conv\n    filters: 4\n    kernel: 3\n    " + padding
    path = write_spec(tmp_path, text)
    code, _, err = run("--fix", path)
    assert code == 1 and path.read_text() == text
    assert "conv1: NS102 not fixed: its padding value holds a comment" in err


def test_a_comment_after_the_padding_value_stays() -> None:
    # The near miss: a comment after the last item is not inside the value.
    head = "input: [3, 8, 8]\nlayers:\n  - type: conv\n    filters: 4\n    kernel: 3\n"
    fixed = fix_text(head + "    padding:\n      - 0\n      - 0  # cols\n").result.text
    assert fixed == head + "    padding: 1  # cols\n"


def test_a_block_padding_written_back_keeps_the_spaces_before_its_colon() -> None:
    # 8 − 3 + 1 = 6: padding 1 keeps 8×8. Only the value changes, not how the key is written.
    head = "input: [3, 8, 8]\nlayers:\n  - type: conv\n    filters: 4\n    kernel: 3\n"
    fixed = fix_text(head + "    padding   :\n      - 0\n      - 0\n").result.text
    assert fixed == head + "    padding   : 1\n"


#: A strided conv: (32 − 3)/2 + 1 = 15.5, so the last row and column go unread; padding 0
#: before and 1 after gives (32 + 1 − 3)/2 + 1 = 16.
STRIDED_HEAD = "input: [3, 32, 32]\nlayers:\n  - type: conv\n    filters: 4\n    kernel: 3\n    stride: 2\n"
PER_SIDE = "[[0, 1], [0, 1]]"


@pytest.mark.parametrize(
    ("padding", "after"),
    [
        pytest.param("|-\n      same\n", "  - {type: relu}\n", id="literal-before-a-layer"),
        pytest.param(">-\n      same\n", "  - {type: relu}\n", id="folded-before-a-layer"),
        pytest.param("|-\n      same\n", "", id="at-the-end"),
        pytest.param("|-\n      same\n", "\n# trailing comment\n", id="before-a-blank-line"),
    ],
)
def test_a_block_scalar_padding_is_replaced_up_to_its_content(padding: str, after: str) -> None:
    # 'same' with stride 2 is NS112; TensorFlow's SAME gives ceil(32/2) = 16, the same 0 and 1.
    # The scalar's line break and the blank lines after it stay.
    fixed = fix_text(f"{STRIDED_HEAD}    padding: {padding}{after}").result.text
    assert fixed == f"{STRIDED_HEAD}    padding: {PER_SIDE}\n{after}"


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
@pytest.mark.parametrize("indicator", ["|", "|+", ">"])
def test_a_key_goes_before_a_block_scalar_that_ends_the_file_without_a_line_break(eol: str, indicator: str) -> None:
    # After it, the new key's line break would join the scalar's value ('relu' → 'relu\n').
    head = STRIDED_HEAD.replace("\n", eol)
    fixed = fix_text(f"{head}    activation: {indicator}{eol}      relu").result.text
    assert fixed == f"{head}    padding: {PER_SIDE}{eol}    activation: {indicator}{eol}      relu"


@pytest.mark.parametrize(
    "replaced",
    [
        pytest.param("  - {type: relu}\n", id="flow-layer"),
        pytest.param("[{type: relu}]\n", id="flow-list"),
        pytest.param("  - {type: relu, name: a, name: b}\n", id="repeated-key"),
    ],
)
def test_a_replaced_layer_list_leaves_nothing_behind_for_the_live_one(replaced: str) -> None:
    # The second `layers` wins. What the first one was (flow style, a repeated key) must not
    # decide how the live layer is edited.
    first = "input: [3, 32, 32]\nlayers:" + (f"\n{replaced}" if replaced.startswith(" ") else f" {replaced}")
    live = STRIDED_HEAD.removeprefix("input: [3, 32, 32]\n")
    outcome = fix_text(first + live)
    assert outcome.notes == []
    assert outcome.result.text == first + live + f"    padding: {PER_SIDE}\n"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "input: &d [{type: conv, filters: 8, kernel: 3}]\ninput: [3, 32, 32]\n"
            "layers:\n  - {type: conv, filters: 8, kernel: 3, padding: 0}\nlayers: *d\n",
            id="replaced-layer-had-the-key",
        ),
        pytest.param(
            "input: &d [{type: conv, filters: 8, kernel: 3}]\ninput: [3, 32, 32]\n"
            "layers:\n  - {type: conv, filters: 8, kernel: 3}\nlayers: *d\n",
            id="replaced-layer-alike",
        ),
        pytest.param(
            "input: [3, 32, 32]\nlayers:\n  - {type: conv, filters: 8, kernel: 3, expect: &d [{type: conv, filters: 8, "
            "kernel: 3}]}\nlayers: *d\n",
            id="anchor-inside-the-replaced-list",
        ),
    ],
)
def test_layers_replaced_by_an_alias_are_the_alias_text(text: str) -> None:
    # The live layers come from the alias on the last row: what the replaced list said does
    # not describe them. 32 − 3 + 1 = 30: NS102, at the alias, for --fix to leave alone.
    found = {(d.code, d.span.start.row, d.fix is None) for d in lint_text(text, "spec.yaml").diagnostics}
    assert ("NS102", 5 if text.startswith("input: &d") else 4, True) in found
    outcome = fix_text(text, "spec.yaml")
    assert outcome.result.text == text
    assert outcome.notes == ["conv1: NS102 not fixed: the layer comes from an alias; edit it by hand"]


def test_old_mac_line_endings_are_kept() -> None:
    text = "input: [1, 8, 8]\rlayers:\r  - type: conv\r    filters: 2\r    kernel: 3\r  - {type: flatten}\r"
    expected = text.replace("kernel: 3\r", "kernel: 3\r    padding: 1\r")
    assert fix_text(text).result.text == expected


# --- --diff -------------------------------------------------------------------------------


def test_diff_never_writes(tmp_path: Path) -> None:
    path = copy_case("vgg_block", tmp_path)
    os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    code, out, err = run("--diff", path)
    assert code == 1
    assert out.startswith(f"--- {path}\n+++ {path}\n")
    assert "+    padding: 1\n" in out and "-    padding: 0  # valid by mistake\n" in out
    # stdout holds the patch alone; the count goes to stderr.
    assert "Would fix" not in out and err == "\nWould fix 3 problems.\n"
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vgg_block.yaml"]


#: `padding: same` with stride 2 (NS112, blocking): 'same' gives ceil(8/2) = 4, which needs a
#: total padding of (4 − 1)·2 + 3 − 8 = 1, the odd pixel after.
SAME_STRIDED = spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, stride: 2, padding: same}")
SAME_STRIDED_FIXED = SAME_STRIDED.replace("padding: same", "padding: [[0, 1], [0, 1]]")


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["--select", "NS101"], SAME_STRIDED),
        (["--ignore", "NS112"], SAME_STRIDED),
        ([], SAME_STRIDED.replace("same}", "same}  # noqa: NS112")),
    ],
    ids=["select", "ignore", "noqa"],
)
def test_a_problem_reported_only_because_it_blocks_is_not_fixed(tmp_path: Path, args: list[str], text: str) -> None:
    path = write_spec(tmp_path, text)
    code, out, _ = run("--fix", "--output-format", "concise", *args, path)
    assert (code, path.read_text()) == (1, text)
    # Reported, but neither marked nor counted as fixable: --fix was just run.
    assert ": NS112 error: " in out and "fixable" not in out
    assert "fix (safe; silenced, so --fix leaves it): " in run(*args, path)[1]
    code, _, err = run("--fix-only", *args, path)
    assert (code, path.read_text()) == (0, text)
    assert err.endswith(" (silenced here, so not fixed; what depends on it was neither checked nor fixed)\n")
    # The near miss: nothing silences it, so it is fixable, and --fix applies the fix.
    out = run("--output-format", "concise", write_spec(tmp_path, SAME_STRIDED, "plain.yaml"))[1]
    assert ": NS112 [*] error: " in out and "[*] 1 fixable with the `--fix` option." in out
    assert run("--fix", tmp_path / "plain.yaml")[0] == 0
    assert (tmp_path / "plain.yaml").read_text() == SAME_STRIDED_FIXED


def test_fix_only_names_a_blocking_problem_whose_fix_is_unsafe(tmp_path: Path) -> None:
    # The fixed conv gives 4×4, so the expectation of 3×3 breaks: the fix is unsafe.
    text = SAME_STRIDED.replace("same}", "same, expect: [4, 3, 3]}")
    path = write_spec(tmp_path, text)
    code, _, err = run("--fix-only", path)
    assert (code, path.read_text()) == (0, text)
    assert err.endswith(
        " (its fix is unsafe, and --unsafe-fixes applies it; what depends on it was neither checked nor fixed)\n"
    )
    assert run("--fix-only", "--unsafe-fixes", path) == (0, "Fixed 1 problem.\n", "")


def test_diff_places_a_blocking_problem_in_the_file_as_it_is(tmp_path: Path) -> None:
    # Each block conv gains a `padding: 1` line: the channel mismatch on row 9 is on row 11
    # of the fixed text, which --fix-only writes and --diff does not. Column 66 is the 5's.
    block = "  - type: conv\n    filters: 4\n    kernel: 3\n"
    text = (
        "input: [3, 8, 8]\nlayers:\n"
        + block * 2
        + "  - {type: conv, filters: 4, kernel: 3, padding: 1, in_channels: 5}\n"
    )
    path = write_spec(tmp_path, text)
    assert run("--diff", path)[2].startswith(f"netspec: warning: {path}:9:66: NS104 ")
    assert run("--fix-only", path)[2].startswith(f"netspec: warning: {path}:11:66: NS104 ")
    # A problem that only an unsafe fix brings is placed on its row of the file, which the fix
    # left as it was: padding a keeps 8×8, which b's valid 3×3 (8 − 3 + 1 = 6) no longer
    # matches in the add, on row 5 of the file.
    text = spec(
        "[4, 8, 8]",
        "{type: conv, name: a, filters: 4, kernel: 3}",
        "{type: conv, name: b, filters: 4, kernel: 3, padding: valid, from: input}",
        "{type: add, from: [a, b]}",
    )
    path = write_spec(tmp_path, text, "merged.yaml")
    assert f"netspec: warning: {path}:5:5: NS106 " in run("--diff", "--unsafe-fixes", path)[2]
    # So is one the error before it hides in the file (NS103: 4 − 7 + 1 < 1): padding c1's
    # 7×7 by 3 adds a row, and c2's channel mismatch, reported only then on row 7 of the
    # fixed text, is on row 6 of the file.
    text = "input: [3, 4, 4]\nlayers:\n  - type: conv\n    filters: 4\n    kernel: 7\n" + (
        "  - {type: conv, filters: 4, kernel: 3, padding: 1, in_channels: 5}\n"
    )
    path = write_spec(tmp_path, text, "hidden.yaml")
    assert f"netspec: warning: {path}:6:66: NS104 " in run("--diff", "--unsafe-fixes", path)[2]
    # The near miss: both layers on one row, which the fix changes. In the file, c2's
    # in_channels value is 12 columns, ", padding: 3", to the left: no place there says so.
    text = (
        "input: [3, 4, 4]\nlayers: [{type: conv, filters: 4, kernel: 7}, "
        "{type: conv, filters: 4, kernel: 3, padding: 1, in_channels: 5}]\n"
    )
    path = write_spec(tmp_path, text, "one_row.yaml")
    assert text.index("5}]") - text.index("\nlayers") == 108  # the 5's column in the file
    assert f"netspec: warning: {path}:2:120 in the fixed text: NS104 " in run("--diff", "--unsafe-fixes", path)[2]


@pytest.mark.parametrize("brk", ["\r\n", "\r", "\u2028"])
def test_diff_places_a_hidden_problem_by_the_rows_the_parser_counts(tmp_path: Path, brk: str) -> None:
    # As above: c2's in_channels is on row 6 of the file, whatever breaks its lines (a diff
    # counts LF alone, so a file of CRs is one line to it; positions count every break).
    rows = ["input: [3, 4, 4]", "layers:", "  - type: conv", "    filters: 4", "    kernel: 7"]
    rows.append("  - {type: conv, filters: 4, kernel: 3, padding: 1, in_channels: 5}")
    path = tmp_path / "hidden.yaml"
    path.write_bytes((brk.join(rows) + brk).encode())
    assert f"netspec: warning: {path}:6:66: NS104 " in run("--diff", "--unsafe-fixes", path)[2]


def test_diff_of_clean_file_is_empty_and_exits_zero(tmp_path: Path) -> None:
    assert run("--diff", write_spec(tmp_path, CLEAN)) == (0, "", "")


@pytest.mark.parametrize("flag", ["--diff", "--fix-only"])
def test_a_file_that_cannot_be_read_is_named_when_no_report_follows(tmp_path: Path, flag: str) -> None:
    # An unclosed flow list: the parser stops at row 2, column 7, where `layers:` ends.
    path = write_spec(tmp_path, "input: [3, 8, 8\nlayers:\n")
    code, out, err = run(flag, path)
    assert (code, out) == (0, "")
    assert err.startswith(f"netspec: warning: {path}:2:7: NS001 ")
    assert err.endswith(" (no automatic fix; what depends on it was neither checked nor fixed)\n")
    # An invalid layer is named the same way, at its unknown key (column 18, counted by hand).
    invalid = write_spec(tmp_path, "input: [3, 8, 8]\nlayers:\n  - {type: relu, bogus: 1}\n", "invalid.yaml")
    assert run(flag, invalid)[2].startswith(f"netspec: warning: {invalid}:3:18: NS002 unknown key 'bogus'")
    # The near miss: a readable file with nothing to fix says nothing.
    assert run(flag, write_spec(tmp_path, CLEAN, "clean.yaml")) == (0, "", "")


@pytest.mark.parametrize("name", ["vgg_block", "crlf_no_final_newline", "alexnet_chain"])
def test_diff_applies_with_patch(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    copy_case(name, tmp_path)
    result = runner.invoke(app, ["check", "--diff", f"{name}.yaml"])
    patch = tmp_path / "fix.patch"
    patch.write_bytes(result.stdout_bytes)  # .stdout would turn CRLF into LF
    subprocess.run(["patch", "--quiet", "-p0", "--binary", "-i", str(patch)], check=True, cwd=tmp_path)
    assert (tmp_path / f"{name}.yaml").read_bytes() == (GOLDEN / f"{name}.fixed.yaml").read_bytes()


def test_diff_of_one_fix_among_repeated_lines_is_that_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A conv without padding, then 60 padded conv, batchnorm, relu blocks: the fix adds one
    # line. difflib took the rows that repeat for junk, and removed and re-added all 365.
    head = "input: [8, 32, 32]\nlayers:\n  - type: conv\n    filters: 8\n    kernel: 3\n"
    block = "  - type: conv\n    filters: 8\n    kernel: 3\n    padding: 1\n  - type: batchnorm\n  - type: relu\n"
    text = head + block * 60
    monkeypatch.chdir(tmp_path)
    path = write_spec(tmp_path, text)
    diff = runner.invoke(app, ["check", "--diff", path.name]).stdout
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ["+    padding: 1"]
    # One hunk: rows 3 to 5 before the new line, and 6 to 8 after it.
    assert diff.count("@@ ") == 1 and "@@ -3,6 +3,7 @@" in diff
    (tmp_path / "fix.patch").write_text(diff)
    subprocess.run(["patch", "--quiet", "-p0", "-i", "fix.patch"], check=True, cwd=tmp_path)
    assert path.read_text() == head + "    padding: 1\n" + block * 60


@pytest.mark.parametrize("work", [None, 1])
def test_diff_of_fixes_among_repeated_blocks_adds_their_lines_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, work: int | None
) -> None:
    # Five of seven conv, batchnorm, relu blocks lack padding: five lines are added. difflib's
    # longest-run-first matching removed and added 35 lines. With no work allowed (1), lines
    # are matched around those both texts hold once, and between the changes these repeated
    # blocks hold none: the lines from the first change to the last are replaced, a longer
    # diff that still applies.
    unpadded = "  - type: conv\n    filters: 8\n    kernel: 3\n  - type: batchnorm\n  - type: relu\n"
    padded = unpadded.replace("kernel: 3\n", "kernel: 3\n    padding: 1\n")
    text = "input: [8, 32, 32]\nlayers:\n" + unpadded * 3 + padded + unpadded * 2 + padded
    if work is not None:
        monkeypatch.setattr("netspec.fix.MAX_DIFF_WORK", work)
    monkeypatch.chdir(tmp_path)
    path = write_spec(tmp_path, text)
    diff = runner.invoke(app, ["check", "--diff", path.name]).stdout
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    if work is None:
        assert changed == ["+    padding: 1"] * 5
    else:
        # The 2 header lines and the first block's first 3 lines are kept, and the last
        # block's 6 with the batchnorm and relu before them: of 2 + 5·5 + 6·2 = 39 lines,
        # 26 are removed, and of 2 + 6·7 = 44, 31 added; with 3 lines of context each side.
        assert diff.count("@@ ") == 1 and "@@ -3,32 +3,37 @@" in diff
        assert [line[0] for line in changed] == ["-"] * 26 + ["+"] * 31
    (tmp_path / "fix.patch").write_text(diff)
    subprocess.run(["git", "apply", "--check", "fix.patch"], check=True, cwd=tmp_path)
    subprocess.run(["patch", "--quiet", "-p0", "-i", "fix.patch"], check=True, cwd=tmp_path)
    assert path.read_text() == "input: [8, 32, 32]\nlayers:\n" + padded * 7


def test_diff_of_fixes_far_apart_past_the_work_limit_is_one_replacement_without_lines_held_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A padding written over 2,101 lines, and 5,000 blank lines before the next conv: the
    # first fix removes 2,100 lines, more than a shortest diff may look through, and difflib's
    # matcher took 7 s on the blank lines between (79 s with 20,000). Past the limit, lines
    # are matched around those both texts hold once; between the changes here there are
    # none, so the lines from the first change to the last are one replacement, and apply.
    text = "input: [8, 32, 32]\nlayers:\n  - {type: conv, filters: 8, kernel: 3, padding: [0,\n" + "\n" * 2100
    text += "      0]}\n" + "\n" * 5000 + "  - {type: conv, filters: 8, kernel: 3}\n"
    monkeypatch.chdir(tmp_path)
    path = write_spec(tmp_path, text)
    diff = runner.invoke(app, ["check", "--diff", path.name]).stdout
    # Of 2 + 1 + 2,100 + 1 + 5,000 + 1 = 7,105 lines, all but the 2 header lines are
    # replaced by the 5,002 of the fixed text: one hunk, with the header for context.
    assert diff.count("@@ ") == 1 and "@@ -1,7105 +1,5004 @@" in diff
    (tmp_path / "fix.patch").write_text(diff)
    subprocess.run(["patch", "--quiet", "-p0", "-i", "fix.patch"], check=True, cwd=tmp_path)
    fixed = "  - {type: conv, filters: 8, kernel: 3, padding: 1}\n"
    assert path.read_text() == "input: [8, 32, 32]\nlayers:\n" + fixed + "\n" * 5000 + fixed


def test_diff_past_the_work_limit_still_places_a_problem_on_its_row_of_the_file(tmp_path: Path) -> None:
    # The conv's padding [0, 0], written over 2,101 lines, becomes 1 (9 − 3 + 2 + 1 = 9): the
    # diff is past the work limit. The maxpool's padding 3 > 2//2 is cut to 1 (unsafe), which
    # gives (9 + 2 − 2)/2 + 1 = 5, and the dense layer after it, on row 2,107 of the file and
    # 6 of the fixed text, then has 1×5×5 to act on (NS105). Its line, in both texts once, is
    # matched across the diff as a line both hold once, and the problem placed on its row.
    text = "input: [1, 9, 9]\noutputs: [dense3, conv4]\nlayers:\n  - {type: conv, filters: 1, kernel: 3, padding: [0,\n"
    text += "\n" * 2100 + "      0]}\n  - {type: maxpool, kernel: 2, padding: 3}\n  - {type: dense, units: 3}\n"
    path = write_spec(tmp_path, text + "  - {type: conv, filters: 1, kernel: 3, from: input}\n")
    assert text.splitlines()[2106] == "  - {type: dense, units: 3}"
    assert f"netspec: warning: {path}:2107:5: NS105 dense3: " in run("--diff", "--unsafe-fixes", path)[2]


def test_lines_past_the_work_limit_are_matched_by_those_each_text_holds_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # With no work allowed, lines are matched around those both texts hold once, the most
    # of them in one order: x, z and v (y moved to the end; w is repeated). The run from x
    # grows over w after it, the one from z over v and w: what lies between is replaced.
    monkeypatch.setattr("netspec.fix.MAX_DIFF_WORK", 0)
    before = ["h", "a", "x", "w", "y", "b", "z", "v", "w"]
    after = ["h", "c", "x", "w", "d", "z", "v", "w", "y", "e"]
    codes = netspec.fix._opcodes(before, after)
    kept = [(a1, a2, b1, b2) for tag, a1, a2, b1, b2 in codes if tag == "equal"]
    assert kept == [(0, 1, 0, 1), (2, 4, 2, 4), (6, 9, 5, 8)]
    # Any two texts: the opcodes turn one into the other, and keep only equal lines.
    rng = random.Random(0)
    for _ in range(500):
        one = [rng.choice("abcdefgh") for _ in range(rng.randint(0, 20))]
        two = [rng.choice("abcdefgh") for _ in range(rng.randint(0, 20))]
        rebuilt = []
        for tag, a1, a2, b1, b2 in netspec.fix._opcodes(one, two):
            assert tag != "equal" or one[a1:a2] == two[b1:b2]
            rebuilt += two[b1:b2]
        assert rebuilt == two


# Each conv has a 3×3 kernel on 32×32 (or 8×8): padding (3 − 1)/2 = 1 keeps the size.
@pytest.mark.parametrize(
    ("name", "raw", "fixed"),
    [
        # Lines ended by CR alone are one line to diff and patch.
        (
            "mac.yaml",
            b"input: [3, 32, 32]\rlayers:\r  - type: conv\r    filters: 3\r    kernel: 3\r",
            b"input: [3, 32, 32]\rlayers:\r  - type: conv\r    filters: 3\r    kernel: 3\r    padding: 1\r",
        ),
        # A CR within what is a line to diff in an LF file.
        (
            "cr.yaml",
            b"input: [3, 32, 32]\nlayers:\r  - {type: conv, filters: 3, kernel: 3}\n",
            b"input: [3, 32, 32]\nlayers:\r  - {type: conv, filters: 3, kernel: 3, padding: 1}\n",
        ),
        # A UTF-8 byte-order mark, on the line the fix changes.
        (
            "bom.yaml",
            codecs.BOM_UTF8 + b"{input: [3, 32, 32], layers: [{type: conv, filters: 16, kernel: 3}]}\n",
            codecs.BOM_UTF8 + b"{input: [3, 32, 32], layers: [{type: conv, filters: 16, kernel: 3, padding: 1}]}\n",
        ),
        # Names patch would cut short (a space), misread (a quote, a backslash) or not find (a
        # control character, a byte that is not UTF-8, escaped for the terminal); a directory.
        ("my spec.yaml", SMALL.encode(), SMALL_FIXED.encode()),
        (os.fsdecode(b'q"\\\r\xff.yaml'), SMALL.encode(), SMALL_FIXED.encode()),
        ("specs/net.yaml", SMALL.encode(), SMALL_FIXED.encode()),
    ],
)
def test_diff_applies_with_patch_and_git_apply(
    name: str, raw: bytes, fixed: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(raw)
    diff = runner.invoke(app, ["check", "--diff", name])
    assert diff.exit_code == 1, diff.output
    (tmp_path / "fix.patch").write_bytes(diff.stdout_bytes)
    subprocess.run(["git", "init", "-q", "."], check=True, cwd=tmp_path)
    subprocess.run(["git", "apply", "-p0", "fix.patch"], check=True, cwd=tmp_path)
    assert path.read_bytes() == fixed
    path.write_bytes(raw)
    subprocess.run(["patch", "--quiet", "-p0", "--binary", "-i", "fix.patch"], check=True, cwd=tmp_path)
    assert path.read_bytes() == fixed
    # And --fix writes the same.
    path.write_bytes(raw)
    assert runner.invoke(app, ["check", "--fix", name]).exit_code == 0
    assert path.read_bytes() == fixed


def test_diff_of_a_utf16_spec_warns_that_patch_cannot_apply_it(tmp_path: Path) -> None:
    path = write_spec(tmp_path, SMALL.encode("utf-16"))
    code, out, err = run("--diff", path)
    assert code == 1 and "+  - {type: conv, filters: 2, kernel: 3, padding: 1}  # café\n" in out
    assert f"netspec: warning: {path}: the diff shows the text in UTF-8, not the file's UTF-16-LE," in err
    # A warning about the run, which a quiet one leaves out: the diff alone.
    assert run("--diff", "-q", path) == (1, out, "")
    # The near miss: a UTF-8 spec's diff applies, with no warning.
    assert "warning" not in run("--diff", write_spec(tmp_path, SMALL, "utf8.yaml"))[2]


def test_diff_applies_whatever_the_console_encoding(tmp_path: Path) -> None:
    # The diff must hold the file's own UTF-8 bytes, or it does not apply: on a cp1252 console
    # (a redirected stdout on Windows) "卷积" cannot be written as it is.
    path = write_spec(tmp_path, "input: [3, 32, 32]\nlayers:\n  - {type: conv, name: 卷积, filters: 8, kernel: 3}\n")
    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "PYTHONUTF8": "0"}
    result = netspec_process("check", "--diff", path.name, cwd=tmp_path, env=env, text=False)
    assert result.returncode == 1, result.stderr
    (tmp_path / "fix.patch").write_bytes(result.stdout)
    subprocess.run(["patch", "--quiet", "-p0", "-i", "fix.patch"], check=True, cwd=tmp_path)
    # NS102's fix: a 3×3 kernel keeps 32×32 with padding (3 − 1)/2 = 1.
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["layers"][0] == {
        "type": "conv",
        "name": "卷积",
        "filters": 8,
        "kernel": 3,
        "padding": 1,
    }


# --- writing ------------------------------------------------------------------------------


def test_fix_file_and_fix_paths_take_paths_as_strings(tmp_path: Path) -> None:
    path = write_spec(tmp_path, SMALL)
    assert fix_file(str(path)).changed and path.read_text() == SMALL_FIXED
    path.write_text(SMALL)
    (outcome,) = fix_paths([str(path)])
    assert outcome.result.internal_error is None and path.read_text() == SMALL_FIXED
    # One path where a sequence belongs would be read as one-letter paths.
    with pytest.raises(TypeError, match=r"fix_paths\(\['"):
        fix_paths(str(path))


def test_a_file_without_fixes_is_reported_as_a_lint_reports_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # An error without a fix (1 channel + 2 channels) and an unused suppression.
    text = (
        "input: [1, 8, 8]\nlayers:\n  - {type: conv, filters: 2, kernel: 3, padding: 1}  # noqa: NS102\n"
        "  - {type: add, from: [input, conv1]}\n"
    )
    analysed = []
    monkeypatch.setattr(netspec.linter, "analyse", lambda *args: analysed.append(args) or analyse(*args))
    outcome = fix_text(text, "spec.yaml")
    # Read once: with no fix to judge, a second analysis would only repeat the first.
    assert len(analysed) == 1
    assert not outcome.changed and outcome.result.fixed == 0
    assert [d.code for d in outcome.result.diagnostics] == ["NS900", "NS106"]
    assert outcome.result.diagnostics == lint_text(text, "spec.yaml").diagnostics


def test_fix_paths_drops_each_analysis_only_when_asked(tmp_path: Path) -> None:
    first, second = write_spec(tmp_path, SMALL, "a.yaml"), write_spec(tmp_path, CLEAN, "b.yaml")
    assert all(o.result.analysis is not None for o in fix_paths([first, second]))
    first.write_text(SMALL)
    dropped = fix_paths([first, second], keep_analysis=False)
    assert [o.result.analysis for o in dropped] == [None, None]
    # What is reported stays: the fixed file and the clean one are both clean now.
    assert [o.changed for o in dropped] == [True, False] and all(not o.result.diagnostics for o in dropped)


def test_failed_write_leaves_the_file_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_case("vgg_block", tmp_path)
    before = path.read_bytes()

    def fail(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    code, out, err = run("--fix", path)
    assert code == 1
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vgg_block.yaml"]  # no temporary file left
    assert f"cannot write {path}: No space left on device" in err
    assert "Found 3 problems (1 error, 2 warnings) in 1 file." in out  # reported as they still are


def test_edit_that_does_not_load_as_intended_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_spec(tmp_path, SMALL)
    monkeypatch.setattr("netspec.edits.render", lambda value: "7")  # padding 7 instead of 1
    code, _, err = run("--fix", path)
    assert code == 2 and "internal error" in err
    assert path.read_text() == SMALL


def test_fix_keeps_symlinks_and_permissions(tmp_path: Path) -> None:
    target = write_spec(tmp_path, SMALL, "real.yaml")
    target.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    outcome = fix_file(link)
    assert outcome.changed and outcome.error is None
    assert link.is_symlink() and target.read_text() == SMALL_FIXED
    assert target.stat().st_mode & 0o777 == 0o640


def test_fix_writes_a_file_whose_name_is_near_the_length_limit(tmp_path: Path) -> None:
    # 245 + 5 = 250 bytes, within the usual 255: the temporary file beside it must fit too.
    path = write_spec(tmp_path, SMALL, "a" * 245 + ".yaml")
    code, out, err = run("--fix", path)
    assert (code, err) == (0, "")
    assert "1 fixed" in out and path.read_text() != SMALL
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_fixing_a_clean_spec_costs_one_pass_of_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    # `--fix` in a pre-commit hook meets clean files most of the time: it must cost no more
    # than the check.
    passes = []
    real = netspec.linter.violations

    def counted(*args: Any) -> Any:
        passes.append(args)
        return real(*args)

    monkeypatch.setattr(netspec.linter, "violations", counted)
    assert lint_text(SMALL_FIXED).diagnostics == []
    assert len(passes) == 1
    passes.clear()
    outcome = fix_text(SMALL_FIXED)
    assert not outcome.changed and outcome.notes == []
    assert len(passes) == 1
    # The near miss: a spec with a fix to make is planned, fixed and checked again.
    passes.clear()
    assert fix_text(SMALL).result.text == SMALL_FIXED
    assert len(passes) > 2


@pytest.mark.parametrize("over", [1, 0])
def test_fix_leaves_a_file_its_fixes_would_take_over_the_size_limit(tmp_path: Path, over: int) -> None:
    # The next check would refuse the fixed file (NS001): a fix must not trade a warning for it.
    path = write_spec(tmp_path, SMALL, "a.yaml")
    limit = len(SMALL_FIXED.encode()) - over
    assert len(SMALL.encode()) <= limit  # the file itself is within the limit
    code, out, err = run("--fix", "--max-file-size", str(limit), path)
    if over:
        assert code == 1 and path.read_text() == SMALL
        assert err == (
            f"netspec: error: cannot fix {path}: the fixed text is {limit + 1:,} bytes, over the {limit:,}-byte "
            "limit (--max-file-size, or max-file-size in the configuration); it was left unchanged\n"
        )
        assert "fix (safe; --fix could not write this file): set padding to 1" in out
    else:  # the near miss: exactly at the limit
        assert (code, err) == (0, "") and path.read_text() == SMALL_FIXED


def test_fix_refuses_a_file_with_other_hard_links(tmp_path: Path) -> None:
    # A rename gives the name a new file; the other link would keep the old text.
    path = write_spec(tmp_path, SMALL, "a.yaml")
    other = tmp_path / "b.yaml"
    os.link(path, other)
    code, out, err = run("--fix", path)
    assert code == 1
    assert path.read_text() == SMALL and other.samefile(path)
    assert f"cannot write {path}: it has 2 hard links, which replacing it would split; it was left unchanged" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]
    # The report does not send the user to the --fix that just failed, nor mark its problems
    # as ones --fix fixes; a plain check does.
    assert "fixable" not in out and "[*]" not in out
    assert "fix (safe; --fix could not write this file): set padding to 1" in out
    (fix,) = json.loads(run("--fix", "--output-format", "sarif", path)[1])["runs"][0]["results"][0]["fixes"]
    assert fix["description"]["text"] == "set padding to 1 (safe; --fix could not write this file)"
    assert "[*]" not in run("--fix", "--output-format", "concise", path)[1]
    assert "fixable with the `--fix` option" in run(path)[1]
    assert "NS102 [*]" in run(path)[1] and "NS102 [*]" in run("--output-format", "concise", path)[1]
    # --fix-only reports nothing, but a file it could not write still fails the run.
    code, out, err = run("--fix-only", path)
    assert (code, out) == (1, "") and "it was left unchanged" in err
    # So it does under --exit-zero, which forgives problems of the specs, not a file left
    # unwritten; the near miss: alone, the file is fixed, and the run passes.
    for flags in (["--fix-only"], ["--fix"]):
        code, _, err = run(*flags, "--exit-zero", path)
        assert code == 1 and "it was left unchanged" in err
    other.unlink()
    assert run("--fix", "--exit-zero", path)[0] == 0 and path.read_text() == SMALL_FIXED


def test_fix_only_says_a_blocking_error_stays_because_its_file_could_not_be_written(tmp_path: Path) -> None:
    # 3 − 5 + 1 = −1 < 1 (NS103, an error netspec cannot check past), with a safe fix: padding 2.
    path = write_spec(tmp_path, "input: [1, 3, 3]\nlayers:\n  - {type: conv, filters: 8, kernel: 5}\n", "a.yaml")
    os.link(path, tmp_path / "b.yaml")
    code, out, err = run("--fix-only", path)
    assert (code, out) == (1, "")
    assert "NS103" in err and "(its file could not be written; what depends on it was neither checked" in err
    # The near miss: alone, the file is fixed, and nothing stays to warn of.
    (tmp_path / "b.yaml").unlink()
    assert run("--fix-only", path) == (0, "Fixed 1 problem.\n", "")


def test_diff_offers_nothing_fix_would_refuse_to_write(tmp_path: Path) -> None:
    path = write_spec(tmp_path, SMALL, "a.yaml")
    os.link(path, tmp_path / "b.yaml")
    code, out, err = run("--diff", path)
    assert (code, out) == (1, "")
    assert f"--fix cannot write {path}: it has 2 hard links, which replacing it would split; no diff" in err
    # The near miss: alone, the file gets its diff.
    (tmp_path / "b.yaml").unlink()
    assert run("--diff", path)[1].startswith(f"--- {path}\n+++ {path}\n")


def test_diff_of_a_file_named_twice_shows_what_fix_writes_under_both_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # c1 shrinks 8 to 8 − 3 + 1 = 6 (NS102); c2's stride 2 on it gives (6 − 3)/2 + 1 = 2.5
    # (NS101), and on 8 once c1 is fixed, 3.5. The link's name ignores NS101, the target's
    # NS102: --fix fixes c1 under the first name, then c2 under the second, in the text the
    # first wrote.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "netspec.toml").write_text('[per-file-ignores]\n"link.yaml" = ["NS101"]\n"target.yaml" = ["NS102"]\n')
    text = spec(
        "[1, 8, 8]",
        "{type: conv, name: c1, filters: 2, kernel: 3}",
        "{type: conv, name: c2, filters: 2, kernel: 3, stride: 2}",
    )
    target = write_spec(tmp_path, text, "target.yaml")
    (tmp_path / "link.yaml").symlink_to("target.yaml")
    code, out, err = run("--diff", "link.yaml", "target.yaml")
    assert (
        code == 1 and out.startswith("--- target.yaml\n+++ target.yaml\n") and err.endswith("Would fix 2 problems.\n")
    )
    (tmp_path / "fix.patch").write_text(out)
    subprocess.run(["patch", "--quiet", "-p0", "-i", "fix.patch"], check=True)
    patched = target.read_text()
    target.write_text(text)
    run("--fix", "link.yaml", "target.yaml")
    assert target.read_text() == patched
    assert (
        "c1, filters: 2, kernel: 3, padding: 1}" in patched
        and "c2, filters: 2, kernel: 3, stride: 2, padding" in patched
    )
    # The near miss: named once, the file gets only the fixes its name leaves on.
    target.write_text(text)
    assert run("--diff", "link.yaml")[2].endswith("Would fix 1 problem.\n")


def test_diff_names_the_file_fix_writes_below_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # --fix writes a link's target; patch refuses to patch a link, and git apply does not
    # follow it. A path given absolute, as CI scripts do with $GITHUB_WORKSPACE, is below.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "specs").mkdir()
    target = write_spec(tmp_path / "specs", SMALL, "v3.yaml")
    (tmp_path / "latest.yaml").symlink_to("specs/v3.yaml")
    for given in ("latest.yaml", str(target)):
        code, out, err = run("--diff", given)
        assert code == 1 and out.startswith("--- specs/v3.yaml\n+++ specs/v3.yaml\n"), out
        (tmp_path / "fix.patch").write_text(out)
        subprocess.run(["patch", "--quiet", "-p0", "-i", "fix.patch"], check=True)
        assert target.read_text() == SMALL_FIXED and (tmp_path / "latest.yaml").is_symlink()
        target.write_text(SMALL)
    # A name that starts with two dots is no parent directory.
    dotted = write_spec(tmp_path, SMALL, "..v2.yaml")
    assert run("--diff", str(dotted))[1].startswith("--- ..v2.yaml\n+++ ..v2.yaml\n")
    dotted.unlink()
    # Scanned under both names, the file is diffed, and counted, once: as --fix fixes it once.
    code, out, err = run("--diff", ".")
    assert out.count("+++ specs/v3.yaml\n") == 1 and err.endswith("Would fix 1 problem.\n")
    subprocess.run(["git", "init", "-q", "."], check=True)
    (tmp_path / "fix.patch").write_text(out)
    subprocess.run(["git", "apply", "-p0", "fix.patch"], check=True)
    assert target.read_text() == SMALL_FIXED


@contextmanager
def users_spec() -> Iterator[Path]:
    """SMALL in a fresh directory, both the ordinary user's (see ``ordinary_directory``)."""
    with ordinary_directory() as directory:
        path = write_spec(directory, SMALL)
        if IS_ROOT:
            os.chown(path, NOBODY, NOBODY)
        yield path


def test_fix_refuses_a_read_only_file() -> None:
    # The rename needs only the directory's permission, so the file's own is checked first.
    with users_spec() as path:
        directory = path.parent
        path.chmod(0o444)
        result = netspec_as_ordinary_user("check", "--fix", str(path), cwd=directory)
        assert result.returncode == 1, result.stderr
        assert path.read_text() == SMALL
        assert f"cannot write {path}: Permission denied; it was left unchanged" in result.stderr
        assert sorted(p.name for p in directory.iterdir()) == ["spec.yaml"]


def test_an_output_file_in_a_folder_that_cannot_be_searched_is_a_usage_error() -> None:
    # Looking into `locked` fails (EACCES), which was reported as a bug in netspec.
    with users_spec() as path:
        locked = path.parent / "locked"
        (locked / "inner").mkdir(parents=True)
        locked.chmod(0o700 if IS_ROOT else 0o000)  # root's, or the user's own but closed
        report = locked / "inner" / "out.json"
        try:
            result = netspec_as_ordinary_user("check", "--fix", "-o", str(report), path.name, cwd=path.parent)
        finally:
            locked.chmod(0o700)
        assert (result.returncode, path.read_text()) == (2, SMALL)
        assert result.stderr == f"netspec: error: cannot write {report}: Permission denied\n"
        # The near miss: once it can be searched, the report is written there.
        for folder in (locked, locked / "inner"):
            folder.chmod(0o777)
        result = netspec_as_ordinary_user("check", "-o", str(report), path.name, cwd=path.parent)
        assert result.returncode == 1 and "NS102" in report.read_text()


def test_diff_offers_nothing_where_fix_may_not_replace_the_file() -> None:
    # The file is the user's, but its directory is not writable, and the new file is made there.
    with users_spec() as path:
        directory = path.parent
        directory.chmod(0o555)
        for flag in ("--fix", "--diff"):
            result = netspec_as_ordinary_user("check", flag, path.name, cwd=directory)
            assert (result.returncode, result.stdout if flag == "--diff" else "") == (1, ""), result.stderr
            assert "spec.yaml: Permission denied;" in result.stderr
        assert path.read_text() == SMALL
        # The near miss: with its directory writable, the diff is shown.
        directory.chmod(0o755)
        result = netspec_as_ordinary_user("check", "--diff", path.name, cwd=directory)
        assert result.returncode == 1 and result.stdout.startswith("--- spec.yaml\n")


@pytest.mark.skipif(not IS_ROOT, reason="only root may give a file to another user")
def test_diff_offers_nothing_where_fix_could_not_keep_the_owner() -> None:
    # Root's file, writable by all, in the user's directory: the user may replace it, but the
    # new file would be the user's, and only root may give it back.
    with ordinary_directory() as directory:
        path = write_spec(directory, SMALL)
        path.chmod(0o666)
        for flag in ("--fix", "--diff"):
            result = netspec_as_ordinary_user("check", flag, path.name, cwd=directory)
            assert result.returncode == 1 and "replacing it would change its owner or group" in result.stderr
            assert flag == "--fix" or result.stdout == ""
        assert path.read_text() == SMALL and path.stat().st_uid == 0


@pytest.mark.skipif(not IS_ROOT, reason="only root may give a file to another user")
def test_neither_fix_nor_diff_drops_a_set_group_id_bit_it_cannot_keep() -> None:
    # The user's file, of group 1000 (inherited from the set-group-ID directory), mode 2664:
    # outside group 1000, the user's chmod would silently drop the bit from the new file.
    with users_spec() as path:
        directory = path.parent
        os.chown(directory, NOBODY, 1000)
        directory.chmod(0o2777)
        os.chown(path, NOBODY, 1000)
        path.chmod(0o2664)
        for flag in ("--diff", "--fix"):
            result = netspec_as_ordinary_user("check", flag, path.name, cwd=directory)
            assert result.returncode == 1 and "replacing it would change its mode" in result.stderr, result.stderr
            assert flag == "--fix" or result.stdout == ""
        assert path.read_text() == SMALL and path.stat().st_mode & 0o7777 == 0o2664
        # The near miss: without the bit, both go ahead.
        path.chmod(0o664)
        assert netspec_as_ordinary_user("check", "--diff", path.name, cwd=directory).stdout.startswith("--- ")
        assert netspec_as_ordinary_user("check", "--fix", path.name, cwd=directory).returncode == 0
        assert path.read_text() == SMALL_FIXED and path.stat().st_mode & 0o7777 == 0o664


@pytest.mark.skipif(
    not IS_ROOT or shutil.which("setpriv") is None, reason="needs root, and setpriv to drop a capability"
)
def test_diff_forecasts_that_root_without_cap_chown_cannot_keep_the_owner(tmp_path: Path) -> None:
    path = write_spec(tmp_path, SMALL)
    os.chown(path, 1000, 1000)
    without = ["setpriv", "--bounding-set=-chown", "--inh-caps=-all"]
    for flag in ("--diff", "--fix"):
        result = netspec_process("check", flag, path.name, prefix=without, cwd=tmp_path)
        assert result.returncode == 1 and "replacing it would change its owner or group" in result.stderr
        assert flag == "--fix" or result.stdout == ""
    # The near miss: with the capability, root keeps the owner.
    assert netspec_process("check", "--diff", path.name, cwd=tmp_path).stdout.startswith("--- ")


@pytest.mark.skipif(not IS_ROOT, reason="only root may give a file to another user")
def test_fix_keeps_the_owner_and_group(tmp_path: Path) -> None:
    path = write_spec(tmp_path, SMALL)
    os.chown(path, 12345, 23456)
    path.chmod(0o2755)  # chown clears the set-group-ID bit: the mode is set after it
    assert fix_file(path).changed
    status = path.stat()
    assert (status.st_uid, status.st_gid, status.st_mode & 0o7777) == (12345, 23456, 0o2755)
    assert path.read_text() == SMALL_FIXED


@pytest.mark.skipif(not IS_ROOT, reason="only root may give a file to another user")
def test_fix_refuses_an_owner_it_cannot_keep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As a user who may not give files away, the new file would be that user's.
    path = write_spec(tmp_path, SMALL)
    os.chown(path, 12345, 23456)

    def refuse(*args: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chown", refuse)
    code, _, err = run("--fix", path)
    assert code == 1
    assert path.read_text() == SMALL and path.stat().st_uid == 12345
    assert f"cannot write {path}: replacing it would change its owner or group; it was left unchanged" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


# --- exit codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "text", "expected"),
    [
        (["--fix"], SMALL, 0),  # everything fixed
        (["--fix", "--exit-non-zero-on-fix"], SMALL, 1),
        (["--fix", "--exit-non-zero-on-fix"], CLEAN, 0),  # nothing was fixed
        (["--fix"], MIXED, 1),  # the dense problem remains
        (["--fix-only"], MIXED, 0),  # remaining problems do not count
        (["--fix-only", "--exit-non-zero-on-fix"], MIXED, 1),
        (["--fix-only", "--exit-non-zero-on-fix"], CLEAN, 0),
        (["--diff"], SMALL, 1),
        (["--diff"], MIXED, 1),
        (["--diff"], CLEAN, 0),
        (["--diff", "--exit-zero"], SMALL, 0),
        (["--fix", "--exit-zero"], MIXED, 0),
        (["--fix", "--exit-zero", "--exit-non-zero-on-fix"], SMALL, 2),  # contradictory flags
    ],
)
def test_exit_codes(flags: list[str], text: str, expected: int, tmp_path: Path) -> None:
    assert run(*flags, write_spec(tmp_path, text))[0] == expected


@pytest.mark.parametrize("flag", ["--diff", "--fix-only"])
def test_an_output_file_is_refused_where_no_report_is_written(tmp_path: Path, flag: str) -> None:
    path, report = write_spec(tmp_path, SMALL), tmp_path / "report.txt"
    code, _, err = run(flag, "-o", report, path)
    assert (code, report.exists(), path.read_text()) == (2, False, SMALL)
    assert f"--output-file writes the report, and {flag} prints none" in err
    # The near miss: with --fix a report follows, and goes to the file.
    assert (
        run("--fix", "-o", report, path)[0] == 0 and report.read_text() == "Found 1 problem (1 fixed, 0 remaining).\n"
    )


def test_an_output_file_that_cannot_be_written_is_refused_before_any_spec_is_fixed(tmp_path: Path) -> None:
    # A file stands where its folder would be made.
    path, report = write_spec(tmp_path, SMALL), tmp_path / "a-file" / "reports" / "report.txt"
    (tmp_path / "a-file").touch()
    code, out, err = run("--fix", "-o", report, path)
    assert (code, out, path.read_text()) == (2, "", SMALL)
    assert err == f"netspec: error: cannot write {report}: Not a directory\n"


def test_an_output_files_missing_folders_are_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As ruff does: `-o reports/netspec.sarif` in a fresh checkout.
    path, report = write_spec(tmp_path, SMALL), tmp_path / "reports" / "ci" / "report.txt"
    assert run("--fix", "-o", report, path)[0] == 0
    assert report.read_text() == "Found 1 problem (1 fixed, 0 remaining).\n"
    # From a folder below, past the `..` that leads up to it.
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert run("-o", "../out/report.txt", path)[0] == 0 and (tmp_path / "out" / "report.txt").exists()
    # The near miss: a usage error first, and no folder is made.
    code, _, err = run("-o", "../later/report.txt", path, tmp_path / "absent.yaml")
    assert code == 2 and "no such file or directory" in err and not (tmp_path / "later").exists()


def test_an_output_file_behind_a_dangling_link_is_refused_before_any_spec_is_fixed(tmp_path: Path) -> None:
    # The link exists and its folder can be written, but the report would go to its target,
    # whose folder is missing: found only after --fix had written the spec.
    path, report = write_spec(tmp_path, SMALL), tmp_path / "report.txt"
    report.symlink_to(tmp_path / "missing" / "report.txt")
    code, out, err = run("--fix", "-o", report, path)
    assert (code, out, path.read_text()) == (2, "", SMALL)
    assert err == f"netspec: error: cannot write {report}: No such file or directory\n"
    # The near miss: a dangling link into a folder that exists is written through.
    report.unlink()
    report.symlink_to(tmp_path / "report-target.txt")
    assert run("--fix", "-o", report, path)[0] == 0
    assert (tmp_path / "report-target.txt").read_text() == "Found 1 problem (1 fixed, 0 remaining).\n"


@pytest.mark.parametrize("through", ["a-file", "missing"])
def test_an_output_file_past_dot_dot_is_checked_as_named(tmp_path: Path, through: str) -> None:
    # `a-file/../report.txt`: the kernel refuses it (a file is no folder, a missing one has no
    # parent), where resolving the name would tidy the `..` away.
    path = write_spec(tmp_path, SMALL)
    (tmp_path / "a-file").touch()
    report = tmp_path / through / ".." / "report.txt"
    code, out, err = run("--fix", "-o", report, path)
    assert (code, out, path.read_text()) == (2, "", SMALL)
    assert err == f"netspec: error: cannot write {report}: No such file or directory\n"
    # The near miss: past a folder that exists, the report is written.
    (tmp_path / "folder").mkdir()
    assert run("--fix", "-o", tmp_path / "folder" / ".." / "report.txt", path)[0] == 0
    assert (tmp_path / "report.txt").exists()


def test_an_output_file_that_is_a_loop_of_links_is_refused_before_any_spec_is_fixed(tmp_path: Path) -> None:
    path, report = write_spec(tmp_path, SMALL), tmp_path / "report.txt"
    report.symlink_to(tmp_path / "other.txt")
    (tmp_path / "other.txt").symlink_to(report)
    code, out, err = run("--fix", "-o", report, path)
    assert (code, out, path.read_text()) == (2, "", SMALL)
    assert err == f"netspec: error: cannot write {report}: Too many levels of symbolic links\n"


def test_an_output_file_whose_name_is_too_long_is_a_usage_error(tmp_path: Path) -> None:
    # The checks before the run raised ENAMETOOLONG, which was reported as a bug in netspec.
    path, report = write_spec(tmp_path, SMALL), tmp_path / ("r" * 300)
    code, out, err = run("--fix", "-o", report, path)
    assert (code, out, path.read_text()) == (2, "", SMALL)
    assert err == f"netspec: error: cannot write {report}: File name too long\n"


@pytest.mark.parametrize("how", ["itself", "symlink", "hard link"])
def test_an_output_file_that_is_a_spec_to_check_is_refused(tmp_path: Path, how: str) -> None:
    # The report would replace the spec: after --fix, the fixed spec would be lost for "[]".
    folder = tmp_path / "specs"
    folder.mkdir()
    path = write_spec(folder, SMALL)
    report = {"itself": path, "symlink": tmp_path / "link.yaml", "hard link": tmp_path / "report.json"}[how]
    if how == "symlink":
        report.symlink_to(path)
    elif how == "hard link":
        os.link(path, report)
    target = folder if how == "hard link" else path  # the spec found by a directory scan, or named
    code, out, err = run("--fix", "--output-format", "json", "-o", report, target)
    assert (code, out, path.read_text()) == (2, "", SMALL)
    assert err == f"netspec: error: cannot write {report}: it is {path}, one of the specs to check\n"
    # The near miss: a copy of the spec is another file, which the report replaces (the hard
    # link gone, since --fix does not write a file that has others).
    if report != path:
        report.unlink()
    copy = tmp_path / "copy.yaml"
    copy.write_text(SMALL)
    assert run("--fix", "--output-format", "json", "-o", copy, target)[0] == 0
    assert json.loads(copy.read_text()) == [] and path.read_text() != SMALL


@pytest.mark.parametrize("fixing", [[], ["--fix"]])
def test_an_output_file_that_standard_input_reads_is_refused(tmp_path: Path, fixing: list[str]) -> None:
    # `netspec check - -o spec.yaml < spec.yaml` replaced the spec with its own report.
    path = write_spec(tmp_path, SMALL)
    with path.open() as stdin:
        done = netspec_process("check", *fixing, "-o", str(path), "-", stdin=stdin)
    assert (done.returncode, done.stdout, path.read_text()) == (2, "", SMALL)
    assert done.stderr == f"netspec: error: cannot write {path}: standard input reads it, the spec to check\n"
    # The near miss: the same spec, read from a copy, is reported to it.
    copy = tmp_path / "copy.yaml"
    copy.write_text(SMALL)
    with copy.open() as stdin:
        done = netspec_process("check", "--output-format", "json", "-o", str(path), "-", stdin=stdin)
    assert done.returncode == 1 and json.loads(path.read_text())[0]["code"] == "NS102"
    # Nor is a device both stand for: a report to /dev/null, read from it, is written.
    with open(os.devnull) as stdin:
        done = netspec_process("check", "-o", os.devnull, "-", stdin=stdin)
    assert done.returncode == 1 and "cannot write" not in done.stderr


def test_an_output_file_is_neither_opened_nor_created_before_the_report(tmp_path: Path) -> None:
    # A new report file inside the scanned folder is not there to be found as a spec.
    write_spec(tmp_path, CLEAN)
    report = tmp_path / "report.yaml"
    assert run("-o", report, tmp_path)[:2] == (0, "All checks passed! (1 file checked)\n")
    assert report.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_an_output_file_that_is_a_named_pipe_gets_the_whole_report(tmp_path: Path) -> None:
    # Opened once, for the report: an earlier open and close would end the reader's input.
    pipe, path = tmp_path / "report", write_spec(tmp_path, SMALL)
    os.mkfifo(pipe)
    with subprocess.Popen(["cat", str(pipe)], stdout=subprocess.PIPE, text=True) as reader:
        with within(30):  # an open that waits for a reader that has left would hang
            assert run("--output-format", "concise", "-o", pipe, path)[0] == 1
        received, _ = reader.communicate(timeout=60)
    assert received.startswith(f"{path}:3:5: NS102 [*] warning:")


def test_fix_only_reports_only_what_it_fixed(tmp_path: Path) -> None:
    path = write_spec(tmp_path, MIXED)
    code, out, _ = run("--fix-only", path)
    assert (code, out) == (0, "Fixed 1 problem.\n")
    assert path.read_text() == MIXED.replace("kernel: 3}", "kernel: 3, padding: 1}")


def test_fix_reports_what_remains_with_the_fixed_text(tmp_path: Path) -> None:
    path = write_spec(tmp_path, MIXED)
    code, out, _ = run("--fix", path)
    assert code == 1
    assert "NS105" in out and "NS102" not in out
    assert "4 |   - {type: dense, units: 4}" in out
    assert out.rstrip().endswith("Found 2 problems (1 fixed, 1 remaining).")


def test_unsafe_fixes_alone_writes_nothing_and_counts_the_unsafe_fix(tmp_path: Path) -> None:
    """As ruff: with --unsafe-fixes, --fix would apply the unsafe fix, so it is marked and
    counted as fixable, and no hint asks for the option the run already has."""
    path = write_spec(tmp_path, UNSAFE)
    code, out, _ = run("--unsafe-fixes", path)
    assert code == 1 and path.read_text() == UNSAFE
    assert "NS102 [*] warning" in out and "fix (unsafe: " in out
    assert out.rstrip().endswith("[*] 1 fixable with the `--fix` option.")
    code, out, _ = run("--unsafe-fixes", "--output-format", "concise", path)
    assert ": NS102 [*] warning: " in out and "hidden" not in out
    code, out, _ = run("--unsafe-fixes", "--output-format", "github", path)
    assert ": NS102 [*] warning: " in out and "\n[*] 1 fixable with the `--fix` option.\n" in out
    assert "hidden" not in out
    summary_only = tmp_path / "report.txt"
    code, out, _ = run("--unsafe-fixes", "--output-format", "concise", "-o", summary_only, path)
    assert out.rstrip().endswith("[*] 1 fixable with the `--fix` option.")
    assert ": NS102 [*] warning: " in summary_only.read_text()


def test_library_api_reports_fixed_and_remaining() -> None:
    outcome = fix_text(MIXED, "spec.yaml")
    assert outcome.changed and outcome.result.fixed == 1
    assert [d.code for d in outcome.result.diagnostics] == ["NS105"]
    assert outcome.diff().startswith("--- spec.yaml\n+++ spec.yaml\n")
    assert all(d.applicability is not Applicability.SAFE for d in lint_text(outcome.result.text or "").diagnostics)


def test_a_new_problem_in_a_layer_checked_before_is_not_said_to_be_revealed(tmp_path: Path) -> None:
    # c1 shrinks 32 to 32 − 5 + 1 = 28 (NS102); fc declares the 6·28·28 = 4,704 features it
    # gets. Padding 2 would give it 6·32·32 = 6,144: fc, checked before, would then report NS105.
    text = (
        "input: [1, 32, 32]\nlayers:\n"
        "  - {type: conv, name: c1, filters: 6, kernel: 5}\n"
        "  - {type: flatten}\n"
        "  - {type: dense, name: fc, units: 10, in_features: 4704}\n"
    )
    assert "fix (unsafe: fc would then report NS105): set padding to 2\n" in run(write_spec(tmp_path, text))[1]
