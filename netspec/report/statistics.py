"""``count<TAB>CODE<TAB>[*] name``: how many problems each rule reported, the most first, as
ruff's ``--statistics`` (``[*]`` where ``--fix`` fixes all of them, ``[-]`` some, ``[ ]``
none); then the summary. ``--statistics`` with ``--output-format json``
gives the same counts as JSON, as ruff's does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from netspec.linter import FileResult
from netspec.report.base import Reporter, json_text


@dataclass
class RuleCount:
    code: str | None
    name: str
    count: int = 0
    #: How many of them ``--fix`` would fix.
    fixable_count: int = 0

    @property
    def marker(self) -> str:
        """As ruff's: ``[*]`` where ``--fix`` would fix all of them, ``[-]`` some, ``[ ]`` none."""
        return "[*]" if self.fixable_count == self.count else "[-]" if self.fixable_count else "[ ]"


class StatisticsReporter(Reporter):
    for_programs = False

    def counts(self, results: Sequence[FileResult]) -> list[RuleCount]:
        """Each rule's count, the most first, then by code."""
        counts: dict[str, RuleCount] = {}
        for result in results:
            for d in result.diagnostics:
                count = counts.setdefault(d.code, RuleCount(d.code, d.name))
                count.count += 1
                count.fixable_count += self.marked(d, result)
        return sorted(counts.values(), key=lambda count: (-count.count, count.code or ""))

    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        counts = self.counts(results)
        width = len(str(max((count.count for count in counts), default=0)))
        for count in counts:
            out.write(f"{count.count:>{width}}\t{count.code}\t{count.marker} {count.name}\n")
        self.write_summary(results, out)


class JsonStatisticsReporter(StatisticsReporter):
    """The counts as ruff's ``--statistics --output-format json`` gives them, with the files
    netspec failed on counted under no rule's code (as the ``json`` format lists them)."""

    for_programs = True

    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        counts = self.counts(results)
        failed = sum(result.internal_error is not None for result in results)
        if failed:
            counts.append(RuleCount(None, "internal-error", failed))
        rows = [
            {
                "code": count.code,
                "name": count.name,
                "count": count.count,
                "fixable": count.fixable_count == count.count,  # all of them, as ruff's
                "fixable_count": count.fixable_count,
            }
            for count in counts
        ]
        out.write(json_text(rows, indent=2, ensure_ascii=False) + "\n")
