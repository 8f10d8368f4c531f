"""The default format, modelled on ruff's: the message, the location, the source line with a
caret under the span, and the help."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from netspec.diagnostics import Diagnostic
from netspec.linter import FileResult
from netspec.report.base import BIDI_CONTROLS, Reporter, fix_safety, inline, no_legacy_command
from netspec.source import LINE_BREAK

#: Control characters shown as their Unicode pictures (NUL as ␀, form feed as ␌), as ruff
#: shows them: one column each, so the carets stay under the right character.
_CONTROL_PICTURES = (
    {code: 0x2400 + code for code in range(0x20)}
    | {0x7F: 0x2421}
    # C1 and bidirectional controls have no pictures, and a lone surrogate (from text read
    # with errors="surrogateescape") cannot be written: the replacement character, one column.
    | {code: 0xFFFD for code in (*range(0x80, 0xA0), *BIDI_CONTROLS, *range(0xD800, 0xE000))}
)


def _display_width(text: str) -> int:
    """The terminal columns ``text`` takes, as wcwidth counts them, so that the carets stand
    under the span: two for a wide (CJK) character, none for a combining mark, a format
    character (a zero-width joiner) or a Hangul vowel or final consonant."""
    return len(text) if text.isascii() else sum(map(_character_width, text))


def _character_width(character: str) -> int:
    import unicodedata  # only for non-ASCII snippets: kept off every check's start-up

    if "\u1160" <= character <= "\u11ff" or (
        unicodedata.category(character) in ("Mn", "Me", "Cf") and character != "\u00ad"  # a soft hyphen shows
    ):
        return 0
    return 2 if unicodedata.east_asian_width(character) in "WF" else 1


#: The most characters of a source line shown under a diagnostic: a spec written on one long
#: line would otherwise be printed whole again under each of its diagnostics.
SNIPPET_WIDTH = 120


def snippet(lines: Sequence[str], d: Diagnostic) -> list[str]:
    """The diagnostic's first source line, with carets under the part of the span on it.

    ``lines`` are the file's lines as the parsers count rows (``str.splitlines`` would also
    break at form feeds and other separators that YAML keeps within a line)."""
    row = d.span.start.row
    if not 1 <= row <= len(lines):
        return []
    line = lines[row - 1]
    start = min(d.span.start.column - 1, len(line))
    end = min(d.span.end.column - 1 if d.span.end.row == row else _content_end(line), len(line))
    # Cut before anything else is done with the line: a spec written on one line of a megabyte
    # would otherwise be copied whole for each of its diagnostics.
    if len(line) > SNIPPET_WIDTH:
        # A window around the span, marked with ellipses where the line goes on.
        left = max(0, min(start - SNIPPET_WIDTH // 4, len(line) - SNIPPET_WIDTH))
        right = left + SNIPPET_WIDTH
        opening = "…" if left else ""
        line = opening + line[left:right] + ("…" if right < len(line) else "")
        start, end = start - left + len(opening), min(end, right) - left + len(opening)
    # One character for one: the columns above still hold.
    line = line.replace("\t", " ").translate(_CONTROL_PICTURES)
    indent, width = _display_width(line[:start]), max(1, _display_width(line[start:end]))
    gutter = " " * len(str(row))
    return [
        f"{gutter} |",
        # Only as printed: the word joiner takes no column, but a place in the string.
        f"{row} | {no_legacy_command(line)}",
        f"{gutter} | {' ' * indent}{'^' * width}",
        f"{gutter} |",
    ]


def _content_end(line: str) -> int:
    """Where the line's trailing white space starts (``len(line.rstrip())``, without a copy)."""
    end = len(line)
    while end and line[end - 1].isspace():
        end -= 1
    return end


class FullReporter(Reporter):
    for_programs = False

    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        for result in results:
            # No text when the file could not be read or decoded: then no snippet either.
            lines = LINE_BREAK.split(result.text) if result.text is not None and result.diagnostics else []
            for d in result.diagnostics:
                out.write(f"{self.headline(d, result)}\n")
                out.write(f" --> {inline(d.location, location=True)}\n")
                for line in snippet(lines, d):
                    out.write(line + "\n")
                if d.help:
                    out.write(f"help: {inline(d.help)}\n")
                if d.fix is not None:
                    safety = fix_safety(d, unwritten=result.unwritten)
                    out.write(f"fix ({inline(safety)}): {inline(d.fix.message)}\n")
                out.write("\n")
        self.write_summary(results, out)
