"""GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per diagnostic.

GitHub shows at most 10 annotations of each kind per step, so the concise lines and the
summary follow the annotations: the log stays complete past that limit. They are printed
with workflow commands stopped, so that no file name or message can be read as one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TextIO

from netspec.diagnostics import Diagnostic
from netspec.linter import FileResult
from netspec.report.base import Reporter, all_diagnostics, no_legacy_command, relative_path, without_controls
from netspec.report.concise import ConciseReporter


def escape_data(text: str) -> str:
    """The toolkit's ``escapeData``: a message cannot contain a raw ``%``, CR or LF. Other
    control characters are escaped too: the log is also read on terminals."""
    escaped = without_controls(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return no_legacy_command(escaped)


def escape_property(text: str) -> str:
    """The toolkit's ``escapeProperty``: properties are also split on ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic) -> str:
    properties = {
        "file": relative_path(d.filename),
        "line": d.span.start.row,
        "col": d.span.start.column,
        "endLine": d.span.end.row,
        "endColumn": d.span.end.column,
        "title": f"netspec ({d.code})",
    }
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{d.severity.value} {rendered}::{escape_data(d.message)}"


class GithubReporter(Reporter):
    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        for d in all_diagnostics(results):
            out.write(annotation(d) + "\n")
        for result in results:
            if result.internal_error:
                out.write(f"::error title=netspec internal error::{escape_data(result.internal_error)}\n")
        # The runner stops reading workflow commands until the token comes back: a file named
        # "::error ...", printed in the lines below, cannot forge an annotation.
        token = os.urandom(16).hex()
        out.write(f"::stop-commands::{token}\n")
        ConciseReporter(unsafe_fixes=self.unsafe_fixes).report(results, out)
        out.write(f"::{token}::\n")
