"""JUnit XML, which CI servers (GitLab, Jenkins, Azure) show as test results: one testcase per
file, one ``<failure>`` per diagnostic; a clean file is a passing testcase."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TextIO

from netspec.linter import FileResult
from netspec.report.base import Reporter, printable, relative_path

#: Characters XML 1.0 cannot carry even escaped; a YAML double-quoted string can hold them.
_NOT_XML_CHARACTERS = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_NOT_XML = re.compile(f"[{_NOT_XML_CHARACTERS}]")


def xml_text(text: str) -> str:
    """``text`` with what XML would lose written as ``\\uXXXX``. An element's text goes through
    :func:`~netspec.report.base.printable` first, which also escapes its CRs: ElementTree writes
    them raw there (in an attribute it writes ``&#13;``), and parsers read a raw CR as a line
    feed (XML 1.0, 2.11)."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def testsuite(results: Sequence[FileResult]) -> ET.Element:
    # Counted in testcases, as JUnit's attributes are: a file with three problems is one
    # failed test with three <failure> elements; one netspec failed on is an error instead.
    errors = sum(r.internal_error is not None for r in results)
    failures = sum(bool(r.diagnostics) and r.internal_error is None for r in results)
    counts = {"tests": str(len(results)), "failures": str(failures), "errors": str(errors), "skipped": "0"}
    suites = ET.Element("testsuites", {"name": "netspec", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": "netspec", **counts})
    for result in results:
        path = xml_text(relative_path(result.filename))
        case = ET.SubElement(suite, "testcase", {"name": path, "classname": "netspec", "file": path})
        for d in result.diagnostics:
            where = f"{path}:{d.span.start.row}:{d.span.start.column}"
            failure = ET.SubElement(
                case,
                "failure",
                {"message": xml_text(f"{d.code} {d.severity.value}: {d.message}"), "type": d.code},
            )
            # One line each, as in the text formats: a line break in a name would start a line of
            # its own, which GitHub's runner would read as a workflow command if it began with ::.
            # The first follows the element's tag on its line: a path of `::x.yaml` stays as it is.
            details = printable(f"{where}: {d.code} {d.name} ({d.severity.value}): {d.message}")
            failure.text = xml_text(details + (f"\nhelp: {printable(d.help)}" if d.help else ""))
        if result.internal_error is not None:
            error = ET.SubElement(case, "error", {"message": xml_text(result.internal_error), "type": "internal"})
            error.text = xml_text(printable(result.internal_error))
    return suites


class JunitReporter(Reporter):
    def report(self, results: Sequence[FileResult], out: TextIO) -> None:
        tree = ET.ElementTree(testsuite(results))
        ET.indent(tree)
        written = io.StringIO()
        tree.write(written, encoding="unicode", xml_declaration=True)
        # As JSON's `#\u0023[`: a reference a parser reads back as `##[`, and the runner does not.
        out.write(written.getvalue().replace("##[", "#&#35;[") + "\n")
