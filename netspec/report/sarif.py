"""SARIF 2.1.0, the format GitHub code scanning uploads (``github/codeql-action/upload-sarif``).

Rule metadata comes from the rules' own documentation (:mod:`netspec.docs`), so code scanning
shows the same text as ``netspec rule``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from netspec import __version__
from netspec.diagnostics import Diagnostic
from netspec.docs import rule_markdown, sections
from netspec.linter import FileResult
from netspec.report.base import Reporter, applicability, fix_safety, json_text, relative_path, source_root
from netspec.rules import RULES, Rule
from netspec.source import LINE_BREAK_CHARACTERS, UNUSUAL_BREAK, Span

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/netspec/netspec"
RULE_INDEX = {code: index for index, code in enumerate(RULES)}
#: What netspec counts as a line break when it numbers lines: YAML 1.1's breaks, CR LF as one.
NEWLINE_SEQUENCES = ["\r\n", *LINE_BREAK_CHARACTERS]


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    help_markdown = rule_markdown(rule)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": sections(rule).get("What it does") or rule.summary},
        # Plain-text viewers show the Markdown source, which reads well as text.
        "help": {"text": help_markdown, "markdown": help_markdown},
        "defaultConfiguration": {"level": rule.severity.value, "enabled": rule.selected_by_default},
    }


def artifact_location(filename: str) -> dict[str, str]:
    """A URI relative to ``%SRCROOT%`` (the root of the source tree: :func:`source_root`) when
    possible, else absolute."""
    path = Path(relative_path(filename, from_source_root=True))
    # The file name's own bytes, percent-encoded, even when they are not UTF-8.
    uri = quote(path.as_posix(), errors="surrogateescape")
    if not path.is_absolute():
        return {"uri": uri, "uriBaseId": "%SRCROOT%"}
    if uri.startswith("/"):
        # Not as_uri(): it encodes the name in the file system's encoding, and under LC_ALL=C
        # that cannot hold the characters relative_path decoded from the name's UTF-8 bytes.
        return {"uri": "file://" + uri}
    return {"uri": path.as_uri()}  # a Windows drive's path


def region(span: Span) -> dict[str, int]:
    """A text region; an empty one (start = end) is an insertion point."""
    return {
        "startLine": span.start.row,
        "startColumn": span.start.column,
        "endLine": span.end.row,
        "endColumn": span.end.column,
    }


def fix_object(d: Diagnostic, *, unwritten: bool) -> dict[str, Any]:
    """The fix as SARIF replacements in the checked file, for viewers that apply fixes;
    whether ``--fix`` would apply it goes in the description (which says so where ``--fix``
    has just failed to write the file) and the property bag."""
    assert d.fix is not None
    return {
        "description": {"text": f"{d.fix.message} ({fix_safety(d, unwritten=unwritten)})"},
        "artifactChanges": [
            {
                "artifactLocation": artifact_location(d.filename),
                "replacements": [
                    {"deletedRegion": region(r.span), "insertedContent": {"text": r.text}} for r in d.replacements
                ],
            }
        ],
        "properties": {"applicability": applicability(d)},
    }


def result_object(d: Diagnostic, *, with_fix: bool, unwritten: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": RULE_INDEX[d.code],
        "level": d.severity.value,
        "message": {"text": d.message},
        "locations": [
            {"physicalLocation": {"artifactLocation": artifact_location(d.filename), "region": region(d.span)}}
        ],
    }
    if with_fix and d.fix is not None and d.replacements:
        result["fixes"] = [fix_object(d, unwritten=unwritten)]
    return result


def file_results(result: FileResult) -> list[dict[str, Any]]:
    """One file's results; their fixes only where its lines are numbered as SARIF's default."""
    # Beyond SARIF's default breaks (CR LF and LF), a viewer that ignores the run's
    # newlineSequences would number the lines after them differently, and misplace a fix.
    with_fix = not (result.text and UNUSUAL_BREAK.search(result.text))
    return [result_object(d, with_fix=with_fix, unwritten=result.unwritten) for d in result.diagnostics]


def sarif_log(results: Sequence[FileResult], root_uri: str | None) -> dict[str, Any]:
    internal_errors = [r.internal_error for r in results if r.internal_error]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "netspec",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [rule_descriptor(rule) for rule in RULES.values()],
                    }
                },
                # Without a working directory there is nothing for names to be relative to.
                **({"originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}}} if root_uri else {}),
                # libyaml counts columns in characters (code points), not UTF-16 units.
                "columnKind": "unicodeCodePoints",
                "invocations": [
                    {
                        "executionSuccessful": not internal_errors,
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": error}} for error in internal_errors
                        ],
                    }
                ],
                "newlineSequences": NEWLINE_SEQUENCES,
                "results": [result for r in results for result in file_results(r)],
            }
        ],
    }


class SarifReporter(Reporter):
    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        source = source_root()
        root = None if source is None else Path(source).as_uri()
        # A directory's URI ends in "/" for relative URIs to resolve under it; "/" itself has one.
        if root is not None and not root.endswith("/"):
            root += "/"
        out.write(json_text(sarif_log(results, root), indent=2, ensure_ascii=False) + "\n")
