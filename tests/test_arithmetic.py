"""Shape arithmetic against the formulas worked by hand and the frameworks' published values."""

from __future__ import annotations

import itertools

import pytest

from netspec.layers.arithmetic import (
    LISTED_RUNS,
    Holes,
    Window,
    exact_division_pads,
    same_pads,
    split_pool_output,
    transposed_output,
)


def conv(w: int, f: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    return Window(w, f, s, d, p, p).output


def test_textbook_formula() -> None:
    # (W − F + 2P)/S + 1, worked by hand.
    assert conv(224, 3, 1, 1) == 224
    assert conv(227, 11, 4) == 55  # (227 − 11)/4 + 1
    assert conv(224, 11, 4, 2) == 55  # torchvision AlexNet: floor(217/4) + 1
    assert conv(224, 11, 4) == 54  # the paper's 54.25, floored
    assert conv(32, 5) == 28  # LeNet C1


def test_dilation_uses_effective_kernel() -> None:
    # K = D·(F − 1) + 1 = 5 for F = 3, D = 2: 10 − 5 + 1 = 6.
    assert conv(10, 3, d=2) == 6
    assert Window(10, 3, 1, 2, 0, 0).effective_kernel == 5


@pytest.mark.parametrize(
    ("k", "s", "p", "w", "floor", "ceil"),
    [
        (2, 2, 0, 5, 2, 3),
        (2, 2, 1, 3, 2, 2),  # the drop-the-last-window rule fires
        (3, 4, 0, 4, 1, 1),  # the drop-the-last-window rule fires
        (3, 2, 0, 112, 55, 56),
        (2, 2, 0, 7, 3, 4),
    ],
)
def test_pooling_floor_and_ceil_match_pytorch_table(k: int, s: int, p: int, w: int, floor: int, ceil: int) -> None:
    assert Window(w, k, s, 1, p, p).output == floor
    assert Window(w, k, s, 1, p, p, ceil_mode=True).output == ceil


def test_same_pads_put_the_extra_pixel_after() -> None:
    assert same_pads(4) == (1, 2)  # F = 4
    assert same_pads(5) == (2, 2)  # F = 3, D = 2 → K = 5


def test_transposed_output() -> None:
    assert transposed_output(28, 2, 2, 0, 0, 1) == 56
    assert transposed_output(28, 3, 2, 1, 1, 1) == 56


def test_exact_division_pads_alexnet_needs_per_side() -> None:
    # 224 − 11 is odd and 2P is even: no symmetric P divides by 4; a total of 3 does.
    symmetric, sides = exact_division_pads(Window(224, 11, 4, 1, 0, 0), max_pad=10)
    assert symmetric is None
    assert sides == (1, 2)


def test_dropped_counts_only_real_input() -> None:
    # (224 − 11)/4: remainder 1, no right padding → one real column dropped.
    assert Window(224, 11, 4, 1, 0, 0).dropped == 1
    # ResNet stem: (224 + 6 − 7) % 2 = 1, but 3 columns of right padding absorb it.
    assert Window(224, 7, 2, 1, 3, 3).dropped == 0
    # Padding 5 before a width of 1, kernel 4, stride 3: (1 + 5 − 4)/3 + 1 = 1 window, over
    # padded positions 0–3; the input sits at 5. One position dropped, not the remainder 2.
    assert Window(1, 4, 3, 1, 5, 0).dropped == 1


def test_read_count_is_the_positions_some_tap_reaches() -> None:
    # Tap j of window i reads S·i + D·j − P_before: enumerate them all, keep the real input.
    for size, kernel, stride, dilation, before, after, ceil in itertools.product(
        (1, 5, 12), (1, 2, 3), (1, 2, 3, 5), (1, 2, 3), (0, 1, 4), (0, 2), (False, True)
    ):
        window = Window(size, kernel, stride, dilation, before, after, ceil)
        if window.output < 1:
            continue
        taps = {stride * i + dilation * j - before for i in range(window.output) for j in range(kernel)}
        assert window.read_count() == len(taps & set(range(size))), window
    # A mode whose padding copies the input is marked whole: past 10⁷ positions, None, and
    # the periodic share stands in.
    assert Window(10**8, 1, 2, 1, 0, 0, padding_mode="reflect").read_count() is None


def test_a_long_input_is_counted_near_its_edges_and_by_residue_between() -> None:
    # Long enough for a middle, where every tap's windows reach: the count and the unread
    # positions (before the dropped ones) as every tap of every window gives them.
    for size, kernel, stride, dilation, before, after in itertools.product(
        (40, 97), (1, 2, 3, 5), (1, 2, 3, 4, 6), (1, 2, 3, 5), (0, 1, 4), (0, 3)
    ):
        window = Window(size, kernel, stride, dilation, before, after)
        if window.output < 1:
            continue
        taps = {stride * i + dilation * j - before for i in range(window.output) for j in range(kernel)}
        assert window.read_count() == len(taps & set(range(size))), window
        holes = window.edge_holes()
        read, every = window.positions_read()
        if holes is not None and holes.total and read == every:
            unread = [p for p in range(size - window.dropped) if p not in taps]
            runs: list[tuple[int, int]] = []
            for p in unread:
                if runs and runs[-1][1] == p - 1:
                    runs[-1] = (runs[-1][0], p)
                else:
                    runs.append((p, p))
            assert holes == Holes(len(unread), tuple(runs[:LISTED_RUNS])), window
    # 60 s of 16 kHz audio, kernel 21, stride 2, dilation 3: by PyTorch's gradients, positions
    # 1 and 959,997 go unread (and 959,999, dropped: NS101's), of 960,000.
    window = Window(960_000, 21, 2, 3, 0, 0)
    assert window.edge_holes() == Holes(2, ((1, 1), (959_997, 959_997)))
    assert window.read_count() == 960_000 - 3


def brute_force_pads(w: Window, max_pad: int) -> tuple[int | None, tuple[int, int] | None]:
    """Every padding up to the limit, tried one by one: the definition, not the search."""
    current = w.pad_before + w.pad_after
    totals = [
        t
        for t in range(2 * max_pad + 1)
        if (w.size + t - w.effective_kernel) % w.stride == 0 and w.size + t >= w.effective_kernel
    ]
    best = min(totals, key=lambda t: (abs(t - current), -t), default=None)
    symmetric = min((t // 2 for t in totals if t % 2 == 0), key=lambda p: (abs(2 * p - current), -p), default=None)
    return symmetric, (None if best is None else (best // 2, best - best // 2))


def test_exact_division_pads_agrees_with_brute_force() -> None:
    for size, kernel, stride, dilation, before, after in itertools.product(
        range(1, 14), range(1, 6), range(1, 8), (1, 2), range(4), (0, 2, 5)
    ):
        window = Window(size, kernel, stride, dilation, before, after)
        for max_pad in {0, 1, window.effective_kernel - 1, kernel // 2, 3 * stride}:
            assert exact_division_pads(window, max_pad) == brute_force_pads(window, max_pad), (window, max_pad)


def test_exact_division_pads_is_fast_for_huge_kernels() -> None:
    # A search over every padding up to K would take minutes here; the answer is found by hand:
    # (10⁹ + 10 − 10⁹ + T) divisible by 4 → T = 2, split (1, 1).
    window = Window(1_000_000_010, 1_000_000_000, 4, 1, 0, 0)
    assert exact_division_pads(window, 999_999_999) == (1, (1, 1))


def test_exact_division_pads_is_fast_for_huge_strides() -> None:
    # Worked by hand: W − K = 2,147,483,647 − 10⁸ = 2,047,483,647 ≡ 47,483,667 (mod S = 99,999,999),
    # so T ≡ 52,516,332: even, split (26,258,166, 26,258,166). A search over totals near the
    # current one would try about 4·S of them.
    window = Window(2_147_483_647, 100_000_000, 99_999_999, 1, 0, 0)
    assert exact_division_pads(window, 99_999_999) == (26_258_166, (26_258_166, 26_258_166))


def aten_pooled(length: int, kernel: int, stride: int, pad: int, ceil: bool) -> int:
    """ATen's ``pooling_output_shape`` (dilation 1), written out from its source."""
    out = (length + 2 * pad - kernel + (stride - 1 if ceil else 0)) // stride + 1
    if ceil and (out - 1) * stride >= length + pad:
        out -= 1  # the last window would start in the right padding
    return out


def test_split_pool_output_shortcut_agrees_with_padding_explicitly() -> None:
    """The pool after an explicit pad of the difference, then native symmetric padding, as
    ATen counts it: outside ceil_mode with more padding after, the explicit pad changes nothing."""
    for size, kernel, stride, before, after, ceil in itertools.product(
        range(1, 12), range(1, 5), range(1, 4), range(3), range(3), (False, True)
    ):
        window = Window(size, kernel, stride, 1, before, after, ceil)
        native = min(before, after)
        expected = aten_pooled(size + before + after - 2 * native, kernel, stride, native, ceil)
        assert split_pool_output(window) == expected, window
