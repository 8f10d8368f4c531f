"""Wording shared by every message: counts with their nouns, and the bounds a message keeps
to when it quotes or lists what a file holds."""

from __future__ import annotations

from collections.abc import Sequence

#: The most items a message lists, and the most characters it quotes of a word from the file:
#: a hostile file with thousands of bad keys or codes gets messages of bounded size.
MAX_LISTED = 10
MAX_QUOTED = 40


def listing(items: Sequence[str], separator: str = "; ", count: int | None = None) -> str:
    """The first :data:`MAX_LISTED` items, then how many more there are: of ``count`` items
    in all, where only the first are given."""
    listed = separator.join(items[:MAX_LISTED])
    more = (len(items) if count is None else count) - MAX_LISTED
    return f"{listed}{separator}and {more:,} more" if more > 0 else listed


def in_words(items: Sequence[str]) -> str:
    """The items as a sentence lists them, "a, b and c", but past :data:`MAX_LISTED` as
    :func:`listing` does."""
    if len(items) > MAX_LISTED or len(items) < 2:
        return listing(items, ", ")
    return f"{', '.join(items[:-1])} and {items[-1]}"


def cut(word: str) -> str:
    """A word from the file as a message quotes it: its first :data:`MAX_QUOTED` characters,
    "..." last."""
    return word if len(word) <= MAX_QUOTED else word[: MAX_QUOTED - 3] + "..."


def plural(count: int, word: str, *, grouped: bool = False, ending: str = "s") -> str:
    """``1 channel``, ``3 channels``; ``1,024 elements`` when ``grouped``; ``2 fixes`` with
    the ``ending`` ``es``."""
    return (f"{count:,}" if grouped else str(count)) + f" {word}{'' if count == 1 else ending}"
