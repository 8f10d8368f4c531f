"""source → schema → graph → rules → selection → sorted diagnostics. No terminal I/O here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from netspec.analysis import Analysis, analyse
from netspec.diagnostics import Diagnostic, Severity
from netspec.layers import Fix
from netspec.rules import RULES, Violation
from netspec.settings import Settings
from netspec.source import FILE_START, LoadError, Position, Span, decode

ISSUES_URL = "https://github.com/netspec/netspec/issues"


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
) -> Diagnostic:
    rule = RULES[code]
    return Diagnostic(
        code,
        rule.name,
        settings.severity.get(code, severity or rule.severity),
        message,
        filename,
        span,
        layer,
        layer_index,
        help,
        fix,
    )


def _locate(analysis: Analysis, violation: Violation) -> Span:
    document = analysis.document
    if violation.path is not None:
        return document.key_span(violation.path) if violation.at_key else document.span(violation.path)
    if violation.index is not None:
        return document.span(("layers", violation.index))
    return FILE_START


def check(analysis: Analysis, settings: Settings) -> list[Diagnostic]:
    """Run every enabled rule over an analysis; one diagnostic per rule and layer."""
    diagnostics: list[Diagnostic] = []
    seen: set[tuple[str, int]] = set()
    for rule in RULES.values():
        if rule.check is None or not rule.enabled_for(settings, analysis.filename):
            continue
        for violation in rule.check(analysis):
            if violation.index is not None and violation.path is None:
                if (rule.code, violation.index) in seen:
                    continue
                seen.add((rule.code, violation.index))
            node = analysis.graph.nodes[violation.index] if violation.index is not None else None
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
                )
            )
    return diagnostics


def lint_text(text: str, filename: str = "<string>", settings: Settings | None = None) -> FileResult:
    """Lint one spec given as text."""
    settings = settings or Settings()
    result = FileResult(filename, text=text)
    try:
        result.analysis = analyse(text, filename, Path(filename).stem)
    except LoadError as error:
        if RULES[error.code].enabled_for(settings, filename):
            result.diagnostics.append(_diagnostic(error.code, error.message, filename, error.span, settings))
        return result
    result.diagnostics = check(result.analysis, settings)
    from netspec.fix import assess

    assess(result, settings)
    result.diagnostics.sort(key=lambda d: d.sort_key)
    return result


def lint_file(path: Path, settings: Settings | None = None, display_name: str | None = None) -> FileResult:
    """Lint one spec file: size limit, decoding, then :func:`lint_text`."""
    settings = settings or Settings()
    filename = display_name or str(path)
    try:
        size = path.stat().st_size
        if size > settings.max_file_size:
            raise LoadError(
                "NS001",
                f"the file is {size:,} bytes, over the {settings.max_file_size:,}-byte limit (--max-file-size)",
            )
        with path.open("rb") as stream:
            # Read one byte more than the limit: the file may have grown since stat().
            raw = stream.read(settings.max_file_size + 1)
        if len(raw) > settings.max_file_size:
            raise LoadError("NS001", f"the file is over the {settings.max_file_size:,}-byte limit (--max-file-size)")
        text = decode(raw)
    except OSError as error:
        result = FileResult(filename)
        result.diagnostics.append(
            _diagnostic("NS001", f"cannot read the file: {error.strerror or error}", filename, FILE_START, settings)
        )
        return result
    except LoadError as error:
        result = FileResult(filename)
        result.diagnostics.append(_diagnostic(error.code, error.message, filename, error.span, settings))
        return result
    return lint_text(text, filename, settings)


def lint_paths(paths: Sequence[Path], settings: Settings | None = None) -> list[FileResult]:
    """Lint many files. A bug in netspec on one file is recorded, not raised: the others are
    still checked, and the caller reports it."""
    results = []
    for path in paths:
        try:
            results.append(lint_file(path, settings))
        except Exception as error:  # noqa: BLE001 - the last line of defence, by design
            result = FileResult(str(path))
            result.internal_error = (
                f"internal error while checking {path}: {type(error).__name__}: {error}. "
                f"This is a bug in netspec; please report it at {ISSUES_URL} with the file."
            )
            results.append(result)
    return results


__all__ = ["FileResult", "Position", "check", "lint_file", "lint_paths", "lint_text"]
