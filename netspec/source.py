"""YAML text → plain Python data, plus the source span of every key and value.

The document is built straight from libyaml's event stream (``CSafeLoader``'s parser) instead
of ``yaml.compose``: composing a node graph costs ~5× the parse and recurses in Python, while
this builder is a flat loop with an explicit stack, so a 20,000-level nesting cannot exhaust
the interpreter's recursion limit.

Only plain data comes out: no constructor runs, non-standard tags (``!!python/…``) are
refused, and alias expansion is budgeted before anything is expanded (a "billion laughs"
document is rejected, not materialised). Positions are kept as the parser's character offsets
and turned into 1-based rows and columns only when a span is asked for (:class:`LineIndex`).
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import functools
import os
import pathlib
import re
import stat
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, NamedTuple

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import ScalarNode
from yaml.reader import ReaderError
from yaml.resolver import Resolver

from netspec.text import cut

try:  # libyaml is ~10× faster; PyYAML ships without it on some platforms.
    from yaml import CSafeLoader as _Parser
    from yaml._yaml import CParser

    HAS_LIBYAML = True
    _LIBYAML_PARSERS: tuple[type, ...] = (CParser,)
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

    HAS_LIBYAML = False
    _LIBYAML_PARSERS = ()

KeyPath = tuple[str | int, ...]

#: Deeper nesting than this is refused: a network spec needs four levels at most.
MAX_DEPTH = 64
TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels; a network spec never needs this"
#: Items in any one list, refused as they are read. The layers are the longest list a spec
#: has: a real network has a few thousand, and each layer costs memory through every stage
#: (about 5 KB at most), which the size limit alone would leave at gigabytes (740,000
#: `{type: relu}` fit in 10 MB). Other lists are shorter: a `from` naming one layer five
#: million times took a gigabyte. Layers given through an alias or a merge key were read as
#: a list under another name first, so no spec has more layers than this either.
MAX_ITEMS = 100_000
#: Mappings and lists, in all: six per layer leaves room for 100,000 layers with lists for
#: every size (``padding: [[1, 1], [1, 1]]``), and bounds the memory of a flood of empty
#: ones elsewhere in the file (3.4 million `{}` fit in 10 MB, and took 1.8 GB).
MAX_COLLECTIONS = 1_000_000
_LAYERS_PATH = ("layers",)
#: Numbers used as mapping keys per file, merged copies included. A spec has none, and numbers
#: (unlike strings) can be chosen to share one hash: thousands of them make every dict
#: insertion slow, and loading quadratic (32,000 such keys took 34 s).
MAX_NUMBER_KEYS = 1_000
#: Repeated keys per file (NS003), merge conflicts included, refused past this as they are
#: read: one per layer at the most layers a spec may have, since a repeat may be meant and
#: silenced (two merge keys in each layer). Each is kept with its path and offsets for the
#: report, and the 1.2 million that fit in 10 MB (`name: a, name: a, …`) took a gigabyte.
MAX_REPEATED_KEYS = 100_000
#: Alias expansion budget, counted in nodes: generous for real reuse, fatal for alias bombs.
#: An anchored value also counts one node per 16 characters of its text, so that an alias
#: cannot repeat a long string into more text than a large file holds (messages and
#: validators copy what they quote).
MAX_EXPANDED_NODES = 1_000_000
#: Longer integer literals are refused before ``int()`` sees them (and Python's own
#: 4,300-digit guard raises).
MAX_INT_DIGITS = 100

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _MERGE = (
    _TAG + "str",
    _TAG + "int",
    _TAG + "float",
    _TAG + "bool",
    _TAG + "null",
    _TAG + "merge",
)
_SCALAR_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL}
_IMPLICIT = Resolver.yaml_implicit_resolvers
_CONSTRUCTOR = SafeConstructor()
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")


class Position(NamedTuple):
    """A 1-based row and column, as editors and linters count them."""

    row: int
    column: int


@dataclass(frozen=True, slots=True)
class Span:
    """Where a key or value stands: 1-based positions plus 0-based character offsets."""

    start: Position
    end: Position
    start_offset: int
    end_offset: int


FILE_START = Span(Position(1, 1), Position(1, 1), 0, 0)

#: YAML 1.1's line break characters, as both parsers count rows; CR LF is one break.
LINE_BREAK_CHARACTERS = "\r\n\x85\u2028\u2029"
#: What a comment's ``#`` may follow directly: white space, as YAML says, and, as libyaml
#: reads it, a flow indicator (the ``}`` of ``kernel: 3}``, a comment right after it), which
#: no plain scalar in a flow holds.
BEFORE_COMMENT = " \t[]{},"
#: Atomic, so that a pattern repeating it cannot backtrack into CR LF as CR, then LF: each
#: CR LF would double the ways to fail.
LINE_BREAK = re.compile(f"(?>\r\n|[{LINE_BREAK_CHARACTERS}])")
#: The breaks YAML counts that git and most editors do not (they end lines at LF, CR LF
#: included): rows after one of these are numbered differently by each.
UNUSUAL_BREAK = re.compile("\r(?!\n)|[" + LINE_BREAK_CHARACTERS.replace("\r", "").replace("\n", "") + "]")


class LineIndex:
    """Rows and columns of the parser's character offsets, counted as the parser counts them.

    The document keeps offsets only: a libyaml mark is a Python object of about 250 bytes, and
    a spec has two per key and two per value, which made memory (and time) grow faster than
    the file. Rows and columns are derived when a span is asked for.
    """

    __slots__ = ("_feff_offsets", "_starts", "shift", "text", "zero_width_bom")

    def __init__(self, text: str, *, libyaml: bool) -> None:
        # libyaml drops a leading byte-order mark before it counts anything; the text keeps it.
        self.shift = 1 if libyaml and text.startswith("\ufeff") else 0
        self.text = text[self.shift :]
        # The pure-Python reader counts U+FEFF in offsets but gives it no column.
        self.zero_width_bom = not libyaml and "\ufeff" in self.text
        self._starts: array[int] | None = None
        self._feff_offsets: array[int] | None = None

    def row_starts(self) -> array[int]:
        """The parser offset where each row starts, worked out when first asked for. In an
        array: as ints in a list, the 10 million rows of a 10 MB file took 450 MB."""
        if self._starts is None:
            starts = array("q", [0])
            starts.extend(match.end() for match in LINE_BREAK.finditer(self.text))
            self._starts = starts
        return self._starts

    def position(self, offset: int) -> Position:
        """The 1-based row and column of a parser offset."""
        starts = self.row_starts()
        row = bisect_right(starts, offset)
        start = starts[row - 1]
        column = offset - start
        if self.zero_width_bom:
            column -= self._feffs_between(start, offset)
        return Position(row, column + 1)

    def _feffs_between(self, start: int, end: int) -> int:
        """How many U+FEFF the text holds from ``start`` to ``end``: counted from where each
        is, worked out once, since counting the line's for every position asked took time
        quadratic in the length of a line (a spec written on one)."""
        if self._feff_offsets is None:
            self._feff_offsets = array("q", (match.start() for match in re.finditer("\ufeff", self.text)))
        return bisect_left(self._feff_offsets, end) - bisect_left(self._feff_offsets, start)

    def span(self, start: int, end: int) -> Span:
        """The span between two parser offsets; its offsets index the text."""
        return Span(self.position(start), self.position(end), *self.text_offsets(start, end))

    def text_span(self, start: int, end: int) -> Span:
        """The span between two offsets into the text (:meth:`span` takes the parser's)."""
        return self.span(start - self.shift, end - self.shift)

    def text_offsets(self, start: int, end: int) -> tuple[int, int]:
        """Two parser offsets as offsets into the text (past a byte-order mark libyaml dropped)."""
        return start + self.shift, end + self.shift

    def line_start(self, index: int) -> int:
        """The text offset where the line holding text offset ``index`` starts (the first line at
        0, a byte-order mark and all)."""
        starts = self.row_starts()
        row = bisect_right(starts, index - self.shift)
        return starts[row - 1] + self.shift if row > 1 else 0


class LoadError(Exception):
    """The text cannot be turned into data. ``code`` is the rule that reports it."""

    def __init__(self, code: str, message: str, span: Span = FILE_START, help: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.span = span
        self.help = help


#: Parser offsets: (start, end) of a value; (key start, key end, value start, value end) of
#: a mapping entry.
ValueOffsets = tuple[int, int]
EntryOffsets = tuple[int, int, int, int]
#: A collection's positions: a mapping's entries by key, a sequence's values by index.
Table = dict[Any, EntryOffsets] | list[ValueOffsets]


@dataclass(slots=True)
class Document:
    """Plain data and the positions of everything in it.

    Positions are kept in one small table per mapping and sequence, keyed by the collection's
    path, rather than in one table keyed by the full path of every value: building a path
    tuple for each of 200,000 values cost about as much as parsing them.
    """

    data: Any
    lines: LineIndex
    #: A mapping's entries, key → :data:`EntryOffsets`; a sequence's, by index → :data:`ValueOffsets`.
    tables: dict[KeyPath, Table] = field(default_factory=dict)
    root: ValueOffsets | None = None
    #: Where each flow collection (``[…]``, ``{…}``) starts, by path. A key that repeats leaves
    #: the replaced collection's entries behind, so a path counts only where the start agrees.
    flow_starts: dict[KeyPath, int] = field(default_factory=dict)
    #: Where a key repeats, in file order; the data and the table keep the last key and value.
    duplicate_keys: list[KeyPath] = field(default_factory=list)
    #: The repeated keys' own offsets, by ``(*path, "<duplicate>", n)`` with n counting from 1.
    duplicate_offsets: dict[KeyPath, ValueOffsets] = field(default_factory=dict)
    #: For the n-th repeat that only equals the key before it (``true`` after ``1``, as
    #: ``True == 1`` in Python), that key; the data then keeps the repeat as key and value.
    equal_keys: dict[int, Any] = field(default_factory=dict)
    #: For the n-th repeat that is a key two mappings of one ``<<: [...]`` list give different
    #: values, the value the first gives (which the data keeps) and the value of the other.
    merge_conflicts: dict[int, tuple[Any, Any]] = field(default_factory=dict)
    #: Tables of collections whose key repeated later: out of the data, but still in the text.
    shadowed_tables: list[Table] = field(default_factory=list)
    #: The entries a repeated key replaced in its mapping's table: out of the data too.
    replaced_entries: list[EntryOffsets] = field(default_factory=list)
    #: Where each collection with a table starts, by path: the last one, where a key repeats.
    table_starts: dict[KeyPath, int] = field(default_factory=dict)
    #: Parser offsets and style of every quoted or block scalar (see :meth:`styled_scalars`).
    styled_offsets: list[tuple[int, int, str]] = field(default_factory=list)
    #: Parser offsets of every plain scalar written over more than one row (see
    #: :meth:`folded_scalars`).
    folded_offsets: list[ValueOffsets] = field(default_factory=list)
    #: Where each value that carries an anchor (``&name``), which aliases elsewhere may share,
    #: starts, by path (checked like ``flow_starts``).
    anchored: dict[KeyPath, int] = field(default_factory=dict)
    #: Where each anchor that an alias refers to starts: only its value is shared.
    aliased: set[int] = field(default_factory=set)
    #: Where the repeated keys and the anchors start, sorted: built on first use, to find those
    #: inside a value's text by bisection (asked for every layer, a scan would be quadratic).
    _repeat_starts: list[int] | None = field(default=None, init=False, repr=False, compare=False)
    _anchor_starts: list[int] | None = field(default=None, init=False, repr=False, compare=False)
    _quoted: set[ValueOffsets] | None = field(default=None, init=False, repr=False, compare=False)
    _live_tables: dict[KeyPath, Table | None] = field(default_factory=dict, init=False, repr=False, compare=False)

    def _table(self, path: KeyPath) -> Table | None:
        """The table of the collection at ``path``, if that collection is in the data.

        A key that repeats leaves the tables of its replaced value (and of everything inside
        it) under the same paths, and a value that is not a collection (an alias, a scalar)
        puts no table in their place: a table counts only where its parent's entry points at
        it, all the way up. Worked out once per path.
        """
        if path in self._live_tables:
            return self._live_tables[path]
        table = self.tables.get(path)
        if table is not None and path:
            entry = _value_entry(self._table(path[:-1]), path[-1])
            if entry is None or entry[0] != self.table_starts.get(path):
                table = None
        self._live_tables[path] = table
        return table

    def _value_offsets(self, path: KeyPath) -> ValueOffsets | None:
        if not path:
            return self.root
        return _value_entry(self._table(path[:-1]), path[-1])

    def _key_offsets(self, path: KeyPath) -> ValueOffsets | None:
        table = self._table(path[:-1]) if path else None
        entry = table.get(path[-1]) if isinstance(table, dict) else None
        return (entry[0], entry[1]) if entry is not None else None

    def _nearest_value_offsets(self, path: KeyPath) -> ValueOffsets | None:
        found = self._value_offsets(path)
        while found is None and path:
            path = path[:-1]
            found = self._value_offsets(path)
        return found

    def span(self, path: KeyPath) -> Span:
        """The span of the value at ``path``, or of its nearest ancestor that has one.

        Values reached through an alias have no span of their own; they point at the alias.
        """
        found = self._nearest_value_offsets(path)
        return self.lines.span(*found) if found else FILE_START

    def _key_or_repeat_offsets(self, path: KeyPath) -> ValueOffsets | None:
        """The key that introduces ``path``: where it repeats, the repeat the problem is at."""
        return self.duplicate_offsets.get(path) or self._key_offsets(path)

    def key_span(self, path: KeyPath) -> Span:
        """The span of the key that introduces ``path``; the value's span if it has none."""
        found = self._key_or_repeat_offsets(path)
        return self.lines.span(*found) if found else self.span(path)

    def value_range(self, path: KeyPath) -> tuple[int, int]:
        """:meth:`span`'s text offsets, without its rows and columns (which cost a search)."""
        found = self._nearest_value_offsets(path)
        return self.lines.text_offsets(*found) if found else (0, 0)

    def key_range(self, path: KeyPath) -> tuple[int, int]:
        """:meth:`key_span`'s text offsets, without its rows and columns."""
        found = self._key_or_repeat_offsets(path)
        return self.lines.text_offsets(*found) if found else self.value_range(path)

    def has_key(self, path: KeyPath) -> bool:
        """Whether ``path`` names a key written in (or merged into) a mapping of the file."""
        return self._key_offsets(path) is not None

    def has_value(self, path: KeyPath) -> bool:
        """Whether the value at ``path`` has a position of its own (not one reached through an alias)."""
        return self._value_offsets(path) is not None

    def repeats_key_within(self, path: KeyPath) -> bool:
        """Whether a key repeats anywhere in the text of the value at ``path``."""
        if self._repeat_starts is None:
            self._repeat_starts = sorted(start for start, _ in self.duplicate_offsets.values())
        return self._any_within(path, self._repeat_starts)

    def anchored_within(self, path: KeyPath, *, itself: bool = True) -> bool:
        """Whether the value at ``path`` (unless not ``itself``), or a value inside it, carries
        an anchor."""
        if self._anchor_starts is None:
            self._anchor_starts = sorted(self.anchored.values())
        return self._any_within(path, self._anchor_starts, itself=itself)

    def holds(self, path: KeyPath, offset: int) -> bool:
        """Whether the text of the value at ``path`` (not an ancestor's) holds text ``offset``."""
        found = self._value_offsets(path)
        return found is not None and found[0] <= offset - self.lines.shift < found[1]

    def _any_within(self, path: KeyPath, starts: list[int], *, itself: bool = True) -> bool:
        # By offsets, not paths: a repeated key leaves the replaced value's records under the
        # same paths, and those lie outside the live value's text.
        found = self._value_offsets(path)
        if found is None:
            return False
        first = (bisect_left if itself else bisect_right)(starts, found[0])
        return first < len(starts) and starts[first] < found[1]

    def ends_in_block_scalar(self, path: KeyPath) -> bool:
        """Whether the text of the value at ``path`` ends with a block scalar (``|`` or ``>``)."""
        found = self._value_offsets(path)
        return found is not None and any(end == found[1] and style in "|>" for _, end, style in self.styled_offsets)

    def is_quoted(self, path: KeyPath) -> bool:
        """Whether the value at ``path`` is written there as a quoted scalar ('…' or "…"), with
        neither a tag nor an anchor: not plain, not a block scalar, and not brought by an alias
        or a merge key, whose text here does not show how the value is written."""
        if self._quoted is None:  # a set, built once: asked once per ill-typed value
            self._quoted = {(start, end) for start, end, style in self.styled_offsets if style in "'\""}
        found = self._value_offsets(path)
        # A tag or an anchor comes first in the value's text, before the quote.
        return found is not None and found in self._quoted and self.lines.text[found[0]] in "'\""

    def is_flow(self, path: KeyPath) -> bool:
        return self._starts_at(path, self.flow_starts)

    def is_shared(self, path: KeyPath) -> bool:
        """Whether the value at ``path`` itself carries an anchor that an alias refers to: a
        change to it would change the alias's value too."""
        return self._starts_at(path, self.anchored) and self.anchored[path] in self.aliased

    def _starts_at(self, path: KeyPath, starts: dict[KeyPath, int]) -> bool:
        start = starts.get(path)
        found = self._value_offsets(path) if start is not None else None
        return found is not None and found[0] == start

    def styled_scalars(self) -> Iterator[tuple[Span, str]]:
        """Every quoted or block scalar in the text, keys and repeated ones included, with its
        style: ``"``, ``'``, ``|`` or ``>``."""
        for start, end, style in self.styled_offsets:
            yield self.lines.span(start, end), style

    def folded_scalars(self) -> Iterator[Span]:
        """Every plain scalar written over more than one row: a comment would have ended it,
        so each ``#`` on its rows but the last is its own."""
        for start, end in self.folded_offsets:
            yield self.lines.span(start, end)

    def last_ends(self, rows: Iterable[int]) -> dict[int, int]:
        """For each of these 1-based rows on which a key or value ends, the 1-based column
        where the last one does. Only the rows asked for are located: a comment is on a few
        rows of a spec of thousands."""
        found = [] if self.root is None else [self.root]
        entries: list[EntryOffsets] = list(self.replaced_entries)
        for table in (*self.tables.values(), *self.shadowed_tables):
            if isinstance(table, list):
                found += table
            else:
                entries += table.values()
        for key_start, key_end, start, end in entries:
            found += ((key_start, key_end), (start, end))
        found += self.duplicate_offsets.values()
        ends = sorted(end for _, end in found)
        starts = self.lines.row_starts()
        located = {}
        for row in (row for row in rows if 0 < row <= len(starts)):
            # The last end before the next row starts, if it is on this row.
            last = bisect_left(ends, starts[row] if row < len(starts) else sys.maxsize) - 1
            if last >= 0 and ends[last] >= starts[row - 1]:
                located[row] = self.lines.position(ends[last]).column
        return located


def _value_entry(table: Table | None, key: Any) -> ValueOffsets | None:
    """The offsets of the value under ``key`` in a collection's table."""
    if isinstance(table, list):
        return table[key] if isinstance(key, int) and 0 <= key < len(table) else None
    entry = table.get(key) if table is not None else None
    return (entry[2], entry[3]) if entry is not None else None


#: Bytes read from a file at a time.
READ_CHUNK = 1 << 20


class NotARegularFile(OSError):
    """A directory, pipe, device or kernel pseudo-file: opening a pipe would block, a device
    may never end, and a pseudo-file's text is a process's state (``/proc/self/environ``)."""


class FileTooLarge(OSError):
    """A file over its size limit; ``size`` is its size when it was known before reading."""

    def __init__(self, size: int | None) -> None:
        super().__init__(errno.EFBIG, os.strerror(errno.EFBIG))
        self.size = size

    def __reduce__(self) -> tuple[type[FileTooLarge], tuple[int | None]]:
        return FileTooLarge, (self.size,)


def read_limited(path: pathlib.Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Raises :class:`NotARegularFile`, :class:`FileTooLarge`, or another OSError. Anything but
    a regular file is refused unopened (opening some devices acts on them), and again once
    open, in case it was swapped for a pipe in between: the open does not wait for a writer.
    So is a kernel pseudo-file (/proc's, /sys's), which passes for a regular file.
    The file is read in chunks, up to one byte past the limit: it may have grown since it was
    measured, and one ``read()`` would allocate a buffer as large as the limit.
    """
    if "\0" in os.fspath(path):  # which os.stat and os.open refuse with a ValueError
        raise OSError(errno.EINVAL, "the name holds a NUL byte, which no file name can")
    status = path.stat()
    if not stat.S_ISREG(status.st_mode):
        raise NotARegularFile(path)
    if status.st_size > limit:
        raise FileTooLarge(status.st_size)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    with open(os.open(path, flags), "rb") as stream:
        opened = os.fstat(stream.fileno())
        if not stat.S_ISREG(opened.st_mode) or opened.st_dev in _kernel_devices():
            raise NotARegularFile(path)
        data = read_at_most(stream, limit)
        if data and not opened.st_size and not os.fstat(stream.fileno()).st_size:
            # Text from a file that still says it is empty (not one written meanwhile): a
            # kernel pseudo-file on a mount _kernel_devices() does not know.
            raise NotARegularFile(path)
    if len(data) > limit:
        raise FileTooLarge(None)
    return data


def read_at_most(stream: BinaryIO, limit: int) -> bytes:
    """The bytes of ``stream``, read in chunks until its end or past ``limit`` (so a result
    longer than ``limit`` says the stream holds more): one ``read()`` would allocate a buffer
    as large as the limit."""
    chunks, read = [], 0
    while read <= limit and (chunk := stream.read(READ_CHUNK)):
        chunks.append(chunk)
        read += len(chunk)
    return b"".join(chunks)


@functools.cache
def _kernel_devices() -> frozenset[int]:
    """The devices of Linux's /proc and /sys, whose "regular" files are the kernel's state:
    a link to /proc/self/environ in a repository would print the CI runner's environment in an
    excerpt. A directory on the root's device is no such mount."""
    devices = set()
    with contextlib.suppress(OSError):
        root = os.stat("/").st_dev
        for mount in ("/proc", "/sys"):
            with contextlib.suppress(OSError):
                devices.add(os.stat(mount).st_dev)
        devices.discard(root)
    return frozenset(devices)


def decode(raw: bytes) -> str:
    """Decode a spec file as YAML 1.1 allows: UTF-8, or UTF-16 with or without a BOM."""
    if raw.startswith(codecs.BOM_UTF8):
        encoding, raw = "utf-8", raw[len(codecs.BOM_UTF8) :]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif len(raw) >= 2 and raw[0] == 0 and raw[1] != 0:
        encoding = "utf-16-be"
    elif len(raw) >= 2 and raw[0] != 0 and raw[1] == 0:
        encoding = "utf-16-le"
    else:
        encoding = "utf-8"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        # Rows and columns count characters and YAML's line breaks, as everywhere else: the
        # text before the bad byte decodes.
        before = LineIndex(raw[: exc.start].decode(encoding), libyaml=True)
        offset = len(before.text)
        row, column = before.position(offset)
        span = Span(Position(row, column), Position(row, column + 1), offset, offset + 1)
        byte = raw[exc.start : exc.start + 1].hex()
        raise LoadError(
            "NS001", f"the file is not valid {encoding.upper()}: byte 0x{byte} cannot be decoded", span
        ) from None


class _EventError(Exception):
    """A problem with the event being loaded; the loop locates it there as a LoadError."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _construct_scalar(tag: str, value: str) -> Any:
    if tag == _STR:
        return value
    if tag == _INT:
        digits = len(value.lstrip("+-").replace("_", ""))
        if digits > MAX_INT_DIGITS:
            raise _EventError(
                "NS002",
                f"an integer with {digits} digits is far beyond any size or setting a network takes; refusing it",
            )
        if _PLAIN_INT.match(value):
            return int(value)
    elif tag == _NULL:
        return None
    construct = _CONSTRUCTOR.yaml_constructors[tag]
    try:
        return construct(_CONSTRUCTOR, ScalarNode(tag, value))
    except (ValueError, TypeError, OverflowError, LookupError, yaml.YAMLError):  # `!!bool ""` raises KeyError
        raise _EventError("NS001", f"{value[:40]!r} is not a valid {tag.removeprefix(_TAG)}") from None


def _scalar_value(event: ScalarEvent) -> tuple[Any, bool]:
    """The value of a scalar event, and whether it is the merge key ``<<``."""
    value: str = event.value
    tag = event.tag
    if tag is None or tag == "!":
        if tag is None and event.implicit[0]:
            tag = _NULL if value == "" else _STR
            for candidate, regexp in _IMPLICIT.get(value[:1], ()):
                if regexp.match(value):
                    tag = candidate
                    break
            if tag == _MERGE:
                return value, True
            if tag not in _SCALAR_TAGS:  # timestamps and '=' stay text: no spec field wants them
                return value, False
        else:
            return value, False
    elif tag == _MERGE:  # `!!merge <<`, or any other text so tagged
        return value, True
    elif tag not in _SCALAR_TAGS:
        raise _tag_error(tag)
    return _construct_scalar(tag, value), False


def _tag_error(tag: str) -> _EventError:
    shown = "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag
    return _EventError(
        "NS001", f"the tag {shown} is not allowed: netspec reads plain data only and never constructs objects"
    )


def _check_collection_tag(tag: str, mapping: bool) -> None:
    own, other = ("map", "seq") if mapping else ("seq", "map")
    if tag == _TAG + other:  # as PyYAML refuses it
        raise _EventError("NS001", f"the tag !!{other} does not fit a {'mapping' if mapping else 'sequence'}")
    if tag != _TAG + own:
        raise _tag_error(tag)


class _Frame:
    """An open mapping or sequence while its events stream in."""

    __slots__ = (
        "anchor",
        "flow",
        "is_map",
        "key",
        "key_end",
        "key_start",
        "last_end",
        "merges",
        "odd_keys",
        "path",
        "size",
        "start",
        "table",
        "value",
    )

    def __init__(self, value: Any, path: KeyPath, anchor: str | None, start: int, *, flow: bool) -> None:
        self.value = value
        self.flow = flow
        self.path = path
        self.is_map = isinstance(value, dict)
        self.table: Any = {} if self.is_map else []
        self.key: Any = _NO_KEY
        self.key_start = start
        self.key_end = start
        self.merges: list[tuple[Any, ValueOffsets]] = []
        #: The keys that are not strings, each mapped to the first key it equals.
        self.odd_keys: dict[Any, Any] | None = None
        self.anchor = anchor
        self.size = 1
        self.start = start
        self.last_end = start


_NO_KEY = object()


class _Builder:
    def __init__(self, lines: LineIndex) -> None:
        self.doc = Document(None, lines)
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        #: Where each anchor is defined, in text offsets.
        self.anchor_starts: dict[str, int] = {}
        #: The anchors on a merge key.
        self.merge_anchors: set[str] = set()
        self.expanded = 0
        self.number_keys = 0
        self.collections = 0

    def child_path(self) -> KeyPath:
        frame = self.stack[-1]
        return (*frame.path, frame.key if frame.is_map else len(frame.value))

    def add(self, value: Any, start: int, end: int, size: int, is_merge: bool = False) -> None:
        """Attach a finished value (scalar, closed collection or alias) to its parent."""
        stack = self.stack
        if is_merge and not (stack and stack[-1].is_map and stack[-1].key is _NO_KEY):
            raise _EventError(
                "NS001",
                "<< (or a !!merge tag) is YAML's merge key, which PyYAML accepts only as a mapping key: "
                "quote it ('<<'), or drop the tag, to mean the text",
            )
        if not stack:
            self.doc.data = value
            return
        frame = stack[-1]
        frame.size += size
        frame.last_end = end
        if not frame.is_map:
            frame.table.append((start, end))
            frame.value.append(value)
            if len(frame.value) > MAX_ITEMS:
                what = "layers" if frame.path == _LAYERS_PATH else "items in a list"
                raise LoadError(
                    "NS001",
                    f"more than {MAX_ITEMS:,} {what}; a network spec never needs this",
                    self.doc.lines.span(start, end),
                )
            return
        if frame.key is _NO_KEY:
            if is_merge:
                frame.key = _MERGE
            else:
                if type(value) is not str:
                    self.odd_key(frame, value, start, end)
                frame.key = value
            frame.key_start = start
            frame.key_end = end
            return
        key, frame.key = frame.key, _NO_KEY
        if key is _MERGE:
            if frame.merges:
                # A repeated key all the same (NS003), though PyYAML merges both.
                self.repeated(frame, "<<")
            frame.merges.append((value, (start, end)))
            return
        container = frame.value
        if key in container:
            replaced = frame.table.get(key)
            if replaced is not None:
                self.doc.replaced_entries.append(replaced)
            number = self.repeated(frame, key)
            if type(key) is not str:  # a string never equals a key of another type
                self.repeated_odd_key(frame, key, number)
        frame.table[key] = (frame.key_start, frame.key_end, start, end)
        container[key] = value

    def repeated(self, frame: _Frame, key: Any, offsets: ValueOffsets | None = None) -> int:
        """Record a key that repeats one before it in the mapping: the key just read, unless
        ``offsets`` places the repeat elsewhere. Returns the repeat's number, from 1."""
        doc = self.doc
        where = offsets or (frame.key_start, frame.key_end)
        if len(doc.duplicate_keys) >= MAX_REPEATED_KEYS:
            raise LoadError(
                "NS001",
                f"more than {MAX_REPEATED_KEYS:,} repeated keys; a spec states each key once",
                doc.lines.span(*where),
            )
        doc.duplicate_keys.append((*frame.path, key))
        number = len(doc.duplicate_keys)
        doc.duplicate_offsets[(*frame.path, key, "<duplicate>", number)] = where
        return number

    def define(self, anchor: str, start: int) -> None:
        """Record an anchor's definition; PyYAML refuses a file that defines one twice."""
        first = self.anchor_starts.setdefault(anchor, start)
        if first != start:
            raise _EventError(
                "NS001",
                f"the anchor &{cut(anchor)} is defined a second time (first on line "
                f'{self.doc.lines.position(first).row}): PyYAML refuses the file ("found duplicate anchor")',
            )

    def anchor_scalar(self, name: str, value: Any, size: int, start: int, is_merge: bool) -> None:
        self.define(name, start)
        self.anchors[name] = (value, size)
        if is_merge:  # an alias of it is the merge key too, as in PyYAML
            self.merge_anchors.add(name)
        stack = self.stack
        if not stack:
            self.doc.anchored[()] = start
        elif not (stack[-1].is_map and stack[-1].key is _NO_KEY):  # a key is never edited
            self.doc.anchored[self.child_path()] = start

    def odd_key(self, frame: _Frame, key: Any, start: int, end: int) -> None:
        """A key YAML read as other than a string: numbers count against their limit, and the
        frame keeps the first of the keys that are equal in Python (``1``, ``1.0``, ``true``)."""
        if type(key) is int or type(key) is float:
            self.count_number_key(start, end)
        if frame.odd_keys is None:
            frame.odd_keys = {}
        frame.odd_keys.setdefault(key, key)

    def repeated_odd_key(self, frame: _Frame, key: Any, number: int) -> None:
        """The ``number``-th repeat, of a key that is not a string: where it only equals the key
        before it (``true`` after ``1``), the document says which, and the repeat becomes the key."""
        odd_keys = frame.odd_keys
        assert odd_keys is not None  # odd_key() met the key first
        first = odd_keys[key]
        if type(first) is type(key):
            return
        self.doc.equal_keys[number] = first
        # A dict keeps its first key object: the value and its offsets are the repeat's, so
        # messages about the key must name the repeat too.
        del frame.value[key], frame.table[key]
        odd_keys[key] = key

    def count_number_key(self, start: int, end: int) -> None:
        """Count one key that YAML read as a number (the caller tests, on the hot path)."""
        self.number_keys += 1
        if self.number_keys > MAX_NUMBER_KEYS:
            raise LoadError(
                "NS001",
                f"more than {MAX_NUMBER_KEYS:,} mapping keys are numbers; a spec's keys are names",
                self.doc.lines.span(start, end),
            )

    def open(self, value: Any, event: Any) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise _EventError("NS001", TOO_DEEP)
        self.collections += 1
        if self.collections > MAX_COLLECTIONS:
            raise _EventError(
                "NS001", f"more than {MAX_COLLECTIONS:,} mappings and lists; a network spec never needs this"
            )
        if self.stack and self.stack[-1].is_map and self.stack[-1].key is _NO_KEY:
            raise _EventError("NS001", "mapping keys must be scalars")
        path = self.child_path() if self.stack else ()
        start = event.start_mark.index
        if event.flow_style:
            self.doc.flow_starts[path] = start
        if event.anchor is not None:
            self.define(event.anchor, start)
            self.doc.anchored[path] = start
        self.stack.append(_Frame(value, path, event.anchor, start, flow=bool(event.flow_style)))

    def close(self, event: Any) -> None:
        frame = self.stack.pop()
        start = frame.start
        # A block collection "ends" where the next token starts; its last child is the
        # end a person sees.
        end = event.end_mark.index if frame.flow else frame.last_end
        if frame.is_map and frame.merges:
            self.merge(frame)
        if frame.anchor is not None:
            # Its text bounds the characters of the strings in it: weighed once, here.
            self.anchors[frame.anchor] = (frame.value, frame.size + ((end - start) >> 4))
        shadowed = self.doc.tables.get(frame.path)
        if shadowed is not None:  # the key of this collection repeats an earlier one
            self.doc.shadowed_tables.append(shadowed)
        self.doc.tables[frame.path] = frame.table
        self.doc.table_starts[frame.path] = start
        self.add(frame.value, start, end, frame.size)
        if not self.stack:
            self.doc.root = (start, end)

    def merge(self, frame: _Frame) -> None:
        """YAML 1.1 merge keys: explicit keys win, then the last of repeated merge keys (as
        PyYAML merges keys longer than one character; NS003 reports the repeat), then the
        earlier mappings of one merge key's list (as the merge type's specification says,
        and PyYAML before 6.0.4; NS003 reports a key they give different values)."""
        for value, (start, end) in reversed(frame.merges):
            sources = value if isinstance(value, list) else [value]
            merged: dict[Any, Any] = {}  # the keys this merge key set, and their values
            for source in sources:
                if not isinstance(source, dict):
                    raise LoadError(
                        "NS001",
                        "a merge key (<<) takes a mapping or a list of mappings",
                        self.doc.lines.span(start, end),
                    )
                for key, item in source.items():
                    if type(key) is int or type(key) is float:
                        self.count_number_key(start, end)
                    if key not in frame.value:
                        frame.value[key] = item
                        frame.table[key] = (start, end, start, end)
                        merged[key] = item
                    elif key in merged and not _same_value(item, merged[key]):
                        # PyYAML 6.0.4 keeps the later value of most such keys (yaml/pyyaml#953).
                        self.doc.merge_conflicts[self.repeated(frame, key, (start, end))] = (merged[key], item)
                        merged.pop(key)  # one report per key and merge

    def alias(self, event: Any) -> None:
        name = event.anchor
        if name not in self.anchors:
            raise _EventError("NS001", f"alias *{cut(name)} refers to no anchor")
        value, size = self.anchors[name]
        self.doc.aliased.add(self.anchor_starts[name])
        # The one way a collection reaches a key's place: open() refuses the others.
        stack = self.stack
        if isinstance(value, (dict, list)) and stack and stack[-1].is_map and stack[-1].key is _NO_KEY:
            raise _EventError("NS001", "mapping keys must be scalars")
        self.expanded += size
        if self.expanded > MAX_EXPANDED_NODES:
            raise _EventError(
                "NS001",
                f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes, counting one per 16 characters of "
                "anchored text (an alias bomb?); refusing to expand them",
            )
        # The same object is shared, never copied: expansion costs nothing here, and the
        # budget above protects everything that walks the data later.
        self.add(value, event.start_mark.index, event.end_mark.index, size, name in self.merge_anchors)


def _same_value(a: Any, b: Any) -> bool:
    """Whether two loaded values are one value to YAML, where Python's ``==`` is not enough:
    ``1``, ``1.0`` and ``true`` are three values, and ``.nan`` is one."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if type(a) is list:
        return len(a) == len(b) and all(map(_same_value, a, b))
    if type(a) is dict:
        typed = {(type(key), key): value for key, value in b.items()}
        return len(a) == len(b) and all(
            (type(key), key) in typed and _same_value(value, typed[type(key), key]) for key, value in a.items()
        )
    return bool(a == b) or (a != a and b != b)  # NaN is not equal to itself


def _indented_with_tab(text: str, lines: LineIndex, index: int) -> bool:
    """Whether the line holding text offset ``index`` starts with whitespace that contains a tab."""
    start = lines.line_start(index)
    end = LINE_BREAK.search(text, start)
    line = text[start : end.start() if end else len(text)]
    return "\t" in line[: len(line) - len(line.lstrip(" \t"))]


#: The parser's context → what usually causes its error there, and where to look: ``{at}``
#: is the row and column where that context (a list, a mapping, a quoted string) opened.
_SYNTAX_HELP = {
    "while parsing a flow sequence": "the `[` at {at} is not closed, or two of its items lack a comma between them",
    "while parsing a flow mapping": "the `{{` at {at} is not closed, or two of its entries lack a comma between them",
    "while scanning a quoted scalar": "the quote at {at} is not closed",
    "while parsing a block mapping": "this line is indented like none of the keys of the mapping at {at} or of the "
    "mappings around it",
    "while parsing a block collection": "this line should continue the list at {at}: `- ` at that list's "
    "indentation, or, for a key of the item above, the indentation of that item's keys",
}
#: The same context when the line is indented past the list's `- `: a key of the item, one
#: space or more short of the keys above it, is the likelier mistake.
_INSIDE_ITEM_HELP = (
    "this line is indented past the `- ` of the list at {at}, but not as far as the keys of its item: "
    "indent it like the keys above it, or start a new item with `- ` at that list's indentation"
)
#: The parser's problem (libyaml's wording, or the start it shares with PyYAML's) → a hint.
_PROBLEM_HELP = {
    "mapping values are not allowed": "a `key: value` where YAML expects a plain value: indent "
    "this line like the keys above it, or quote a value that contains ': '",
    "found character": "YAML reserves this character (` @ % and others) at the start of a value; quote the value",
}


#: A spec written for OmegaConf or Hydra holds values netspec reads as they stand.
INTERPOLATION_HINT = "`${…}` is an interpolation (OmegaConf, Hydra), which netspec does not resolve: write the value"


def interpolation_hint(value: Any) -> str:
    """``; `${…}` is an interpolation …`` for a value that is one, to end a message; else ''."""
    return (
        f"; {INTERPOLATION_HINT}" if isinstance(value, str) and value.startswith("${") and value.endswith("}") else ""
    )


#: YAML reads a key written without `? ` only when it is at most this many characters long.
MAX_IMPLICIT_KEY = 1024


def _overlong_key(text: str, index: int) -> int | None:
    """The length of the key that ends at the ``:`` at ``index``, if YAML refuses it as too long."""
    if text[index : index + 1] != ":":
        return None
    start = max(text.rfind(opener, 0, index) for opener in "\n{[,") + 1
    key = text[start:index].strip().removeprefix("- ").strip()
    if len(key) <= MAX_IMPLICIT_KEY or ": " in key or ":\t" in key or key[0] in "'\"":
        return None  # short, a value after a key of its own, or quoted (and maybe cut at a comma)
    return len(key)


def _syntax_help(exc: yaml.MarkedYAMLError, lines: LineIndex) -> str | None:
    """What probably went wrong, for the parser's commonest errors; None for the others."""
    mark = exc.problem_mark
    if mark is not None and mark.index > 0 and lines.text[mark.index - 1 : mark.index + 1] == "${":
        # Inside `{…}` or `[…]`, the `{` after the `$` opens a mapping where none may be.
        return f"{INTERPOLATION_HINT}; unquoted, YAML cannot read it inside `{{…}}` or `[…]`"
    length = None if mark is None else _overlong_key(lines.text, mark.index)
    if length is not None:
        return f"the key before this `:` has {length:,} characters; YAML reads keys of at most {MAX_IMPLICIT_KEY:,}"
    dash = None if mark is None else _dash_without_space(lines, mark.index)
    if dash is not None:
        return dash
    context = _SYNTAX_HELP.get(exc.context or "")
    if context is not None and exc.context_mark is not None and mark is not None:
        at = lines.position(exc.context_mark.index)
        inside = lines.position(mark.index).column > at.column
        # An item (`- `) indented past its list's is only that: the list's own help fits.
        if exc.context == "while parsing a block collection" and inside and not lines.text.startswith("-", mark.index):
            context = _INSIDE_ITEM_HELP
        return context.format(at=f"row {at.row}, column {at.column}")
    problem = exc.problem or ""
    return next((hint for start, hint in _PROBLEM_HELP.items() if problem.startswith(start)), None)


#: A line that starts with a dash glued to a word (`-type: conv`): a key, not a list item.
_GLUED_DASH = re.compile(r"[ \t]*(-[A-Za-z_][\w-]*):")


def _dash_without_space(lines: LineIndex, index: int) -> str | None:
    """A hint where the error's line, or the line before it, starts with a dash glued to a
    word: YAML reads `-type` as a key, and the item's next line then breaks the mapping."""
    row = lines.position(index).row
    for candidate in (row - 1, row):
        if candidate < 1:
            continue
        start = lines.row_starts()[candidate - 1]
        glued = _GLUED_DASH.match(lines.text, start)
        if glued is not None:
            word = glued.group(1)
            return (
                f"`{word}` on row {candidate} is read as a key, not a list item: "
                f"YAML needs a space after the dash (`- {word[1:]}`)"
            )
    return None


def _deepest_opener(text: str, start: int, end: int, depth: int) -> int | None:
    """Where a flow bracket between ``start`` and ``end`` opens a level past :data:`MAX_DEPTH`,
    ``depth`` levels being open at ``start``; None where a quote or a comment comes first, as
    brackets inside them open nothing."""
    for index in range(start, end):
        character = text[index]
        if character in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return index
        elif character in "]}":
            depth -= 1
        elif character in "'\"#":
            return None
    return None


def _unreadable(exc: ReaderError, text: str, lines: LineIndex, *, libyaml: bool) -> LoadError:
    """A control character, which has no mark: only an offset into the text."""
    index = exc.position
    if libyaml:  # libyaml counts UTF-8 bytes, not characters
        index = len(text.encode("utf-8", "surrogatepass")[:index].decode("utf-8", "ignore"))
    return _bad_character(exc.reason, index, exc.character, lines)


def _bad_character(reason: str, index: int, character: int, lines: LineIndex) -> LoadError:
    """The character at text offset ``index`` cannot appear in YAML, for ``reason``."""
    span = lines.span(index - lines.shift, index - lines.shift + 1)
    return LoadError("NS001", f"{reason}: the character #x{character:04x} cannot appear in YAML", span)


def load(text: str) -> Document:
    """Parse one YAML document into plain data with positions. Raises :class:`LoadError`."""
    libyaml = issubclass(_Parser, _LIBYAML_PARSERS)
    lines = LineIndex(text, libyaml=libyaml)
    try:
        parser = _Parser(text)
    except ReaderError as exc:  # the pure-Python reader checks every character up front
        raise _unreadable(exc, text, lines, libyaml=libyaml) from None
    except UnicodeEncodeError as exc:  # libyaml's reader encodes the text to UTF-8 first
        reason = "a lone surrogate (a byte that was not UTF-8?)"
        raise _bad_character(reason, exc.start, ord(text[exc.start]), lines) from None
    builder = _Builder(lines)
    documents = 0
    # Plain scalars repeat (keys, layer types, small sizes): resolve each distinct text once.
    # Resolution depends only on the text, and the results are immutable.
    plain: dict[str, tuple[Any, bool]] = {}
    # One C call per event: get_event() parses on demand and returns None after the stream.
    next_event = parser.get_event
    add = builder.add
    styled, folded = builder.doc.styled_offsets, builder.doc.folded_offsets
    event: Any = None
    try:
        event = next_event()
        while event is not None:
            kind = type(event)
            if kind is ScalarEvent:
                if event.tag is None:
                    if event.implicit[0]:
                        resolved = plain.get(event.value)
                        if resolved is None:
                            resolved = plain[event.value] = _scalar_value(event)
                        value, is_merge = resolved
                    else:
                        value, is_merge = event.value, False
                else:
                    value, is_merge = _scalar_value(event)
                start, end = event.start_mark.index, event.end_mark.index
                if event.anchor is not None:
                    builder.anchor_scalar(event.anchor, value, 1 + (len(event.value) >> 4), start, is_merge)
                if event.style:  # "" (libyaml) or None for a plain scalar
                    styled.append((start, end, event.style))
                elif end - start != len(event.value):
                    # Folded over rows: a plain scalar's text is its value on one row. (In a flow
                    # collection a row may go on unindented, "[a\nb]", and keep the length.)
                    folded.append((start, end))
                add(value, start, end, 1, is_merge)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                mapping = kind is MappingStartEvent
                if event.tag is not None and event.tag != "!":
                    _check_collection_tag(event.tag, mapping)
                builder.open({} if mapping else [], event)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                builder.close(event)
            elif kind is AliasEvent:
                builder.alias(event)
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _EventError(
                        "NS001", "the file holds more than one YAML document (---); a spec is exactly one"
                    )
            event = next_event()
    except _EventError as exc:
        raise LoadError(exc.code, exc.message, lines.span(event.start_mark.index, event.end_mark.index)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if problem.startswith("exceeded maximum nesting depth"):
            # libyaml's own limit (1,000 levels), met as it scans flow brackets ahead of the
            # events that would have stopped at level 65: the same problem, in the same words,
            # at the bracket that opens level 65.
            problem = TOO_DEEP
        at = mark.index if mark else 0
        if problem is TOO_DEEP and mark:
            after = event.end_mark.index if event is not None else 0
            opener = _deepest_opener(lines.text, after, at, len(builder.stack))
            at = at if opener is None else opener
        span = lines.span(at, at) if mark else FILE_START
        tabs = (
            "\t" in problem or "'\\t'" in problem or bool(mark and _indented_with_tab(text, lines, span.start_offset))
        )
        if tabs:
            problem += " (YAML does not allow tabs for indentation)"
        raise LoadError("NS001", problem, span, None if tabs else _syntax_help(exc, lines)) from None
    except ReaderError as exc:
        raise _unreadable(exc, text, lines, libyaml=libyaml) from None
    except yaml.YAMLError as exc:
        raise LoadError("NS001", str(exc).splitlines()[0], FILE_START) from None
    finally:
        parser.dispose()
    return builder.doc
