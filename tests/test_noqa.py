"""Inline suppression (`# noqa`, `# netspec: noqa`) and NS900 unused-noqa."""

from __future__ import annotations

import textwrap
import unicodedata

import pytest

from netspec import Settings, Severity, lint_text
from netspec.noqa import directives
from netspec.rules import RULES
from netspec.source import load
from tests.helpers import codes, lint, spec, within

# (32 − 3)/1 + 1 = 30: an unpadded 3×3 conv shrinks its input, NS102.
SHRINK = "{type: conv, filters: 8, kernel: 3}"
# (32 + 2·1 − 3)/1 + 1 = 32: the same conv padded keeps its size; nothing to report.
KEEP = "{type: conv, filters: 8, kernel: 3, padding: 1}"
#: A layer with a key netspec does not know (NS002): netspec cannot check it, nor what follows.
INVALID = "{type: conv, filters: 8, kernel: 3, padding: 1, strides: 2}"


def layers(*lines: str) -> str:
    """A spec on a 32×32 input; layer lines start on row 3."""
    return spec("[3, 32, 32]", *lines)


def test_code_at_end_of_layer_line_silences_that_rule_for_that_layer() -> None:
    assert codes(layers(SHRINK, SHRINK)) == ["NS102", "NS102"]
    diagnostics = lint(layers(f"{SHRINK}  # noqa: NS102", SHRINK))
    assert [(d.code, d.span.start.row) for d in diagnostics] == [("NS102", 4)]


def test_a_comment_right_after_a_closing_bracket_or_quote_silences_too() -> None:
    # libyaml reads "#" after "}", "]" or a closing quote as a comment, as it does after a space.
    assert codes(layers(f"{SHRINK}# noqa: NS102")) == []
    quoted = "  - type: conv\n    name: 'c'# noqa: NS102\n    filters: 8\n    kernel: 3\n"
    assert codes(f"input: [3, 32, 32]\nlayers:\n{quoted}") == []
    # The near miss: after a plain scalar's character, the "#" is the scalar's, not a comment;
    # so on the rows of a plain scalar over several, but its last, whatever is before it: the
    # names below load as one line each, as a comment would have ended them.
    assert codes(layers("{type: conv, name: c# noqa, filters: 8, kernel: 3}")) == ["NS102"]
    for name in ("enc[0]# noqa:NS102\n      block", "a\n      x]# noqa:NS102\n      y"):
        folded = f"  - type: conv\n    name: {name}\n    filters: 8\n    kernel: 3\n"
        assert codes(f"input: [3, 32, 32]\nlayers:\n{folded}") == ["NS102"], folded
    # In a flow, a row may go on unindented: the name is "x' then the comment's text, then y".
    unindented = "input: [3, 32, 32]\nlayers: [{type: conv, name: x'# noqa\ny, filters: 8, kernel: 3}]\n"
    assert codes(unindented) == ["NS102"]


@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r", "\x85", "\u2028", "\u2029"])
def test_a_noqa_comment_is_found_on_its_row_after_any_line_break(brk: str) -> None:
    # Rows are counted at every break YAML counts: the comment is the second layer's (row 4),
    # and the first layer's problem stays, on row 3.
    text = f"input: [3, 32, 32]{brk}layers:{brk}  - {SHRINK}{brk}  - {SHRINK}  # noqa: NS102{brk}"
    assert [(d.code, d.span.start.row) for d in lint(text)] == [("NS102", 3)]


def test_comments_past_the_limit_silence_nothing_and_are_reported_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each unused comment is a diagnostic: 1.6 million lines of a bare noqa comment fit in
    # 10 MB. Past the limit (3 here), the next is reported as past it, and the rest are not read.
    monkeypatch.setattr("netspec.noqa.MAX_DIRECTIVES", 3)
    found = lint(layers(KEEP) + "#noqa\n" * 5)
    assert [(d.code, d.span.start.row) for d in found] == [("NS900", row) for row in (4, 5, 6, 7)]
    assert found[-1].message == (
        "this `noqa` comes after 3 lines with one, all that netspec reads in a file: it and those after it "
        "silence nothing"
    )
    # The near miss: three are read, and each is unused.
    assert [d.message.startswith("unused blanket") for d in lint(layers(KEEP) + "#noqa\n" * 3)] == [True] * 3


def test_other_code_does_not_silence() -> None:
    diagnostics = lint(layers(f"{SHRINK}  # noqa: NS107"))
    assert sorted(d.code for d in diagnostics) == ["NS102", "NS900"]


def test_several_codes_comma_or_space_separated_and_any_case() -> None:
    text = """
    input: [3, 32, 32]
    layers:
      - {type: conv, name: a, filters: 8, kernel: 3}   # noqa: NS102,NS110
      - {type: conv, name: b, filters: 8, kernel: 3, from: input}   # NOQA:ns102
    """
    assert codes(text) == []
    # Space-separated; the unused NS107 is reported, the used NS102 is not.
    (diagnostic,) = lint(layers(f"{SHRINK}  # noqa: NS107 NS102"))
    assert (diagnostic.code, "NS107" in diagnostic.message, "NS102" in diagnostic.message) == ("NS900", True, False)


def test_noqa_on_the_first_line_of_a_block_layer_covers_the_whole_layer() -> None:
    text = """
    input: [3, 32, 32]
    layers:
      - type: conv  # noqa: NS003, NS102
        filters: 8
        kernel: 3
        kernel: 3
    """
    # Unpadded, 32 − 3 + 1 = 30 (NS102, at the layer), and a repeated key (NS003, at row 6).
    assert sorted((d.code, d.span.start.row) for d in lint(text.replace("  # noqa: NS003, NS102", ""))) == [
        ("NS003", 6),
        ("NS102", 3),
    ]
    assert codes(text) == []


def test_noqa_on_a_later_line_of_a_block_layer_covers_the_whole_layer_too() -> None:
    text = """
    input: [3, 32, 32]
    layers:
      - type: conv
        filters: 8
        kernel: 3  # noqa: NS102
      - type: conv
        filters: 8
        kernel: 3
    """
    # The second layer shrinks too, and a comment inside the first does not reach it.
    assert [(d.code, d.span.start.row) for d in lint(text)] == [("NS102", 6)]


@pytest.mark.parametrize("between", ["", "    # the stem\n", "\n", "\n    # the stem\n\n"])
def test_noqa_on_the_dash_that_opens_a_block_layer_covers_that_layer(between: str) -> None:
    text = (
        "input: [3, 32, 32]\n"
        "layers:\n"
        "  -  # noqa: NS102\n"
        f"{between}"
        "    type: conv\n"
        "    filters: 8\n"
        "    kernel: 3\n"
        "  -\n"
        f"{between}"
        "    type: conv\n"
        "    filters: 8\n"
        "    kernel: 3\n"
    )
    # Both layers are unpadded, 32 − 3 + 1 = 30 and 30 − 3 + 1 = 28; each starts at its `type`.
    first, second = 4 + between.count("\n"), 8 + 2 * between.count("\n")
    assert [(d.code, d.span.start.row) for d in lint(text.replace("  # noqa: NS102", ""))] == [
        ("NS102", first),
        ("NS102", second),
    ]
    # The comment is used (no NS900), and covers its own layer only.
    assert [(d.code, d.span.start.row) for d in lint(text)] == [("NS102", second)]


def test_a_comment_above_a_dash_with_its_own_keys_is_not_that_layers() -> None:
    # The second entry's dash shares its row with `type`; the comment row above it belongs to
    # no layer (a lone `-` with a noqa would be a null layer, NS002, which no noqa silences).
    text = layers(KEEP) + "  # noqa: NS102\n" + f"  - {SHRINK}\n"
    assert sorted(codes(text)) == ["NS102", "NS900"]


def test_merged_layers_share_a_span_so_a_comment_covers_only_its_own_row() -> None:
    # Layers inside a merge key have no position of their own: each points at the `<<` block,
    # so a comment among them must not count as being on every layer's rows.
    text = """
    input: [3, 8, 8]
    <<:
      layers:
        - {type: conv, filters: 3, kernel: 3, padding: 1}
        - {type: conv, filters: 3, kernel: 3}  # noqa: NS102
        - {type: conv, filters: 3, kernel: 3}
    """
    assert sorted(codes(text)) == ["NS102", "NS102", "NS900"]


def test_many_merged_layers_with_comments_cost_linear_time() -> None:
    # 16,000: linear work takes about 2 s; quadratic (as before the fix) about two minutes.
    # The limit leaves room for a loaded machine, and none for quadratic work.
    rows = "\n".join("    - {type: relu, from: input}  # noqa: NS110" for _ in range(16_000))
    text = f"input: [3, 8, 8]\n<<:\n  layers:\n{rows}\n"
    with within(40):
        found = lint(text)
    # Each layer but the last is read by nobody (NS110); the comments are on rows that no
    # merged layer owns, so each is unused.
    assert {d.code for d in found} == {"NS110", "NS900"}


def test_a_layer_ending_in_a_block_scalar_does_not_own_the_next_row() -> None:
    # c1's span ends at the start of row 8, after the block scalar's line break; the comment
    # on row 8 belongs to the padded layer there, which reports nothing.
    text = """
    input: [3, 32, 32]
    layers:
      - type: conv
        filters: 8
        kernel: 3
        name: |
          c1
      - {type: conv, filters: 8, kernel: 3, padding: 1}  # noqa: NS102
    """
    assert sorted((d.code, d.span.start.row) for d in lint(text)) == [("NS102", 3), ("NS900", 8)]


def test_a_comment_on_a_layer_the_rules_never_saw_is_not_called_unused() -> None:
    # conv2 follows an invalid layer, so NS102 could not run on it: its noqa may be needed.
    text = layers(INVALID, f"{SHRINK}  # noqa: NS102")
    assert codes(text) == ["NS002"]
    # The near miss: after a valid layer, the same comment on a padded conv is unused.
    assert codes(layers(KEEP, f"{KEEP}  # noqa: NS102")) == ["NS900"]


def test_a_comment_on_a_layer_without_an_output_is_not_called_unused() -> None:
    # PyTorch refuses 'same' with a stride (NS112): the layer has no output, so NS109, which
    # looks at its windows, could not run on it.
    refused = "{type: conv, filters: 8, kernel: 1, stride: 2, padding: same}  # noqa: NS109"
    assert codes(layers(refused)) == ["NS112"]
    # The near miss: with padding 0 it has an output, and a 1×1 stride-2 conv reads one
    # position in four (NS109), which the comment silences.
    assert codes(layers(refused.replace("padding: same", "padding: 0"))) == []
    # With stride 1 it reads every position: the comment silences nothing.
    assert codes(layers(refused.replace("stride: 2, padding: same", "padding: 0"))) == ["NS900"]


def test_blocking_problems_under_many_file_wide_comments_cost_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # 16,000: linear work takes about 2 s; quadratic (as before the fix) about a minute and a half.
    # The limit leaves room for a loaded machine, and none for quadratic work. (Past 10,000
    # problems a file is refused unreported: that limit is raised here.)
    monkeypatch.setattr("netspec.spec.MAX_SCHEMA_ERRORS", 100_000)
    pairs = "".join("# netspec: noqa: NS002\n  - {type: relu, bogus: 1}\n" for _ in range(16_000))
    with within(40):
        found = lint("input: [3, 8, 8]\nlayers:\n" + pairs)
    assert sum(d.code == "NS002" for d in found) == 16_000


def test_noqa_matches_a_diagnostic_starting_on_its_line() -> None:
    text = """
    name: a
    name: b  # noqa: NS003
    input: [3, 32, 32]
    layers:
      - {type: conv, filters: 8, kernel: 3, padding: 1}
    """
    assert "NS003" in codes(text.replace("  # noqa: NS003", ""))
    assert codes(text) == []


def test_noqa_without_a_colon_is_refused_not_read_as_blanket() -> None:
    diagnostics = lint(layers(f"{SHRINK}  # noqa NS102 ns110"))
    assert sorted(d.code for d in diagnostics) == ["NS102", "NS900"]
    (unused,) = [d for d in diagnostics if d.code == "NS900"]
    assert "needs a colon before its codes (`# noqa: NS102, NS110`)" in unused.message
    # Near miss: the same words after the colon.
    assert codes(layers(f"{SHRINK}  # noqa: NS102")) == []


def test_a_reason_that_begins_like_a_code_is_told_to_go_in_parentheses() -> None:
    # `resnet50` reads as a code without its colon, which flake8 would take for a bare noqa;
    # offering it after a colon, upper-cased, would only name a rule that is none.
    reason = "resnet50 layout"
    diagnostics = lint(layers(f"{SHRINK}  # noqa {reason}"))
    assert sorted(d.code for d in diagnostics) == ["NS102", "NS900"]
    (unused,) = [d for d in diagnostics if d.code == "NS900"]
    assert unused.message == (
        "this `noqa` is followed by 'resnet50', which reads as a code without a colon: write codes after one "
        "(`# noqa: NS102`), and a reason in parentheses (`# noqa (resnet50 …)`); as written it silences nothing"
    )
    # The near miss: in parentheses, the reason explains a bare noqa, which silences all.
    assert codes(layers(f"{SHRINK}  # noqa ({reason})")) == []


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("  # noqa: NS002", "this `noqa` cannot silence NS002: "),
        # NS102 is not called unused: the rules never saw the invalid layer.
        ("  # noqa: NS002, NS102", "this `noqa` cannot silence NS002: "),
        ("  # noqa", "this blanket `noqa` cannot silence NS002: "),
    ],
)
def test_noqa_cannot_hide_a_problem_netspec_cannot_check_past(comment: str, message: str) -> None:
    diagnostics = lint(layers(KEEP, INVALID + comment))
    assert [d.code for d in diagnostics] == ["NS002", "NS900"]
    assert diagnostics[1].message == message + "netspec cannot check past it, so it is always reported"
    # The near miss: a non-blocking rule on the same layer is silenced as before.
    assert codes(layers(KEEP, SHRINK + comment.replace("NS002", "NS102").replace("NS102, NS102", "NS102"))) == []


#: A layer without an output, per rule (PyTorch would refuse all but NS105's dense layer on an
#: unflattened tensor, which it would apply to the last dimension only): what it feeds goes unchecked.
NO_OUTPUT = {
    "NS103": ("[1, 3, 3]", ["{type: conv, filters: 8, kernel: 5}"]),  # 3 − 5 + 1 = −1 rows
    "NS104": ("[3, 8, 8]", ["{type: conv, filters: 64, kernel: 3, padding: 1, groups: 2}"]),  # 3 channels in 2
    "NS105": ("[3, 8, 8]", ["{type: dense, units: 10}"]),  # not flattened
    "NS106": (  # 8×8 and 8 − 3 + 1 = 6×6 concatenated
        "[3, 8, 8]",
        [
            "{type: conv, name: a, filters: 4, kernel: 3, padding: 1}",
            "{type: conv, name: b, filters: 4, kernel: 3, from: input}",
            "{type: concat, from: [a, b]}",
        ],
    ),
    "NS107": ("[3, 8, 8]", ["{type: maxpool, kernel: 2, padding: 2}"]),  # 2 > 2 // 2
    "NS111": ("[3, 8, 8]", ["{type: conv_transpose, filters: 4, kernel: 3, stride: 2, output_padding: 2}"]),
    "NS112": ("[3, 8, 8]", ["{type: conv, filters: 4, kernel: 3, stride: 2, padding: same}"]),
    "NS115": ("[3, 8, 8]", ["{type: flatten}", "{type: conv, filters: 2, kernel: 1}"]),  # a conv on 1-D data
}


@pytest.mark.parametrize("code", sorted(NO_OUTPUT))
def test_a_layer_without_an_output_is_reported_whatever_suppresses_it(code: str) -> None:
    input_shape, rows = NO_OUTPUT[code]
    *before, last = rows
    text = spec(input_shape, *before, f"{last}  # noqa: {code}")
    found = lint(text)
    assert [d.code for d in found if d.code in (code, "NS900")] == [code, "NS900"]
    assert f"this `noqa` cannot silence {code}: " in found[-1].message
    assert all(d.blocking for d in found if d.code == code)
    plain = spec(input_shape, *rows)
    for settings in [
        Settings(ignore=(code,)),
        Settings(select=("NS101",)),
        Settings(per_file_ignores={"*.yaml": (code,)}),
        Settings(severity={code: Severity.WARNING}),
    ]:
        assert [(d.code, d.severity) for d in lint(plain, settings) if d.code == code] == [(code, Severity.ERROR)]


def test_problems_that_leave_an_output_may_still_be_silenced() -> None:
    # NS107's convolution case: padding 3 ≥ 1·(3 − 1) + 1, yet the output is 8 + 6 − 3 + 1 = 12
    # (a map that grows: NS102).
    padded = spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, padding: 3}")
    assert codes(padded) == ["NS102", "NS107"]
    assert codes(padded, Settings(ignore=("NS107",))) == ["NS102"]
    assert codes(padded.replace("3}\n", "3}  # noqa: NS107\n")) == ["NS102"]
    # NS108: the output (8 + 2 − 3 + 1 = 8) exists; only the expectation differs.
    expecting = spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, padding: 1, expect: [4, 7, 7]}")
    assert codes(expecting) == ["NS108"]
    assert codes(expecting, Settings(ignore=("NS108",))) == []


def test_an_unknown_top_level_key_blocks_nothing_and_may_be_silenced() -> None:
    # A key holding anchors, as Compose files keep them: every layer is still checked.
    text = "x_defaults: &pad {padding: 1}  # noqa: NS002\n" + layers(SHRINK)
    assert codes(text) == ["NS102"]
    assert codes(text.replace("  # noqa: NS002", ""), Settings(ignore=("NS002",))) == ["NS102"]
    # The near miss: the same unknown key inside a layer leaves that layer unchecked.
    text = layers("{type: conv, filters: 8, kernel: 3, x_defaults: 1}  # noqa: NS002")
    assert codes(text) == ["NS002", "NS900"]


def test_a_file_wide_noqa_cannot_hide_them_either() -> None:
    broken = layers(SHRINK, INVALID, "{type: conv, filters: 8, kernel: 3, from: nowhere}")
    # A bare file-wide noqa silences NS900 too, so only the two blocking problems remain.
    assert codes("# netspec: noqa\n" + broken) == ["NS002", "NS004"]
    # (No NS110 for layers nothing reads: the broken reference may have meant them.)
    diagnostics = lint("# netspec: noqa: NS002, NS004, NS102\n" + broken)
    assert [d.code for d in diagnostics] == ["NS900", "NS002", "NS004"]
    assert diagnostics[0].message == (
        "this `noqa` cannot silence NS002, NS004: netspec cannot check past these problems, so they are always reported"
    )


def test_bare_noqa_silences_every_rule_for_that_layer_only() -> None:
    # Layer a both shrinks (NS102) and is read by nobody (NS110); layer b shrinks too.
    text = layers(
        "{type: conv, name: a, filters: 8, kernel: 3}  # noqa",
        "{type: conv, name: b, filters: 8, kernel: 3, from: input}",
    )
    assert sorted(codes(text.replace("  # noqa", ""))) == ["NS102", "NS102", "NS110"]
    assert [(d.code, d.span.start.row) for d in lint(text)] == [("NS102", 4)]


def test_file_wide_directive_on_its_own_line() -> None:
    text = "# netspec: noqa: NS102\n" + layers(SHRINK, SHRINK)
    assert codes(text) == []
    # Placed between the layers, it still covers the whole file.
    text = layers(SHRINK) + "# netspec: noqa\n" + f"  - {SHRINK}\n"
    assert codes(text.replace("# netspec: noqa\n", "")) == ["NS102", "NS102"]
    assert codes(text) == []


def test_every_directive_that_matches_counts_as_used() -> None:
    # Two file-wide directives and a line directive all cover the NS102 of the first layer:
    # none is unused. (A bare file-wide noqa would silence NS900 itself, and prove nothing.)
    # NS107 is listed but never fires (the convs are not over-padded).
    text = "# netspec: noqa: NS102\n" * 2 + layers(f"{SHRINK}  # noqa: NS102", KEEP)
    assert codes(text) == []
    diagnostics = lint("# netspec: noqa: NS102, NS107\n" + layers(SHRINK))
    assert [(d.code, d.span.start.row) for d in diagnostics] == [("NS900", 1)]
    assert "NS107 reports nothing here" in diagnostics[0].message
    assert "NS102" not in diagnostics[0].message


@pytest.mark.parametrize("written", ["# netspec noqa: NS102", "# netspec noqa", "#netspecnoqa: NS102"])
def test_a_file_wide_directive_without_its_colon_silences_nothing(written: str) -> None:
    diagnostics = lint(f"{written}\n" + layers(SHRINK))
    # Rows: the comment, input, layers, then the layer.
    assert [(d.code, d.span.start.row) for d in diagnostics] == [("NS900", 1), ("NS102", 4)]
    assert "needs a colon after netspec (`# netspec: noqa`)" in diagnostics[0].message
    # The near miss: with its colon, the directive silences the file's NS102.
    assert lint(f"{written.replace('netspec', 'netspec:')}\n" + layers(SHRINK)) == []


def test_a_file_wide_directive_without_its_colon_after_content_says_both() -> None:
    # Its colon alone would still leave it where a file-wide directive has no effect.
    diagnostics = lint(layers(f"{SHRINK}  # netspec noqa: NS102"))
    assert [d.code for d in diagnostics] == ["NS102", "NS900"]
    assert "needs a colon after netspec (`# netspec: noqa`) and a line of its own" in diagnostics[1].message


def test_file_wide_directive_after_content_has_no_effect_and_is_reported() -> None:
    diagnostics = lint(layers(f"{SHRINK}  # netspec: noqa: NS102"))
    assert [d.code for d in diagnostics] == ["NS102", "NS900"]
    assert "own" in diagnostics[1].message


def test_unused_noqa_points_at_the_comment() -> None:
    line = f"{KEEP}   # noqa: NS102"
    text = layers(line)
    (diagnostic,) = lint(text)
    assert diagnostic.code == "NS900"
    assert diagnostic.severity == Severity.WARNING
    assert diagnostic.span.start.row == 3
    assert diagnostic.span.start.column == len("  - ") + line.index("#") + 1
    assert "NS102" in diagnostic.message


def test_unknown_code_is_reported_as_unknown() -> None:
    (diagnostic,) = lint(layers(f"{SHRINK}  # noqa: NS102, NS999"))
    assert diagnostic.code == "NS900"
    assert "NS999 is not a netspec rule" in diagnostic.message
    assert "NS102" not in diagnostic.message


def test_a_code_listed_again_is_judged_and_reported_once() -> None:
    (diagnostic,) = lint(layers(f"{KEEP}  # noqa: NS1 NS1, ns1 NS2 NS1"))
    assert diagnostic.message == "unused `noqa`: NS1 is not a netspec rule; NS2 is not a netspec rule"
    # Without the colon, the form it suggests lists each once too.
    (diagnostic,) = [d for d in lint(layers(f"{SHRINK}  # noqa NS102 ns102 Ns102")) if d.code == "NS900"]
    assert "(`# noqa: NS102`)" in diagnostic.message


def test_a_comment_listing_more_codes_than_the_limit_silences_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # A 10 MB comment lists millions of codes; each different one is judged. Past the limit
    # (5 here) the comment is refused, with or without its colon, and NS102 stays.
    monkeypatch.setattr("netspec.noqa.MAX_CODES", 5)
    for separator in (": ", " "):
        found = lint(layers(f"{SHRINK}  # noqa{separator}NS102 NS101 NS103 NS104 NS105 NS106 NS102"))
        assert sorted(d.code for d in found) == ["NS102", "NS900"]
        (refusal,) = [d for d in found if d.code == "NS900"]
        assert refusal.message == "this `noqa` lists more than 5 different codes; as written it silences nothing"
    # The near miss: five different codes, one of them twice, silence NS102 (the four others
    # are unused, NS900).
    assert codes(layers(f"{SHRINK}  # noqa: NS102 NS101 NS103 NS104 NS105 NS102")) == ["NS900"]


def test_unknown_codes_are_quoted_and_listed_within_bounds() -> None:
    # A code of 100,001 characters is quoted as its first 37 and "...": 40 in all.
    long_code = "X" + "1" * 100_000
    (diagnostic,) = lint(layers(f"{KEEP}  # noqa: {long_code}"))
    assert diagnostic.message == f"unused `noqa`: X{'1' * 36}... is not a netspec rule"
    # 2,000 unknown codes: the first ten, then a count of the other 1,990.
    many = [f"NS{1000 + i}" for i in range(2000)]
    (diagnostic,) = lint(layers(f"{KEEP}  # noqa: {' '.join(many)}"))
    first = "; ".join(f"{code} is not a netspec rule" for code in many[:10])
    assert diagnostic.message == f"unused `noqa`: {first}; and 1,990 more"
    # Without the colon, the comment's suggested form lists them within the same bound.
    (diagnostic,) = lint(layers(f"{KEEP}  # noqa {' '.join(many)}"))
    assert f"(`# noqa: {', '.join(many[:10])}, and 1,990 more`)" in diagnostic.message
    # The near miss: ten codes of 40 characters are listed whole.
    ten = [f"NS{i}{'0' * 36}" for i in range(10, 20)]
    (diagnostic,) = lint(layers(f"{KEEP}  # noqa: {' '.join(ten)}"))
    assert diagnostic.message == "unused `noqa`: " + "; ".join(f"{code} is not a netspec rule" for code in ten)


def test_unused_bare_noqa_and_empty_code_list_are_reported() -> None:
    assert codes(layers(f"{KEEP}  # noqa")) == ["NS900"]
    # `noqa:` with nothing after it is a mistake, not a blanket: NS102 stays reported.
    assert codes(layers(f"{SHRINK}  # noqa:")) == ["NS102", "NS900"]


@pytest.mark.parametrize(
    ("written", "message", "near_miss"),
    [
        # NS102 is shrinking-layer in the rule table; its name silences nothing, as in ruff.
        # The near miss: a hyphenated word that names no rule gets the general message.
        (
            "Shrinking-Layer",
            "this `noqa` names the rule Shrinking-Layer where its code belongs (`# noqa: NS102`); "
            "as written it silences nothing",
            "shrink-layer",
        ),
        # ALL selects every rule on the command line; in a noqa it is no code. The near miss: a
        # word that only starts with ALL.
        (
            "ALL",
            "this `noqa` lists ALL, a selector for --select and --ignore; as written it silences nothing: "
            "a bare `# noqa`, with no colon, silences every rule",
            "ALLOWED",
        ),
    ],
)
def test_a_word_where_a_code_belongs_is_told_what_to_write(written: str, message: str, near_miss: str) -> None:
    shrink, unused = lint(layers(f"{SHRINK}  # noqa: {written}"))
    assert (shrink.code, unused.code) == ("NS102", "NS900")
    assert unused.message == message
    (_, unknown) = lint(layers(f"{SHRINK}  # noqa: {near_miss}"))
    assert unknown.message.startswith("this `noqa` lists no rule codes after the colon")


LOOKALIKES = [
    # Each upper-cases to an ASCII letter, and case-blind matching took them for one; the
    # digit's NS102 was read at the start.
    ("N\u017f102", "\u017f", "U+017F LATIN SMALL LETTER LONG S"),
    ("NS102\u0662", "\u0662", "U+0662 ARABIC-INDIC DIGIT TWO"),
    ("\u212aS102", "\u212a", "U+212A KELVIN SIGN"),
    # Neither upper-cases nor normalises to ASCII, but is shaped like a code.
    ("\u039dS102", "\u039d", "U+039D GREEK CAPITAL LETTER NU"),
    ("N\u0405102", "\u0405", "U+0405 CYRILLIC CAPITAL LETTER DZE"),
]


@pytest.mark.parametrize(("written", "odd", "described"), LOOKALIKES)
def test_a_code_spelt_with_a_lookalike_silences_nothing(written: str, odd: str, described: str) -> None:
    why = f"`{written}`, which is not a rule code: its `{odd}` is {described}, not an ASCII letter or digit"
    shrink, unused = lint(layers(f"{SHRINK}  # noqa: {written}"))
    assert (shrink.code, unused.code) == ("NS102", "NS900")
    assert unused.message == f"this `noqa` lists {why}; as written it silences nothing"
    # Without the colon, and on a line of its own for the whole file: read as a bare `noqa`
    # with a reason after it, either would silence everything.
    for text in (layers(f"{SHRINK}  # noqa {written}"), f"# netspec: noqa {written}\n" + layers(SHRINK)):
        unused, shrink = sorted(lint(text), key=lambda d: d.code != "NS900")
        assert (shrink.code, unused.code) == ("NS102", "NS900")
        assert (
            unused.message
            == f"this `noqa` needs a colon before its codes, and lists {why}; as written it silences nothing"
        )
    # After a real code, the lookalike would have been read as the reason.
    shrink, unused = lint(layers(f"{SHRINK}  # noqa: NS101, {written}"))
    assert (shrink.code, unused.message) == ("NS102", f"this `noqa` lists {why}; as written it silences nothing")
    # The near miss: the same code in ASCII, in either case, silences the problem.
    assert codes(layers(f"{SHRINK}  # noqa: ns102")) == []
    assert codes(layers(f"{SHRINK}  # noqa: NS101, NS102")) == ["NS900"]  # NS101 unused, NS102 silenced


@pytest.mark.parametrize("written", ["NS102x", "NS1O2", "NS102\u00b2", "NS102_", "NS102\u017f"])
def test_codes_without_a_colon_are_refused_whatever_follows_them(written: str) -> None:
    # A word character after the digits (a letter O for a zero, a superscript two) must not
    # turn the comment into a bare noqa with a reason, which would silence everything.
    for text in (layers(f"{SHRINK}  # noqa {written}"), f"# netspec: noqa {written}\n" + layers(SHRINK)):
        assert sorted(codes(text)) == ["NS102", "NS900"]


@pytest.mark.parametrize("written", ["NS102x", "ns102x", "NS1O2", "NS102_1", "NS102\u00e9", "NS102\u7406\u7531"])
def test_a_misspelt_code_after_a_colon_silences_nothing(written: str) -> None:
    # Read up to its digits, NS102x silenced NS102. ruff refuses `F401x` the same way.
    if written.isascii():
        why = f"`{written}`, which is not a rule code: a code is letters, then digits, and nothing after them"
    else:
        odd = written[5]
        why = f"`{written}`, which is not a rule code: its `{odd}` is U+{ord(odd):04X} {unicodedata.name(odd)}"
        why += ", not an ASCII letter or digit"
    for comment in (f"noqa: {written}", f"noqa: NS101, {written}", f"noqa:{written} (the stem)"):
        shrink, unused = lint(layers(f"{SHRINK}  # {comment}"))
        assert (shrink.code, unused.message) == ("NS102", f"this `noqa` lists {why}; as written it silences nothing")
    # The near miss: after a space, a word that is no netspec code is the reason.
    assert codes(layers(f"{SHRINK}  # noqa: NS102 layer3x")) == []
    assert codes(layers(f"{SHRINK}  # noqa: NS102, stem3b")) == []


@pytest.mark.parametrize("reason", ["第3层", "étape2 du plan", "Größe3", "\u03bc1", "输入224x224是有意的", "см100"])
def test_a_reason_in_another_script_is_no_lookalike_code(reason: str) -> None:
    # Letters that stand for no ASCII one, before a digit, are a reason's words, as at the
    # start of a bare noqa's reason; a lookalike is made of letters that do.
    assert codes(layers(f"{SHRINK}  # noqa: NS102 {reason}")) == []
    assert codes(layers(f"{SHRINK}  # noqa {reason}")) == []  # a bare noqa, with its reason
    # The near miss: the same words where the codes belong are none.
    assert codes(layers(f"{SHRINK}  # noqa: {reason}")) == ["NS102", "NS900"]


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad"], ids=["zero-width-space", "soft-hyphen"])
def test_a_code_with_an_invisible_character_in_it_silences_nothing(invisible: str) -> None:
    # Hidden from the patterns, NS<invisible>102 after a bare noqa left it bare, with a reason
    # after it, which silences the line, or the file.
    written = f"NS{invisible}102"
    for text in (layers(f"{SHRINK}  # noqa {written}"), f"# netspec: noqa {written}\n" + layers(SHRINK)):
        assert sorted(codes(text)) == ["NS102", "NS900"]


def test_unused_file_wide_directive_is_reported() -> None:
    diagnostics = lint("# netspec: noqa: NS102\n" + layers(KEEP))
    assert [(d.code, d.span.start.row, d.span.start.column) for d in diagnostics] == [("NS900", 1, 1)]


@pytest.mark.parametrize("comment", ["# netspec: noqa:", "# netspec: noqa NS102"])
def test_a_malformed_file_wide_directive_silences_nothing_and_is_reported(comment: str) -> None:
    # No codes after the colon, or no colon: it hides no problem, so it cannot hide NS900
    # either, neither about itself (row 1) nor about the unused comment on row 4.
    diagnostics = lint(f"{comment}\n" + layers(f"{KEEP}  # noqa: NS101", SHRINK))
    assert [(d.code, d.span.start.row) for d in diagnostics] == [("NS900", 1), ("NS900", 4), ("NS102", 5)]
    # The near miss: a well-formed directive naming NS900 opts the file out of these reports.
    assert codes("# netspec: noqa: NS900\n" + layers(f"{KEEP}  # noqa: NS101")) == []


def test_code_of_a_rule_that_did_not_run_is_not_reported() -> None:
    # Whether the comment is needed cannot be known when NS102 is off.
    settings = Settings(ignore=("NS102",))
    assert codes(layers(f"{SHRINK}  # noqa: NS102"), settings) == []
    assert codes(layers(f"{KEEP}  # noqa: NS102"), settings) == []


def test_ns900_can_be_disabled_or_kept_deliberately() -> None:
    assert codes(layers(f"{KEEP}  # noqa: NS102"), Settings(ignore=("NS900",))) == []
    assert codes(layers(f"{KEEP}  # noqa: NS102, NS900")) == []
    assert codes("# netspec: noqa: NS900\n" + layers(f"{KEEP}  # noqa: NS102")) == []


def test_hash_inside_a_quoted_value_is_not_a_comment() -> None:
    text = layers('{type: conv, name: "x  # noqa: NS102", filters: 8, kernel: 3}')
    assert codes(text) == ["NS102"]
    text = layers("{type: conv, name: 'x # noqa', filters: 8, kernel: 3}  # noqa: NS102")
    assert codes(text) == []


# (32 − 3)/2 + 1 = 15.5: a strided conv that leaves the last row and column unread, NS101.
STRIDED = layers("{type: conv, filters: 8, kernel: 3, stride: 2}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("description: |\n  Notes:\n  # netspec: noqa\n" + STRIDED, ["NS101"], id="block-scalar"),
        pytest.param('description: "Notes:\n  # netspec: noqa\n  end"\n' + STRIDED, ["NS101"], id="double-quoted"),
        pytest.param("description: 'Notes:\n  # netspec: noqa\n  end'\n" + STRIDED, ["NS101"], id="single-quoted"),
        pytest.param(
            "description: !!str &d |\n  Notes:\n  # netspec: noqa\n" + STRIDED, ["NS101"], id="tagged-anchored"
        ),
        # Strings outside the data: a repeated key's value, a table its key repeated over, a key.
        pytest.param(
            "description: x\ndescription: |\n  # netspec: noqa\n" + STRIDED, ["NS003", "NS101"], id="repeated-key"
        ),
        pytest.param(
            "meta:\n  notes: |\n    # netspec: noqa\nmeta: {}\n" + STRIDED, ["NS003", "NS002", "NS101"], id="shadowed"
        ),
        pytest.param('? "a\n  # netspec: noqa\n  b"\n: 1\n' + STRIDED, ["NS002", "NS101"], id="multi-row-key"),
        # One row this time: the value the repeat replaced still holds its "#".
        pytest.param('description: "x  # noqa: NS003"\ndescription: y\n' + STRIDED, ["NS003", "NS101"], id="replaced"),
    ],
)
def test_a_hash_inside_a_multi_row_string_is_not_a_comment(text: str, expected: list[str]) -> None:
    assert sorted(codes(text)) == sorted(expected)


def test_noqa_in_a_merged_mapping_over_several_rows() -> None:
    # A merge key's entries take the span of the merged mapping: that is not a scalar.
    text = layers("<<: {type: conv,   # noqa: NS102\n      filters: 8}\n    kernel: 3")
    assert codes(text.replace("   # noqa: NS102", "")) == ["NS102"]
    assert codes(text) == []


def test_many_merged_keys_cost_linear_time() -> None:
    # Each merged key spans the whole merged mapping; marking its rows for each would be quadratic.
    keys = ",\n    ".join(f"k{i}: 1" for i in range(40_000))
    text = f"other:  # noqa\n  <<: {{\n    {keys}}}\n" + STRIDED
    with within(10):
        found = [(d.code, d.span.start.row) for d in lint(text)]
    # The noqa on row 1 silences the unknown top-level key; the conv is on row 2 + 40,000 + 3.
    assert found == [("NS101", 40_005)]


def test_noqa_in_a_block_mapping_whose_first_key_is_quoted() -> None:
    # The near miss: the mapping starts with a quote, but only scalars hold rows.
    text = layers('"type": conv  # noqa: NS102\n    "filters": 8\n    "kernel": 3')
    assert codes(text.replace("  # noqa: NS102", "")) == ["NS102"]
    assert codes(text) == []


def test_a_comment_after_a_block_scalar_header_is_a_comment() -> None:
    # The near miss: the header's comment is YAML's, and a file-wide noqa must stand alone.
    text = "description: | # netspec: noqa\n  Notes\n" + STRIDED
    assert [(d.code, d.span.start.row) for d in lint(text)] == [("NS900", 1), ("NS101", 5)]
    assert codes("description: |\n  Notes\n# netspec: noqa\n" + STRIDED) == []


def test_noqa_inside_other_words_silences_nothing_and_says_so() -> None:
    # As ruff 0.17.6 reports the comment `noqalike: F401` ("expected ':'") beside its F401.
    diagnostics = lint(layers(f"{SHRINK}  # noqalike: NS102"))
    assert [d.code for d in diagnostics] == ["NS102", "NS900"]
    assert "runs into `like`, where a colon belongs" in diagnostics[1].message


def test_noqa_may_follow_other_comment_text() -> None:
    assert codes(layers(f"{SHRINK}  # stem keeps its size later # noqa: NS102")) == []


def test_crlf_line_endings() -> None:
    text = layers(f"{SHRINK}  # noqa: NS102", SHRINK).replace("\n", "\r\n")
    assert [(d.code, d.span.start.row) for d in lint_text(text, "spec.yaml").diagnostics] == [("NS102", 4)]


def test_unparseable_file_still_reports_ns001() -> None:
    text = textwrap.dedent("""
    # netspec: noqa
    input: [3, 32
    """)
    assert codes(text) == ["NS001"]


def test_rule_is_registered_with_documentation() -> None:
    rule = RULES["NS900"]
    # Its documentation sections are checked with every other rule's, in test_rule_docs.py.
    assert (rule.name, rule.severity, rule.selected_by_default) == ("unused-noqa", Severity.WARNING, True)


def test_a_hash_in_a_value_under_a_repeated_key_is_not_a_comment() -> None:
    """The first of two mappings under one key leaves the data, but its text is still there."""
    text = 'x:\n  a: "v # noqa"\n  b: 1\nx:\n  c: 2\n'
    assert directives(text, load(text)) == []


def strided(comment: str) -> str:
    """A spec of one conv with ``comment`` after it: stride 4 on 224, (224 − 11)/4 + 1 =
    54.25, is NS101 and nothing else."""
    return f"input: [3, 224, 224]\nlayers:\n  - {{type: conv, filters: 96, kernel: 11, stride: 4}}  {comment}\n"


@pytest.mark.parametrize("separator", [";", "\uff1a", "=", "(", " - ", " ; "])
def test_a_noqa_with_another_mark_for_its_colon_silences_nothing(separator: str) -> None:
    # ruff reports such a directive as invalid ("expected a colon"); flake8 would silence
    # every rule. A full-width colon is what a CJK input method types.
    text = strided(f"# noqa{separator}NS102")
    found = lint(text)
    assert [d.code for d in found] == ["NS101", "NS900"]
    assert f"has `{separator.strip()}` where a colon belongs" in found[1].message


@pytest.mark.parametrize(
    ("written", "suggested", "near_miss"),
    [
        ("# noqaNS101", "`# noqa: NS101`", "# noqa: NS101"),
        ("# NOQA-ns101", "`# noqa: NS101`", "# NOQA: ns101"),
        ("# noqa_NS101 (stride 4)", "`# noqa: NS101`", "# noqa: NS101 (stride 4)"),
        ("# noqaNS101,NS900 (stride 4)", "`# noqa: NS101, NS900`", "# noqa: NS101,NS900 (stride 4)"),
        ("# noqa-NS101 NS900", "`# noqa: NS101, NS900`", "# noqa: NS101 NS900"),
        ("# noqaNS101\uff1a", "`# noqa: NS101`", "# noqa: NS101"),
        ("# noqa-able", "`# noqa: CODES`", "# noqa -able"),
    ],
)
def test_a_noqa_run_into_the_next_word_silences_nothing(written: str, suggested: str, near_miss: str) -> None:
    # ruff 0.17.6 calls the comments `noqaF401`, `noqa-F401` and `noqa-able` invalid ("expected
    # ':'") and reports the F401 beside them. Stride 4 on 224: (224 − 11)/4 + 1 = 54.25, NS101.
    found = lint(strided(written))
    assert [d.code for d in found] == ["NS101", "NS900"]
    assert f"where a colon belongs ({suggested}); as written it silences nothing" in found[1].message
    # The near miss: with the colon, or a space before a word that is no code, it silences.
    assert lint(strided(near_miss)) == []


def test_a_directive_after_a_word_run_into_noqa_is_read() -> None:
    # A comment that begins with such a word and goes on to a directive: the directive is
    # what it means, as before the word was reported. Stride 4 on 224 is NS101.
    for comment in ("# noqalike # noqa: NS101", "# see #noqa_docs  # noqa: NS101"):
        assert lint(strided(comment)) == [], comment


def test_a_file_wide_noqa_run_into_a_code_says_where_the_colon_goes() -> None:
    diagnostics = lint("# netspec: noqaNS102\n" + layers(SHRINK))
    assert [(d.code, d.span.start.row) for d in diagnostics] == [("NS900", 1), ("NS102", 4)]
    assert "(`# netspec: noqa: NS102`)" in diagnostics[0].message
    assert lint("# netspec: noqa: NS102\n" + layers(SHRINK)) == []


@pytest.mark.parametrize("reason", [" (NS102 is fine)", " as NS102 is", " - see NS102"])
def test_words_after_a_noqa_s_codes_explain_it_even_when_they_name_a_code(reason: str) -> None:
    # ruff honours a reason after the codes that names another code (`noqa: F401 (E501 …)`):
    # the codes before the words are silenced. Stride 4 on 224: (224 − 11)/4 + 1 = 54.25, NS101.
    assert lint(strided(f"# noqa: NS101{reason}")) == []


@pytest.mark.parametrize("separator", [";", "; ", " | ", "/", "+", " & "])
def test_a_noqa_that_separates_its_codes_with_another_mark_silences_nothing(separator: str) -> None:
    # Commas or spaces separate codes; `NS101;NS102` would otherwise silence NS101 alone and
    # leave the NS102 the comment names reported, with no word why.
    found = lint(strided(f"# noqa: NS101{separator}NS102"))
    assert [d.code for d in found] == ["NS101", "NS900"]
    assert found[1].message.endswith(
        f"separates its codes with `{separator.strip()}`, where commas or spaces belong (`# noqa: NS101, NS102`); "
        "as written it silences nothing"
    )


@pytest.mark.parametrize("reason", [" (as published)", " (YOLOv3 layout)", " - VGG16 stem", ".", ","])
def test_words_after_a_bare_noqa_explain_it(reason: str) -> None:
    # The near misses: a bare noqa with its reason (or a full stop) after it still silences
    # the line; a model's name that ends in digits is not a rule code.
    assert lint(strided(f"# noqa{reason}")) == []


def test_a_long_run_of_spaces_in_a_comment_is_read_once() -> None:
    # "netspec", 100,000 spaces, then no noqa: the spaces before and after an optional colon
    # used to be split every way before giving up, for minutes. Still read: the colon, and
    # spaces around it.
    text = "input: [3, 8, 8]\nlayers:\n  - {type: relu}  # netspec" + " " * 100_000 + "x noqa\n"
    assert directives(text, load(text)) == []
    for comment in ("# netspec  :  noqa", "# netspec noqa", "# netspec:noqa"):
        text = f"{comment}\ninput: [3, 8, 8]\nlayers:\n  - {{type: relu}}\n"
        (directive,) = directives(text, load(text))
        assert directive.file_wide
