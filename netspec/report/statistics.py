"""``count<TAB>CODE<TAB>[*] name``: how many problems each rule reported, the most first, as
ruff's ``--statistics``; then the summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TextIO

from netspec.linter import FileResult
from netspec.report.base import Reporter


class StatisticsReporter(Reporter):
    for_programs = False

    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        counts: Counter[str] = Counter()
        names: dict[str, str] = {}
        fixable: set[str] = set()
        for result in results:
            for d in result.diagnostics:
                counts[d.code] += 1
                names[d.code] = d.name
                if self.marked(d, result):
                    fixable.add(d.code)
        width = len(str(max(counts.values(), default=0)))
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            out.write(f"{count:>{width}}\t{code}\t{'[*]' if code in fixable else '[ ]'} {names[code]}\n")
        self.write_summary(results, out)
