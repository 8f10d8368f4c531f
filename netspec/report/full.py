"""The default format, modelled on ruff's: the message, the location, the source line with a
caret under the span, and the help."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from netspec.diagnostics import Applicability, Diagnostic
from netspec.linter import FileResult
from netspec.report.base import Reporter, summary


def snippet(text: str, d: Diagnostic) -> list[str]:
    """The diagnostic's first source line, with carets under the part of the span on it."""
    lines = text.splitlines()
    row = d.span.start.row
    if not 1 <= row <= len(lines):
        return []
    line = lines[row - 1].replace("\t", " ")
    start = min(d.span.start.column - 1, len(line))
    end = d.span.end.column - 1 if d.span.end.row == row else len(line.rstrip())
    width = max(1, min(end, len(line)) - start)
    gutter = " " * len(str(row))
    return [
        f"{gutter} |",
        f"{row} | {line}",
        f"{gutter} | {' ' * start}{'^' * width}",
        f"{gutter} |",
    ]


class FullReporter(Reporter):
    name = "full"

    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        for result in results:
            for d in result.diagnostics:
                marker = " [*]" if d.applicability is Applicability.SAFE else ""
                out.write(f"{d.code}{marker} {d.severity.value}: {d.message}\n")
                out.write(f" --> {d.filename}:{d.span.start.row}:{d.span.start.column}\n")
                for line in snippet(result.text or "", d):
                    out.write(line + "\n")
                if d.help:
                    out.write(f"help: {d.help}\n")
                if d.fix is not None:
                    safety = d.applicability.value if d.applicability else "unverified"
                    out.write(f"fix ({safety}): {d.fix.message}\n")
                out.write("\n")
        out.write(summary(results) + "\n")
