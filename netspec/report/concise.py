"""``path:row:col: CODE severity: message``, one line per diagnostic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from netspec.diagnostics import Diagnostic
from netspec.linter import FileResult
from netspec.report.base import Reporter, one_line, starts_workflow_command


def _location(d: Diagnostic) -> str:
    """``file:row:column``, ``./`` before a file name that would start the line with ``::``,
    which GitHub's runner reads as a workflow command: the path stays one to paste."""
    return one_line(f"./{d.location}" if starts_workflow_command(d.location) else d.location, location=True)


class ConciseReporter(Reporter):
    for_programs = False

    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        for result in results:
            for d in result.diagnostics:
                out.write(f"{_location(d)}: {self.headline(d, result)}\n")
        self.write_summary(results, out)
