"""Fixes: deciding by re-analysis whether a fix is safe, and applying fixes to the text."""

from __future__ import annotations

import dataclasses
from typing import Any

from netspec.analysis import Analysis, analyse_document
from netspec.diagnostics import Applicability, Diagnostic
from netspec.layers import Fix
from netspec.settings import Settings
from netspec.source import Document

#: Re-analysis budget per file, in layers analysed: fixes beyond it stay unverified (unsafe),
#: so a file with thousands of fixable layers cannot make the check quadratic.
REANALYSIS_BUDGET = 200_000


def with_fix(data: Any, index: int, fix: Fix) -> Any:
    """A copy of the spec data with ``fix`` applied to layer ``index`` (the original is untouched)."""
    layers = list(data["layers"])
    layer = dict(layers[index])
    for edit in fix.edits:
        layer[edit.key] = edit.value
    layers[index] = layer
    return {**data, "layers": layers}


def _findings(analysis: Analysis, settings: Settings) -> set[tuple[str, int | None]]:
    from netspec.linter import check

    return {(d.code, d.layer_index) for d in check(analysis, settings)}


def reanalyse(analysis: Analysis, index: int, fix: Fix) -> Analysis:
    document = dataclasses.replace(analysis.document, data=with_fix(analysis.document.data, index, fix))
    return analyse_document(document, analysis.text, analysis.filename, analysis.spec.name)


def is_safe(
    analysis: Analysis, diagnostic: Diagnostic, before: set[tuple[str, int | None]], settings: Settings
) -> bool:
    """Safe: the diagnostic goes away and nothing new appears anywhere in the file."""
    assert diagnostic.fix is not None and diagnostic.layer_index is not None
    after = _findings(reanalyse(analysis, diagnostic.layer_index, diagnostic.fix), settings)
    return (diagnostic.code, diagnostic.layer_index) not in after and after <= before


def assess(result: Any, settings: Settings) -> None:
    """Set the applicability of every fix in a :class:`netspec.linter.FileResult`."""
    analysis: Analysis | None = result.analysis
    fixable = [d for d in result.diagnostics if d.fix is not None and d.layer_index is not None]
    if analysis is None or not fixable:
        return
    before = {(d.code, d.layer_index) for d in result.diagnostics}
    budget = REANALYSIS_BUDGET
    assessed: dict[int, Diagnostic] = {}
    for diagnostic in fixable:
        safe = False
        if budget > 0:
            budget -= max(len(analysis.graph.nodes), 1)
            safe = is_safe(analysis, diagnostic, before, settings)
        assessed[id(diagnostic)] = dataclasses.replace(
            diagnostic, applicability=Applicability.SAFE if safe else Applicability.UNSAFE
        )
    result.diagnostics = [assessed.get(id(d), d) for d in result.diagnostics]


__all__ = ["Document", "assess", "is_safe", "reanalyse", "with_fix"]
