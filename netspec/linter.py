"""source → schema → graph → rules → selection → sorted diagnostics. No terminal I/O here."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from netspec import noqa
from netspec.analysis import Analysis, analyse
from netspec.diagnostics import Axes, Diagnostic, Kinds, Replacement, Severity, joined, within
from netspec.layers import Fix
from netspec.rules import RULES, Rule, Violation
from netspec.settings import Settings, given
from netspec.source import (
    FILE_START,
    Document,
    FileTooLarge,
    LoadError,
    NotARegularFile,
    Span,
    decode,
    read_limited,
)
from netspec.text import listing

if TYPE_CHECKING:
    from netspec.edits import TextEdit

ISSUES_URL = "https://github.com/netspec/netspec/issues"

T = TypeVar("T")


@dataclass
class FileResult:
    """Everything netspec found in one file."""

    filename: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: The decoded text, when the file could be read (reporters quote it).
    text: str | None = None
    #: The analysis, when the file could be loaded (``show`` and ``--fix`` use it).
    analysis: Analysis | None = None
    #: Set when netspec itself failed on this file: a bug to report, not a spec problem.
    internal_error: str | None = None
    #: How many problems ``--fix`` resolved; ``diagnostics`` are then the ones that remain.
    fixed: int = 0
    #: Set when ``--fix`` left the file unwritten and said why: the summary then does not
    #: offer its fixes to ``--fix`` again.
    unwritten: bool = False
    #: Layers without a problem of their own that the rules could not look at, since an
    #: error before them leaves their input unknown.
    unchecked: int = 0


def _diagnostic(
    code: str,
    message: str,
    filename: str,
    span: Span,
    settings: Settings,
    *,
    severity: Severity | None = None,
    layer: str | None = None,
    layer_index: int | None = None,
    help: str | None = None,
    fix: Fix | None = None,
    blocking: bool | None = None,
    silenced: bool = False,
    axes: Axes = None,
    kinds: Kinds = frozenset(),
) -> Diagnostic:
    rule = RULES[code]
    blocking = rule.blocking if blocking is None else blocking
    return Diagnostic(
        code,
        rule.name,
        _severity(rule, settings, severity, blocking=blocking),
        message,
        filename,
        span,
        layer,
        layer_index,
        help,
        fix,
        blocking=blocking,
        silenced=silenced,
        axes=axes,
        kinds=kinds,
    )


def _severity(rule: Rule, settings: Settings, severity: Severity | None, *, blocking: bool) -> Severity:
    # What netspec cannot check past stays an error: a warning would let `show` pass it.
    own = severity or rule.severity
    return own if blocking else settings.severity_for(rule.code) or own


def _locate(analysis: Analysis, violation: Violation) -> Span:
    document = analysis.document
    if violation.path is not None:
        return document.key_span(violation.path) if violation.at_key else document.span(violation.path)
    if violation.index is not None:
        return document.span(("layers", violation.index))
    return FILE_START


def _with_edit_locations(diagnostic: Diagnostic, text: str, document: Document) -> Diagnostic:
    """The diagnostic with where its fix's edits land, and its fix as text changes, for
    reporters that have no analysis: worked out here unless judging the fix did (assess())."""
    if diagnostic.fix is None or diagnostic.layer_index is None or diagnostic.replacements:
        return diagnostic
    from netspec.edits import Uneditable, layer_edit  # only with a fix to place, as for assess()

    try:
        edits = layer_edit(text, document, diagnostic.layer_index, diagnostic.fix)
    except Uneditable:
        edits = []
    return placed(diagnostic, edits, document)


def placed(diagnostic: Diagnostic, edits: list[TextEdit], document: Document) -> Diagnostic:
    """The diagnostic with its fix's ``edits`` (none when the layer cannot be edited) placed."""
    assert diagnostic.fix is not None and diagnostic.layer_index is not None
    paths = [("layers", diagnostic.layer_index, edit.key) for edit in diagnostic.fix.edits]
    spans = tuple(document.span(path) if document.has_key(path) else None for path in paths)
    replacements = tuple(Replacement(document.lines.text_span(e.start, e.end), e.replacement) for e in sorted(edits))
    return dataclasses.replace(diagnostic, edit_spans=spans, replacements=replacements)


def check(
    analysis: Analysis, settings: Settings, found: Sequence[tuple[Rule, Violation]] | None = None
) -> list[Diagnostic]:
    """Run every enabled rule over an analysis; one diagnostic per rule and layer.

    ``found``, where given, is what :func:`violations` gave under settings that enable the
    same rules (those fixes are judged by, where they agree): it is not found again.

    When a rule finds several problems in one layer (two bad keys), they become one
    diagnostic at the first, whose message lists them (the first :data:`~netspec.diagnostics.MAX_LISTED`).
    """
    diagnostics: list[Diagnostic] = []
    # Per rule and layer: where its diagnostic is, and its messages, in order, without repeats.
    merged: dict[tuple[str, int], tuple[int, dict[str, None]]] = {}
    for rule, violation in violations(analysis, settings) if found is None else found:
        if violation.index is not None:
            earlier = merged.get((rule.code, violation.index))
            if earlier is not None:
                earlier[1][violation.message] = None
                first = diagnostics[earlier[0]]
                if not within(violation.axes, first.axes) or not violation.kinds <= first.kinds:
                    first = diagnostics[earlier[0]] = dataclasses.replace(
                        first, axes=joined(first.axes, violation.axes), kinds=first.kinds | violation.kinds
                    )
                if rule.blocks(violation) and not first.blocking:
                    diagnostics[earlier[0]] = dataclasses.replace(
                        first, blocking=True, severity=_severity(rule, settings, violation.severity, blocking=True)
                    )
                continue
            merged[(rule.code, violation.index)] = (len(diagnostics), {violation.message: None})
        node = analysis.graph.nodes[violation.index] if violation.index is not None else None
        blocking = rule.blocks(violation)
        diagnostics.append(
            _diagnostic(
                rule.code,
                violation.message,
                analysis.filename,
                _locate(analysis, violation),
                settings,
                severity=violation.severity,
                layer=node.name if node else None,
                layer_index=violation.index,
                help=violation.help,
                fix=violation.fix,
                blocking=blocking,
                axes=violation.axes,
                kinds=violation.kinds,
                # Reported only because it blocks: the selection would have hidden it.
                silenced=blocking and not rule.enabled_for(settings, analysis.filename),
            )
        )
    for position, messages in merged.values():
        if len(messages) > 1:
            diagnostics[position] = dataclasses.replace(diagnostics[position], message=listing(list(messages)))
    return diagnostics


def violations(analysis: Analysis, settings: Settings) -> Iterator[tuple[Rule, Violation]]:
    """What every enabled rule finds, and the blocking problems of the others, unmerged and
    unlocated: all that judging a fix needs."""
    for rule in RULES.values():
        if rule.check is None:
            continue
        enabled = rule.enabled_for(settings, analysis.filename)
        if enabled or rule.blocking:
            for violation in rule.check(analysis):
                if enabled or rule.blocks(violation):
                    yield rule, violation


def lint_text(
    text: str | bytes,
    filename: str | os.PathLike[str] = "<string>",
    settings: Settings | None = None,
    *,
    assess_fixes: bool = True,
) -> FileResult:
    """Lint one spec given as text, or as a file's bytes (decoded as :func:`lint_file` decodes
    them: UTF-8, or UTF-16 with or without a byte-order mark).

    ``assess_fixes=False`` leaves every fix's applicability unset: deciding it re-analyses the
    spec once per fix, which ``--fix`` does anyway while it plans each pass.

    The cyclic garbage collector is paused meanwhile, process-wide (it is a process-wide
    switch): a caller linting from several threads may see it paused while another thread
    lints, and a caller that paused it finds it still paused afterwards.
    """
    settings = given(settings, "lint_text")
    filename = os.fspath(filename)
    if not isinstance(text, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"lint_text takes the spec's text as a str or its bytes, not {type(text).__name__}")
    if isinstance(text, (bytes, bytearray, memoryview)):
        try:
            text = decode(bytes(text))
        except LoadError as error:
            return unloadable(filename, error, settings)
    with cyclic_gc_paused():
        return _lint_text(text, filename, settings, assess_fixes)


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a file is linted or fixed (a whole run of
    them, in ``lint_paths`` and ``fix_paths``), or summarised.

    Loading a spec allocates hundreds of thousands of small objects that all live until the
    file is done, and every collection walks them all again: on 20,000 layers that was about
    40% of the time. Nothing a lint builds sits in a reference cycle (a layer error is kept
    without its traceback, whose frames would hold the graph), so what it drops is freed at
    once, collector or not; a test guards this.
    """
    if not gc.isenabled():  # the caller paused it: leave that decision alone
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _lint_text(text: str, filename: str, settings: Settings, assess_fixes: bool) -> FileResult:
    result = FileResult(filename, text=text)
    try:
        result.analysis = analyse(text, filename, Path(filename).stem)
    except LoadError as error:
        return unloadable(filename, error, settings, text)
    # Fixes are judged against what the rules find under the judging settings: where those
    # enable the same rules (the default), one pass of the rules serves both. Else the
    # judging pass waits for a fix to judge: rules the selection leaves out may be costly.
    judging = settings.judging_fixes()
    shared = assess_fixes and all(
        rule.enabled_for(settings, filename) == rule.enabled_for(judging, filename) for rule in RULES.values()
    )
    found = list(violations(result.analysis, judging if shared else settings))
    unchecked = result.analysis.graph.without_output
    result.diagnostics, unused = noqa.apply(
        check(result.analysis, settings, found),
        result.analysis.suppressions,
        lambda code: RULES[code].enabled_for(settings, filename),
        unchecked,
    )
    if assess_fixes and any(d.fix is not None for d in result.diagnostics):
        # Only with a reported fix to judge: a clean or fully suppressed file's start-up stays small.
        from netspec.fix import assess

        result.diagnostics = assess(result.analysis, result.diagnostics, settings, found if shared else None)
    # Only for what is reported: the trial analyses that judge fixes need no spans.
    result.diagnostics = [_with_edit_locations(d, text, result.analysis.document) for d in result.diagnostics]
    if RULES[noqa.UNUSED_NOQA].enabled_for(settings, filename):
        result.diagnostics += [_diagnostic(noqa.UNUSED_NOQA, u.message, filename, u.span, settings) for u in unused]
    result.diagnostics.sort(key=lambda d: d.sort_key)
    reported = {d.layer_index for d in result.diagnostics if d.blocking}
    result.unchecked = sum(index not in reported for index in unchecked)
    return result


def read_source(path: Path, settings: Settings) -> bytes:
    """A spec file's bytes, within the size limit. Raises OSError, or LoadError over the limit."""
    try:
        return read_limited(path, settings.max_file_size)
    except NotARegularFile:
        kinds = "a directory, pipe, device or kernel pseudo-file"
        raise LoadError("NS001", f"not a regular file ({kinds}); a spec is a YAML file") from None
    except FileTooLarge as error:
        raise too_large(error.size, settings) from None


def too_large(size: int | None, settings: Settings, what: str = "file") -> LoadError:
    """The problem of a file (or another ``what``) over the size limit, of ``size`` bytes
    where known."""
    over = f"{size:,} bytes, over" if size is not None else "over"
    return LoadError(
        "NS001",
        f"the {what} is {over} the {settings.max_file_size:,}-byte limit "
        "(--max-file-size, or max-file-size in the configuration)",
    )


def file_name(path: str | Path) -> str:
    """The name a file is reported under: as given, but ``./-`` for a file named ``-``, which
    on its own names standard input."""
    name = str(path)
    return "./-" if name == "-" else name


def lint_file(
    path: str | os.PathLike[str],
    settings: Settings | None = None,
    *,
    assess_fixes: bool = True,
) -> FileResult:
    """Lint one spec file: size limit, decoding, then :func:`lint_text`."""
    path = Path(path)
    settings = given(settings, "lint_file")
    filename = file_name(path)
    try:
        raw = read_source(path, settings)
    except (OSError, LoadError) as error:
        return unreadable(filename, error, settings)
    return lint_text(raw, filename, settings, assess_fixes=assess_fixes)


def unreadable(filename: str, error: OSError | LoadError, settings: Settings, what: str = "file") -> FileResult:
    """The result for a file (or a directory) that cannot be read, or is over the size limit,
    or cannot be decoded."""
    if isinstance(error, OSError):
        error = LoadError("NS001", f"cannot read the {what}: {error.strerror or error}")
    return unloadable(filename, error, settings)


def unloadable(filename: str, error: LoadError, settings: Settings, text: str | None = None) -> FileResult:
    """The result for a file that cannot be loaded. It is reported whatever the selection, as
    ruff reports syntax errors: nothing else can be checked, and a silent pass would lie."""
    diagnostic = _diagnostic(error.code, error.message, filename, error.span, settings, help=error.help)
    return FileResult(filename, [diagnostic], text=text)


def lint_paths(
    paths: Sequence[str | os.PathLike[str]],
    settings: Settings | None = None,
    *,
    jobs: int = 1,
    keep_analysis: bool = True,
) -> list[FileResult]:
    """Lint many files, in order. A bug in netspec on one file is recorded, not raised: the
    others are still checked, and the caller reports it.

    ``keep_analysis=False`` drops each file's analysis as soon as its diagnostics are made, so
    that a run holds only what it reports. ``jobs > 1`` spreads the files over up to that many
    processes, and no more than the available CPUs, when they are large enough to pay for
    starting them (:data:`PARALLEL_MIN_BYTES`);
    it needs ``keep_analysis=False``, since an analysis stays in the process that built it.
    The cyclic garbage collector is paused meanwhile (see :func:`lint_text`).
    """
    if type(jobs) is not int or jobs < 1:  # as --jobs refuses them; a bool is no count either
        raise ValueError(f"jobs must be a whole number, 1 or more, not {jobs!r}")
    if jobs > 1 and keep_analysis:
        raise ValueError("jobs > 1 needs keep_analysis=False: analyses stay in the worker processes")
    files = as_paths(paths, "lint_paths")
    settings = given(settings, "lint_paths")
    # The CPUs bound the work: 100,000 processes would only compete for them.
    jobs = min(jobs, cpu_count())
    # Paused over the whole run, not only per file: the analyses kept meanwhile would
    # otherwise be walked again by every collection between two files, and the results come
    # back from worker processes unpickled, which collections made 7 times slower (200,000
    # diagnostics: 7.4 s, not 1.0 s).
    with cyclic_gc_paused():
        if jobs > 1 and len(files) > 1 and _total_size(files) >= PARALLEL_MIN_BYTES:
            from netspec.parallel import lint_in_processes

            return lint_in_processes(files, settings, jobs)
        return [lint_guarded(path, settings, keep_analysis=keep_analysis) for path in files]


def cpu_count() -> int:
    """The CPUs this process may run on (its affinity mask, where the platform has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def as_paths(paths: Sequence[str | os.PathLike[str]], function: str) -> list[Path]:
    """The paths a library ``function`` was given. One path is refused: a str is a sequence
    too, of one-letter paths."""
    if isinstance(paths, (str, os.PathLike)):
        raise TypeError(f"{function} takes a sequence of paths, not one path: {function}([{paths!r}])")
    return [Path(path) for path in paths]


#: Below this much YAML in total, starting worker processes costs more than it saves. On two
#: cores, files of 40 conv layers: 28 KB took 18 ms in one process and 38 ms over two; 56 KB
#: 34-60 ms and 53-65 ms; 112 KB 88 ms and 83 ms; 224 KB 219 ms and 136 ms.
PARALLEL_MIN_BYTES = 128 * 1024


def _total_size(paths: Sequence[Path]) -> int:
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):  # lint_file reports it
            total += path.stat().st_size
    return total


def lint_guarded(
    path: Path, settings: Settings, *, keep_analysis: bool = True, assess_fixes: bool = True
) -> FileResult:
    """:func:`lint_file`, with a bug in netspec turned into a result instead of raised."""
    # Paused until the analysis is dropped: freed by reference counting while the collector
    # sleeps, its objects never make the collector walk them (130 ms on 20,000 layers).
    with cyclic_gc_paused():
        result = guarded(path, lambda: lint_file(path, settings, assess_fixes=assess_fixes), lambda failed: failed)
        if not keep_analysis:
            result.analysis = None
        return result


def guarded(name: str | Path, work: Callable[[], T], failed: Callable[[FileResult], T], what: str = "file") -> T:
    """``work()``, or, where a bug in netspec escapes it, ``failed`` of the result that reports
    the bug: the last line of defence, so that a bug on one file neither ends the run nor goes
    unreported."""
    try:
        return work()
    except Exception as error:  # noqa: BLE001 - the last line of defence, by design
        return failed(internal_error(name, error, what))


def internal_error(name: str | Path, error: Exception, what: str = "file") -> FileResult:
    """The result for a file (or another ``what``) on which netspec itself failed."""
    name = file_name(name) if isinstance(name, Path) else name  # a str may be stdin's `-`
    message = f"internal error while checking {name}: {bug(error, f' with the {what}')}"
    return FileResult(name, internal_error=message)


def bug(error: Exception, attach: str = "") -> str:
    """An escaped exception, on one line whatever its text holds, and where to report it."""
    return (
        f"{type(error).__name__}: {' '.join(str(error).split())[:200]}. "
        f"This is a bug in netspec; please report it at {ISSUES_URL}{attach}."
    )


__all__ = ["FileResult", "check", "lint_file", "lint_paths", "lint_text"]
