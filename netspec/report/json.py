"""A JSON array of diagnostics: the shape CI tools parse (rows and columns are 1-based)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from netspec.diagnostics import Diagnostic
from netspec.linter import FileResult
from netspec.report.base import Reporter, all_diagnostics, applicability, utf8_name
from netspec.source import Position


def location(position: Position) -> dict[str, int]:
    return {"row": position.row, "column": position.column}


def edits(d: Diagnostic) -> list[dict[str, Any]]:
    """The fix's edits, with the span of the value each one replaces (null when it adds a key)."""
    assert d.fix is not None
    return [
        {
            "layer": d.layer,
            "key": edit.key,
            "value": edit.value,
            "location": location(span.start) if span else None,
            "end_location": location(span.end) if span else None,
        }
        for edit, span in zip(d.fix.edits, d.edit_spans or (None,) * len(d.fix.edits), strict=True)
    ]


def diagnostic_dict(d: Diagnostic) -> dict[str, Any]:
    return {
        "code": d.code,
        "name": d.name,
        "severity": d.severity.value,
        "message": d.message,
        "filename": utf8_name(d.filename),
        "layer": d.layer,
        "location": location(d.span.start),
        "end_location": location(d.span.end),
        "help": d.help,
        "fix": None
        if d.fix is None
        else {
            "message": d.fix.message,
            "applicability": applicability(d),
            "edits": edits(d),
        },
    }


class JsonReporter(Reporter):
    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        items = [diagnostic_dict(d) for d in all_diagnostics(results)]
        json.dump(items, out, indent=2, ensure_ascii=False)
        out.write("\n")


__all__ = ["JsonReporter", "diagnostic_dict"]
