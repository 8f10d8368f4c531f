"""The reporter interface, and the summary every human-readable format ends with."""

from __future__ import annotations

import contextlib
import functools
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar, TextIO

from netspec.diagnostics import Diagnostic, Severity
from netspec.discovery import working_directory
from netspec.linter import FileResult
from netspec.text import plural


class Reporter:
    """Writes the results of one run in one format. One subclass per format.

    ``unsafe_fixes``: the run has ``--unsafe-fixes``, so ``--fix`` would apply the unsafe fixes
    too, and a format that marks or counts what ``--fix`` applies counts them (as ruff does).
    ``with_summary``: a format for people ends with the :func:`summary`, which a report printed
    under ``--quiet`` leaves out.
    """

    #: Read by programs, which take it as UTF-8 whatever the console's encoding (JSON and SARIF
    #: must be UTF-8); a format for people follows the console's.
    for_programs: ClassVar[bool] = True

    def __init__(self, *, unsafe_fixes: bool = False, with_summary: bool = True) -> None:
        self.unsafe_fixes = unsafe_fixes
        self.with_summary = with_summary

    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        raise NotImplementedError

    def write_summary(self, results: Sequence[FileResult], out: TextIO) -> None:
        if self.with_summary:
            out.write(summary(results, unsafe_fixes=self.unsafe_fixes) + "\n")

    def marked(self, d: Diagnostic, result: FileResult) -> bool:
        """Whether the problem gets the ``[*]`` of one ``--fix`` would fix: not in a file it
        has just failed to write, which it would fail on again."""
        return d.fixable(unsafe=self.unsafe_fixes) and not result.unwritten

    def headline(self, d: Diagnostic, result: FileResult) -> str:
        """``CODE [*] severity: message``, for people, with the marker where :meth:`marked`."""
        marker = " [*]" if self.marked(d, result) else ""
        return f"{d.code}{marker} {d.severity.value}: {inline(d.message)}"


#: Unicode's bidirectional controls (marks, embeddings, overrides, isolates): in a name they
#: would reorder how the rest of the line displays ("Trojan Source", CVE-2021-42574).
BIDI_CONTROLS = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))

#: Unicode's other format characters (category Cf) that show nothing and that no script needs
#: within a word: names that differ by one (a zero-width space, a soft hyphen, a tag
#: character) would print alike, and "did you mean 'conv'?" answer 'conv\u200b'. The joiners
#: (U+200C, U+200D: Persian and Indic words, emoji), the signs that show (Arabic number signs)
#: and the layout controls of Egyptian hieroglyphs and Duployan shorthand are written as they are.
HIDDEN_CHARACTERS = (
    *(0x00AD, 0x180E, 0x200B, 0xFEFF, 0xE0001),
    *range(0x2060, 0x2065),
    *range(0x206A, 0x2070),
    *range(0xFFF9, 0xFFFC),
    *range(0x1D173, 0x1D17B),
    *range(0xE0020, 0xE0080),
)


def _escapes(codes: Iterable[int]) -> dict[int, str]:
    return {code: f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}" for code in codes}


#: Characters that would end a line, or drive the terminal (C0 and C1 controls, DEL), or
#: reorder it (bidirectional controls), in a line-based report, with the escapes written
#: instead: a layer named "x\n::error ..." must not start a line of its own, nor
#: "\x1b]0;..." set the terminal's title.
_TERMINAL_CONTROLS = (
    {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}
    | _escapes((0x2028, 0x2029, *BIDI_CONTROLS))
    | {ord("\t"): "\t", ord("\n"): "\\n", ord("\r"): "\\r"}
)
#: Those, and the characters that hide in a message.
_UNPRINTABLE = _TERMINAL_CONTROLS | _escapes(HIDDEN_CHARACTERS)


def one_line(text: str, *, location: bool = False) -> str:
    """``text``, printed as a line of its own: line breaks, control characters and hidden
    ones escaped (tabs kept), and no workflow command in it (:func:`no_workflow_command`).
    A ``location`` (a file's name, and where in it) keeps its hidden characters, so that it
    still names the file."""
    return no_workflow_command(text.translate(_TERMINAL_CONTROLS if location else _UNPRINTABLE))


def inline(text: str, *, location: bool = False) -> str:
    """``text``, printed after the start of a line: as :func:`one_line`, but a ``::`` it starts
    with starts no command there, and stays as written, so that a file name still pastes."""
    return no_legacy_command(text.translate(_TERMINAL_CONTROLS) if location else printable(text))


def printable(text: str) -> str:
    """``text`` on one line: line breaks, control characters and hidden ones escaped (tabs
    kept). A format that escapes ``##[`` its own way (JUnit's ``&#35;``) takes it from here."""
    return text.translate(_UNPRINTABLE)


def no_workflow_command(line: str) -> str:
    """``line`` that GitHub's runner cannot read as a workflow command: no ``##[``
    (:func:`no_legacy_command`), and a word joiner between the colons of a ``::`` that starts
    it, spaces aside. A spec named ``::add-mask::x`` would otherwise drive the log from the
    title of ``netspec show``."""
    line = no_legacy_command(line)
    if not starts_workflow_command(line):
        return line
    text = line.lstrip()
    return f"{line[: len(line) - len(text)]}:\u2060{text[1:]}"


def starts_workflow_command(line: str) -> bool:
    """Whether GitHub's runner would read ``line`` as a workflow command: ``::`` starts it,
    spaces aside."""
    return line.lstrip().startswith("::")


def no_legacy_command(line: str) -> str:
    """``line`` with a word joiner (invisible, no width) between the signs of every ``##[``.

    GitHub's runner reads ``##[command]`` anywhere in a line of a step's log as a workflow
    command (the legacy syntax): a layer named ``##[error file=a.yaml]x`` would forge an
    annotation from any line that names it, on stdout or stderr."""
    return line.replace("##[", "#\u2060#[") if "##[" in line else line


def json_text(value: Any, **options: Any) -> str:
    """``value`` as JSON (``json.dumps``'s ``options``), every ``##[`` in it written
    ``#\\u0023[``: a parser reads it back as ``##[``, and GitHub's runner, which would read a
    command anywhere in a line (:func:`no_legacy_command`), reads none in the step's log."""
    return json.dumps(value, **options).replace("##[", "#\\u0023[")


def _but_line_breaks(escapes: dict[int, str]) -> dict[int, str]:
    """``escapes`` but for LF and CR, which some formats encode their own way."""
    return {code: escape for code, escape in escapes.items() if code not in (ord("\n"), ord("\r"))}


_CONTROLS = _but_line_breaks(_UNPRINTABLE)
_NAME_CONTROLS = _but_line_breaks(_TERMINAL_CONTROLS)


def without_controls(text: str) -> str:
    """``text`` with control and hidden characters escaped, LF and CR left to the format."""
    return text.translate(_CONTROLS)


def without_terminal_controls(name: str) -> str:
    """A file's ``name`` with what would drive or reorder a terminal escaped, LF and CR left to
    the format: a hidden character stays, so that the name still names the file."""
    return name.translate(_NAME_CONTROLS)


def applicability(d: Diagnostic) -> str:
    """A fix's applicability as the machine formats give it: a fix nobody judged (the library's
    ``assess_fixes=False``) counts as unsafe, since ``--fix`` would not apply it on its own."""
    return d.applicability.value if d.applicability else "unsafe"


def fix_safety(d: Diagnostic, *, unwritten: bool) -> str:
    """Whether ``--fix`` would apply a fix, in words: ``safe``, ``unsafe: conv2 would then report
    NS101``, ``unverified``, with ``; silenced, so --fix leaves it`` under a ``noqa``, and
    ``; --fix could not write this file`` when it has just failed to (``unwritten``)."""
    safety = d.applicability.value if d.applicability else "unverified"
    if d.unsafe_because:
        safety += f": {d.unsafe_because}"
    if d.silenced:
        safety += "; silenced, so --fix leaves it"
    elif unwritten:
        safety += "; --fix could not write this file"
    return safety


def all_diagnostics(results: Sequence[FileResult]) -> list[Diagnostic]:
    return [d for result in results for d in result.diagnostics]


def utf8_name(filename: str) -> str:
    """A file name as the UTF-8 formats must hold it. Where the file system's encoding is not
    UTF-8 (LC_ALL=C), Python gives each byte past ASCII as a lone surrogate: bytes that are
    UTF-8 become their characters again, and only the others stay escaped."""
    return os.fsencode(filename).decode("utf-8", "surrogateescape")


def relative_path(filename: str, *, from_source_root: bool = False) -> str:
    """The file's POSIX path relative to the current directory (under either of its names:
    :func:`_names_of`), or to the root of the source tree (:func:`source_root`), when it lies
    below it, else absolute; in UTF-8 (:func:`utf8_name`)."""
    cwd = working_directory()
    path = Path(filename) if cwd is None else Path(_absolute(filename))
    if cwd is not None:
        roots = _source_roots(cwd) if from_source_root else _names_of(cwd, os.environ.get("PWD"))
        base = next((name for name in roots if path.is_relative_to(name)), None)
        if base is not None:
            path = path.relative_to(base)
    return utf8_name(path.as_posix())


@functools.cache
def _names_of(cwd: str, logical: str | None) -> tuple[str, ...]:
    """The current directory's path, and the shell's (``$PWD``) where that is another path to
    it, through a link: ``netspec check "$PWD/a.yaml"`` names a file below it too."""
    if logical and logical != cwd and os.path.isabs(logical):
        with contextlib.suppress(OSError):
            if os.path.samefile(logical, cwd):
                return cwd, logical
    return (cwd,)


def source_root() -> str | None:
    """The root of the source tree, which code scanning and the GitHub runner take a file's
    relative path to start from: the workspace (``GITHUB_WORKSPACE``, the repository's root) in
    GitHub Actions; else the repository that holds the current directory (the nearest
    directory up with a ``.git``); else the current directory. None without a current directory."""
    cwd = working_directory()
    return None if cwd is None else _source_roots(cwd)[0]


def _source_roots(cwd: str) -> tuple[str, ...]:
    """:func:`source_root` under each of its names."""
    return _source_roots_of(cwd, os.environ.get("PWD"), os.environ.get("GITHUB_WORKSPACE"))


@functools.cache
def _source_roots_of(cwd: str, logical: str | None, workspace: str | None) -> tuple[str, ...]:
    """Resolved once, rather than for every diagnostic."""
    names = _names_of(cwd, logical)
    if workspace and os.path.isabs(workspace):
        # It may be a link or hold "..": what it names, and the name as written.
        roots = [os.path.realpath(workspace), os.path.abspath(workspace)]
    else:
        root = _repository_holding(cwd)
        if root is None:
            return names
        roots = [root]
    # The same directory under the shell's name too, where $PWD reaches the current one
    # through a link: as many levels up from it.
    if not Path(cwd).is_relative_to(roots[0]):  # a workspace elsewhere
        return tuple(dict.fromkeys(roots))
    for name in names[1:]:
        for _ in Path(cwd).relative_to(roots[0]).parts:
            name = os.path.dirname(name)
        with contextlib.suppress(OSError):
            if os.path.samefile(name, roots[0]):
                roots.append(name)
    return tuple(dict.fromkeys(roots))


def _repository_holding(directory: str) -> str | None:
    """The nearest directory from ``directory`` up that holds ``.git`` (a directory, or the
    file of a worktree or submodule)."""
    while not os.path.lexists(os.path.join(directory, ".git")):
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent
    return directory


def _absolute(filename: str) -> str:
    """The absolute path of ``filename``, with symbolic links kept, as abspath keeps them (a
    symlinked spec keeps the path it has in the repository). But the file system takes
    "link/.." as the parent of the link's target, where abspath would drop both: there, and
    only there, the link is resolved."""
    parts = Path(filename).parts
    if ".." not in parts:
        return os.path.abspath(filename)
    path = os.getcwd()
    for part in parts:
        if part != "..":
            path = os.path.join(path, part)
        else:
            path = os.path.dirname(os.path.realpath(path) if os.path.islink(path) else path)
    return path


def summary(results: Sequence[FileResult], *, unsafe_fixes: bool = False) -> str:
    """``Found 3 problems (1 error, 2 warnings) in 2 files.``, ``Found 4 problems (3 fixed, 1 remaining).``
    after ``--fix``, or ``All checks passed!``; then what ``--fix`` could still do (with
    ``--unsafe-fixes`` when ``unsafe_fixes``)."""
    diagnostics = all_diagnostics(results)
    files = len(results)
    fixed = sum(result.fixed for result in results)
    failed = sum(result.internal_error is not None for result in results)
    if failed:
        # Never "All checks passed!" when a file was not checked at all.
        unchecked = f"{plural(failed, 'file')} could not be checked (internal error, see above)."
        checked = [r for r in results if r.internal_error is None]
        if diagnostics or fixed:
            return f"{summary(checked, unsafe_fixes=unsafe_fixes)}\n{unchecked}"
        return f"No problems in {plural(len(checked), 'other file')}.\n{unchecked}" if checked else unchecked
    if fixed:
        line = f"Found {plural(fixed + len(diagnostics), 'problem')} ({fixed} fixed, {len(diagnostics)} remaining)."
    elif not diagnostics:
        return f"All checks passed! ({plural(files, 'file')} checked)"
    else:
        errors = sum(d.severity is Severity.ERROR for d in diagnostics)
        warnings = len(diagnostics) - errors
        affected = len({d.filename for d in diagnostics})
        line = (
            f"Found {plural(len(diagnostics), 'problem')} ({plural(errors, 'error')}, {plural(warnings, 'warning')}) "
            f"in {plural(affected, 'file')}."
        )
    # Not the fixes of a file --fix left unwritten: it said why, and the same run would fail again.
    writable = all_diagnostics([result for result in results if not result.unwritten])
    fixable = sum(d.fixable(unsafe=unsafe_fixes) for d in writable)
    hidden = sum(d.fixable(unsafe=True) for d in writable) - fixable
    hint = f"{plural(hidden, 'hidden fix', ending='es')} can be enabled with the `--unsafe-fixes` option"
    # Past a check's budget for judging them: --fix judges them anew, one by one as far as its
    # own budget allows, the rest together.
    unjudged = sum(d.fix is not None and d.applicability is None and not d.silenced for d in writable)
    if fixable:
        line += f"\n[*] {fixable} fixable with the `--fix` option{f' ({hint})' if hidden else ''}."
    elif hidden:
        line += f"\nNo fixes available ({hint})."
    if unjudged:
        line += (
            f"\n{plural(unjudged, 'more fix', ending='es')} not judged, too many in one file to re-check each: "
            "`--fix` applies those it finds safe, the last ones where they are safe together."
        )
    unreached = sum(result.unchecked for result in results)
    if unreached:
        # Else fixing the errors would bring up problems this report did not hint at.
        several = sum(d.blocking for d in diagnostics) > 1
        line += (
            f"\n{plural(unreached, 'layer')} after the error{'s' if several else ''} could not be checked: "
            f"fix {'them' if several else 'it'} and run again."
        )
    return line
