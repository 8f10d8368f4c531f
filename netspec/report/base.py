"""The reporter interface, and the summary every human-readable format ends with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, TextIO

from netspec.diagnostics import Applicability, Diagnostic, Severity
from netspec.linter import FileResult


class Reporter:
    """Writes the results of one run in one format. One subclass per format."""

    name: ClassVar[str]
    description: ClassVar[str]

    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        raise NotImplementedError


def all_diagnostics(results: Sequence[FileResult]) -> list[Diagnostic]:
    return [d for result in results for d in result.diagnostics]


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(results: Sequence[FileResult]) -> str:
    """``Found 3 problems (1 error, 2 warnings) in 2 files.``, or ``All checks passed!``."""
    diagnostics = all_diagnostics(results)
    files = len(results)
    if not diagnostics:
        return f"All checks passed! ({plural(files, 'file')} checked)"
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    affected = len({d.filename for d in diagnostics})
    line = (
        f"Found {plural(len(diagnostics), 'problem')} ({plural(errors, 'error')}, {plural(warnings, 'warning')}) "
        f"in {plural(affected, 'file')}."
    )
    fixable = sum(d.applicability is Applicability.SAFE for d in diagnostics)
    if fixable:
        line += f"\n[*] {fixable} fixable with the `--fix` option."
    return line
