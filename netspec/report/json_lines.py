"""One JSON object per line, each shaped like an item of the ``json`` format: streamable and
easy to ``grep`` or feed to ``jq -c``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from netspec.linter import FileResult
from netspec.report.base import Reporter, all_diagnostics
from netspec.report.json import diagnostic_dict


class JsonLinesReporter(Reporter):
    name = "json-lines"

    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        for d in all_diagnostics(results):
            # json.dumps escapes newlines inside strings, so each object stays on one line.
            out.write(json.dumps(diagnostic_dict(d), ensure_ascii=False) + "\n")
