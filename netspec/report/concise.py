"""``path:row:col: CODE severity: message``, one line per diagnostic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from netspec.linter import FileResult
from netspec.report.base import Reporter, all_diagnostics, one_line, summary


class ConciseReporter(Reporter):
    for_programs = False

    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        for d in all_diagnostics(results):
            out.write(f"{one_line(d.location)}: {self.headline(d)}\n")
        out.write(summary(results, unsafe_fixes=self.unsafe_fixes) + "\n")
