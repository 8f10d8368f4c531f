"""Output formats. Adding one: write its reporter module, then list it here."""

from __future__ import annotations

from netspec.report.base import Reporter
from netspec.report.concise import ConciseReporter
from netspec.report.full import FullReporter
from netspec.report.github import GithubReporter
from netspec.report.json import JsonReporter
from netspec.report.json_lines import JsonLinesReporter
from netspec.report.junit import JunitReporter
from netspec.report.sarif import SarifReporter

REPORTERS: dict[str, type[Reporter]] = {
    cls.name: cls
    for cls in (
        FullReporter,
        ConciseReporter,
        JsonReporter,
        JsonLinesReporter,
        GithubReporter,
        SarifReporter,
        JunitReporter,
    )
}

__all__ = ["REPORTERS", "Reporter"]
