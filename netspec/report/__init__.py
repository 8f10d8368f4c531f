"""Output formats. Adding one: write its reporter module, then list it here."""

from __future__ import annotations

from netspec.report.base import Reporter
from netspec.report.concise import ConciseReporter
from netspec.report.full import FullReporter
from netspec.report.json import JsonReporter

REPORTERS: dict[str, type[Reporter]] = {
    cls.name: cls
    for cls in (
        FullReporter,
        ConciseReporter,
        JsonReporter,
    )
}

__all__ = ["REPORTERS", "Reporter"]
