"""A JSON array of diagnostics: the shape CI tools parse (rows and columns are 1-based)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from netspec.diagnostics import Diagnostic
from netspec.linter import FileResult
from netspec.report.base import Reporter, all_diagnostics, applicability, json_text, utf8_name
from netspec.source import FILE_START, Position


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


def internal_error_dict(result: FileResult) -> dict[str, Any]:
    """A file netspec itself failed on, as an item with no rule's code (null, as ruff gives a
    syntax error), so that a script reading the items alone does not take the file for clean."""
    start = location(FILE_START.start)
    return {
        "code": None,
        "name": "internal-error",
        "severity": "error",
        "message": result.internal_error,
        "filename": utf8_name(result.filename),
        "layer": None,
        "location": start,
        "end_location": start,
        "help": None,
        "fix": None,
    }


def items(results: Sequence[FileResult]) -> Iterator[dict[str, Any]]:
    """Every diagnostic, then every file netspec failed on."""
    yield from (diagnostic_dict(d) for d in all_diagnostics(results))
    yield from (internal_error_dict(result) for result in results if result.internal_error)


class JsonReporter(Reporter):
    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        out.write(json_text(list(items(results)), indent=2, ensure_ascii=False) + "\n")


__all__ = ["JsonReporter", "diagnostic_dict", "items"]
