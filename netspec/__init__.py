"""netspec: static shape checking for neural-network architecture specs written in YAML.

The library API (the CLI is a thin shell over it)::

    from pathlib import Path
    from netspec import lint_text, lint_file
    result = lint_text(Path("alexnet.yaml").read_bytes(), "alexnet.yaml")
    for d in result.diagnostics:
        print(d.code, d.span.start, d.message)
"""

from __future__ import annotations

__version__ = "0.1.0"

from netspec.diagnostics import Applicability, Diagnostic, Severity
from netspec.linter import FileResult, lint_file, lint_paths, lint_text
from netspec.settings import Settings

__all__ = [
    "Applicability",
    "Diagnostic",
    "FileResult",
    "Settings",
    "Severity",
    "__version__",
    "lint_file",
    "lint_paths",
    "lint_text",
]
