"""Text edits: a fix applied to the text at the positions the loader recorded.

The value of ``padding`` is replaced, or a ``padding`` key is inserted in the layer's own
style. The YAML is never re-serialised, so comments, key order, quoting, blank lines, line
endings and the encoding survive byte for byte outside the edited value. A layer whose text
cannot be edited that way is :class:`Uneditable`, and left alone.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from netspec.layers import Fix
from netspec.layers.base import EditValue
from netspec.source import BEFORE_COMMENT, LINE_BREAK, LINE_BREAK_CHARACTERS, Document, KeyPath


@dataclass(frozen=True, order=True)
class TextEdit:
    """Replace ``text[start:end]`` with ``replacement`` (an insertion when start == end)."""

    start: int
    end: int
    replacement: str


class Uneditable(Exception):
    """A layer whose text cannot be edited without touching something else; it is left alone."""


class FixError(RuntimeError):
    """The edited text does not say what the fixes meant: a bug, so nothing is written."""


def render(value: EditValue) -> str:
    """A value in YAML flow style: ``1``, ``[1, 2]``, ``[[1, 2], [1, 2]]``."""
    if isinstance(value, list):
        return "[" + ", ".join(render(item) for item in value) + "]"
    return str(value)


def apply_edits(text: str, edits: Sequence[TextEdit]) -> str:
    """Apply non-overlapping edits; overlapping ones are a bug and raise :class:`FixError`."""
    ordered = sorted(edits)
    for before, after in itertools.pairwise(ordered):
        if before.end > after.start:
            raise FixError(f"overlapping edits at characters {before.start}-{before.end} and {after.start}")
    pieces: list[str] = []
    position = 0
    for edit in ordered:
        pieces += [text[position : edit.start], edit.replacement]
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces)


#: What may follow a value's content inside its recorded text: spaces and line breaks.
_TRAILING = frozenset(" \t" + LINE_BREAK_CHARACTERS)
#: An anchor (``&name``), the characters YAML allows in its name: none of spaces, line
#: breaks or flow indicators.
_ANCHOR = re.compile(rf"&[^ \t,\[\]{{}}{LINE_BREAK_CHARACTERS}]+")
#: Spaces and line breaks.
_BLANKS = re.compile(rf"[ \t{LINE_BREAK_CHARACTERS}]*")
#: A comment after a value, on its row.
_COMMENT_AFTER = re.compile(r"[ \t]*#")
#: Between a key and its block collection value: the colon, an optional comment, line breaks.
_BLOCK_GAP = re.compile(rf"[ \t]*:[ \t]*(#[^{LINE_BREAK_CHARACTERS}]*)?(?:(?:{LINE_BREAK.pattern})[ \t]*)+")


def _own_keys(document: Document, layer: KeyPath, data: dict[str, Any]) -> list[str]:
    """The layer's keys written in the layer itself (not merged in with ``<<``)."""
    return [key for key in data if document.has_key((*layer, key)) and not _merged(document, (*layer, key))]


def _merged(document: Document, path: KeyPath) -> bool:
    # A merged key has no text of its own: the loader gives it the span of the merged value.
    return document.key_range(path) == document.value_range(path)


def _check_editable(text: str, document: Document, index: int, keys: Iterable[str]) -> None:
    layer: KeyPath = ("layers", index)
    if not document.has_value(layer):
        raise Uneditable("the layer comes from an alias")
    # An anchor no alias refers to shares nothing: a key added inside its value keeps it.
    if document.is_shared(()) or document.is_shared(("layers",)):
        raise Uneditable("the layers are shared through an anchor")
    if document.is_shared(layer) or text.startswith("*", document.value_range(layer)[0]):
        raise Uneditable("the layer is shared through an anchor or alias")
    if document.repeats_key_within(layer):
        raise Uneditable("the layer has a duplicate key")
    for key in keys:
        path = (*layer, key)
        if not document.has_key(path):
            continue
        if _merged(document, path):
            raise Uneditable(f"its {key} comes from a merge key (<<)")
        # An anchor of the value's own, first, that no alias refers to shares nothing: it is
        # kept (see _replace). Any other would be dropped, or its aliases changed too.
        if document.is_shared(path):
            raise Uneditable(f"an alias shares its {key} (--fix edits it once no alias does)")
        own_anchor = text.startswith("&", document.value_range(path)[0])
        if document.anchored_within(path, itself=not own_anchor):
            raise Uneditable(f"its {key} carries an anchor")


def _key_text(text: str, document: Document, like: KeyPath, key: str) -> str:
    """``key``, quoted the way the neighbouring key ``like`` is."""
    quote = text[document.key_range(like)[0]]
    return f"{quote}{key}{quote}" if quote in ("'", '"') else key


def _replace(text: str, document: Document, path: KeyPath, old: Any, value: EditValue) -> TextEdit:
    start, end = document.value_range(path)
    # An anchor that begins the value, which no alias refers to (see _check_editable), stays.
    anchor = _ANCHOR.match(text, start, end)
    kept = f"{anchor.group()} " if anchor else ""
    # A block scalar's text runs on over its last line break and any blank lines after it:
    # those stay, and the new value ends where the old one's content did.
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    # The new value is written in flow style on one line: a comment inside the old one would
    # go. (No padding value holds a "#" but in a comment.)
    if "#" in text[start:end]:
        raise Uneditable(f"its {path[-1]} value holds a comment")
    # An alias (`*pad`) is replaced as a scalar would be, whatever its anchor's value.
    if isinstance(old, (list, dict)) and not document.is_flow(path) and not text.startswith("*", start):
        # A block collection may start at the key's own indentation; a flow value there would
        # not parse, so the new value goes right after the colon instead.
        key_end = document.key_range(path)[1]
        # The items start past the anchor, if any, and the breaks after it (a comment there
        # is refused above): the gap runs from the key to them, the anchor left out.
        between, items = text[key_end:start], start
        if anchor:
            blanks = _BLANKS.match(text, anchor.end())
            assert blanks is not None  # it matches nothing, too
            between, items = between + text[anchor.end() : blanks.end()], blanks.end()
        gap = _BLOCK_GAP.fullmatch(between)
        if gap is None:
            # Between the key and the items: comments, or the value's tag (`!!seq`), which
            # the new value would drop.
            what = "carries a tag" if text.startswith("!", items) else "is interleaved with comments"
            raise Uneditable(f"its {path[-1]} value {what}")
        comment = f"  {gap.group(1)}" if gap.group(1) else ""
        if comment and _COMMENT_AFTER.match(text, end):
            # Both would end the one row left, where a noqa is read from the first comment only.
            raise Uneditable(f"both its {path[-1]} key and its last item carry a comment")
        colon = text.index(":", key_end, start)  # spaces before the colon stay
        return TextEdit(colon, end, f": {kept}{render(value)}{comment or _comment_gap(text, end)}")
    return TextEdit(start, end, kept + render(value) + _comment_gap(text, end))


def _comment_gap(text: str, at: int) -> str:
    """A space where a comment would follow new text directly: libyaml reads ``[1]# c`` and
    ``"valid"# c`` as a value and a comment, but ``1# c`` as one plain scalar."""
    return " " if text.startswith("#", at) else ""


def _insert(
    text: str, document: Document, layer: KeyPath, data: dict[str, Any], values: dict[str, EditValue]
) -> TextEdit:
    own = _own_keys(document, layer, data)
    if not own:
        raise Uneditable("the layer has no keys of its own")
    if document.is_flow(layer):
        # Next to the window's other settings, as PyTorch orders them: kernel, stride, padding.
        anchor = next(
            (key for key in ("stride", "kernel") if key in own),
            max(own, key=lambda key: document.value_range((*layer, key))[1]),
        )
        at = document.value_range((*layer, anchor))[1]
        entries = "".join(f", {_key_text(text, document, (*layer, anchor), k)}: {render(v)}" for k, v in values.items())
        return TextEdit(at, at, entries + _comment_gap(text, at))
    like = (*layer, own[-1])
    start = document.key_range(like)[0]
    # `? key` and `: value` on the next line: the new key would take the indent of the key
    # after `? `, and not load.
    if _explicit(text, document, layer, own, own[-1]):
        raise Uneditable("the layer writes its keys explicitly (`? key`)")
    indent = " " * (document.key_span(like).start.column - 1)
    lines = [f"{indent}{_key_text(text, document, like, k)}: {render(v)}" for k, v in values.items()]
    end = document.value_range(layer)[1]
    if end > 0 and text[end - 1] in LINE_BREAK_CHARACTERS:
        # The last value (a block scalar) already ends with its line break.
        eol = "\r\n" if text[end - 2 : end] == "\r\n" else text[end - 1]
        return TextEdit(end, end, "".join(line + eol for line in lines))
    line_end = LINE_BREAK.search(text, end)
    if line_end is None:
        # The last line has no line break: keep the file without a final newline.
        eol = _line_break_of(text)
        if not document.ends_in_block_scalar(layer):
            return TextEdit(len(text), len(text), "".join(eol + line for line in lines))
        # A line break after a block scalar's last line would join its value: the new key
        # goes before the last key instead, when that key starts its line.
        line_start = start - len(indent)
        if text[line_start:start] != indent or (line_start and text[line_start - 1] not in LINE_BREAK_CHARACTERS):
            raise Uneditable("its last value is a block scalar at the end of a file without a final line break")
        return TextEdit(line_start, line_start, "".join(line + eol for line in lines))
    return TextEdit(line_end.end(), line_end.end(), "".join(line + line_end.group() for line in lines))


def _line_break_of(text: str) -> str:
    """The line break the text's lines end with, for a line added after its last: the most
    common of CRLF, LF and CR, which every tool reads as one (a CR inside a quoted name does
    not make an LF file a CR file); the first of those wins a tie. Without any, the
    last of NEL, LS and PS, which YAML 1.1 reads as line breaks, and else LF."""
    crlf = text.count("\r\n")
    counts = {"\n": text.count("\n") - crlf, "\r\n": crlf, "\r": text.count("\r") - crlf}
    most = max(counts, key=lambda brk: counts[brk])
    if counts[most]:
        return most
    other = max(text.rfind(brk) for brk in LINE_BREAK_CHARACTERS)
    return text[other] if other >= 0 else "\n"


#: A comment: a "#" at the start of a line or after what may come before one, to the end of
#: the line.
_COMMENT = re.compile(rf"(?:^|(?<=[{re.escape(BEFORE_COMMENT + LINE_BREAK_CHARACTERS)}]))#[^{LINE_BREAK_CHARACTERS}]*")


def _explicit(text: str, document: Document, layer: KeyPath, own: list[str], key: str) -> bool:
    """Whether ``key`` follows a `?`: the last word, comments aside, between the end of the
    value before it (or the layer's start) and the key, as in `? key`, or `?  # why` on a line
    of its own. Values lie outside that stretch, so no `?` in a scalar is taken for one."""
    start = document.key_range((*layer, key))[0]
    ends = (document.value_range((*layer, other))[1] for other in own)
    after = max((end for end in ends if end <= start), default=document.value_range(layer)[0])
    words = _COMMENT.sub("", text[after:start]).split()
    return bool(words) and words[-1] == "?"


def layer_edit(text: str, document: Document, index: int, fix: Fix) -> list[TextEdit]:
    """The text edits that apply ``fix`` to layer ``index``; raises :class:`Uneditable`."""
    layer: KeyPath = ("layers", index)
    data = document.data["layers"][index]
    values = {edit.key: edit.value for edit in fix.edits}
    _check_editable(text, document, index, values)
    edits = [
        _replace(text, document, (*layer, key), data[key], value)
        for key, value in values.items()
        if document.has_key((*layer, key))
    ]
    missing = {key: value for key, value in values.items() if not document.has_key((*layer, key))}
    if missing:
        edits.append(_insert(text, document, layer, data, missing))
    return edits


__all__ = ["FixError", "TextEdit", "Uneditable", "apply_edits", "layer_edit", "render"]
