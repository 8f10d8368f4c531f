"""Suggested fixes are right: applying them, the formula worked independently gives what the help says."""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

import pytest

from netspec.diagnostics import Diagnostic
from netspec.rules import RULES
from tests.helpers import ROOT, codes, lint, spec


def floor_out(w: int, f: int, s: int, before: int, after: int, d: int = 1) -> float:
    """(W + P_before + P_after − D·(F − 1) − 1)/S + 1, unfloored, computed independently of netspec."""
    return (w + before + after - d * (f - 1) - 1) / s + 1


def pads(value: object, rank: int = 2) -> list[tuple[int, int]]:
    if isinstance(value, int):
        return [(value, value)] * rank
    assert isinstance(value, list)
    return [(v, v) if isinstance(v, int) else (v[0], v[1]) for v in value]


def the_one(diagnostics: list[Diagnostic], code: str) -> Diagnostic:
    (found,) = [d for d in diagnostics if d.code == code]
    return found


def only(diagnostics: list[Diagnostic], code: str) -> Diagnostic:
    """The one diagnostic of ``code``, which has a fix."""
    found = the_one(diagnostics, code)
    assert found.fix is not None
    return found


def fix_value(d: Diagnostic) -> Any:
    """The value the fix's one edit sets."""
    assert d.fix is not None
    (edit,) = d.fix.edits
    return edit.value


def test_ns101_alexnet_per_side_padding_gives_exactly_55() -> None:
    d = only(lint(spec("[3, 224, 224]", "{type: conv, filters: 96, kernel: 11, stride: 4}")), "NS101")
    assert d.message == (
        "conv1: (224 − 11 + 2·0)/4 + 1 = 54.25 is not an integer; PyTorch floors it to 54 "
        "and the last input column and row are never read"
    )
    value = fix_value(d)
    assert [edit.key for edit in d.fix.edits] == ["padding"]  # type: ignore[union-attr]
    assert value == [[1, 2], [1, 2]]
    for before, after in pads(value):
        assert floor_out(224, 11, 4, before, after) == 55
    assert d.help is not None
    assert "no symmetric padding" in d.help
    # The nearest input sizes that divide exactly: (223 − 11)/4 = 53 and (227 − 11)/4 = 54.
    assert "223" in d.help and "227" in d.help


def test_ns101_symmetric_padding_when_parity_allows() -> None:
    # W = 15, F = 5, S = 3: (15 − 5 + 2P) divisible by 3 first at P = 1.
    d = only(lint(spec("[3, 15]", "{type: conv, filters: 4, kernel: 5, stride: 3}")), "NS101")
    value = fix_value(d)
    assert value == 1
    out = floor_out(15, 5, 3, value, value)
    assert out == int(out) == 5
    assert d.help is not None and "(5 outputs)" in d.help


def test_ns101_help_names_the_dimension_that_has_no_symmetric_padding() -> None:
    # Rows: 11 − 5 + 2·1 = 8 divides by 4. Columns: 12 − 5 + 2P is odd for every P, and 4 is
    # even, so only the columns lack a symmetric fix; 9 − 5 = 4 and 13 − 5 = 8 divide by 4.
    assert (11 - 5 + 2 * 1) % 4 == 0
    assert all((12 - 5 + 2 * p) % 4 for p in range(100))
    d = only(lint(spec("[1, 11, 12]", "{type: conv, filters: 1, kernel: 5, stride: 4}")), "NS101")
    assert d.help is not None
    assert d.help.startswith("no symmetric padding makes 12 − 5 + 2P divisible by 4;")
    assert "11 − 5" not in d.help
    # With 9 or 13 columns, the rows still need their symmetric padding, 1.
    assert d.help.endswith("or give this layer 9 or 13 columns instead of 12, with padding [1, 0]")
    value = fix_value(d)
    assert [floor_out(w, 5, 4, before, after) for w, (before, after) in zip([11, 12], pads(value), strict=True)] == [
        3,
        3,
    ]


def test_ns101_help_names_the_rows_or_the_columns_whichever_lack_symmetric_padding() -> None:
    # Max-pool F = [3, 2] on 4×5: rows (4 − 3 + 2·1)/3 divides; columns 5 − 2 + 2P is odd.
    d = only(lint(spec("[1, 4, 5]", "{type: maxpool, kernel: [3, 2]}")), "NS101")
    assert d.help is not None
    assert d.help.startswith("no symmetric padding makes 5 − 2 + 2P divisible by 2;")
    assert "or give this layer 4 or 6 columns instead of 5, with padding [1, 0];" in d.help
    # Transposed: the rows lack it.
    d = only(lint(spec("[1, 5, 4]", "{type: maxpool, kernel: [2, 3]}")), "NS101")
    assert d.help is not None and "or give this layer 4 or 6 rows instead of 5, with padding [0, 1];" in d.help


def test_ns101_floors_each_dimension_in_the_order_it_lists_them() -> None:
    # Rows (5 − 2)/2 + 1 = 2.5 floor 2, columns (4 − 3)/3 + 1 = 1.33 floor 1.
    d = only(lint(spec("[1, 5, 4]", "{type: maxpool, kernel: [2, 3]}")), "NS101")
    assert d.message.startswith("maxpool1: rows: (5 − 2 + 2·0)/2 + 1 = 2.5; columns: (4 − 3 + 2·0)/3 + 1 = 1.3333")
    assert "are not integers; PyTorch floors them to 2 and 1 and" in d.message


def test_ns101_message_reads_well_when_the_dimensions_differ() -> None:
    # Rows: (10 − 3)/3 + 1 = 3.33, floored to 3, whose last window ends at 2·3 + 3 = 9: 1 row
    # unread. Columns: (11 − 3)/3 + 1 = 3.67, floored to 3 too: 11 − 9 = 2 columns unread.
    (d,) = lint(spec("[3, 10, 11]", "{type: conv, name: a, filters: 4, kernel: 3, stride: 3}"))
    assert d.message == (
        "a: rows: (10 − 3 + 2·0)/3 + 1 = 3.3333; columns: (11 − 3 + 2·0)/3 + 1 = 3.6667 are not integers; "
        "PyTorch floors them to 3 and the last 2 input columns and the last input row are never read"
    )


def test_ns101_help_gives_the_padding_limit_when_parity_is_not_the_reason() -> None:
    # Max-pool F = 3, S = 3 on 8: 8 − 3 + 2P is 5 or 7 for P ≤ F//2 = 1, and only P = 2 (9),
    # which a max-pool refuses, would divide; per side, 8 − 3 + 0 + 1 = 6 does.
    assert [(8 - 3 + 2 * p) % 3 == 0 for p in range(3)] == [False, False, True]
    d = only(lint(spec("[1, 8]", "{type: maxpool, kernel: 3}")), "NS101")
    assert d.help == (
        "no symmetric padding of at most 1 makes 8 − 3 + 2P divisible by 3; per-side padding [[0, 1]] gives "
        "exactly 3, or give this layer an input of 6 or 9 instead of 8; or `ceil_mode: true` gives 3, with a last, "
        "partial window"
    )
    assert floor_out(8, 3, 3, 0, 1) == 3 and (6 - 3) % 3 == 0 and (9 - 3) % 3 == 0


_NO_SYMMETRIC = re.compile(r"no symmetric padding(?: of at most (\d+))? makes (\d+) − (\d+) \+ 2P divisible by (\d+)")
_INPUTS = re.compile(r"(?:(\d+) or )?(\d+) (?:(row|column)s )?instead of (\d+)")
_WITH_PADDING = re.compile(r", with padding ([^;]+)(?:;|$)")
_CEIL_MODE = re.compile(r"; or `ceil_mode: true` gives ([\d×]+), with a last, partial window$")


def check_ns101_help(layer: str, sizes: list[int], f: int, s: int, padding: int) -> None:
    """Every claim of the NS101 help of ``layer`` (kernel F, stride S, symmetric ``padding``)
    on an input of ``sizes``, worked out by brute force, independently of netspec."""
    layer_text = f"{{type: {layer}, kernel: {f}, stride: {s}, padding: {padding}}}"
    shape = f"[1, {', '.join(map(str, sizes))}]"
    for d in lint(spec(shape, layer_text)):
        if d.code != "NS101":
            continue
        assert d.help is not None
        limit = f - 1 if layer.startswith("conv") else f // 2
        for bound, size, kernel, stride in _NO_SYMMETRIC.findall(d.help):
            assert int(size) in sizes and (int(kernel), int(stride)) == (f, s), d.help
            tried = int(bound) if bound else 4 * s
            assert all((int(size) - f + 2 * p) % s for p in range(tried + 1)), d.help
            if bound:  # the layer's limit, not parity, is the reason
                assert int(bound) == limit
        alternatives = _INPUTS.findall(d.help)
        for below, above, unit, size in alternatives:
            dimension = {"row": [0], "column": [1], "": list(range(len(sizes)))}[unit]
            assert all(sizes[i] == int(size) for i in dimension), d.help
            for option in [int(above)] + ([int(below)] if below else []):
                assert option >= 1 and (option + 2 * padding - f) % s == 0, d.help
            assert int(above) > int(size) and (not below or int(below) < int(size))
            # None nearer: no size strictly between them divides.
            assert all((n + 2 * padding - f) % s for n in range(int(below or size) + 1, int(above)) if n != int(size))
        if alternatives:
            # The new sizes, with the padding the help names, leave nothing to report.
            stated = _WITH_PADDING.search(d.help)
            new_padding = stated.group(1) if stated else str(padding)
            for pick in (1, 0):
                new_sizes = list(sizes)
                for option in alternatives:
                    dimension = {"row": [0], "column": [1], "": list(range(len(sizes)))}[option[2]]
                    for i in dimension:
                        new_sizes[i] = int(option[pick] or option[1])
                fixed = layer_text.replace(f"padding: {padding}}}", f"padding: {new_padding}}}")
                assert "NS101" not in [x.code for x in lint(spec(f"[1, {', '.join(map(str, new_sizes))}]", fixed))]
        ceil_mode = _CEIL_MODE.search(d.help)
        assert (ceil_mode is not None) == layer.startswith("maxpool"), d.help
        if ceil_mode:
            assert ceil_mode.group(1) == "×".join(str(ceil_out(n, f, s, padding, padding)) for n in sizes)
            ceiled = layer_text.replace("}", ", ceil_mode: true}")
            assert lint(spec(shape, ceiled)) == [], ceiled
        if d.fix is not None:
            value = fix_value(d)
            outputs = [
                floor_out(n, f, s, before, after)
                for n, (before, after) in zip(sizes, pads(value, len(sizes)), strict=True)
            ]
            assert all(o == int(o) for o in outputs), d.help
            assert "×".join(str(int(o)) for o in outputs) in d.help


def test_ns101_help_leaves_out_a_ceil_mode_that_pytorch_would_refuse() -> None:
    # Rows (7 − 2)/2 + 1 = 3.5. In ceil mode the columns, 2 wide with padding [0, 1], would get
    # ceil((2 + 1 − 2)/2) + 1 = 2 windows, the second starting at 2 ≥ W + P_before = 2: ATen
    # drops it (1), but symmetric padding of the excess keeps it (2), NS107's case.
    assert (ceil_out(2, 2, 2, 0, 1), math.ceil((2 + 1 - 2) / 2) + 1) == (1, 2)
    layer = "{type: maxpool, kernel: 2, stride: 2, padding: [[0, 0], [0, 1]]}"
    d = only(lint(spec("[1, 7, 2]", layer)), "NS101")
    assert d.help is not None and "ceil_mode" not in d.help
    assert [x.code for x in lint(spec("[1, 7, 2]", layer.replace("}", ", ceil_mode: true}")))] == ["NS107"]
    # The near miss: without the column padding, ceil mode is offered.
    d = only(lint(spec("[1, 7, 2]", "{type: maxpool, kernel: 2, stride: 2}")), "NS101")
    assert d.help is not None and d.help.endswith("; or `ceil_mode: true` gives 4×1, with a last, partial window")


@pytest.mark.parametrize("layer", ["conv, filters: 1", "maxpool"])
def test_ns101_help_claims_hold_for_every_small_case(layer: str) -> None:
    for h, w, f in itertools.product(range(3, 13), range(3, 13), range(2, 6)):
        for s in range(2, f + 1):
            check_ns101_help(layer, [h, w], f, s, 0)


@pytest.mark.parametrize("layer", ["conv, filters: 1", "maxpool"])
def test_ns101_help_claims_hold_with_padding_in_one_dimension(layer: str) -> None:
    # Padding up to the layer's limit: input sizes below it may leave no input at all.
    for size, f in itertools.product(range(1, 13), range(2, 8)):
        for s, padding in itertools.product(
            range(2, f + 1), range((f - 1 if layer.startswith("conv") else f // 2) + 1)
        ):
            check_ns101_help(layer, [size], f, s, padding)


@pytest.mark.parametrize(("w", "f", "d"), [(32, 3, 1), (32, 5, 1), (32, 4, 1), (17, 3, 2)])
def test_ns102_padding_keeps_the_size(w: int, f: int, d: int) -> None:
    diagnostic = only(lint(spec(f"[3, {w}, {w}]", f"{{type: conv, filters: 4, kernel: {f}, dilation: {d}}}")), "NS102")
    value = fix_value(diagnostic)
    for before, after in pads(value):
        assert floor_out(w, f, 1, before, after, d) == w
    # P = D·(F − 1)/2 when that is an integer, else per-side with the extra pixel after.
    total = d * (f - 1)
    if total % 2 == 0:
        assert value == total // 2
        assert diagnostic.help is not None and diagnostic.help.endswith("(P = D·(F − 1)/2)")
    else:
        assert value == [[total // 2, total - total // 2]] * 2
        assert diagnostic.help is not None and "the odd pixel after" in diagnostic.help


@pytest.mark.parametrize(
    ("layer", "expected", "outputs"),
    [
        # Stride 1: P = (F − 1)/2 = 3 keeps the size, 4 + 6 − 7 + 1 = 4, so NS102 stays quiet too.
        ("{type: conv, filters: 8, kernel: 7}", 3, 4),
        # Stride 2: ceil(4/2) = 2 outputs need a total of (2 − 1)·2 + 7 − 4 = 5, the odd one after.
        ("{type: conv, filters: 8, kernel: 7, stride: 2}", [[2, 3], [2, 3]], 2),
    ],
)
def test_ns103_padding_gives_the_output_of_a_same_layer(layer: str, expected: object, outputs: int) -> None:
    d = only(lint(spec("[3, 4, 4]", layer)), "NS103")
    value = fix_value(d)
    assert value == expected
    stride = 2 if "stride" in layer else 1
    for before, after in pads(value):
        assert floor_out(4, 7, stride, before, after) // 1 == outputs
    assert d.applicability == "safe"
    # What a 'same' layer gives: ceil(4/1) = 4, ceil(4/2) = 2.
    assert outputs == math.ceil(4 / stride)
    assert (
        d.help
        == f"padding {expected} gives {outputs}×{outputs} (ceil(W/S) where the kernel did not fit, as a 'same' layer)"
    )


def test_ns103_gives_a_dimension_that_only_shrinks_its_size_back_too() -> None:
    # On 2×10, a 3×3 conv collapses the rows (2 − 3 + 1 = 0) and shrinks the columns to 8.
    # P = 1 gives 2 + 2 − 3 + 1 = 2 rows and 10 + 2 − 3 + 1 = 10 columns: no NS102 after it.
    d = only(lint(spec("[3, 2, 10]", "{type: conv, filters: 3, kernel: 3}")), "NS103")
    assert fix_value(d) == 1
    assert (floor_out(2, 3, 1, 1, 1), floor_out(10, 3, 1, 1, 1)) == (2, 10)
    assert d.applicability == "safe"


def test_ns103_falls_back_to_the_least_padding_the_layer_accepts() -> None:
    # Max-pool F = 3, D = 2 (effective 5) on 4: 4 − 5 + 1 = 0. Keeping 4 needs P = 2, but a
    # max-pool accepts at most F//2 = 1; P = 1 gives 4 + 2 − 5 + 1 = 2 outputs.
    d = only(lint(spec("[3, 4, 4]", "{type: maxpool, kernel: 3, dilation: 2, stride: 1}")), "NS103")
    assert fix_value(d) == 1
    assert floor_out(4, 3, 1, 1, 1, d=2) == 2
    assert floor_out(4, 3, 1, 0, 0, d=2) < 1
    assert d.help == "padding 1 gives 2×2 (a 'same' layer's ceil(W/S) needs more padding than a maxpool accepts)"


def test_ns107_pool_padding_is_clamped_to_half_the_kernel() -> None:
    d = only(lint(spec("[3, 8, 8]", "{type: maxpool, kernel: 3, padding: 2}")), "NS107")
    assert fix_value(d) == 3 // 2
    # Stride F = 3: (8 + 2 − 3)/3 + 1 = 3.33, floored to 3.
    assert floor_out(8, 3, 3, 1, 1) // 1 == 3
    assert d.help == "padding 1 gives 3×3 (P ≤ F//2 on each side)"


def test_ns103_help_speaks_of_the_collapsed_dimension_only() -> None:
    # Rows (9 − 3)/2 + 1 = 4 are not collapsed and keep their padding; the columns, 4 − 7 < 0,
    # get ceil(4/2) = 2 with a total of (2 − 1)·2 + 7 − 4 = 5, well within a conv's limit.
    d = only(lint(spec("[1, 9, 4]", "{type: conv, filters: 1, kernel: [3, 7], stride: 2}")), "NS103")
    assert fix_value(d) == [[0, 0], [2, 3]]
    assert (floor_out(9, 3, 2, 0, 0) // 1, floor_out(4, 7, 2, 2, 3) // 1) == (4, math.ceil(4 / 2))
    assert d.help == "padding [[0, 0], [2, 3]] gives 4×2 (ceil(W/S) where the kernel did not fit, as a 'same' layer)"


def test_ns103_help_claims_no_output_where_the_padded_pool_would_not_run() -> None:
    # The third dimension collapses (1 − 5 + 1 < 1) and gets (2, 2); the first keeps (0, 1),
    # more after than before in ceil_mode, which NS107 refuses once the layer has an output.
    layer = "{type: maxpool, kernel: [2, 4, 5], stride: [4, 3, 2], padding: [[0, 1], [2, 1], [1, 0]], ceil_mode: true}"
    d = only(lint(spec("[1, 4, 4, 1]", layer)), "NS103")
    value = fix_value(d)
    # The third: ceil(1/2) = 1 output needs a total of (1 − 1)·2 + 5 − 1 = 4, within 5//2 = 2 a side.
    assert value == [[0, 1], [2, 1], [2, 2]]
    assert d.help == "padding [[0, 1], [2, 1], [2, 2]] (ceil(W/S) where the kernel did not fit, as a 'same' layer)"
    assert "NS107" in [found.code for found in lint(spec("[1, 4, 4, 1]", layer.replace("[1, 0]]", "[2, 2]]")))]


def test_ns101_offers_no_input_size_below_one() -> None:
    # W = 3, F = 6, S = 6, P = 4: 3 + 8 − 6 = 5, remainder 5; 3 − 5 = −2 is no input. 4 + 8 − 6 = 6 is.
    d = only(lint(spec("[1, 3]", "{type: conv, filters: 1, kernel: 6, stride: 6, padding: 4}")), "NS101")
    assert d.help is not None and d.help.endswith("or give this layer an input of 4 instead of 3")
    assert (4 + 8 - 6) % 6 == 0


def test_ns107_conv_help_makes_no_claim_about_dilated_taps() -> None:
    # W = 2, F = 2, D = 3 (effective 4), P = 4 → 3: (2 + 6 − 4) + 1 = 5 outputs. With taps 3
    # apart, the middle one reads only padding, so the help states the limit, not coverage.
    d = only(lint(spec("[1, 2]", "{type: conv, filters: 1, kernel: 2, dilation: 3, padding: 4}")), "NS107")
    assert floor_out(2, 2, 1, 3, 3, d=3) == 5
    assert d.help == "padding 3 gives 5 (P below the effective kernel, D·(F − 1) + 1)"


def test_ns107_conv_help_names_only_a_same_padding_that_differs_and_splits_evenly() -> None:
    # A 4×4 kernel: 'same' pads a total of 4 − 1 = 3, which cannot be split evenly: the fix
    # pads it per side, 1 before and 2 after, 8 + 3 − 4 + 1 = 8, where the clamp to 3 would
    # give 8 + 6 − 4 + 1 = 11; the help names no other 'same'.
    d = only(lint(spec("[3, 8, 8]", "{type: conv, filters: 8, kernel: 4, padding: 5}")), "NS107")
    assert fix_value(d) == [[1, 2], [1, 2]]
    assert d.help == (
        "padding [[1, 2], [1, 2]] gives 8×8 (P below the effective kernel, D·(F − 1) + 1; 'same' where the stride "
        "is 1, which keeps the size)"
    )
    assert (floor_out(8, 4, 1, 1, 2), floor_out(8, 4, 1, 3, 3)) == (8, 11)
    # Stride 2 on 7: 'same' would want ceil(7/2) = 4 outputs, a total of (4 − 1)·2 + 3 − 7 = 2,
    # which splits evenly, but PyTorch has no 'same' for a strided conv (NS112): the help
    # offers none. Clamped to 2: (7 + 4 − 3)/2 + 1 = 5.
    d = only(lint(spec("[3, 7, 7]", "{type: conv, filters: 4, kernel: 3, stride: 2, padding: 4}")), "NS107")
    assert d.help == "padding 2 gives 5×5 (P below the effective kernel, D·(F − 1) + 1)"
    assert floor_out(7, 3, 2, 2, 2) // 1 == 5
    # A 1×1 conv: the clamped padding, 0, is 'same' already.
    d = only(lint(spec("[3, 8, 8]", "{type: conv, filters: 8, kernel: 1, padding: 1}")), "NS107")
    assert d.help == "padding 0 gives 8×8 (P below the effective kernel, D·(F − 1) + 1)"


def test_ns107_ceil_mode_pool_padding_is_clamped_to_what_ceil_mode_accepts() -> None:
    # Columns [0, 2] cut to F//2 = 1 alone, [0, 1], are refused again in ceil_mode (more
    # after than before): evened too, [0, 0]. Rows: ceil((22 + 1 − 2)/4) + 1 = 7, whose last
    # window starts at 24 ≥ 22 + 1: 6. Columns: ceil((12 − 2)/4) + 1 = 4, last start 12 ≥ 12: 3.
    layer = "{type: maxpool, kernel: 2, stride: 4, padding: [[1, 0], [0, 2]], ceil_mode: true}"
    d = only(lint(spec("[1, 22, 12]", layer)), "NS107")
    assert fix_value(d) == [[1, 0], [0, 0]]
    assert (ceil_out(22, 2, 4, 1, 0), ceil_out(12, 2, 4, 0, 0)) == (6, 3)
    assert d.help == "padding [[1, 0], [0, 0]] gives 6×3 (P ≤ F//2 on each side, evened where ceil_mode needs it)"
    # The fixed pool is not refused again (its stride 4 over a kernel of 2 skips input: NS109).
    assert codes(spec("[1, 22, 12]", layer.replace("[[1, 0], [0, 2]]", "[[1, 0], [0, 0]]"))) == ["NS109"]
    # Cut to [0, 1] alone, the columns give 3 by ATen's rule (ceil((12 + 1 − 2)/4) + 1 = 4,
    # less the last window, 12 ≥ 12 + 0), but 4 as PyTorch pools the explicitly padded 13
    # (its last window starts at 12 < 13): refused again.
    cut = spec("[1, 22, 12]", layer.replace("[[1, 0], [0, 2]]", "[[1, 0], [0, 1]]"))
    assert "NS107" in [found.code for found in lint(cut)]
    # The near miss: without ceil_mode, [0, 1] is PyTorch's own: (22 + 1 − 2)/4 + 1 = 6.25
    # and (12 + 1 − 2)/4 + 1 = 3.75, floored.
    d = only(lint(spec("[1, 22, 12]", layer.replace(", ceil_mode: true", ""))), "NS107")
    assert fix_value(d) == [[1, 0], [0, 1]]
    assert (floor_out(22, 2, 4, 1, 0) // 1, floor_out(12, 2, 4, 0, 1) // 1) == (6, 3)
    assert d.help == "padding [[1, 0], [0, 1]] gives 6×3 (P ≤ F//2 on each side)"


def ceil_out(w: int, f: int, s: int, before: int, after: int) -> int:
    """ATen's ceil-mode pooling size: ceil((W + P_before + P_after − F)/S) + 1, less one when
    the last window would start past the input and the padding before it."""
    n = math.ceil((w + before + after - f) / s) + 1
    return n - 1 if (n - 1) * s >= w + before else n


def test_ns101_ceil_mode_behind_a_pad_is_worked_out_over_the_pools_own_windows() -> None:
    # ZeroPad2d(2) makes 27×21 into 31×25, over which ATen places the pool's last window by
    # the pool's own padding, 0: rows ceil((31 − 4)/4) + 1 = 8, columns ceil((25 − 4)/4) + 1
    # = 7, whose last window starts at 24 < 25, so it stays. The padding counted as the
    # pool's own would drop it (24 ≥ 21 + 2), and give 6 columns.
    assert (ceil_out(31, 4, 4, 0, 0), ceil_out(25, 4, 4, 0, 0), ceil_out(21, 4, 4, 2, 2)) == (8, 7, 6)
    layers = ["{type: pad, name: p, padding: 2}", "{type: avgpool, name: pool, kernel: 4}"]
    d = the_one(lint(spec("[1, 27, 21]", *layers)), "NS101")
    assert d.help is not None and d.help.endswith("; or `ceil_mode: true` gives 8×7, with a last, partial window")
    ceiled = [layers[0], layers[1].replace("}", ", ceil_mode: true}")]
    assert lint(spec("[1, 27, 21]", *ceiled)) == []


def test_ns101_names_sizes_of_the_layers_own_input_not_the_specs() -> None:
    # After a 2×2 pool, the conv reads 32×32 of the spec's 64×64: (31 − 3)/2 and (33 − 3)/2
    # divide, but the spec's input would need 62 or 66 for the conv to get them.
    assert ((31 - 3) % 2, (33 - 3) % 2) == (0, 0)
    text = spec("[3, 64, 64]", "{type: maxpool, kernel: 2}", "{type: conv, filters: 8, kernel: 3, stride: 2}")
    d = only(lint(text), "NS101")
    assert d.help is not None and d.help.endswith("or give this layer an input of 31 or 33 instead of 32")


def test_ns101_behind_a_pad_names_the_sizes_the_pad_should_read() -> None:
    # p pads 2 before: 31 + 2 = 33 and 35 + 2 = 37 give (33 − 5)/4 and (37 − 5)/4 exactly; the
    # conv's own input would need 33 or 37, which nothing but p's input can give it.
    assert ((31 + 2 - 5) % 4, (35 + 2 - 5) % 4) == (0, 0)
    layers = [
        "{type: pad, name: p, padding: [[2, 0], [2, 0]]}",
        "{type: conv, name: c, filters: 2, kernel: 5, stride: 4}",
    ]
    d = the_one(lint(spec("[1, 32, 32]", *layers)), "NS101")
    assert d.help is not None and d.help.endswith("or give p an input of 31 or 35 instead of 32")


def test_ns101_names_only_sizes_a_reflect_padding_can_pad() -> None:
    # Columns: 4 + 3 + 1 − 5 = 3, not divisible by 4. 1 + 4 − 5 = 0 and 5 + 4 − 5 = 4 divide,
    # but reflect padding 3 needs at least 3 + 1 = 4 columns (PyTorch: "Padding size should be
    # less than the corresponding input dimension"): only 5 is offered.
    assert ((1 + 4 - 5) % 4, (5 + 4 - 5) % 4) == (0, 0)
    layers = [
        "{type: pad, name: p, padding: [[3, 3], [3, 1]], mode: reflect}",
        "{type: avgpool, name: c, kernel: 5, stride: 4}",
    ]
    d = the_one(lint(spec("[2, 4, 4]", *layers)), "NS101")
    assert d.help is not None and "or give p 5 columns instead of 4;" in d.help
    # The near miss: zeros can pad a single column, which is offered.
    (d,) = [
        d for d in lint(spec("[2, 4, 4]", layers[0].replace("reflect", "constant"), layers[1])) if d.code == "NS101"
    ]
    assert d.help is not None and "or give p 1 or 5 columns instead of 4;" in d.help


def test_ns101_per_side_fix_says_which_dimensions_it_makes_exact() -> None:
    # Rows (32 − 3 + 0 + 1)/2 + 1 = 16 exactly with [0, 1]; the columns' padding 1, left as
    # it is, gives (32 − 3 + 2)/2 + 1 = 16.5, floored to 16: not exact (NS113's case).
    assert (floor_out(32, 3, 2, 0, 1), floor_out(32, 3, 2, 1, 1)) == (16, 16.5)
    d = only(lint(spec("[1, 32, 32]", "{type: conv, filters: 2, kernel: 3, stride: 2, padding: [0, 1]}")), "NS101")
    assert d.help is not None and "per-side padding [[0, 1], [1, 1]] gives 16×16, the rows exactly, or give" in d.help
    # The near miss: without the column padding, both dimensions divide, and it says so.
    d = only(lint(spec("[1, 32, 32]", "{type: conv, filters: 2, kernel: 3, stride: 2}")), "NS101")
    assert d.help is not None and "per-side padding [[0, 1], [0, 1]] gives exactly 16×16, or give" in d.help


def test_ns107_ceil_mode_fix_evens_the_padding_and_says_what_it_gives() -> None:
    layer = "{type: maxpool, kernel: 2, stride: 4, padding: [[1, 0], [0, 1]], ceil_mode: true}"
    d = only(lint(spec("[1, 22, 12]", layer)), "NS107")
    assert fix_value(d) == [[1, 0], [0, 0]]
    # Rows: ceil(21/4) + 1 = 7, whose last window starts at 24 ≥ 22 + 1: 6. Columns:
    # ceil(10/4) + 1 = 4, last start 12 ≥ 12 + 0: 3.
    assert (ceil_out(22, 2, 4, 1, 0), ceil_out(12, 2, 4, 0, 0)) == (6, 3)
    assert d.help == "padding [[1, 0], [0, 0]] gives 6×3 (evened where ceil_mode needs it)"


def test_ns107_conv_padding_is_clamped_to_the_effective_kernel_less_one() -> None:
    # Stride 2: the last of (8 + 8 − 3)//2 + 1 = 7 windows starts at 6·2 − 4 = 8, past the input.
    # Clamped to 2, (8 + 4 − 3)/2 + 1 = 5.5, floored to 5.
    d = only(lint(spec("[1, 8, 8]", "{type: conv, filters: 8, kernel: 3, stride: 2, padding: 4}")), "NS107")
    assert fix_value(d) == 2 and floor_out(8, 3, 2, 2, 2) // 1 == 5
    assert d.help == "padding 2 gives 5×5 (P below the effective kernel, D·(F − 1) + 1)"
    # Stride 1: clamped, the map would still grow; 'same' pads (3 − 1)/2 = 1 a side and keeps it.
    d = only(lint(spec("[1, 8, 8]", "{type: conv, filters: 8, kernel: 3, padding: 4}")), "NS107")
    assert fix_value(d) == 1
    assert (floor_out(8, 3, 1, 2, 2), floor_out(8, 3, 1, 1, 1)) == (10, 8)
    assert d.help == (
        "padding 1 gives 8×8 (P below the effective kernel, D·(F − 1) + 1; 'same' where the stride is 1, "
        "which keeps the size)"
    )


def test_ns112_explicit_padding_gives_tensorflow_same() -> None:
    # TensorFlow SAME on W = 224, k3, s2: out = ceil(224/2) = 112, pads (0, 1).
    d = only(lint(spec("[3, 224, 224]", "{type: conv, filters: 4, kernel: 3, stride: 2, padding: same}")), "NS112")
    value = fix_value(d)
    assert value == [[0, 1], [0, 1]]
    for before, after in pads(value):
        assert floor_out(224, 3, 2, before, after) == 112 == math.ceil(224 / 2)
    assert d.help == (
        "padding [[0, 1], [0, 1]] gives 112×112 (ceil(W/S), TensorFlow's SAME; PyTorch's 'same' needs stride 1)"
    )


def test_messages_show_the_textbook_arithmetic() -> None:
    (d,) = lint(spec("[3, 32, 32]", "{type: conv, filters: 8, kernel: 5}"))
    # W − F + 2P + 1 with W = 32, F = 5, P = 0, worked by hand: 28.
    assert "32 − 5 + 2·0 + 1 = 28" in d.message


def test_ns102_has_no_fix_when_the_padding_it_needs_is_refused() -> None:
    # Dilated max-pool, F = 3, D = 3, on 16: 16 − (3·2 + 1) + 1 = 10. Keeping 16 needs
    # P = D·(F − 1)/2 = 3, but a max-pool accepts at most F//2 = 1.
    (d,) = lint(spec("[3, 16, 16]", "{type: maxpool, kernel: 3, dilation: 3, stride: 1}"))
    assert d.code == "NS102"
    assert d.fix is None
    assert d.help is not None and d.help.startswith("no automatic fix")
    # So the rule must not promise a fix every time.
    assert RULES["NS102"].fix == "sometimes"


@pytest.mark.parametrize("code", ["NS101", "NS102", "NS103", "NS107", "NS112"])
def test_each_fixing_rule_gives_a_help_line_and_a_replacement(code: str) -> None:
    # The core issue's contract: these five come with a help line *and* a machine-readable edit.
    (path,) = (ROOT / "examples" / "broken").glob(f"{code.lower()}_*.yaml")
    d = only(lint(path.read_text(encoding="utf-8")), code)
    assert d.help and d.fix is not None and d.fix.edits
