"""Fixes: deciding by re-analysis whether a fix is safe, and applying fixes to files.

A fix is *safe* when applying it makes its own diagnostic disappear and brings no new one
anywhere in the file; otherwise it is *unsafe*. Padding changes every shape downstream, so
this is decided by analysing the changed spec, never by a label per rule. Fixes reach the
text as minimal edits (:mod:`netspec.edits`), never by re-serialising the YAML.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import dataclasses
import difflib
import errno
import functools
import os
import re
import stat
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

from netspec.analysis import Analysis, analyse_document
from netspec.budget import Budget
from netspec.diagnostics import Applicability, Axes, Diagnostic, Kinds, grown, joined, within
from netspec.discovery import working_directory
from netspec.edits import FixError, TextEdit, Uneditable, apply_edits, layer_edit
from netspec.graph import build
from netspec.layers import Fix
from netspec.linter import (
    FileResult,
    as_paths,
    check,
    cyclic_gc_paused,
    file_name,
    guarded,
    lint_text,
    placed,
    read_source,
    too_large,
    unreadable,
    violations,
)
from netspec.noqa import UNUSED_NOQA, Suppressions
from netspec.rules import RULES, Rule, Violation
from netspec.settings import Settings, given
from netspec.source import LINE_BREAK, Document, LoadError, decode
from netspec.spec import validate_layer
from netspec.text import in_words

#: Judging a fix re-analyses the whole spec, so judging every fix of a file is quadratic in
#: its size. These budgets, in layers analysed (:func:`analysis_cost`, what the rules work
#: out past the shapes, :attr:`~netspec.analysis.Analysis.rule_cost`, and what they find:
#: :func:`found_on_trial`), bound that work
#: per file: for marking fixes safe in a check's report (about 1 s at most), and for all the
#: passes of ``--fix`` together (about 5 s). Past a budget, fixes are not judged one by one:
#: a check reports them as such (no applicability), and ``--fix`` judges a pass's remaining
#: fixes together (:func:`plan`). The first fix is always judged.
ASSESSMENT_BUDGET = 20_000
#: Why a check left a fix unjudged.
NOT_JUDGED = "this file has too many fixes to re-check each"
FIX_BUDGET = 50_000
#: Fix passes per file. One pass usually fixes everything; another is needed only where a
#: layer has two fixable problems. Unsafe fixes may undo each other: the cap stops them.
MAX_PASSES = 10
#: A re-analysis goes through a merge input in 0.27 µs and a conv in 3.9 µs, about 14 inputs
#: per layer; counting 8 leaves room: a concat of 9,400 names costs what 1,175 layers do.
INPUTS_PER_LAYER = 8
#: A spec with schema problems is validated whole again (see :func:`reanalyse`), and each
#: error found, 7 µs, costs what about two layers do: one layer with 10,000 unknown keys
#: made a check judging 140 fixes take 16 s.
LAYERS_PER_ERROR = 2
#: Each problem the rules find on a fixed spec is worded as it is found: NS102's message for
#: one of 2,000 shrinking convs, 30 µs, costs what two or three layers do, and judging 10
#: fixes of that chain took 2 s where the budget meant 1.
LAYERS_PER_FINDING = 3


def found_on_trial(trial: Analysis, settings: Settings, budget: Budget) -> list[tuple[Rule, Violation]]:
    """What the rules find on a spec with a fix applied. Charges ``budget`` what that cost past
    analysing the spec (:func:`analysis_cost`, charged before): what the rules worked out,
    and each finding, silenced or not (each was worded)."""
    found = list(violations(trial, settings))
    budget.charge(trial.rule_cost + LAYERS_PER_FINDING * len(found))
    return found


def analysis_cost(analysis: Analysis) -> int:
    """What re-analysing the spec costs, in layers: each layer, its inputs past the first (a
    merge's ``from`` may be long), and each error the spec's validation finds again."""
    nodes = analysis.graph.nodes
    inputs = sum(max(len(node.sources) - 1, 0) for node in nodes) // INPUTS_PER_LAYER
    return len(nodes) + inputs + LAYERS_PER_ERROR * analysis.spec.validation_errors


#: What identifies a problem across re-analyses, its rule and its layer: the key to how it
#: stands (:class:`Seen`).
Finding = tuple[str, int | None]


class Seen(NamedTuple):
    """How a finding stands: whether it stops the check (when a layer has both, it does), the
    axes it is in, and its kinds. A warning that becomes an error netspec cannot look past
    (NS107's reflect padding) is a new problem, and so is one that spreads to another axis
    (rows dropped where only columns were), turns into another kind (input positions left
    unread, where windows only stepped over them), or grows (more positions left unread)."""

    blocking: bool
    axes: Axes
    kinds: Kinds = frozenset()


#: The findings a fix is judged against.
Standing = dict[Finding, Seen]


def with_fixes(data: Any, fixes: Mapping[int, Fix]) -> Any:
    """A copy of the spec data with each fix applied to its layer (the original is untouched)."""
    layers = list(data["layers"])
    for index, fix in fixes.items():
        layer = dict(layers[index])
        for edit in fix.edits:
            layer[edit.key] = edit.value
        layers[index] = layer
    return {**data, "layers": layers}


def reported_findings(diagnostics: Iterable[Diagnostic]) -> set[Finding]:
    return {(d.code, d.layer_index) for d in diagnostics}


def standing_of_diagnostics(diagnostics: Iterable[Diagnostic], suppressions: Suppressions) -> Standing:
    """The diagnostics' findings that a fix is judged against."""
    return unsilenced(((d.code, d.layer_index, Seen(d.blocking, d.axes, d.kinds)) for d in diagnostics), suppressions)


def standing_of_violations(found: Iterable[tuple[Rule, Violation]], suppressions: Suppressions) -> Standing:
    """:func:`standing_of_diagnostics` for what :func:`~netspec.linter.violations` gave."""
    return unsilenced(
        ((rule.code, v.index, Seen(rule.blocks(v), v.axes, v.kinds)) for rule, v in found),
        suppressions,
    )


def unsilenced(found: Iterable[tuple[str, int | None, Seen]], suppressions: Suppressions) -> Standing:
    """The findings no ``noqa`` comment silences (a blocking one never is). A comment says the
    problem is meant, so a fix that brings it to light is still safe. Fixes change layers, so
    the layer's comments and the file-wide ones are all that matter here."""
    standing: Standing = {}
    for code, index, seen in found:
        if seen.blocking or not suppressions.covers(code, index):
            earlier = standing.get((code, index))
            if earlier is not None:
                seen = Seen(
                    earlier.blocking or seen.blocking, joined(earlier.axes, seen.axes), earlier.kinds | seen.kinds
                )
            standing[code, index] = seen
    return standing


def reanalyse(analysis: Analysis, fixes: Mapping[int, Fix]) -> Analysis:
    """The analysis of the spec with each fix applied to its layer.

    When the spec validated, only the edited layers are validated again: a fix is assessed
    for every fixable layer, so re-validating the whole spec each time would make a
    check quadratic in the number of layers. No "did you mean" is worked out: only what a
    trial analysis finds is used, never how its messages read. Counting what windows read
    shares the analysis's budget: the trial's windows are mostly the same ones.
    """
    data = with_fixes(analysis.document.data, fixes)
    document = dataclasses.replace(analysis.document, data=data)
    spec = analysis.spec
    if not spec.problems:
        validated = {index: validate_layer(data["layers"][index]) for index in fixes}
        if all(layer is not None for layer in validated.values()):
            layers, raw_layers = list(spec.layers), list(spec.raw_layers)
            for index, layer in validated.items():
                layers[index], raw_layers[index] = layer, data["layers"][index]
            spec = dataclasses.replace(spec, layers=layers, raw_layers=raw_layers)
            graph = build(spec, suggestions=0, counting=analysis.graph.counting)
            return Analysis(analysis.filename, analysis.text, document, spec, graph)
    return analyse_document(
        document, analysis.text, analysis.filename, analysis.spec.name, suggestions=0, counting=analysis.graph.counting
    )


def is_safe(diagnostic: Diagnostic, before: Standing, after: Standing) -> bool:
    """The diagnostic went away, and nothing appeared that was not there before."""
    return (diagnostic.code, diagnostic.layer_index) not in after and not _new(before, after)


def _new(before: Standing, after: Standing) -> list[Finding]:
    """What ``after`` finds that ``before`` did not: a blocking error where there was only a
    warning counts, and so does a problem in more axes, or of a new kind in an axis; a warning
    where there was a blocking error does not, nor a problem in fewer axes."""
    return [finding for finding, seen in after.items() if finding not in before or _worse(before[finding], seen)]


def _worse(before: Seen, after: Seen) -> bool:
    """Whether a finding that stood before stands worse after: blocking, in an axis it was
    not in, or of a kind, or with more of one, than it was there."""
    return (
        after.blocking > before.blocking
        or not within(after.axes, before.axes)
        or bool(grown(before.kinds, after.kinds))
    )


def judge(
    analysis: Analysis,
    diagnostic: Diagnostic,
    before: Standing,
    settings: Settings,
    suppressions: Suppressions,
    budget: Budget,
) -> tuple[Analysis, list[Diagnostic], bool]:
    """The analysis with the diagnostic's fix applied, its diagnostics, and whether the fix is
    safe: the diagnostic goes away and nothing new appears anywhere in the file. What the
    rules worked out on it is charged to ``budget``."""
    assert diagnostic.fix is not None and diagnostic.layer_index is not None
    after = reanalyse(analysis, {diagnostic.layer_index: diagnostic.fix})
    diagnostics = check(after, settings, found_on_trial(after, settings, budget))
    return after, diagnostics, is_safe(diagnostic, before, standing_of_diagnostics(diagnostics, suppressions))


def assess(
    analysis: Analysis,
    reported: list[Diagnostic],
    settings: Settings,
    found: Iterable[tuple[Rule, Violation]] | None = None,
) -> list[Diagnostic]:
    """``reported`` with the applicability of every fix set. A fix is judged by
    :meth:`Settings.judging_fixes`, against what is found in the file (``found``, where
    given: what :func:`~netspec.linter.violations` gave under them) and no ``noqa`` comment
    silences. A fix that ``--fix`` cannot apply, because the layer's text cannot be edited,
    becomes help: an edit to make by hand."""
    judging = settings.judging_fixes()
    suppressions = analysis.suppressions
    if found is None:
        found = violations(analysis, judging)
    before = standing_of_violations(found, suppressions)
    budget = Budget(ASSESSMENT_BUDGET)
    cost = analysis_cost(analysis)
    assessed: list[Diagnostic] = []
    for diagnostic in reported:
        fix, index = diagnostic.fix, diagnostic.layer_index
        if fix is None or index is None:
            assessed.append(diagnostic)
            continue
        try:
            # Placed now, as the edits are at hand: the linter would work them out again.
            diagnostic = placed(diagnostic, layer_edit(analysis.text, analysis.document, index, fix), analysis.document)
        except Uneditable as reason:
            by_hand = f"{fix.message} by hand: --fix cannot edit this layer, as {reason}"
            help = f"{diagnostic.help}; {by_hand}" if diagnostic.help else by_hand
            assessed.append(dataclasses.replace(diagnostic, fix=None, help=help))
            continue
        if not budget.spend(cost):
            # Neither safe nor unsafe: --fix judges it anew, within its own budget.
            assessed.append(dataclasses.replace(diagnostic, unsafe_because=NOT_JUDGED))
            continue
        trial = reanalyse(analysis, {index: fix})
        after = standing_of_violations(found_on_trial(trial, judging, budget), suppressions)
        if is_safe(diagnostic, before, after):
            assessed.append(dataclasses.replace(diagnostic, applicability=Applicability.SAFE))
        else:
            because = _unsafe_because(diagnostic, before, after, analysis, trial)
            assessed.append(dataclasses.replace(diagnostic, applicability=Applicability.UNSAFE, unsafe_because=because))
    return assessed


def _unsafe_because(
    diagnostic: Diagnostic, before: Standing, after: Standing, unfixed: Analysis, fixed: Analysis
) -> str:
    """What the re-analysis found that makes a fix unsafe: the problem left, or the first new one,
    saying so when its layer had no input shape before the fix: the fix reveals that problem rather
    than causes it, but whether the spec meant it is not for netspec to guess."""
    if (diagnostic.code, diagnostic.layer_index) in after:
        return f"{diagnostic.code} would remain"
    new = sorted(_new(before, after), key=lambda finding: (finding[1] if finding[1] is not None else -1, finding[0]))
    code, index = new[0]
    # Else "would then report NS107" reads as nothing new, where the layer reported it already.
    worse = ""
    if (code, index) in before:
        was, will = before[code, index], after[code, index]
        if will.blocking > was.blocking:
            worse = " as an error netspec cannot check past"
        elif within(will.axes, was.axes):  # in no other axis: of another kind
            kinds = [("" if new else "more ") + kind for kind, new in sorted(grown(was.kinds, will.kinds).items())]
            worse = f" for {in_words(kinds)}"
        elif will.axes is not None and was.axes is not None:
            # Spread to a dimension, or moved there from another: in one it was not in.
            other = len(will.axes - was.axes)
            worse = " in another dimension" if other == 1 else f" in {other} other dimensions"
        else:  # now the problem of the whole layer, where it was in some dimensions
            worse = " for the whole layer"
    more = f" (and {len(new) - 1} more)" if len(new) > 1 else ""
    nodes = fixed.graph.nodes
    if index is None or index >= len(nodes):
        return f"the spec would then report {code}{worse}{more}"
    unchecked = unfixed.graph.nodes[index].inputs is None
    return f"{nodes[index].name}{', unchecked until now,' if unchecked else ''} would then report {code}{worse}{more}"


# --- one pass: which fixes, in which order ------------------------------------------------


@dataclass
class Pass:
    """The fixes of one pass: their text edits, and the data the edited text must load as."""

    edits: list[TextEdit] = field(default_factory=list)
    data: Any = None
    #: Fixes left out because the text cannot be edited safely, with the reason.
    notes: list[str] = field(default_factory=list)
    #: The problems the fixes are for, with those an earlier fix of the pass brought to light.
    fixing: set[Finding] = field(default_factory=set)

    def take(self, fix: JudgedFix) -> None:
        self.edits += fix.edits
        self.fixing.add((fix.code, fix.layer))


class JudgedFix(NamedTuple):
    """A fix of the pass, judged: the analysis with it applied, and that analysis's problems;
    its edits, and the problem it is for."""

    after: Analysis
    diagnostics: list[Diagnostic]
    edits: list[TextEdit]
    code: str
    layer: int


def plan(result: FileResult, settings: Settings, *, unsafe: bool, budget: Budget) -> Pass:
    """Choose this pass's fixes, at most one per layer, walking the layers in file order.

    Each fix is judged on the spec with the earlier fixes of the pass applied: shapes flow
    forward, so fixing a layer may resolve (or change) the problems of the layers after it,
    as fixing AlexNet's conv1 also fixes pool1. Problems a comment or the selection silences
    are not fixed, also where an earlier fix of the pass brought them to light.

    With ``unsafe``, a layer without a safe fix takes its unsafe one; but one that leaves
    layers with fixes unchecked waits until the walk finds nothing else to take, so that
    theirs come first.

    Where ``budget`` runs out, the layers left take their first fix together, judged as one:
    where together they are safe.
    """
    assert result.analysis is not None and result.text is not None
    text, document = result.text, result.analysis.document
    chosen = Pass(data=result.analysis.document.data)
    if budget.left <= 0:
        return chosen
    # Found by the rules fixes are judged by; fixed, only what the selection enables.
    judging = settings.judging_fixes()
    # The text is edited only after the pass, so its comments stay where they are meanwhile.
    suppressions = result.analysis.suppressions

    def survey(analysis: Analysis, diagnostics: list[Diagnostic]) -> Survey:
        return Survey.of(analysis, diagnostics, suppressions, settings)

    # Surveyed again only when a chosen fix changes the analysis, so that a pass costs the
    # layers it judges, not the layers times the fixable problems.
    now = survey(result.analysis, check(result.analysis, judging))
    # An unsafe fix that leaves layers with fixes of their own unchecked (it adds an error
    # before them) waits, so that theirs come first: the first is taken in a pass that finds
    # nothing else to take, and the walk goes on after it as it would have.
    waiting: JudgedFix | None = None
    holding = True
    index = -1
    # The layers left when the budget ran out.
    unjudged: list[int] = []
    while True:
        following = bisect.bisect_right(now.layers, index)
        if budget.left <= 0:
            unjudged = unjudged or now.layers[following:]
            following = len(now.layers)
        if following == len(now.layers):
            if not (holding and waiting is not None and not chosen.edits):
                break
            chosen.take(waiting)
            now = survey(waiting.after, waiting.diagnostics)
            index, holding = waiting.layer, False
            continue
        index = now.layers[following]
        pick: JudgedFix | None = None
        for diagnostic in now.by_layer[index]:
            edits = _edits_to_make(text, document, now.analysis, diagnostic, chosen.notes)
            if edits is None:
                continue
            if not budget.spend(now.cost):
                unjudged = now.layers[following:]
                break
            after, after_diagnostics, safe = judge(now.analysis, diagnostic, now.before, judging, suppressions, budget)
            judged = JudgedFix(after, after_diagnostics, edits, diagnostic.code, index)
            if safe:
                pick = judged
                break
            if unsafe and pick is None:
                hidden = set(after.graph.without_output) - set(now.analysis.graph.without_output)
                if not holding or hidden.isdisjoint(now.by_layer):
                    pick = judged
                elif waiting is None and not chosen.edits:  # judged on what the pass started from
                    waiting = judged
        if pick is not None:
            chosen.take(pick)
            now = survey(pick.after, pick.diagnostics)
    current = now.analysis
    if unjudged:
        # Judged one by one, the fixes of a large file would take time quadratic in its
        # layers, and a second run would find more to fix: those left are judged together.
        together: dict[int, tuple[Diagnostic, list[TextEdit]]] = {}
        for layer in unjudged:
            # (A waiting unsafe fix, taken since, may have left a layer without its problem.)
            for diagnostic in now.by_layer.get(layer, ()):
                edits = _edits_to_make(text, document, current, diagnostic, chosen.notes)
                if edits is not None:
                    together[layer] = diagnostic, edits
                    break
        taken = _safe_together(current, together, now.before, judging, suppressions)
        if taken is not None:
            current, after_diagnostics = taken
            for layer, (diagnostic, edits) in together.items():
                chosen.take(JudgedFix(current, after_diagnostics, edits, diagnostic.code, layer))
    chosen.data = current.document.data
    return chosen


#: The analyses :func:`_safe_together` may spend on one pass's remaining fixes.
TOGETHER_ROUNDS = 4


def _safe_together(
    current: Analysis,
    together: dict[int, tuple[Diagnostic, list[TextEdit]]],
    before: Standing,
    judging: Settings,
    suppressions: Suppressions,
) -> tuple[Analysis, list[Diagnostic]] | None:
    """The analysis with the fixes of ``together`` applied at once, and its problems, where
    together they are safe: each one's problem gone, and none new. ``together`` keeps the
    fixes taken. Left out, each round: a fix worked out for an input whose size the batch
    changes, unless its rule's fix is the same whatever the size (its layer's problem may be
    gone, or want another fix); and one whose problem stays or that brings one to its own
    layer. A new problem elsewhere, which no fix can be blamed for, leaves them all."""
    for _ in range(TOGETHER_ROUNDS):
        fixes = {layer: diagnostic.fix for layer, (diagnostic, _) in together.items() if diagnostic.fix is not None}
        if not fixes:
            return None
        after = reanalyse(current, fixes)
        left_out = {
            layer
            for layer, (diagnostic, _) in together.items()
            if after.graph.nodes[layer].inputs != current.graph.nodes[layer].inputs
            and not RULES[diagnostic.code].fix_keeps_to_input_size
        }
        if not left_out:
            diagnostics = check(after, judging)
            standing = standing_of_diagnostics(diagnostics, suppressions)
            new = {layer for _, layer in _new(before, standing)}
            if not new and all((d.code, layer) not in standing for layer, (d, _) in together.items()):
                return after, diagnostics
            if not new <= set(fixes):
                return None
            left_out = {layer for layer, (d, _) in together.items() if layer in new or (d.code, layer) in standing}
        for layer in left_out:
            del together[layer]
    return None


def _edits_to_make(
    text: str, document: Document, current: Analysis, diagnostic: Diagnostic, notes: list[str]
) -> list[TextEdit] | None:
    """The text edits of the diagnostic's fix; None where the layer already holds what it
    sets (an earlier fix of the pass did it), or where the text cannot be edited (noted)."""
    assert diagnostic.fix is not None and diagnostic.layer_index is not None
    layer = current.document.data["layers"][diagnostic.layer_index]
    if all(layer.get(edit.key) == edit.value for edit in diagnostic.fix.edits):
        return None
    try:
        return layer_edit(text, document, diagnostic.layer_index, diagnostic.fix)
    except Uneditable as reason:
        notes.append(f"{diagnostic.layer}: {diagnostic.code} not fixed: {reason}; edit it by hand")
        return None


@dataclass(frozen=True)
class Survey:
    """What a pass needs of an analysis: the diagnostics it may fix, by layer (with a fix, not
    silenced, and selected), those layers in order, the findings fixes are judged against, and
    a judgement's cost."""

    analysis: Analysis
    by_layer: dict[int, list[Diagnostic]]
    layers: list[int]
    before: Standing
    cost: int

    @classmethod
    def of(
        cls, analysis: Analysis, diagnostics: list[Diagnostic], suppressions: Suppressions, settings: Settings
    ) -> Survey:
        by_layer: dict[int, list[Diagnostic]] = {}
        for d in diagnostics:
            if (
                d.fix is not None
                and d.layer_index is not None
                and not suppressions.covers(d.code, d.layer_index, d.span.start.row)
                and RULES[d.code].enabled_for(settings, analysis.filename)
            ):
                by_layer.setdefault(d.layer_index, []).append(d)
        before = standing_of_diagnostics(diagnostics, suppressions)
        return cls(analysis, by_layer, sorted(by_layer), before, analysis_cost(analysis))


# --- the whole file -----------------------------------------------------------------------


@dataclass(frozen=True)
class FileEncoding:
    """How a spec file's text is written: UTF-8 or UTF-16, with a byte-order mark or not."""

    codec: str
    byte_order_mark: bytes = b""

    def encode(self, text: str) -> bytes:
        return self.byte_order_mark + text.encode(self.codec)

    @property
    def is_utf8(self) -> bool:
        return self.codec == "utf-8"


@dataclass
class FixOutcome:
    """What fixing one file did. ``result`` describes the file as it is afterwards."""

    result: FileResult
    #: The text before fixing; None when the file could not be read.
    original: str | None = None
    #: Fixes that were left out, with the reason (for the user to apply by hand).
    notes: list[str] = field(default_factory=list)
    #: Why the fixed text was not written; the file is then unchanged.
    error: str | None = None
    #: How the file is written; None for text that is not from a file.
    encoding: FileEncoding | None = None
    #: What the original text reported, before any fix: where --diff, which writes nothing,
    #: places the problems that stay.
    found_before: list[Diagnostic] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.original is not None and self.result.text is not None and self.result.text != self.original

    @functools.cached_property
    def fixed_bytes(self) -> bytes:
        """The fixed text in the file's encoding, as --fix writes it: encoded once, to measure
        it against the size limit and to write it."""
        assert self.encoding is not None and self.result.text is not None
        return self.encoding.encode(self.result.text)

    def place_on_disk(self) -> Callable[[Diagnostic], str]:
        """Where a problem of a fixed text that --diff does not write is in the file as it is:
        where the file reports it, by rule and layer, since the diagnostic gives the fixed
        text's row. One the file does not report (an unsafe fix brings it, or an error before
        it hides it) is at its row in the file, where no fix changed that row; else it has no
        place there, and is placed in the fixed text, saying so."""
        name = self.result.filename
        found = {(d.code, d.layer_index): d.span.start for d in self.found_before}
        kept: dict[int, int] | None = None

        def place(d: Diagnostic) -> str:
            nonlocal kept
            start = found.get((d.code, d.layer_index))
            if start is not None:
                return f"{name}:{start.row}:{start.column}"
            if kept is None:  # worked out only for a problem the file does not report
                kept = self._rows_kept()
            row = kept.get(d.span.start.row)
            return f"{d.location} in the fixed text" if row is None else f"{name}:{row}:{d.span.start.column}"

        return place

    def _rows_kept(self) -> dict[int, int]:
        """The rows of the fixed text the diff keeps from the original, each with its row
        there (counted from 1, at the parser's line breaks, as positions are): every row no
        fix changed, but past :data:`MAX_DIFF_WORK`, where repeated rows may be missed."""
        assert self.original is not None and self.result.text is not None
        kept: dict[int, int] = {}
        for tag, a1, a2, b1, _ in _opcodes(LINE_BREAK.split(self.original), LINE_BREAK.split(self.result.text)):
            if tag == "equal":
                kept.update(zip(range(b1 + 1, b1 + 1 + a2 - a1), range(a1 + 1, a2 + 1), strict=True))
        return kept

    def diff(self) -> str:
        """A unified diff from the original text to the fixed one ('' when unchanged)."""
        if not self.changed:
            return ""
        assert self.original is not None and self.result.text is not None
        name = _diff_name(patch_path(self.result.filename))
        # A UTF-8 byte-order mark, which decoding dropped, is part of the first line's bytes.
        mark = "\ufeff" if self.encoding and self.encoding.byte_order_mark == codecs.BOM_UTF8 else ""
        before, after = mark + self.original, mark + self.result.text
        out = []
        for line in _unified_diff(_lines(before), _lines(after), name):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)


#: The work a shortest diff may take (lines compared, and edits tried): a fix's diff takes a
#: few thousand. Past it, lines are matched around those each text holds once.
MAX_DIFF_WORK = 2_000_000


def _unified_diff(before: list[str], after: list[str], name: str, context: int = 3) -> Iterator[str]:
    """``difflib.unified_diff(before, after, name, name)``, but with the fewest lines removed
    and added. difflib matches the longest runs first: on a spec's repeated conv, batchnorm and
    relu rows, five inserted `padding: 1` lines became 35 changed ones, and past 200 lines it
    takes rows that repeat for junk (a 727-line diff for one line)."""
    for number, group in enumerate(_Opcodes(_opcodes(before, after)).get_grouped_opcodes(context)):
        if number == 0:
            yield f"--- {name}\n"
            yield f"+++ {name}\n"
        (_, i1, _, j1, _), (_, _, i2, _, j2) = group[0], group[-1]
        yield f"@@ -{_diff_range(i1, i2)} +{_diff_range(j1, j2)} @@\n"
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                yield from (" " + line for line in before[a1:a2])
                continue
            yield from ("-" + line for line in before[a1:a2])
            yield from ("+" + line for line in after[b1:b2])


Opcode = tuple[Literal["replace", "delete", "insert", "equal"], int, int, int, int]


def _opcodes(before: list[str], after: list[str]) -> list[Opcode]:
    """``SequenceMatcher.get_opcodes`` for a shortest diff (:func:`_shortest_runs`), or, past
    :data:`MAX_DIFF_WORK`, for the runs around the lines each text holds once
    (:func:`_anchored_runs`): a longer diff, but in time n log n, where difflib's matcher took
    time quadratic in the lines that repeat between the changes (79 s for a 22 KB file). The
    lines both texts share at their start and end are set aside first: 10 MB of blank lines
    around one fix are one run each."""
    shortest = min(len(before), len(after))
    start = 0
    while start < shortest and before[start] == after[start]:
        start += 1
    end = 0
    while end < shortest - start and before[-1 - end] == after[-1 - end]:
        end += 1
    old, new = before[start : len(before) - end], after[start : len(after) - end]
    middle = _shortest_runs(old, new)
    if middle is None:
        middle = _anchored_runs(old, new)
    runs = [(0, 0, start), *((x + start, y + start, length) for x, y, length in middle)]
    runs.append((len(before) - end, len(after) - end, end))
    codes: list[Opcode] = []
    i = j = 0
    for x, y, length in [*runs, (len(before), len(after), 0)]:
        if x > i or y > j:
            codes.append(("replace" if x > i and y > j else "delete" if x > i else "insert", i, x, j, y))
        if length:
            codes.append(("equal", x, x + length, y, y + length))
        i, j = x + length, y + length
    return codes


def _shortest_runs(a: list[str], b: list[str]) -> list[tuple[int, int, int]] | None:
    """The runs of equal lines (start in ``a``, start in ``b``, length) of a shortest edit from
    ``a`` to ``b``, in order: Myers' O(ND) difference algorithm (1986), which a fix's few
    edits keep fast on any file. None past :data:`MAX_DIFF_WORK`."""
    n, m = len(a), len(b)
    offset = n + m + 1
    furthest = [0] * (2 * offset + 1)  # per diagonal k = x − y, the furthest x reached
    trace: list[list[int]] = []
    work = 0
    for d in range(n + m + 1):
        trace.append(furthest[offset - d - 1 : offset + d + 2])
        for k in range(-d, d + 1, 2):
            down = k == -d or (k != d and furthest[offset + k - 1] < furthest[offset + k + 1])
            x = furthest[offset + k + 1] if down else furthest[offset + k - 1] + 1
            y = x - k
            start = x
            while x < n and y < m and a[x] == b[y]:
                x, y = x + 1, y + 1
            work += 1 + x - start
            furthest[offset + k] = x
            if x >= n and y >= m:
                return _runs_back(trace, n, m, d)
        if work > MAX_DIFF_WORK:
            return None
    return None  # not reached: d = n + m always ends


def _anchored_runs(a: list[str], b: list[str]) -> list[tuple[int, int, int]]:
    """Runs of equal lines (as :func:`_shortest_runs` gives them) around the lines that ``a``
    and ``b`` each hold once, as patience diff anchors them: the most of those in the same
    order (a longest increasing subsequence), each run grown over the equal lines beside it.
    Between the runs, everything is replaced."""
    in_b = _once_each(b)
    anchors = _increasing([(i, in_b[line]) for line, i in _once_each(a).items() if line in in_b])
    runs: list[tuple[int, int, int]] = []
    end_a = end_b = 0  # where the last run ended
    for i, j in anchors:
        if i < end_a:  # inside the run grown from the anchor before
            continue
        start = 0
        while i - start > end_a and j - start > end_b and a[i - start - 1] == b[j - start - 1]:
            start += 1
        length = 1
        while i + length < len(a) and j + length < len(b) and a[i + length] == b[j + length]:
            length += 1
        runs.append((i - start, j - start, start + length))
        end_a, end_b = i + length, j + length
    return runs


def _once_each(lines: list[str]) -> dict[str, int]:
    """The lines ``lines`` holds once, each with its index."""
    counts = Counter(lines)
    return {line: index for index, line in enumerate(lines) if counts[line] == 1}


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of ``pairs`` (in increasing first items) whose second items
    increase too: patience sorting, in time n log n."""
    # Per length of subsequence, the smallest second item one can end with, and its pair.
    ends: list[int] = []
    tails: list[int] = []
    before = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        length = bisect.bisect_left(ends, j)
        before[k] = tails[length - 1] if length else -1
        if length == len(tails):
            ends.append(j)
            tails.append(k)
        else:
            ends[length], tails[length] = j, k
    chosen = []
    k = tails[-1] if tails else -1
    while k >= 0:
        chosen.append(pairs[k])
        k = before[k]
    return chosen[::-1]


def _runs_back(trace: list[list[int]], x: int, y: int, edits: int) -> list[tuple[int, int, int]]:
    """The equal runs of the path :func:`_shortest_runs` found, followed back from its end.
    ``trace[d]`` holds the furthest x per diagonal before edit ``d``, for k from −d − 1 on."""
    runs = []
    for d in range(edits, 0, -1):
        reached, k = trace[d], x - y
        # Diagonal k is at index k + d + 1 of trace[d]: those of k − 1 and k + 1 are beside it.
        down = k == -d or (k != d and reached[k + d] < reached[k + d + 2])
        previous = k + 1 if down else k - 1
        px = reached[previous + d + 1]
        py = px - previous
        # One line inserted (down) or removed, then a run of equal lines to (x, y).
        mx, my = (px, py + 1) if down else (px + 1, py)
        if x > mx:
            runs.append((mx, my, x - mx))
        x, y = px, py
    if x > 0:
        runs.append((0, 0, x))
    return runs[::-1]


class _Opcodes(difflib.SequenceMatcher[str]):
    """difflib's grouping into hunks (``get_grouped_opcodes``), over opcodes worked out here."""

    def __init__(self, codes: list[Opcode]) -> None:
        super().__init__()
        self.codes = codes

    def get_opcodes(self) -> list[Opcode]:
        return list(self.codes)


def _diff_range(start: int, stop: int) -> str:
    """A hunk's range as unified diffs write it (difflib's ``_format_range_unified``)."""
    length = stop - start
    first = start + 1 if length else start
    return str(first) if length == 1 else f"{first},{length}"


def _lines(text: str) -> list[str]:
    """The lines of ``text`` as diff and patch count them: ended by LF only. A CR is part of
    its line, so a file with CR line breaks is one line to them, as to GNU diff."""
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def patch_path(filename: str) -> str:
    """The name a diff gives a file: the file ``--fix`` writes (a link's target), relative to
    the working directory, so that ``patch -p0`` and ``git apply -p0`` apply it from there.
    A file outside it keeps the name it was given: both tools refuse ``..`` and absolute
    names, for safety, whatever netspec writes."""
    cwd = working_directory()
    if cwd is None:
        return filename
    real = os.path.realpath(filename)
    relative = os.path.relpath(real, cwd)
    outside = relative == os.pardir or relative.startswith(os.pardir + os.sep) or os.path.isabs(relative)
    return filename if outside else Path(relative).as_posix()


def _diff_name(name: str) -> str:
    """A file name for a diff's header, quoted as git quotes names, which patch reads too, when
    it holds a space (where patch would cut it short), a quote, a backslash, a control
    character or a byte past ASCII: C's escapes, and octal for the bytes. A name must not
    drive the terminal, and octal keeps bidirectional controls and bytes that are not UTF-8
    as they are in the file system."""
    raw = os.fsencode(name)
    if all(0x20 < byte < 0x7F and byte not in b'"\\' for byte in raw):
        return name
    quoted = (_QUOTED.get(byte) or (chr(byte) if 0x20 <= byte < 0x7F else f"\\{byte:03o}") for byte in raw)
    return '"' + "".join(quoted) + '"'


_QUOTED = {ord("\\"): "\\\\", ord('"'): '\\"'}


def fix_text(
    text: str,
    filename: str | os.PathLike[str] = "<string>",
    settings: Settings | None = None,
    *,
    unsafe: bool = False,
) -> FixOutcome:
    """Apply the fixes to a spec given as text (safe ones; unsafe ones too with ``unsafe``).

    Fix, re-analyse and repeat until nothing changes, at most :data:`MAX_PASSES` times. The
    result's ``fixed`` counts the problems that were reported or fixed along the way and are
    gone: also those an earlier fix brought to light, as ruff counts every fix it applies, but
    not those only hidden behind an error an unsafe fix added.

    The cyclic garbage collector is paused meanwhile, as in :func:`~netspec.linter.lint_text`:
    planning and judging fixes keep whole analyses alive, which each collection would walk.

    A file's bytes go to :func:`fix_source`, which decodes them as a file is and keeps their
    encoding for writing the fixed text back.
    """
    if not isinstance(text, str):  # lint_text takes bytes; a fixed text must be written back
        raise TypeError(f"fix_text takes a str, not {type(text).__name__}: fix_source fixes a file's bytes")
    with cyclic_gc_paused():
        return _fix_text(text, os.fspath(filename), given(settings, "fix_text"), unsafe)


def _fix_text(text: str, filename: str, settings: Settings, unsafe: bool) -> FixOutcome:
    result = lint_text(text, filename, settings, assess_fixes=False)
    outcome = FixOutcome(result, original=text, found_before=result.diagnostics)
    seen_texts = {text}
    reported = reported_findings(result.diagnostics)
    applied: set[Finding] = set()
    budget = Budget(FIX_BUDGET)
    for _ in range(MAX_PASSES):
        if result.analysis is None:
            break
        if not any(d.fix is not None for d in result.diagnostics):
            # Nothing reported has a fix (a clean file, the common case): a plan, which runs
            # every rule again, would choose none, and leave out none to note.
            outcome.notes = []
            break
        chosen = plan(result, settings, unsafe=unsafe, budget=budget)
        outcome.notes = chosen.notes
        if not chosen.edits:
            break
        fixed = apply_edits(text, chosen.edits)
        if fixed in seen_texts:  # unsafe fixes going round in circles
            break
        after = lint_text(fixed, filename, settings, assess_fixes=False)
        if after.analysis is None or after.analysis.document.data != chosen.data:
            raise FixError("the edited text does not load as the fixed spec")
        text, result = fixed, after
        seen_texts.add(text)
        reported |= chosen.fixing | reported_findings(result.diagnostics)
        applied |= chosen.fixing
    unchecked: set[int | None] = set()
    if result.analysis is not None:
        if any(d.fix is not None for d in result.diagnostics):
            # Only the final report shows which of the remaining fixes are safe. Without a fix
            # left to judge, the last lint is that report already.
            result = lint_text(text, filename, settings)
        assert result.analysis is not None
        unchecked = set(result.analysis.graph.without_output)
    # A comment that a fix put to use is no problem fixed. Nor is a problem on a layer the
    # final analysis cannot reach (an unsafe fix may add an error before it), unless a fix
    # was applied for it: it is no longer reported, but it was not fixed.
    gone = reported - reported_findings(result.diagnostics)
    result.fixed = len({f for f in gone if f[0] != UNUSED_NOQA and (f in applied or f[1] not in unchecked)})
    outcome.result = result
    return outcome


def encoding_of(raw: bytes, text: str) -> FileEncoding | None:
    """How to write text back exactly as ``raw`` was written; None when no way does."""
    forms = (
        FileEncoding("utf-8"),
        FileEncoding("utf-8", codecs.BOM_UTF8),
        FileEncoding("utf-16-le", codecs.BOM_UTF16_LE),
        FileEncoding("utf-16-be", codecs.BOM_UTF16_BE),
        FileEncoding("utf-16-le"),
        FileEncoding("utf-16-be"),
    )
    for form in forms:
        with contextlib.suppress(UnicodeEncodeError):
            if raw.startswith(form.byte_order_mark) and form.encode(text) == raw:
                return form
    return None


class Unreplaceable(OSError):
    """Replacing the file would lose what it is: its links, its owner or its group."""


def replaceable(path: Path) -> tuple[Path, os.stat_result]:
    """The file a replacement of ``path`` writes (a link's target), and its status; OSError
    where the replacement would be refused (see :func:`write_atomically`)."""
    target = path.resolve()
    status = target.stat()
    effective = os.access in os.supports_effective_ids
    # The file's own permission, then its directory's, where the new file is made.
    if not os.access(target, os.W_OK, effective_ids=effective) or not os.access(
        target.parent, os.W_OK | os.X_OK, effective_ids=effective
    ):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    if status.st_nlink > 1:
        raise Unreplaceable(f"it has {status.st_nlink} hard links, which replacing it would split")
    return target, status


#: Why a replacement would be refused after the new file is made (see write_atomically).
_OWNER_CHANGES = "replacing it would change its owner or group"
_MODE_CHANGES = "replacing it would change its mode"


@functools.cache  # a property of the process, read once
def _privileged() -> bool:
    """Whether this process may give files away (CAP_CHOWN, where Linux says; else root)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) & 1)
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _kept_forecast(target: Path, status: os.stat_result) -> str | None:
    """Why a new file in ``target``'s directory could not be given ``target``'s owner, group
    and mode, as POSIX allows a process without privilege: its own user, a group it is in,
    and the set-group-ID bit only for such a group; None when it could. Only a forecast, for
    ``--diff``: ``--fix`` tries, and refuses when it cannot."""
    if not hasattr(os, "geteuid") or _privileged():
        return None
    directory = target.parent.stat()
    group = directory.st_gid if directory.st_mode & stat.S_ISGID else os.getegid()
    groups = (os.getegid(), *os.getgroups())
    if status.st_uid != os.geteuid() or status.st_gid not in (group, *groups):
        return _OWNER_CHANGES
    if status.st_mode & stat.S_ISGID and status.st_gid not in groups:
        return _MODE_CHANGES
    return None


def write_atomically(path: Path, data: bytes) -> None:
    """Replace the file's contents all at once: readers see the old file or the new, never half.

    A symlink is followed, so the link stays a link. The new file keeps the old one's mode,
    owner and group. What a rename cannot keep is refused with OSError before the file is
    replaced: a file this process may not write, one with other hard links (they would keep
    the old text), and an owner or group this process may not give. On any failure the file
    is untouched.
    """
    target, status = replaceable(path)
    # Named after the file, cut so that the name stays within 255 bytes (48 characters take
    # at most 192 in UTF-8) when the file's own name is near that limit.
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:48]}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        created = os.stat(temporary)
        if (created.st_uid, created.st_gid) != (status.st_uid, status.st_gid):
            try:
                os.chown(temporary, status.st_uid, status.st_gid)
            except OSError:  # EPERM, or EINVAL for an ID a user namespace does not map
                raise Unreplaceable(_OWNER_CHANGES) from None
        # After chown, which may clear the set-user-ID and set-group-ID bits.
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
        # Linux drops the set-group-ID bit, without an error, for a process outside the group.
        if stat.S_IMODE(os.stat(temporary).st_mode) != stat.S_IMODE(status.st_mode):
            raise Unreplaceable(_MODE_CHANGES)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def fix_file(
    path: str | os.PathLike[str],
    settings: Settings | None = None,
    *,
    unsafe: bool = False,
    write: bool = True,
    earlier: FixOutcome | None = None,
) -> FixOutcome:
    """Fix one spec file in place (or only compute the fixed text, with ``write=False``).

    ``earlier``, without ``write``: the outcome of fixing the same file under another name
    before (a link and its target), which --fix would have written. This fix starts from its
    text, and the outcome's original is the file's, so that its diff shows both."""
    path = Path(path)
    name = file_name(path)
    settings = given(settings, "fix_file")
    follows = earlier is not None and earlier.changed and earlier.encoding is not None and earlier.error is None
    try:
        if follows:
            assert earlier is not None
            raw = earlier.fixed_bytes
        else:
            raw = read_source(path, settings)
    except (OSError, LoadError) as error:
        return FixOutcome(unreadable(name, error, settings))
    outcome = fix_source(raw, name, settings, unsafe=unsafe)
    if follows and outcome.original is not None:
        assert earlier is not None
        outcome.original, outcome.found_before = earlier.original, earlier.found_before
    if not outcome.changed:
        return outcome
    original = outcome.original
    assert original is not None
    if not write:
        try:
            target, status = replaceable(path)
            refusal = _kept_forecast(target, status)
            if refusal is not None:
                raise Unreplaceable(refusal)
        except OSError as error:
            # A diff of what --fix would refuse to write is no diff of what it would change.
            reason = error.strerror or str(error)
            return _unwritten(name, original, settings, f"--fix cannot write {path}: {reason}; no diff is shown for it")
        return outcome
    try:
        if read_source(path, settings) != raw:
            return _unwritten(name, original, settings, f"{path} changed while it was being fixed; it was left alone")
        write_atomically(path, outcome.fixed_bytes)
    except (OSError, LoadError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        return _unwritten(name, original, settings, f"cannot write {path}: {reason}; it was left unchanged")
    return outcome


def fix_source(
    raw: bytes,
    filename: str | os.PathLike[str] = "<string>",
    settings: Settings | None = None,
    *,
    unsafe: bool = False,
) -> FixOutcome:
    """Fix a spec given as a file's bytes, decoded as a file is. The outcome's ``encoding``
    writes the fixed text back as the bytes were written; a spec whose encoding cannot be is
    not fixed, and the outcome's ``error`` says so."""
    filename = os.fspath(filename)
    settings = given(settings, "fix_source")
    try:
        text = decode(raw)
    except LoadError as error:
        return FixOutcome(unreadable(filename, error, settings))
    encoding = encoding_of(raw, text)
    if encoding is None:
        return _unwritten(
            filename, text, settings, f"cannot fix {filename}: its encoding cannot be written back byte for byte"
        )
    outcome = fix_text(text, filename, settings, unsafe=unsafe)
    outcome.encoding = encoding
    if outcome.changed:
        # Written, a fixed file over the limit would be refused by the next check: a fix
        # that swaps the problems it fixes for NS001.
        size = len(outcome.fixed_bytes)
        if size > settings.max_file_size:
            over = too_large(size, settings, "fixed text").message
            return _unwritten(filename, text, settings, f"cannot fix {filename}: {over}; it was left unchanged")
    return outcome


def _unwritten(filename: str, text: str, settings: Settings, error: str) -> FixOutcome:
    """The file is as it was: report its problems as they are."""
    result = lint_text(text, filename, settings)
    result.unwritten = True
    return FixOutcome(result, original=text, error=error)


def why_not_fixed(diagnostic: Diagnostic, result: FileResult) -> str:
    """Why an error that stops the checking stays after fixing."""
    after = "what depends on it was neither checked nor fixed"
    if diagnostic.fix is None:
        return f"no automatic fix; {after}"
    if diagnostic.silenced:
        return f"silenced here, so not fixed; {after}"
    if result.unwritten:
        return f"its file could not be written; {after}"
    if diagnostic.applicability is Applicability.UNSAFE:
        return f"its fix is unsafe, and --unsafe-fixes applies it; {after}"
    return f"not fixed; {after}"


def fix_paths(
    paths: Sequence[str | os.PathLike[str]],
    settings: Settings | None = None,
    *,
    unsafe: bool = False,
    write: bool = True,
    keep_analysis: bool = True,
) -> list[FixOutcome]:
    """Fix many files. A bug in netspec on one file is recorded, not raised, as in ``lint_paths``.

    ``keep_analysis=False`` drops each file's final analysis once it is fixed, as
    ``lint_paths`` does: a run then holds only what it reports. The cyclic garbage collector
    is paused meanwhile, as in ``lint_paths``.
    """
    settings = given(settings, "fix_paths")
    outcomes = []
    # Without ``write``, each file's latest outcome by its real path: a file named twice (a
    # link and its target) is fixed under its second name from the text --fix would have
    # written under the first.
    latest: dict[str, FixOutcome] = {}
    with cyclic_gc_paused():  # over the whole run, as lint_paths pauses it
        for path in as_paths(paths, "fix_paths"):
            real = os.path.realpath(path)
            work = functools.partial(fix_file, path, settings, unsafe=unsafe, write=write, earlier=latest.get(real))
            outcome = guarded(path, work, FixOutcome)
            if not keep_analysis:
                outcome.result.analysis = None
            if not write:
                latest[real] = outcome
            outcomes.append(outcome)
    return outcomes


__all__ = [
    "MAX_PASSES",
    "FixOutcome",
    "assess",
    "fix_file",
    "fix_paths",
    "fix_source",
    "fix_text",
]
