"""Fuzzing the contract: whatever the text, ``lint_text`` returns a FileResult holding a list
of located diagnostics and never raises.

Valid specs are mutated at the YAML-text level (lines deleted, duplicated, swapped; characters
flipped; aliases, anchors, tags and odd scalars inserted) and at the data level (any value
replaced by a random one, dumped with ``yaml.safe_dump``). CI runs a bounded budget; set
``NETSPEC_FUZZ_EXAMPLES=100000`` for a long run.
"""

from __future__ import annotations

import os
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netspec import Diagnostic, FileResult, lint_text
from tests.helpers import ROOT

INLINE = [
    "input: [3, 32, 32]\nlayers:\n  - {type: conv, name: c1, filters: 8, kernel: 3, padding: 1}\n"
    "  - {type: maxpool, kernel: 2}\n  - {type: conv, filters: 16, kernel: 3, stride: 2}\n"
    "  - {type: flatten}\n  - {type: dense, units: 10, expect: [10]}\n",
    "name: branches\ninput: [16, 8, 8]\nlayers:\n  - type: conv\n    name: a\n    filters: 16\n    kernel: 1\n"
    "  - type: conv\n    name: b\n    from: input\n    filters: 16\n    kernel: [3, 3]\n    padding: same\n"
    "  - {type: add, from: [a, b]}\n  - {type: concat, from: [a, b, input]}\n"
    "  - {type: avgpool, kernel: 2, ceil_mode: true}\n",
    "input: [2, 100]\nlayers:\n  - {type: conv, filters: 4, kernel: 5, dilation: 2, padding: [[1, 3]]}\n"
    "  - {type: conv_transpose, filters: 2, kernel: 4, stride: 2, output_padding: 1}\n  - {type: upsample, scale: 2}\n",
    "input: [1, 4, 16, 16]\nlayers:\n  - {type: conv, filters: 2, kernel: [1, 3, 3], groups: 1}\n"
    "  - {type: batchnorm}\n  - {type: relu}\n  - {type: pad, padding: 1}\n",
]
SEEDS = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "specs").glob("*.y*ml"))] + INLINE

EXAMPLES = int(os.environ.get("NETSPEC_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Fragments that stress the loader: aliases, anchors, tags, directives, odd scalars.
SNIPPETS = [
    "*a",
    "&a ",
    "<<: *a",
    "!!python/object/apply:os.system ['true']",
    "!!python/name:os.system",
    "!custom ",
    "!!binary ",
    "!!str ",
    "!!int ",
    "!!float ",
    "!!map ",
    "!!seq ",
    "!!bool ",
    "!!null ",
    "!!timestamp ",
    "!!set ",
    # Standard tags on values their constructors choke on (IndexError, KeyError).
    "!!bool maybe",
    "!!int _",
    "!!float ''",
    "!!int ,",
    "%TAG !e! tag:example.com,2000:\n---\n",
    "---\n",
    "...\n",
    ".nan",
    ".inf",
    "-.inf",
    "~",
    "null",
    "yes",
    "0x1F",
    "0o17",
    "0b101",
    "1_000",
    "1e400",
    "-0",
    "9" * 400,
    "2001-12-14",
    "? ",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "'",
    '"',
    "|\n",
    ">-\n",
    "\t",
    "\x00",
    "\ufeff",
    "\r",
    "# ",
    "é🧠",
    "[" * 80,
]


def check_contract(text: str) -> FileResult:
    result = lint_text(text, "fuzz.yaml")
    assert isinstance(result, FileResult)
    assert isinstance(result.diagnostics, list)
    assert result.internal_error is None
    # Every YAML line break can start a row (CR LF counted twice: a bound, not a count).
    rows = sum(text.count(brk) for brk in ("\n", "\r", "\x85", "\u2028", "\u2029")) + 2
    for diagnostic in result.diagnostics:
        assert isinstance(diagnostic, Diagnostic)
        assert diagnostic.filename == "fuzz.yaml"
        assert 1 <= diagnostic.span.start.row <= rows
        assert diagnostic.span.start.column >= 1
        assert diagnostic.message
    return result


@st.composite
def mutated_text(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(SEEDS)).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            lines = ["\n"]
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["delete", "duplicate", "swap", "flip", "insert", "indent"]))
        if operation == "delete":
            del lines[i]
        elif operation == "duplicate":
            lines.insert(j, lines[i])
        elif operation == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif operation == "indent":
            lines[i] = " " * draw(st.integers(1, 3)) + lines[i]
        else:
            line = lines[i]
            at = draw(st.integers(0, len(line)))
            if operation == "flip":
                char = draw(st.one_of(st.sampled_from(list("-:[]{},&*!|>'\"#%@` \t0.")), st.characters()))
                lines[i] = line[:at] + char + line[at + 1 :]
            else:
                lines[i] = line[:at] + draw(st.sampled_from(SNIPPETS)) + line[at:]
    return "".join(lines)


@FUZZ
@given(mutated_text())
def test_text_mutations_never_raise(text: str) -> None:
    check_contract(text)


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    check_contract(text)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**120), max_value=10**120),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["conv", "dense", "concat", "add", "same", "valid", "input", "relu", "flatten"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), inner, max_size=4)
    ),
    max_leaves=12,
)


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in plain data, the root included."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths(value, (*prefix, index))
    return found


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return data


@st.composite
def mutated_data(draw: st.DrawFn) -> str:
    data = yaml.safe_load(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        targets = paths(data)
        path = draw(st.sampled_from(targets))
        if draw(st.booleans()) and isinstance(data, dict) and path and path[0] == "layers":
            value = draw(VALUES)
        else:
            value = draw(st.one_of(VALUES, st.sampled_from([[], {}, None, -1, 0, 2**31, 1.5, True, "x"])))
        data = replaced(data, path, value)
    return yaml.safe_dump(data, default_flow_style=draw(st.sampled_from([None, True, False])), allow_unicode=True)


@FUZZ
@given(mutated_data())
def test_data_mutations_never_raise(text: str) -> None:
    check_contract(text)


def test_seeds_are_valid_yaml_specs() -> None:
    """The mutations start from real specs; each seed alone loads to a mapping with layers."""
    assert len(SEEDS) >= len(INLINE) + 3
    for seed in SEEDS:
        assert "layers" in yaml.safe_load(seed)
        check_contract(seed)
