"""Glob patterns (``include``, ``exclude``, ``per-file-ignores``): fnmatch's language, compiled
once each, in time linear in the pattern.

Python 3.11's ``fnmatch.translate`` looks for the ``]`` of every ``[`` from where it stands,
so a pattern of unclosed brackets takes time quadratic in its length (4,000 of them took a
second, and a configuration file has room for a million). ``fnmatch.fnmatch`` also keeps
only 32,768 compiled patterns, and recompiles every one past that on every match.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

#: Patterns ignore case where the platform's paths do, as ``fnmatch.fnmatch`` does.
_FLAGS = re.DOTALL | (re.IGNORECASE if os.path.normcase("A") == "a" else 0)


def translate(pattern: str) -> str:
    """A regular expression matching what ``pattern`` matches with ``fnmatch.fnmatchcase``:
    ``*`` any text (``/`` included), ``?`` one character, ``[seq]`` and ``[!seq]`` one
    character in or out of a set with ranges, and an unclosed ``[`` itself."""
    length = len(pattern)
    # closes[k]: the first "]" at or after k (or -1), found in one pass from the end.
    closes = [-1] * (length + 1)
    for k in range(length - 1, -1, -1):
        closes[k] = k if pattern[k] == "]" else closes[k + 1]
    # The text between stars, as regular expressions: pieces[0] before the first star, and
    # one piece after each star.
    pieces: list[list[str]] = [[]]
    i = 0
    while i < length:
        character = pattern[i]
        i += 1
        if character == "*":
            if pieces[-1] or len(pieces) == 1:
                pieces.append([])
        elif character == "?":
            pieces[-1].append(".")
        elif character == "[":
            # As fnmatch reads it: a leading "!" negates, and a "]" right after "[" or "[!"
            # belongs to the set.
            start = i + 1 if i < length and pattern[i] == "!" else i
            if start < length and pattern[start] == "]":
                start += 1
            end = closes[start]
            if end < 0:
                pieces[-1].append(re.escape(character))
                continue
            pieces[-1].append(_character_set(pattern[i:end]))
            i = end + 1
        else:
            pieces[-1].append(re.escape(character))
    head, *starred = ("".join(piece) for piece in pieces)
    if not starred:
        return head
    # As fnmatch does: each star but the last takes the least text that lets its piece
    # follow, and never gives it back (an atomic group). Backtracking into every star would
    # make matching exponential in their number.
    middle = "".join(f"(?>.*?{piece})" for piece in starred[:-1])
    return f"{head}{middle}.*{starred[-1]}"


def _character_set(content: str) -> str:
    """``[content]`` as a regular expression: every character escaped but for the ``-`` of
    ranges; a reversed range matches nothing, as in fnmatch."""
    negated = content.startswith("!")
    body = content[1:] if negated else content
    items = []
    k = 0
    while k < len(body):
        if k + 2 < len(body) and body[k + 1] == "-":
            low, high = body[k], body[k + 2]
            if low <= high:
                items.append(f"{re.escape(low)}-{re.escape(high)}")
            k += 3
        else:
            items.append(re.escape(body[k]))
            k += 1
    if not items:
        return "." if negated else "(?!)"
    return f"[{'^' if negated else ''}{''.join(items)}]"


def _with_slashes(text: str) -> str:
    """Windows' separators written as ``/``, so that one pattern serves every platform. (On
    POSIX a backslash is part of a name.)"""
    return text.replace(os.sep, "/") if os.sep != "/" else text


class Globs:
    """Patterns matched against a path, and against its file name. Callers give the path
    as :meth:`netspec.settings.Settings.project_path` sees it."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.expressions = [re.compile(translate(_with_slashes(pattern)), _FLAGS) for pattern in patterns]

    def match(self, path: str) -> bool:
        path = _with_slashes(path)
        name = path.rsplit("/", 1)[-1]
        return any(expression.fullmatch(path) or expression.fullmatch(name) for expression in self.expressions)
