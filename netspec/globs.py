"""Glob patterns (``include``, ``exclude``, ``per-file-ignores``): fnmatch's language, compiled
once, in time linear in the patterns, with what ruff's and git's patterns add that users
write: ``**/`` for any directories or none, a leading ``./`` for the project's directory only,
and a trailing ``/``.

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
    character in or out of a set with ranges, and an unclosed ``[`` itself; but for ``**/``
    at the start or after a ``/``, which is any directories or none (``a/**/b`` matches
    ``a/b``, where fnmatch wants a ``/`` more)."""
    length = len(pattern)
    # closes[k]: the first "]" at or after k (or -1), found in one pass from the end.
    closes = [-1] * (length + 1)
    for k in range(length - 1, -1, -1):
        closes[k] = k if pattern[k] == "]" else closes[k + 1]
    # The text between stars, as regular expressions: pieces[0] before the first star, and
    # one piece after each star, with whether that star is a "**/".
    pieces: list[list[str]] = [[]]
    directories: list[bool] = [False]
    i = 0
    while i < length:
        character = pattern[i]
        i += 1
        if character == "*":
            if pattern.startswith("*/", i) and (i == 1 or pattern[i - 2] == "/"):
                pieces.append([])
                directories.append(True)
                i += 2
            elif pieces[-1] or len(pieces) == 1 or directories[-1]:  # stars in a row are one
                pieces.append([])
                directories.append(False)
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
    # make matching exponential in their number. A "**/" takes whole directories, or none.
    stars = [r"(?:.*?/)??" if directory else ".*?" for directory in directories[1:]]
    middle = "".join(f"(?>{star}{piece})" for star, piece in zip(stars, starred[:-1], strict=False))
    last = r"(?:.*/)?" if directories[-1] else ".*"
    return f"{head}{middle}{last}{starred[-1]}"


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


def negation(pattern: str) -> tuple[str, bool]:
    """A ``per-file-ignores`` pattern without the leading ``!`` that negates it, as in ruff's,
    and whether it had one."""
    return (pattern[1:], True) if pattern.startswith("!") else (pattern, False)


def _with_slashes(text: str) -> str:
    """Windows' separators written as ``/``, so that one pattern serves every platform. (On
    POSIX a backslash is part of a name.)"""
    return text.replace(os.sep, "/") if os.sep != "/" else text


class Globs:
    """Patterns matched against a path, and against its file name, but for those starting with
    ``./``, which name a path from the project's directory only. A trailing ``/`` is dropped.
    Callers give the path as :meth:`netspec.settings.Settings.project_path` sees it."""

    def __init__(self, patterns: Iterable[str]) -> None:
        anchored: list[str] = []
        anywhere: list[str] = []
        for pattern in map(_with_slashes, patterns):
            expressions = anchored if pattern.startswith("./") else anywhere
            pattern = pattern.removeprefix("./")
            expressions.append(translate(pattern.rstrip("/") or pattern))
        # Each kind as one expression, matched in one call: with a call per pattern, a
        # thousand patterns cost every file a thousand.
        self._anchored = _either(anchored)
        self._anywhere = _either(anywhere)

    def match(self, path: str, *, outside: bool = False) -> bool:
        """Whether a pattern matches ``path`` or its file name. ``outside`` the project there
        is no path from its directory: only the name is matched, and an anchored pattern
        matches nothing."""
        path = _with_slashes(path)
        if not outside and (self._anywhere.fullmatch(path) or self._anchored.fullmatch(path)):
            return True
        return self._anywhere.fullmatch(path.rsplit("/", 1)[-1]) is not None


def _either(expressions: list[str]) -> re.Pattern[str]:
    """An expression matching what any of ``expressions`` matches; none for none."""
    return re.compile("|".join(f"(?:{expression})" for expression in expressions) or "(?!)", _FLAGS)
