"""The library entry points' own guarantees, beyond what the rules find."""

from __future__ import annotations

import dataclasses
import gc
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netspec import lint_text
from netspec.fix import fix_text
from netspec.rules import RULES
from tests.helpers import ROOT, SPECS

SPEC = "input: [3, 8, 8]\nlayers:\n  - {type: conv, filters: 4, kernel: 3}\n"


@pytest.fixture
def gc_seen_by_rules(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the cyclic collector was on, as seen from inside a rule, each time it runs
    (judging a fix runs the rules again)."""
    seen: list[bool] = []
    rule = RULES["NS102"]
    assert rule.check is not None
    original = rule.check

    def watching(analysis: Any) -> Iterator[Any]:
        seen.append(gc.isenabled())
        return original(analysis)

    monkeypatch.setitem(RULES, "NS102", dataclasses.replace(rule, check=watching))
    return seen


def test_the_cyclic_gc_is_paused_while_linting_and_restored(gc_seen_by_rules: list[bool]) -> None:
    assert gc.isenabled()
    assert [d.code for d in lint_text(SPEC).diagnostics] == ["NS102"]
    assert gc_seen_by_rules and not any(gc_seen_by_rules)
    assert gc.isenabled()


def test_the_cyclic_gc_is_paused_while_fixes_are_planned_and_judged(gc_seen_by_rules: list[bool]) -> None:
    # Judging the fix runs the rules on a re-analysis, outside any lint.
    outcome = fix_text(SPEC)
    assert outcome.changed and len(gc_seen_by_rules) > 2 and not any(gc_seen_by_rules)
    assert gc.isenabled()


@pytest.mark.parametrize("run", ["lint_paths", "fix_paths"])
def test_the_cyclic_gc_stays_paused_between_files(run: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Else every collection between two files walks again the analyses kept of the earlier.
    import netspec.fix
    import netspec.linter

    paths = [tmp_path / f"{i}.yaml" for i in range(3)]
    for path in paths:
        path.write_text(SPEC)
    module, name = (netspec.linter, "lint_guarded") if run == "lint_paths" else (netspec.fix, "fix_file")
    seen: list[bool] = []
    original = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *args, **kwargs: seen.append(gc.isenabled()) or original(*args, **kwargs))
    getattr(module, run)(paths)
    assert seen == [False, False, False] and gc.isenabled()


def test_the_cyclic_gc_is_restored_when_linting_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(analysis: Any) -> Iterator[Any]:
        raise RuntimeError("simulated bug")

    monkeypatch.setitem(RULES, "NS102", dataclasses.replace(RULES["NS102"], check=broken))
    with pytest.raises(RuntimeError):
        lint_text(SPEC)
    assert gc.isenabled()


def test_a_caller_that_paused_the_gc_keeps_it_paused(gc_seen_by_rules: list[bool]) -> None:
    gc.disable()
    try:
        lint_text(SPEC)
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert gc_seen_by_rules and not any(gc_seen_by_rules)


def test_linting_and_fixing_leave_no_reference_cycle() -> None:
    """Every rule firing (the broken examples, whose messages quote values) and every bundled
    spec, checked and fixed: a cycle made per message or fix judged would be kept, with the
    collector paused, until the file is done (a spec repeating a key 10,000 times once took
    900 MB so)."""
    paths = sorted((ROOT / "examples" / "broken").glob("*.yaml")) + SPECS
    texts = [(str(path), path.read_text(encoding="utf-8")) for path in paths]
    for name, text in texts:  # first uses fill caches (typing, pydantic) once and for all
        lint_text(text, name)
        fix_text(text, name, unsafe=True)
    gc.collect()
    gc.disable()
    try:
        left = {}
        for name, text in texts:
            lint_text(text, name)
            fix_text(text, name, unsafe=True)
            left[Path(name).name] = gc.collect()
    finally:
        gc.enable()
    assert left == dict.fromkeys(left, 0)


def test_a_dropped_analysis_is_freed_without_the_collector() -> None:
    """Nothing a lint builds may sit in a reference cycle: it runs with the collector paused,
    and a cycle would then hold every analysis until the collector ran again."""
    text = "input: [3, 8, 8]\nlayers:\n  - {type: conv, filters: 4, kernel: 9}\n"
    gc.disable()
    try:
        result = lint_text(text)
        # 8 − 9 + 1 = 0 < 1: the conv raises a layer error, which its node keeps.
        assert [d.code for d in result.diagnostics] == ["NS103"]
        assert result.analysis is not None
        graph = weakref.ref(result.analysis.graph)
        del result
        assert graph() is None
    finally:
        gc.enable()
