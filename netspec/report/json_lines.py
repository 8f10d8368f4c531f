"""One JSON object per line, each shaped like an item of the ``json`` format: streamable and
easy to ``grep`` or feed to ``jq -c``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from netspec.linter import FileResult
from netspec.report.base import Reporter, json_text
from netspec.report.json import items

#: json.dumps escapes U+0000-U+001F only; ``str.splitlines`` (and JavaScript before ES2019)
#: would also split a record at these. A JSON escape says the same.
_ESCAPED_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


class JsonLinesReporter(Reporter):
    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        for item in items(results):
            out.write(json_text(item, ensure_ascii=False).translate(_ESCAPED_BREAKS) + "\n")
