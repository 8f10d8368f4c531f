"""Suggested fixes are right: applying them, the formula worked independently gives what the help says."""

from __future__ import annotations

import pytest

from netspec.diagnostics import Diagnostic
from netspec.rules import RULES
from tests.helpers import lint, spec


def floor_out(w: int, f: int, s: int, before: int, after: int, d: int = 1) -> float:
    """(W + P_before + P_after − D·(F − 1) − 1)/S + 1, unfloored, computed independently of netspec."""
    return (w + before + after - d * (f - 1) - 1) / s + 1


def pads(value: object, rank: int = 2) -> list[tuple[int, int]]:
    if isinstance(value, int):
        return [(value, value)] * rank
    assert isinstance(value, list)
    return [(v, v) if isinstance(v, int) else (v[0], v[1]) for v in value]


def only(diagnostics: list[Diagnostic], code: str) -> Diagnostic:
    (found,) = [d for d in diagnostics if d.code == code]
    assert found.fix is not None
    return found


def test_ns101_alexnet_per_side_padding_gives_exactly_55() -> None:
    d = only(lint(spec("[3, 224, 224]", "{type: conv, filters: 96, kernel: 11, stride: 4}")), "NS101")
    assert d.message == (
        "conv1: (224 − 11 + 2·0)/4 + 1 = 54.25 is not an integer; PyTorch floors it to 54 "
        "and the last input column and row are never read"
    )
    (edit,) = d.fix.edits  # type: ignore[union-attr]
    assert edit.key == "padding"
    assert edit.value == [[1, 2], [1, 2]]
    for before, after in pads(edit.value):
        assert floor_out(224, 11, 4, before, after) == 55
    assert d.help is not None
    assert "no symmetric padding" in d.help
    # The nearest input sizes that divide exactly: (223 − 11)/4 = 53 and (227 − 11)/4 = 54.
    assert "223" in d.help and "227" in d.help


def test_ns101_symmetric_padding_when_parity_allows() -> None:
    # W = 15, F = 5, S = 3: (15 − 5 + 2P) divisible by 3 first at P = 1.
    d = only(lint(spec("[3, 15]", "{type: conv, filters: 4, kernel: 5, stride: 3}")), "NS101")
    (edit,) = d.fix.edits  # type: ignore[union-attr]
    assert edit.value == 1
    out = floor_out(15, 5, 3, edit.value, edit.value)
    assert out == int(out) == 5
    assert d.help is not None and "(5 outputs)" in d.help


@pytest.mark.parametrize(("w", "f", "d"), [(32, 3, 1), (32, 5, 1), (32, 4, 1), (17, 3, 2)])
def test_ns102_padding_keeps_the_size(w: int, f: int, d: int) -> None:
    diagnostic = only(lint(spec(f"[3, {w}, {w}]", f"{{type: conv, filters: 4, kernel: {f}, dilation: {d}}}")), "NS102")
    (edit,) = diagnostic.fix.edits  # type: ignore[union-attr]
    for before, after in pads(edit.value):
        assert floor_out(w, f, 1, before, after, d) == w
    # P = D·(F − 1)/2 when that is an integer, else per-side with the extra pixel after.
    total = d * (f - 1)
    if total % 2 == 0:
        assert edit.value == total // 2
        assert diagnostic.help is not None and diagnostic.help.endswith("(P = D·(F − 1)/2)")
    else:
        assert edit.value == [[total // 2, total - total // 2]] * 2
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
    (edit,) = d.fix.edits  # type: ignore[union-attr]
    assert edit.value == expected
    stride = 2 if "stride" in layer else 1
    for before, after in pads(edit.value):
        assert floor_out(4, 7, stride, before, after) // 1 == outputs
    assert d.applicability == "safe"


def test_ns103_gives_a_dimension_that_only_shrinks_its_size_back_too() -> None:
    # On 2×10, a 3×3 conv collapses the rows (2 − 3 + 1 = 0) and shrinks the columns to 8.
    # P = 1 gives 2 + 2 − 3 + 1 = 2 rows and 10 + 2 − 3 + 1 = 10 columns: no NS102 after it.
    d = only(lint(spec("[3, 2, 10]", "{type: conv, filters: 3, kernel: 3}")), "NS103")
    (edit,) = d.fix.edits  # type: ignore[union-attr]
    assert edit.value == 1
    assert (floor_out(2, 3, 1, 1, 1), floor_out(10, 3, 1, 1, 1)) == (2, 10)
    assert d.applicability == "safe"


def test_ns103_falls_back_to_the_least_padding_the_layer_accepts() -> None:
    # Max-pool F = 3, D = 2 (effective 5) on 4: 4 − 5 + 1 = 0. Keeping 4 needs P = 2, but a
    # max-pool accepts at most F//2 = 1; P = 1 gives 4 + 2 − 5 + 1 = 2 outputs.
    d = only(lint(spec("[3, 4, 4]", "{type: maxpool, kernel: 3, dilation: 2, stride: 1}")), "NS103")
    (edit,) = d.fix.edits  # type: ignore[union-attr]
    assert edit.value == 1
    assert floor_out(4, 3, 1, 1, 1, d=2) == 2
    assert floor_out(4, 3, 1, 0, 0, d=2) < 1


def test_ns107_pool_padding_is_clamped_to_half_the_kernel() -> None:
    d = only(lint(spec("[3, 8, 8]", "{type: maxpool, kernel: 3, padding: 2}")), "NS107")
    (edit,) = d.fix.edits  # type: ignore[union-attr]
    assert edit.value == 3 // 2


def test_ns112_explicit_padding_gives_tensorflow_same() -> None:
    # TensorFlow SAME on W = 224, k3, s2: out = ceil(224/2) = 112, pads (0, 1).
    d = only(lint(spec("[3, 224, 224]", "{type: conv, filters: 4, kernel: 3, stride: 2, padding: same}")), "NS112")
    (edit,) = d.fix.edits  # type: ignore[union-attr]
    assert edit.value == [[0, 1], [0, 1]]
    for before, after in pads(edit.value):
        assert floor_out(224, 3, 2, before, after) == 112


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
