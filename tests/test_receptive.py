"""Receptive fields against published values, NS114, what `show` reports about them and about
weight sharing, and the published facts of the bundled U-Net, MobileNet and GoogLeNet."""

from __future__ import annotations

import json
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netspec import Settings
from netspec.analysis import Analysis, analyse
from netspec.layers import LAYER_CLASSES, LayerBase, Shape
from netspec.layers.neutral import BatchNorm
from netspec.receptive import Field1D, ReceptiveField, receptive_field
from netspec.show import render_json, render_markdown, summarize
from tests.helpers import ROOT, codes, lint, spec


def analysed(text: str) -> Analysis:
    return analyse(text, "spec.yaml", "spec")


def fields(text: str) -> dict[str, tuple[list[int], list[int | float]]]:
    """Layer name → (receptive field, effective stride)."""
    graph = analysed(text).graph
    return {
        n.name: (f.sizes, f.strides) for n, f in zip(graph.nodes, graph.receptive_fields, strict=True) if f is not None
    }


def vgg16_features() -> str:
    layers = []
    for stage, (channels, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], start=1):
        layers += [f"{{type: conv, filters: {channels}, kernel: 3, padding: 1}}"] * convs
        layers.append(f"{{type: maxpool, name: pool{stage}, kernel: 2, stride: 2}}")
    return spec("[3, 224, 224]", *layers)


def test_vgg16_pool5() -> None:
    # Araujo et al. (Distill, 2019) and google-research/receptive_field: r = 212, j = 32.
    assert fields(vgg16_features())["pool5"] == ([212, 212], [32, 32])


def test_dilated_stack() -> None:
    # 3(d1), 3(d2), 3(d4), 3(s2), 3(d2): 1 + 2 + 4 + 8 + 2 + 8 = 25 (the last with j = 2).
    text = spec(
        "[1, 64, 64]",
        "{type: conv, filters: 1, kernel: 3, padding: 1}",
        "{type: conv, filters: 1, kernel: 3, dilation: 2, padding: 2}",
        "{type: conv, filters: 1, kernel: 3, dilation: 4, padding: 4}",
        "{type: conv, filters: 1, kernel: 3, stride: 2, padding: 1}",
        "{type: conv, name: last, filters: 1, kernel: 3, dilation: 2, padding: 2}",
    )
    assert fields(text)["last"] == ([25, 25], [2, 2])
    # P_eff = Σ P·j (j before each layer): 1 + 2 + 4 + 1 + 2·2 = 12.
    last = analysed(text).graph.receptive_fields[-1]
    assert last is not None and last.paddings == [12, 12]


def test_tf_slim_alexnet_v2() -> None:
    # TF-Slim's alexnet_v2: conv1/pool1/conv2/pool5 have r = 11/19/51/195.
    text = spec(
        "[3, 224, 224]",
        "{type: conv, name: conv1, filters: 64, kernel: 11, stride: 4}",
        "{type: maxpool, name: pool1, kernel: 3, stride: 2}",
        "{type: conv, name: conv2, filters: 192, kernel: 5, padding: 2}",
        "{type: maxpool, name: pool2, kernel: 3, stride: 2}",
        "{type: conv, name: conv3, filters: 384, kernel: 3, padding: 1}",
        "{type: conv, name: conv4, filters: 384, kernel: 3, padding: 1}",
        "{type: conv, name: conv5, filters: 256, kernel: 3, padding: 1}",
        "{type: maxpool, name: pool5, kernel: 3, stride: 2}",
    )
    found = fields(text)
    assert [found[name][0][0] for name in ("conv1", "pool1", "conv2", "pool5")] == [11, 19, 51, 195]


def test_a_merge_of_different_strides_keeps_the_largest_field_and_claims_no_grid() -> None:
    # a: 32 → 16 with a jump of 2 (r 1); b: (32 − 3)/3 + 1 = 10 with a jump of 3 (r 3), padded
    # to 16. The hull of the two would move from one position to the next.
    text = spec(
        "[1, 32]",
        "{type: conv, name: a, filters: 1, kernel: 1, stride: 2}",
        "{type: conv, name: b3, filters: 1, kernel: 3, stride: 3, from: input}",
        "{type: pad, name: b, padding: 3}",
        "{type: add, name: sum, from: [a, b]}",
    )
    field = analysed(text).graph.receptive_fields[-1]
    assert field is not None and (field.sizes, field.strides) == ([3], [3])
    assert not field.dims[0].regular
    # The near miss: branches on one grid keep it exact.
    aligned = text.replace("stride: 3", "stride: 2, padding: 1").replace("padding: 3", "padding: 0")
    field = analysed(aligned).graph.receptive_fields[-1]
    assert field is not None and field.strides == [2] and field.dims[0].regular


def test_a_branch_merged_many_times_is_worked_out_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # A concat of one 3×3 conv's output 1,000 times (and the input once) sees what the conv
    # sees, 3×3; its field is worked out from the two maps, not from 1,001.
    calls = []
    moving_span = Field1D.moving_span

    def counted(self: Field1D, position: int) -> tuple[object, object]:
        calls.append(position)
        return moving_span(self, position)

    monkeypatch.setattr(Field1D, "moving_span", counted)
    text = spec(
        "[1, 16, 16]",
        "{type: conv, name: a, filters: 1, kernel: 3, padding: 1}",
        "{type: concat, name: joined, from: [input, " + ", ".join(["a"] * 1000) + "]}",
    )
    assert fields(text)["joined"] == ([3, 3], [1, 1])
    assert len(calls) == 2 * 2  # two maps, two dimensions


def test_a_merge_of_centred_branches_sees_the_larger_and_flat_layers_have_none() -> None:
    text = spec(
        "[1, 16, 16]",
        "{type: conv, name: a, filters: 2, kernel: 5, padding: 2}",
        "{type: conv, name: b, filters: 2, kernel: 1, from: input}",
        "{type: add, name: sum, from: [b, a]}",
        "{type: flatten, name: flat}",
    )
    assert fields(text)["sum"] == ([5, 5], [1, 1])
    assert analysed(text).graph.receptive_fields[-1] is None


def test_a_broadcast_gate_widens_the_field_but_keeps_the_maps_grid() -> None:
    # Squeeze-and-excitation on 8×8. x: r 3 centred on each position, so x(0) spans −1..1
    # (padding included). The global pool reads x(0..7): −1..8, r 3 + 7·1 = 10, one output.
    # The product sees the gate's −1..8 from every position, on x's grid: r 10, j 1. A 3×3
    # conv after it: position 0 spans x's −2..2 and the gate's −1..8, 11 positions; position
    # 7 spans 5..9 and −1..8, 11 too. (Taking the gate's 10 as a moving field would give 12,
    # and its jump of 8, 26.)
    text = spec(
        "[4, 8, 8]",
        "{type: conv, name: x, filters: 4, kernel: 3, padding: 1}",
        "{type: adaptive_avgpool, name: squeeze, output_size: 1}",
        "{type: conv, name: gate, filters: 4, kernel: 1, activation: sigmoid}",
        "{type: multiply, name: scaled, from: [x, gate]}",
        "{type: conv, name: after, filters: 4, kernel: 3, padding: 1}",
    )
    found = fields(text)
    assert found["squeeze"] == ([10, 10], [8, 8])
    assert found["scaled"] == ([10, 10], [1, 1])
    assert found["after"] == ([11, 11], [1, 1])


def test_gates_in_a_row_see_the_input_and_no_more() -> None:
    # Three squeeze-and-excitation gates on 8 positions, nothing padded: every output sees
    # the 8 input positions, however many gates; the 1×1 convs add no moving context (r 1).
    gate = [
        "{type: adaptive_avgpool, output_size: 1}",
        "{type: conv, filters: 4, kernel: 1, activation: sigmoid}",
    ]
    layers = ["{type: conv, name: se0, filters: 4, kernel: 1}"]
    for i in range(1, 4):
        layers += [gate[0], gate[1].replace("{", f"{{name: g{i}, ", 1)]
        layers.append(f"{{type: multiply, name: se{i}, from: [se{i - 1}, g{i}]}}")
    graph = analysed(spec("[4, 8]", *layers)).graph
    by_name = {n.name: f for n, f in zip(graph.nodes, graph.receptive_fields, strict=True)}
    for name in ("se1", "se2", "se3"):
        field = by_name[name]
        assert field is not None and (field.sizes, field.local_sizes, field.paddings) == ([8], [1], [0])
    # NS114: the gates' pools cover the input, but what follows them on 1 position, or on
    # the map after the product, adds no context only where its own input already covers it.
    assert "NS114" not in codes(spec("[4, 8]", *layers), Settings(extend_select=("NS114",)))


def test_upsample_and_conv_transpose_divide_the_stride() -> None:
    # k2 s2 pool: r 2, j 2; ×2 upsample reads one input each: r 2, j 1; a 2×2 stride-2
    # up-convolution reads ceil(2/2) = 1 input position: r unchanged, j halved.
    text = spec(
        "[1, 8]",
        "{type: maxpool, name: pool, kernel: 2}",
        "{type: upsample, name: up, scale: 2}",
        "{type: conv_transpose, name: upconv, filters: 1, kernel: 2, stride: 2}",
    )
    found = fields(text)
    assert found["up"] == ([2], [1])
    assert found["upconv"] == ([2], [0.5])


def test_an_upsample_divides_the_jump_by_its_scale_as_written() -> None:
    # 1/1e-7 = 10,000,000 input positions per output step (20,000,000·1e-7 = 2 outputs); 0.3
    # is 3/10, so the jump after a stride-3 pool is 3 / (3/10) = 10.
    assert fields(spec("[1, 20000000]", "{type: upsample, name: up, scale: 1.0e-7}"))["up"] == ([1], [10_000_000])
    text = spec("[1, 90]", "{type: maxpool, kernel: 3}", "{type: upsample, name: up, scale: 0.3}")
    assert fields(text)["up"] == ([3], [10])


def test_adaptive_pool_to_one_covers_the_whole_input() -> None:
    text = spec("[1, 10, 6]", "{type: adaptive_avgpool, name: gap, output_size: 1}")
    assert fields(text)["gap"][0] == [10, 6]


NS114_LAYERS = [
    "{type: conv, filters: 8, kernel: 3, padding: 1}",
    "{type: maxpool, kernel: 2}",
    "{type: conv, filters: 8, kernel: 3, padding: 1}",
    "{type: maxpool, kernel: 2}",
    "{type: conv, filters: 8, kernel: 3, padding: 1}",
    "{type: maxpool, kernel: 2}",
    # r: 3, 4, 8, 10, 18, 22, j 8; the 4×4 positions' centres lie at 3.5, 11.5, 19.5, 27.5.
    # Then r 38, 54: position 0 sees up to 3.5 + 26.5 = 30 < 31. At r 70 it sees up to 38, and
    # position 3 from 27.5 − 34.5 = −7: every position sees the whole 32×32.
    "{type: conv, filters: 8, kernel: 3, padding: 1}",
    "{type: conv, filters: 8, kernel: 3, padding: 1}",
    "{type: conv, name: covering, filters: 8, kernel: 3, padding: 1}",
]


def test_ns114_names_the_first_layer_covering_the_input() -> None:
    text = spec("[3, 32, 32]", *NS114_LAYERS, "{type: conv, filters: 8, kernel: 3, padding: 1}")
    diagnostics = [d for d in lint(text, Settings(extend_select=("NS114",))) if d.code == "NS114"]
    assert [d.layer for d in diagnostics] == ["covering"]
    assert diagnostics[0].message.startswith("covering: every output position already sees the whole 32×32 input")
    assert "(receptive field 70×70)" in diagnostics[0].message
    assert "NS114" not in codes(text)  # not selected by default
    # Two after it (the 10th layer, then tail): counted, and the first named.
    two = "  - {type: conv, name: tail, filters: 8, kernel: 3, padding: 1}\n"
    (found,) = [d for d in lint(text + two, Settings(extend_select=("NS114",))) if d.code == "NS114"]
    assert found.message.endswith("the 2 conv/pooling layers after it (from conv10) add depth but no context")


def test_ns114_names_the_covering_layer_behind_a_gate() -> None:
    # A squeeze-and-excitation gate first: its pool's one position sees the whole input (r 32,
    # no padding), but the layer to name is "covering", as without the gate (r 70 above).
    gate = [
        "{type: conv, name: c1, filters: 8, kernel: 1}",
        "{type: adaptive_avgpool, name: squeeze, output_size: 1}",
        "{type: conv, name: excite, filters: 8, kernel: 1, activation: sigmoid}",
        "{type: multiply, name: gated, from: [c1, excite]}",
    ]
    text = spec("[3, 32, 32]", *gate, *NS114_LAYERS, "{type: conv, name: last, filters: 8, kernel: 3, padding: 1}")
    (found,) = [d for d in lint(text, Settings(extend_select=("NS114",))) if d.code == "NS114"]
    assert found.layer == "covering"
    assert found.message.endswith("the conv/pooling layer after it (last) adds depth but no context")


@pytest.mark.parametrize(
    "layers",
    [
        # On 3 positions, 3 taps 2 apart (padding 2) see positions {0, 2}, {1} and {0, 2}: the
        # field spans 5, but no output sees the whole input.
        ["{type: conv, name: c1, filters: 1, kernel: 3, dilation: 2, padding: 2}"],
        # The same through a transposed conv: output o reads input i where o = i − 2 + 2k.
        ["{type: conv_transpose, name: c1, filters: 1, kernel: 3, dilation: 2, padding: 2}"],
        # Two copies moved 2 each way (pad 4, crop the middle 3): position o sees o − 2 and
        # o + 2, at most one of them in 0–2. Their hull spans 5, with 3 unseen between them.
        [
            "{type: pad, name: r, padding: [[4, 0]]}",
            "{type: crop, name: right, size: 3}",
            "{type: pad, name: l, padding: [[0, 4]], from: input}",
            "{type: crop, name: left, size: 3}",
            "{type: add, name: c1, from: [right, left]}",
        ],
    ],
    ids=["dilated", "transposed", "apart"],
)
def test_ns114_quiet_where_the_field_has_holes(layers: list[str]) -> None:
    after = "{type: conv, name: c2, filters: 1, kernel: 3, padding: 1}"
    assert "NS114" not in codes(spec("[1, 3]", *layers, after), Settings(extend_select=("NS114",)))
    # The near miss: 5 taps 1 apart (padding 2) span the same 5, and every output sees all 3.
    solid = spec("[1, 3]", "{type: conv, name: c1, filters: 1, kernel: 5, padding: 2}", after)
    (found,) = [d for d in lint(solid, Settings(extend_select=("NS114",))) if d.code == "NS114"]
    assert found.layer == "c1"


@pytest.mark.parametrize(
    "layers",
    [
        # a0 = l0 beside itself moved one position on: a0[o] sees o − 1 and o, so the last, a0[3],
        # sees {2, 3}. l1's taps are 2 apart from o − 1: l1[1] reads a0[0], a0[2] and a0[4],
        # which is padding, and so sees 0–2; the grid, extended past a0's end, says 0–3.
        [
            "{type: avgpool, name: l0, kernel: 1}",
            "{type: pad, name: p0, padding: [[1, 0]]}",
            "{type: crop, name: k0, size: 4}",
            "{type: add, name: a0, from: [l0, k0]}",
            "{type: conv, name: l1, filters: 1, kernel: 3, dilation: 2, padding: 1}",
            "{type: conv, name: l2, filters: 1, kernel: 1}",
        ],
    ],
    ids=["leaning-merge"],
)
def test_ns114_quiet_where_an_edge_position_sees_less_than_the_grid_says(layers: list[str]) -> None:
    assert "NS114" not in codes(spec("[1, 4]", *layers), Settings(extend_select=("NS114",)))


def test_ns114_follows_a_residual_add_but_not_a_cross_of_branches() -> None:
    extend = Settings(extend_select=("NS114",))
    # A 15×1 branch beside a 1×15 one: s at (i, j) sees row i and column j, a cross, though
    # each dimension alone spans the whole 8.
    cross = spec(
        "[1, 8, 8]",
        "{type: conv, name: a, filters: 1, kernel: [15, 1], padding: [7, 0]}",
        "{type: conv, name: b, filters: 1, kernel: [1, 15], padding: [0, 7], from: input}",
        "{type: add, name: s, from: [a, b]}",
        "{type: conv, name: c, filters: 1, kernel: 3, padding: 1}",
        "{type: conv, name: d, filters: 1, kernel: 3, padding: 1}",
    )
    assert "NS114" not in codes(cross, extend)
    # The near miss: residual adds, whose conv branch sees all the shortcut sees. Through 7
    # 3×3 convs a corner sees 7 positions on each way, all of 0–7; after 6, only up to 6.
    layers, shortcut = [], "input"
    for block in range(3):
        first, second = 2 * block + 1, 2 * block + 2
        layers += [
            f"{{type: conv, name: c{first}, filters: 1, kernel: 3, padding: 1}}",
            f"{{type: conv, name: c{second}, filters: 1, kernel: 3, padding: 1}}",
            f"{{type: add, name: r{block + 1}, from: [c{second}, {shortcut}]}}",
        ]
        shortcut = f"r{block + 1}"
    layers += [f"{{type: conv, name: c{n}, filters: 1, kernel: 3, padding: 1}}" for n in (7, 8, 9)]
    residual = spec("[1, 8, 8]", *layers)
    (found,) = [d for d in lint(residual, extend) if d.code == "NS114"]
    assert found.layer == "c7"


def test_ns114_searches_what_follows_only_layers_the_exact_check_confirms(monkeypatch: pytest.MonkeyPatch) -> None:
    # Past an adaptive pool the exact check says nothing, for every one of the many layers the
    # recurrence says cover the input: searching the layers after each of them made the rule
    # quadratic in the layers (99 s on 2,000 convs).
    import netspec.rules.ns114_receptive_field_exceeds_input as ns114

    searched: list[str] = []
    real = ns114._spatial_layers_after
    monkeypatch.setattr(
        ns114,
        "_spatial_layers_after",
        lambda graph, node, covers, seen: searched.append(node.name) or real(graph, node, covers, seen),
    )
    layers = ["{type: adaptive_avgpool, output_size: 16}"] + ["{type: conv, filters: 4, kernel: 3, padding: 1}"] * 50
    assert "NS114" not in codes(spec("[4, 32, 32]", *layers), Settings(extend_select=("NS114",)))
    assert searched == []


def test_ns114_searches_each_layer_after_the_covering_ones_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # A 7×7 conv padded 3 on 4×4 sees all of it at every position, and so does each of the
    # 100 relus after it; none is followed by a conv. Each search went through every layer
    # after its own: 10,000 relus took 32 s. Now each of the 100 is searched once in all.
    import netspec.rules.ns114_receptive_field_exceeds_input as ns114

    visited: list[int] = []
    real = ns114._spatial_layers_after

    def counting(graph: Any, node: Any, covers: Any, seen: set[int]) -> list[Any]:
        before = len(seen)
        found = real(graph, node, covers, seen)
        visited.append(len(seen) - before)
        return found

    monkeypatch.setattr(ns114, "_spatial_layers_after", counting)
    layers = ["{type: conv, filters: 4, kernel: 7, padding: 3}"] + ["{type: relu}"] * 100
    assert "NS114" not in codes(spec("[1, 4, 4]", *layers), Settings(extend_select=("NS114",)))
    assert (len(visited), sum(visited)) == (101, 100)
    # The near miss: a conv after the relus is found from the first covering layer.
    tail = "{type: conv, filters: 4, kernel: 3, padding: 1}"
    (found,) = [d for d in lint(spec("[1, 4, 4]", *layers, tail), Settings(extend_select=("NS114",)))]
    assert found.code == "NS114" and found.layer == "conv1"


#: 200 alike branches, each seeing the whole 8×8 input at every position, into one concat.
WIDE_CONCAT = spec(
    "[1, 8, 8]",
    *[f"{{type: conv, name: b{i}, filters: 1, kernel: 15, padding: 7, from: input}}" for i in range(200)],
    f"{{type: concat, name: cat, from: [{', '.join(f'b{i}' for i in range(200))}]}}",
)


def test_ns114_compares_a_wide_merges_branches_with_one_of_them(monkeypatch: pytest.MonkeyPatch) -> None:
    # 200 alike branches into one concat: each is held against the widest once, per position
    # of each dimension (8 × 2), not against every other (200 times as many comparisons).
    import netspec.rules.ns114_receptive_field_exceeds_input as ns114

    compared: list[None] = []
    real = ns114._contains
    monkeypatch.setattr(ns114, "_contains", lambda outer, inner: compared.append(None) or real(outer, inner))
    codes(WIDE_CONCAT, Settings(extend_select=("NS114",)))
    assert 0 < len(compared) <= 200 * 8 * 2


def test_ns114_counts_a_merges_comparisons_against_its_read_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # Comparing 200 branches over 8 + 8 positions costs 3,200 of the budget: with less left,
    # the rule says nothing, and compares nothing.
    import netspec.rules.ns114_receptive_field_exceeds_input as ns114

    compared: list[None] = []
    real = ns114._contains
    monkeypatch.setattr(ns114, "_contains", lambda outer, inner: compared.append(None) or real(outer, inner))
    # Each branch reads, per position of each dimension, its 8 taps inside the input, and is
    # charged one more: 200 · 2 · 8 · 9 in all. Then 3,000 left, short of the merge's 3,200.
    monkeypatch.setattr(ns114, "MAX_READS", 200 * 2 * 8 * 9 + 3_000)
    codes(WIDE_CONCAT, Settings(extend_select=("NS114",)))
    assert compared == []


def test_ns114_quiet_when_only_the_classifier_follows() -> None:
    text = spec("[3, 32, 32]", *NS114_LAYERS, "{type: flatten}", "{type: dense, units: 10}")
    assert "NS114" not in codes(text, Settings(extend_select=("NS114",)))


def test_show_reports_receptive_field_and_unshared_params() -> None:
    # A 3×3 conv, 3 → 8 channels, on 10×10: 8×8 output positions, each with its own
    # 8 filters of 3·9 weights + 1 bias in a locally connected layer: 64·8·28 = 14,336.
    text = spec("[3, 10, 10]", "{type: conv, filters: 8, kernel: 3}", "{type: flatten}")
    summary = summarize(analysed(text))
    conv, flat = json.loads(render_json(summary))["layers"]
    assert (conv["receptive_field"], conv["effective_stride"], conv["unshared_params"]) == ([3, 3], [1, 1], 14_336)
    assert conv["params"] == 8 * 28
    assert flat["receptive_field"] is None and "unshared_params" not in flat
    # The network is the conv alone: 64 output positions, so 64 times fewer parameters.
    assert "64.0× fewer parameters" in render_markdown(summary)


def test_a_transposed_conv_has_a_kernel_at_each_input_position_without_sharing() -> None:
    # 16 → 1 channels, 3×3, stride 2 on 14×14 gives 28×28. Unshared, each of the 196 input
    # positions scatters through its own 16·1·9 = 144 weights, and each of the 784 outputs has
    # its own bias: 196·144 + 784 = 29,008, against 144 + 1 = 145 shared.
    layer = "{type: conv_transpose, filters: 1, kernel: 3, stride: 2, padding: 1, output_padding: 1}"
    summary = summarize(analysed(spec("[16, 14, 14]", layer)))
    (row,) = json.loads(render_json(summary))["layers"]
    assert (row["output_shape"], row["params"], row["unshared_params"]) == ([1, 28, 28], 145, 29_008)
    assert f"{29_008 / 145:,.1f}× fewer parameters" in render_markdown(summary)
    # Without a bias: 196·144 alone.
    unbiased = summarize(analysed(spec("[16, 14, 14]", layer.replace("}", ", bias: false}"))))
    assert json.loads(render_json(unbiased))["layers"][0]["unshared_params"] == 196 * 144


def test_no_sharing_factor_on_partial_totals() -> None:
    # The 5×5 conv cannot run on 3×3 (NS103), so the conv after it has no shape: a factor over
    # the first conv alone would say nothing of the network.
    first = "{type: conv, filters: 8, kernel: 3, padding: 1}"
    broken = spec("[3, 3, 3]", first, "{type: conv, filters: 8, kernel: 5}", first)
    assert "fewer parameters" not in render_markdown(summarize(analysed(broken)))
    # The near miss: padded to fit, the same network gets one.
    fitting = spec("[3, 3, 3]", first, "{type: conv, filters: 8, kernel: 5, padding: 2}", first)
    assert "fewer parameters" in render_markdown(summarize(analysed(fitting)))


def test_unet_facts() -> None:
    # Ronneberger et al. 2015: 572 → 388×388, skips cropped 64→56, 136→104, 280→200, 568→392
    # (its parameter count is checked with the other bundled specs', in test_specs.py).
    analysis = analysed((ROOT / "specs" / "unet.yaml").read_text(encoding="utf-8"))
    nodes = analysis.graph.nodes
    crops = [
        (n.inputs[0][1], n.output[1]) for n in nodes if n.layer and n.layer.type == "crop" and n.inputs and n.output
    ]
    assert sorted(crops) == [(64, 56), (136, 104), (280, 200), (568, 392)]
    assert nodes[-1].output == (2, 388, 388)


def test_adaptive_kernel_closed_form_matches_the_window_definition() -> None:
    from netspec.receptive import adaptive_kernel

    for size in range(1, 60):
        for out in range(1, 70):
            widest = max(-(-(i + 1) * size // out) - i * size // out for i in range(out))
            assert adaptive_kernel(size, out) == widest


def test_huge_adaptive_output_size_is_instant() -> None:
    from netspec.receptive import adaptive_kernel

    # 2·10⁸ windows over 7 pixels: a window that straddles a pixel boundary reads 2 pixels.
    assert adaptive_kernel(7, 200_000_000) == 2


def test_fractional_steps_keep_bounded_denominators_and_stay_accurate() -> None:
    from fractions import Fraction

    from netspec.receptive import MAX_DENOMINATOR

    # Each ×1.000001 upsample divides the jump by 1000001/1000000, and each 3×3 conv grows
    # r by 2·j: by hand, r = 1 + 2·Σ_{i=1..n} (10⁶/1000001)^i, exactly.
    n = 50
    layers = ["{type: upsample, scale: 1.000001}", "{type: conv, filters: 1, kernel: 3, padding: 1}"] * n
    graph = analysed(spec("[1, 64]", *layers)).graph
    last = graph.receptive_fields[-1]
    assert last is not None
    (dim,) = last.dims
    step = Fraction(10**6, 1_000_001)
    exact = 1 + 2 * sum(step**i for i in range(1, n + 1))
    assert all(v.denominator <= MAX_DENOMINATOR for v in (dim.size, dim.jump, dim.centre))
    assert abs(dim.size - exact) < Fraction(1, 10**9)
    assert abs(dim.jump - step**n) < Fraction(1, 10**9)


def test_a_huge_fractional_stride_is_shown_as_an_integer() -> None:
    from fractions import Fraction

    # ×3 upsample: j = 1/3; then two stride-(2³¹ − 1) pools: j = (2³¹ − 1)²/3 ≈ 1.5·10¹⁸, past
    # 2⁵³, where a float holds no fraction. It is shown as the nearest integer.
    layers = ["{type: upsample, scale: 3}"] + ["{type: maxpool, kernel: 1, stride: 2147483647}"] * 2
    summary = summarize(analysed(spec("[1, 1, 1]", *layers)))
    shown = json.loads(render_json(summary))["layers"][-1]["effective_stride"]
    expected = round(Fraction((2**31 - 1) ** 2, 3))
    assert 2**53 < expected < 2**62
    assert shown == [expected, expected]


@pytest.mark.parametrize(("size", "shown"), [(2_147_483_647, 1.397e-9), (30_000, 0.0001), (3_000, 0.001)])
def test_a_tiny_fractional_stride_is_not_shown_as_0(size: int, shown: float) -> None:
    # 3 positions upsampled to `size`: j = 3/size. 3/2,147,483,647 = 1.39698…·10⁻⁹, which four
    # decimals would round to 0, a stride no layer has: four significant digits instead. The
    # near misses keep four decimals: 3/30,000 = 0.0001 and 3/3,000 = 0.001 exactly.
    summary = summarize(analysed(spec("[1, 3]", f"{{type: upsample, size: {size}, mode: linear}}")))
    assert json.loads(render_json(summary))["layers"][-1]["effective_stride"] == [shown]


def test_a_layer_type_without_a_receptive_field_rule_cannot_be_made() -> None:
    class Unshuffle(LayerBase):  # a pixel unshuffle: C × 2H × 2W → C·4 × H × W
        type: Literal["pixel_unshuffle"]

        def output_shape(self, inputs: Sequence[Shape]) -> Shape:
            (channels, height, width) = inputs[0]
            return (channels * 4, height // 2, width // 2)

    # Passing the field on would be wrong without a word for a layer that resizes.
    with pytest.raises(TypeError, match="receptive_dims"):
        Unshuffle(type="pixel_unshuffle")
    # The near miss: a shape-neutral layer passes the field on unchanged.
    field = ReceptiveField.of_input((16, 16))
    assert receptive_field(BatchNorm(type="batchnorm"), [(4, 16, 16)], [field], (4, 16, 16), None) == field


@pytest.mark.parametrize("layer_class", LAYER_CLASSES, ids=lambda cls: cls.__name__)
def test_every_layer_type_has_the_whole_model(layer_class: type[LayerBase]) -> None:
    # Its shape and its receptive field among them: a missing one would fail only when a spec used it.
    assert not layer_class.__abstractmethods__


@settings(max_examples=500, deadline=None)
@given(
    centre=st.fractions(min_value=-40, max_value=40, max_denominator=12),
    size=st.fractions(min_value=1, max_value=60, max_denominator=12),
    jump=st.fractions(min_value=Fraction(1, 12), max_value=8, max_denominator=12),
    length=st.integers(1, 60),
    positions=st.integers(1, 60),
)
def test_a_field_reaches_both_ends_where_its_spans_say(
    centre: Fraction, size: Fraction, jump: Fraction, length: int, positions: int
) -> None:
    # Output 0's moving part spans centre ± (r − 1)/2; the last one's is moved (O − 1)·j.
    field = Field1D(size, jump, centre)
    last = centre + (size - 1) / 2
    first = centre + (positions - 1) * jump - (size - 1) / 2
    assert field.reaches(length, positions) == (last >= length - 1 and first <= 0)


def test_a_branch_many_merges_read_is_placed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Ten branches, each read by every one of 20 adds: where each branch's field lies was
    # worked out for every add (1,000 merge inputs of 1,000 branches, 48 s of `show`). Asked
    # of output 0 only once per branch and dimension: 10 × 2, whatever the number of adds.
    asked: list[int] = []
    moving_span = Field1D.moving_span

    def counted(field: Field1D, position: int) -> tuple[Fraction, Fraction]:
        asked.append(id(field))
        return moving_span(field, position)

    branches = [f"{{type: conv, name: b{i}, filters: 4, kernel: 3, padding: 1, from: input}}" for i in range(10)]
    reading = ", ".join(f"b{i}" for i in range(10))
    adds = [f"{{type: add, name: a{j}, from: [{reading}]}}" for j in range(20)]
    graph = analysed(spec("[4, 8, 8]", *branches, *adds)).graph
    monkeypatch.setattr(Field1D, "moving_span", counted)
    fields = graph.receptive_fields
    # The fields themselves: each add sees what each branch sees, 3×3.
    assert [field.sizes if field else None for field in fields[10:]] == [[3, 3]] * 20
    branch_fields = {id(d) for field in fields[:10] if field for d in field.dims}
    assert sum(identity in branch_fields for identity in asked) == 10 * 2
