"""Text → loaded document → validated spec → shape graph: everything the rules look at."""

from __future__ import annotations

from dataclasses import dataclass

from netspec.graph import Graph, build
from netspec.source import Document, load
from netspec.spec import ParsedSpec, parse


@dataclass
class Analysis:
    filename: str
    text: str
    document: Document
    spec: ParsedSpec
    graph: Graph


def analyse(text: str, filename: str, default_name: str) -> Analysis:
    """Load, validate and propagate. Raises :class:`netspec.source.LoadError` for unreadable text."""
    document = load(text)
    return analyse_document(document, text, filename, default_name)


def analyse_document(document: Document, text: str, filename: str, default_name: str) -> Analysis:
    spec = parse(document.data, default_name)
    return Analysis(filename, text, document, spec, build(spec))
