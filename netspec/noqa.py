"""Inline suppression comments: ``# noqa``, ``# noqa: NS102, NS107`` and ``# netspec: noqa: …``.

- ``# noqa[: codes]`` after the content of a line silences those rules (every rule when bare)
  for the layer whose mapping holds that line (or whose lone ``-`` opens it on the line
  above), and for any diagnostic starting on it.
- ``# netspec: noqa[: codes]`` on a line of its own silences them in the whole file.
- Neither silences a blocking problem (:attr:`netspec.diagnostics.Diagnostic.blocking`):
  netspec cannot check past it, so hiding it would pass what was never checked.

A directive that silences nothing is returned as :class:`Unused` so that the linter reports it
(NS900). Unused is decided like ruff's RUF100, with one difference: a code whose rule did not
run on this file (not selected, or ignored) is never reported, because whether it would
silence something cannot be known without running it. A bare ``# noqa`` is reported whenever
it silences nothing under the current selection.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from netspec.diagnostics import Diagnostic
from netspec.rules import CODES_BY_NAME, RULES, ns900_unused_noqa
from netspec.settings import ALL
from netspec.source import BEFORE_COMMENT, LINE_BREAK, UNUSUAL_BREAK, Document, Position, Span
from netspec.text import cut, listing

UNUSED_NOQA = ns900_unused_noqa.RULE.code

#: A rule code: letters in any case, but ASCII only, then ASCII digits, and then no letter or
#: digit. Ignoring case, [A-Z] alone would also match the long s (ſ, which upper-cases to S)
#: and the Kelvin sign, and NS102 would be read at the start of NS102٢ or NS102x, so a
#: lookalike or a misspelt code would silence a real one.
_CODE = r"(?a:[A-Z]+)[0-9]+(?!\w)"
#: A code after another in a list. The list is followed code by code (:func:`_list_end`): as
#: a repeated group in one pattern, re keeps a backtracking point per code, 1.4 GB for the
#: millions a 10 MB comment holds (and Python before 3.11.3 misreads a possessive repeat).
_MORE_CODES = re.compile(rf"[\s,]+{_CODE}", re.IGNORECASE)
#: Letters, then digits, of any script: a code, or a lookalike (``Nſ101``), with whatever
#: follows it (``NS101x``). Codes without a colon are refused whatever they are written with,
#: so they are read this widely: a narrower reading would take ``noqa Nſ101`` for a bare
#: ``noqa``, which silences everything.
_CODE_LIKE = r"[^\W\d_]+\d+\w*"
#: A netspec rule code, in either case: NS and ASCII digits.
_NS_CODE = r"(?a:NS[0-9]+)"
_NETSPEC_CODE = re.compile(_NS_CODE, re.IGNORECASE)
#: A netspec code with more after its digits (``NS101x``, ``NS101_2``): a misspelt code, as
#: in ruff, where another word after the codes (``layer3x``) would be a reason.
_SUFFIXED = re.compile(rf"{_NS_CODE}(?![0-9])\w+", re.IGNORECASE)
#: Letters of other scripts drawn like the N and S of a rule code, which neither upper-case
#: nor normalise to them: Greek capital nu, Cyrillic dze, small capitals.
_HOMOGLYPHS = frozenset("\u039d\u0405\u0455\u0274\ua731")
#: A directive, up to its first code; :func:`_list_end` finds where the codes end.
_DIRECTIVE = re.compile(
    rf"#\s*(?P<file>netspec(?:\s*(?P<file_colon>:))?\s*)?noqa"
    rf"(?:(?P<glued>[\w-][^\s:\uff1a,#]*)|(?P<colon>\s*:\s*(?P<codes>{_CODE})?)|\s+(?P<loose>{_CODE_LIKE}))?",
    re.IGNORECASE,
)
_MORE_CODE_LIKE = re.compile(rf"[\s,]+{_CODE_LIKE}", re.IGNORECASE)
_MENTIONS_NOQA = re.compile("noqa", re.IGNORECASE)
#: A mark standing where the colon should, before a rule code: ``noqa;NS102``, ``noqa - NS102``,
#: a full-width ``：``. Anything else after a bare ``noqa`` explains it: ``noqa (YOLOv3 layout)``,
#: as does what follows a colon's codes (``noqa: NS102 (NS101 is fine)``), unless it is one
#: of :data:`_NOT_A_SEPARATOR`'s marks before another code.
_NOT_A_COLON = re.compile(r"\s*([^\w\s#])\s*NS\d+\b", re.IGNORECASE)
#: A mark that lists codes in other tools, between a colon's codes and another code:
#: ``noqa: NS101;NS102``. Words or brackets after the codes are a reason: ``(NS101 is fine)``.
_NOT_A_SEPARATOR = re.compile(r"\s*([;|/+&])\s*(NS\d+)\b", re.IGNORECASE)
#: Another code after a colon's codes, as the list would go on: ``noqa: NS101, Nſ102``.
_ANOTHER_CODE = re.compile(rf"[\s,]+({_CODE_LIKE})")
_WORD = re.compile(r"[^\s,]+")
#: Different codes one comment may list: netspec has a few dozen rules, and each code listed
#: is judged on its own (a 10 MB comment lists millions, which took 1.5 GB).
MAX_CODES = 10_000
#: Lines with a noqa comment read per file: one per layer, at the most layers a spec may have.
#: Each unused one is a diagnostic, and 1.6 million lines of a bare noqa comment fit in 10 MB
#: (26 s, 2.5 GB).
MAX_DIRECTIVES = 100_000


@dataclass
class Directive:
    """One suppression comment. ``codes`` is None for a bare ``# noqa``."""

    row: int
    span: Span
    codes: tuple[str, ...] | None
    file_wide: bool
    #: Set when the comment cannot work where it stands; reported as NS900.
    problem: str | None = None
    used: set[str] = field(default_factory=set)
    #: Blocking codes it would have covered, which it may not silence.
    refused: set[str] = field(default_factory=set)
    #: False on a layer the rules could not look at: whether it is used cannot be known.
    judged: bool = True

    def covers(self, code: str) -> bool:
        return self.codes is None or code in self.codes


@dataclass(frozen=True)
class Unused:
    """A directive that silences nothing, for NS900: where it is and why it is useless."""

    span: Span
    message: str


def _noqa_lines(text: str) -> Iterator[tuple[int, int, str]]:
    """(1-based row, offset of the line's first character, line) for each line that mentions
    noqa, rows counted as the parsers count them, like the spans. The text is searched for the
    word, not read line by line: 10 MB of comment lines are millions of them."""
    row, start = 1, 0  # where the last line yielded, or the text, starts
    only_lf = not UNUSUAL_BREAK.search(text)  # CR LF is counted at its LF
    for mention in _MENTIONS_NOQA.finditer(text):
        at = mention.start()
        if at < start:  # the line already yielded
            continue
        if only_lf:
            row += text.count("\n", start, at)
            start = text.rfind("\n", start, at) + 1 or start
        else:
            for brk in LINE_BREAK.finditer(text, start, at):
                row, start = row + 1, brk.end()
        end = LINE_BREAK.search(text, at)
        stop = len(text) if end is None else end.start()
        yield row, start, text[start:stop]
        if end is None:
            return
        row, start = row + 1, end.end()


#: A content end past any line: no comment on that row.
_WHOLE_ROW = sys.maxsize


def _content_ends(document: Document, rows: set[int]) -> dict[int, int]:
    """For each of these 1-based rows, the 0-based column where its last key or value ends.

    A ``#`` before that column belongs to a scalar, not to a comment.
    """
    ends = {row: column - 1 for row, column in document.last_ends(rows).items()}
    # A quoted scalar over several rows holds every "#" of the rows before its last; a block
    # scalar those after its header, whose row may end in a comment.
    for span, style in document.styled_scalars():
        for inside in range(span.start.row + (style in "|>"), span.end.row):
            ends[inside] = _WHOLE_ROW
    # So does a plain scalar over several rows: a comment would have ended it.
    for span in document.folded_scalars():
        for inside in range(span.start.row, span.end.row):
            ends[inside] = _WHOLE_ROW
    return ends


def directives(text: str, document: Document) -> list[Directive]:
    """Every suppression comment in the text."""
    if not _MENTIONS_NOQA.search(text):  # the common case, and the only one a large spec should pay for
        return []
    commented = list(itertools.islice((found for found in _noqa_lines(text) if "#" in found[2]), MAX_DIRECTIVES + 1))
    past = commented[MAX_DIRECTIVES:]
    del commented[MAX_DIRECTIVES:]
    ends = _content_ends(document, {row for row, _, _ in commented})
    found = []
    for row, offset, line in commented:
        comment = _comment_start(line, ends.get(row, 0))
        if comment is None:
            continue
        match = _DIRECTIVE.search(line, comment)
        if match is None:
            continue
        # A word run into noqa (noqalike, after the hash) gives way to a directive after it on the line.
        first = match
        while match is not None and match["glued"]:
            match = _DIRECTIVE.search(line, match.end())
        match = match or first
        start, end = match.start(), len(line.rstrip())
        # Where the directive ends, and its codes, with or without a colon, as written.
        after, codes_text, loose = match.end(), None, None
        if match["codes"]:
            after = _list_end(line, _MORE_CODES, match.end("codes"))
            codes_text = line[match.start("codes") : after]
        elif match["loose"]:
            after = _list_end(line, _MORE_CODE_LIKE, match.end("loose"))
            loose = line[match.start("loose") : after]
        span = _row_span(row, offset, start, end)
        own_line = not line[:comment].strip()
        codes = _distinct(_WORD.finditer(codes_text)) if codes_text else None
        directive = Directive(row, span, codes, file_wide=bool(match["file"]) and own_line)
        if match["glued"]:
            # ruff's "expected ':'": a word run into noqa is neither a code nor a reason.
            codes_after = line[match.end("glued") : _list_end(line, _MORE_CODES, match.end("glued"))]
            directive.problem = _glued(match["glued"], codes_after, "netspec: noqa" if match["file"] else "noqa")
        elif match["file"] and not match["file_colon"]:
            # A misspelt file-wide directive would otherwise pass for a comment.
            directive.problem = (
                "needs a colon after netspec (`# netspec: noqa`); as written it silences nothing"
                if own_line
                else "needs a colon after netspec (`# netspec: noqa`) and a line of its own to apply to the whole "
                "file; here it has no effect"
            )
        elif len(codes or ()) > MAX_CODES or len(written := _loose_codes(loose)) > MAX_CODES:
            directive.problem = f"lists more than {MAX_CODES:,} different codes; as written it silences nothing"
        elif match["colon"] and codes is None:
            directive.problem = _no_codes(line[after:])
        elif written:
            lookalike = next((code for code in written if _not_a_rule_code(code)), None)
            other = next((code for code in written if not _NETSPEC_CODE.fullmatch(code)), None)
            if lookalike is not None:
                refused = f"needs a colon before its codes, and lists {_not_a_code(lookalike)}"
                directive.problem = f"{refused}; as written it silences nothing"
            elif other is not None:
                # A reason that begins with a word like a code (`noqa resnet50 layout`).
                directive.problem = (
                    f"is followed by '{cut(other)}', which reads as a code without a colon: write codes after one "
                    f"(`# noqa: NS102`), and a reason in parentheses (`# noqa ({cut(other)} …)`); as written it "
                    "silences nothing"
                )
            else:
                listed = listing([cut(code.upper()) for code in written], ", ")
                directive.problem = (
                    f"needs a colon before its codes (`# noqa: {listed}`); without one it would silence all"
                )
        elif not match["colon"] and (hidden := _invisible_in_code(line[after:])):
            directive.problem = (
                f"needs a colon before its codes, and lists {_not_a_code(hidden)}; as written it silences nothing"
            )
        elif not match["colon"] and (separator := _NOT_A_COLON.match(line, after)):
            # ruff's "expected ':'"; flake8 would silence everything.
            directive.problem = (
                f"has `{separator[1]}` where a colon belongs (`# noqa: CODES`); as written it silences nothing"
            )
        elif match["colon"] and (separator := _NOT_A_SEPARATOR.match(line, after)):
            meant = listing([cut(code) for code in (*(codes or ()), separator[2].upper())], ", ")
            directive.problem = (
                f"separates its codes with `{separator[1]}`, where commas or spaces belong "
                f"(`# noqa: {meant}`); as written it silences nothing"
            )
        elif match["colon"] and (more := _ANOTHER_CODE.match(line, after)) and _not_a_rule_code(more[1]):
            # A lookalike or misspelt code after real codes would read as the reason, and go unseen.
            directive.problem = f"lists {_not_a_code(more[1])}; as written it silences nothing"
        elif match["file"] and not own_line:
            directive.problem = "applies to the whole file only on a line of its own; here it has no effect"
        found.append(directive)
    for row, offset, line in past:
        directive = Directive(row, _row_span(row, offset, line.find("#"), len(line.rstrip())), None, file_wide=False)
        directive.problem = (
            f"comes after {MAX_DIRECTIVES:,} lines with one, all that netspec reads in a file: "
            "it and those after it silence nothing"
        )
        found.append(directive)
    return found


#: What a code run into ``noqa`` is written with: ``noqaNS102``, ``noqa-NS102``, ``noqa_NS102``.
_GLUED_CODE = re.compile(rf"[-_]?({_NS_CODE})", re.IGNORECASE)


def _glued(glued: str, codes_after: str, directive: str) -> str:
    """What a ``directive`` (``noqa`` or ``netspec: noqa``) with ``glued`` written right
    after it, with no colon or space between, says; ``codes_after`` are the codes that
    follow the glued one, as a list goes on."""
    code = _GLUED_CODE.fullmatch(glued)
    # Each code once, as many as a directive may list: a 10 MB line of them is read in bounded memory.
    meant = _distinct(_WORD.finditer(f"{code[1]} {codes_after}")) if code else ("CODES",)
    written = f"`# {directive}: {listing([cut(c) for c in meant], ', ')}`"
    return f"runs into `{cut(glued)}`, where a colon belongs ({written}); as written it silences nothing"


#: A rule's name where its code belongs: ``noqa: shrinking-layer``.
_NAMED = re.compile(r"[a-z]+(?:-[a-z]+)+", re.IGNORECASE)


def _no_codes(after: str) -> str:
    """What a ``noqa:`` with no code after its colon says: which code a rule's name means,
    or that a code-like word is none."""
    named = _NAMED.match(after.lstrip())
    if named and (code := CODES_BY_NAME.get(named[0].lower())):
        return f"names the rule {named[0]} where its code belongs (`# noqa: {code}`); as written it silences nothing"
    if (code_like := re.match(_CODE_LIKE, after.lstrip())) and _not_a_rule_code(code_like[0]):
        return f"lists {_not_a_code(code_like[0])}; as written it silences nothing"
    if re.match(rf"{ALL}\b", after.lstrip()):
        return (
            f"lists {ALL}, a selector for --select and --ignore; as written it silences nothing: "
            "a bare `# noqa`, with no colon, silences every rule"
        )
    return "lists no rule codes after the colon; name the codes, or drop the colon to silence all"


def _row_span(row: int, offset: int, start: int, end: int) -> Span:
    """The span from column ``start`` to ``end`` (0-based) of the line at ``row``, which starts
    at text offset ``offset``."""
    return Span(Position(row, start + 1), Position(row, end + 1), offset + start, offset + end)


def _list_end(line: str, more: re.Pattern[str], at: int) -> int:
    """Where a list of codes ends, its first ending at ``at``: one more code at a time."""
    while (found := more.match(line, at)) is not None:
        at = found.end()
    return at


def _distinct(words: Iterator[re.Match[str]], *, upper: bool = True) -> tuple[str, ...]:
    """The different words, in order (upper-cased, or as first written), ASCII ones differing
    by more than case: :data:`MAX_CODES` and one more at most, so that a comment of millions
    costs no more than one past the limit."""
    distinct: dict[str, str] = {}
    for match in words:
        word = match[0]
        # Not a lookalike's: upper-casing would make its ſ an S, and the word a real code.
        distinct.setdefault(word.upper() if word.isascii() else word, word.upper() if upper else word)
        if len(distinct) > MAX_CODES:
            break
    return tuple(distinct.values())


def _loose_codes(loose: str | None) -> tuple[str, ...]:
    """The codes written after a ``noqa`` without a colon, as :func:`_distinct` gives them: up
    to the first word that does not pass for one, which begins the reason (``noqa 第3层`` is a
    bare noqa)."""
    words = _WORD.finditer(loose) if loose else iter(())
    return _distinct(itertools.takewhile(lambda word: word[0].isascii() or _lookalike(word[0]), words), upper=False)


def _lookalike(word: str) -> bool:
    """Whether a word past ASCII passes for a rule code: each character ASCII, or one that
    stands for an ASCII letter or digit (ſ upper-cases to S, a full-width Ｎ is N once
    normalised, ٢ is a digit, a Greek Ν is drawn as N). Other words (第3, Größe2, 输入224,
    см100) are a reason's."""
    import unicodedata  # here only: the check's start-up does without it

    return not word.isascii() and all(
        character.isascii()
        or character in _HOMOGLYPHS
        or character.upper().isascii()
        or character.isdecimal()
        or unicodedata.normalize("NFKC", character).isascii()
        for character in word
    )


def _invisible_in_code(after: str) -> str | None:
    """The first word after a bare ``noqa``, where it would be a code but for characters that
    cannot be seen (a zero-width space, a soft hyphen), which hide it from the patterns."""
    import unicodedata  # here only: the check's start-up does without it

    word = next(iter(after.split()), "")
    visible = "".join(character for character in word if unicodedata.category(character) != "Cf")
    if visible != word and re.fullmatch(_CODE_LIKE, visible) and (visible.isascii() or _lookalike(visible)):
        return word
    return None


def _not_a_rule_code(word: str) -> bool:
    """Whether a word is written as a rule code but is none: a lookalike or a misspelt code."""
    return _lookalike(word) or bool(_SUFFIXED.fullmatch(word))


def _not_a_code(written: str) -> str:
    """Why a word written as a code is none: ``Nſ101`` with a long s, ``NS101x``."""
    import unicodedata  # here only: the check's start-up does without it

    if written.isascii():
        return f"`{cut(written)}`, which is not a rule code: a code is letters, then digits, and nothing after them"
    odd = next(character for character in written if not character.isascii())
    what = f"U+{ord(odd):04X} {unicodedata.name(odd, 'an unnamed character')}"
    return f"`{cut(written)}`, which is not a rule code: its `{odd}` is {what}, not an ASCII letter or digit"


def _comment_start(line: str, content_end: int) -> int | None:
    """Where the comment of a line starts: a ``#`` after the content, at the line's start, after
    :data:`BEFORE_COMMENT`, or right after a quoted scalar that ends the content (``'c'# x``;
    in a plain scalar, ``x'# y`` is text), or None. Within the content, a scalar holds it."""
    position = line.find("#", content_end)
    while position != -1:
        before = line[position - 1] if position else " "
        if before in BEFORE_COMMENT or (before in "'\"" and position == content_end):
            return position
        position = line.find("#", position + 1)
    return None


class Suppressions:
    """The working directives of one text, found once and indexed by the row and the layer
    they cover, so that many problems can be looked up in linear time."""

    def __init__(self, text: str, document: Document) -> None:
        self.directives = directives(text, document)
        working = [d for d in self.directives if d.problem is None]
        # A comment holds one directive, so a row has at most one.
        self.on_row = {d.row: d for d in working if not d.file_wide}
        self.file_wide = [d for d in working if d.file_wide]
        self.in_layer = _directives_by_layer(text, document, self.on_row)
        self._all_codes = any(d.codes is None for d in self.file_wide)
        self._file_codes = {code for d in self.file_wide for code in d.codes or ()}

    def covering(self, code: str, row: int | None, layer_index: int | None) -> list[Directive]:
        """The directives on the problem's row or in its layer that name ``code`` (or all)."""
        if not self.on_row:  # most files: no need to find which rows a layer spans
            return []
        row_directive = self.on_row.get(row) if row is not None else None
        candidates = [row_directive] if row_directive is not None else []
        if layer_index is not None:
            candidates += self.in_layer(layer_index)
        return list({id(d): d for d in candidates if d.covers(code)}.values())

    def covers_file(self, code: str) -> bool:
        return self._all_codes or code in self._file_codes

    def covers(self, code: str, layer_index: int | None, row: int | None = None) -> bool:
        """Whether a comment would silence this problem, were it one netspec can check past.
        Without a row, only the layer's comments and the file-wide ones count."""
        return self.covers_file(code) or bool(self.covering(code, row, layer_index))


def apply(
    diagnostics: Sequence[Diagnostic],
    suppressions: Suppressions,
    enabled: Callable[[str], bool],
    unchecked: Iterable[int] = (),
) -> tuple[list[Diagnostic], list[Unused]]:
    """Drop suppressed diagnostics; return those kept and the directives that silence nothing.

    ``enabled(code)`` tells whether a rule ran on this file; ``unchecked`` are the layers the
    rules could not look at in full, whose directives are not judged. Every directive that
    matches a diagnostic counts as used, so that none of them is reported as unused.
    """
    if not suppressions.directives:
        return list(diagnostics), []
    silenced_file_wide: set[str] = set()
    refused_file_wide: set[str] = set()
    kept = []
    for diagnostic in diagnostics:
        code = diagnostic.code
        covering = suppressions.covering(code, diagnostic.span.start.row, diagnostic.layer_index)
        in_file_wide = suppressions.covers_file(code)
        if diagnostic.blocking:
            for directive in covering:
                directive.refused.add(code)
            refused_file_wide.add(code)
            silenced = bool(covering) or in_file_wide
            kept.append(dataclasses.replace(diagnostic, silenced=True) if silenced else diagnostic)
            continue
        for directive in covering:
            directive.used.add(code)
        if in_file_wide:
            silenced_file_wide.add(code)
        elif not covering:
            kept.append(diagnostic)
    # Per code, not per diagnostic: many file-wide comments and many problems stay linear.
    for directive in suppressions.file_wide:
        directive.used.update(code for code in silenced_file_wide if directive.covers(code))
        directive.refused.update(code for code in refused_file_wide if directive.covers(code))
    for index in unchecked:
        for directive in suppressions.in_layer(index):
            directive.judged = False
    return kept, list(_unused(suppressions.directives, enabled))


def _directives_by_layer(
    text: str, document: Document, on_row: dict[int, Directive]
) -> Callable[[int], list[Directive]]:
    """The directives on the rows of each layer's mapping, worked out when a layer is asked for."""
    rows = sorted(on_row)
    layers = document.data.get("layers") if isinstance(document.data, dict) else None
    count = len(layers) if isinstance(layers, list) else 0
    cache: dict[int, list[Directive]] = {}

    def of_layer(index: int) -> list[Directive]:
        found = cache.get(index)
        if found is None:
            found = []
            if 0 <= index < count:
                path = ("layers", index)
                span = document.span(path)
                if document.has_value(path):
                    # Layers written in the file do not overlap: each directive is found once.
                    # A span ending at column 1 (after a block scalar's line break) has no text
                    # on its last row, which belongs to the next layer.
                    end_row = (
                        span.end.row - 1 if span.end.column == 1 and span.end.row > span.start.row else span.end.row
                    )
                    first = bisect_left(rows, _first_row(text, document, span))
                    last = bisect_right(rows, end_row)
                    found = [on_row[row] for row in rows[first:last]]
                else:
                    # Merged or aliased: its span is one shared with other layers; its first row only.
                    directive = on_row.get(span.start.row)
                    found = [directive] if directive is not None else []
            cache[index] = found
        return found

    return of_layer


def _first_row(text: str, document: Document, span: Span) -> int:
    """The layer's first row: that of the lone ``-`` opening it, when its keys start a later
    row with only blank or comment rows between (``-  # noqa: NS102`` above ``type: conv``)."""
    lines = document.lines
    row_start = lines.line_start(span.start_offset)
    if text[row_start : span.start_offset].strip():  # the layer's own row holds its dash
        return span.start.row
    row = span.start.row
    while row_start > 0:
        above = lines.line_start(row_start - 1)
        content = text[above:row_start].strip()
        row_start, row = above, row - 1
        if content[:1] == "-" and (len(content) == 1 or (content[1] in " \t" and content[2:].lstrip()[:1] == "#")):
            return row
        if content and content[0] != "#":
            break
    return span.start.row


def _unused(found: Sequence[Directive], enabled: Callable[[str], bool]) -> Iterator[Unused]:
    # A directive naming NS900, or a file-wide one covering it, opts out of these reports; a
    # malformed one silences nothing, so it opts out of nothing.
    if any(d.file_wide and not d.problem and d.covers(UNUSED_NOQA) for d in found):
        return
    for directive in found:
        if directive.problem:
            yield Unused(directive.span, f"this `noqa` {directive.problem}")
            continue
        codes = directive.codes or ()
        if UNUSED_NOQA in codes:
            continue
        refused = sorted(directive.refused)
        refusal = f"cannot silence {', '.join(refused)}: netspec cannot check past " + (
            "these problems, so they are always reported" if len(refused) > 1 else "it, so it is always reported"
        )
        if directive.codes is None:
            if refused:
                yield Unused(directive.span, f"this blanket `noqa` {refusal}")
            elif not directive.used and directive.judged:
                where = "in this file" if directive.file_wide else "on this line or layer"
                yield Unused(directive.span, f"unused blanket `noqa`: no problem is reported {where}")
            continue
        unknown = [c for c in codes if c not in RULES]
        unused = [
            c
            for c in codes
            if c in RULES and c not in directive.used and c not in refused and enabled(c) and directive.judged
        ]
        reasons = [f"{cut(code)} is not a netspec rule" for code in unknown]
        reasons += [f"{code} reports nothing here" for code in unused]
        if refused:
            yield Unused(directive.span, f"this `noqa` {refusal}" + "".join(f"; {listing(reasons)}" if reasons else ""))
        elif reasons:
            yield Unused(directive.span, f"unused `noqa`: {listing(reasons)}")


__all__ = ["UNUSED_NOQA", "Directive", "Suppressions", "Unused", "apply", "directives"]
