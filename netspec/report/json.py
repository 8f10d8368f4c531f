"""A JSON array of diagnostics: the shape CI tools parse (rows and columns are 1-based)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from netspec.diagnostics import Diagnostic
from netspec.linter import FileResult
from netspec.report.base import Reporter, all_diagnostics, applicability, json_text, utf8_name
from netspec.source import FILE_START, Position, Span


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
    fix = None
    if d.fix is not None:
        fix = {"message": d.fix.message, "applicability": applicability(d), "edits": edits(d)}
    return _item(d.code, d.name, d.severity.value, d.message, d.filename, d.span, layer=d.layer, help=d.help, fix=fix)


def internal_error_dict(result: FileResult) -> dict[str, Any]:
    """A file netspec itself failed on, as an item with no rule's code (null, as ruff gives a
    syntax error), so that a script reading the items alone does not take the file for clean."""
    assert result.internal_error is not None
    return _item(None, "internal-error", "error", result.internal_error, result.filename, FILE_START)


def _item(
    code: str | None,
    name: str,
    severity: str,
    message: str,
    filename: str,
    span: Span,
    *,
    layer: str | None = None,
    help: str | None = None,
    fix: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "severity": severity,
        "message": message,
        "filename": utf8_name(filename),
        "layer": layer,
        "location": location(span.start),
        "end_location": location(span.end),
        "help": help,
        "fix": fix,
    }


def items(results: Sequence[FileResult]) -> Iterator[dict[str, Any]]:
    """Every diagnostic, then every file netspec failed on."""
    yield from (diagnostic_dict(d) for d in all_diagnostics(results))
    yield from (internal_error_dict(result) for result in results if result.internal_error)


class JsonReporter(Reporter):
    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        out.write(json_text(list(items(results)), indent=2, ensure_ascii=False) + "\n")


__all__ = ["JsonReporter", "diagnostic_dict", "items"]
