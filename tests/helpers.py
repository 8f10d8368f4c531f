"""Small helpers shared by the tests: lint a snippet, list (code, row) pairs."""

from __future__ import annotations

import textwrap

from netspec import Diagnostic, Settings, lint_text


def lint(source: str, settings: Settings | None = None) -> list[Diagnostic]:
    return lint_text(textwrap.dedent(source).lstrip("\n"), "spec.yaml", settings).diagnostics


def codes(source: str, settings: Settings | None = None) -> list[str]:
    return [d.code for d in lint(source, settings)]


def spec(input_shape: str, *layers: str) -> str:
    """A spec text with one flow-style layer per line, starting on line 3."""
    return f"input: {input_shape}\nlayers:\n" + "".join(f"  - {layer}\n" for layer in layers)
