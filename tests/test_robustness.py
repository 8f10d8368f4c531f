"""Hostile and broken input through the real CLI: a located diagnostic naming the file and
exit 1 (2 for usage errors and internal errors), never a traceback, never a hang, never
executed code."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import io
import itertools
import json
import os
import pickle
import random
import re
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

import pytest
import yaml
from typer.testing import CliRunner, Result

import netspec.cli
import netspec.graph
import netspec.linter
import netspec.source
from netspec import Settings, lint_file, lint_paths, lint_text, spec
from netspec.cli import app
from netspec.fix import fix_file, fix_paths, fix_source, fix_text
from netspec.layers.resize import Pad
from netspec.rules import RULES
from netspec.settings import DEFAULT_MAX_FILE_SIZE
from netspec.source import MAX_NUMBER_KEYS, FileTooLarge
from tests.helpers import (
    IS_ROOT,
    ROOT,
    SHRINKING,
    lint,
    netspec_as_ordinary_user,
    netspec_process,
    ordinary_directory,
    within,
    write_spec,
)

runner = CliRunner()

#: ``file:row:col: CODE ...`` as the concise reporter prints it.
CONCISE = re.compile(r"^(?P<file>.+?):(?P<row>\d+):(?P<col>\d+): (?P<code>NS\d{3})\b", re.MULTILINE)

GOOD = "input: [3, 8, 8]\nlayers:\n  - {type: relu}\n"


def check_in_a_process(path: Path, **options: Any) -> subprocess.CompletedProcess[str]:
    """``netspec check`` in a real process, for what CliRunner cannot show."""
    return netspec_process("check", "--output-format", "concise", str(path), **options)


def address_space_limit(mebibytes: int = 512) -> Callable[[], None]:
    """A ``preexec_fn`` that holds the process to this much address space: what a bounded
    memory needs, where expanding an attack would take gigabytes."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (mebibytes * 2**20, mebibytes * 2**20))

    return limit


def invoke(*args: str | Path, seconds: float = 30) -> Result:
    with within(seconds):
        result = runner.invoke(app, ["check", "--output-format", "concise", *map(str, args)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def diagnosed(path: Path, *options: str, code: str | None = None, fragment: str = "", seconds: float = 30) -> str:
    """Check one file; assert exit 1 and a located diagnostic naming it. Returns the output."""
    result = invoke(*options, path, seconds=seconds)
    assert result.exit_code == 1, result.output
    found = [m for m in CONCISE.finditer(result.stdout) if m["file"] == str(path)]
    assert found, result.output
    if code is not None:
        assert code in {m["code"] for m in found}, result.output
    assert fragment.lower() in result.stdout.lower()
    return result.stdout


# --- malformed or ill-typed YAML ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        pytest.param("input: [3, 8, 8\nlayers:\n", "NS001", "", id="syntax-error"),
        pytest.param("input: [3, 8, 8]\nlayers:\n\t- {type: relu}\n", "NS001", "tabs", id="tab-indentation"),
        *(
            pytest.param(
                f"input: [3, 8, 8]{brk}layers:{brk}  - type: relu{brk} \tname: x{brk}",
                "NS001",
                "tabs",
                id=f"tab-{name}",
            )
            for name, brk in (("cr", "\r"), ("nel", "\x85"), ("ls", "\u2028"), ("ps", "\u2029"))
        ),
        pytest.param("", "NS002", "empty", id="empty-file"),
        pytest.param("# only\n# comments\n", "NS002", "empty", id="only-comments"),
        pytest.param("- input\n- layers\n", "NS002", "list", id="top-level-list"),
        pytest.param("just a sentence\n", "NS002", "string", id="top-level-scalar"),
        pytest.param(GOOD + "---\n" + GOOD, "NS001", "more than one", id="several-documents"),
        pytest.param("input: [3, 8, 8]\nlayers:\n", "NS002", "layers", id="layers-null"),
        pytest.param("input: [3, 8, 8]\nlayers: []\n", "NS002", "layers", id="layers-empty"),
        pytest.param("input: [3, 8, 8]\nlayers: {type: relu}\n", "NS002", "layers", id="layers-mapping"),
        pytest.param("layers:\n  - {type: relu}\n", "NS002", "input", id="missing-input"),
        pytest.param("input: []\nlayers:\n  - {type: relu}\n", "NS002", "input", id="input-rank-0-list"),
        pytest.param("input: [3]\nlayers:\n  - {type: relu}\n", "NS002", "input", id="input-rank-0-channels"),
        pytest.param("input: 3\nlayers:\n  - {type: relu}\n", "NS002", "input", id="input-scalar"),
        pytest.param("input: [3, 4, 4, 4, 4]\nlayers:\n  - {type: relu}\n", "NS002", "input", id="input-rank-4"),
        pytest.param("input: [3, .nan, 8]\nlayers:\n  - {type: relu}\n", "NS002", "nan", id="nan"),
        pytest.param("input: [3, .inf, 8]\nlayers:\n  - {type: relu}\n", "NS002", "inf", id="inf"),
        pytest.param("input: [3, 8, 8]\nlayers:\n  - {type: conv, filters: 8.0, kernel: 3}\n", "NS002", "", id="float"),
        pytest.param("input: [3, 8, 8]\nlayers:\n  - {type: conv, filters: 8, kernel: true}\n", "NS002", "", id="bool"),
        pytest.param("input: [3, 8, 8]\nlayers:\n  - {type: conv, filters: '8', kernel: 3}\n", "NS002", "", id="str"),
        pytest.param("input: [3, -8, 8]\nlayers:\n  - {type: relu}\n", "NS002", "", id="negative-size"),
        pytest.param("input: [3, 8, 8]\nlayers:\n  - {type: conv, filters: 0, kernel: 3}\n", "NS002", "", id="zero"),
        pytest.param("input: [3, 8, 8]\nlayers:\n  - {type: conv, filters: 4, kernel: -3}\n", "NS002", "", id="neg"),
        pytest.param(
            "input: [3, 8, 8]\nlayers:\n  - {type: conv, filters: " + "9" * 5000 + ", kernel: 3}\n",
            "NS002",
            "5000 digits",
            id="integer-with-thousands-of-digits",
        ),
        pytest.param(
            "input: [3, 8, 8]\nlayers:\n  - {type: dense, units: 99999999999}\n", "NS002", "absurd", id="absurd-size"
        ),
        pytest.param(
            "input: [3, 8, 8]\nlayers:\n  - {type: relu, expect: [" + ", ".join(["1"] * 10_000) + "]}\n",
            "NS002",
            "expect",
            id="expect-with-10000-dimensions",
        ),
        # PyYAML's own constructors raise IndexError or KeyError on these, not ValueError.
        *(
            pytest.param(f"{GOOD}x: {tagged}\n", "NS001", "not a valid", id=f"explicit-{tagged}")
            for tagged in ("!!int", '!!int ""', "!!float", "!!float _", "!!bool", "!!bool maybe")
        ),
        pytest.param(
            "input: [3, 8, 8]\nlayers:\n  - {type: conv, filters: 4, kernel: !!int , padding: 1}\n",
            "NS001",
            "not a valid int",
            id="explicit-empty-int-in-a-flow-layer",
        ),
    ],
)
def test_malformed_and_ill_typed(tmp_path: Path, text: str, code: str, fragment: str) -> None:
    diagnosed(write_spec(tmp_path, text), code=code, fragment=fragment)


@pytest.mark.parametrize("loader", [yaml.CSafeLoader, yaml.SafeLoader], ids=["libyaml", "pure-python"])
@pytest.mark.parametrize(
    ("text", "hint"),
    [
        # Columns counted by hand: where the list, the mapping or the quote opened.
        ("input: [3, 8, 8\nlayers:\n", "the `[` at row 1, column 8 is not closed"),
        ("input: [3, 8, 8]\nlayers: [{type: relu\n", "the `{` at row 2, column 10 is not closed"),
        ('name: "é\ninput: [3, 8, 8]\n', "the quote at row 1, column 7 is not closed"),
        (
            "input: [3, 8, 8]\nlayers:\n  - type: conv\n     filters: 8\n",
            "a `key: value` where YAML expects a plain value",
        ),
        ("name: `net`\ninput: [3, 8, 8]\n", "YAML reserves this character"),
        # A key one space short of the item's keys (column 4, between the `- ` at column 3 and
        # the keys at column 5), and the near miss, a line at the list's own column.
        (
            "input: [3, 8, 8]\nlayers:\n  - type: conv\n    filters: 4\n   kernel: 1\n",
            "this line is indented past the `- ` of the list at row 3, column 3, but not as far as the keys of "
            "its item: indent it like the keys above it",
        ),
        (
            "input: [3, 8, 8]\nlayers:\n  - type: conv\n    filters: 4\n  kernel: 1\n",
            "this line should continue the list at row 3, column 3: `- ` at that list's indentation, or",
        ),
        # An item one space past its list's `- ` is an item: the list's help, not the keys'.
        (
            "input: [3, 8, 8]\nlayers:\n  - {type: relu}\n   - {type: relu}\n",
            "this line should continue the list at row 3, column 3: `- ` at that list's indentation",
        ),
        # A dash glued to the key: `-type` is a key, and the item's next key breaks the mapping.
        # The near miss is the `- type: conv` case above, which keeps its own hint.
        (
            "input: [3, 8, 8]\nlayers:\n  -type: maxpool\n   kernel: 2\n",
            "`-type` on row 3 is read as a key, not a list item: YAML needs a space after the dash (`- type`)",
        ),
        # An OmegaConf interpolation in a flow mapping or list, where its `{` cannot stand.
        (
            "input: [3, 8, 8]\nlayers:\n  - {type: conv, filters: ${width}, kernel: 3}\n",
            "`${…}` is an interpolation (OmegaConf, Hydra), which netspec does not resolve",
        ),
        ("input: [3, 8, 8]\nlayers:\n  - {type: conv, filters: 8, kernel: [${k}, 3]}\n", "`${…}` is an interpolation"),
        # YAML reads a key of at most 1,024 characters (here 1,025), then expects a comma or a `:`.
        (f"input: [3, 8, 8]\nlayers:\n  - {{type: relu, {'k' * 1025}: 1}}\n", "the key before this `:` has 1,025 "),
        (f"input: [3, 8, 8]\nlayers:\n  - type: relu\n    {'k' * 1025}: 1\n", "the key before this `:` has 1,025 "),
        # The near misses: an error the hints do not know gets none rather than a guess, and a
        # tab, which the message itself explains.
        ("input: [3, 8, 8]\nlayers: [{type: relu}, [1,\n\n", None),
        ("input: [3, 8, 8]\nlayers:\n\t- {type: relu}\n", None),
        ("input: [3, 8, 8]\nlayers:\n  - {type: conv, filters: $ {width}, kernel: 3}\n", "the `{` at row 3"),
        # A short key before the `:`: the comma is missing.
        ("input: [3, 8, 8]\nlayers:\n  - {type: relu k: 1}\n", "the `{` at row 3"),
        # A long value, with its own short key, that holds ': '.
        (f"input: [3, 8, 8]\nlayers:\n  - type: relu\n    note: {'word ' * 220}: more\n", "a `key: value` where"),
        (f"input: [3, 8, 8]\nlayers:\n  - {{type: relu, note: {'word ' * 220}: more}}\n", "the `{` at row 3"),
    ],
)
def test_a_syntax_error_says_where_to_look(
    monkeypatch: pytest.MonkeyPatch, loader: Any, text: str, hint: str | None
) -> None:
    monkeypatch.setattr(netspec.source, "_Parser", loader)
    (d,) = lint_text(text, "spec.yaml").diagnostics
    assert d.code == "NS001"
    assert (d.help or "").startswith(hint or "") and (d.help is None) == (hint is None)


def test_three_megabyte_single_line(tmp_path: Path) -> None:
    text = "name: " + "x" * 3_000_000 + "\ninput: [3, 8, 8]\nlayers:\n  - {type: dense, units: 4}\n"
    diagnosed(write_spec(tmp_path, text), code="NS105")


def test_a_layer_with_twenty_thousand_unknown_keys_gets_one_bounded_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each problem used to be appended to the one message, and searched for in it: quadratic,
    # five minutes for 200,000 keys. The message now lists the first ten and counts the rest.
    # (Past 10,000 problems a file is refused unreported: the limit is raised here.)
    monkeypatch.setattr("netspec.spec.MAX_SCHEMA_ERRORS", 100_000)
    keys = ", ".join(f"k{i}: 1" for i in range(20_000))
    out = diagnosed(write_spec(tmp_path, f"input: [3, 8, 8]\nlayers:\n  - {{type: relu, {keys}}}\n"), code="NS002")
    (line,) = [line for line in out.splitlines() if "NS002" in line]
    named = ", ".join(f"'k{i}'" for i in range(10))
    assert line.endswith(f"NS002 error: unknown keys in relu layer: {named}, and 19,990 more")


def test_a_flood_of_unknown_keys_stops_suggesting(tmp_path: Path) -> None:
    # 'name0' is close to 'name'. Each suggestion compares the key with the spec's keys the
    # file does not have yet (name, description, outputs), while the file's budget of
    # comparisons is not spent: the last one may overdraw it.
    afforded = -(-spec.SUGGESTION_BUDGET // len(("name", "description", "outputs")))
    keys = "".join(f"name{i}: 1\n" for i in range(afforded + 5))
    out = diagnosed(write_spec(tmp_path, f"{GOOD}{keys}"), code="NS002")
    lines = [line for line in out.splitlines() if "unknown key" in line]
    assert [("did you mean 'name'" in line) for line in lines] == [True] * afforded + [False] * 5


def test_a_flood_of_broken_references_stops_suggesting(tmp_path: Path) -> None:
    # Layer i (from 1) reads 'layr{i-1}', close to 'layer{i-1}', and a suggestion compares it
    # with the i earlier names and 'input'. Layer k gets one while the layers before it spent
    # less than the budget: (k − 1)(k + 2)/2 comparisons.
    count = 2_000
    afforded = max(k for k in range(1, count) if (k - 1) * (k + 2) // 2 < spec.SUGGESTION_BUDGET)
    layers = ["  - {type: relu, name: layer0}"]
    layers += [f"  - {{type: relu, name: layer{i}, from: layr{i - 1}}}" for i in range(1, count)]
    out = diagnosed(write_spec(tmp_path, "input: [3, 8, 8]\nlayers:\n" + "\n".join(layers) + "\n"), code="NS004")
    lines = [line for line in out.splitlines() if "NS004" in line]
    assert len(lines) == count - 1
    suggested = [i for i, line in enumerate(lines, start=1) if f"did you mean 'layer{i - 1}'" in line]
    assert suggested == list(range(1, afforded + 1))


def test_broken_references_among_long_names_pay_for_their_length() -> None:
    # difflib compares two 64-letter names of one repeated letter in ~300 µs, 40-150 times
    # a short word's: 142 such references among 142 such names took 3.7 s. A comparison costs
    # 64·64/64 = 64 short ones here. Reference r (from 0) compares with the 100 names, the r
    # references before it (named relu101…) and 'input': (101 + r)·64 = 6,464, 6,528, 6,592,
    # then 6,656 with 416 of the 20,000 left: four get a suggestion.
    names = [f"{'x' * 62}{a}{b}" for a, b in itertools.product("abcdefghij", repeat=2)]
    layers = [f"  - {{type: relu, name: {name}}}" for name in names]
    layers += [f"  - {{type: relu, from: {name.upper()}}}" for name in names[:10]]
    found = lint_text("input: [3, 8, 8]\nlayers:\n" + "\n".join(layers) + "\n").diagnostics
    assert [("did you mean" in d.message) for d in found if d.code == "NS004"] == [True] * 4 + [False] * 6
    # The near miss: names of 4 letters cost one comparison each, (101 + r) in all: every
    # reference gets its suggestion.
    short = [line.replace("x" * 62, "xx").replace("X" * 62, "XX") for line in layers]
    found = lint_text("input: [3, 8, 8]\nlayers:\n" + "\n".join(short) + "\n").diagnostics
    assert [("did you mean" in d.message) for d in found if d.code == "NS004"] == [True] * 10


# --- YAML attacks -------------------------------------------------------------------------

BOMB = "\n".join(
    ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [
        f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]"
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)


def test_billion_laughs_is_refused_before_expansion(tmp_path: Path) -> None:
    diagnosed(write_spec(tmp_path, BOMB + "\n"), code="NS001", fragment="alias", seconds=10)


#: Where an alias can repeat one long string: as what a message quotes, and what "did you
#: mean" compares.
LONG_STRING_PLACES = {
    "type": "{type: *s}",
    "key": "{type: relu, *s : 1}",
    "duplicate-key": "{type: relu, *s : 1, *s : 2}",
    "activation": "{type: conv, filters: 1, kernel: 1, activation: *s}",
    "padding": "{type: conv, filters: 1, kernel: 1, padding: *s}",
    "name": "{type: relu, name: *s}",
    "from": "{type: relu, from: *s}",
}


@pytest.mark.parametrize("layer", LONG_STRING_PLACES.values(), ids=LONG_STRING_PLACES)
def test_an_aliased_long_string_neither_slows_nor_floods_the_report(tmp_path: Path, layer: str) -> None:
    # 10,000 characters × 600 uses: 6 MB of text that the alias budget lets through (the
    # string counts 626 nodes a use). Quoted in full, each message would carry all of it.
    text = f"s: &s {'x' * 10_000}\ninput: [3, 8, 8]\nlayers:\n" + f"  - {layer}\n" * 600
    out = diagnosed(write_spec(tmp_path, text), seconds=10)
    assert len(out) < 300_000, len(out)
    assert "x" * 200 not in out


@pytest.mark.parametrize(
    ("anchor", "alias"),
    [
        # 100,000 characters count 1 + 100,000 // 16 = 6,251 nodes.
        (f"s: &s {'x' * 100_000}\n", "{type: *s}"),
        # The mapping's 100,008 characters of text count 6,250 nodes, and its 3 nodes 3 more.
        (f"s: &s {{type: {'x' * 100_000}}}\n", "*s"),
    ],
    ids=["string", "mapping"],
)
def test_anchored_text_counts_against_the_alias_budget(tmp_path: Path, anchor: str, alias: str) -> None:
    # 159 uses expand to at most 159 · 6,253 = 994,227 nodes, within the 1,000,000 budget;
    # 160 uses to at least 160 · 6,251 = 1,000,160, past it.
    head = f"{anchor}input: [3, 8, 8]\nlayers:\n"
    assert "NS001" not in diagnosed(write_spec(tmp_path, head + f"  - {alias}\n" * 159, "in.yaml"))
    past = write_spec(tmp_path, head + f"  - {alias}\n" * 160, "past.yaml")
    diagnosed(past, code="NS001", fragment="16 characters of anchored text")


@pytest.mark.parametrize(
    "text", [BOMB, "[" * 20_000 + "]" * 20_000, "- " * 20_000 + "1"], ids=["bomb", "flow", "block"]
)
def test_attacks_run_in_bounded_memory(tmp_path: Path, text: str) -> None:
    """A real process limited to 512 MiB of address space: expanding the bomb would need gigabytes."""
    path = write_spec(tmp_path, text + "\n")

    done = check_in_a_process(path, preexec_fn=address_space_limit())
    assert done.returncode == 1, done.stderr
    assert f"{path}:" in done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 20_000 + "]" * 20_000 + "\n", id="flow"),
        pytest.param("- " * 20_000 + "1\n", id="block"),
        pytest.param("{a: " * 20_000 + "1" + "}" * 20_000 + "\n", id="flow-mapping"),
        pytest.param("input: [3, 8, 8]\nx: " + "[" * 20_000 + "]" * 20_000 + "\n", id="flow-value"),
        pytest.param("".join(" " * i + f"k{i}:\n" for i in range(2_000)) + " " * 2_000 + "v\n", id="indented-block"),
    ],
)
def test_deep_nesting_is_refused_without_recursion(tmp_path: Path, text: str) -> None:
    # The same words whichever limit is met first: netspec's at level 65, or libyaml's own at
    # 1,000, which it meets while it scans flow brackets ahead.
    fragment = "nesting deeper than 64 levels; a network spec never needs this"
    diagnosed(write_spec(tmp_path, text), code="NS001", fragment=fragment, seconds=10)


@pytest.mark.parametrize("loader", [yaml.CSafeLoader, yaml.SafeLoader], ids=["libyaml", "pure-python"])
@pytest.mark.parametrize(
    ("text", "column"),
    [
        # Level 65 is the 65th bracket; after `x: `, whose mapping is level 1, the 64th (3 + 64).
        ("[" * 2_000 + "\n", 65),
        ("x: " + "[" * 2_000 + "\n", 67),
        # A bracket inside a quoted scalar opens nothing: level 2 opens at column 4, and "[",
        # then `, ` take 5 more columns before level 3 (9 + 63 = 72 for level 65).
        ('x: ["[", ' + "[" * 2_000 + "\n", 72),
    ],
)
def test_deep_nesting_is_placed_at_the_level_past_the_limit(
    monkeypatch: pytest.MonkeyPatch, loader: Any, text: str, column: int
) -> None:
    # libyaml meets its own limit of 1,000 levels while it scans ahead, at the 1,001st bracket.
    monkeypatch.setattr(netspec.source, "_Parser", loader)
    (d,) = lint_text(text, "spec.yaml").diagnostics
    assert (d.code, d.span.start.row, d.span.start.column) == ("NS001", 1, column)


@pytest.mark.parametrize(
    "template",
    [
        pytest.param('x: !!python/object/apply:os.system ["touch {marker}"]\n', id="apply-scalar-args"),
        pytest.param("x: !!python/object/apply:os.system {{args: ['touch {marker}']}}\n", id="apply-mapping"),
        pytest.param("x: !<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']\n", id="verbatim-tag"),
        pytest.param(
            "%TAG !p! tag:yaml.org,2002:python/\n---\nx: !p!object/apply:os.system ['touch {marker}']\n",
            id="tag-directive",
        ),
        pytest.param('x: !!python/object/new:os.system ["touch {marker}"]\n', id="object-new"),
    ],
)
def test_python_tags_never_execute(tmp_path: Path, template: str) -> None:
    marker = tmp_path / f"pwned-{os.getpid()}"
    path = write_spec(tmp_path, template.format(marker=marker))
    diagnosed(path, code="NS001", fragment="tag")
    assert not marker.exists()


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/name:os.system",
        "!!python/module:os",
        "!!python/object:collections.OrderedDict {}",
        "!custom 3",
        "!!binary aGVsbG8=",
        "!!set {a, b}",
        "!!timestamp 2001-12-14",
        "!<tag:example.com,2000:thing> 1",
    ],
)
def test_non_standard_tags_are_refused(tmp_path: Path, tagged: str) -> None:
    diagnosed(write_spec(tmp_path, f"input: {tagged}\nlayers:\n  - {{type: relu}}\n"), code="NS001", fragment="tag")


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = write_spec(tmp_path, GOOD + "#" * 200 + "\n")
    diagnosed(path, "--max-file-size", "100", code="NS001", fragment="--max-file-size")
    # Set in the configuration, the limit is not blamed on a flag alone.
    (tmp_path / "netspec.toml").write_text("max-file-size = 100\n")
    config = str(tmp_path / "netspec.toml")
    diagnosed(
        path, "--config", config, code="NS001", fragment="(--max-file-size, or max-file-size in the configuration)"
    )
    assert invoke("--max-file-size", "100000", path).exit_code == 0
    assert DEFAULT_MAX_FILE_SIZE == 10 * 1024 * 1024


@pytest.mark.parametrize("limit", [str(2**63 - 1), "99999999999999999999", "100000000000"])
def test_a_huge_size_limit_is_only_a_limit(tmp_path: Path, limit: str) -> None:
    # read(limit + 1) would overflow, or allocate the limit's worth of memory.
    result = invoke("--max-file-size", limit, write_spec(tmp_path, GOOD))
    assert result.exit_code == 0, result.output


def number_keys(count: int) -> str:
    # Multiples of 2⁶¹ − 1, which Python hashes all to 0: each dict insertion probes them all.
    return "{" + ", ".join(f"{(2**61 - 1) * k}: 0" for k in range(1, count + 1)) + "}"


@pytest.mark.parametrize(("count", "refused"), [(MAX_NUMBER_KEYS, False), (MAX_NUMBER_KEYS + 1, True)])
def test_numbers_as_keys_are_capped(tmp_path: Path, count: int, refused: bool) -> None:
    out = diagnosed(write_spec(tmp_path, f"{GOOD}x: {number_keys(count)}\n"))
    line = 4  # the mapping of numbers
    assert (f":{line}:" in out and "NS001" in out and "are numbers" in out) is refused
    assert ("unknown key 'x'" in out) is not refused


def test_numbers_as_keys_count_in_merged_copies(tmp_path: Path) -> None:
    # 600 keys, then merged into a second mapping: 1,200 numbers as keys in all.
    text = f"{GOOD}base: &b {number_keys(600)}\ncopy: {{<<: *b}}\n"
    out = diagnosed(write_spec(tmp_path, text), code="NS001", fragment="are numbers")
    assert f"{tmp_path / 'spec.yaml'}:5:" in out


# --- encodings ----------------------------------------------------------------------------

#: NS004 at row 4, column 24: the unknown name after "  - {type: relu, from: ".
UNKNOWN_REFERENCE = "input: [3, 8, 8]\nlayers:\n  - {type: relu, name: a}\n  - {type: relu, from: b}\n"


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    path = write_spec(tmp_path, b"input: [3, 8, 8]\nname: caf\xe9\nlayers: []\n")
    output = diagnosed(path, code="NS001", fragment="UTF-8")
    assert f"{path}:2:10:" in output


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_unicode_encodings_are_decoded_and_checked_normally(tmp_path: Path, encoding: str) -> None:
    path = write_spec(tmp_path, UNKNOWN_REFERENCE.encode(encoding))
    output = diagnosed(path, code="NS004")
    assert f"{path}:4:24: NS004" in output


@pytest.mark.parametrize("loader", [yaml.CSafeLoader, yaml.SafeLoader])
def test_a_lone_surrogate_in_text_given_to_the_library_is_located(
    monkeypatch: pytest.MonkeyPatch, loader: type
) -> None:
    # What reading a byte that is not UTF-8 with errors="surrogateescape" leaves in a str.
    monkeypatch.setattr(netspec.source, "_Parser", loader)
    text = "input: [3, 8, 8]\nlayers:\n  - {type: relu, name: a\udcffb}\n"
    (diagnostic,) = lint_text(text, "spec.yaml").diagnostics
    assert (diagnostic.code, diagnostic.span.start) == ("NS001", (3, len("  - {type: relu, name: a") + 1))
    assert "#xdcff" in diagnostic.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-le", "utf-8-sig"])
def test_bytes_given_to_the_library_are_decoded_as_a_file_is(encoding: str) -> None:
    found = lint_text(UNKNOWN_REFERENCE.encode(encoding), "spec.yaml").diagnostics
    assert ("NS004", (4, 24)) in [(d.code, d.span.start) for d in found]
    assert found == lint_text(UNKNOWN_REFERENCE, "spec.yaml").diagnostics


def test_undecodable_bytes_given_to_the_library_are_located() -> None:
    (diagnostic,) = lint_text(b"input: [3, 8, 8]\nname: caf\xe9\n", "spec.yaml").diagnostics
    assert (diagnostic.code, diagnostic.filename, diagnostic.span.start) == ("NS001", "spec.yaml", (2, 10))


@pytest.mark.parametrize("kind", [bytearray, memoryview])
def test_any_bytes_like_text_given_to_the_library_is_decoded(kind: type) -> None:
    assert (
        lint_text(kind(UNKNOWN_REFERENCE.encode()), "spec.yaml").diagnostics
        == lint_text(UNKNOWN_REFERENCE, "spec.yaml").diagnostics
    )


def test_a_path_given_to_the_library_as_a_file_name_is_named_as_text() -> None:
    # Callers write the name into JSON of their own (json.dumps refuses a Path).
    named = Path("nets") / "spec.yaml"
    results = (
        lint_text(UNKNOWN_REFERENCE, named),
        fix_text(UNKNOWN_REFERENCE, named).result,
        fix_source(UNKNOWN_REFERENCE.encode(), named).result,
    )
    for result in results:
        assert result.filename == "nets/spec.yaml"
        assert {d.filename for d in result.diagnostics} == {"nets/spec.yaml"}


def test_fix_text_refuses_bytes_and_names_what_takes_them() -> None:
    # Its fixed text is a str: written back, it needs the encoding that fix_source keeps.
    with pytest.raises(TypeError, match="fix_text takes a str, not bytes: fix_source fixes a file's bytes"):
        fix_text(UNKNOWN_REFERENCE.encode(), "spec.yaml")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "call", ["lint_text", "lint_file", "lint_paths", "fix_text", "fix_source", "fix_file", "fix_paths"]
)
def test_every_entry_point_refuses_settings_that_are_not_settings_by_name(tmp_path: Path, call: str) -> None:
    # A dict of options met `settings.max_file_size` as an AttributeError deep in the lint;
    # from fix_paths (and lint_paths), it was recorded as netspec's own error on every file.
    path = write_spec(tmp_path, UNKNOWN_REFERENCE)
    target: Any = {
        "lint_text": lambda settings: lint_text(UNKNOWN_REFERENCE, "spec.yaml", settings),
        "lint_file": lambda settings: lint_file(path, settings),
        "lint_paths": lambda settings: lint_paths([path], settings),
        "fix_text": lambda settings: fix_text(UNKNOWN_REFERENCE, "spec.yaml", settings),
        "fix_source": lambda settings: fix_source(UNKNOWN_REFERENCE.encode(), "spec.yaml", settings),
        "fix_file": lambda settings: fix_file(path, settings, write=False),
        "fix_paths": lambda settings: fix_paths([path], settings, write=False),
    }[call]
    with pytest.raises(TypeError, match=re.escape(f"{call} takes a netspec.Settings for its settings, not dict")):
        target({"select": ["NS1"]})
    # The near miss: Settings, or None for the defaults, lint the file: `b` is no layer.
    for settings in (Settings(), None):
        result = target(settings)
        results = result if isinstance(result, list) else [result]
        assert [d.code for r in results for d in getattr(r, "result", r).diagnostics] == ["NS004"]


def test_lint_text_refuses_what_is_not_text_by_name() -> None:
    with pytest.raises(TypeError, match="lint_text takes the spec's text as a str or its bytes, not NoneType"):
        lint_text(None)  # type: ignore[arg-type]
    # The near miss: bytes are a file's, decoded.
    assert [d.code for d in lint_text(UNKNOWN_REFERENCE.encode()).diagnostics] == ["NS004"]


def test_nul_byte_is_located(tmp_path: Path) -> None:
    path = write_spec(tmp_path, b"input: [3, 8, 8]\x00\nlayers: []\n")
    assert f"{path}:1:17: NS001" in diagnosed(path, code="NS001")


def test_a_nul_byte_in_a_file_name_is_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    # No command line can hold one; a library caller's path can, and os.stat raises a
    # ValueError on it, which is no bug in netspec to report.
    named = f"{tmp_path}/a\0b.yaml"
    reason = "cannot read the file: the name holds a NUL byte, which no file name can"
    (result,) = lint_paths([named])
    assert result.internal_error is None and [(d.code, d.message) for d in result.diagnostics] == [("NS001", reason)]
    assert [d.message for d in lint_file(named).diagnostics] == [reason]
    assert [d.message for d in fix_file(named).result.diagnostics] == [reason]


@pytest.mark.parametrize("seed", range(8))
def test_random_binary(tmp_path: Path, seed: int) -> None:
    noise = random.Random(seed).randbytes(4096)
    diagnosed(write_spec(tmp_path, noise))


# --- graph abuse --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layers", "fragment"),
    [
        pytest.param(["{type: relu, name: a, from: a}"], "itself", id="from-self"),
        pytest.param(["{type: relu, name: a, from: b}", "{type: relu, name: b}"], "later", id="from-forward"),
        pytest.param(["{type: relu, name: a, from: b}", "{type: relu, name: b, from: a}"], "later", id="cycle"),
    ],
)
def test_bad_references(tmp_path: Path, layers: list[str], fragment: str) -> None:
    text = "input: [3, 8, 8]\nlayers:\n" + "".join(f"  - {layer}\n" for layer in layers)
    diagnosed(write_spec(tmp_path, text), code="NS004", fragment=fragment)


def test_ten_thousand_branches_merged_by_one_concat_is_fast(tmp_path: Path) -> None:
    branches = 10_000
    lines = ["input: [3, 8, 8]", "layers:"]
    lines += [f"  - {{type: relu, name: b{i}, from: input}}" for i in range(branches)]
    lines.append("  - {type: concat, name: joined, from: [" + ", ".join(f"b{i}" for i in range(branches)) + "]}")
    # The concat's output, worked by hand: channels add up, 8×8 is kept. One wrong expectation
    # makes the file fail, so the check has to traverse every branch.
    lines.append(f"  - {{type: relu, expect: [{3 * branches + 1}, 8, 8]}}")
    # About 0.7 s here: 10 s leaves room for a loaded CI machine; quadratic work takes minutes.
    diagnosed(write_spec(tmp_path, "\n".join(lines) + "\n"), code="NS108", fragment=f"{3 * branches}×8×8", seconds=10)


def test_more_layers_than_any_network_has_are_refused_as_they_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 740,000 `{type: relu}` fit in 10 MB, and took 1.8 GB to check. The layer past the
    # limit is pointed at: on row 103 (after `input`, `layers:` and 100 layers), its `{`.
    monkeypatch.setattr("netspec.source.MAX_ITEMS", 100)
    path = write_spec(tmp_path, "input: [3, 8, 8]\nlayers:\n" + "  - {type: relu}\n" * 101)
    out = diagnosed(path, code="NS001", fragment="more than 100 layers; a network spec never needs this")
    assert f"{path}:103:5: NS001" in out
    # The near miss: as many as the limit are checked.
    assert (
        invoke(write_spec(tmp_path, "input: [3, 8, 8]\nlayers:\n" + "  - {type: relu}\n" * 100, "ok.yaml")).exit_code
        == 0
    )
    # Layers given under another name are a list read first, and refused as one: in a merge
    # key's mapping, the 101st on row 104; an alias's anchored list's, on row 103.
    merged = write_spec(tmp_path, "input: [3, 8, 8]\n<<:\n  layers:\n" + "    - {type: relu}\n" * 101, "merged.yaml")
    assert f"{merged}:104:7: NS001" in diagnosed(merged, code="NS001", fragment="more than 100 items in a list")
    aliased = "input: [3, 8, 8]\nx-defs: &l\n" + "  - {type: relu}\n" * 101 + "layers: *l\n"
    aliased_path = write_spec(tmp_path, aliased, "aliased.yaml")
    out = diagnosed(aliased_path, code="NS001", fragment="more than 100 items in a list")
    assert f"{aliased_path}:103:5: NS001" in out


def test_a_list_longer_than_the_layers_can_be_is_refused_as_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A `from` naming one layer five million times fits in 10 MB, and took a gigabyte. With a
    # limit of 100, the 101st `a` starts after "  - {type: concat, from: [" (26 characters)
    # and 100 of "a, " (3 each): column 327.
    monkeypatch.setattr("netspec.source.MAX_ITEMS", 100)

    def spec_with(entries: int) -> str:
        return (
            "input: [3, 8, 8]\nlayers:\n  - {type: relu, name: a}\n  - {type: concat, from: ["
            + "a, " * entries
            + "]}\n"
        )

    out = diagnosed(write_spec(tmp_path, spec_with(101)), code="NS001", fragment="more than 100 items in a list")
    assert ":4:327: NS001" in out
    # The near miss: 100 are read, and the concat has 100 × 3 channels.
    ok = spec_with(100).replace("]}", "], expect: [300, 8, 8]}")
    assert invoke(write_spec(tmp_path, ok, "ok.yaml")).exit_code == 0


def test_a_flood_of_mappings_anywhere_is_refused_as_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 3.4 million `{}` fit in 10 MB, and took 1.8 GB to read. Here the limit is 100: the root
    # mapping, `input`'s list, `layers`' list, the relu's mapping and `x`'s list make 5, so
    # 95 empty mappings in `x` are the most.
    monkeypatch.setattr("netspec.source.MAX_COLLECTIONS", 100)

    def spec_with(empty: int) -> str:
        return "input: [3, 8, 8]\nlayers: [{type: relu}]\nx: [" + "{}, " * empty + "]\n"

    # The 96th `{}` starts after "x: [" (4 characters) and 95 of "{}, " (4 each): column 385.
    out = diagnosed(write_spec(tmp_path, spec_with(96)), code="NS001", fragment="more than 100 mappings and lists")
    assert ":3:385: NS001" in out
    # The near miss: 95 are read, and `x` is reported as the unknown key it is.
    near = diagnosed(write_spec(tmp_path, spec_with(95), "near.yaml"), code="NS002", fragment="unknown key 'x'")
    assert "NS001" not in near


def test_a_flood_of_repeated_keys_is_refused_as_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Here the limit is 100: a layer whose `name` is written 102 times repeats it 101 times.
    monkeypatch.setattr("netspec.source.MAX_REPEATED_KEYS", 100)

    def spec_with(names: int) -> str:
        return "input: [3, 8, 8]\nlayers: [{type: relu, " + ", ".join(["name: a"] * names) + "}]\n"

    # The 101st repeat is the 102nd `name`: after "layers: [{type: relu, " (22 characters)
    # and 101 of "name: a, " (9 each), at column 23 + 909.
    out = diagnosed(write_spec(tmp_path, spec_with(102)), code="NS001", fragment="more than 100 repeated keys")
    assert ":2:932: NS001" in out
    # The near miss: 100 repeats are read, and reported as the repeated key they are.
    near = diagnosed(write_spec(tmp_path, spec_with(101), "near.yaml"), code="NS003", fragment="appears more than once")
    assert "NS001" not in near


def test_a_repeat_in_every_layer_is_no_flood(tmp_path: Path) -> None:
    # Two merge keys in each layer repeat `<<` (NS003), which a project may mean and silence:
    # 2,000 layers of them are checked, as the limit allows one repeat per layer.
    layers = "".join(f"  - {{type: relu, name: r{i}, <<: *a, <<: *b}}\n" for i in range(2_000))
    text = "x: [&a {}, &b {}]\ninput: [3, 8, 8]\nlayers:\n" + layers
    path = write_spec(tmp_path, text)
    assert invoke("--ignore", "NS003,NS002", path).exit_code == 0
    assert diagnosed(path, code="NS003").count("NS003") == 2_000


def test_a_ten_megabyte_flood_of_repeated_keys_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    # 1.2 million repeats of `name: a` fit in 10 MB, and took over a gigabyte; here the process
    # is held to 512 MiB. The 100,001st repeat starts after "layers: [{type: relu, " (22
    # characters) and 100,001 of "name: a," (8 each).
    path = write_spec(tmp_path, "input: [3, 8, 8]\nlayers: [{type: relu, " + "name: a," * 1_200_000 + "name: a}]\n")

    done = check_in_a_process(path, preexec_fn=address_space_limit())
    assert done.returncode == 1, done.stderr
    assert f"{path}:2:{23 + 8 * 100_001}: NS001 error: more than 100,000 repeated keys" in done.stdout


@pytest.mark.parametrize(
    ("layer", "counted"),
    [
        # Unknown keys are counted before pydantic sees them: it keeps every error it finds.
        ("{type: relu, bogus: 1}", "unknown keys (such as 'bogus' in layer 1), more"),
        # A key of the spec's own, in a layer, is unknown there too; one close to a layer's
        # key is named with it.
        ("{type: relu, input: 1}", "unknown keys (such as 'input' in layer 1), more"),
        (
            "{type: conv, filters: 4, kernel: 3, stide: 2}",
            "unknown keys (such as 'stide' in layer 1; did you mean 'stride'?)",
        ),
        # Other problems are counted by pydantic, and refused before they are reported.
        ("{type: conv, filters: x, kernel: 3}", "problems in its keys and values, more"),
    ],
)
def test_a_flood_of_schema_problems_is_refused_unreported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layer: str, counted: str
) -> None:
    monkeypatch.setattr("netspec.spec.MAX_SCHEMA_ERRORS", 10)

    def spec_with(layers: int) -> str:
        return "input: [3, 8, 8]\nlayers:\n" + f"  - {layer}\n" * layers

    out = diagnosed(write_spec(tmp_path, spec_with(11)), code="NS001", fragment=f"the spec has 11 {counted}")
    assert ":1:1: NS001" in out
    # The near miss: ten problems are each reported.
    near = diagnosed(write_spec(tmp_path, spec_with(10), "near.yaml"), code="NS002")
    assert "NS001" not in near and near.count("NS002") == 10


def test_ten_thousand_schema_problems_are_reported_and_one_more_refused(tmp_path: Path) -> None:
    # One unknown key in each layer: 10,000 are each reported (100,000 took 7.5 s and 430 MB).
    def spec_with(layers: int) -> str:
        return "input: [3, 8, 8]\nlayers:\n" + "  - {type: relu, bogus: 1}\n" * layers

    out = diagnosed(write_spec(tmp_path, spec_with(10_001)), code="NS001")
    assert "the spec has 10,001 unknown keys (such as 'bogus' in layer 1), more than the 10,000 problems" in out
    near = diagnosed(write_spec(tmp_path, spec_with(10_000), "near.yaml"), code="NS002")
    assert near.count(": NS002 error: unknown key 'bogus' in relu layer") == 10_000


def test_a_refused_flood_names_the_first_unknown_key_of_the_spec_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Eleven unknown top-level keys, k0 to k10: the message names k0, whatever the order of
    # Python's sets of strings, which changes from one process to the next.
    monkeypatch.setattr("netspec.spec.MAX_SCHEMA_ERRORS", 10)
    keys = "".join(f"k{i}: 1\n" for i in range(11))
    out = diagnosed(write_spec(tmp_path, keys + "input: [3, 8, 8]\nlayers:\n  - {type: relu}\n"), code="NS001")
    assert "the spec has 11 unknown keys (such as 'k0' in the spec), more than the 10 problems" in out


def test_a_ten_megabyte_flood_of_unknown_keys_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    # Ten unknown keys in each of 100,000 layers fit in 7 MB, and took 2 GB to report; here
    # the process is held to 512 MiB.
    layer = "{type: relu, b: 1, c: 2, d: 3, e: 4, f: 5, g: 6, h: 7, i: 8, j: 9, k: 0}"
    path = write_spec(tmp_path, "input: [3, 8, 8]\nlayers: [" + ", ".join([layer] * 100_000) + "]\n")

    done = check_in_a_process(path, preexec_fn=address_space_limit())
    assert done.returncode == 1, done.stderr
    assert f"{path}:1:1: NS001 error: the spec has 1,000,000 unknown keys (such as 'b' in layer 1)" in done.stdout


def test_a_ten_megabyte_flood_of_layers_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    # The real limit, in a real process held to 512 MiB: 740,000 layers on one line.
    path = write_spec(tmp_path, "input: [3, 8, 8]\nlayers: [" + ", ".join(["{type: relu}"] * 740_000) + "]\n")

    done = check_in_a_process(path, preexec_fn=address_space_limit())
    # Layer 100,001 starts after "layers: [" (9 characters) and 100,000 of "{type: relu}, " (14).
    assert done.returncode == 1, done.stderr
    assert f"{path}:2:{10 + 14 * 100_000}: NS001 error: more than 100,000 layers" in done.stdout


def test_a_ten_megabyte_list_of_inputs_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    # Five million names in one `from`, in a process held to 512 MiB. Entry 100,001 starts
    # after "  - {type: concat, from: [" (26 characters) and 100,000 of "a," (2 each).
    text = "input: [3, 8, 8]\nlayers:\n  - {type: relu, name: a}\n  - {type: concat, from: [" + "a," * 5_000_000
    path = write_spec(tmp_path, text + "a]}\n")

    done = check_in_a_process(path, preexec_fn=address_space_limit())
    assert done.returncode == 1, done.stderr
    assert f"{path}:4:{27 + 2 * 100_000}: NS001 error: more than 100,000 items in a list" in done.stdout


@pytest.mark.parametrize("noqa", ["# noqa: ", "# noqa "])
def test_a_ten_megabyte_noqa_comment_is_read_in_bounded_memory(tmp_path: Path, noqa: str) -> None:
    # 2.6 million codes in one comment took 1.5 GB, most of it the pattern's backtracking
    # points; in a process held to 512 MiB it is read, and judged as one code.
    path = write_spec(tmp_path, "input: [3, 8, 8]\nlayers:\n  - {type: relu}  " + noqa + "NS1 " * 2_600_000 + "\n")

    done = check_in_a_process(path, preexec_fn=address_space_limit())
    assert done.returncode == 1, done.stderr
    assert f"{path}:3:19: NS900" in done.stdout and "NS1" in done.stdout


@pytest.mark.parametrize("quote", ['"', "'" * 3, '"' * 3])
def test_a_megabyte_string_in_the_configuration_is_read_in_bounded_memory(tmp_path: Path, quote: str) -> None:
    # A string of a million characters, within the 1 MiB limit, took 280 MB to scan for dotted
    # keys; in a process held to 160 MiB the configuration is read, and its key refused.
    (tmp_path / "netspec.toml").write_text(f"x = {quote}{'a' * 1_000_000}{quote}\n")
    path = write_spec(tmp_path, "input: [3, 8, 8]\nlayers:\n  - {type: relu}\n")

    done = check_in_a_process(path, preexec_fn=address_space_limit(160), cwd=tmp_path)
    assert done.returncode == 2 and "netspec.toml: unknown key 'x'" in done.stderr, done.stderr


def test_a_chain_of_pads_is_checked_in_bounded_memory_and_named_in_a_bounded_message(tmp_path: Path) -> None:
    # Each of 20,000 pads kept the list of those before it: 3.5 GB, and the conv's messages
    # named them all. Padded 1 on each side 20,000 times, the 8×8 map is 40,008 wide, and an
    # unpadded 3×3 conv takes it to 40,006 (NS102); padding 20,000 ≥ its kernel 3 (NS107).
    text = "input: [1, 8, 8]\nlayers:\n" + "  - {type: pad, padding: 1}\n" * 20_000
    path = write_spec(tmp_path, text + "  - {type: conv, filters: 1, kernel: 3}\n")
    done = check_in_a_process(path, preexec_fn=address_space_limit())
    assert done.returncode == 1, done.stderr
    found = done.stdout.splitlines()[:-1]
    assert [line.split(": ")[1].split()[0] for line in found] == ["NS102", "NS107"], done.stdout
    ten = " and ".join(f"pad{i}" for i in range(1, 11))
    assert f"conv20001, with {ten} and 19,990 more pad layers before it: padding 20000 ≥" in found[1]
    # The near miss: two pads are both named.
    short = "input: [1, 8, 8]\nlayers:\n" + "  - {type: pad, padding: 2}\n" * 2
    (found_short,) = [d for d in lint(short + "  - {type: conv, filters: 1, kernel: 3}\n") if d.code == "NS107"]
    assert found_short.message.startswith("conv3, with pad1 and pad2 before it: padding 4 ≥ the effective kernel 3")


@pytest.mark.parametrize(
    ("pads", "named"), [(10, "pad10"), (11, "pad10 and 1 more pad layer"), (12, "and 2 more pad layers")]
)
def test_a_message_names_ten_pads_and_counts_the_rest(pads: int, named: str) -> None:
    # Padded 1 on a side by each pad, the 3×3 conv after them pads 10, 11 or 12 ≥ its kernel 3.
    text = "input: [1, 8, 8]\nlayers:\n" + "  - {type: pad, padding: 1}\n" * pads
    (found,) = [d for d in lint(text + "  - {type: conv, filters: 1, kernel: 3}\n") if d.code == "NS107"]
    assert found.message.startswith(f"conv{pads + 1}, with pad1 and pad2 and ")
    assert f"{named} before it: padding {pads} ≥ the effective kernel 3" in found.message


@pytest.mark.parametrize(
    ("columns", "named"),
    [
        # The columns' padding 2 × 1 is below the kernel: of the pads, those of the rows alone.
        (1, "pad1 and pad3 and pad4 and pad5 and pad7 and pad8 and pad9 and pad10 and pad11 and pad12 and 2 more"),
        # 2 × 2 = 4 ≥ 3: the columns too, so every pad, in the order of the file.
        (2, "pad1 and pad2 and pad3 and pad4 and pad5 and pad6 and pad7 and pad8 and pad9 and pad10 and 4 more"),
    ],
)
def test_a_message_names_the_first_pads_of_the_dimensions_it_judges(columns: int, named: str) -> None:
    # Fourteen pads: pad2 and pad6 pad the columns, the twelve others the rows, 1 on a side;
    # the 3×3 conv after them pads the rows 12 ≥ 3.
    text = "input: [1, 8, 8]\nlayers:\n"
    for i in range(1, 15):
        padding = f"[[0, 0], [{columns}, {columns}]]" if i in (2, 6) else "[[1, 1], [0, 0]]"
        text += f"  - {{type: pad, padding: {padding}}}\n"
    (found,) = [d for d in lint(text + "  - {type: conv, filters: 1, kernel: 3}\n") if d.code == "NS107"]
    assert found.message.startswith(f"conv15, with {named} pad layers before it: padding 12 ≥ the effective kernel 3")


def test_many_layers_after_one_chain_of_pads_read_its_padding_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each strided conv after 100 pads added up all their padding again (1,000 convs after
    # 1,000 pads: 10 s). How often the pads' padding is read must not depend on how many
    # layers read the chain: one conv or a hundred.
    reads = 0
    per_side = Pad.per_side

    def counted(pad: Pad, key: str, rank: int) -> Any:
        nonlocal reads
        reads += 1
        return per_side(pad, key, rank)

    monkeypatch.setattr(Pad, "per_side", counted)
    pads = "input: [1, 8, 8]\nlayers:\n" + "".join(f"  - {{type: pad, name: p{i}, padding: 1}}\n" for i in range(100))
    convs = [f"  - {{type: conv, name: c{i}, filters: 1, kernel: 3, stride: 2, from: p99}}\n" for i in range(100)]
    counts = []
    for readers in (convs[:1], convs):
        reads = 0
        found = lint(pads + "".join(readers))
        # Padded 100 a side, each conv's padding 100 ≥ its kernel 3 (NS107).
        assert sum(d.code == "NS107" for d in found) == len(readers)
        counts.append(reads)
    assert counts[0] == counts[1], counts


def test_the_outputs_list_is_not_searched_for_each_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    # NS102 asked of each shrinking layer whether `outputs` lists it, a search of the list:
    # 40,000 such layers, each listed, took 52 s. How often the list is gone through must
    # not depend on how long it is: 10 layers and outputs, or 100.
    searches = 0

    class Searched(list[int]):
        def __contains__(self, item: object) -> bool:
            nonlocal searches
            searches += 1
            return super().__contains__(item)

        def __iter__(self) -> Iterator[int]:
            nonlocal searches
            searches += 1
            return super().__iter__()

    listing = netspec.graph._outputs
    monkeypatch.setattr(netspec.graph, "_outputs", lambda *args: Searched(listing(*args) or ()))
    counts = []
    for n in (10, 100):
        layers = "".join(
            f"  - {{type: conv, name: c{i}, filters: 1, kernel: 3, from: input}}\n  - {{type: relu, name: r{i}}}\n"
            for i in range(n)
        )
        outputs = ", ".join(f"r{i}" for i in range(n))
        searches = 0
        # One analysis: judging each fix would analyse the spec again for each layer.
        found = lint_text(f"outputs: [{outputs}]\ninput: [1, 8, 8]\nlayers:\n{layers}", assess_fixes=False)
        # Each unpadded 3×3 conv shrinks 8×8 to 6×6, and its relu is returned.
        assert [d.code for d in found.diagnostics] == ["NS102"] * n
        counts.append(searches)
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(("kernel", "stride"), [(30_000_000, 60_000_000), (2**30 - 1, 2**30)])
def test_a_layer_whose_windows_all_lie_in_the_padding_is_counted_in_bounded_memory(
    tmp_path: Path, kernel: int, stride: int
) -> None:
    # Padded 2³¹ − 1 before a single position, no window reaches it: the first to end past
    # −P + K − 1 ≥ 0 would start at i·S ≥ P − K + 1, and the next multiple of S is past P. With
    # no middle to count, listing the taps' S/gcd(S, D) residues (up to 2³⁰) took 2.2 GB.
    layer = f"{{type: conv, filters: 1, kernel: {kernel}, stride: {stride}, padding: [[2147483647, 1000]]}}"
    path = write_spec(tmp_path, f"input: [1, 1]\nlayers:\n  - {layer}\n")
    done = netspec_process("check", "--output-format", "concise", str(path), preexec_fn=address_space_limit())
    assert done.returncode == 1, done.stderr
    assert "NS109 error: conv1: stride" in done.stdout and "the layer reads none of its input" in done.stdout


def test_ns114_on_a_long_input_is_checked_in_bounded_memory(tmp_path: Path) -> None:
    # NS114 listed every input position up front: ten million took a gigabyte, and a check
    # judging fixes listed them again for each.
    path = write_spec(tmp_path, "input: [1, 10000000]\nlayers:\n  - {type: relu}\n")

    done = netspec_process("check", "--extend-select", "NS114", str(path), preexec_fn=address_space_limit())
    assert (done.returncode, done.stdout) == (0, "All checks passed! (1 file checked)\n"), done.stderr


def test_ns114_charges_a_huge_window_before_listing_its_taps(tmp_path: Path) -> None:
    # Each of the 2 outputs of a 100,000,001-tap window on 10⁸ positions, 100,000,000 − 100,000,001
    # + 2 + 1 = 2, reads the whole input: listing those taps before charging them took 1.9 GB.
    # Past the read limit NS114 says nothing; NS102's shrinking is all there is to report.
    text = "input: [1, 100000000]\nlayers:\n  - {type: conv, filters: 1, kernel: 100000001, padding: 1}\n"
    path = write_spec(tmp_path, text + "  - {type: conv, filters: 1, kernel: 1}\n")

    done = netspec_process(
        "check", "--extend-select", "NS114", "--output-format", "concise", str(path), preexec_fn=address_space_limit()
    )
    assert done.returncode == 1, done.stderr
    assert [line.split(": ")[1].split()[0] for line in done.stdout.splitlines()[:-2]] == ["NS102"], done.stdout


def test_ns114_reads_only_the_taps_on_the_input(tmp_path: Path) -> None:
    # A kernel of 2³¹ − 1 taps, padded 'same' on 8: its taps were walked one by one before the
    # read limit was charged, past a minute; 8 of them fall on the input. (On 8×8, its weight
    # would hold (2³¹ − 1)² values, more than PyTorch allocates.)
    huge = write_spec(
        tmp_path, "input: [1, 8]\nlayers:\n  - {type: conv, filters: 1, kernel: 2147483647, padding: same}\n"
    )
    assert invoke("--extend-select", "NS114", huge, seconds=20).exit_code == 0
    # 140 fixable convs on two million positions: each fix judged ran NS114 again (24 s).
    lines = ["input: [1, 2000000]", "layers:", *["  - {type: conv, filters: 1, kernel: 3, from: input}"] * 140]
    lines.append("outputs: [" + ", ".join(f"conv{i + 1}" for i in range(140)) + "]")
    wide = write_spec(tmp_path, "\n".join(lines) + "\n", "wide.yaml")
    assert invoke("--extend-select", "NS114", wide, seconds=10).exit_code == 1


@pytest.mark.parametrize(
    ("lines", "last"),
    [
        # One comment among 4.9 million comment lines: each line was listed (1 GB).
        ("# noqa\n" + "#\n" * 4_900_000, "unused blanket `noqa`"),
        # 1.6 million comments, each unused: a diagnostic each (26 s, 2.5 GB).
        ("#noqa\n" * 1_600_000, "comes after 100,000 lines with one"),
    ],
)
def test_ten_megabytes_of_comments_are_read_in_bounded_memory(tmp_path: Path, lines: str, last: str) -> None:
    path = write_spec(tmp_path, "input: [3, 8, 8]\nlayers:\n  - {type: relu}\n" + lines)

    done = check_in_a_process(path, preexec_fn=address_space_limit())
    assert done.returncode == 1, done.stderr
    assert last in done.stdout.splitlines()[-2]


def test_ten_thousand_branches_of_different_sizes_into_one_concat_are_fast(tmp_path: Path) -> None:
    # Kernels 1, 2 and 3 on 8×8 give 8×8, 7×7 and 6×6 (8 − F + 1): NS106, and a fix per
    # shrinking branch, each of which re-runs NS106 to be judged. NS106 looked at every other
    # branch for each branch: about 23 s here, where it now takes about 2.
    branches = 10_000
    lines = ["input: [3, 8, 8]", "layers:"]
    lines += [f"  - {{type: conv, name: b{i}, filters: 1, kernel: {1 + i % 3}, from: input}}" for i in range(branches)]
    lines.append("  - {type: concat, name: joined, from: [" + ", ".join(f"b{i}" for i in range(branches)) + "]}")
    out = diagnosed(write_spec(tmp_path, "\n".join(lines) + "\n"), code="NS106", fragment="b1: 1×7×7", seconds=20)
    assert out.count("NS102") == 2 * branches // 3  # b1, b4, … (7×7) and b2, b5, … (6×6)


def test_blank_crlf_lines_before_a_commented_block_padding_cost_linear_time(tmp_path: Path) -> None:
    # CR LF read as CR, then LF, would double a backtracking pattern's work on every line:
    # 5,000 lines would take longer than the universe has existed.
    head = "input: [3, 8, 8]\r\nlayers:\r\n  - type: conv\r\n    filters: 4\r\n    kernel: 3\r\n"
    text = head + "    padding:" + "\r\n" * 5_000 + "    # none\r\n    - 0\r\n    - 0\r\n"
    path = write_spec(tmp_path, text.encode())
    diagnosed(path, code="NS102")
    result = invoke("--fix", path)
    assert path.read_bytes() == text.encode()
    assert "conv1: NS102 not fixed: its padding value is interleaved with comments" in result.stderr


def test_an_output_past_the_largest_size_stops_propagation(tmp_path: Path) -> None:
    # (W − 1)·S + K = (2 − 1)·(2³¹ − 1) + 1 = 2³¹: one past the largest size. Forty of these
    # would make a 370-digit size, too long to compute a conv's output with, or to print.
    layers = "  - {type: conv_transpose, filters: 1, kernel: 1, stride: 2147483647}\n" * 40
    text = f"input: [1, 2]\nlayers:\n{layers}  - {{type: conv, filters: 1, kernel: 3, stride: 2}}\n"
    out = diagnosed(write_spec(tmp_path, text), code="NS002", fragment="would be 2,147,483,648, an absurd size")
    assert len(CONCISE.findall(out)) == 1


def test_show_survives_huge_strides(tmp_path: Path) -> None:
    # j = (2³¹ − 1)⁵⁰⁰/3 after a ×3 upsample: shown at the cap, 2⁶², not as 4,700 digits.
    layers = "  - {type: maxpool, kernel: 1, stride: 2147483647}\n" * 500
    path = write_spec(tmp_path, f"input: [3, 1, 1]\nlayers:\n  - {{type: upsample, scale: 3}}\n{layers}")
    outputs = {}
    for output_format in ("table", "json", "markdown"):
        result = runner.invoke(app, ["show", str(path), "--format", output_format])
        assert result.exit_code == 0, result.output
        outputs[output_format] = result.stdout
    assert json.loads(outputs["json"])["layers"][-1]["effective_stride"] == [2**62, 2**62]
    # ×3 gives 3×3×3; a 1-wide pool of stride S then keeps floor((3 − 1)/S) + 1 = 1.
    assert "| maxpool501 | maxpool | 3×1×1 |" in outputs["markdown"]
    (row,) = [line for line in outputs["table"].splitlines() if "maxpool501" in line]
    assert row.split("│")[3].strip() == "3×1×1"


# --- paths --------------------------------------------------------------------------------


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = invoke(missing)
    assert result.exit_code == 2
    assert str(missing) in result.output


def test_a_file_too_large_survives_the_trip_from_a_worker_process() -> None:
    # Errors cross process boundaries pickled; an OSError subclass with its own arguments
    # would not unpickle without saying how.
    error = pickle.loads(pickle.dumps(FileTooLarge(11)))
    assert (type(error), error.size, error.errno) == (FileTooLarge, 11, errno.EFBIG)


def test_a_file_swapped_for_a_pipe_after_it_was_measured_is_not_waited_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The swap, made certain: stat() still sees the regular file that was there before.
    regular, pipe = write_spec(tmp_path, GOOD, "regular.yaml"), tmp_path / "spec.yaml"
    os.mkfifo(pipe)
    real_stat = Path.stat

    def stale(self: Path, **options: Any) -> os.stat_result:
        return real_stat(regular if self == pipe else self, **options)

    monkeypatch.setattr(Path, "stat", stale)
    diagnosed(pipe, code="NS001", fragment="not a regular file", seconds=10)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux's /proc")
def test_a_symlink_to_a_process_environment_prints_none_of_it(tmp_path: Path) -> None:
    # A spec that is a link into /proc, from a pull request: its excerpt would print the CI
    # runner's environment into the log. /proc's files say they hold 0 bytes.
    (tmp_path / "spec.yaml").symlink_to("/proc/self/environ")
    marker = "NETSPEC_TEST_MARKER=" + "x7" * 8
    env = {**os.environ, marker.split("=")[0]: marker.split("=")[1]}
    result = subprocess.run(
        [sys.executable, "-m", "netspec", "check", str(tmp_path)], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 1, result.stderr
    assert "NS001 error: not a regular file (a directory, pipe, device or kernel pseudo-file)" in result.stdout
    assert "x7x7" not in result.stdout + result.stderr
    # The near miss: a regular file of 0 bytes is read, as empty (NS002 then says so).
    empty = tmp_path / "empty.yaml"
    empty.touch()
    assert netspec.source.read_limited(empty, DEFAULT_MAX_FILE_SIZE) == b""


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux's /proc")
def test_a_file_of_size_0_that_reads_as_text_is_refused_on_any_mount(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if /proc were mounted where the device check does not look: its files still say 0 bytes.
    monkeypatch.setattr(netspec.source, "_kernel_devices", frozenset)
    (tmp_path / "spec.yaml").symlink_to("/proc/self/environ")
    diagnosed(tmp_path / "spec.yaml", code="NS001", fragment="kernel pseudo-file")


@pytest.mark.parametrize("target", ["/proc/cmdline", "/proc/version", "/sys/kernel/uevent_seqnum"])
def test_a_link_to_a_kernel_file_of_any_stated_size_is_refused(tmp_path: Path, target: str) -> None:
    # /proc/cmdline may state its size, and /sys's files state 4096: the size is no test.
    if not os.path.isfile(target):
        pytest.skip(f"no {target} here")
    link = tmp_path / "spec.yaml"
    link.symlink_to(target)
    diagnosed(link, code="NS001", fragment="kernel pseudo-file")


def test_a_file_written_between_its_open_and_its_read_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Empty when opened, then written: a regular file, which says so once read.
    path = write_spec(tmp_path, GOOD)
    real_fstat = os.fstat
    calls = []

    def empty_at_first(descriptor: int) -> os.stat_result:
        status = real_fstat(descriptor)
        calls.append(descriptor)
        if len(calls) > 1:
            return status
        return os.stat_result((*status[:6], 0, *status[7:]))  # st_size is field 6

    monkeypatch.setattr(os, "fstat", empty_at_first)
    assert netspec.source.read_limited(path, DEFAULT_MAX_FILE_SIZE) == GOOD.encode()
    assert len(calls) == 2


@pytest.mark.parametrize(
    "config",
    [
        pytest.param('exclude = ["' + "[!a-" * 50_000 + '"]\n', id="unclosed-brackets"),
        pytest.param("[per-file-ignores]\n" + "".join(f'"p{i}*" = []\n' for i in range(65_000)), id="many-patterns"),
    ],
)
def test_glob_patterns_cost_linear_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str) -> None:
    # fnmatch would take about ten minutes on the brackets (quadratic), and over a minute and
    # a half on 65,000 patterns (near the 1 MiB limit), past the 32,768 it keeps compiled. The
    # spec is still checked.
    (tmp_path / "netspec.toml").write_text(config)
    write_spec(tmp_path, "input: [3, 8, 8]\nlayers:\n  - {type: dense}\n")
    monkeypatch.chdir(tmp_path)
    result = invoke(".", seconds=30)  # a directory: its walk applies the patterns
    assert result.exit_code == 1
    assert "spec.yaml:3:5: NS002" in result.stdout


#: Longer than any file name may be (255 bytes on Linux and macOS): looking at it fails.
TOO_LONG = "a" * 300 + ".yaml"


@pytest.mark.parametrize("command", ["check", "show"])
def test_a_path_that_cannot_be_looked_at_is_reported_not_raised(tmp_path: Path, command: str) -> None:
    # Python 3.11's Path.exists() and is_dir() raise here rather than answer.
    (tmp_path / "link.yaml").symlink_to(TOO_LONG)
    for name in (TOO_LONG, "link.yaml"):
        result = runner.invoke(app, [command, str(tmp_path / name)])
        assert result.exit_code == 1, result.output
        assert "NS001 error: cannot read the file: File name too long" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("name-too-long", "cannot read the file: File name too long"),
        ("link-loop", "cannot read the file: Too many levels of symbolic links"),
        ("dangling-link", "cannot read the file: No such file or directory"),
        ("fifo", "not a regular file"),
    ],
)
def test_a_configuration_that_cannot_be_read_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, reason: str
) -> None:
    # Passed over, the run would use other rules than the user set: here, the parent's.
    (tmp_path / "pyproject.toml").write_text('[tool.netspec]\nignore = ["NS102"]\n')
    project = tmp_path / "project"
    project.mkdir()
    write_spec(project, SHRINKING)
    config = project / "netspec.toml"
    if kind == "name-too-long":
        config.symlink_to(TOO_LONG)
    elif kind == "link-loop":
        config.symlink_to("loop.toml")
        (project / "loop.toml").symlink_to(config.name)
    elif kind == "dangling-link":
        config.symlink_to("nowhere.toml")
    else:
        os.mkfifo(config)  # opening it would wait for a writer forever
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["check", "spec.yaml"])
    assert result.exit_code == 2
    assert f"{config}: {reason}" in result.stderr


def test_a_directory_named_as_a_configuration_file_is_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The near miss: no file is there, so the parent's configuration (ignore NS102) applies.
    (tmp_path / "pyproject.toml").write_text('[tool.netspec]\nignore = ["NS102"]\n')
    project = tmp_path / "project"
    (project / "netspec.toml").mkdir(parents=True)
    write_spec(project, SHRINKING)
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["check", "spec.yaml"])
    assert (result.exit_code, result.stdout) == (0, "All checks passed! (1 file checked)\n")


def test_a_directory_the_walk_cannot_list_is_reported() -> None:
    # Passed over, its specs would go unchecked and the run would pass.
    with ordinary_directory() as directory:
        (directory / "sub").mkdir()
        write_spec(directory / "sub", "input: [3, 8, 8]\nlayers:\n  - {type: dense}\n")
        write_spec(directory, GOOD)
        (directory / "sub").chmod(0)
        result = netspec_as_ordinary_user("check", "--output-format", "concise", ".", "sub", cwd=directory)
        assert result.returncode == 1, result.stderr
        # Reported once, though both targets lead to it.
        assert result.stdout.startswith("sub:1:1: NS001 error: cannot read the directory: Permission denied\n")
        assert result.stdout.count("sub:1:1:") == 1
        # With no report to follow (--diff), it is named on stderr instead.
        result = netspec_as_ordinary_user("check", "--diff", "sub", cwd=directory)
        assert (result.returncode, result.stdout) == (0, "")
        assert result.stderr == (
            "netspec: warning: sub:1:1: NS001 cannot read the directory: Permission denied "
            "(no automatic fix; what depends on it was neither checked nor fixed)\n"
        )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a device every write to fails")
@pytest.mark.parametrize("command", [["check", "specs"], ["rule", "--all"], ["show", "specs/vgg16.yaml"]])
def test_output_that_cannot_be_written_is_an_error_not_a_traceback(command: list[str]) -> None:
    with open("/dev/full", "w") as full:
        result = netspec_process(*command, stdout=full, cwd=ROOT)
    assert result.returncode == 2
    assert result.stderr == "netspec: error: cannot write the output: No space left on device\n"


@contextlib.contextmanager
def unread_pipe() -> Iterator[TextIO]:
    """The writing end of a pipe whose reader is gone before a byte is written: every write
    fails with EPIPE, as when ``| head`` has stopped reading."""
    read, write = os.pipe()
    os.close(read)
    with os.fdopen(write, "w") as closed:
        yield closed


@pytest.mark.parametrize("command", [["check", "specs"], ["rule", "--all"]])
def test_a_reader_that_stops_reading_ends_the_run_quietly(command: list[str]) -> None:
    with unread_pipe() as closed:
        result = netspec_process(*command, stdout=closed, cwd=ROOT)
    assert (result.returncode, result.stderr) == (1, "")


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "PYTHONUNBUFFERED"])
@pytest.mark.parametrize("format", ["table", "json"])
def test_a_reader_that_leaves_mid_write_ends_the_run_with_exit_1(tmp_path: Path, format: str, unbuffered: bool) -> None:
    # show writes its summary at once, and it is far larger than a pipe's buffer (64 KiB on
    # Linux): the reader leaves while the write is under way. Unbuffered, as CI images often
    # set, such a cut-short write once counted as done, and the run exited 0.
    path = tmp_path / "wide.yaml"
    path.write_text("input: [3, 64, 64]\nlayers:\n" + "  - {type: conv, filters: 8, kernel: 3, padding: 1}\n" * 3000)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    command = [sys.executable, "-m", "netspec", "show", "--format", format, str(path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.read(10)
        process.stdout.close()
        stderr = process.stderr.read()
        returncode = process.wait(timeout=60)
    assert (returncode, stderr) == (1, b"")


@pytest.mark.parametrize("command", [["check", "specs"], ["show", "specs/lenet5.yaml"], ["schema"], ["--version"]])
def test_a_closed_stdout_is_an_output_error(command: list[str]) -> None:
    # `netspec check >&-`: Python starts without sys.stdout, and nothing could be reported.
    closed = ["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "netspec", *command]
    result = subprocess.run(closed, capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)
    assert (result.returncode, result.stderr) == (
        2,
        "netspec: error: cannot write the output: standard output is closed\n",
    )


def test_a_reader_that_stops_reading_hides_no_internal_error() -> None:
    # netspec fails on one file (a stand-in for a bug) while nobody reads the report.
    failing_on_lenet = (
        "import sys, netspec.linter\n"
        "real = netspec.linter.lint_file\n"
        "def failing(path, *args, **kwargs):\n"
        "    if path.name == 'lenet5.yaml':\n"
        "        raise RuntimeError('simulated')\n"
        "    return real(path, *args, **kwargs)\n"
        "netspec.linter.lint_file = failing\n"
        "from netspec.cli import run\n"
        "sys.argv = ['netspec', 'check', 'specs']\n"
        "run()\n"
    )
    with unread_pipe() as closed:
        result = subprocess.run(
            [sys.executable, "-c", failing_on_lenet], stdout=closed, stderr=subprocess.PIPE, text=True, cwd=ROOT
        )
    assert result.returncode == 2
    assert result.stderr.startswith(
        "netspec: internal error while checking specs/lenet5.yaml: RuntimeError: simulated."
    )


def test_a_removed_working_directory_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    result = runner.invoke(app, ["check", str(ROOT / "specs")])
    assert result.exit_code == 2
    assert result.stderr == "netspec: error: cannot find the current directory: No such file or directory\n"


@pytest.fixture
def sigint_handler() -> Iterator[None]:
    """The SIGINT handler put back after a test that calls the entry point in this process,
    which ignores Ctrl-C once its run is over."""
    handler = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, handler)


class _Ended(BaseException):
    """Where a test's stand-in for ``os._exit`` ends the entry point, with the status."""


class _HeldOutput(io.StringIO):
    """Standard output that holds what is written until it is flushed."""

    def __init__(self) -> None:
        super().__init__()
        self.held = ""

    def write(self, text: str) -> int:
        self.held += text
        return len(text)

    def flush(self) -> None:
        super().write(self.held)
        self.held = ""


@pytest.mark.usefixtures("sigint_handler")
@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (1, 1), (2, 2)])
@pytest.mark.parametrize("other_thread", [False, True])
def test_the_process_ends_at_once_after_the_run_unless_a_thread_could_hold_up_the_exit(
    monkeypatch: pytest.MonkeyPatch, other_thread: bool, code: int | None, status: int
) -> None:
    # Python's shutdown frees every object and module one by one, for nothing: with no thread
    # left, the process ends at once, with the run's exit code, its output written and Ctrl-C
    # ignored (it would only print a traceback). The near miss: with a thread left, Python's
    # shutdown waits for it, and Ctrl-C must still end that wait.
    written: list[str] = []

    def ended(exit_status: int) -> None:
        written.append(output.getvalue())
        raise _Ended(exit_status)

    output = _HeldOutput()
    monkeypatch.setattr(sys, "stdout", output)
    monkeypatch.setattr(netspec.cli, "app", lambda: (print("the report", end=""), sys.exit(code)))
    monkeypatch.setattr(os, "_exit", ended)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    if other_thread:
        thread.start()
    try:
        with pytest.raises((SystemExit, _Ended)) as exited:
            netspec.cli.entry_point()
        end = exited.value
        assert (type(end), end.code if isinstance(end, SystemExit) else end.args[0]) == (
            (SystemExit, code) if other_thread else (_Ended, status)
        )
        assert written == ([] if other_thread else ["the report"])
        assert (signal.getsignal(signal.SIGINT) == signal.SIG_IGN) is not other_thread
    finally:
        stop.set()


def test_the_entry_point_keeps_the_exit_code_and_every_byte_of_a_buffered_report() -> None:
    # The same, in a real process and through real pipes (block-buffered): the exit codes, and
    # every byte of a long output and of one written without click.
    from netspec.schema import render

    schema = netspec_process("schema")
    assert (schema.returncode, schema.stdout) == (0, render())
    strided = "input: [3, 32, 32]\nlayers:\n  - {type: conv, filters: 8, kernel: 3}\n"
    diff = netspec_process("check", "--diff", "--stdin-filename", "d.yaml", "-", input=strided)
    assert diff.returncode == 1
    assert diff.stdout.startswith("--- d.yaml\n")
    assert diff.stdout.endswith("+  - {type: conv, filters: 8, kernel: 3, padding: 1}\n")


@pytest.mark.usefixtures("sigint_handler")
@pytest.mark.parametrize("error", [RuntimeError("a bug\nover two lines"), FileNotFoundError(2, "gone")])
def test_an_error_outside_any_file_is_one_line_asking_for_a_report(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: Exception
) -> None:
    # Not an output failure (FileNotFoundError is not how a write fails): a bug, said as one.
    def broken() -> None:
        raise error

    monkeypatch.setattr(netspec.cli, "app", broken)
    with pytest.raises(SystemExit) as exited:
        netspec.cli.run()
    assert exited.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"netspec: internal error: {type(error).__name__}: ")
    assert line.endswith("This is a bug in netspec; please report it at https://github.com/netspec/netspec/issues.")


@pytest.mark.parametrize("locked", ["file-mode", "directory-not-searchable"])
def test_a_spec_this_user_may_not_read(locked: str) -> None:
    # Reported as a problem of that file, not as a usage error that stops the run. (In a
    # directory that cannot be searched, Python 3.11's Path.exists() raises, not answers.)
    with ordinary_directory() as directory:
        (directory / "locked").mkdir(mode=0o755)
        path = write_spec(directory / "locked", GOOD)
        write_spec(directory, "input: [3, 8, 8]\nlayers:\n  - {type: dense}\n", "b.yaml")
        if locked == "file-mode":
            path.chmod(0)
        else:  # made by root, 0o700 shuts the ordinary user out; else take the user's own access
            (directory / "locked").chmod(0o700 if IS_ROOT else 0)
        result = netspec_as_ordinary_user(
            "check", "--output-format", "concise", "locked/spec.yaml", "b.yaml", cwd=directory
        )
        assert result.returncode == 1, result.stderr
        assert "locked/spec.yaml:1:1: NS001 error: cannot read the file: Permission denied" in result.stdout
        assert "b.yaml:3:5: NS002" in result.stdout  # still checked: a dense layer needs units
        result = netspec_as_ordinary_user("show", "locked/spec.yaml", cwd=directory)
        assert result.returncode == 1
        assert "locked/spec.yaml:1:1: NS001 error: cannot read the file: Permission denied" in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("kind", ["fifo", "self-link"])
def test_files_that_cannot_be_read_as_specs(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "spec.yaml"
    if kind == "fifo":
        os.mkfifo(path)  # opening it would block forever
    else:
        path.symlink_to(path)
    diagnosed(path, code="NS001", seconds=10)


def test_directory_symlink_loop_terminates(tmp_path: Path) -> None:
    """In a real process with a timeout: the walk must end, and the real spec is still checked."""
    root = tmp_path / "specs"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "loop").symlink_to(root / "a", target_is_directory=True)
    (root / "a" / "self").symlink_to(".", target_is_directory=True)
    write_spec(root / "a" / "b", "input: [3, 8, 8]\nlayers:\n  - {type: relu, from: nowhere}\n")
    done = check_in_a_process(root)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.count(": NS004") == 1
    assert "in 1 file" in done.stdout


def test_a_directory_tree_deeper_than_the_recursion_limit_is_walked(tmp_path: Path) -> None:
    # 1,200 levels of "d/" stay within PATH_MAX (4,096), and past Python's recursion limit.
    # Made and removed one level at a time: mkdir(parents=True) and rmtree recurse too.
    # (Left behind, the tree would stop pytest's own clean-up of old temporary directories.)
    levels = list(itertools.accumulate(["d"] * 1200, os.path.join, initial=str(tmp_path)))[1:]
    made: list[str] = []
    try:
        for level in levels:
            os.mkdir(level)
            made.append(level)
        write_spec(Path(levels[-1]), "input: [3, 8, 8]\nlayers:\n  - {type: relu, from: nowhere}\n")
        write_spec(tmp_path, SHRINKING, name="top.yaml")
        done = netspec_process("check", "--output-format", "concise", ".", cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        assert done.stdout.count(": NS004") == 1 and "top.yaml:3:5: NS102" in done.stdout
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(levels[-1], "spec.yaml"))
        for level in reversed(made):
            os.rmdir(level)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("tool.py", "import os\n\ndef main():\n    return os.getcwd()\n"),
        ("README.md", "# Title\n\nSome *prose*, with: colons and - dashes.\n"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
        ("data.json", '{"input": [3, 8, 8], "layers": "none"}'),
    ],
)
def test_non_yaml_files_passed_explicitly(tmp_path: Path, name: str, content: str | bytes) -> None:
    diagnosed(write_spec(tmp_path, content, name))


@pytest.mark.parametrize("output_format", ["sarif", "json", "full"])
def test_a_file_name_that_is_not_utf8(tmp_path: Path, output_format: str) -> None:
    # Linux allows any bytes in a name; the reports escape them instead of failing.
    name = os.fsdecode(b"bad\xff.yaml")
    (tmp_path / name).write_text("input: [3, 32, 32]\nlayers:\n  - {type: dense, units: 2}\n")
    done = netspec_process(
        "check",
        "--output-format",
        output_format,
        ".",
        text=False,
        cwd=tmp_path,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},  # strict UTF-8 on stdout
    )
    assert done.returncode == 1, done.stderr.decode(errors="replace")
    out = done.stdout.decode("utf-8")  # valid UTF-8 throughout
    if output_format == "sarif":
        (result,) = json.loads(out)["runs"][0]["results"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad%FF.yaml"
    elif output_format == "json":
        assert json.loads(out)[0]["filename"] == name
    else:
        assert " --> bad\\udcff.yaml:3:5" in out


# --- the environment ----------------------------------------------------------------------


def test_a_broken_pydantic_plugin_installed_beside_netspec_is_never_loaded(tmp_path: Path) -> None:
    """pydantic loads every ``pydantic`` entry point of the environment when it first builds a
    validator; one that raises would fail netspec's own models."""
    site = tmp_path / "site"
    metadata = site / "broken_plugin-1.0.dist-info"
    metadata.mkdir(parents=True)
    (metadata / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n")
    (metadata / "entry_points.txt").write_text("[pydantic]\nbroken = broken_plugin:plugin\n")
    (site / "broken_plugin.py").write_text("raise RuntimeError('the broken plugin was loaded')\n")
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"} | {"PYTHONPATH": str(site)}
    model = "import pydantic\nclass M(pydantic.BaseModel):\n    a: int\nM(a=1)\n"
    plain = subprocess.run([sys.executable, "-c", model], env=env, capture_output=True, text=True, timeout=60)
    assert "the broken plugin was loaded" in plain.stderr  # pydantic alone does load it
    done = netspec_process("check", str(write_spec(tmp_path, GOOD)), env=env)
    assert (done.returncode, done.stderr) == (0, "")
    assert "All checks passed" in done.stdout


# --- internal errors ----------------------------------------------------------------------


@pytest.mark.parametrize("verbosity", [[], ["--silent"]])
def test_internal_error_is_one_line_and_the_other_files_are_still_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verbosity: list[str]
) -> None:
    bad = write_spec(tmp_path, GOOD, "bad.yaml")
    other = write_spec(tmp_path, UNKNOWN_REFERENCE, "other.yaml")
    rule = RULES["NS102"]
    assert rule.check is not None
    original = rule.check

    def broken(analysis: Any) -> Any:
        if analysis.filename == str(bad):
            raise RuntimeError("simulated\nmulti-line failure")
        return original(analysis)

    monkeypatch.setitem(RULES, "NS102", dataclasses.replace(rule, check=broken))
    result = invoke(*verbosity, bad, other)
    assert result.exit_code == 2
    error_lines = [line for line in result.stderr.splitlines() if "internal error" in line]
    assert len(error_lines) == 1
    assert str(bad) in error_lines[0]
    assert "report" in error_lines[0]
    # A silent run prints the bug all the same: it alone explains the exit code.
    assert (f"{other}:4:24: NS004" in result.stdout) == (not verbosity)


def test_internal_error_escaping_lint_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = write_spec(tmp_path, GOOD, "a.yaml"), write_spec(tmp_path, UNKNOWN_REFERENCE, "b.yaml")
    real = netspec.linter.lint_file

    def flaky(path: Path, *args: Any, **kwargs: Any) -> Any:
        if path == first:
            raise MemoryError()
        return real(path, *args, **kwargs)

    monkeypatch.setattr(netspec.linter, "lint_file", flaky)
    result = invoke(first, second)
    assert result.exit_code == 2
    assert sum("internal error" in line and str(first) in line for line in result.stderr.splitlines()) == 1
    assert f"{second}:4:24: NS004" in result.stdout


def test_internal_error_is_never_summarised_as_all_passed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken, clean = write_spec(tmp_path, GOOD, "a.yaml"), write_spec(tmp_path, GOOD, "b.yaml")
    real = netspec.linter.lint_file

    def explode(path: Path, *args: Any, **kwargs: Any) -> Any:
        if path == broken:
            raise RuntimeError("boom")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(netspec.linter, "lint_file", explode)
    result = invoke(broken)
    assert (result.exit_code, result.stdout) == (2, "1 file could not be checked (internal error, see above).\n")
    result = invoke(broken, clean)
    assert result.exit_code == 2
    assert result.stdout.endswith(
        "No problems in 1 other file.\n1 file could not be checked (internal error, see above).\n"
    )
    assert "passed" not in result.stdout
