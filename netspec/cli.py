"""The command line: a shell that parses arguments, finds files, picks a reporter and sets the
exit code. Checking, fixing, discovery and the reports are the library's (:mod:`netspec`);
what is the command line's own is where things go: a spec read from standard input and
printed back fixed, diffs, warnings on stderr, the output file, and the exit code."""

from __future__ import annotations

import contextlib
import errno
import io
import itertools
import os
import shutil
import signal
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TextIO

import typer

from netspec import __version__, source
from netspec.config import ConfigError, Overrides, resolve, split_flag
from netspec.diagnostics import Severity
from netspec.discovery import discover, is_directory, is_excluded, missing
from netspec.linter import (
    FileResult,
    bug,
    cyclic_gc_paused,
    guarded,
    lint_guarded,
    lint_paths,
    lint_text,
    too_large,
    unloadable,
    unreadable,
)
from netspec.report import REPORTERS, reporter
from netspec.report.base import one_line, summary
from netspec.settings import DEFAULT_MAX_FILE_SIZE, Settings
from netspec.text import cut, listing, plural

if TYPE_CHECKING:
    from netspec.fix import FixOutcome

app = typer.Typer(
    name="netspec",
    help="Static shape checking for neural-network architecture specs written in YAML.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Click's plain help: rich's panels cut option names short in an 80-column terminal or log.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


# Every path parameter is read by name_parameter (through path_parameter, but where `-` may
# name standard input), not click's Path type: netspec reports an unreadable file itself (a
# spec's is NS001, exit 1, and the other files are still checked), where click would stop the
# whole run with a usage error.
def path_parameter(value: str) -> Path:
    """A path given on the command line (see :func:`name_parameter`)."""
    return Path(name_parameter(value))


def name_parameter(value: str) -> str:
    """A path as written on the command line, where ``-`` may be standard input and ``./-`` a
    file named ``-``, which a Path would spell the same way. An empty one (an unset variable
    in a script) is refused, where click would take it for the current directory."""
    if value == "":
        raise typer.BadParameter("an empty path was given (an unset variable?)")
    return value


def counting(what: str) -> Callable[[str], int]:
    """A parser of a whole number of ``what``, 1 or more, that says so when it is not (click's
    own says "Input should be greater than or equal to 1")."""

    def parse(value: str) -> int:
        digits = value.strip()
        try:
            # ASCII digits only, where int() would also read "+3", "3_000" and "٣"; it refuses
            # 5,000 digits.
            number = int(digits) if digits.isascii() and digits.isdecimal() else 0
        except ValueError:
            number = 0
        if number < 1:
            raise typer.BadParameter(f"expected a whole number of {what}, 1 or more, not {cut(value)!r}")
        return number

    return parse


#: The path that names standard input, as in ruff and most Unix tools.
STDIN = "-"


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="Read this configuration file instead of the nearest netspec.toml/pyproject.toml; "
        "its patterns describe paths from the working directory.",
        parser=path_parameter,
    ),
]

#: Exit codes: what CI scripts rely on.
EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def to_stderr(message: str) -> None:
    """One line on stderr, whatever the file and layer names in it hold."""
    typer.echo(one_line(message), err=True)


def usage_error(message: str) -> NoReturn:
    to_stderr(f"netspec: error: {message}")
    raise typer.Exit(EXIT_USAGE)


class Verbosity(IntEnum):
    """How much a run prints besides its errors, which it always prints (they explain an exit
    code of 1 or 2 that no problem does), as ruff's levels."""

    #: Nothing: the exit code says whether there were problems (or a diff).
    SILENT = 0
    #: The problems (or the diff), and nothing else: no summary, no warnings.
    QUIET = 1
    #: The problems, then the summary; warnings about the run.
    DEFAULT = 2
    #: Also how netspec runs.
    VERBOSE = 3

    @classmethod
    def from_flags(cls, *, verbose: bool, quiet: bool, silent: bool) -> Verbosity:
        chosen = [level for level, flag in ((cls.VERBOSE, verbose), (cls.QUIET, quiet), (cls.SILENT, silent)) if flag]
        if len(chosen) > 1:
            usage_error("--verbose, --quiet and --silent cannot be used together")
        return chosen[0] if chosen else cls.DEFAULT

    @property
    def prints_results(self) -> bool:
        """The problems, or the diff."""
        return self > Verbosity.SILENT

    @property
    def prints_messages(self) -> bool:
        """The summary, the counts of fixes, and the warnings."""
        return self >= Verbosity.DEFAULT

    def tell(self, message: str) -> None:
        """How netspec runs, under --verbose."""
        if self >= Verbosity.VERBOSE:
            to_stderr(f"netspec: {message}")

    def warn(self, message: str, *, at: Verbosity | None = None) -> None:
        """A warning, printed from the verbosity ``at`` up: by default talk about the run,
        which -q leaves out; at QUIET, one that stands in for a report none is printed."""
        if self >= (Verbosity.DEFAULT if at is None else at):
            to_stderr(f"netspec: warning: {message}")


def choice(option: str, value: str, choices: Iterable[str]) -> str:
    if value not in choices:
        usage_error(f"invalid value for {option}: '{value}' (choose from {', '.join(choices)})")
    return value


#: The formats --statistics takes: the people's (and its own), whose place the table takes,
#: and JSON, which it writes as JSON.
STATISTICS_FORMATS = ("full", "concise", "statistics", "json")


def default_format() -> str:
    """``github`` inside GitHub Actions (which sets ``GITHUB_ACTIONS=true``), else ``full``."""
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "full"


def write_report(
    format_name: str,
    results: list[FileResult],
    output_file: Path | None,
    console: TextIO,
    *,
    unsafe_fixes: bool,
    statistics: bool,
    verbosity: Verbosity,
) -> None:
    """The report to ``console`` (stdout, or stderr when stdout holds a fixed spec), or to
    ``output_file`` with only the summary on ``console``. The verbosity chooses what is
    printed only: a report file is the same at every one. With ``statistics``, as ruff's
    flag: the counts, as JSON for ``json``, else as the ``statistics`` format's table (in
    GitHub Actions too, whose default format is ``github``)."""
    summarised = verbosity.prints_messages or output_file is not None
    chosen = reporter(format_name, unsafe_fixes=unsafe_fixes, with_summary=summarised, statistics=statistics)
    # `-o /dev/stdout`: a handle of its own would start the console's file again, over what
    # came before; the report goes through the console, and its summary to stderr.
    into_console = output_file is not None and same_file(console, output_file)
    if output_file is None or into_console:
        if chosen.for_programs:
            as_utf8(console)
        chosen.report(results, console)
        if into_console and verbosity.prints_messages and chosen.for_programs:  # people's end with it
            console.flush()
            typer.echo(summary(results, unsafe_fixes=unsafe_fixes), err=True)
        return
    try:
        line_end = "\n" if chosen.for_programs else None  # people's formats: the platform's
        with output_file.open("w", encoding="utf-8", errors="backslashreplace", newline=line_end) as out:
            chosen.report(results, out)
    except OSError as error:
        cannot_write(output_file, error)
    if verbosity.prints_messages:
        typer.echo(summary(results, unsafe_fixes=unsafe_fixes), file=console)


def same_file(stream: TextIO, path: Path) -> bool:
    """Whether ``path`` is the file ``stream`` writes to (``/dev/stdout`` for stdout)."""
    try:
        return os.path.samestat(os.fstat(stream.fileno()), os.stat(path))
    except (OSError, ValueError):  # a stream with no file (io.UnsupportedOperation is both)
        return False


def as_utf8(stream: TextIO) -> None:
    """Write ``stream`` as UTF-8 with LF line ends from here on, as a file given to ``-o`` is,
    whatever the console's encoding and platform: output read by programs (JSON, SARIF, a
    diff to apply) is UTF-8, and a diff must keep the file's own line ends (Windows would
    turn each LF into CRLF)."""
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(encoding="utf-8", errors="backslashreplace", newline="\n")


def ensure_writable(output_file: Path) -> None:
    """Refuse a report file that cannot be opened before anything runs, so that the usage
    error comes before ``--fix`` writes any spec. No file is opened or created yet (its missing
    folders are): opening a FIFO would hand its reader an early end, and a new file could be
    found as a spec."""
    _make_folder(output_file)
    # The name as given (the kernel refuses `file/../report` that realpath would tidy away),
    # and where a link leads, dangling or not, which is where the report is written.
    try:
        places = [output_file]
        if output_file.is_symlink():
            with contextlib.suppress(FileNotFoundError):  # dangling: writing creates its target
                os.path.realpath(output_file, strict=True)  # raises for a loop of links
            places.append(Path(os.path.realpath(output_file)))
        problem = next((problem for place in places if (problem := _unwritable(place))), None)
    except OSError as error:  # a loop of links, a name too long, a folder that cannot be searched
        cannot_write(output_file, error)
    if problem is not None:
        cannot_write(output_file, OSError(problem, os.strerror(problem)))


def _make_folder(output_file: Path) -> None:
    """As ruff does, make the report's missing folders (`-o reports/netspec.sarif` in a fresh
    checkout); but not past a `..` after a folder's name (`missing/../x`), whose name the
    kernel refuses, nor where a link stands, which :func:`_unwritable` judges by where it
    leads."""
    folder = output_file.parent
    named = list(itertools.dropwhile(lambda part: part == "..", folder.parts))
    if ".." in named or os.path.lexists(folder):
        return
    try:
        folder.mkdir(parents=True)
    except FileExistsError:  # made meanwhile, or a dangling link on the way: judged next
        pass
    except OSError as error:  # a file on the way, no permission
        cannot_write(output_file, error)


def _unwritable(path: Path) -> int | None:
    """Why a file could not be written at ``path``, as an errno; None if it could."""
    folder = path.parent
    if path.is_dir():
        return errno.EISDIR
    if not folder.exists():
        return errno.ENOENT
    if not folder.is_dir():
        return errno.ENOTDIR
    if not os.access(path if path.exists() else folder, os.W_OK):
        return errno.EACCES
    return None


def accept_output_file(
    output_file: Path, specs: Sequence[Path], *, stdin: bool = False, fixed_on_stdout: bool = False
) -> None:
    """Refuse a report file that would replace a spec, then one that cannot be written: after
    every usage error, since judging it may make its folders."""
    refuse_overwriting_a_spec(output_file, specs, stdin=stdin, fixed_on_stdout=fixed_on_stdout)
    ensure_writable(output_file)


def refuse_overwriting_a_spec(
    output_file: Path, specs: Sequence[Path], *, stdin: bool = False, fixed_on_stdout: bool = False
) -> None:
    """Refuse a report file that is one of the specs to check (under its name, a link's or a
    hard link's), or, with ``stdin``, the file standard input reads (``- < spec.yaml``), or,
    with ``fixed_on_stdout``, standard output: the report would replace it, and a fixed spec
    would be lost."""
    if fixed_on_stdout and same_file(sys.stdout, output_file):
        usage_error("--output-file is standard output, which holds the fixed spec under --fix")
    try:
        report = output_file.stat()
    except OSError:
        return  # not there yet: the report creates it
    # A regular file only: a report to /dev/stdout, on the terminal stdin reads, replaces nothing.
    if stdin and sys.stdin is not None and stat.S_ISREG(report.st_mode):
        with contextlib.suppress(OSError, ValueError):  # a closed stdin is reported when read
            if os.path.samestat(report, os.fstat(sys.stdin.fileno())):
                usage_error(f"cannot write {output_file}: standard input reads it, the spec to check")
    for spec in specs:
        try:
            same = os.path.samestat(report, spec.stat())
        except OSError:
            continue  # reported when it is read
        if same:
            usage_error(f"cannot write {output_file}: it is {spec}, one of the specs to check")


def cannot_write(output_file: Path, error: OSError) -> NoReturn:
    usage_error(f"cannot write {output_file}: {error.strerror or error}")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"netspec {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Static shape checking for neural-network architecture specs written in YAML."""


@app.command()
def check(
    context: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Spec files, or directories searched for *.yaml/*.yml; `-` reads one spec from standard input. "
            "Default: specs/.",
            metavar="PATHS",
            parser=name_parameter,
        ),
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--output-format",
            envvar="NETSPEC_OUTPUT_FORMAT",
            metavar="FORMAT",
            help=f"How to print the problems: {', '.join(REPORTERS)}. Default: github when GITHUB_ACTIONS=true, "
            "else full.",
        ),
    ] = None,
    statistics: Annotated[
        bool,
        typer.Option(
            "--statistics",
            help="Print how many problems each rule reported instead of each problem: --output-format statistics.",
        ),
    ] = False,
    output_file: Annotated[
        Path | None,
        typer.Option(
            "--output-file",
            "-o",
            metavar="FILE",
            help="Write the report to this file; the summary still goes to stdout (not under -q or -s).",
            parser=path_parameter,
        ),
    ] = None,
    max_file_size: Annotated[
        int | None,
        typer.Option(
            "--max-file-size",
            metavar="BYTES",
            parser=counting("bytes"),
            help=f"Refuse files larger than this many bytes. Default: {DEFAULT_MAX_FILE_SIZE}.",
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            metavar="CODES",
            help="Rule codes or prefixes to enable (ALL for every rule), replacing the configured selection.",
        ),
    ] = None,
    extend_select: Annotated[
        list[str] | None,
        typer.Option("--extend-select", metavar="CODES", help="Rule codes or prefixes to enable in addition."),
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", metavar="CODES", help="Rule codes or prefixes to disable.")
    ] = None,
    config: ConfigOption = None,
    stdin_filename: Annotated[
        str | None,
        typer.Option(
            "--stdin-filename",
            metavar="NAME",
            help="Read the spec from standard input, and report it under this name, which per-file-ignores and, "
            "with --force-exclude, exclude match. With --fix or --fix-only, print the fixed spec to stdout, and "
            "the report to stderr.",
            parser=name_parameter,
        ),
    ] = None,
    force_exclude: Annotated[
        bool | None,
        typer.Option(
            "--force-exclude/--no-force-exclude",
            help="Apply the configured exclude to paths named on the command line too (as pre-commit names them). "
            "Default: the configuration's force-exclude, else off.",
        ),
    ] = None,
    exit_zero: Annotated[
        bool,
        typer.Option(
            "--exit-zero",
            help="Exit 0 even when problems were found (2 still means a usage error, 1 a file --fix could not write).",
        ),
    ] = False,
    fix: Annotated[
        bool, typer.Option("--fix", help="Apply the safe fixes to the files, then report the rest.")
    ] = False,
    unsafe_fixes: Annotated[
        bool,
        typer.Option(
            "--unsafe-fixes",
            help="With --fix, --fix-only or --diff: apply the unsafe fixes too. Alone: count and mark them as fixable.",
        ),
    ] = False,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff", help="Print a unified diff of what --fix would change; write nothing. Exit 1 if there is one."
        ),
    ] = False,
    fix_only: Annotated[
        bool,
        typer.Option(
            "--fix-only",
            help="Apply the fixes, but report nothing about, and exit 0 for, what remains "
            "(1 when a file could not be written).",
        ),
    ] = False,
    exit_non_zero_on_fix: Annotated[
        bool,
        typer.Option("--exit-non-zero-on-fix", help="Exit 1 if any file was fixed, even if no problems remain."),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also print warnings about how netspec runs (slow YAML parser).")
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="Print the problems (or the diff) and nothing else: no summary, no warnings. The fixes "
            "--fix leaves out are still printed, and under --fix-only and --diff the problems netspec "
            "cannot check past.",
        ),
    ] = False,
    silent: Annotated[
        bool,
        typer.Option(
            "--silent",
            "-s",
            help="Print nothing but errors: the exit code says whether problems (or, with --diff, fixes) were "
            "found. A report for --output-file, and the fixed spec of --fix or --fix-only on standard input, "
            "are still written.",
        ),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            metavar="N",
            parser=counting("processes"),
            help="Check files in up to this many processes, and no more than the available CPUs, when there is "
            "enough to check to pay for starting them. Default: one per available CPU; 1 checks in this process only.",
        ),
    ] = None,
) -> None:
    """Check specs for shape errors. Exit 0 when clean, 1 when problems were found, 2 on usage errors."""
    verbosity = Verbosity.from_flags(verbose=verbose, quiet=quiet, silent=silent)
    if not source.HAS_LIBYAML:
        verbosity.warn(
            "PyYAML was built without libyaml; using the pure-Python parser, about 10× slower", at=Verbosity.VERBOSE
        )
    source_of_format = context.get_parameter_source("output_format")
    from_environment = source_of_format is not None and source_of_format.name == "ENVIRONMENT"
    chosen_format = choice(
        "NETSPEC_OUTPUT_FORMAT" if from_environment else "--output-format",
        default_format() if output_format is None else output_format,
        REPORTERS,
    )
    if statistics and output_format is not None and chosen_format not in STATISTICS_FORMATS:
        # As ruff refuses it: a script asking for SARIF would get a table. (GitHub's format,
        # the default in Actions, gives way to the table: it was not asked for.)
        option = "NETSPEC_OUTPUT_FORMAT" if from_environment else "--output-format"
        usage_error(f"--statistics prints a table, or JSON with --output-format json; not {option} {chosen_format}")
    settings = _settings(config, select, extend_select, ignore, max_file_size, force_exclude, verbosity=verbosity)
    named = paths or []
    from_stdin = stdin_filename is not None or STDIN in named
    if from_stdin and named not in ([], [STDIN]):
        # One spec comes from standard input; mixed with files, the report could not say
        # which fixed text is printed where.
        usage_error("`-` and --stdin-filename read one spec from standard input, and take no other path")
    if exit_zero and exit_non_zero_on_fix:
        usage_error("--exit-zero and --exit-non-zero-on-fix cannot be used together")
    if output_file is not None and (fix_only or diff):
        # Rather than leave the file unwritten while the run succeeds.
        usage_error(f"--output-file writes the report, and {'--diff' if diff else '--fix-only'} prints none")
    fixing_only = fix_only or diff
    fixing = fix or fixing_only
    stdin = None
    if from_stdin:
        stdin = _check_stdin(
            stdin_filename, settings, output_file, fixing=fixing, unsafe=unsafe_fixes, verbosity=verbosity
        )
        outcomes = [stdin.outcome] if stdin.outcome is not None else []
        results = [stdin.result] if stdin.result is not None else []
    else:
        outcomes, results = _check_files(
            named, settings, output_file, fixing=fixing, diff=diff, unsafe=unsafe_fixes, jobs=jobs, verbosity=verbosity
        )
    if fixing_only and verbosity.prints_results:
        # No report follows, and netspec cannot check past these: say what stays, and why.
        # They are results, not talk about the run: a quiet run prints them.
        from netspec.fix import why_not_fixed

        before = {id(outcome.result): outcome for outcome in outcomes if diff and outcome.changed}
        for result in results:
            blocking = [d for d in result.diagnostics if d.blocking]
            place = before[id(result)].place_on_disk() if blocking and id(result) in before else None
            for d in blocking:
                where = d.location if place is None else place(d)
                verbosity.warn(f"{where}: {d.code} {d.message} ({why_not_fixed(d, result)})", at=Verbosity.QUIET)
    # With the spec on stdout (--fix, --fix-only), everything else goes to stderr.
    source_out = stdin if stdin is not None and fixing and not diff else None
    console = sys.stderr if source_out is not None else sys.stdout
    exit_for_fixes = report_fixes(
        outcomes,
        diff=diff,
        fix_only=fix_only,
        exit_non_zero_on_fix=exit_non_zero_on_fix,
        console=console,
        verbosity=verbosity,
    )
    # Before the report and the spec: a reader that stops reading them must not hide these.
    for result in results:
        if result.internal_error:
            to_stderr(f"netspec: {result.internal_error}")
    if source_out is not None:
        source_out.print_source()
    internal_errors = any(result.internal_error for result in results)
    if not fixing_only and (verbosity.prints_results or output_file is not None):
        try:
            write_report(
                chosen_format,
                results,
                output_file,
                console,
                unsafe_fixes=unsafe_fixes,
                statistics=statistics,
                verbosity=verbosity,
            )
            console.flush()
        except BrokenPipeError:
            if not internal_errors:
                raise  # click ends the run quietly, exit 1
            os.dup2(os.open(os.devnull, os.O_WRONLY), console.fileno())  # what is left goes nowhere
    if internal_errors:
        raise typer.Exit(EXIT_USAGE)
    if any(outcome.error for outcome in outcomes):
        # A file left unwritten is no problem of a spec's, which --exit-zero forgives.
        raise typer.Exit(EXIT_PROBLEMS)
    problems = exit_for_fixes or (not fixing_only and any(result.diagnostics for result in results))
    raise typer.Exit(EXIT_PROBLEMS if problems and not exit_zero else EXIT_CLEAN)


def _check_files(
    named: list[str],
    settings: Settings,
    output_file: Path | None,
    *,
    fixing: bool,
    diff: bool,
    unsafe: bool,
    jobs: int | None,
    verbosity: Verbosity,
) -> tuple[list[FixOutcome], list[FileResult]]:
    """Find the spec files and check them (fixing them too, when ``fixing``): the outcomes of
    fixing (none without), and every file's result."""
    targets = [Path(name) for name in named] or [Path("specs")]
    absent = [str(p) for p in targets if missing(p)]
    if absent and not named:
        usage_error("no paths given, and no specs/ here to check by default: name the files or directories to check")
    if absent:
        # One line each: a name may hold a comma.
        for name in absent[:-1]:
            to_stderr(f"netspec: error: no such file or directory: {name}")
        usage_error(f"no such file or directory: {absent[-1]}")
    discovered = discover(targets, settings)
    if output_file is not None:
        accept_output_file(output_file, discovered.files)
    if not discovered.files and not discovered.unlisted:
        # As ruff warns: a path mistyped in CI, or a hook whose files are all excluded, would
        # otherwise pass every run, checking nothing.
        if discovered.excluded:
            warn_all_excluded([str(path) for path in discovered.excluded], verbosity)
        else:
            verbosity.warn(f"no spec files found in {', '.join(map(str, targets))}")
    outcomes: list[FixOutcome] = []
    if fixing:
        from netspec.fix import fix_paths  # only when fixing: keeps the plain check's start-up small

        outcomes = fix_paths(discovered.files, settings, unsafe=unsafe, write=not diff, keep_analysis=False)
    results = (
        [outcome.result for outcome in outcomes]
        if outcomes
        # By default as many processes as CPUs, where lint_paths stops anyway.
        else lint_paths(discovered.files, settings, jobs=jobs or sys.maxsize, keep_analysis=False)
    )
    results += [unreadable(str(path), error, settings, "directory") for path, error in discovered.unlisted.items()]
    return outcomes, results


def warn_all_excluded(names: list[str], verbosity: Verbosity) -> None:
    """As ruff warns: a hook whose files are all excluded would otherwise pass every run,
    checking nothing."""
    verbosity.warn(f"no spec files checked: --force-exclude leaves out {listing(names, ', ')}")


@dataclass(frozen=True)
class StdinRun:
    """A spec read from standard input, and its result: None when --force-exclude left it
    out; with an ``outcome`` when it was fixed."""

    result: FileResult | None
    outcome: FixOutcome | None = None
    #: The bytes read, up to one past the size limit.
    read: bytes = b""
    #: Whether the input goes on past ``read``, unread: over the size limit, or left out.
    rest_unread: bool = False

    def print_source(self) -> None:
        """For --fix and --fix-only, whose stdout holds the spec and nothing else, for an
        editor to replace its text with: fixed, in the encoding it came in; else as it came
        (it does not load, is over the size limit, meets a bug, or its fixed text cannot be
        written in its encoding), so that nothing is lost."""
        outcome = self.outcome
        if outcome is not None and outcome.changed and outcome.encoding is not None and outcome.error is None:
            sys.stdout.buffer.write(outcome.fixed_bytes)
        else:
            sys.stdout.buffer.write(self.read)
            if self.rest_unread:  # passed through, rather than held whole
                shutil.copyfileobj(sys.stdin.buffer, sys.stdout.buffer)
        sys.stdout.buffer.flush()


def _check_stdin(
    stdin_filename: str | None,
    settings: Settings,
    output_file: Path | None,
    *,
    fixing: bool,
    unsafe: bool,
    verbosity: Verbosity,
    summarising: bool = False,
) -> StdinRun:
    """Read one spec from standard input, and check it, or fix it when ``fixing``. For
    ``summarising`` (``show``), the result keeps its analysis, and its fixes go unjudged."""
    name = stdin_filename or STDIN
    if sys.stdin is None:  # started with stdin closed (`<&-`)
        usage_error("cannot read the spec: standard input is closed")
    if output_file is not None:
        specs = [Path(stdin_filename)] if stdin_filename else []
        accept_output_file(output_file, specs, stdin=True, fixed_on_stdout=fixing)
    if settings.force_exclude and stdin_filename is not None and is_excluded(Path(stdin_filename), settings):
        # Before reading, as a file left out is never read.
        warn_all_excluded([stdin_filename], verbosity)
        return StdinRun(None, rest_unread=True)
    try:
        read = source.read_at_most(sys.stdin.buffer, settings.max_file_size)
    except OSError as error:
        # No problem of the spec's, and what was read cannot be given back whole: exit 2, so
        # that an editor keeps its text.
        usage_error(f"cannot read the spec from standard input: {error.strerror or error}")
    if len(read) > settings.max_file_size:
        return StdinRun(unloadable(name, too_large(None, settings, "spec"), settings), read=read, rest_unread=True)

    def work() -> StdinRun:
        if not fixing:
            return StdinRun(lint_text(read, name, settings, assess_fixes=not summarising), read=read)
        from netspec.fix import fix_source

        outcome = fix_source(read, name, settings, unsafe=unsafe)
        return StdinRun(outcome.result, outcome, read)

    with cyclic_gc_paused():  # until the analysis is dropped, as in lint_guarded
        run = guarded(name, work, lambda failed: StdinRun(failed, read=read), "spec")
        if not summarising and run.result is not None:
            run.result.analysis = None
    return run


def report_fixes(
    outcomes: list[FixOutcome],
    *,
    diff: bool,
    fix_only: bool,
    exit_non_zero_on_fix: bool,
    console: TextIO,
    verbosity: Verbosity,
) -> bool:
    """Print the diffs (--diff), the count (--fix-only, on ``console``), the fixes left out
    and the files that could not be written; True if the fixes make the exit code 1 unless
    --exit-zero: a diff to apply, or a file fixed under --exit-non-zero-on-fix. (A file that
    could not be written makes it 1 whatever the flags.)"""
    fixed = sum(outcome.result.fixed for outcome in outcomes)
    for outcome in outcomes:
        for note in outcome.notes:
            # Fixes left out, for the user to make by hand: results, which not every report
            # format lists with the edit to make (concise, statistics, GitHub's).
            verbosity.warn(f"{outcome.result.filename}: {note}", at=Verbosity.QUIET)
        if outcome.error:
            to_stderr(f"netspec: error: {outcome.error}")
    if diff:
        # A file reached under two names (a link and its target) is one file to patch, as to
        # --fix: its last outcome holds the fixes of both (fix_paths).
        by_file = {os.path.realpath(outcome.result.filename): outcome for outcome in outcomes}
        outcomes = list(by_file.values())
        for outcome in outcomes:
            if outcome.changed and outcome.encoding and not outcome.encoding.is_utf8:
                verbosity.warn(
                    f"{outcome.result.filename}: the diff shows the text in UTF-8, not the"
                    f" file's {outcome.encoding.codec.upper()}, so patch cannot apply it; --fix keeps the encoding"
                )
        if verbosity.prints_results:
            as_utf8(sys.stdout)
            sys.stdout.write("".join(outcome.diff() for outcome in outcomes))
        if fixed and verbosity.prints_messages:
            # On stderr, as ruff does: `--diff > fix.patch` keeps only the patch.
            typer.echo(f"\nWould fix {plural(fixed, 'problem')}.", err=True)
        return any(outcome.changed for outcome in outcomes)
    if fix_only and fixed and verbosity.prints_messages:
        typer.echo(f"Fixed {plural(fixed, 'problem')}.", file=console)
    return exit_non_zero_on_fix and fixed > 0


def _settings(
    config: Path | None,
    select: list[str] | None = None,
    extend_select: list[str] | None = None,
    ignore: list[str] | None = None,
    max_file_size: int | None = None,
    force_exclude: bool | None = None,
    *,
    verbosity: Verbosity,
) -> Settings:
    """The configuration file, then the flags (comma-separated, repeatable) on top of it."""
    try:
        overrides = Overrides(
            split_flag(select, "--select"),
            split_flag(extend_select, "--extend-select") or (),
            split_flag(ignore, "--ignore") or (),
            max_file_size,
            force_exclude,
        )
        settings = resolve(config, overrides)
    except ConfigError as error:
        usage_error(str(error))
    verbosity.tell(f"configuration: {settings.source or 'none found, so the defaults'}")
    for sentence in settings.ineffective:
        verbosity.warn(sentence)
    return settings


@app.command(short_help="Print each layer's shapes, parameters and MACs, with totals.")
def show(
    spec: Annotated[
        str,
        typer.Argument(
            help="The spec file to summarise, or - to read it from standard input.",
            metavar="SPEC",
            parser=name_parameter,
        ),
    ],
    # Spelt out, since the renderers are imported only when `show` runs (a test keeps them in step).
    format: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="How to print the summary: table, json or markdown.")
    ] = "table",
    config: ConfigOption = None,
) -> None:
    """Print each layer's output shape, neurons, parameters and MACs, with totals.

    Exit 1 when an error is reported, 2 on usage errors, else 0.
    """
    import shlex

    from netspec.show import RENDERERS, summarize  # only here: keeps the check's start-up small

    choice("--format", format, RENDERERS)
    settings = _settings(config, verbosity=Verbosity.DEFAULT)
    if spec == STDIN:
        stdin = _check_stdin(
            None, settings, None, fixing=False, unsafe=False, verbosity=Verbosity.DEFAULT, summarising=True
        )
        assert stdin.result is not None  # left out only by --force-exclude, which show has not
        result = stdin.result
    else:
        if is_directory(Path(spec)):
            usage_error(f"{spec} is a directory; show summarises one spec file")
        if missing(Path(spec)):
            usage_error(f"no such file or directory: {spec}")
        result = lint_guarded(Path(spec), settings, assess_fixes=False)  # show prints no fix
    if result.internal_error:
        to_stderr(f"netspec: {result.internal_error}")
        raise typer.Exit(EXIT_USAGE)
    if result.analysis is None or result.analysis.spec.input is None:
        reporter("concise").report([result], sys.stderr)
        raise typer.Exit(EXIT_PROBLEMS)
    with cyclic_gc_paused():  # the summary walks the whole analysis, which a collection would too
        summary = summarize(result.analysis)
    # The summary holds all it prints: the analysis goes before the text is drawn, which on
    # 100,000 layers takes as much memory again.
    result.analysis = None
    typer.echo(RENDERERS[format](summary))
    if result.diagnostics:
        # The same check, configured the same way, lists the same problems.
        options = ["--config", str(config)] if config else []
        end_of_options = ["--"] if spec.startswith("-") and spec != STDIN else []
        command = shlex.join(["netspec", "check", *options, *end_of_options, spec])
        # A second `netspec check -` would wait for a spec that was read already.
        again = f"pipe the spec to `{command}`" if spec == STDIN else f"run `{command}`"
        to_stderr(f"{plural(len(result.diagnostics), 'problem')}: {again} for details")
    if any(diagnostic.severity is Severity.ERROR for diagnostic in result.diagnostics):
        raise typer.Exit(EXIT_PROBLEMS)


@app.command(short_help="Print a rule's documentation, or list every rule.")
def rule(
    code: Annotated[str | None, typer.Argument(help="A rule code, such as NS101.", metavar="CODE")] = None,
    all_rules: Annotated[bool, typer.Option("--all", help="List every rule instead.")] = False,
) -> None:
    """Print a rule's documentation, or list every rule with its default severity and selection."""
    from netspec import docs
    from netspec.rules import CODES_BY_NAME, RULES

    if all_rules == (code is not None):
        usage_error("give either a rule code (`netspec rule NS101`) or --all")
    if code is None:
        typer.echo(docs.rule_list())
        return
    found = RULES.get(code)
    if found is None:
        from netspec.settings import selector_hint

        # As --select and noqa comments read codes: in upper case only, and whole here.
        named = code.upper() in RULES or code.lower() in CODES_BY_NAME
        hint = selector_hint(code) if named else " (`netspec rule --all` lists the rules)"
        usage_error(f"unknown rule code '{cut(code)}'{hint}")
    typer.echo(docs.rule_markdown(found), nl=False)


@app.command(short_help="Print the JSON Schema of the spec format.")
def schema() -> None:
    """Print the JSON Schema of the spec format, for editors and validators."""
    from netspec.schema import render

    typer.echo(render(), nl=False)


def entry_point() -> None:
    """The console script, and ``python -m netspec``: :func:`run`, then the end of the process.

    With no other thread left, the process ends at once, as mypy's does: Python's own shutdown
    would free every module and object one by one, for nothing, in about 45 ms (an eighth of a
    cold check of a small spec). Each write of the run was flushed as it was made, and a
    failure reported then.
    """
    try:
        run()
        status = EXIT_CLEAN
    except SystemExit as done:
        if threading.active_count() > 1 or not isinstance(done.code, int | None):
            raise  # Python's shutdown waits for the thread, and Ctrl-C still ends that wait
        status = done.code or EXIT_CLEAN
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the run is over: Ctrl-C now would only print a traceback
    for stream in (sys.stdout, sys.stderr):  # None where the process started without it
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.flush()
    os._exit(status)


def run() -> None:
    """The command line, in this process: ends with SystemExit, with the exit code."""
    if sys.stdout is None:  # started with stdout closed (`>&-`): no report could be read
        fail("netspec: error: cannot write the output: standard output is closed")
    if isinstance(sys.stdout, io.TextIOWrapper) and isinstance(sys.stdout.buffer, io.FileIO):
        # Under PYTHONUNBUFFERED, common in CI images, stdout writes straight to its file, and
        # a write that a departing reader (`| head`) cut short counts as complete: the rest
        # is dropped, with no broken pipe. A buffered writer writes the rest, and raises it.
        # (sys.__stdout__ keeps the unbuffered stream, and so the file, open.)
        sys.stdout = io.TextIOWrapper(
            io.BufferedWriter(sys.stdout.buffer), encoding=sys.stdout.encoding, line_buffering=True
        )
    # A file name that is not UTF-8 reaches the reports as surrogate escapes: print those as
    # "\udcff", rather than fail (strict UTF-8) or emit bytes that are not UTF-8.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    # pydantic plugins are entry points of whatever else is installed, and would hook into
    # netspec's own models: a broken one would fail every run, and finding them reads every
    # installed distribution's metadata. typer disables them for its own adapters the same way.
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
    try:
        app()
    except OSError as error:
        if error.errno not in OUTPUT_ERRORS:
            fail(f"netspec: internal error: {bug(error)}")
        # Whatever is still buffered goes nowhere, rather than fail again at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        fail(f"netspec: error: cannot write the output: {error.strerror or error}")
    except Exception as error:  # noqa: BLE001 - the last line of defence, by design
        fail(f"netspec: internal error: {bug(error)}")


#: How writing the output fails (a full disk, an I/O error, a quota, a size limit). Files are
#: read and written with their own errors reported, so past click, these are the output's.
OUTPUT_ERRORS = frozenset({errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG})


def fail(message: str) -> NoReturn:
    """One line on stderr (if stderr still works), and exit 2."""
    with contextlib.suppress(OSError):
        to_stderr(message)
    sys.exit(EXIT_USAGE)
