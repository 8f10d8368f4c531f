"""The loader: plain data, 1-based positions, and what it refuses."""

from __future__ import annotations

import re

import pytest
import yaml

from netspec.source import LoadError, Position, decode, load

TEXT = """\
name: demo   # a comment
input: [3, 32, 32]
layers:
  - {type: conv, filters: 8, kernel: 3}
  - type: relu
    name: act
"""


def test_values_and_positions() -> None:
    doc = load(TEXT)
    assert doc.data["input"] == [3, 32, 32]
    assert doc.data["layers"][1] == {"type": "relu", "name": "act"}
    # Counted by hand in TEXT above (1-based rows and columns).
    assert doc.span(("name",)).start == Position(1, 7)
    assert doc.span(("input", 1)).start == Position(2, 12)
    assert doc.span(("layers", 0)).start == Position(4, 5)
    assert doc.span(("layers", 0, "kernel")).start == Position(4, 38)
    assert doc.key_span(("layers", 1, "name")).start == Position(6, 5)
    assert doc.span(("layers", 1, "name")).end == Position(6, 14)


def test_flow_and_block_style_are_recorded() -> None:
    doc = load(TEXT)
    assert doc.is_flow(("layers", 0))
    assert not doc.is_flow(("layers", 1))


def test_offsets_count_crlf_as_two_characters() -> None:
    text = "input: [3, 8, 8]\r\nlayers:\r\n  - {type: relu}\r\n"
    span = load(text).span(("layers", 0, "type"))
    assert text[span.start_offset : span.end_offset] == "relu"
    assert span.start == Position(3, 12)


def test_unknown_path_falls_back_to_nearest_ancestor() -> None:
    doc = load(TEXT)
    assert doc.span(("layers", 0, "missing")) == doc.span(("layers", 0))


def test_scalars_resolve_like_safe_loader() -> None:
    doc = load("a: 0x10\nb: 1_000\nc: yes\nd: ~\ne: .inf\nf: '3'\ng: 2.5\n")
    assert doc.data == {"a": 16, "b": 1000, "c": True, "d": None, "e": float("inf"), "f": "3", "g": 2.5}


@pytest.mark.parametrize("literal", ["010", "-010", "+010", "0_10", "007", "00", "0", "-0", "09", "0b11", "1_0"])
def test_integers_resolve_as_pyyaml_reads_them(literal: str) -> None:
    # A model builder that loads the spec with PyYAML must get the network netspec checked:
    # YAML 1.1 reads a leading zero as octal (010 is 8), and 09 is no integer at all.
    assert load(f"a: {literal}\n").data == yaml.safe_load(f"a: {literal}\n")


def test_duplicate_keys_are_recorded_not_lost() -> None:
    doc = load("a: 1\nb: 2\na: 3\n")
    assert doc.duplicate_keys == [("a",)]
    # The repeat is located at its own key; the path's spans are those of the data's value,
    # the last.
    assert doc.key_span(("a", "<duplicate>", 1)).start == Position(3, 1)
    assert doc.key_span(("a",)).start == Position(3, 1)
    assert doc.span(("a",)).start == Position(3, 4) and doc.data["a"] == 3


def test_values_reached_through_an_alias_point_at_the_alias() -> None:
    doc = load("base: &b {kernel: 3}\nlayers:\n  - *b\n")
    assert doc.data["layers"][0] == {"kernel": 3}
    assert doc.span(("base", "kernel")).start == Position(1, 19)
    assert doc.has_value(("layers", 0))
    assert not doc.has_value(("layers", 0, "kernel"))
    assert doc.span(("layers", 0, "kernel")).start == Position(3, 5)


def test_merged_keys_are_located_at_the_merged_value() -> None:
    doc = load("base: &b {kernel: 3}\nlayer: {<<: *b, stride: 2}\n")
    assert doc.has_key(("layer", "kernel"))
    assert doc.key_span(("layer", "kernel")) == doc.span(("layer", "kernel"))
    assert doc.span(("layer", "kernel")).start == Position(2, 13)


def test_last_ends_gives_the_column_after_each_asked_row_s_last_key_or_value() -> None:
    # "a: 1" ends at column 5; "b: [1, 2, 3]" at 13 and "c: {d: 4, e: 5}" at 16, where
    # their flow collections close, after every item and key inside them.
    document = load("a: 1\nb: [1, 2, 3]\nc: {d: 4, e: 5}\n")
    assert document.last_ends([1, 2, 3]) == {1: 5, 2: 13, 3: 16}
    assert document.last_ends([2, 5]) == {2: 13}  # only the rows asked for, and in the file
    # The near miss: a row of comment alone has no key or value ending on it.
    assert load("a: 1\n# note\nb: 2\n").last_ends([1, 2, 3]) == {1: 5, 3: 5}


def test_merge_keys_explicit_keys_win() -> None:
    doc = load("base: &b {kernel: 3, stride: 1}\nlayer: {<<: *b, stride: 2}\n")
    assert doc.data["layer"] == {"kernel": 3, "stride": 2}


def test_merge_keys_resolve_as_pyyaml_merges_them() -> None:
    # Two merge keys: PyYAML merges both, the later winning (and NS003 reports the repeat).
    two = "a: &a {kernel: 7, padding: 0}\nb: &b {kernel: 3}\nlayer: {<<: *a, <<: *b}\n"
    doc = load(two)
    assert doc.data["layer"] == yaml.safe_load(two)["layer"] == {"kernel": 3, "padding": 0}
    assert doc.duplicate_keys == [("layer", "<<")]
    # The repeat is located at its own `<<`: row 3, column 17.
    assert doc.key_span(("layer", "<<", "<duplicate>", 1)).start == Position(3, 17)
    # The near miss: one merge key of a list, whose earlier mappings win as the merge type's
    # specification says ("keys in mapping nodes earlier in the sequence override").
    one = "a: &a {kernel: 7, padding: 0}\nb: &b {kernel: 3}\nlayer: {<<: [*b, *a]}\n"
    doc = load(one)
    assert doc.data["layer"] == {"kernel": 3, "padding": 0}
    # The list's mappings disagree on kernel (PyYAML 6.0.4 keeps the later 7): a repeat of it,
    # located at the list (row 3, column 13), which keeps both values.
    assert doc.duplicate_keys == [("layer", "kernel")]
    assert doc.key_span(("layer", "kernel", "<duplicate>", 1)).start == Position(3, 13)
    assert doc.merge_conflicts == {1: (3, 7)}
    # The standard tag !!merge makes any key a merge key, as in PyYAML, and so does an alias
    # of an anchored merge key.
    tagged = "a: &a {kernel: 7}\nlayer: {!!merge <<: *a, stride: 2}\n"
    assert load(tagged).data["layer"] == yaml.safe_load(tagged)["layer"] == {"kernel": 7, "stride": 2}
    aliased = "a: &a {kernel: 7}\nb: {&m <<: *a}\nlayer: {*m : {kernel: 3}, stride: 2}\n"
    assert load(aliased).data["layer"] == yaml.safe_load(aliased)["layer"] == {"kernel": 3, "stride": 2}


@pytest.mark.parametrize(
    ("first", "other"),
    [
        # Equal in Python, three values in YAML, and the spec refuses some where others pass.
        ("3", "3.0"),
        ("1", "true"),
        ("[1, 1]", "[1, 1.0]"),
        ("{a: 1}", "{a: true}"),
        ("{1: a}", "{true: a}"),
    ],
)
def test_merged_values_conflict_unless_yaml_reads_them_as_one_value(first: str, other: str) -> None:
    doc = load(f"layer: {{<<: [{{kernel: {first}}}, {{kernel: {other}}}]}}\n")
    assert doc.duplicate_keys == [("layer", "kernel")]
    # The near misses: one value twice, whatever the order of a mapping's keys; .nan is one
    # value to YAML though not equal to itself in Python.
    for same in (first, "{a: 1, b: 2}\n", ".nan"):
        twice = f"layer: {{<<: [{{kernel: {same.strip()}}}, {{kernel: {same.strip()}}}]}}\n"
        assert load(twice).duplicate_keys == [], twice
    assert load("layer: {<<: [{kernel: {a: 1, b: 2}}, {kernel: {b: 2, a: 1}}]}\n").duplicate_keys == []


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("name: <<\n", "name: '<<'\n"),
        ("- <<\n", "- '<<'\n"),
        ("<<\n", "'<<'\n"),
        ("a: !!merge x\n", "a: !!str x\n"),
        ("a: [1, !!merge <<]\n", 'a: [1, "<<"]\n'),
        ("a: &a {x: 1}\nb: {&m <<: *a}\nc: *m\n", "a: &a {x: 1}\nb: {<<: *a}\nc: '<<'\n"),
    ],
)
def test_a_merge_key_anywhere_but_a_key_is_refused_as_pyyaml_refuses_it(text: str, quoted: str) -> None:
    with pytest.raises(
        yaml.YAMLError, match=re.escape("could not determine a constructor for the tag 'tag:yaml.org,2002:merge'")
    ):
        yaml.safe_load(text)
    with pytest.raises(LoadError) as error:
        load(text)
    assert error.value.code == "NS001" and "PyYAML accepts only as a mapping key" in error.value.message
    # The near miss: quoted (or tagged as text), it is the text.
    assert load(quoted).data == yaml.safe_load(quoted)


def test_an_unknown_alias_is_quoted_cut() -> None:
    with pytest.raises(LoadError) as error:
        load("a: *" + "x" * 5000 + "\n")
    # The README's bound: 37 characters and "...".
    assert error.value.message == f"alias *{'x' * 37}... refers to no anchor"


@pytest.mark.parametrize(
    ("text", "anchor", "row", "renamed"),
    [
        ("a: &x 1\nb: &x 2\n", "x", 1, "a: &x 1\nb: &y 2\n"),
        ("a: &x {k: 1}\nb: &x [2]\n", "x", 1, "a: &x {k: 1}\nb: &y [2]\n"),
        (
            "layers:\n  - &blk {type: conv}\n  - &blk {type: relu}\n  - *blk\n",
            "blk",
            2,
            "layers:\n  - &blk {type: conv}\n  - &act {type: relu}\n  - *blk\n",
        ),
        ("a: &x [&x 1]\n", "x", 1, "a: &x [&y 1]\n"),
    ],
)
def test_an_anchor_defined_twice_is_refused_as_pyyaml_refuses_it(
    text: str, anchor: str, row: int, renamed: str
) -> None:
    with pytest.raises(yaml.composer.ComposerError, match="found duplicate anchor"):
        yaml.safe_load(text)
    with pytest.raises(LoadError) as error:
        load(text)
    assert error.value.code == "NS001"
    assert error.value.message.startswith(f"the anchor &{anchor} is defined a second time (first on line {row})")
    # The near miss: the second anchor renamed.
    assert load(renamed).data == yaml.safe_load(renamed)


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['true']\n",
        "a: !!python/name:os.system\n",
        "a: !custom 3\n",
        "a: !!binary aGVsbG8=\n",
    ],
)
def test_non_standard_tags_are_refused(text: str) -> None:
    with pytest.raises(LoadError) as error:
        load(text)
    assert error.value.code == "NS001"
    assert "not allowed" in error.value.message


@pytest.mark.parametrize(
    ("text", "message"),
    [("a: !!map [1]\n", "!!map does not fit a sequence"), ("a: !!seq {b: 1}\n", "!!seq does not fit a mapping")],
)
def test_a_collection_tag_must_fit_its_collection(text: str, message: str) -> None:
    # As PyYAML's safe loader refuses them; the near miss is each tag on its own kind.
    with pytest.raises(LoadError, match=re.escape(message)):
        load(text)
    assert load("a: !!map {b: 1}\nc: !!seq [1]\n").data == {"a": {"b": 1}, "c": [1]}


def test_several_documents_are_refused() -> None:
    with pytest.raises(LoadError, match="more than one YAML document"):
        load("a: 1\n---\nb: 2\n")


def test_syntax_error_reports_parser_position() -> None:
    with pytest.raises(LoadError) as error:
        load("a: [1, 2\nb: 3\n")
    assert error.value.code == "NS001"
    assert error.value.span.start.row == 2


def test_alias_bomb_is_refused_before_expansion() -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        previous = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 10)}]")
    with pytest.raises(LoadError, match="alias"):
        load("\n".join(lines) + "\n")


def test_deep_nesting_is_refused_without_recursion() -> None:
    with pytest.raises(LoadError, match="nesting"):
        load("a: " + "[" * 20_000 + "]" * 20_000 + "\n")


def test_huge_integers_are_refused() -> None:
    with pytest.raises(LoadError, match="digits"):
        load("a: " + "9" * 5000 + "\n")


def test_decode_utf16_with_and_without_bom() -> None:
    text = "input: [3, 8, 8]\n"
    assert decode(text.encode("utf-16")) == text
    assert decode(text.encode("utf-16-le")) == text
    assert decode(text.encode("utf-16-be")) == text


def test_decode_invalid_utf8_names_the_position() -> None:
    with pytest.raises(LoadError) as error:
        decode(b"a: 1\nb: \xff\n")
    assert error.value.span.start == Position(2, 4)


@pytest.mark.parametrize(
    ("raw", "position"),
    [
        # Columns count characters: 😀 is 4 bytes and 中 3, but one column each.
        ("n: '😀中".encode() + b"\xff'\n", Position(1, 7)),
        # A lone CR ends a line in YAML, as do NEL and LS.
        (b"a: 1\rb: 2\r\nc: \xff", Position(3, 4)),
        ("a: 1\x85b: 2\u2028c: ".encode() + b"\xff", Position(3, 4)),
        # UTF-16: two bytes a character, and the byte-order mark is no column.
        ("a: 1\nb: x".encode("utf-16") + b"\x00\xd8", Position(2, 5)),
        # An odd number of bytes leaves half a character at the end.
        ("a: 1\nbc".encode("utf-16-le") + b"d", Position(2, 3)),
    ],
)
def test_decode_error_positions_count_characters_and_yaml_line_breaks(raw: bytes, position: Position) -> None:
    with pytest.raises(LoadError) as error:
        decode(raw)
    assert error.value.span.start == position
    assert error.value.span.end == Position(position.row, position.column + 1)
