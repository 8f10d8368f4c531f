"""GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per diagnostic.

GitHub shows at most 10 annotations of each kind per step, so the concise lines and the
summary follow the annotations: the log stays complete past that limit. They are printed
with workflow commands stopped, so that no file name or message can be read as one.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections.abc import Sequence
from typing import TextIO

from netspec.diagnostics import Diagnostic
from netspec.linter import FileResult
from netspec.report.base import (
    Reporter,
    no_legacy_command,
    relative_path,
    without_controls,
    without_terminal_controls,
)
from netspec.report.concise import ConciseReporter
from netspec.source import UNUSUAL_BREAK


def _percent_escaped(text: str) -> str:
    """The toolkit's ``escapeData``: no raw ``%``, CR or LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_data(text: str) -> str:
    """A message: :func:`_percent_escaped`, with other control characters and hidden ones escaped
    (the log is also read on terminals), and no legacy ``##[`` command in it. The runner
    reads an annotation's line as a command of its own and looks no further, but the message
    is for people, who do not see the word joiner; a runner that searched it would find none."""
    return no_legacy_command(_percent_escaped(without_controls(text)))


def escape_property(text: str) -> str:
    """The toolkit's ``escapeProperty``: properties are also split on ``:`` and ``,``. The
    property names a file, which a changed name would not: a ``##[`` and hidden characters
    stay, and only what would drive or reorder a terminal is escaped."""
    return _percent_escaped(without_terminal_controls(text)).replace(":", "%3A").replace(",", "%2C")


def repository_path(filename: str) -> str:
    """The path the runner looks the file up by: relative to the workspace (``GITHUB_WORKSPACE``,
    the repository's root), which the runner takes a relative path to be relative to, whatever
    directory netspec runs in (:func:`source_root`); relative to the current directory for a
    file outside it."""
    path = relative_path(filename, from_source_root=True)
    return relative_path(filename) if os.path.isabs(path) else path


class LineNumbers:
    """Rows and columns as GitHub numbers them, from LF to LF. YAML also ends a row at NEL, LS,
    PS and a lone CR, so past one of those its rows would point at a later line."""

    def __init__(self, text: str | None) -> None:
        unusual = text is not None and UNUSUAL_BREAK.search(text) is not None
        #: The offset of each LF, where they differ from YAML's rows.
        self.line_feeds = [i for i, c in enumerate(text) if c == "\n"] if text is not None and unusual else None

    def at(self, offset: int, row: int, column: int) -> tuple[int, int]:
        """The (row, column) of ``offset``, which YAML numbers (``row``, ``column``)."""
        if self.line_feeds is None:
            return row, column
        line = bisect_left(self.line_feeds, offset)
        return line + 1, offset - (self.line_feeds[line - 1] + 1 if line else 0) + 1


def annotation(d: Diagnostic, lines: LineNumbers) -> str:
    line, col = lines.at(d.span.start_offset, d.span.start.row, d.span.start.column)
    end_line, end_col = lines.at(d.span.end_offset, d.span.end.row, d.span.end.column)
    # The toolkit's AnnotationProperties: columns "cannot be sent when startLine and endLine
    # are different values" (the runner drops them and logs the command as invalid).
    columns = line == end_line
    properties = {
        "file": repository_path(d.filename),
        "line": line,
        "col": col if columns else None,
        "endLine": end_line,
        "endColumn": end_col if columns else None,
        "title": f"netspec ({d.code})",
    }
    rendered = ",".join(
        f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None
    )
    return f"::{d.severity.value} {rendered}::{escape_data(d.message)}"


class GithubReporter(Reporter):
    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        for result in results:
            lines = LineNumbers(result.text)
            for d in result.diagnostics:
                out.write(annotation(d, lines) + "\n")
        for result in results:
            if result.internal_error:
                out.write(f"::error title=netspec internal error::{escape_data(result.internal_error)}\n")
        # The runner stops reading workflow commands until the token comes back: a file named
        # "::error ...", printed in the lines below, cannot forge an annotation.
        token = os.urandom(16).hex()
        out.write(f"::stop-commands::{token}\n")
        ConciseReporter(unsafe_fixes=self.unsafe_fixes, with_summary=self.with_summary).report(results, out)
        out.write(f"::{token}::\n")
