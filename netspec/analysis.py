"""Text → loaded document → validated spec → shape graph: everything the rules look at."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from netspec.graph import Graph, build
from netspec.layers.arithmetic import CountingBudget
from netspec.source import Document, load
from netspec.spec import SUGGESTION_BUDGET, ParsedSpec, parse

if TYPE_CHECKING:
    from netspec.noqa import Suppressions


@dataclass
class Analysis:
    filename: str
    text: str
    document: Document
    spec: ParsedSpec
    graph: Graph
    #: What the rules worked out past the shapes, in layers analysed (NS114's reads of what
    #: each position sees): part of what judging a fix on this analysis cost.
    rule_cost: int = 0

    @cached_property
    def suppressions(self) -> Suppressions:
        """The text's ``noqa`` comments, found once: for the report, and to judge fixes by."""
        from netspec.noqa import Suppressions

        return Suppressions(self.text, self.document)


def analyse(text: str, filename: str, default_name: str) -> Analysis:
    """Load, validate and propagate. Raises :class:`netspec.source.LoadError` for unreadable text,
    or text with more problems than a report holds (:data:`~netspec.spec.MAX_SCHEMA_ERRORS`)."""
    document = load(text)
    return analyse_document(document, text, filename, default_name)


def analyse_document(
    document: Document,
    text: str,
    filename: str,
    default_name: str,
    suggestions: int = SUGGESTION_BUDGET,
    counting: CountingBudget | None = None,
) -> Analysis:
    """:func:`analyse` from a loaded document; ``suggestions`` bounds "did you mean", and
    ``counting`` is as for :func:`~netspec.graph.build`."""
    spec = parse(document.data, default_name, suggestions, document.is_quoted)
    return Analysis(filename, text, document, spec, build(spec, suggestions, counting))
