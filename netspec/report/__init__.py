"""Output formats. Adding one: write its reporter module, then list it here and in the
README (a test compares).

A format's module is imported only when it is chosen: a plain check does not pay for XML
or SARIF at start-up.
"""

from __future__ import annotations

from importlib import import_module

from netspec.report.base import Reporter

#: Format name → ``module:class`` of its reporter.
REPORTERS: dict[str, str] = {
    "full": "netspec.report.full:FullReporter",
    "concise": "netspec.report.concise:ConciseReporter",
    "statistics": "netspec.report.statistics:StatisticsReporter",
    "json": "netspec.report.json:JsonReporter",
    "json-lines": "netspec.report.json_lines:JsonLinesReporter",
    "github": "netspec.report.github:GithubReporter",
    "sarif": "netspec.report.sarif:SarifReporter",
    "junit": "netspec.report.junit:JunitReporter",
}


#: What ``--statistics`` prints for a format: ruff's JSON counts for ``json``, else the
#: ``statistics`` format's table.
STATISTICS = {"json": "netspec.report.statistics:JsonStatisticsReporter"}


def reporter(name: str, *, unsafe_fixes: bool = False, with_summary: bool = True, statistics: bool = False) -> Reporter:
    """A reporter for the format ``name`` (a key of :data:`REPORTERS`), or for its statistics
    (``--statistics``); the options as for :class:`Reporter`."""
    chosen = STATISTICS.get(name, REPORTERS["statistics"]) if statistics else REPORTERS[name]
    module, _, cls = chosen.partition(":")
    found: type[Reporter] = getattr(import_module(module), cls)
    return found(unsafe_fixes=unsafe_fixes, with_summary=with_summary)


__all__ = ["REPORTERS", "Reporter", "reporter"]
