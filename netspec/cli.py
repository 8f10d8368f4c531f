"""The command line: a thin shell that parses arguments, finds files, picks a reporter and
sets the exit code. Everything it does is available from :mod:`netspec` as a library."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from netspec import __version__
from netspec.discovery import discover
from netspec.linter import lint_file, lint_paths
from netspec.report import REPORTERS
from netspec.settings import DEFAULT_MAX_FILE_SIZE, Settings
from netspec.show import RENDERERS

app = typer.Typer(
    name="netspec",
    help="Static shape checking for neural-network architecture specs written in YAML.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Exit codes: what CI scripts rely on.
EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def usage_error(message: str) -> NoReturn:
    typer.echo(f"netspec: error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def choice(option: str, value: str, choices: Iterable[str]) -> str:
    if value not in choices:
        usage_error(f"invalid value for {option}: '{value}' (choose from {', '.join(choices)})")
    return value


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
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Spec files, or directories searched for *.yaml/*.yml. Default: specs/.")
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option("--output-format", help=f"How to print the problems: {', '.join(REPORTERS)}. Default: full."),
    ] = None,
    max_file_size: Annotated[
        int, typer.Option("--max-file-size", min=1, help="Refuse files larger than this many bytes.")
    ] = DEFAULT_MAX_FILE_SIZE,
) -> None:
    """Check specs for shape errors. Exit 0 when clean, 1 when problems were found, 2 on usage errors."""
    chosen_format = choice("--output-format", output_format or "full", REPORTERS)
    settings = Settings(max_file_size=max_file_size)
    targets = paths or [Path("specs")]
    missing = [str(p) for p in targets if not p.exists() and not p.is_symlink()]
    if missing:
        usage_error(f"no such file or directory: {', '.join(missing)}")
    files = discover(targets, settings)
    results = lint_paths(files, settings)
    reporter = REPORTERS[chosen_format]()
    reporter.report(results, sys.stdout)
    for result in results:
        if result.internal_error:
            typer.echo(f"netspec: {result.internal_error}", err=True)
    if any(result.internal_error for result in results):
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_PROBLEMS if any(result.diagnostics for result in results) else EXIT_CLEAN)


@app.command()
def show(
    spec: Annotated[Path, typer.Argument(help="The spec file to summarise.")],
    format: Annotated[
        str, typer.Option("--format", help=f"How to print the summary: {', '.join(RENDERERS)}.")
    ] = "table",
) -> None:
    """Print each layer's output shape, neurons, parameters and MACs, with totals."""
    from netspec.show import summarize

    choice("--format", format, RENDERERS)
    if not spec.is_file():
        usage_error(f"no such file: {spec}")
    result = lint_file(spec)
    if result.analysis is None or result.analysis.spec.input is None:
        REPORTERS["concise"]().report([result], sys.stderr)
        raise typer.Exit(EXIT_PROBLEMS)
    typer.echo(RENDERERS[format](summarize(result.analysis)))
    if result.diagnostics:
        typer.echo(f"{len(result.diagnostics)} problem(s): run `netspec check {spec}` for details", err=True)


def run() -> None:
    """Console-script entry point."""
    app()
