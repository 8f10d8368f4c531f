"""A JSON array of diagnostics: the shape CI tools parse (rows and columns are 1-based)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from netspec.diagnostics import Diagnostic
from netspec.linter import FileResult
from netspec.report.base import Reporter
from netspec.source import Position


def location(position: Position) -> dict[str, int]:
    return {"row": position.row, "column": position.column}


def edits(result: FileResult, d: Diagnostic) -> list[dict[str, Any]]:
    """The fix's edits, with the span of the value each one replaces (null when it adds a key)."""
    assert d.fix is not None
    document = result.analysis.document if result.analysis else None
    assert d.layer_index is not None  # fixes are always about one layer
    rendered = []
    for edit in d.fix.edits:
        path = ("layers", d.layer_index, edit.key)
        span = document.span(path) if document is not None and document.has_key(path) else None
        rendered.append(
            {
                "layer": d.layer,
                "key": edit.key,
                "value": edit.value,
                "location": location(span.start) if span else None,
                "end_location": location(span.end) if span else None,
            }
        )
    return rendered


def diagnostic_dict(result: FileResult, d: Diagnostic) -> dict[str, Any]:
    return {
        "code": d.code,
        "name": d.name,
        "severity": d.severity.value,
        "message": d.message,
        "filename": d.filename,
        "layer": d.layer,
        "location": location(d.span.start),
        "end_location": location(d.span.end),
        "help": d.help,
        "fix": None
        if d.fix is None
        else {
            "message": d.fix.message,
            "applicability": d.applicability.value if d.applicability else "unsafe",
            "edits": edits(result, d),
        },
    }


class JsonReporter(Reporter):
    name = "json"
    description = "a JSON array of diagnostics"

    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        items = [diagnostic_dict(result, d) for result in results for d in result.diagnostics]
        json.dump(items, out, indent=2, ensure_ascii=False)
        out.write("\n")


__all__ = ["JsonReporter", "diagnostic_dict"]
