"""The loader's positions equal ``yaml.compose``'s for every key and value, and the pure-Python
parser (used when PyYAML lacks libyaml) gives the same data, positions and diagnostics."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

import netspec.source
from netspec import lint_text
from netspec.cli import app
from netspec.source import Document, Span, load
from tests.helpers import ROOT

BUNDLED = sorted((ROOT / "specs").glob("*.y*ml"))

INLINE = {
    "crlf": "name: crlf\r\ninput: [3, 32, 32]\r\nlayers:\r\n  - type: conv\r\n    filters: 8\r\n    kernel: 3\r\n",
    "comments": (
        "# a network\nname: commented  # trailing\n\n# input next\ninput:   # the shape\n  - 3   # channels\n"
        "  - 16\n  - 16\nlayers:\n  # first\n  - {type: relu}  # inline\n"
    ),
    "flow-and-block": (
        "input: [3, 16, 16]\nlayers:\n  - {type: conv, filters: 4, kernel: [3, 3], padding: [[1, 1], [1, 1]]}\n"
        "  - type: maxpool\n    kernel: 2\n    stride: [2, 2]\n  - {type: conv, filters: 8,\n     kernel: 3}\n"
    ),
    "unicode": (
        'name: "réseau 🧠 ✓"\ndescription: 日本語のテキスト, ünïcödé 𝔘\ninput: [3, 8, 8]\n'
        "layers:\n  - {type: relu, name: «couche»}\n  - {name: 🧪, type: relu}\n"
    ),
    "scalars": (
        "description: |\n  literal\n  block\nname: >-\n  folded\n  text\ninput: ['3', \"8\", 8]\n"
        "layers:\n  - {type: 'relu', \"name\": 'it''s'}\n  - ? type\n    : relu\n"
    ),
    "anchors": (
        "defaults: &conv {type: conv, filters: 8, kernel: 3}\ninput: &shape [3, 8, 8]\nlayers:\n"
        "  - {<<: *conv, padding: 1}\n  - *conv\n  - {type: relu, expect: *shape}\n"
    ),
    "explicit-document": "%YAML 1.1\n---\ninput: [1, 28]\nlayers:\n  - {type: conv, filters: 1, kernel: 1}\n...\n",
}


def _cases() -> Iterator[Any]:
    for path in BUNDLED:
        yield pytest.param(path.read_text(encoding="utf-8"), id=path.name)
    for name, text in INLINE.items():
        yield pytest.param(text, id=name)


CASES = list(_cases())


def walk(node: Node, path: tuple[Any, ...], seen: set[int]) -> Iterator[tuple[tuple[Any, ...], Node, Node | None]]:
    """(path, value node, key node) for every node first reached at ``path``.

    A node met again through an alias is skipped: netspec points at the alias, by design.
    Merge keys are skipped too: their keys land in the mapping that merges them.
    """
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if key.tag == "tag:yaml.org,2002:merge":
                continue
            child = (*path, yaml.safe_load(key.value) if key.style is None else key.value)
            if id(value) not in seen:
                yield child, value, key
            yield from walk(value, child, seen)
    elif isinstance(node, SequenceNode):
        for index, value in enumerate(node.value):
            if id(value) not in seen:
                yield (*path, index), value, None
            yield from walk(value, (*path, index), seen)


def start(mark: Any) -> tuple[int, int, int]:
    return mark.line + 1, mark.column + 1, mark.index


def span_start(span: Span) -> tuple[int, int, int]:
    return span.start.row, span.start.column, span.start_offset


def span_end(span: Span) -> tuple[int, int, int]:
    return span.end.row, span.end.column, span.end_offset


def assert_same_positions(text: str, loader: type[Any]) -> int:
    """Compare every position; returns how many values were compared."""
    root = yaml.compose(text, Loader=loader)
    document: Document = load(text)
    assert span_start(document.span(())) == start(root.start_mark)
    compared = 0
    for path, node, key in walk(root, (), set()):
        span = document.span(path)
        assert span_start(span) == start(node.start_mark), path
        # A block collection's end mark is where the next token starts; netspec ends it at its
        # last value, which is what a person sees. Scalars and flow collections end alike.
        if isinstance(node, ScalarNode) or node.flow_style:
            assert span_end(span) == start(node.end_mark), path
        if key is not None:
            key_span = document.key_span(path)
            assert span_start(key_span) == start(key.start_mark), path
            assert span_end(key_span) == start(key.end_mark), path
        compared += 1
    return compared


@pytest.mark.parametrize("text", CASES)
def test_positions_match_compose(text: str) -> None:
    assert assert_same_positions(text, yaml.CSafeLoader) > 3


#: Where rows and columns are not a plain split on "\n": YAML 1.1's other line breaks, and
#: U+FEFF, to which libyaml gives a column and the pure-Python reader does not.
UNUSUAL_TEXT = {
    "line-breaks": "a: 1\rb: 2\x85c: [3, 4]\u2028d: '5'\u2029e: |\n  x\x85  y\nf: 6\r\ng: 7\n",
    "zero-width": 'a: [x\ufeff, y]\nb: ["\ufeff", z]\nc: 1\n',
    # Counted from where each is: several on one line, before and between the values.
    "zero-width-one-line": '{a: [x\ufeff, y\ufeff\ufeff, z], b: "\ufeff", c: [1, 2, \ufeff3], d: 4}\n',
}


@pytest.mark.parametrize("loader", [yaml.CSafeLoader, yaml.SafeLoader])
@pytest.mark.parametrize("text", UNUSUAL_TEXT.values(), ids=list(UNUSUAL_TEXT))
def test_positions_match_compose_with_unusual_text(monkeypatch: pytest.MonkeyPatch, text: str, loader: Any) -> None:
    monkeypatch.setattr(netspec.source, "_Parser", loader)
    assert assert_same_positions(text, loader) > 3


@pytest.mark.parametrize("loader", [yaml.CSafeLoader, yaml.SafeLoader])
def test_a_leading_byte_order_mark_keeps_offsets_in_the_text(monkeypatch: pytest.MonkeyPatch, loader: Any) -> None:
    """libyaml counts from after the mark, the pure-Python reader from before it."""
    monkeypatch.setattr(netspec.source, "_Parser", loader)
    text = "\ufeffname: bom\ninput: [3, 8, 8]\n"
    document = load(text)
    name, last = document.span(("name",)), document.span(("input", 2))
    assert text[name.start_offset : name.end_offset] == "bom"
    assert text[last.start_offset : last.end_offset] == "8"
    # Counted by hand; the mark itself has no column.
    assert (name.start.row, name.start.column) == (1, 7)
    assert (last.start.row, last.start.column) == (2, 15)


@pytest.mark.parametrize("loader", [yaml.CSafeLoader, yaml.SafeLoader])
@pytest.mark.parametrize(
    ("text", "column"),
    [
        ('a: "éé\x07"\n', 7),  # libyaml counts bytes (é is two), the pure-Python reader characters
        ('\ufeffa: "x\x07"\n', 6),  # the byte-order mark has no column
    ],
)
def test_a_control_character_is_located_under_both_parsers(
    monkeypatch: pytest.MonkeyPatch, loader: Any, text: str, column: int
) -> None:
    monkeypatch.setattr(netspec.source, "_Parser", loader)
    (diagnostic,) = lint_text(text).diagnostics
    assert diagnostic.code == "NS001"
    assert diagnostic.span.start == (1, column)
    assert text[diagnostic.span.start_offset] == "\x07"


def test_bundled_specs_are_compared() -> None:
    assert len(BUNDLED) >= 3


@pytest.fixture
def pure_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """netspec as it runs where PyYAML was built without libyaml."""
    monkeypatch.setattr(netspec.source, "_Parser", yaml.SafeLoader)
    monkeypatch.setattr(netspec.source, "HAS_LIBYAML", False)


@pytest.mark.parametrize("text", CASES)
def test_pure_python_parser_positions_match_its_compose(pure_python: None, text: str) -> None:
    assert assert_same_positions(text, yaml.SafeLoader) > 3


ERRORS = {
    "syntax": "input: [3, 8, 8\nlayers:\n",
    "tabs": "input: [3, 8, 8]\nlayers:\n\t- {type: relu}\n",
    "tag": "input: !!python/name:os.system\nlayers: []\n",
    "bomb": "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
    + "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcde", "bcdef", strict=True)),
    "deep": "- " * 100 + "1\n",
    "shapes": "input: [3, 8, 8]\nlayers:\n  - {type: conv, filters: 4, kernel: 5}\n  - {type: dense, units: 2}\n",
}


def _diagnostics(text: str) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.start.row, d.span.start.column) for d in lint_text(text, "spec.yaml").diagnostics]


@pytest.mark.parametrize("text", [*CASES, *ERRORS.values()])
def test_pure_python_parser_gives_the_same_diagnostics(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    expected = _diagnostics(text)
    monkeypatch.setattr(netspec.source, "_Parser", yaml.SafeLoader)
    assert _diagnostics(text) == expected


def test_verbose_warns_about_the_pure_python_parser(pure_python: None, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("input: [3, 8, 8]\nlayers:\n  - {type: relu}\n")
    runner = CliRunner()
    quiet = runner.invoke(app, ["check", str(spec)])
    assert quiet.exit_code == 0
    assert "libyaml" not in quiet.output
    verbose = runner.invoke(app, ["check", "--verbose", str(spec)])
    assert verbose.exit_code == 0
    assert "libyaml" in verbose.stderr
    assert "libyaml" not in verbose.stdout


def test_verbose_is_silent_with_libyaml(tmp_path: Path) -> None:
    assert netspec.source.HAS_LIBYAML
    spec = tmp_path / "spec.yaml"
    spec.write_text("input: [3, 8, 8]\nlayers:\n  - {type: relu}\n")
    assert "libyaml" not in CliRunner().invoke(app, ["check", "--verbose", str(spec)]).output
