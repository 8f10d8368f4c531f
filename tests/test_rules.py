"""Every rule fires on its case and stays quiet on the near miss next to it."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import get_args

import pytest
import yaml

from netspec import Settings, Severity, lint_text
from netspec.analysis import analyse
from netspec.layers import LAYER_TYPES, arithmetic
from netspec.layers.arithmetic import Reading, Window
from netspec.layers.neutral import ACTIVATION_TYPES, ActivationLayer
from netspec.rules import RULES
from netspec.rules.ns109_stride_skips_input import _edge_gap
from netspec.spec import _EXPONENT
from tests.helpers import codes, lint, spec, within

#: For NS107's tests on stride-1 convolutions, whose excess padding also grows the map (NS102).
NS107_ONLY = Settings(select=("NS107",))
NS119_ONLY = Settings(select=("NS119",))
README = Path(__file__).parents[1] / "README.md"

CASES = [
    # code, firing spec, near miss
    ("NS001", "input: [3, 8, 8]\nlayers: [\n", spec("[3, 8, 8]", "{type: relu}")),
    (
        "NS002",
        spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, padding: 1, strides: 1}"),
        spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, padding: 1, stride: 1}"),
    ),
    (
        "NS003",
        spec("[3, 8, 8]", "{type: relu, name: a, name: b}"),
        spec("[3, 8, 8]", "{type: relu, name: a}"),
    ),
    (
        "NS004",
        spec("[3, 8, 8]", "{type: relu, name: a}", "{type: relu, from: b}"),
        spec("[3, 8, 8]", "{type: relu, name: a}", "{type: relu, from: a}"),
    ),
    (
        "NS005",
        spec("[3, 8, 8]", "{type: relu, name: a}", "{type: relu, name: a}"),
        spec("[3, 8, 8]", "{type: relu, name: a}", "{type: relu, name: b}"),
    ),
    (
        "NS101",
        spec("[3, 224, 224]", "{type: conv, filters: 8, kernel: 11, stride: 4}"),  # 54.25
        spec("[3, 227, 227]", "{type: conv, filters: 8, kernel: 11, stride: 4}"),  # 55 exactly
    ),
    (
        "NS102",
        spec("[3, 32, 32]", "{type: conv, filters: 8, kernel: 3}"),  # 30
        spec("[3, 32, 32]", "{type: conv, filters: 8, kernel: 3, padding: 1}"),  # 32
    ),
    (
        "NS103",
        spec("[3, 4, 4]", "{type: conv, filters: 8, kernel: 5}"),  # 4 − 5 + 1 = 0
        spec("[3, 4, 4]", "{type: conv, filters: 8, kernel: 5, padding: 2}"),  # 4 + 4 − 5 + 1 = 4
    ),
    (
        "NS104",
        spec("[6, 8, 8]", "{type: conv, filters: 8, kernel: 1, groups: 4}"),  # 6 % 4 ≠ 0
        spec("[8, 8, 8]", "{type: conv, filters: 8, kernel: 1, groups: 4}"),
    ),
    (
        "NS105",
        spec("[3, 8, 8]", "{type: dense, units: 10}"),
        spec("[3, 8, 8]", "{type: flatten}", "{type: dense, units: 10}"),
    ),
    (
        "NS106",
        spec("[4, 8, 8]", "{type: maxpool, kernel: 2, name: p}", "{type: concat, from: [input, p]}"),
        spec("[4, 8, 8]", "{type: relu, name: r}", "{type: concat, from: [input, r], expect: [8, 8, 8]}"),
    ),
    (
        "NS107",
        spec("[3, 8, 8]", "{type: maxpool, kernel: 3, padding: 2}"),  # 2 > 3 // 2
        spec("[3, 8, 8]", "{type: maxpool, kernel: 3, padding: 1}"),
    ),
    (
        "NS108",
        spec("[3, 8, 8]", "{type: maxpool, kernel: 2, expect: [3, 8, 8]}"),
        spec("[3, 8, 8]", "{type: maxpool, kernel: 2, expect: [3, 4, 4]}"),
    ),
    (
        "NS109",
        spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 1, stride: 2}"),  # 2 > 1
        spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 2, stride: 2}"),  # 2 = 2
    ),
    (
        "NS110",
        spec("[3, 8, 8]", "{type: relu, name: a}", "{type: relu, from: input}"),
        spec("[3, 8, 8]", "{type: relu, name: a}", "{type: relu, from: a}"),
    ),
    (
        "NS111",
        spec("[3, 8, 8]", "{type: conv_transpose, filters: 4, kernel: 3, stride: 2, output_padding: 2}"),
        spec("[3, 8, 8]", "{type: conv_transpose, filters: 4, kernel: 3, stride: 2, output_padding: 1}"),
    ),
    (
        "NS112",
        spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, stride: 2, padding: same}"),
        spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, stride: 1, padding: same}"),
    ),
    (
        "NS115",
        spec("[3, 8, 8]", "{type: flatten}", "{type: maxpool, kernel: 2}"),
        spec("[3, 8, 8]", "{type: maxpool, kernel: 2}", "{type: flatten}"),
    ),
    ("NS116", spec("[32, 32, 3]", "{type: relu}"), spec("[3, 32, 32]", "{type: relu}")),
    (
        "NS117",
        spec("[3, 8, 8]", "{type: reshape, shape: [3, 8, 7]}"),
        spec("[3, 8, 8]", "{type: reshape, shape: [3, 4, 16]}"),
    ),
    (
        "NS118",
        spec("[8, 4, 4]", "{type: adaptive_avgpool, output_size: 1}", "{type: groupnorm, groups: 8}"),
        spec("[8, 4, 4]", "{type: adaptive_avgpool, output_size: 1}", "{type: groupnorm, groups: 4}"),
    ),
]


@pytest.mark.parametrize(("code", "firing", "near_miss"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_and_near_miss_stays_quiet(code: str, firing: str, near_miss: str) -> None:
    assert code in codes(firing)
    assert codes(near_miss) == []


def test_ns107_conv_is_a_warning_pool_an_error() -> None:
    conv = lint(spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, padding: 3}"))
    pool = lint(spec("[3, 8, 8]", "{type: maxpool, kernel: 3, padding: 2}"))
    assert [(d.code, d.severity.value) for d in conv if d.code == "NS107"] == [("NS107", "warning")]
    assert [(d.code, d.severity.value) for d in pool] == [("NS107", "error")]
    # Padding 2 = K − 1 still lets every output see one input pixel: quiet.
    assert "NS107" not in codes(spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, padding: 2}"))


def test_ns107_names_the_dimension_whose_numbers_it_gives() -> None:
    # Inception's 1×7 conv with the 7×1's padding: 3 ≥ 1 along the rows, 3 < 7 along the columns.
    # (The rows grow, 17 + 6 − 1 + 1 = 23: NS102's, beside the point here.)
    (d,) = lint(spec("[8, 17, 17]", "{type: conv, filters: 8, kernel: [1, 7], padding: 3}"), NS107_ONLY)
    assert d.message == (
        "conv1: padding 3 ≥ the effective kernel 1 along the rows, so the outermost outputs see only zeros"
    )
    assert d.fix is not None and d.fix.message == "set padding to [0, 3]"
    # Both dimensions over-padded, with different numbers; then alike, in two of three.
    (d,) = lint(spec("[8, 17, 17]", "{type: conv, filters: 8, kernel: [1, 2], padding: 3}"), NS107_ONLY)
    assert d.message.startswith(
        "conv1: padding 3 ≥ the effective kernel 1 along the rows, and 3 ≥ 2 along the columns, so"
    )
    volume = "{type: conv, filters: 8, kernel: [3, 1, 1], padding: [[0, 0], [1, 1], [0, 1]]}"
    (d,) = lint(spec("[8, 9, 17, 17]", volume), NS107_ONLY)
    assert d.message.startswith("conv1: padding 1 ≥ the effective kernel 1 along the rows and columns, so")
    (d,) = lint(spec("[8, 9, 17, 17]", "{type: conv, filters: 8, kernel: [1, 1, 2], padding: 3}"), NS107_ONLY)
    assert d.message.startswith("conv1: padding 3 ≥ the effective kernel 1 along the slices and rows, and 3 ≥ 2 along")
    # The near miss: a square layer padded alike needs no dimension named.
    (d,) = lint(spec("[8, 17, 17]", "{type: conv, filters: 8, kernel: 1, padding: 3}"), NS107_ONLY)
    assert d.message.startswith("conv1: padding 3 ≥ the effective kernel 1, so")


def test_ns107_says_whose_limit_per_side_pool_padding_breaks() -> None:
    # PyTorch pads both sides alike and rejects 2 > 2 // 2; it has no per-side padding to reject.
    (both,) = lint(spec("[1, 6]", "{type: maxpool, kernel: 2, padding: 2}"))
    assert both.message.endswith("; PyTorch rejects this maxpool")
    (one,) = lint(spec("[1, 6]", "{type: maxpool, kernel: 2, padding: [[0, 2]]}"))
    assert one.message.endswith("; PyTorch's limit for maxpool padding, which netspec applies to each side")


def test_ns107_names_every_dimension_whose_pool_padding_is_over_half_the_kernel() -> None:
    # Rows: 2 > 2//2 = 1; columns: 3 > 4//2 = 2. Each is a number PyTorch would reject.
    (d,) = lint(spec("[3, 8, 8]", "{type: maxpool, kernel: [2, 4], padding: [2, 3]}"))
    assert d.message == (
        "maxpool1: padding 2 is more than half the kernel (2//2 = 1) along the rows, and 3 is more than half "
        "the kernel (4//2 = 2) along the columns; PyTorch rejects this maxpool"
    )
    # The columns' 2 = 4//2 is within the limit: the rows alone are named.
    (d,) = lint(spec("[3, 8, 8]", "{type: maxpool, kernel: [2, 4], padding: [2, 2]}"))
    assert d.message == (
        "maxpool1: padding 2 is more than half the kernel (2//2 = 1) along the rows; PyTorch rejects this maxpool"
    )
    # The near miss: a square pool padded alike needs no dimension named, and no number twice.
    (d,) = lint(spec("[3, 8, 8]", "{type: maxpool, kernel: 2, padding: 2}"))
    assert d.message == "maxpool1: padding 2 is more than half the kernel (2//2 = 1); PyTorch rejects this maxpool"


def test_sizes_of_one_are_singular() -> None:
    (d,) = lint(spec("[1, 1, 2]", "{type: conv, filters: 1, kernel: 1, padding: 1, padding_mode: reflect}"))
    assert "reaches past the input's 1 row: reflect padding takes at most W − 1 = 0 per side" in d.message
    (d,) = lint(spec("[1, 1, 1, 1]", "{type: pad, padding: 1, mode: reflect}"))
    assert "reaches past the input's 1 slice and row and column:" in d.message
    (d,) = [d for d in lint(spec("[1, 4, 4]", "{type: slice, stop: 4}")) if d.code == "NS104"]
    assert "reaches past the input's 1 channel;" in d.message
    # The near misses: more than one.
    (d,) = lint(spec("[1, 3, 3]", "{type: conv, filters: 1, kernel: 1, padding: 3, padding_mode: reflect}"))
    assert "reaches past the input's 3 rows and columns:" in d.message
    (d,) = [d for d in lint(spec("[2, 4, 4]", "{type: slice, stop: 4}")) if d.code == "NS104"]
    assert "reaches past the input's 2 channels;" in d.message


def test_ns110_offers_the_outputs_list_of_every_layer_nothing_reads() -> None:
    heads = [
        "{type: conv, name: stem, filters: 4, kernel: 3, padding: 1}",
        "{type: flatten, name: logits}",
        "{type: flatten, name: 'aux head', from: stem}",
    ]
    (d,) = lint(spec("[3, 8, 8]", *heads))
    assert (d.code, d.help) == (
        "NS110",
        'if the network returns it, list what it returns: `outputs: [logits, "aux head"]`',
    )
    # Which is right: with that list, nothing is left unread.
    assert codes('outputs: [logits, "aux head"]\n' + spec("[3, 8, 8]", *heads)) == []
    # The near miss: with `outputs` written, the help says to add to it.
    (d,) = lint('outputs: ["aux head"]\n' + spec("[3, 8, 8]", *heads))
    assert d.help == "if the network returns it, add it to `outputs`"


def test_ns110_lists_no_outputs_that_a_shared_name_leaves_ambiguous() -> None:
    # Two heads named 'head' (NS005): `outputs: [head, head]` could not say which is which.
    heads = [
        "{type: conv, name: stem, filters: 4, kernel: 3, padding: 1}",
        "{type: flatten, name: head}",
        "{type: flatten, name: head, from: stem}",
    ]
    found = lint(spec("[3, 8, 8]", *heads))
    assert sorted(d.code for d in found) == ["NS005", "NS110"]
    (d,) = [d for d in found if d.code == "NS110"]
    assert (
        d.help == "if the network returns it, list what it returns in `outputs`, once each layer has a name of its own"
    )
    # The near miss: a name shared by two layers that others read (each by the next, implied)
    # leaves the list of the ends clear.
    heads = [
        "{type: conv, name: x, filters: 4, kernel: 3, padding: 1}",
        "{type: flatten, name: head}",
        "{type: flatten, name: x, from: input}",
        "{type: flatten, name: tail}",
    ]
    (d,) = [d for d in lint(spec("[3, 8, 8]", *heads)) if d.code == "NS110"]
    assert d.help == "if the network returns it, list what it returns: `outputs: [head, tail]`"


def test_ns105_says_which_map_a_flatten_gave_the_features_of() -> None:
    # 3×32×32, stride-2 conv padded 1: 64×16×16; a 2×2 pool: 64×8×8, which flattens to 4,096.
    layers = [
        "{type: conv, filters: 64, kernel: 3, stride: 2, padding: 1}",
        "{type: maxpool, kernel: 2}",
        "{type: flatten}",
        "{type: dense, units: 10, in_features: 2304}",
    ]
    (d,) = lint(spec("[3, 32, 32]", *layers))
    assert d.message == "dense4: in_features is 2304 but the input has 4096 features (64×8×8, flattened by flatten3)"
    # Through layers that keep the count: dropout, an activation.
    kept = [*layers[:3], "{type: dropout}", "{type: relu}", layers[3]]
    (d,) = lint(spec("[3, 32, 32]", *kept))
    assert d.message == "dense6: in_features is 2304 but the input has 4096 features (64×8×8, flattened by flatten3)"
    # The near miss: features from another dense layer have no map to name.
    (d,) = lint(
        spec("[3, 32, 32]", *layers[:3], "{type: dense, units: 20}", "{type: dense, units: 10, in_features: 2}")
    )
    assert d.message == "dense5: in_features is 2 but the input has 20 features"


def test_ns106_offers_a_strided_shortcut_where_a_branch_is_a_multiple_of_the_other() -> None:
    # MobileNetV2's strided block beside its unstrided input: 56 = 2·28 in both dimensions.
    block = [
        "{type: conv, filters: 144, kernel: 1}",
        "{type: conv, filters: 144, kernel: 3, stride: 2, padding: 1, groups: 144}",
        "{type: conv, name: proj, filters: 24, kernel: 1}",
        "{type: add, from: [proj, input]}",
    ]
    (d,) = lint(spec("[24, 56, 56]", *block))
    assert d.help == (
        "no automatic fix: input is 2× larger: downsample by 2, with `{type: avgpool, kernel: 2}` (ResNet-D's "
        "shortcut) or a 1×1 conv of `stride: 2` (ResNet's, which reads one position in 4)"
    )
    # Which is right: either shortcut gives 24×28×28; the strided 1×1 conv skips 3 of 4 (NS109).
    pooled = "{type: avgpool, name: s, kernel: 2, from: input}"
    assert codes(spec("[24, 56, 56]", *block[:3], pooled, "{type: add, from: [proj, s]}")) == []
    strided = "{type: conv, name: s, filters: 24, kernel: 1, stride: 2, from: input}"
    assert codes(spec("[24, 56, 56]", *block[:3], strided, "{type: add, from: [proj, s]}")) == ["NS109"]
    # The near miss: 57 is no multiple of 29, and U-Net's crop is the advice.
    (d,) = lint(spec("[24, 57, 57]", *block))
    assert d.help is not None and d.help.startswith("no automatic fix: crop input to 29×29")


def test_ns106_offers_to_reshape_a_flat_gate_of_the_maps_channels() -> None:
    # Squeeze-and-excitation whose dense layers give a flat 64: PyTorch would scale the
    # columns (64×8×8 · 64 broadcasts along the last dimension), not the channels.
    se = [
        "{type: conv, name: c, filters: 64, kernel: 3, padding: 1}",
        "{type: adaptive_avgpool, output_size: 1}",
        "{type: flatten}",
        "{type: dense, units: 16}",
        "{type: dense, name: fc2, units: 64, activation: sigmoid}",
        "{type: multiply, from: [c, fc2]}",
    ]
    (d,) = lint(spec("[64, 8, 8]", *se))
    assert d.code == "NS106" and d.help is not None
    assert d.help.endswith("; reshape fc2 to a gate of 64×1×1 first: `{type: reshape, shape: [64, 1, 1]}`")
    # Which is right: with the reshape, the product is the map's shape.
    fixed = [*se[:5], "{type: reshape, name: gate, shape: [64, 1, 1]}", "{type: multiply, from: [c, gate]}"]
    assert codes(spec("[64, 8, 8]", *fixed)) == []
    # The near miss: a flat input of another size is no gate of these channels.
    (d,) = lint(spec("[64, 8, 8]", *se[:4], "{type: dense, name: fc2, units: 32}", se[5]))
    assert d.help is not None and d.help.endswith("make a gate of C×1×1 with `adaptive_avgpool` and `output_size: 1`")


def test_ns106_says_when_pytorch_would_broadcast_an_add() -> None:
    def help_of(*layers: str) -> str:
        (diagnostic,) = [d for d in lint(spec("[4, 6, 6]", *layers)) if d.code == "NS106"]
        return diagnostic.help or ""

    # 4×6×6 + 4×1×1: PyTorch broadcasts the pooled branch (a global-context sum).
    pooled = help_of("{type: adaptive_avgpool, output_size: 1, name: g}", "{type: add, from: [input, g]}")
    assert "broadcast these to 4×6×6" in pooled and "`upsample` g with `size: [6, 6]` first" in pooled
    # 4×6×1 + 4×1×6: both branches need the upsample.
    rows_and_columns = help_of(
        "{type: adaptive_avgpool, output_size: [6, 1], name: r}",
        "{type: adaptive_avgpool, output_size: [1, 6], name: c, from: input}",
        "{type: add, from: [r, c]}",
    )
    assert "`upsample` r and c with `size: [6, 6]` first" in rows_and_columns
    # 4×6×6 + 1×6×6 broadcasts over channels, which no upsample repeats.
    channels = help_of("{type: conv, filters: 1, kernel: 1, name: c}", "{type: add, from: [input, c]}")
    assert "broadcast these to 4×6×6" in channels and "upsample" not in channels
    # Near miss: 6 − 3 + 1 = 4 against 6 does not broadcast.
    shrunk = help_of("{type: conv, filters: 4, kernel: 3, name: c}", "{type: add, from: [input, c]}")
    assert shrunk == "no automatic fix: crop input to 4×4 (`{type: crop, size: [4, 4]}`), or pad the smaller branches"


def test_ns106_names_the_crop_that_makes_the_branches_agree() -> None:
    # U-Net: the upsampled branch is (278 − 1)·2 + 2 = 556, the skip 558 on one side, 560 on the other.
    text = spec(
        "[8, 278, 278]",
        "{type: conv_transpose, name: up, filters: 4, kernel: 2, stride: 2}",
        "{type: pad, name: skip, padding: [[140, 140], [141, 141]], from: input}",
        "{type: conv, name: s, filters: 4, kernel: 1}",
        "{type: concat, from: [up, s]}",
    )
    (d,) = [d for d in lint(text) if d.code == "NS106"]
    assert d.help == (
        "no automatic fix: crop s to 556×556 (`{type: crop, size: [556, 556]}`), or pad the smaller branches"
    )
    # A branch named twice is cropped once; an add whose sizes and channels differ needs both.
    (d,) = [d for d in lint(text.replace("[up, s]", "[s, up, s]")) if d.code == "NS106"]
    assert d.help is not None and d.help.startswith("no automatic fix: crop s to 556×556 (")
    added = text.replace("concat", "add").replace("filters: 4, kernel: 1", "filters: 2, kernel: 1")
    (d,) = [d for d in lint(added) if d.code == "NS106"]
    assert d.help == (
        "no automatic fix: crop s to 556×556 (`{type: crop, size: [556, 556]}`), or pad the smaller branches; "
        "and project the branches to the same channels (a 1×1 conv, as ResNet's projection shortcut)"
    )
    # The near miss: only the channels differ (4 and 8), which an add needs equal: a projection.
    (d,) = [
        d for d in lint(spec("[8, 6, 6]", "{type: conv, filters: 4, kernel: 1}", "{type: add, from: [input, conv1]}"))
    ]
    assert (
        d.help
        == "no automatic fix: project the branches to the same channels (a 1×1 conv, as ResNet's projection shortcut)"
    )


def test_ns102_help_says_what_the_padding_gives_where_one_dimension_is_strided() -> None:
    # Height: 8 − 3 + 2·1 + 1 = 8 kept; width, stride 2: (8 − 2 + 2·0)/2 + 1 = 4, as before.
    (mixed,) = lint(spec("[1, 8, 8]", "{type: avgpool, kernel: [3, 2], stride: [1, 2]}"))
    assert mixed.help == "padding [1, 0] gives 8×4 (P = D·(F − 1)/2)"
    # The near miss: stride 1 everywhere, 8 − 3 + 2·1 + 1 = 8 in both, keeps the input's size.
    (square,) = lint(spec("[1, 8, 8]", "{type: avgpool, kernel: 3, stride: 1}"))
    assert square.help == "padding 1 keeps 8×8 (P = D·(F − 1)/2)"


def _distinct_skipping_convs(layers: int) -> str:
    """Convolutions of kernel k, stride k + 1 and dilation 2 on 1,200 positions, k from 100 down
    by 2: each skips positions, and each is a window of its own to count."""
    convs = [
        f"{{type: conv, filters: 1, kernel: {k}, stride: {k + 1}, dilation: 2, from: input}}"
        for k in range(100, 100 - 2 * layers, -2)
    ]
    return spec("[1, 1200]", *convs)


def test_counting_what_windows_read_is_bounded_per_file(monkeypatch: pytest.MonkeyPatch) -> None:
    # A spec of a few lines can hold thousands of distinct windows, each costly to count: the
    # steps are budgeted per file, the analyses judging its fixes included, and a window past
    # the budget gets the estimate ("about"), as one past its own limit does. Counting the
    # first window takes its 198 taps that reach the edges, its 100 residues for the middle,
    # and 3 steps' worth of marks: 301 steps; the second 294, the third 288. 600 afford two.
    text = _distinct_skipping_convs(10)
    exact = [d.message for d in lint(text) if d.code == "NS109"]
    assert len(exact) == 10 and not any("about" in message for message in exact)  # the near miss
    monkeypatch.setattr(arithmetic.CountingBudget.__init__, "__defaults__", (600,))
    marked: list[int] = []
    real = arithmetic._marked

    def counting(window: Window) -> Reading:
        marked.append(window.kernel)
        return real(window)

    monkeypatch.setattr(arithmetic, "_marked", counting)
    budgeted = [d.message for d in lint(text) if d.code == "NS109"]
    assert marked == [100, 98]
    assert budgeted[:2] == exact[:2]
    assert budgeted[2:] == [message.replace("reads only ", "reads only about ") for message in exact[2:]]


def test_what_one_rule_counts_does_not_depend_on_what_another_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    # NS101 counts the dropped positions a circular padding copies, NS107's fix what a padded
    # window would read, NS109 what the windows read: each kind of count has a budget of its
    # own, so NS109 says the same whether the others ran or not.
    monkeypatch.setattr(arithmetic.CountingBudget.__init__, "__defaults__", (600,))
    # First a circular conv that drops (1200 + 2 − 96) mod 3 − 1 = 1 position, whose copies
    # NS101 counts in 96 steps (a tap each): past them, 504 of 600 would count NS109's first
    # window (301 steps) but not its second (294).
    circular = "{type: conv, filters: 1, kernel: 96, stride: 3, padding: 1, padding_mode: circular, from: input}"
    text = spec("[1, 1200]", circular) + _distinct_skipping_convs(3).split("layers:\n", 1)[1]
    every = [d for d in lint(text, Settings(select=("ALL",))) if d.code == "NS109"]
    alone = [d for d in lint(text, Settings(select=("NS109",))) if d.code == "NS109"]
    assert [d.message for d in alone] == [d.message for d in every]
    assert any("about" in d.message for d in alone) and any("about" not in d.message for d in alone)


def test_windows_stepping_over_the_input_are_counted_within_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # Taps D = 10 apart on 9 positions, padded 10·(F − 1): every window holds one tap at most
    # on the input, and counting the windows that step over it takes a step per tap reaching
    # it (9 here). A budget of 20 counts two such windows; the others are not said to step over.
    monkeypatch.setattr(arithmetic.CountingBudget.__init__, "__defaults__", (20,))
    counted: list[int | None] = []
    real = Window.windows_stepping_over

    def recording(window: Window) -> int | None:
        stepping_over = real(window)
        if window.dilation == 10:  # the convs', not the pools'
            counted.append(stepping_over)
        return stepping_over

    monkeypatch.setattr(Window, "windows_stepping_over", recording)
    convs = [
        f"{{type: conv, filters: 1, kernel: {f}, dilation: 10, padding: {10 * (f - 1)}, from: input}}"
        for f in range(20, 26)
    ]
    codes(spec("[1, 9]", *convs), Settings(select=("NS109",)))
    assert len([n for n in counted if n]) == 2 and None in counted
    # The near miss: with room for all, all are counted, each once, though the file's fixes
    # (a pool's padding past half its window, NS107) analyse it again: a count takes a step
    # per position here (more taps than positions reach it), so 6 · 9.
    monkeypatch.setattr(arithmetic.CountingBudget.__init__, "__defaults__", (10**6,))
    counted.clear()
    steps: list[int] = []
    real_step = Window._pairs_reading

    def stepping(window: Window, position: int) -> int:
        steps.append(position)
        return real_step(window, position)

    monkeypatch.setattr(Window, "_pairs_reading", stepping)
    pools = ["{type: maxpool, kernel: 2, padding: 2, from: input}"] * 2
    codes(spec("[1, 9]", *convs, *pools), Settings(select=("NS109",)))
    assert None not in counted and all(counted)
    assert len(counted) > 6 and len(steps) == 6 * 9  # asked in every analysis, counted once


def test_ns109_reports_windows_that_all_lie_in_the_padding_before_the_input() -> None:
    # One position, kernel 2, stride 2, 2 before: the one window reads −2 and −1, and the
    # position (NS101's, after the last window) is read by none.
    layer = "{type: conv, filters: 1, kernel: 2, stride: 2, padding: [[2, 0]]}"
    (d,) = [d for d in lint(spec("[1, 1]", layer)) if d.code == "NS109"]
    assert d.severity is Severity.ERROR
    assert d.message == "conv1: every window lies in the padding; the layer reads none of its input"
    # A pad layer's padding too; and on a map, the dimension is named: 1 row, 3 before, kernel
    # 3, stride 2, windows from −3 (1 + 3 − 3)//2 + 1 = 1; the columns are read.
    behind = [d.code for d in lint(spec("[1, 1]", "{type: pad, padding: [[2, 0]]}", layer.replace("[[2, 0]]", "0")))]
    assert "NS109" in behind
    (d,) = [
        d
        for d in lint(spec("[8, 1, 7]", "{type: conv, filters: 4, kernel: 3, stride: 2, padding: [[3, 0], [1, 1]]}"))
        if d.code == "NS109"
    ]
    assert d.message == "conv1: every window lies in the padding along the rows; the layer reads none of its input"
    # The near miss: 1 before, the window reads −1 and 0.
    assert "NS109" not in codes(spec("[1, 1]", layer.replace("[[2, 0]]", "[[1, 0]]")))


@pytest.mark.parametrize(
    ("input_shape", "layers", "code", "axes"),
    [
        # Rows (8 − 3)/2 leaves 1 unread; columns (9 − 3)/2 = 3 divide.
        ("[1, 8, 9]", ["{type: conv, filters: 1, kernel: 3, stride: 2}"], "NS101", {0}),
        # Rows keep 8 under a kernel of 1; columns 8 − 3 + 1 = 6.
        ("[1, 8, 8]", ["{type: conv, filters: 1, kernel: [1, 3]}"], "NS102", {1}),
        # Transposed, stride 1: (8 − 1) − 2P + 2 + 1 keeps 8 with P = 1, gives 6 with P = 2.
        ("[1, 8, 8]", ["{type: conv_transpose, filters: 1, kernel: 3, padding: [1, 2]}"], "NS102", {1}),
        # Behind a pad of the columns alone: rows 8 − 3 + 1 = 6, columns 8 + 2 − 3 + 1 = 8.
        ("[1, 8, 8]", ["{type: pad, padding: [[0, 0], [1, 1]]}", "{type: conv, filters: 1, kernel: 3}"], "NS102", {0}),
        # Rows padded 3 ≥ 3 before: the first window, −3 to −1, reads padding; columns not.
        ("[1, 8, 8]", ["{type: conv, filters: 1, kernel: 3, padding: [[3, 0], [1, 1]]}"], "NS107", {0}),
        # Rows (8 + 2 − 3)/2 leave 1, within the padding after; columns (9 + 2 − 3)/2 = 4.
        ("[1, 8, 9]", ["{type: conv, filters: 1, kernel: 3, stride: 2, padding: 1}"], "NS113", {0}),
        # Rows: a window of 1 every 2 rows; columns every one.
        ("[1, 8, 8]", ["{type: conv, filters: 1, kernel: 1, stride: [2, 1]}"], "NS109", {0}),
        # Reading none of its input (every column window in the padding) is the whole layer's.
        (
            "[1, 9, 3]",
            ["{type: conv, filters: 1, kernel: [1, 5], stride: [3, 4], padding: [[0, 0], [5, 0]]}"],
            "NS109",
            None,
        ),
        # Columns: 1 position under taps 4 apart, padded 4: windows from −4 to 0, of which
        # the 3 starting at −3, −2 and −1 step over it. Rows: a kernel of 1 reads every one.
        ("[1, 4, 1]", ["{type: conv, filters: 1, kernel: [1, 2], dilation: [1, 4], padding: [0, 4]}"], "NS109", {1}),
        # 8 − 3 + 1 = 6 rows where 8 were expected: the expect's axis 1 (0 is the channels).
        ("[1, 8, 8]", ["{type: conv, filters: 4, kernel: [3, 1], expect: [4, 8, 8]}"], "NS108", {1}),
        ("[1, 8, 8]", ["{type: conv, filters: 4, kernel: [3, 1], expect: [2, 6, 8]}"], "NS108", {0}),
        # An expect of another rank differs in the axes only one of them has.
        ("[1, 8, 8]", ["{type: conv, filters: 4, kernel: [3, 1], expect: [4, 6]}"], "NS108", {2}),
    ],
)
def test_a_problem_is_in_the_axes_it_names(
    input_shape: str, layers: list[str], code: str, axes: set[int] | None
) -> None:
    (found,) = [d for d in lint(spec(input_shape, *layers), Settings(select=("ALL",))) if d.code == code]
    assert found.axes == (None if axes is None else frozenset(axes))


def test_ns109_names_the_dimension_whose_windows_all_lie_in_the_padding() -> None:
    # Rows: a window of 1 every 3 skips two of three. Columns: 3 + 5 − 5 = 3, so (3)/4 + 1 = 1
    # window, from −5 to −1: in the padding, where PyTorch's input gradient is all zeros.
    layer = "{type: conv, filters: 1, kernel: [1, 5], stride: [3, 4], padding: [[0, 0], [5, 0]]}"
    (d,) = [d for d in lint(spec("[1, 9, 3]", layer)) if d.code == "NS109"]
    assert d.message == (
        "conv1: stride 3 > window 1 along the rows; the layer reads none of its input, "
        "every window lying in the padding along the columns"
    )
    # The near miss: 4 before, the window from −4 to 0 reads column 0, and the rows' skip is
    # a warning.
    (d,) = [d for d in lint(spec("[1, 9, 3]", layer.replace("[5, 0]", "[4, 0]"))) if d.code == "NS109"]
    assert d.severity is Severity.WARNING and "reads none" not in d.message


def test_ns109_reports_windows_whose_taps_step_over_the_whole_input() -> None:
    # 2 positions, kernel 2 with dilation 3, padded 2: (2 + 4 − 4) + 1 = 3 windows, from −2,
    # −1 and 0. Their taps: −2 and 1; −1 and 2; 0 and 3. The middle one reads neither 0 nor 1,
    # and padding 2 < the effective kernel 4 leaves it to NS109, not NS107.
    layer = "{type: conv, filters: 1, kernel: 2, dilation: 3, padding: 2}"
    found = {d.code: d for d in lint(spec("[1, 2]", layer))}
    assert "NS107" not in found
    assert found["NS109"].message == (
        "conv1: 1 of its 3 windows reads only padding, its taps 3 apart stepping over both input positions"
    )
    assert found["NS109"].severity is Severity.WARNING
    # The near miss: taps 2 apart, no further apart than the input is long. The 4 windows,
    # from −2 to 1, have taps −2 and 0, −1 and 1, 0 and 2, 1 and 3: each reads a position.
    assert "NS109" not in codes(spec("[1, 2]", layer.replace("dilation: 3", "dilation: 2")))
    # Beside a dimension that skips, each is named: rows 0, 2, 4 and 6 of 8 under stride 2;
    # columns as in the axes table above, 3 of the 5 windows.
    layer = "{type: conv, filters: 1, kernel: [1, 2], stride: [2, 1], dilation: [1, 4], padding: [0, 4]}"
    (d,) = [d for d in lint(spec("[1, 8, 1]", layer)) if d.code == "NS109"]
    assert d.message == (
        "conv1: stride 2 > window 1 along the rows, and 3 of its 5 windows read only padding, their taps 4 apart "
        "stepping over the input position along the columns; the layer reads only 1/2 of its input"
    )
    assert d.help is not None and d.help.endswith(
        "; use a dilation no larger than the input's size along the columns, so that no window's taps step over it"
        "; where skipping is the design, add `# noqa: NS109`"
    )


def test_ns109_counts_the_windows_stepping_over_the_input_with_the_pads_that_feed_them() -> None:
    # 5 positions, padded 3 + 1 before and 2 + 1 after, taps 6 apart: (5 + 7 − 7) + 1 = 6
    # windows, from −4 to 1. The one from −1 has taps −1 and 5, both outside 0–4.
    layers = ("{type: pad, padding: [[3, 2]]}", "{type: conv, filters: 1, kernel: 2, dilation: 6, padding: 1}")
    (d,) = [d for d in lint(spec("[1, 5]", *layers)) if d.code == "NS109"]
    assert d.message == (
        "conv2: 1 of its 6 windows reads only padding, its taps 6 apart stepping over all 5 input positions"
    )
    # The near miss: taps 5 apart, no further apart than the input is long.
    assert "NS109" not in codes(spec("[1, 5]", layers[0], layers[1].replace("dilation: 6", "dilation: 5")))


def test_ns109_help_for_a_stride_past_the_window_offers_noqa_for_a_published_shortcut() -> None:
    # ResNet's 1×1 stride-2 shortcut reads 1 pixel in 4 by design: the help says how to keep it.
    (d,) = [
        d for d in lint(spec("[64, 56, 56]", "{type: conv, filters: 128, kernel: 1, stride: 2}")) if d.code == "NS109"
    ]
    assert d.help == (
        "use a kernel at least as large as the stride, or average-pool before a stride-1 layer (ResNet-D); "
        "where skipping is the design, add `# noqa: NS109`"
    )
    # With a dilation that shares a factor with the stride, the help names it too.
    layer = "{type: conv, filters: 1, kernel: 3, stride: 2, dilation: 2, padding: 2}"
    (d,) = [d for d in lint(spec("[1, 16, 16]", layer)) if d.code == "NS109"]
    assert d.help == (
        "use a kernel at least as large as the stride and a dilation that shares no factor with it, or "
        "average-pool before a stride-1 layer (ResNet-D); where skipping is the design, add `# noqa: NS109`"
    )
    # The near miss: holes at the edges alone are not a design anyone publishes.
    (d,) = [
        d
        for d in lint(spec("[1, 29]", "{type: conv, filters: 1, kernel: 3, stride: 3, dilation: 2}"))
        if d.code == "NS109"
    ]
    assert "noqa" not in (d.help or "")


def test_ns109_help_gives_dilation_1_alone_where_more_padding_would_step_over_the_input() -> None:
    # Rows: 29, kernel 3 with dilation 2 and stride 3, never read 1 and 27 (as above). Columns:
    # 1 position, kernel 2 with dilation 4, padded 4: 3 of the 5 windows step over it. Padding
    # the edges would add windows stepping over the columns; dilation 1 cures both.
    layer = "{type: conv, filters: 1, kernel: [3, 2], stride: [3, 1], dilation: [2, 4], padding: [0, 4]}"
    (d,) = [d for d in lint(spec("[1, 29, 1]", layer)) if d.code == "NS109"]
    assert "3 of its 5 windows read only padding" in d.message
    assert d.help == "use dilation 1"
    # The near miss: without the columns' stepping over, padding the rows' edges would help.
    (d,) = [d for d in lint(spec("[1, 29, 1]", layer.replace("[2, 4]", "[2, 1]"))) if d.code == "NS109"]
    assert d.help == "use dilation 1, or pad the edges, which only windows that start in the padding read"


def test_ns103_and_ns107_fixes_give_a_growing_stride_1_dimension_its_size_back() -> None:
    # Each fix leaves no growth (NS102) behind, so it is safe, and --fix applies it.
    cases = [
        # Rows 3 − 5 + 2·2 + 1 = 3; columns 8 − 3 + 2·1 + 1 = 8, where 2 would give 10.
        ("[3, 3, 8]", "{type: conv, filters: 4, kernel: [5, 3], padding: [0, 2]}", "NS103", [2, 1]),
        # 8 + 1 − 2 + 1 = 8; the clamp to 2//2 = 1 would give 8 + 2 − 2 + 1 = 9.
        ("[3, 8, 8]", "{type: maxpool, kernel: 2, stride: 1, padding: 2}", "NS107", [[0, 1], [0, 1]]),
        # Rows 2 + 2 − 3 + 1 = 2, columns 9 + 2 − 3 + 1 = 9; [1, 2] would grow the columns to 11.
        ("[2, 2, 9]", "{type: conv, filters: 2, kernel: 3, padding: 2, padding_mode: reflect}", "NS107", 1),
    ]
    for shape, layer, code, value in cases:
        (d,) = lint(spec(shape, layer))
        assert (d.code, d.fix is not None and d.fix.edits[0].value) == (code, value)
        assert d.applicability is not None and d.applicability.value == "safe"


def test_ns107_adds_the_padding_of_the_pad_layers_before_the_conv() -> None:
    # 8 positions, 4 before from the pad: the first window, −4 to −2, lies in the padding.
    # Below the effective kernel 3 is at most 2 a side.
    layers = ["{type: pad, padding: 4}", "{type: conv, filters: 1, kernel: 3, stride: 2}"]
    (d,) = lint(spec("[1, 8]", *layers), NS107_ONLY)
    assert d.message == (
        "conv2, with pad1 before it: padding 4 ≥ the effective kernel 3, so the outermost outputs see only padding"
    )
    assert d.help == "keep the padding of pad1 and conv2 together below the effective kernel: at most 2 on a side"
    # Which of the two paddings to change is the user's to say.
    assert d.fix is None
    # A pad of the rows alone has no part in the columns' excess, the conv's own padding
    # 3 ≥ 3: that is clamped to 2, as without the pad.
    rows = ["{type: pad, padding: [[1, 1], [0, 0]]}", "{type: conv, filters: 1, kernel: 3, padding: [0, 3], stride: 2}"]
    (d,) = lint(spec("[1, 8, 8]", *rows), NS107_ONLY)
    assert d.message.startswith("conv2: padding 3 ≥ the effective kernel 3 along the columns")
    assert d.fix is not None and d.fix.edits[0].value == [0, 2]
    # The near miss: 2 before, the first window, −2 to 0, reads position 0.
    assert lint(spec("[1, 8]", "{type: pad, padding: 2}", layers[1]), NS107_ONLY) == []
    # Behind a groupnorm, the padding holds the map's statistics: the conv is judged alone.
    assert lint(spec("[1, 8]", layers[0], "{type: groupnorm, groups: 1}", layers[1]), NS107_ONLY) == []


def test_ns107_leaves_padding_alone_that_no_window_reaches() -> None:
    # Stride 2 on 8, 1 before and 3 after: (8 + 4 − 3)//2 + 1 = 5 windows, the last starting at
    # 4·2 − 1 = 7, on the input. The 3 after are never read, and no output is made of padding.
    layer = "{type: conv, filters: 4, kernel: 3, stride: 2, padding: [[1, 3], [1, 3]]}"
    assert "NS107" not in codes(spec("[3, 8, 8]", layer))
    # The near miss: 3 before, where the first window, −3 to −1, lies in the padding.
    assert "NS107" in codes(spec("[3, 8, 8]", layer.replace("[[1, 3], [1, 3]]", "[[3, 1], [3, 1]]")))
    # A dilated window can span the input with every tap in the padding: on 3 positions,
    # taps 5 apart from −11 read −11, −6 and −1; the clamp to 10 makes them −10, −5 and 0.
    dilated = "{type: conv, filters: 1, kernel: 3, stride: 2, dilation: 5, padding: [[11, 6]]}"
    (d,) = lint(spec("[1, 3]", dilated), NS107_ONLY)
    assert d.message == "conv1: padding 11 ≥ the effective kernel 11, so the outermost outputs see only zeros"
    assert d.fix is not None and d.fix.edits[0].value == [[10, 6]]
    # The near miss: 6 before and 11 after. The first window's taps, −6, −1 and 4, step over
    # the input too, but padding 6 is no wider than the window, and the last window reads
    # position 2 (its taps 2, 7 and 12): the 11 after are not what blinds anything.
    assert "NS107" not in codes(spec("[1, 3]", dilated.replace("[[11, 6]]", "[[6, 11]]")))


def test_ns109_counts_what_the_windows_read_on_a_small_input() -> None:
    # A 1×1 stride-2 projection of 7×7 reads rows and columns 0, 2, 4 and 6: 16 of 49.
    (d,) = lint(spec("[64, 7, 7]", "{type: conv, filters: 128, kernel: 1, stride: 2}"))
    assert d.code == "NS109" and d.message.endswith("the layer reads only 16/49 of its input")
    # The near miss: on a 1×1 input the one window reads the one position, whatever the
    # stride, so nothing is skipped.
    assert codes(spec("[8, 1, 1]", "{type: conv, filters: 8, kernel: 1, stride: [3, 4]}")) == []


def test_ns109_judges_an_uncounted_layer_skipping_only_where_it_surely_does() -> None:
    # Kernel 1, stride 4, reflect padding 1 on 10⁸ positions: too many to mark, but positions
    # 4i + 1 to 4i + 3 in the middle are surely unread, none of them a copy.
    layer = "{type: conv, filters: 1, kernel: 1, stride: 4, padding: 1, padding_mode: reflect}"
    (d,) = [d for d in lint(spec("[1, 100000002]", layer)) if d.code == "NS109"]
    assert d.message.startswith("conv1: stride 4 > window 1;")
    # The near miss: one window of 10⁷ + 1 taps over as many positions reads them all, though
    # stride 2·10⁷ > the window; too many taps to step through, and no period fits between
    # the edges, so nothing is said.
    layer = "{type: conv, filters: 1, kernel: 10000001, stride: 20000000}"
    assert "NS109" not in codes(spec("[1, 10000001]", layer))


def test_ns109_counts_windows_of_many_taps_that_reach_the_edges_sparsely() -> None:
    # Kernel 150,000, stride 300,000: on 450,000 positions, 2 windows read 0–149,999 and
    # 300,000–449,999, 300,000 of 450,000 (2/3); on 3,150,000, 11 windows read 11·150,000 =
    # 1,650,000 (11/21). 150,000 taps reach each edge, one mark each.
    layer = "{type: conv, filters: 1, kernel: 150000, stride: 300000}"
    (d,) = [d for d in lint(spec("[1, 450000]", layer)) if d.code == "NS109"]
    assert d.message.endswith("reads only 2/3 of its input")
    (d,) = [d for d in lint(spec("[1, 3150000]", layer)) if d.code == "NS109"]
    assert d.message.endswith("reads only 11/21 of its input")
    # Too many taps to step through (2·10⁶ at each edge), but the gap between the first two
    # windows, 2,000,000–3,999,999, is surely unread: said, with an estimated share.
    layer = "{type: conv, filters: 1, kernel: 2000000, stride: 4000000}"
    (d,) = [d for d in lint(spec("[1, 10000000]", layer)) if d.code == "NS109"]
    assert d.message == "conv1: stride 4000000 > window 2000000; the layer reads only about 1/2 of its input"


def test_ns109_counts_one_window_by_its_taps_and_estimates_past_counting() -> None:
    # Too large to mark, but one window (K = 2·1,073,741,823 + 1 = W) of 3 taps reads 3 of the
    # 2³¹ − 1 positions, not the periodic 3 of every S = 1,073,741,822.
    layer = "{type: conv, filters: 1, kernel: 3, dilation: 1073741823, stride: 1073741822}"
    (d,) = [d for d in lint(spec("[1, 2147483647]", layer)) if d.code == "NS109"]
    assert d.message.endswith("reads only 3/2,147,483,647 (under 0.0001%) of its input")
    # The near miss: with many windows, uncounted (a reflection is marked whole, and this
    # input is long), the share is the periodic one, 1 of every 2.
    layer = "{type: conv, filters: 1, kernel: 1, stride: 2, padding: 1, padding_mode: reflect}"
    (d,) = [d for d in lint(spec("[1, 2147483647]", layer)) if d.code == "NS109"]
    assert d.message.endswith("reads only about 1/2 of its input")


def test_ns109_counts_the_positions_a_dilated_stride_reads() -> None:
    # Taps at 2i + 2j − 2: even positions only, along both dimensions: 1/2 · 1/2 = 1/4.
    (grid,) = lint(spec("[3, 32, 32]", "{type: conv, filters: 4, kernel: 3, stride: 2, dilation: 2, padding: 2}"))
    assert (grid.code, grid.message) == (
        "NS109",
        "conv1: stride 2 with kernel 3 and dilation 2 reads 1 of every 2 positions along the rows and columns; "
        "the layer reads only 1/4 of its input",
    )
    # Every position is read only when F ≥ S and gcd(S, D) = 1: here the dilation must change.
    assert grid.help is not None and "a dilation that shares no factor with it" in grid.help
    # 1-D, taps at 3i and 3i + 2 (window 3 = stride): positions 3i + 1 are never read. (30 − 3)/3 + 1 = 10.
    (holes,) = lint(spec("[1, 30]", "{type: conv, filters: 4, kernel: 2, stride: 3, dilation: 2}"))
    assert (
        holes.message
        == "conv1: stride 3 with kernel 2 and dilation 2 reads 2 of every 3 positions; the layer reads only 2/3 of "
        "its input"
    )
    # gcd(3, 2) = 1: a third tap would read everything, and the dilation may stay.
    assert holes.help is not None and "dilation" not in holes.help
    # Window 3 < stride 5, and of it only taps 5i and 5i + 2 read, 2 of every 5 positions.
    # (28 − 3)/5 + 1 = 6 windows read 0, 2, 5, 7, …, 25, 27: 12 of the 28, 3/7 (not 2/5, the
    # share away from the edges).
    (gap,) = lint(spec("[1, 28]", "{type: conv, filters: 4, kernel: 2, stride: 5, dilation: 2}"))
    assert gap.message == "conv1: stride 5 > window 3; the layer reads only 3/7 of its input"
    # Taps 3i, 3i + 2 and 3i + 4 reach every residue of 3, but not the edges: window 0 reads 0,
    # 2 and 4, window 1 3, 5 and 7, so none reads 1; (29 − 5)/3 + 1 = 9 windows, the last
    # reading 24, 26 and 28, the one before 21, 23 and 25: none reads 27. 27 of 29 are read.
    (edges,) = lint(spec("[1, 29]", "{type: conv, filters: 4, kernel: 3, stride: 3, dilation: 2}"))
    assert edges.message == (
        "conv1: kernel 3 with dilation 2 and stride 3 never reads input positions 1 and 27 (from 0); "
        "the layer reads only 27/29 of its input"
    )
    assert edges.help == "use dilation 1, or pad the edges, which only windows that start in the padding read"
    # Stride 1, fewer outputs than the dilation: padded 'same' by (4·1)/2 = 2 on 3 positions,
    # 3 + 4 − 4 = 3 outputs, whose taps i − 2 and i + 2 (i = 0, 1, 2) read 0 and 2, never 1;
    # those of window 1, −1 and 3, step over all 3 positions.
    same = "{type: conv, filters: 4, kernel: 2, dilation: 4, padding: same}"
    (middle,) = lint(spec("[1, 3]", same))
    assert middle.message == (
        "conv1: kernel 2 with dilation 4 and stride 1 never reads input position 1 (from 0), and 1 of its 3 "
        "windows reads only padding, its taps 4 apart stepping over all 3 input positions; "
        "the layer reads only 2/3 of its input"
    )
    # On 2 positions, 2 outputs, taps −2, 2, −1 and 3: all in the padding, an error.
    (none,) = lint(spec("[1, 2]", same))
    assert none.message.endswith(
        "never reads input positions 0–1 (from 0); the layer reads none of its input, every window lying in the padding"
    )
    assert (none.severity, none.help) == (Severity.ERROR, "use dilation 1, whose windows are contiguous")
    # Undilated, a window of 1 padded 3 on 2 positions: (2 + 6 − 1)//10 + 1 = 1 window, at −3.
    (_, padded) = lint(spec("[1, 2]", "{type: conv, filters: 1, kernel: 1, padding: 3, stride: 10}"))
    assert (padded.code, padded.severity, padded.help) == ("NS109", Severity.ERROR, "use less padding")
    # A max pool padded 1 on 3 gives 3 + 2 − 5 + 1 = 1 output, taps −1 and 3: PyTorch gives
    # -inf. On 5, 3 outputs read 0, 1, 3 and 4, not 2; padded 1, half its kernel of 2, the
    # pool takes no more, so the help only changes the dilation.
    pool = "{type: maxpool, kernel: 2, dilation: 4, padding: 1, stride: 1}"
    assert [(d.code, d.severity) for d in lint(spec("[1, 3]", pool))] == [
        ("NS102", Severity.WARNING),
        ("NS109", Severity.ERROR),
    ]
    (_, holed) = lint(spec("[1, 5]", pool))
    assert holed.message.endswith("never reads input position 2 (from 0); the layer reads only 4/5 of its input")
    assert (holed.severity, holed.help) == (Severity.WARNING, "use dilation 1")
    # The near miss: on 4, 4 outputs, as many as the dilation, read −2 to 5, every position.
    assert lint(spec("[1, 4]", same)) == []
    # Per dimension, each phrase with the dimensions it holds for: on 20 rows, (20 − 5)//3 + 1 = 6
    # windows read 3i, 3i + 2 and 3i + 4, up to 19, and miss 1 and 18; 27·18·27 of 29·20·29.
    (volume,) = lint(spec("[1, 29, 20, 29]", "{type: conv, filters: 4, kernel: 3, stride: 3, dilation: 2}"))
    edges_of = "kernel 3 with dilation 2 and stride 3 never reads input positions"
    assert volume.message == (
        f"conv1: {edges_of} 1 and 27 (from 0) along the slices and columns, and {edges_of} 1 and 18 (from 0) "
        "along the rows; the layer reads only 6,561/8,410 (78%) of its input"
    )
    # 6561/8410 = 0.7801. On 2,003 = 3·666 + 5 positions, as on 29 = 3·8 + 5, only 1 and
    # 2,001 go unread: 2,001/2,003 = 0.99900, which one decimal keeps off 100%.
    (long,) = lint(spec("[1, 2003]", "{type: conv, filters: 4, kernel: 3, stride: 3, dilation: 2}"))
    assert long.message.endswith(
        "positions 1 and 2,001 (from 0); the layer reads only 2,001/2,003 (99.9%) of its input"
    )
    # Past six runs of unread positions, the rest are counted. Taps 0, 100 and 200, stride 3,
    # 34 windows: each tap reads every third position of its own hundred, 102 of 300, and the
    # 2 after each goes unread: 1–2, 4–5, … 298.
    window = Window(300, 3, 3, 100, 0, 0)
    taps = {3 * i + 100 * j for i in range(window.output) for j in range(3)}
    unread = [p for p in range(300 - window.dropped) if p not in taps]
    holes = window.edge_holes()
    assert holes is not None and holes.total == len(unread) == 3 * 66
    assert _edge_gap(window, holes).endswith(
        f"never reads input positions 1–2, 4–5, 7–8, 10–11, 13–14, 16–17 and {len(unread) - 12} more (from 0)"
    )
    # The near miss: padded 2 on 28, window i reads 3i − 2, 3i and 3i + 2, for i from 0 to
    # (28 + 4 − 5)/3 = 9: every position from 0 to 29.
    assert codes(spec("[1, 28]", "{type: conv, filters: 4, kernel: 3, stride: 3, dilation: 2, padding: 2}")) == []


def test_ns113_is_off_by_default_and_fires_when_selected() -> None:
    stem = spec("[3, 224, 224]", "{type: conv, filters: 64, kernel: 7, stride: 2, padding: 3}")
    assert codes(stem) == []
    assert codes(stem, Settings(extend_select=("NS113",))) == ["NS113"]
    # A prefix does not enable a rule that is off by default.
    assert codes(stem, Settings(select=("NS1",))) == []
    exact = spec("[3, 225, 225]", "{type: conv, filters: 64, kernel: 7, stride: 2, padding: 3}")
    assert codes(exact, Settings(extend_select=("NS113",))) == []


def test_ns113_speaks_of_several_dimensions_in_the_plural() -> None:
    # Rows (8 − 3 + 2·1)/2 + 1 = 4.5 and columns (10 − 3 + 2·1)/2 + 1 = 5.5; the last window
    # starts at 3·2 − 1 = 5 (rows 5-7) and 4·2 − 1 = 7 (columns 7-9): only padding is dropped.
    pool = "{type: maxpool, kernel: 3, stride: 2, padding: 1}"
    (d,) = lint(spec("[1, 8, 10]", pool), Settings(extend_select=("NS113",)))
    assert d.message == (
        "maxpool1: rows: (8 − 3 + 2·1)/2 + 1 = 4.5; columns: (10 − 3 + 2·1)/2 + 1 = 5.5 are not integers; "
        "PyTorch floors them and drops only padding, so the effective padding is asymmetric"
    )
    # The near miss: a square input, one formula, in the singular.
    (d,) = lint(spec("[1, 8, 8]", pool), Settings(extend_select=("NS113",)))
    assert d.message.startswith("maxpool1: (8 − 3 + 2·1)/2 + 1 = 4.5 is not an integer; PyTorch floors it and")


@pytest.mark.parametrize("live_layers", [1, 2])
def test_ns003_in_a_replaced_layer_list_belongs_to_no_layer(live_layers: int) -> None:
    # The second `layers` key wins; the repeat is in the first list, whose layer 2 does not
    # exist in the spec (1 live layer) or is another layer (2 live layers).
    replaced = "  - {type: relu, name: a}\n  - {type: relu, name: b, name: c}\n"
    live = "".join(f"  - {{type: relu, name: l{i}}}\n" for i in range(live_layers))
    diagnostics = lint(f"input: [3, 8, 8]\nlayers:\n{replaced}layers:\n{live}")
    assert [(d.code, d.span.start.row, d.layer) for d in diagnostics] == [("NS003", 4, None), ("NS003", 5, None)]


@pytest.mark.parametrize(
    ("first", "repeat", "message"),
    [
        ("1", "true", "the key true repeats the key 1 before it: in Python they are one key (1 == true)"),
        ("0", "false", "the key false repeats the key 0 before it: in Python they are one key (0 == false)"),
        ("1", "1.0", "the key 1.0 repeats the key 1 before it: in Python they are one key (1 == 1.0)"),
    ],
)
def test_ns003_names_a_repeat_that_only_equals_an_earlier_key(first: str, repeat: str, message: str) -> None:
    # YAML reads 1 and true as two keys; a dict in Python, where True == 1, holds one.
    assert yaml.safe_load(f"{first}: a\n{repeat}: b\n") == {int(float(first)): "b"}
    diagnostics = lint(spec("[3, 8, 8]", "{type: relu}") + f"{first}: a\n{repeat}: b\n")
    found = [(d.code, d.span.start.row, d.message) for d in diagnostics]
    # Both at the repeat, which the data keeps, key and value: the key's error names it.
    assert found[1] == ("NS003", 5, message)
    assert found[0][:2] == ("NS002", 5) and found[0][2].endswith(
        "not a boolean (YAML reads yes, no, on, off, true and false as booleans: quote the word to mean it)"
        if repeat in ("true", "false")
        else f"not {repeat}"
    )
    # The near miss: a plain repeat of the same key.
    (same,) = [d for d in lint(spec("[3, 8, 8]", "{type: relu}") + f"{first}: a\n{first}: b\n") if d.code == "NS003"]
    assert same.message == f"the key {first} appears more than once in this mapping"
    assert same.help == "YAML loaders silently keep the last one: delete the copy you do not mean"


@pytest.mark.parametrize("odd_key", ["off", "1", "~", ".nan"])
def test_ns003_repeated_name_beside_a_key_that_is_not_a_string(odd_key: str) -> None:
    # Keys YAML reads as a boolean, a number or null sit beside a repeated string key.
    text = spec("[3, 8, 8]", f"{{type: flatten, {odd_key}: 1, name: a, name: b}}")
    found = [(d.code, d.message) for d in lint(text)]
    assert found[0][0] == "NS002"
    assert found[1:] == [("NS003", "the key 'name' appears more than once in this mapping")]


def test_ns003_says_a_dash_may_be_missing_before_a_second_type() -> None:
    text = "input: [3, 8, 8]\nlayers:\n  - type: conv\n    filters: 4\n    kernel: 3\n    type: maxpool\n"
    (d,) = [d for d in lint(text) if d.code == "NS003"]
    assert (d.span.start.row, d.message) == (6, "the key 'type' appears more than once in this mapping")
    assert d.help == "if a new layer starts here, it needs a `- ` before its first key"
    # Near misses: in a flow mapping no dash can be missing; outside a layer it is only a repeat.
    (d,) = [d for d in lint(spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, type: relu}")) if d.code == "NS003"]
    assert d.help == "YAML loaders silently keep the last one: delete the copy you do not mean"
    (d,) = [d for d in lint("input: [3, 8, 8]\nlayers:\n  - {type: relu}\ntype: a\ntype: b\n") if d.code == "NS003"]
    assert d.help == "YAML loaders silently keep the last one: delete the copy you do not mean"


def test_ns101_quiet_when_stride_exceeds_window() -> None:
    # S = 2 > K = 1: NS109 covers it, NS101 stays quiet although 55 % 2 ≠ 0.
    assert codes(spec("[3, 56, 56]", "{type: conv, filters: 4, kernel: 1, stride: 2}")) == ["NS109"]


def test_ns101_quiet_where_no_tap_reaches_the_dropped_positions() -> None:
    # Stride 2, dilation 2, kernel 3 on 16: taps 2·i + 2·j read the even positions only; the
    # floor leaves out position 15, which no window of that stride and dilation would read.
    # NS109 reports the skipping, and counts 15 among the positions skipped.
    layer = "{type: conv, filters: 1, kernel: 3, stride: 2, dilation: 2}"
    assert codes(spec("[1, 16]", layer)) == ["NS109"]
    # Near miss, stride 4: taps 4·i + {0, 2, 4} on 12 end at 8 in window 1, and a window 2
    # would read 10, which the floor drops with 9 and 11: NS101 fires, beside NS109.
    assert sorted(codes(spec("[1, 12]", layer.replace("stride: 2", "stride: 4")))) == ["NS101", "NS109"]


def test_ns101_takes_dropped_positions_as_reachable_past_its_step_limit() -> None:
    # Kernel 2²⁹, stride 2³⁰ on 2³¹ − 1: span 2³¹ − 1 − 2²⁹, 2 windows, and the last
    # 536,870,911 positions dropped. Their residues modulo 2³⁰ run from 2²⁹ up, which no tap
    # reaches (taps 0 to 2²⁹ − 1): unreachable, but telling would take 2²⁹ steps, past the
    # limit of a million, so they are taken as reachable, at once.
    window = Window(2**31 - 1, 2**29, 2**30, 1, 0, 0)
    assert (window.output, window.dropped) == (2, 536_870_911)
    with within(30):
        assert window.drops_reachable()
    # The near miss, within the limit: 2⁹ taps, stride 2¹⁰ on 2¹¹ − 1, the last 511 dropped at
    # residues 512 to 1,022, which taps 0 to 511 do not reach.
    small = Window(2**11 - 1, 2**9, 2**10, 1, 0, 0)
    assert (small.output, small.dropped, small.drops_reachable()) == (2, 511, False)


def test_ns101_quiet_in_ceil_mode() -> None:
    assert codes(spec("[3, 112, 112]", "{type: maxpool, kernel: 3, stride: 2, ceil_mode: true}")) == []


def test_ns103_replaces_ns102_and_stops_the_cascade() -> None:
    found = codes(
        spec(
            "[3, 4, 4]",
            "{type: conv, filters: 8, kernel: 5}",
            "{type: conv, filters: 8, kernel: 3}",
            "{type: dense, units: 3, expect: [99]}",
        )
    )
    assert found == ["NS103"]


def test_unknown_reference_stops_the_cascade() -> None:
    found = codes(spec("[3, 8, 8]", "{type: relu, from: nope}", "{type: dense, units: 3}"))
    assert found == ["NS004"]


@pytest.mark.parametrize(
    ("layer", "name"),
    [
        ("{type: relu, from: nope}", "nope"),
        ("{type: concat, from: [relu1, nope]}", "nope"),
        # Block style, the unknown name on a row of its own.
        ("type: add\n    from:\n      - relu1\n      - nope", "nope"),
    ],
)
def test_unknown_reference_points_at_the_name(layer: str, name: str) -> None:
    text = spec("[3, 8, 8]", "{type: relu}", layer)
    (d,) = [d for d in lint(text) if d.code == "NS004"]
    line = text.splitlines()[d.span.start.row - 1]
    assert line[d.span.start.column - 1 : d.span.end.column - 1] == name
    assert d.layer_index == 1


@pytest.mark.parametrize(
    "layer",
    [
        "{type: conv, filters: 'sixteen', kernel: 3}",
        "{type: conv, filters: 4, kernel: 3, bias: 'maybe'}",
        "{type: conv, filters: 4, kernel: 'x3'}",
        "{type: conv, filters: 4, kernel: 3, padding: 'one'}",
    ],
)
def test_no_quotes_hint_where_removing_them_gives_no_value_the_key_takes(layer: str) -> None:
    (d,) = lint(spec("[3, 8, 8]", layer))
    assert d.code == "NS002" and "quotes" not in d.message and "YAML reads" not in d.message


def test_a_name_the_file_writes_wins_over_a_default_name() -> None:
    # The third layer, an unnamed relu on c1's 4 channels, is relu3 by default; the fifth,
    # on c4's 8 channels, is named relu3. The add means the fifth, as 8×8×8 as c2: read as
    # the third (4×8×8), it would be a mismatch, and the fifth would be unused.
    text = spec(
        "[3, 8, 8]",
        "{type: conv, name: c1, filters: 4, kernel: 3, padding: 1}",
        "{type: conv, name: c2, filters: 8, kernel: 3, padding: 1}",
        "{type: relu, from: c1}",
        "{type: conv, name: c4, filters: 8, kernel: 3, padding: 1}",
        "{type: relu, name: relu3}",
        "{type: add, from: [relu3, c2]}",
    )
    found = lint(text)
    assert [(d.code, d.layer_index) for d in found] == [("NS005", 4)]
    assert found[0].message == (
        "the name 'relu3' is also the default name of layer 3 (its type and position), which has none "
        "of its own; a `from: relu3` after it reads this layer"
    )
    # The near miss: two written names. The first keeps it, so the add reads the 4-channel
    # relu: a mismatch, and the fifth layer unused.
    named = text.replace("{type: relu, from: c1}", "{type: relu, name: relu3, from: c1}")
    assert sorted((d.code, d.layer_index) for d in lint(named)) == [("NS005", 4), ("NS106", 5), ("NS110", 4)]
    assert "the name 'relu3' is already used by layer 3" in [d.message for d in lint(named)]


def test_a_default_name_an_earlier_layer_took_says_so() -> None:
    text = spec("[3, 8, 8]", "{type: relu, name: relu2}", "{type: relu}")
    (d,) = lint(text)
    assert (d.code, d.layer_index) == ("NS005", 1)
    assert d.message == "this layer's default name 'relu2' (its type and position) is already used by layer 1"


def test_unknown_keys_that_begin_with_a_hash_are_named_as_written() -> None:
    # pydantic's locations carry the '#scalar', '#list', '#sides' and '#keyword' branches of
    # int-or-list fields, which netspec drops; a key the file writes that way is no branch.
    # `{'#': null}` was an internal error (its problem had no location left).
    found = lint_text("{'#': null}\n").diagnostics
    assert [(d.code, d.message.split(";")[0]) for d in found] == [
        ("NS002", "the file has neither `input` nor `layers`"),
        ("NS002", "unknown key '#' in spec"),
    ]
    text = spec("[3, 8, 8]", "{type: conv, filters: 1, kernel: 1, '#list': 1}")
    (d,) = lint_text(text).diagnostics
    assert (d.message, d.span.start.column) == (
        "unknown key '#list' in conv layer",
        text.splitlines()[2].index("'#") + 1,
    )
    # The near miss: the branch tags themselves still leave the location of a bad value.
    (d,) = lint_text(spec("[3, 8, 8]", "{type: conv, filters: 1, kernel: [1, a]}")).diagnostics
    assert d.message == "`kernel` must be an integer or a list with one per spatial dimension, not 'a'"


def test_a_file_with_neither_input_nor_layers_is_told_once_it_may_be_another_tools() -> None:
    # mkdocs.yml found by a scan of the repository: one message for both keys.
    found = lint_text("site_name: docs\nnav:\n  - index.md\n", "mkdocs.yml")
    assert [d.message for d in found.diagnostics] == [
        "unknown key 'site_name' in spec; did you mean 'name'?",
        "the file has neither `input` nor `layers`; if it is another tool's YAML, leave it out with `exclude` "
        "in the configuration (netspec.toml, or [tool.netspec] in pyproject.toml)",
        "unknown key 'nav' in spec",
    ]
    # The near misses: with one of the two, the other is missing from a spec.
    for text, missing in (("input: [3, 8, 8]\n", "layers"), ("layers: []\n", "input")):
        messages = [d.message for d in lint_text(text).diagnostics]
        assert f"spec is missing the required key `{missing}`" in messages, messages


def test_one_diagnostic_per_rule_and_layer() -> None:
    # Both dimensions shrink, and so does the depth dimension: still one NS102.
    assert codes(spec("[3, 8, 8, 8]", "{type: conv, filters: 4, kernel: 3}")) == ["NS102"]


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        ("{type: convolution, filters: 4, kernel: 3}", "did you mean 'conv'"),
        ("{type: linear, units: 3}", "did you mean 'dense'"),  # as a type, 'linear' is the dense layer
        ("{type: conv, filters: 4, kernel: 3, strides: 1}", "did you mean 'stride'"),
        ("{type: conv, kernel: 3}", "missing the required key `filters`"),
        ("{type: conv, filters: 0, kernel: 3}", "filters"),
        ("{type: conv, filters: true, kernel: 3}", "filters"),
        ("{type: conv, filters: 4.0, kernel: 3}", "filters"),
        # What YAML typed otherwise than meant: quotes around a number or a boolean, or yes.
        (
            "{type: conv, filters: '4', kernel: 3}",
            "`filters` should be a valid integer, got '4' (string); remove the quotes",
        ),
        ("{type: conv, filters: 4, kernel: '3'}", "not '3'; remove the quotes"),
        ("{type: conv, filters: 4, kernel: 3, padding: '1'}", "not '1'; remove the quotes"),
        ("{type: dropout, rate: '0.5'}", "got '0.5' (string); remove the quotes"),
        ("{type: conv, filters: 4, kernel: 3, bias: 'False'}", "got 'False' (string); remove the quotes"),
        ("{type: conv, filters: yes, kernel: 3}", "got true (boolean); YAML reads yes, no, on and off as booleans too"),
        # Quoted, an OmegaConf interpolation is a string; netspec checks the file as written.
        (
            "{type: conv, filters: '${width}', kernel: 3}",
            "got '${width}' (string); `${…}` is an interpolation (OmegaConf, Hydra), which netspec does not resolve",
        ),
        ("{type: conv, filters: 4, kernel: '${k}'}", "not '${k}'; `${…}` is an interpolation"),
        ("{type: '${t}'}", "unknown layer type '${t}'; `${…}` is an interpolation"),
        ("{type: conv, filters: 4, kernel: 1, padding_mode: '${mode}'}", "not '${mode}'; `${…}` is an interpolation"),
        (
            "{type: relu, from: -1}",
            "`from` takes the name of an earlier layer, or `input`, not -1: layers are not numbered",
        ),
        ("{type: conv, filters: 4, kernel: [3, 3, 3]}", "kernel has 3 values but the input has 2 spatial dimensions"),
        ("{type: conv, filters: 4, kernel: [3]}", "kernel has 1 value but the input has 2 spatial dimensions"),
        ("{type: conv, filters: 4, kernel: 3, padding: [[1, 1]]}", "padding has 1 [before, after] pair but the input"),
        ("{type: conv, filters: 4, kernel: abc}", "`kernel` must be an integer or a list"),
        ("{type: conv, filters: 99999999999, kernel: 3}", "absurd size"),
        (
            "{type: leaky_relu, negative_slope: -1.0e+39}",
            "`negative_slope` is -1e+39, beyond float32's ±3.402823e+38: PyTorch refuses it on float32 tensors, "
            "its default",
        ),
        ("{type: layernorm, affine: false}", "unknown key 'affine' in layernorm layer; did you mean 'elementwise_"),
        # PyTorch's argument names lead to netspec's.
        (
            "{type: conv, out_channels: 4, kernel: 3}",
            "unknown key 'out_channels' in conv layer; did you mean 'filters'",
        ),
        ("{type: conv, filters: 4, kernel_size: 3}", "did you mean 'kernel'"),
        ("{type: dense, out_features: 10}", "unknown key 'out_features' in dense layer; did you mean 'units'"),
        ("{type: dropout, p: 0.5}", "did you mean 'rate'"),
        # A fixed set of words gets the closest one.
        ("{type: conv, filters: 4, kernel: 3, padding: sam}", "or a number of pixels, not 'sam'; did you mean 'same'"),
        # (A padding mode changes no shape: the layer is checked past it, so it needs no other fault.)
        ("{type: conv, filters: 4, kernel: 1, padding_mode: zero}", "not 'zero'; did you mean 'zeros'"),
        # Only conv takes 'same'; a pool's padding is numbers (the value is pointed at, not the type).
        ("{type: maxpool, kernel: 3, padding: same}", "not 'same'; only conv takes 'same'"),
        ("{type: maxpool, kernel: 3, padding: Same}", "not 'Same'; only conv takes 'same'"),
        ("{type: conv, filters: 4, kernel: 3, padding: '1'}", "'same' or 'valid', or a number of pixels, not '1'"),
        # A type that is no name is shown as YAML writes it, not as Python's str() of it.
        ("{type: null}", "`type` takes a layer type's name, such as `conv`, not null"),
        ("{type: true}", "`type` takes a layer type's name, such as `conv`, not true"),
        ("{type: [conv]}", "`type` takes a layer type's name, such as `conv`, not [conv]"),
        ("{type: conv, filters: 4, kernel: {null: 3}}", "a list with one per spatial dimension, not {null: 3}"),
        # Per-side padding where the layer takes none says so, rather than that the pair is malformed.
        (
            "{type: conv_transpose, filters: 4, kernel: 3, padding: [[1, 2], [1, 2]]}",
            "not [1, 2]; a conv_transpose takes no [before, after] pairs: only conv, the pools and pad do",
        ),
        # Numbers among the pairs: the mix is the problem, said once, not that 1 and 0 are
        # no integers.
        (
            "{type: pad, padding: [[0, 1], 1, 0]}",
            "`padding` mixes [before, after] pairs with single numbers: give every spatial dimension a pair, "
            "or write one number for each",
        ),
        # Whichever comes first.
        (
            "{type: conv, filters: 4, kernel: 3, padding: [1, [0, 2]]}",
            "`padding` mixes [before, after] pairs with single numbers: give every spatial dimension a pair, "
            "or write one number for each",
        ),
        # A layer that takes no pairs says so, whichever comes first.
        (
            "{type: conv_transpose, filters: 4, kernel: 3, padding: [1, [0, 2]]}",
            "not [0, 2]; a conv_transpose takes no [before, after] pairs: only conv, the pools and pad do",
        ),
        # Where the layer takes pairs, a bad value in one is only that.
        (
            "{type: conv, filters: 4, kernel: 3, padding: [[1, 2], [1, true]]}",
            "not true; YAML reads yes, no, on and off as booleans too",
        ),
        ("{type: convv}", "unknown layer type 'convv'; did you mean 'conv'?"),
        # Cut to 40 characters, a quoted value keeps its closing quote: the quote and 36 letters.
        (f"{{type: conv, filters: {'n' * 60}, kernel: 3}}", f"got '{'n' * 36}...' (string)"),
        # Quoted as YAML writes a single-quoted string: a backslash is itself, a quote doubles.
        ("{type: 'con\\v'}", "unknown layer type 'con\\v'"),
        ('{type: "it\'s"}', "unknown layer type 'it''s'"),
        # What does not print is escaped, in YAML's double-quoted form: a no-break space, a
        # zero-width space. A character that prints stays as it is.
        ('{type: "con\u00a0v"}', 'unknown layer type "con\\xa0v"'),
        ('{type: "conv\u200b"}', 'unknown layer type "conv\\u200b"'),
        ('{type: "conv\u00e9"}', "unknown layer type 'conv\u00e9'"),
        # A key glued to its value with no space, or with a no-break space, is one word to YAML.
        # A key of the spec indented one level too deep is said to be one, rather than "dilation".
        ("{type: conv, filters: 8, kernel: 3, description: x}", "`description` is a key of the spec, not of a layer"),
        ("{type: relu, outputs: [a]}", "unknown key 'outputs' in relu layer; `outputs` is a key of the spec"),
        # A merge's `from` is a list of two or more names.
        (
            "{type: add, from: input}",
            "`from` in add layer takes a list of two or more earlier layers' names, not 'input'",
        ),
        ("{type: concat, from: [input]}", "two or more earlier layers' names, not [input]; one input needs no merge"),
        # No layer outputs a scalar.
        ("{type: relu, expect: []}", "`expect`: list should have at least 1 item, not 0"),
        ("{type: conv, filters:8, kernel: 3}", "unknown key 'filters:8' in conv layer; write a space after the colon"),
        (
            '{type: conv, "filters:\u00a08": null, kernel: 3}',
            'unknown key "filters:\\xa08" in conv layer; "\\xa0" is no space to YAML; write a space after the colon: '
            "`filters: 8`",
        ),
    ],
)
def test_schema_messages(layer: str, message: str) -> None:
    diagnostics = lint(spec("[3, 8, 8]", layer))
    assert [d.code for d in diagnostics] == ["NS002"]
    assert message in diagnostics[0].message
    if "[[" in layer and "conv_transpose" not in layer:
        assert "takes no [before, after] pairs" not in diagnostics[0].message


@pytest.mark.parametrize(
    ("shape", "layer"),
    [
        # A grey image given as [224, 224] is one spatial dimension of 224 channels, so a 3×3
        # kernel has one value too many for it.
        ("[224, 224]", "{type: conv, filters: 8, kernel: [3, 3]}"),
        ("[224, 224]", "{type: maxpool, kernel: 2, padding: [[0, 1], [0, 1]]}"),
    ],
)
def test_a_list_longer_than_the_rank_recalls_that_shapes_are_channels_first(shape: str, layer: str) -> None:
    (diagnostic,) = lint(spec(shape, layer))
    assert diagnostic.code == "NS002"
    assert "but the input has 1 spatial dimension" in diagnostic.message
    assert diagnostic.help is not None and diagnostic.help.startswith("a shape's first size is its channels")


def test_other_layer_errors_get_no_word_on_channels() -> None:
    # The near misses: with the channels, the list fits; and a layer's other NS002, an output
    # of (8 − 1)·(2³¹ − 1) + 1 rows, is about something else.
    assert lint(spec("[1, 224, 224]", "{type: conv, filters: 8, kernel: [3, 3], padding: 1}")) == []
    (diagnostic,) = lint(spec("[1, 8, 8]", "{type: conv_transpose, filters: 1, kernel: 1, stride: 2147483647}"))
    assert diagnostic.code == "NS002" and "absurd size" in diagnostic.message
    assert diagnostic.help is None


def test_a_list_of_the_wrong_length_is_counted_once() -> None:
    # The count says what is wrong; the value, which the span marks, is not repeated.
    (d,) = lint(spec("[3, 8, 8]", "{type: reshape, shape: []}"))
    assert d.message == "`shape`: list should have at least 1 item, not 0"
    (d,) = lint("outputs: []\n" + spec("[3, 8, 8]", "{type: relu}"))
    assert d.message == "`outputs`: list should have at least 1 item, not 0"


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        # Unquoted, 3.5 is a float, which `filters` refuses too; 1e3 is a string to YAML 1.1.
        ("{type: conv, filters: '3.5', kernel: 3}", "`filters` should be a valid integer, got '3.5' (string)"),
        ("{type: conv, filters: 1e3, kernel: 3}", "`filters` should be a valid integer, got '1e3' (string)"),
        ("{type: conv, filters: 4, kernel: 3, padding: '1.5'}", "or a number of pixels, not '1.5'"),
        # Only an integer in `from` is an index; other values say what they are.
        ("{type: relu, from: [a]}", "`from` should be a valid string, got [a] (list)"),
        # An empty merge is not one input.
        (
            "{type: concat, from: []}",
            "`from` in concat layer takes a list of two or more earlier layers' names, not []",
        ),
        # A word close to a layer's key is still that key's misspelling, not the spec's.
        (
            "{type: conv, filters: 8, kernel: 3, dilatoin: 2}",
            "unknown key 'dilatoin' in conv layer; did you mean 'dilation'?",
        ),
        (
            "{type: relu, from: yes}",
            "`from` should be a valid string, got true (boolean); YAML reads yes, no, on and off as booleans too",
        ),
    ],
)
def test_schema_hints_only_where_they_hold(layer: str, message: str) -> None:
    (d,) = [d for d in lint(spec("[3, 8, 8]", layer)) if d.code == "NS002"]
    assert d.message.endswith(message)


def test_no_space_hint_for_a_colon_after_a_word_that_is_no_key_of_the_layer() -> None:
    (d,) = lint(spec("[3, 8, 8]", "{type: conv, filters: 8, kernel: 3, fltrs:8}"))
    assert d.message == "unknown key 'fltrs:8' in conv layer"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("null", "not null (YAML reads null, ~ and an empty key as null: quote the word to mean it)"),
        ("~", "not null (YAML reads null, ~ and an empty key as null: quote the word to mean it)"),
        ("off", "not a boolean (YAML reads yes, no, on, off, true and false as booleans: quote the word to mean it)"),
        ("3", "not 3"),
    ],
)
def test_a_key_that_is_no_name_is_located_at_the_key(key: str, message: str) -> None:
    (d,) = lint(spec("[3, 8, 8]", f"{{type: relu, {key}: 1}}"))
    assert (d.code, d.span.start.row, d.span.start.column) == ("NS002", 3, 18)
    assert d.message == f"a key in relu layer must be a name, {message}"
    assert codes(spec("[3, 8, 8]", f"{{type: relu, '{key}': 1}}")) == ["NS002"]  # quoted: an unknown key


def test_a_key_already_given_is_not_suggested() -> None:
    # `units` is there already, so `out_features` is a repeat, not a misspelling of anything.
    (d,) = lint(spec("[3, 8, 8]", "{type: flatten}", "{type: dense, units: 4, out_features: 4}"))
    assert d.message == "unknown key 'out_features' in dense layer"


def test_an_empty_word_gets_no_suggestion() -> None:
    # "" is a prefix of every choice; no choice is any closer than another.
    (d,) = lint(spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, padding: 1, padding_mode: ''}"))
    assert d.message.startswith("`padding_mode` should be 'zeros', ")
    assert "did you mean" not in d.message


def test_a_word_over_64_characters_gets_no_suggestion() -> None:
    # A 64-character misspelling of a 64-character name is still compared; one more is not.
    name = "b" * 63 + "x"

    def suggestion(word: str) -> bool:
        layers = f"{{type: relu, name: {name}}}", f"{{type: add, from: [{name}, {word}]}}"
        (d,) = lint(spec("[3, 8, 8]", *layers))
        return f"did you mean '{name}'" in d.message

    assert suggestion("b" * 63 + "y")
    assert not suggestion("b" * 64 + "y")


def test_a_name_over_200_characters_is_refused_and_shown_cut() -> None:
    (d,) = lint(spec("[3, 8, 8]", f"{{type: relu, name: {'n' * 201}}}"))
    assert d.code == "NS002" and "at most 200 characters" in d.message and "n" * 41 not in d.message
    assert codes(spec("[3, 8, 8]", f"{{type: relu, name: {'n' * 200}}}")) == []


def test_activations_are_the_activation_layer_types() -> None:
    # The near miss of the activation messages above, and the set PyTorch export maps.
    assert codes(spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, padding: 1, activation: gelu}")) == []
    # The activations PyTorch has a module for, written out: ReLU, ReLU6, LeakyReLU, ELU, SELU,
    # Sigmoid, Hardsigmoid, Tanh, GELU, SiLU, Hardswish, Mish, Softmax and Identity.
    expected = {"relu", "relu6", "leaky_relu", "elu", "selu", "sigmoid", "hardsigmoid", "tanh"}
    expected |= {"gelu", "silu", "hardswish", "mish", "softmax", "identity"}
    assert set(ACTIVATION_TYPES) == expected
    layer_types = {name for name, cls in LAYER_TYPES.items() if issubclass(cls, ActivationLayer)}
    assert layer_types == expected
    # Each model names the torch.nn class of exactly the types it takes.
    for model in set(LAYER_TYPES.values()):
        if issubclass(model, ActivationLayer):
            assert set(model.torch_classes) == set(get_args(model.model_fields["type"].annotation))


def test_activation_layers_take_pytorchs_arguments_and_only_their_own() -> None:
    layers = ["{type: leaky_relu, negative_slope: 0.1}", "{type: elu, alpha: 2}", "{type: gelu, approximate: tanh}"]
    assert codes(spec("[3, 8, 8]", *layers)) == []
    # The near misses: relu has no slope, and gelu knows two approximations.
    (d,) = lint(spec("[3, 8, 8]", "{type: relu, negative_slope: 0.1}"))
    assert d.code == "NS002" and d.message == "unknown key 'negative_slope' in relu layer"
    (d,) = lint(spec("[3, 8, 8]", "{type: gelu, approximate: erf}"))
    assert d.code == "NS002" and "'none' or 'tanh'" in d.message


def test_batchnorm_without_affine_has_no_parameters() -> None:
    # nn.BatchNorm2d(8) learns a weight and a bias per channel, 16 in all; affine=False none.
    for layer, params in (("{type: batchnorm}", 16), ("{type: batchnorm, affine: false, eps: 0.001}", 0)):
        graph = analyse(spec("[8, 4, 4]", layer), "b.yaml", "b").graph
        assert graph.nodes[0].params == params
    # The near misses of its settings' ranges: eps must be positive, momentum at most 1.
    assert codes(spec("[8, 4, 4]", "{type: batchnorm, eps: 0.0, momentum: 1.5}")) == ["NS002"]


@pytest.mark.parametrize(
    ("written", "suggested"), [("1e-5", "1.0e-5"), ("1.0e5", "1.0e+5"), ("2E3", "2.0e+3"), (".5e3", ".5e+3")]
)
def test_an_exponent_yaml_reads_as_a_string_gets_its_float_spelling(written: str, suggested: str) -> None:
    # PyYAML reads the written form as a string and the suggested one as the same number.
    assert isinstance(yaml.safe_load(written), str)
    assert yaml.safe_load(suggested) == float(written)
    (d,) = lint(spec("[8, 4, 4]", f"{{type: batchnorm, eps: {written}}}"))
    assert d.message.endswith(f"(an exponent needs a point before it and a sign): write {suggested}")
    # The near miss: a float YAML reads, quoted, only needs its quotes removed.
    (d,) = lint(spec("[8, 4, 4]", "{type: batchnorm, eps: '1.0e-5'}"))
    assert d.message.endswith("; remove the quotes")


def test_a_long_quoted_number_is_read_once() -> None:
    # 100,000 digits, quoted: an integer YAML would read, not a number with an exponent, and
    # found so in one pass (two quantifiers sharing the digits used to try every split of
    # them before the missing exponent, for minutes).
    (d,) = lint(spec("[8, 4, 4]", f"{{type: batchnorm, eps: '{'1' * 100_000}'}}"))
    assert d.code == "NS002" and d.message.endswith("; remove the quotes")
    assert _EXPONENT.fullmatch("1" * 100_000 + "x") is None
    assert _EXPONENT.fullmatch("12e5") and _EXPONENT.fullmatch("12.e5") and _EXPONENT.fullmatch("12.5e5")


def test_prelu_takes_one_slope_or_one_per_channel() -> None:
    # PyTorch: "Mismatch of parameter numbers and input channel size" for 4 slopes on 3 channels.
    (d,) = lint(spec("[3, 8, 8]", "{type: prelu, num_parameters: 4}"))
    assert d.code == "NS104" and "num_parameters is 4 but the input has 3 channels" in d.message
    assert d.help == "num_parameters: 3 gives one slope per channel; 1 shares one slope"
    # The near misses: shared, per channel, and per feature of a flat input (dimension 1 is
    # then the features: 3·8·8 = 192).
    for layers in (["{type: prelu}"], ["{type: prelu, num_parameters: 3}"]):
        assert codes(spec("[3, 8, 8]", *layers)) == []
    assert codes(spec("[3, 8, 8]", "{type: flatten}", "{type: prelu, num_parameters: 192}")) == []


def test_prelu_counts_its_slopes_as_parameters() -> None:
    # A 3→8 3×3 conv has 8·3·9 + 8 = 224 parameters; per-channel PReLU adds 8, a shared one 1.
    conv = "{type: conv, filters: 8, kernel: 3, padding: 1}"
    for prelu, slopes in (("{type: prelu, num_parameters: 8}", 8), ("{type: prelu}", 1)):
        graph = analyse(spec("[3, 8, 8]", conv, prelu), "p.yaml", "p").graph
        assert [node.params for node in graph.nodes] == [224, slopes]
        assert graph.nodes[-1].output == (8, 8, 8)


def test_an_interpolating_upsample_needs_its_modes_rank() -> None:
    # PyTorch: "Got 3D input, but bilinear mode needs 4D input" (the batch counts there).
    (d,) = lint(spec("[3, 16]", "{type: upsample, scale: 2, mode: bilinear}"))
    assert (d.code, d.message) == (
        "NS115",
        "upsample1: bilinear interpolation needs 2 spatial dimensions, but the input 3×16 has 1",
    )
    assert d.help == "use linear, nearest or area"
    # The near misses: linear on 1-D, bilinear on 2-D, and nearest on any rank.
    assert codes(spec("[3, 16]", "{type: upsample, scale: 2, mode: linear, align_corners: true}")) == []
    assert codes(spec("[3, 8, 16]", "{type: upsample, size: [16, 32], mode: bilinear}")) == []
    assert codes(spec("[3, 4, 8, 16]", "{type: upsample, scale: 2}")) == []


def test_align_corners_is_refused_where_pytorch_refuses_it() -> None:
    # PyTorch: "align_corners option can only be set with the interpolating modes".
    (d,) = lint(spec("[3, 8, 8]", "{type: upsample, scale: 2, align_corners: false}"))
    assert d.code == "NS002" and d.message == (
        "`align_corners` applies only to the modes linear, bilinear, bicubic and trilinear, not nearest"
    )
    assert codes(spec("[3, 8, 8]", "{type: upsample, scale: 2, mode: bicubic, align_corners: false}")) == []


def test_groupnorm_groups_must_divide_the_channels() -> None:
    # PyTorch: "num_channels (12) must be divisible by num_groups (8)".
    (d,) = lint(spec("[12, 8, 8]", "{type: groupnorm, groups: 8}"))
    assert d.code == "NS104" and "groups=8 does not divide the 12 input channels" in d.message
    # The near miss: 4 groups of 3; nn.GroupNorm(4, 12) learns 12 scales and 12 shifts.
    graph = analyse(spec("[12, 8, 8]", "{type: groupnorm, groups: 4}"), "g.yaml", "g").graph
    assert (graph.nodes[0].output, graph.nodes[0].params) == ((12, 8, 8), 24)
    graph = analyse(spec("[12, 8, 8]", "{type: groupnorm, groups: 4, affine: false}"), "g.yaml", "g").graph
    assert graph.nodes[0].params == 0


def test_pixel_shuffle_trades_channels_for_size() -> None:
    # ESPCN's last step: 3·3² = 27 channels of 8×8 become 3 channels of 24×24.
    graph = analyse(spec("[27, 8, 8]", "{type: pixel_shuffle, scale: 3}"), "p.yaml", "p").graph
    assert graph.nodes[0].output == (3, 24, 24)
    # PyTorch: "pixel_shuffle expects its input's 'channel' dimension to be divisible by the
    # square of upscale_factor"; 10 lies between the multiples of 4 that are 8 and 12.
    (d,) = lint(spec("[10, 8, 8]", "{type: pixel_shuffle, scale: 2}"))
    assert d.code == "NS104" and "divisible by 2² = 4, but the input has 10" in d.message
    assert d.help == "give it 8 or 12 channels, 4 for each output channel"
    (d,) = lint(spec("[3, 8, 8]", "{type: pixel_shuffle, scale: 2}"))
    assert d.help == "give it 4 channels, 4 for each output channel"
    # On 1-D or 3-D inputs PyTorch would shuffle the wrong dimensions.
    for shape in ("[4, 16]", "[4, 4, 8, 8]"):
        (d,) = lint(spec(shape, "{type: pixel_shuffle, scale: 2}"))
        assert d.code == "NS115" and "pixel_shuffle needs 2 spatial dimensions" in d.message


@pytest.mark.parametrize("activation", ["swish", "linear", "leaky", "ReLU", "rellu", "prelu", "''"])
def test_an_activation_is_documentation_to_the_check(activation: str) -> None:
    # As the spec format has it: any words, Keras', Darknet's or PyTorch's, since no shape,
    # parameter count or receptive field depends on them. NS119 is not selected by default.
    text = spec("[3, 8, 8]", f"{{type: conv, filters: 4, kernel: 3, padding: 1, activation: {activation}}}")
    assert lint_text(text).diagnostics == []
    # The near miss: a value that is not words at all.
    assert codes(text.replace(f"activation: {activation}", "activation: 1")) == ["NS002"]


@pytest.mark.parametrize(
    ("activation", "ending"),
    [
        ("rellu", "'rellu', not an activation type; did you mean 'relu'?"),
        ("swish", "'swish', not an activation type; did you mean 'silu'?"),  # PyTorch's name for it
        # Other frameworks' names, where the closest spelling is another activation: Hugging
        # Face's GELU with the tanh approximation (not tanh, nor the exact gelu), Keras's none
        # (linear, whose meaning as a layer type is dense), and the leaky ReLU (not relu).
        (
            "gelu_tanh",
            "'gelu_tanh', not an activation type; for GELU's tanh approximation, add "
            "`{type: gelu, approximate: tanh}` after this layer",
        ),
        ("linear", "'linear', not an activation type; did you mean 'identity'?"),
        ("lrelu", "'lrelu', not an activation type; did you mean 'leaky_relu'?"),
        ("relu_", "'relu_', not an activation type; did you mean 'relu'?"),  # a near miss: a spelling
        # PReLU learns its slopes: 'relu' (the close spelling) would silently drop them.
        (
            "prelu",
            "'prelu', not an activation type; prelu is a layer type, not an activation: add `{type: prelu}` "
            "after this layer",
        ),
        (
            "batchnorm",
            "'batchnorm', not an activation type; batchnorm is a layer type, not an activation: add "
            "`{type: batchnorm}` after this layer",
        ),
        (
            "'${model.act}'",
            "'${model.act}', not an activation type; `${…}` is an interpolation (OmegaConf, Hydra), which "
            "netspec does not resolve: write the value",
        ),
        # A layer with required keys is written with them; one that changes the shape (conv) is
        # no activation of any kind, and is not offered.
        ("groupnorm", "add `{type: groupnorm, groups: …}` after this layer"),
        ("conv", "'conv', not an activation type"),
        ("zzz", "'zzz', not an activation type"),
    ],
)
def test_ns119_names_an_activation_that_is_not_a_type(activation: str, ending: str) -> None:
    for layer in ("conv, filters: 4, kernel: 3, padding: 1", "conv_transpose, filters: 4, kernel: 3, padding: 1"):
        text = spec("[3, 8, 8]", f"{{type: {layer}, activation: {activation}}}")
        (d,) = lint(text, NS119_ONLY)
        assert d.code == "NS119" and d.message.endswith(ending)
        assert d.message.startswith(("conv1: `activation` is ", "conv_transpose1: `activation` is "))
        assert (d.span.start.row, d.span.start.column) == (3, text.splitlines()[2].rindex(activation) + 1)
    text = spec("[4, 2, 2]", "{type: flatten}", f"{{type: dense, units: 4, activation: {activation}}}")
    assert [d.code for d in lint(text, NS119_ONLY)] == ["NS119"]
    # The near misses: an activation type, and no activation.
    for quiet in ("activation: softmax", "activation: identity", "bias: true"):
        assert lint(text.replace(f"activation: {activation}", quiet), NS119_ONLY) == []


def test_the_activation_types_written_out_in_the_docs_are_the_types() -> None:
    # NS119's documentation and the README's conv row list them by hand: a type added or
    # renamed fails here rather than leave the lists behind.
    listings = [
        re.search(r"activation layer types \(([^)]*)\)", RULES["NS119"].doc),
        re.search(r"the PyTorch export adds the activation types (.*?);", README.read_text(encoding="utf-8")),
    ]
    for listing in listings:
        assert listing is not None
        assert tuple(re.findall(r"`(\w+)`", listing[1])) == ACTIVATION_TYPES


def test_ns105_help_leads_to_a_flat_tensor() -> None:
    # After a global pool the tensor is still C×1×1: a flatten is needed either way.
    (d,) = lint(spec("[3, 8, 8]", "{type: adaptive_avgpool, output_size: 1}", "{type: dense, units: 3}"))
    assert d.code == "NS105" and "3×1×1" in d.message
    assert d.help is not None and d.help.startswith("add a `{type: flatten}` before this layer")
    flat = ["{type: adaptive_avgpool, output_size: 1}", "{type: flatten}", "{type: dense, units: 3}"]
    assert codes(spec("[3, 8, 8]", *flat)) == []


#: An FPN on an odd map: 13 → (13 + 2 − 3)//2 + 1 = 7 → 4, upsampled ×2 to 8, beside the
#: lateral 7 (the merge that follows is each test's own).
ODD_FPN = [
    "{type: conv, name: c4, filters: 8, kernel: 3, stride: 2, padding: 1}",
    "{type: conv, name: c5, filters: 8, kernel: 3, stride: 2, padding: 1}",
    "{type: upsample, name: up, scale: 2}",
]


def test_ns106_names_the_size_an_upsampled_branch_needs() -> None:
    # Interpolating to the lateral's size, as torchvision's FPN does, aligns the branches.
    layers = [*ODD_FPN, "{type: add, from: [up, c4]}"]
    (d,) = [d for d in lint(spec("[8, 13, 13]", *layers)) if d.code == "NS106"]
    assert d.help == (
        "no automatic fix: set up's size to 7 in place of scale 2, which then gives 7×7; or else crop up to "
        "7×7 (`{type: crop, size: [7, 7]}`), or pad the smaller branches"
    )
    assert codes(spec("[8, 13, 13]", *layers[:2], "{type: upsample, name: up, size: 7}", layers[3])) == []
    # A scale is quoted as written: floor(4 · 2.0000001) is 8 too.
    (d,) = [d for d in lint(spec("[8, 13, 13]", *layers).replace("scale: 2", "scale: 2.0000001")) if d.code == "NS106"]
    assert d.help is not None and "in place of scale 2.0000001, which" in d.help
    # An upsample by size, to the wrong one, per dimension: 7×5 beside 14×10.
    resized = spec(
        "[8, 14, 10]",
        "{type: conv, name: half, filters: 8, kernel: 2, stride: 2}",
        "{type: upsample, name: up, size: [14, 11], mode: bilinear}",
        "{type: concat, from: [input, up]}",
    )
    (d,) = [d for d in lint(resized) if d.code == "NS106"]
    assert d.help is not None and d.help.startswith("no automatic fix: set up's size to [14, 10], which then gives")
    # The near miss: the upsample's branch is the size the others share.
    assert "NS106" not in codes(resized.replace("[14, 11]", "[14, 10]"))


def test_ns106_says_who_else_reads_the_branch_it_would_resize() -> None:
    # With a head that also reads the upsample: a size of 7 reaches it too.
    layers = [
        *ODD_FPN,
        "{type: add, name: merged, from: [up, c4]}",
        "{type: conv, name: head, from: up, filters: 8, kernel: 1}",
    ]
    text = spec("[8, 13, 13]", *layers).replace("layers:", "outputs: [merged, head]\nlayers:")
    (d,) = [d for d in lint(text) if d.code == "NS106"]
    assert d.help is not None and "which then gives 7×7 (head reads it too); or else" in d.help
    # Two more readers.
    tail = "  - {type: conv, name: tail, from: up, filters: 8, kernel: 1}\n"
    (d,) = [d for d in lint(text.replace("[merged, head]", "[merged, head, tail]") + tail) if d.code == "NS106"]
    assert d.help is not None and "which then gives 7×7 (head, tail read it too); or else" in d.help


def test_ns106_names_ten_other_readers_and_counts_the_rest() -> None:
    # Twelve heads read the upsample besides the add: the first ten by name, then 2 more.
    heads = [f"{{type: conv, name: h{i}, from: up, filters: 8, kernel: 1}}" for i in range(12)]
    outputs = "outputs: [merged, " + ", ".join(f"h{i}" for i in range(12)) + "]\n"
    text = spec("[8, 13, 13]", *ODD_FPN, "{type: add, name: merged, from: [up, c4]}", *heads) + outputs
    (d,) = [d for d in lint(text) if d.code == "NS106"]
    named = ", ".join(f"h{i}" for i in range(10))
    assert d.help is not None and f"which then gives 7×7 ({named}, and 2 more read it too); or else" in d.help


@pytest.mark.parametrize("merge", ["add", "concat", "multiply"])
def test_ns106_lists_ten_inputs_and_counts_the_rest(merge: str) -> None:
    # Branch i is a 1×1 conv of 2 filters on a 20×20 input cropped to 20 − i: 2×(20−i)×(20−i),
    # so no two agree outside the channels, and no size is 1 for multiply to broadcast.
    def branches(n: int) -> list[str]:
        return [f"{{type: crop, name: b{i}, size: {20 - i}, from: input}}" for i in range(n)]

    twelve = spec("[2, 20, 20]", *branches(12), f"{{type: {merge}, from: [{', '.join(f'b{i}' for i in range(12))}]}}")
    (d,) = [d for d in lint(twelve) if d.code == "NS106"]
    first_ten = ", ".join(f"b{i}: 2×{20 - i}×{20 - i}" for i in range(10))
    assert d.message.endswith(f": {first_ten}, and 2 more")
    # The help lists at most ten names or sizes too: multiply's are the 12 sizes 9 to 20.
    assert d.help is not None and "b10" not in d.help and "b11" not in d.help
    if merge == "multiply":
        assert "(9, 10, 11, 12, 13, 14, 15, 16, 17, 18, and 2 more) one size or 1" in d.help
    # The near miss: ten inputs, listed whole, the last two joined by "and" in the help.
    ten = spec("[2, 20, 20]", *branches(10), f"{{type: {merge}, from: [{', '.join(f'b{i}' for i in range(10))}]}}")
    (d,) = [d for d in lint(ten) if d.code == "NS106"]
    assert d.message.endswith(f": {first_ten}")
    if merge == "multiply":
        assert "(11, 12, 13, 14, 15, 16, 17, 18, 19 and 20) one size or 1" in d.help


def test_ns106_offers_two_branches_settings_as_alternatives() -> None:
    # A 3×3 stride-2 transposed conv padded 1 takes 8 to (8 − 1)·2 − 2·1 + (3 − 1) + 1 = 15;
    # the upsampled skip takes 8 to 16. Either setting aligns them, not both.
    layers = [
        "{type: conv_transpose, name: dec, filters: 4, kernel: 3, stride: 2, padding: 1}",
        "{type: conv, name: skip, from: input, filters: 4, kernel: 1}",
        "{type: upsample, name: up, scale: 2}",
        "{type: add, from: [dec, up]}",
    ]
    (d,) = [d for d in lint(spec("[4, 8, 8]", *layers)) if d.code == "NS106"]
    assert d.help is not None and d.help.startswith(
        "no automatic fix: set dec's output_padding to 1, which then gives 16×16; "
        "or set up's size to 15 in place of scale 2, which then gives 15×15; or else crop"
    )
    padded = layers[0].replace("}", ", output_padding: 1}")
    resized = "{type: upsample, name: up, size: 15}"
    assert codes(spec("[4, 8, 8]", padded, *layers[1:])) == []
    assert codes(spec("[4, 8, 8]", layers[0], layers[1], resized, layers[3])) == []
    assert "NS106" in codes(spec("[4, 8, 8]", padded, layers[1], resized, layers[3]))


def test_ns106_names_the_output_padding_a_decoder_branch_needs() -> None:
    # 28 → 14 → 7 by two 3×3 stride-2 convs padded 1; the decoder's 3×3 stride-2 transposed
    # conv padded 1 gives (7 − 1)·2 − 2·1 + (3 − 1) + 1 = 13, one short of the skip's 14:
    # output_padding 1 (below the stride 2) adds it.
    layers = [
        "{type: conv, name: enc1, filters: 16, kernel: 3, stride: 2, padding: 1}",
        "{type: conv, name: enc2, filters: 32, kernel: 3, stride: 2, padding: 1}",
        "{type: conv_transpose, name: dec2, filters: 16, kernel: 3, stride: 2, padding: 1}",
        "{type: concat, from: [dec2, enc1]}",
    ]
    (d,) = [d for d in lint(spec("[1, 28, 28]", *layers)) if d.code == "NS106"]
    assert d.help == (
        "no automatic fix: set dec2's output_padding to 1, which then gives 14×14; or else crop enc1 to 13×13 "
        "(`{type: crop, size: [13, 13]}`), or pad the smaller branches"
    )
    # With it, the branches agree.
    assert codes(spec("[1, 28, 28]", *layers[:2], layers[2].replace("}", ", output_padding: 1}"), layers[3])) == []
    # Per dimension, and for an add: enc takes 14 and 13 to (14 + 2 − 3)//2 + 1 = 7 and
    # (13 + 2 − 3)//2 + 1 = 7, dec both to 13, and the input is 14×13: output_padding [1, 0].
    added = spec(
        "[16, 14, 13]",
        "{type: conv, name: enc, filters: 16, kernel: 3, stride: 2, padding: 1}",
        "{type: conv_transpose, name: dec, filters: 16, kernel: 3, stride: 2, padding: 1}",
        "{type: add, from: [dec, input]}",
    )
    (d,) = [d for d in lint(added) if d.code == "NS106"]
    assert d.help is not None and d.help.startswith(
        "no automatic fix: set dec's output_padding to [1, 0], which then gives 14×13; or else crop input"
    )
    # The near misses: two short of a stride-2 output (output_padding must stay below 2), and a
    # branch that is no transposed conv.
    # Padded 2, dec2 gives (7 − 1)·2 − 2·2 + (3 − 1) + 1 = 11, three short.
    far = spec("[1, 28, 28]", *layers[:2], layers[2].replace("padding: 1", "padding: 2"), layers[3])
    (d,) = [d for d in lint(far) if d.code == "NS106"]
    assert d.help is not None and "output_padding" not in d.help and "crop enc1 to 11×11" in d.help
    upsampled = spec("[1, 28, 28]", *layers[:2], "{type: upsample, name: dec2, scale: 1.5}", layers[3])
    (d,) = [d for d in lint(upsampled) if d.code == "NS106"]  # floor(7·1.5) = floor(10.5) = 10
    assert d.help is not None and "output_padding" not in d.help


def test_a_flat_multiply_that_cannot_broadcast_speaks_of_features() -> None:
    # Two dense layers of 10 and 12 units: PyTorch's "size of tensor a (10) must match the
    # size of tensor b (12)". Flat tensors hold features, and no map for a gate to scale.
    layers = [
        "{type: flatten}",
        "{type: dense, name: a, units: 10}",
        "{type: dense, name: b, from: flatten1, units: 12}",
        "{type: multiply, from: [a, b]}",
    ]
    (d,) = lint(spec("[3, 8, 8]", *layers))
    assert d.code == "NS106" and d.help == "no automatic fix: make the features (10 and 12) one size or 1"
    # The near miss: 12 units and 12, or 1, broadcast.
    for units in (12, 1):
        assert codes(spec("[3, 8, 8]", *[layer.replace("units: 10", f"units: {units}") for layer in layers])) == []


def test_a_multiply_that_cannot_broadcast_says_which_sizes_to_change() -> None:
    # An SE gate of 32 channels on a 64-channel map: PyTorch's "size of tensor a (64) must
    # match the size of tensor b (32) at non-singleton dimension 1". The 1×1 is a broadcast.
    gate = [
        "{type: conv, name: x, filters: 64, kernel: 3, padding: 1}",
        "{type: adaptive_avgpool, output_size: 1}",
        "{type: conv, name: g, filters: 32, kernel: 1, activation: sigmoid}",
        "{type: multiply, from: [x, g]}",
    ]
    (d,) = lint(spec("[64, 8, 8]", *gate))
    assert d.code == "NS106" and d.help == (
        "no automatic fix: make the channels (32 and 64) one size or 1 (a gate takes the channels of the map it "
        "scales, here 64)"
    )
    # The near misses: the help's two choices.
    for filters in (64, 1):
        assert codes(spec("[64, 8, 8]", *[layer.replace("filters: 32", f"filters: {filters}") for layer in gate])) == []
    # Columns of 4 and 8 cannot broadcast; rows of 1 and 8 can, and are not mentioned.
    (d,) = lint(
        spec(
            "[4, 8, 8]",
            "{type: adaptive_avgpool, name: p, output_size: [1, 4]}",
            "{type: multiply, from: [input, p]}",
        )
    )
    assert d.help == "no automatic fix: make the columns (4 and 8) one size or 1: crop the larger or pad the smaller"
    # Gates of 16 and 8 channels on a 1-channel map: each would broadcast alone, not both.
    gates = [
        "{type: conv, name: x, filters: 1, kernel: 3, padding: 1}",
        "{type: adaptive_avgpool, name: g, output_size: 1, from: input}",
        "{type: conv, name: h, filters: 8, kernel: 1, from: g}",
        "{type: multiply, from: [x, g, h]}",
    ]
    (d,) = lint(spec("[16, 8, 8]", *gates))
    assert d.help == "no automatic fix: make the channels (8 and 16) one size or 1"


def test_ns101_suggests_no_input_smaller_than_a_3d_avgpool_takes() -> None:
    # Width 5, kernel 4, padding 1, stride 4: (5 − 4 + 2)/4 + 1 = 1.75. Widths 2 and 6 divide
    # exactly, but AvgPool3d refuses an input narrower than its kernel (NS103): only 6.
    (d,) = lint(spec("[1, 8, 8, 5]", "{type: avgpool, kernel: 4, padding: [0, 0, 1]}"))
    assert d.code == "NS101" and d.help is not None and "or give this layer 6 columns instead of 5" in d.help
    assert codes(spec("[1, 8, 8, 2]", "{type: avgpool, kernel: 4, padding: [0, 0, 1]}")) == ["NS103"]
    # The near miss: a 2-D average pool takes a width of 2, and both sizes are offered.
    (d,) = lint(spec("[1, 8, 5]", "{type: avgpool, kernel: 4, padding: [0, 1]}"))
    assert d.help is not None and "or give this layer 2 or 6 columns instead of 5" in d.help


def test_a_mistake_in_a_key_that_changes_no_shape_leaves_the_rest_checked() -> None:
    # eps written 1e-3 is a string to YAML 1.1; the dense layer after it is still checked.
    text = spec("[3, 8, 8]", "{type: batchnorm, eps: 1e-3}", "{type: dense, units: 3}")
    assert codes(text) == ["NS002", "NS105"]
    assert codes(
        spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, padding: 1, expect: [4, x]}", "{type: dense, units: 3}")
    ) == ["NS002", "NS105"]
    # The near miss: a mistake in a key that sets the shape stops the check there.
    result = lint_text(spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, stride: '2'}", "{type: dense, units: 3}"))
    assert [d.code for d in result.diagnostics] == ["NS002"] and result.unchecked == 1


@pytest.mark.parametrize(
    "layer",
    [
        "{type: conv, filters: 4, kernel: 3, padding: 1, activation: [relu]}",
        "{type: conv, filters: 4, kernel: 3, padding: 1, in_channels: x}",
        "{type: conv_transpose, filters: 4, kernel: 3, activation: [relu]}",
    ],
)
def test_a_conv_s_activation_or_in_channels_leaves_the_rest_checked(layer: str) -> None:
    # None sets a shape, a parameter count or a receptive field. 8 → 8 (or 10 transposed),
    # then a dense layer on the unflattened map: NS105.
    text = spec("[3, 8, 8]", layer, "{type: dense, units: 3}")
    assert codes(text) == ["NS002", "NS105"]
    # Silenced, the mistake leaves the dense layer's problem alone.
    assert codes(text.replace("}\n  - {type: dense", "}  # noqa: NS002\n  - {type: dense", 1)) == ["NS105"]


def test_a_dense_layer_s_activation_or_in_features_leaves_the_rest_checked() -> None:
    for key in ("activation: [relu]", "in_features: x"):
        # 3·2·2 = 12 flat, 4 units, then a conv on a flat tensor: NS115.
        text = spec(
            "[3, 2, 2]", "{type: flatten}", f"{{type: dense, units: 4, {key}}}", "{type: conv, filters: 1, kernel: 1}"
        )
        assert codes(text) == ["NS002", "NS115"], key
    # The near miss: an upsample's mode changes the receptive fields after it, so a mistake
    # in it stops the check there.
    result = lint_text(spec("[3, 8, 8]", "{type: upsample, scale: 2, mode: bilinearr}", "{type: dense, units: 3}"))
    assert [d.code for d in result.diagnostics] == ["NS002"] and result.unchecked == 1
    # Nor is a conv's padding_mode looked past: the rules judge its padding by it. Padding 3
    # on a 3×3 kernel is NS107 in zeros mode, with a fix to 2 that Reflect never asked for.
    result = lint_text(
        spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, padding: 3, padding_mode: Reflect}", "{type: relu}")
    )
    assert [(d.code, d.fix) for d in result.diagnostics] == [("NS002", None)] and result.unchecked == 1


def test_a_mistake_netspec_checks_past_is_no_blocking_problem() -> None:
    # It may be silenced like any problem that leaves nothing unchecked, and is not said to
    # stop the check.
    text = spec("[3, 8, 8]", "{type: batchnorm, eps: 1e-3}", "{type: conv, filters: 4, kernel: 3, padding: 1}")
    (d,) = lint(text)
    assert d.code == "NS002" and not d.blocking
    assert lint(text.replace("eps: 1e-3}", "eps: 1e-3}  # noqa: NS002")) == []
    # The near miss: a mistake in a key that sets the shape stays blocking, and unsilenced.
    blocked = spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, stride: '2'}  # noqa: NS002")
    assert [(d.code, d.blocking) for d in lint(blocked)] == [("NS002", True), ("NS900", False)]


def test_a_layers_merged_problems_stay_an_error_when_a_later_one_blocks() -> None:
    # The string for a boolean is found first (by validation) and does not stop the check; the
    # kernel of 3 values for 2-D, found next (by propagation), does. Made a warning, NS002
    # still reports the layer as an error.
    layer = "{type: avgpool, kernel: [2, 2, 2], count_include_pad: 'yes'}"
    settings = Settings(severity={"NS002": Severity.WARNING})
    (d,) = lint_text(spec("[3, 32, 32]", layer), settings=settings).diagnostics
    assert (d.code, d.blocking, d.severity) == ("NS002", True, Severity.ERROR)
    assert d.message.index("count_include_pad") < d.message.index("kernel has 3 values")
    # The near miss: without the blocking problem, the setting makes it a warning.
    (d,) = lint_text(
        spec("[3, 32, 32]", "{type: avgpool, kernel: 2, count_include_pad: 'yes'}"), settings=settings
    ).diagnostics
    assert (d.code, d.blocking, d.severity) == ("NS002", False, Severity.WARNING)


def test_a_misspelt_required_key_is_reported_at_the_misspelling() -> None:
    layer = "{type: conv, filters: 8, kernel_size: 3}"
    (d,) = lint(spec("[3, 8, 8]", layer))
    assert (d.code, d.span.start.row, d.span.start.column) == ("NS002", 3, f"  - {layer}".index("kernel_size") + 1)
    assert d.message == (
        "unknown key 'kernel_size' in conv layer; did you mean 'kernel'?; "
        "conv layer is missing the required key `kernel`"
    )
    # The near miss: a missing key alone can only be placed at the layer.
    (d,) = lint(spec("[3, 8, 8]", "{type: conv, filters: 8}"))
    assert (d.span.start.row, d.span.start.column) == (3, 5)


def test_a_layers_unknown_keys_are_named_in_one_phrase() -> None:
    layer = "{type: conv, filters: 8, kernel: 3, paddin: 1, strid: 2, colour: red}"
    (d,) = lint(spec("[3, 8, 8]", layer))
    assert (d.code, d.span.start.column) == ("NS002", f"  - {layer}".index("paddin") + 1)
    assert d.message == (
        "unknown keys in conv layer: 'paddin' (did you mean 'padding'?), 'strid' (did you mean 'stride'?), 'colour'"
    )
    # The near miss: one unknown key keeps its phrase, and so do the unknown keys of another
    # layer.
    (first, second) = lint(spec("[3, 8, 8]", "{type: relu, colour: red}", "{type: relu, size: 1}"))
    assert (first.message, second.message) == ("unknown key 'colour' in relu layer", "unknown key 'size' in relu layer")


def test_a_layer_keyed_by_its_type_is_told_to_write_type() -> None:
    (d,) = lint(spec("[3, 8, 8]", "conv: {filters: 8, kernel: 3}"))
    assert (d.code, d.span.start.row, d.span.start.column) == ("NS002", 3, 5)
    assert d.message == (
        "a layer needs a `type`: `conv` is written as a key; write `type: conv` beside the layer's other keys, "
        "e.g. `{type: conv, filters: …, kernel: …}`"
    )
    # The near miss: a mapping with no key that names a layer type gets the general message.
    (d,) = lint(spec("[3, 8, 8]", "convolution: {filters: 8, kernel: 3}"))
    assert d.message == "a layer needs a `type`, e.g. `type: conv`"


@pytest.mark.parametrize("key", ["typ", "tpye", "Type", "types"])
def test_a_misspelt_type_key_is_named_with_the_key_it_meant(key: str) -> None:
    # As for any other unknown key ('strides' → 'stride'): the key to correct, pointed at.
    (d,) = lint(spec("[3, 8, 8]", f"{{filters: 8, {key}: conv, kernel: 3}}"))
    assert (d.code, d.span.start.row, d.span.start.column) == ("NS002", 3, 18)  # after "  - {filters: 8, "
    assert d.message == f"unknown key '{key}' in a layer without a `type`; did you mean 'type'?"
    # The near miss: no key close to `type` (`kind`), the general message.
    (d,) = lint(spec("[3, 8, 8]", "{filters: 8, kind: conv, kernel: 3}"))
    assert d.message == "a layer needs a `type`, e.g. `type: conv`"


def test_a_layers_schema_problems_are_placed_at_the_first_in_the_file() -> None:
    # Pydantic reports the bad value (row 5) before the unknown key (row 4).
    source = """\
        input: [3, 8, 8]
        layers:
          - type: conv
            filters: 8
            strides: 2
            kernel: three
        """
    (d,) = lint(source)
    assert (d.code, d.span.start.row, d.span.start.column) == ("NS002", 5, 5)
    assert d.message.startswith("unknown key 'strides' in conv layer; did you mean 'stride'?; ")
    # The near miss: the bad value alone is placed at itself.
    (d,) = lint(source.replace("strides", "stride"))
    assert (d.code, d.span.start.row, d.span.start.column) == ("NS002", 6, 13)


def test_schema_error_points_at_the_offending_key() -> None:
    layer = "{type: conv, filters: 4, kernel: 3, padding: 1, strides: 1}"
    (d,) = lint(spec("[3, 8, 8]", layer))
    line = f"  - {layer}"
    assert (d.span.start.row, d.span.start.column) == (3, line.index("strides") + 1)


@pytest.mark.parametrize(
    ("code", "layer", "key", "value"),
    [
        ("NS104", "{type: conv, filters: 4, kernel: 3, in_channels: 5}", "in_channels", "5"),
        ("NS104", "{type: conv, filters: 4, kernel: 1, groups: 2}", "groups", "2"),  # 3 input channels
        ("NS104", "{type: prelu, num_parameters: 4}", "num_parameters", "4"),  # 3 input channels
        ("NS104", "{type: groupnorm, groups: 2}", "groups", "2"),  # 3 input channels
        ("NS104", "{type: pixel_shuffle, scale: 2}", "scale", "2"),  # 3 channels, not a multiple of 4
        ("NS112", "{type: conv, filters: 4, kernel: 3, stride: 2, padding: same}", "padding", "same"),
        (
            "NS111",
            "{type: conv_transpose, filters: 4, kernel: 3, stride: [2, 2], output_padding: [0, 2]}",
            "output_padding",
            "[0, 2]",
        ),
        ("NS002", "{type: conv, filters: 4, kernel: [3, 3, 3]}", "kernel", "[3, 3, 3]"),
        ("NS107", "{type: maxpool, kernel: 2, padding: 2}", "padding", "2"),  # more than half the kernel
    ],
)
def test_a_layer_refused_for_one_key_points_at_its_value(code: str, layer: str, key: str, value: str) -> None:
    text = spec("[3, 8, 8]", layer)
    (d,) = [d for d in lint(text) if d.code == code]
    line = f"  - {layer}"
    column = line.index(f" {key}: ") + len(key) + 4  # past the space, the key, ": "; 1-based
    assert (d.span.start.row, d.span.start.column, d.span.end.column) == (3, column, column + len(value))


def test_layer_diagnostics_point_at_the_layer_mapping() -> None:
    (d,) = lint(spec("[3, 32, 32]", "{type: relu}", "{type: conv, filters: 8, kernel: 3}"))
    assert (d.code, d.span.start.row, d.span.start.column, d.layer) == ("NS102", 4, 5, "conv2")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        "- 1\n- 2\n",
        "42\n",
        "input: [3, 8, 8]\nlayers:\n",
        "input: [3, 8, 8]\nlayers: []\n",
        "input: [3, 8, 8]\nlayers: {type: relu}\n",
        "layers: [{type: relu}]\n",
        "input: [3]\nlayers: [{type: relu}]\n",
        "input: [3, 2, 2, 2, 2]\nlayers: [{type: relu}]\n",
        "input: [3, .nan, 8]\nlayers: [{type: relu}]\n",
        "input: [3, -8, 8]\nlayers: [{type: relu}]\n",
    ],
)
def test_malformed_specs_are_ns002(text: str) -> None:
    assert set(codes(text)) == {"NS002"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("42\n", "the file is an integer; a spec is a mapping"),
        ("- 1\n", "the file is a list; a spec is a mapping"),
        ("input: [3, 8, 8]\nlayers: [7]\n", "a layer must be a mapping with a `type`, not an integer"),
        ("input: [3, 8, 8]\nlayers: [relu]\n", "a layer must be a mapping with a `type`, not a string"),
    ],
)
def test_what_is_not_a_mapping_is_named_with_its_article(text: str, message: str) -> None:
    (d,) = lint(text)
    assert message in d.message


def test_unloadable_files_are_reported_whatever_the_selection() -> None:
    # A broken file must never pass silently: NS001 cannot be ignored (ruff does the same).
    assert codes("input: [3, 8, 8]\nlayers: [\n", Settings(ignore=("NS001",))) == ["NS001"]


#: An unknown key (NS002) in conv1 and a `from` naming no layer (NS004) in conv3: netspec can
#: check neither layer, nor the dense layer after them. conv2 repeats a key (NS003).
UNCHECKABLE = spec(
    "[3, 8, 8]",
    "{type: conv, filters: 4, kernel: 3, padding: 1, strides: 2}",
    "{type: conv, filters: 4, kernel: 3, padding: 1, padding: 1, from: input}",
    "{type: conv, filters: 4, kernel: 3, padding: 1, from: conv9}",
    "{type: dense, units: 10}",
)


@pytest.mark.parametrize(
    "settings",
    [
        Settings(select=("NS1",)),
        Settings(ignore=("NS0",)),
        Settings(ignore=("NS002", "NS003", "NS004")),
        Settings(per_file_ignores={"*.yaml": ("NS",)}),
    ],
    ids=["select-NS1", "ignore-NS0", "ignore-codes", "per-file-ignores"],
)
def test_what_netspec_cannot_check_past_is_reported_whatever_the_selection(settings: Settings) -> None:
    assert [code for code in codes(UNCHECKABLE, settings) if code < "NS1"] == ["NS002", "NS004"]
    # The near miss: NS003, which does not stop the check, obeys the selection.
    assert "NS003" not in codes(UNCHECKABLE, settings)


def test_the_unselected_file_reports_all_three() -> None:
    assert [code for code in codes(UNCHECKABLE) if code < "NS1"] == ["NS002", "NS003", "NS004"]


def test_what_netspec_cannot_check_past_stays_an_error() -> None:
    # Demoted to a warning, it would let `show` exit 0 on a spec it could not summarise.
    demoted = Settings(severity={"NS002": Severity.WARNING, "NS003": Severity.WARNING, "NS004": Severity.WARNING})
    found = {d.code: d.severity for d in lint(UNCHECKABLE, demoted) if d.code < "NS1"}
    # The near miss: NS003 blocks nothing, and is demoted as configured.
    assert found == {"NS002": Severity.ERROR, "NS003": Severity.WARNING, "NS004": Severity.ERROR}


def test_only_the_rules_netspec_cannot_check_past_are_blocking() -> None:
    # The file, a field, a reference, and the layers without an output.
    refused = ["NS103", "NS104", "NS105", "NS106", "NS107", "NS111", "NS112", "NS115", "NS117"]
    assert [code for code, rule in RULES.items() if rule.blocking] == ["NS001", "NS002", "NS004", *refused]


@pytest.mark.parametrize(
    ("code", "refused", "accepted"),
    [
        (
            "NS112",
            "{type: conv, filters: 4, kernel: 3, stride: [1, 2], padding: same}",
            "{type: conv, filters: 4, kernel: 3, stride: [1, 1], padding: same}",
        ),
        (
            "NS111",
            "{type: conv_transpose, filters: 4, kernel: 3, stride: 2, output_padding: [1, 2]}",
            "{type: conv_transpose, filters: 4, kernel: 3, stride: 2, output_padding: [1, 1]}",
        ),
        (  # 4 groups do not divide 6 output channels
            "NS104",
            "{type: conv, filters: 6, kernel: 1, groups: 4}",
            "{type: conv, filters: 8, kernel: 1, groups: 4}",
        ),
        (  # padding 2 > 3//2 = 1 on one side
            "NS107",
            "{type: maxpool, kernel: 3, padding: [[0, 2], [1, 1]]}",
            "{type: maxpool, kernel: 3, padding: [[0, 1], [1, 1]]}",
        ),
    ],
)
def test_a_layer_whose_input_is_unknown_is_still_refused_for_its_own_settings(
    code: str, refused: str, accepted: str
) -> None:
    # A dense layer on an unflattened tensor (NS105) has no output: what follows has no input.
    blocked = "{type: dense, units: 4}"
    found = lint(spec("[3, 8, 8]", blocked, refused))
    assert [d.code for d in found] == ["NS105", code]
    assert found[1].fix is None and found[1].layer_index == 1
    # The near miss: settings PyTorch accepts give nothing until the input is known.
    assert codes(spec("[3, 8, 8]", blocked, accepted)) == ["NS105"]


def test_a_layer_with_an_unknown_reference_is_still_refused_for_its_own_settings() -> None:
    layer = "{type: conv, filters: 4, kernel: 3, stride: 2, padding: same, from: nope}"
    # (No NS110 for the relu nothing reads: the broken `from` may have meant it.)
    assert sorted(codes(spec("[3, 8, 8]", "{type: relu}", layer))) == ["NS004", "NS112"]
    assert codes(spec("[3, 8, 8]", "{type: relu}", layer.replace("stride: 2", "stride: 1"))) == ["NS004"]


def test_settings_whose_lists_disagree_wait_for_the_input_rank() -> None:
    # output_padding 2 ≥ stride 2 in one dimension of three, but the stride has two values:
    # which dimension is which is known only with the input (then NS002).
    layer = "{type: conv_transpose, filters: 4, kernel: 3, stride: [2, 2], output_padding: [0, 0, 2]}"
    assert codes(spec("[3, 8, 8]", "{type: dense, units: 4}", layer)) == ["NS105"]
    assert codes(spec("[3, 8, 8]", layer)) == ["NS002"]


@pytest.mark.parametrize("kind", ["maxpool", "avgpool"])
def test_a_pools_lists_of_more_dimensions_than_any_input_wait_for_the_input_rank(kind: str) -> None:
    # Padding 1 > 1//2 = 0 in three of four dimensions; an input has 1 to 3 spatial ones, so
    # no rank fits four values, whose dimensions the message cannot name: which of them is
    # wrong is the input's to say (NS002). Naming them raised KeyError, an internal error.
    layer = f"{{type: {kind}, kernel: [1, 1, 1, 4], padding: 1}}"
    assert codes(spec("[3, 8, 8]", "{type: dense, units: 4}", layer)) == ["NS105"]
    assert codes(spec("[3, 8, 8]", layer)) == ["NS002"]
    # The near miss: three values are a rank an input may have, and are judged at once.
    three = layer.replace("[1, 1, 1, 4]", "[1, 1, 4]")
    assert codes(spec("[3, 8, 8]", "{type: dense, units: 4}", three)) == ["NS105", "NS107"]


@pytest.mark.parametrize(
    ("code", "layer"),
    [
        ("NS112", "{type: conv, filters: 4, kernel: 3, stride: [1, 1, 1, 2], padding: same}"),
        ("NS111", "{type: conv_transpose, filters: 4, kernel: 3, stride: [1, 1, 1, 2], output_padding: [0, 0, 0, 3]}"),
    ],
)
def test_a_convs_settings_refused_whatever_the_rank_are_refused_in_four_values_too(code: str, layer: str) -> None:
    # A stride of 2 with 'same', an output_padding of 3 ≥ its stride 2: PyTorch refuses
    # either in any dimension, so the layer is refused before its input is known.
    assert codes(spec("[3, 8, 8]", "{type: dense, units: 4}", layer)) == ["NS105", code]


def test_several_schema_problems_in_one_layer_make_one_diagnostic() -> None:
    (d,) = lint(spec("[3, 8, 8]", "{type: conv, filters: 0, kernel: 3, strides: 1}"))
    assert d.code == "NS002"
    assert "filters" in d.message and "strides" in d.message


@pytest.mark.parametrize(
    ("given", "meant", "layout"),
    [
        ("[224, 224, 3]", "[3, 224, 224]", "[H, W, C]"),  # Keras' input_shape
        ("[28, 28, 1]", "[1, 28, 28]", "[H, W, C]"),  # MNIST as a NumPy array
        ("[32, 100, 1]", "[1, 32, 100]", "[H, W, C]"),  # a grey text line, sides 100/32 ≤ 4 apart
        ("[1, 224, 224, 3]", "[3, 224, 224]", "[N, H, W, C]"),  # a TensorFlow batch of one
        ("[1, 3, 224, 224]", "[3, 224, 224]", "[N, C, H, W], with the batch"),  # a PyTorch batch of one
    ],
)
def test_ns116_an_input_in_another_frameworks_layout(given: str, meant: str, layout: str) -> None:
    (d,) = lint(spec(given, "{type: relu}"))
    # At the `input` key, where a noqa goes.
    assert (d.code, d.severity, d.span.start.row, d.span.start.column) == ("NS116", Severity.WARNING, 1, 1)
    assert d.message.startswith(f"input {given} looks like {layout}; netspec reads it as ")
    assert d.help == f"netspec takes channels first, without the batch: write `input: {meant}`"
    # What it says to write is clean.
    assert codes(spec(meant, "{type: relu}")) == []


@pytest.mark.parametrize(
    ("given", "first"),
    [
        ("[16, 112, 112, 3]", 16),  # C3D's clips of 16 frames, or 16 images
        ("[64, 64, 64, 4]", 64),  # four MRI modalities, or 64 images of four channels
    ],
)
def test_ns116_channels_last_with_a_fourth_size_names_batch_and_depth(given: str, first: int) -> None:
    (d,) = lint(spec(given, "{type: relu}"))
    *_, height, width, channels = yaml.safe_load(given)
    assert d.message.startswith(f"input {given} looks like [N, H, W, C] or [D, H, W, C]; ")
    assert d.help == (
        f"netspec takes channels first, without the batch: write `input: {[channels, height, width]}` if {first} "
        f"is the batch, `input: {[channels, first, height, width]}` if it is the depth"
    )


@pytest.mark.parametrize(
    ("given", "layer", "help"),
    [
        # Nothing written per dimension: a batch of eight images, or eight channels 3 deep.
        (
            "[8, 3, 224, 224]",
            "{type: relu}",
            "write `input: [3, 224, 224]` if 8 is the batch; if it is a volume's channels, as netspec reads it, "
            "a layer written for three dimensions (`kernel: [3, 3, 3]`) says so",
        ),
        # A layer written for two dimensions: a batch of images.
        ("[8, 3, 224, 224]", "{type: conv, filters: 8, kernel: [3, 3]}", "write `input: [3, 224, 224]`"),
        ("[16, 112, 112, 3]", "{type: upsample, scale: 2, mode: bilinear}", "write `input: [3, 112, 112]`"),
        # One written for three: a volume, with its channels last; one slice deep, it may as well
        # be an image whose layers are wrong.
        ("[16, 112, 112, 3]", "{type: conv, filters: 8, kernel: [3, 3, 3]}", "write `input: [3, 16, 112, 112]`"),
        (
            "[1, 224, 224, 3]",
            "{type: conv, filters: 8, kernel: [3, 3, 3], padding: 1}",
            "write `input: [3, 224, 224]` if 1 is the batch, `input: [3, 1, 224, 224]` if it is the depth",
        ),
        # Layers past a reshape see another rank, and say nothing of the input's.
        (
            "[128, 4, 28, 28]",
            "{type: reshape, shape: [512, 28, 28]}\n  - {type: conv, filters: 8, kernel: [3, 3], padding: [1, 1]}",
            "write `input: [4, 28, 28]` if 128 is the batch; if it is a volume's channels, as netspec reads it, "
            "a layer written for three dimensions (`kernel: [3, 3, 3]`) says so",
        ),
    ],
)
def test_ns116_the_layers_tell_a_batch_from_a_volume(given: str, layer: str, help: str) -> None:
    (d,) = [d for d in lint(spec(given, layer)) if d.code == "NS116"]
    assert d.help == f"netspec takes channels first, without the batch: {help}"


@pytest.mark.parametrize(
    "layer",
    [
        "{type: conv, filters: 8, kernel: [1, 3, 3], padding: [0, 1, 1]}",  # R(2+1)D's spatial conv
        "{type: upsample, scale: 2, mode: trilinear}",
        "{type: maxpool, kernel: 2, padding: [[0, 0], [0, 0], [1, 1]]}",
        # Written for three on the input, for two past the reshape.
        "{type: conv, filters: 8, kernel: [1, 3, 3]}\n  - {type: reshape, shape: [1664, 26, 26]}\n"
        "  - {type: conv, filters: 8, kernel: [3, 3]}",
        # Past a reshape that keeps the rank, and beside a head listed first that flattens.
        "{type: reshape, shape: [64, 8, 28, 28]}\n  - {type: conv, filters: 8, kernel: [1, 3, 3]}",
        "{type: flatten, name: f}\n  - {type: dense, name: aux, units: 10}\n"
        "  - {type: conv, name: main, filters: 8, kernel: [1, 3, 3], from: input}",
        # After a squeeze-and-excitation gate whose branch is flattened and reshaped back.
        "{type: conv, name: c1, filters: 128, kernel: 1}\n  - {type: adaptive_avgpool, output_size: 1}\n"
        "  - {type: flatten}\n  - {type: dense, units: 128}\n  - {type: reshape, name: gate, shape: [128, 1, 1, 1]}\n"
        "  - {type: multiply, from: [c1, gate]}\n  - {type: conv, filters: 8, kernel: [3, 1, 1], padding: [1, 0, 0]}",
        # Behind an error: a reference that does not resolve, a layer that is not a mapping.
        "{type: conv, filters: 8, kernel: [3, 3, 3], from: nope}",
        "conv\n  - {type: conv, filters: 8, kernel: [3, 3, 3]}",
        "{type: [reshape], shape: [1]}\n  - {type: conv, filters: 8, kernel: [3, 3, 3]}",
    ],
)
def test_ns116_quiet_on_a_volume_its_layers_are_written_for(layer: str) -> None:
    # A video block's features, 4 frames deep, as R(2+1)D-18 has them after layer2 on 8 frames.
    assert "NS116" not in codes(spec("[128, 4, 28, 28]", layer))


@pytest.mark.parametrize(
    "layer",
    [
        "{type: relu}",  # nothing written per dimension
        "{type: conv, filters: 8, kernel: [3, 3, 3], from: input}\n  - {type: conv, filters: 8, kernel: [3, 3]}",
        "{type: flatten}\n  - {type: reshape, shape: [8, 16, 56, 56]}\n  - {type: conv, filters: 8, kernel: [3, 3]}",
    ],
)
def test_ns116_fires_on_a_volume_its_layers_do_not_settle(layer: str) -> None:
    # The near misses of the quiet cases: written for three and for two at once, or for two
    # past a flatten and a reshape back to the input's rank.
    assert "NS116" in codes(spec("[128, 4, 28, 28]", layer))


def test_ns116_says_how_netspec_reads_the_input() -> None:
    # A 7×7 stride-2 conv with padding 3 runs on 224 channels of 224×3 (columns (3 + 6 − 7)/2 + 1
    # = 2): nothing but NS116 tells.
    source = spec("[224, 224, 3]", "{type: conv, filters: 64, kernel: 7, stride: 2, padding: 3}")
    (d,) = lint(source)
    assert d.message == "input [224, 224, 3] looks like [H, W, C]; netspec reads it as 224 channels of 224×3"
    (d,) = lint(spec("[1, 1, 28, 28]", "{type: relu}"))
    assert d.message.endswith("netspec reads it as 1 channel of 1×28×28")


@pytest.mark.parametrize(
    "shape",
    [
        "[3, 224, 224]",  # channels first
        "[4, 64, 64, 64]",  # a volume of four modalities
        "[1, 64, 128, 128]",  # a volume of one channel
        "[1, 3, 128]",  # one channel of 3×128: accelerometer axes as rows
        "[7, 7, 3]",  # 7 is below the smallest spatial size taken
        "[1, 5, 224, 224]",  # five is no image's channel count
        "[16000, 1]",  # 1-D: as likely 16,000 features as 16,000 samples
        "[9, 128, 1]",  # 9 channels over 128 steps, a 2-D conv's idiom for signals: 128/9 > 4
        "[3, 4, 160, 160]",  # X3D-XS: a clip of four RGB frames, channels first
        "[2, 4, 112, 112]",  # optical flow (x and y) over four frames, as two-stream networks take it
        "[1, 9, 128, 1]",  # the same, a batch of one
    ],
)
def test_ns116_near_misses(shape: str) -> None:
    assert "NS116" not in codes(spec(shape, "{type: relu}"))


@pytest.mark.parametrize("written", ["[224, 224, 3]", "\n  - 224\n  - 224\n  - 3"])
def test_ns116_is_silenced_on_the_input_line(written: str) -> None:
    first, *rest = f"input: {written}".split("\n")
    source = "\n".join([f"{first}  # noqa: NS116", *rest]) + "\nlayers:\n  - {type: relu}\n"
    assert codes(source) == []
    assert codes(source, Settings(ignore=("NS116",))) == []
    assert codes(source.replace("  # noqa: NS116", "")) == ["NS116"]


def test_ns108_help_gives_the_computed_shape_as_expect_takes_it() -> None:
    # 3×3 with padding 1 on 32: 32 + 2 − 3 + 1 = 32; then a dense layer of 10 units.
    (d,) = lint(spec("[3, 32, 32]", "{type: conv, filters: 16, kernel: 3, padding: 1, expect: [16, 30, 30]}"))
    assert d.code == "NS108" and d.help == "to expect what the layers give, write `expect: [16, 32, 32]`"
    (d,) = lint(spec("[3, 32, 32]", "{type: flatten}", "{type: dense, units: 10, expect: [12]}"))
    assert d.code == "NS108" and d.help == "to expect what the layers give, write `expect: [10]`"
    # What the help says to write is clean.
    assert codes(spec("[3, 32, 32]", "{type: conv, filters: 16, kernel: 3, padding: 1, expect: [16, 32, 32]}")) == []


#: (14 − 1)·2 − 2·1 + (3 − 1) + 1 = 27 for a stride-2 transposed conv meant to double 14.
DECODER = "{type: conv_transpose, filters: 1, kernel: 3, stride: 2, padding: 1, expect: %s}"


def test_ns108_names_the_output_padding_that_gives_a_transposed_conv_what_it_expects() -> None:
    (d,) = lint(spec("[64, 14, 14]", DECODER % "[1, 28, 28]"))
    assert d.code == "NS108" and d.help == (
        "set output_padding to 1, which gives 1×28×28; or, to expect what the layers give, write `expect: [1, 27, 27]`"
    )
    # Per dimension: 27 + 0 and 27 + 1.
    (d,) = lint(spec("[64, 14, 14]", DECODER % "[1, 27, 28]"))
    assert d.help is not None and d.help.startswith("set output_padding to [0, 1], which gives 1×27×28; or, ")
    # What the help says to write is clean, in PyTorch 28 (out = 27 + output_padding).
    assert codes(spec("[64, 14, 14]", (DECODER % "[1, 28, 28]").replace("}", ", output_padding: 1}"))) == []


def test_ns108_names_the_size_that_gives_an_upsample_what_it_expects() -> None:
    # floor(8·2) = 16, where 15 was expected: an upsample gives any size by `size`.
    (d,) = lint(spec("[3, 8, 8]", "{type: upsample, scale: 2, expect: [3, 15, 15]}"))
    assert d.code == "NS108" and d.help == (
        "set size to 15 in place of scale 2, which gives 3×15×15; or, to expect what the layers give, "
        "write `expect: [3, 16, 16]`"
    )
    assert codes(spec("[3, 8, 8]", "{type: upsample, size: 15, expect: [3, 15, 15]}")) == []
    # The near miss: no size gives other channels.
    (d,) = lint(spec("[3, 8, 8]", "{type: upsample, scale: 2, expect: [4, 16, 16]}"))
    assert d.help == "to expect what the layers give, write `expect: [3, 16, 16]`"
    # Nor a size of 0, which netspec and PyTorch refuse.
    (d,) = lint(spec("[3, 8, 8]", "{type: upsample, scale: 2, expect: [3, 0, 16]}"))
    assert d.help == "to expect what the layers give, write `expect: [3, 16, 16]`"


@pytest.mark.parametrize(
    "expect",
    [
        "[1, 29, 29]",  # 29 − 27 = 2: output_padding must stay below the stride, 2
        "[2, 28, 28]",  # another channel count: no padding gives it
        "[1, 26, 26]",  # smaller: output_padding only adds
        "[1, 28]",  # another rank
    ],
)
def test_ns108_names_no_output_padding_where_none_gives_the_expected_shape(expect: str) -> None:
    (d,) = lint(spec("[64, 14, 14]", DECODER % expect))
    assert d.code == "NS108" and d.help is not None and d.help.startswith("to expect what the layers give, ")


def test_only_an_interpolation_is_called_one() -> None:
    (d,) = lint(spec("[3, 8, 8]", "{type: conv, filters: '$width', kernel: 3}"))
    assert d.message == "`filters` should be a valid integer, got '$width' (string)"
    # A reference is one too, and only one, where the name of a layer would be.
    (d,) = lint(spec("[3, 8, 8]", "{type: relu, from: '${prev}'}"))
    assert (d.code, d.message) == (
        "NS004",
        "`from` names '${prev}', which is not an earlier layer; `${…}` is an interpolation (OmegaConf, Hydra), "
        "which netspec does not resolve: write the value",
    )
    (d,) = [
        d for d in lint(spec("[3, 8, 8]", "{type: relu, name: prev}", "{type: relu, from: prevv}")) if d.code == "NS004"
    ]
    assert d.message == "`from` names 'prevv', which is not an earlier layer; did you mean 'prev'?"


@pytest.mark.parametrize(
    ("gate", "output"),
    [
        ("{type: adaptive_avgpool, output_size: 1}", (4, 6, 6)),  # 4×1×1: a channel gate
        ("{type: conv, filters: 1, kernel: 3, padding: 1}", (4, 6, 6)),  # 1×6×6: a spatial gate
        ("{type: relu}", (4, 6, 6)),  # 4×6×6: the same shape
    ],
)
def test_multiply_broadcasts_sizes_of_one(gate: str, output: tuple[int, ...]) -> None:
    text = spec("[4, 6, 6]", "{type: relu, name: x}", gate.replace("}", ", name: g}"), "{type: multiply, from: [x, g]}")
    analysis = analyse(text, "spec.yaml", "spec")
    assert codes(text) == [] and analysis.graph.nodes[-1].output == output


@pytest.mark.parametrize(
    ("gate", "message"),
    [
        # Cropped to 5: neither 5 nor 6 is 1.
        (
            "{type: crop, size: 5}",
            "multiply inputs differ in shape, where neither size is 1: x: 4×6×6, g: 4×5×5",
        ),
        # Flat: PyTorch would multiply the last dimension (the columns) by the 4-vector.
        ("{type: flatten}", "multiply inputs differ in rank: x: 4×6×6, g: 144"),
    ],
)
def test_multiply_refuses_what_does_not_broadcast_channel_by_channel(gate: str, message: str) -> None:
    text = spec("[4, 6, 6]", "{type: relu, name: x}", gate.replace("}", ", name: g}"), "{type: multiply, from: [x, g]}")
    (d,) = lint(text)
    assert (d.code, d.message) == ("NS106", f"multiply3: {message}")


def test_only_a_quoted_number_is_told_to_lose_its_quotes() -> None:
    # A `!!str` tag and a block scalar make strings of 3 too, but have no quotes to remove.
    block = "input: [3, 8, 8]\nlayers:\n  - type: conv\n    filters: 4\n    kernel: >-\n      3\n"
    tagged = spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: !!str 3}")
    for text in (block, tagged):
        (d,) = lint(text)
        assert d.code == "NS002" and "quotes" not in d.message, d.message
    # Nor do values whose text here does not show how they are written: a tag before the
    # quotes (`!!str 3` would still be a string), or an alias of a tagged or block scalar.
    for text in (
        spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: !!str '3'}"),
        "k: &k !!str 3\n" + spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: *k}"),
        "k: &k |\n  3\n" + spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: *k}"),
    ):
        (kernel,) = [d for d in lint(text) if d.message.startswith("`kernel`")]
        assert "quotes" not in kernel.message, kernel.message
    # The near miss: the same value in double quotes.
    (d,) = lint(spec("[3, 8, 8]", '{type: conv, filters: 4, kernel: "3"}'))
    assert d.message.endswith("not '3'; remove the quotes")


def test_instancenorm_learns_nothing_unless_affine() -> None:
    # nn.InstanceNorm2d(8) has no parameters; with affine=True a scale and a shift per channel.
    for layer, params in (("{type: instancenorm}", 0), ("{type: instancenorm, affine: true}", 16)):
        graph = analyse(spec("[8, 4, 4]", layer), "i.yaml", "i").graph
        assert (graph.nodes[0].output, graph.nodes[0].params) == ((8, 4, 4), params)


@pytest.mark.parametrize(
    ("layer", "params"),
    [
        # nn.LayerNorm(8): a scale and a shift per channel; one without bias, none without affine.
        ("{type: layernorm}", 16),
        ("{type: layernorm, bias: false}", 8),
        ("{type: layernorm, elementwise_affine: false}", 0),
        ("{type: layernorm, elementwise_affine: false, bias: true}", 0),
        # ConvNeXt's layer scale: one scale per channel.
        ("{type: layer_scale, init: 1.0e-6}", 8),
    ],
)
def test_layernorm_and_layer_scale_learn_per_channel(layer: str, params: int) -> None:
    # The shape is kept: 8×4×4, and 8×1 flattened to 8 features.
    for shape, flat, output in (("[8, 4, 4]", (), (8, 4, 4)), ("[8, 1]", ("{type: flatten}",), (8,))):
        graph = analyse(spec(shape, *flat, layer), "n.yaml", "n").graph
        node = graph.nodes[-1]
        assert (node.output, node.params) == (output, params)


@pytest.mark.parametrize(
    ("shape", "layer", "fires"),
    [
        # One channel at each of 7×7 positions; two channels are two values.
        ("[1, 7, 7]", "{type: layernorm}", True),
        ("[2, 1, 1]", "{type: layernorm}", False),
        # Flat: one feature, or two.
        ("[1, 1]", "{type: flatten}", True),
        ("[2, 1]", "{type: flatten}", False),
        # groupnorm: channels / groups × positions values per group.
        ("[4, 1, 1]", "{type: groupnorm, groups: 4}", True),
        ("[4, 1, 1]", "{type: groupnorm, groups: 2}", False),
        ("[4, 2, 1]", "{type: groupnorm, groups: 4}", False),
        ("[1, 1, 1]", "{type: groupnorm, groups: 1}", True),
    ],
)
def test_ns118_counts_the_values_each_statistic_is_taken_over(shape: str, layer: str, fires: bool) -> None:
    layers = (layer,) if layer != "{type: flatten}" else (layer, "{type: layernorm}")
    found = lint(spec(shape, *layers))
    assert [d.code for d in found] == (["NS118"] if fires else [])


def test_ns118_says_what_the_constant_is_and_what_could_help() -> None:
    (pooled,) = lint(spec("[8, 4, 4]", "{type: adaptive_avgpool, output_size: 1}", "{type: groupnorm, groups: 8}"))
    assert (
        pooled.message == "groupnorm2: groupnorm with groups: 8 on 8×1×1 normalises each value alone: "
        "its output is its shift, whatever its input"
    )
    assert pooled.help == (
        "normalise where the map has more than one position, or use fewer groups (groups: 1 normalises the "
        "channels together), or remove the layer"
    )
    # Without a shift the output is 0 (nn.LayerNorm(1, bias=False) gives 0 for every input).
    (no_shift,) = lint(spec("[1, 7, 7]", "{type: layernorm, bias: false}"))
    assert no_shift.message == (
        "layernorm1: layernorm on 1×7×7 normalises the one channel of each position alone: "
        "its output is 0, whatever its input"
    )
    # Flat, the values are features; one feature leaves nothing to regroup or to spread over positions.
    (one,) = lint(spec("[1, 1]", "{type: flatten}", "{type: groupnorm, groups: 1, affine: false}"))
    assert (one.message, one.help) == (
        "groupnorm2: groupnorm with groups: 1 on 1 feature normalises each value alone: "
        "its output is 0, whatever its input",
        "remove the layer",
    )
    (features,) = lint(spec("[4, 1]", "{type: flatten}", "{type: groupnorm, groups: 4}"))
    assert features.help == "use fewer groups (groups: 1 normalises the features together), or remove the layer"


def test_instancenorm_needs_more_than_one_position() -> None:
    # PyTorch: "Expected more than 1 spatial element when training, got input size [1, 8, 1, 1]".
    (d,) = lint(spec("[8, 1, 1]", "{type: instancenorm}"))
    assert d.code == "NS115" and "8×1×1 has one position" in d.message
    # The near misses: 2×1 is two positions; after flatten there are none to normalise over.
    assert codes(spec("[8, 2, 1]", "{type: instancenorm}")) == []
    (d,) = lint(spec("[8, 2, 2]", "{type: flatten}", "{type: instancenorm}"))
    assert d.code == "NS115" and "flat tensor" in d.message


def test_a_repeated_merge_key_is_ns003_and_says_loaders_differ() -> None:
    text = "input: [3, 8, 8]\nlayers:\n  - {type: maxpool, <<: {kernel: 3}, <<: {kernel: 2}}\n"
    (d,) = lint(text)
    # The second `<<` at column 38: `  - {type: maxpool, ` is 20 characters, `<<: {kernel: 3}, ` 17 more.
    assert (d.code, d.span.start.row, d.span.start.column) == ("NS003", 3, 38)
    assert d.help == "loaders differ on which merged mapping wins: merge once, and write out the keys you mean"
    # The near miss: one merge key, and a key of its own that wins over the merged one.
    assert codes(text.replace("<<: {kernel: 2}", "kernel: 2")) == []


def test_a_key_two_merged_mappings_disagree_on_is_ns003_at_the_list() -> None:
    # The merge type's specification keeps kernel 3 (the first mapping); PyYAML 6.0.4 keeps 5.
    text = (
        "input: [3, 8, 8]\n"
        "layers:\n"
        "  - {type: maxpool, kernel: 2, stride: 2}\n"
        "  - {type: conv, filters: 4, <<: [{kernel: 3, padding: 1}, {kernel: 5, padding: 1}]}\n"
    )
    (d,) = lint(text)
    # The list at column 34: `  - {type: conv, filters: 4, <<: ` is 33 characters.
    assert (d.code, d.layer, d.span.start.row, d.span.start.column) == ("NS003", "conv2", 4, 34)
    assert d.message == "the mappings this `<<` merges give the key 'kernel' different values, 3 and 5"
    assert d.help == (
        "loaders differ on which merged mapping wins: write 'kernel' out in this mapping, with the value you mean"
    )
    # Three mappings that disagree on one key are one report.
    three = text.replace("{kernel: 5, padding: 1}]", "{kernel: 5, padding: 1}, {kernel: 7}]")
    assert codes(three) == ["NS003"]
    # The near misses: the key written out wins in every loader; mappings that agree on a
    # key (padding) or hold different keys leave nothing to choose.
    assert codes(text.replace("filters: 4,", "filters: 4, kernel: 3,")) == []
    assert codes(text.replace("kernel: 5, padding: 1", "kernel: 3, padding: 1")) == []
    assert codes(text.replace("{kernel: 5, padding: 1}", "{stride: 1}")) == []


def test_ns003_reports_a_layers_repeats_in_file_order_merge_conflicts_included() -> None:
    # The conflict (row 4) is found as the layer's mapping closes, after the repeated filters
    # (row 7); the report is still at the first, at the list on row 4, column 9.
    text = (
        "input: [3, 8, 8]\nlayers:\n  - type: conv\n    <<: [{kernel: 3}, {kernel: 5}]\n"
        "    padding: 1\n    filters: 4\n    filters: 8\n"
    )
    (d,) = lint(text)
    assert (d.code, d.span.start.row, d.span.start.column) == ("NS003", 4, 9)
    assert d.message.startswith("the mappings this `<<` merges give the key 'kernel' different values, 3 and 5; ")
    assert d.help is not None and d.help.endswith("write 'kernel' out in this mapping, with the value you mean")
    # A key spelt '<<', quoted, is no merge key: its conflict gets the conflict's help.
    (d,) = [d for d in lint(spec("[3, 8, 8]", "{type: relu, <<: [{'<<': a}, {'<<': b}]}")) if d.code == "NS003"]
    assert d.help is not None and d.help.endswith("write '<<' out in this mapping, with the value you mean")


def test_outputs_lists_the_layers_ns110_leaves_unread() -> None:
    # An auxiliary head (aux) beside the main one (logits), both read by nothing.
    heads = spec(
        "[3, 8, 8]",
        "{type: conv, name: stem, filters: 4, kernel: 3, padding: 1}",
        "{type: flatten, name: aux}",
        "{type: flatten, name: logits, from: stem}",
    )
    (d,) = lint(heads)
    assert (d.code, d.layer, d.span.start.row) == ("NS110", "aux", 4)
    # The near miss: both listed. Then the order of the list is free, and the last layer is
    # an output only when listed: with aux alone, logits is reported, and the message says why.
    for listed in ("[aux, logits]", "[logits, aux]"):
        assert lint(f"outputs: {listed}\n" + heads) == []
    (d,) = lint("outputs: [aux]\n" + heads)
    assert (d.code, d.layer) == ("NS110", "logits")
    assert d.message == "logits: no layer reads this layer's output, and `outputs` does not list it"
    # Two layers named logits (NS005): `outputs` lists the first, and NS110 says so of the other.
    twins = "outputs: [logits]\n" + heads.replace("{type: flatten, name: aux}", "{type: flatten, name: logits}")
    unused, taken = lint(twins)  # NS005 at the name, after the layer's start
    assert [(d.code, d.layer_index) for d in (unused, taken)] == [("NS110", 2), ("NS005", 2)]
    assert unused.message == "logits: no layer reads this layer's output, and the 'logits' in `outputs` is layer 2"
    # The near miss: without `outputs`, the last layer is the output, and there is no list to cite.
    (unused,) = [d for d in lint(twins.removeprefix("outputs: [logits]\n")) if d.code == "NS110"]
    assert unused.message == "logits: no layer reads this layer's output"


@pytest.mark.parametrize(
    ("head", "code"),
    [
        ("relu, from: stme", "NS004"),  # one typo, one diagnostic
        ("add, from: [stme, copy]", "NS004"),
        ("relu, from: 5", "NS002"),
        ("relu, form: stem", "NS002"),  # a misspelt `from` reads the layer before: the stem's copy
        ("add, from: [copy, 3]", "NS002"),
    ],
)
def test_a_from_that_does_not_resolve_keeps_ns110_quiet(head: str, code: str) -> None:
    # Which layer the head meant to read is unknown: the stem, its copy, or another.
    layers = (
        "{type: conv, name: stem, filters: 8, kernel: 3, padding: 1}",
        "{type: relu, name: copy, from: input}",
        f"{{type: {head}}}",
    )
    assert codes(spec("[3, 8, 8]", *layers)) == [code]
    # The near misses: mended, the layer nothing reads is reported; and so is one after the
    # broken layer, which it cannot have meant, or the broken layer itself.
    mended = spec("[3, 8, 8]", *layers[:2], "{type: relu, from: copy}")
    assert [(d.code, d.layer) for d in lint(mended)] == [("NS110", "stem")]
    after = spec("[3, 8, 8]", *layers, "{type: relu, name: late, from: input}", "{type: relu, from: input}")
    broken = head.split(",")[0] + "3"  # its type and position: its default name
    assert {d.layer for d in lint(after) if d.code == "NS110"} == {broken, "late"}


def test_a_misspelt_from_outside_the_layers_is_only_an_unknown_key() -> None:
    # NS110 looks for a misspelt `from` in the layers only; at the top level, or under a
    # layer's key, it read the layer's index from the wrong place: an internal error.
    assert [d.message for d in lint("input: [1, 8]\nfrm: 3\nlayers:\n  - {type: relu}\n")] == [
        "unknown key 'frm' in spec"
    ]


def test_an_unknown_key_that_is_no_misspelt_from_leaves_ns110_alone() -> None:
    # `strides` is a misspelt `stride`, not `from`: the layer reads what it would, and the
    # layer nothing reads is reported beside the NS002.
    layers = (
        "{type: conv, name: a, filters: 16, kernel: 3, padding: 1}",
        "{type: conv, name: b, filters: 16, kernel: 3, padding: 1, from: input}",
        "{type: conv, name: c, filters: 16, kernel: 3, padding: 1, strides: 1}",
    )
    assert [(d.code, d.layer) for d in lint(spec("[3, 8, 8]", *layers))] == [("NS110", "a"), ("NS002", "c")]
    # The near miss: `frm` may be `from`, also after another unknown key.
    assert codes(spec("[3, 8, 8]", *layers[:2], layers[2].replace("strides", "frm"))) == ["NS002"]
    assert codes(spec("[3, 8, 8]", *layers[:2], layers[2].replace("strides: 1", "zzz: 1, frm: a"))) == ["NS002"]


def test_a_bad_outputs_list_is_reported_and_keeps_ns110_quiet() -> None:
    heads = spec("[3, 8, 8]", "{type: relu, name: aux}", "{type: relu, name: logits, from: input}")
    # A name that is no layer: NS004 at the name (line 1, column 16), with the close name.
    (d,) = lint("outputs: [aux, logit]\n" + heads)
    assert (d.code, d.span.start.row, d.span.start.column) == ("NS004", 1, 16)
    assert d.message == "`outputs` names 'logit', which is not a layer; did you mean 'logits'?"
    assert lint("outputs: [aux, input]\n" + heads)[0].message == "`outputs` names 'input', which is not a layer"
    # Not a list of names: NS002; which layers are outputs is unknown, so NS110 waits.
    for bad in ("aux", "[]", "[aux, 3]"):
        assert codes(f"outputs: {bad}\n" + heads) == ["NS002"], bad
    # It blocks: a noqa cannot silence it (NS900 says so), since NS110 would be silent too.
    assert codes("outputs: aux  # noqa: NS002\n" + heads) == ["NS002", "NS900"]
    # A name listed again, and names that are no layers: one problem each, however many.
    (d,) = lint("outputs: [aux, logits, aux, logits, aux]\n" + heads)
    # The repeat at column 24: `outputs: [` is 10 characters, `aux, logits, ` 13 more.
    assert (d.code, d.span.start.column) == ("NS002", 24)
    assert d.message == "`outputs` lists 'aux' again; a network returns each output once (and 2 more repeats)"
    (d,) = lint("outputs: [aux, " + ", ".join(f"n{i}" for i in range(3000)) + "]\n" + heads)
    assert d.code == "NS004" and d.message.endswith("(and 2,999 more names that are not layers)")
    # The near miss: null is the default, the last layer, as for every optional key.
    assert codes("outputs: null\n" + heads) == ["NS110"]


def test_layers_that_need_a_map_refuse_a_flat_tensor_and_1d_divisor_override() -> None:
    # PyTorch: "Expected 3D or higher dimensionality input" for local response normalisation;
    # AvgPool1d has no divisor_override; Dropout1d would take the batch for the channels.
    flat = "{type: flatten}"
    (d,) = lint(spec("[8, 4, 4]", flat, "{type: local_response_norm, size: 5}"))
    assert d.code == "NS115" and "local_response_norm needs a [C, *spatial] input" in d.message
    (d,) = lint(spec("[8, 4, 4]", flat, "{type: dropout, whole_channels: true}"))
    assert d.code == "NS115" and "dropout needs a [C, *spatial] input" in d.message
    (d,) = lint(spec("[2, 9]", "{type: avgpool, kernel: 3, divisor_override: 9}"))
    assert d.code == "NS115" and d.message.startswith("avgpool1: divisor_override needs a 2-D or 3-D input")
    # The near misses: each on a map, element dropout on a flat tensor, a 2-D divisor_override.
    assert codes(spec("[8, 4]", "{type: local_response_norm, size: 5}")) == []
    assert codes(spec("[8, 4, 4]", "{type: dropout, whole_channels: true}")) == []
    assert codes(spec("[8, 4, 4]", flat, "{type: dropout}")) == []
    assert codes(spec("[2, 1, 9]", "{type: avgpool, kernel: [1, 3], divisor_override: 9}")) == []
    assert codes(spec("[2, 9]", "{type: avgpool, kernel: 3, count_include_pad: false}")) == []


@pytest.mark.parametrize(
    ("mode", "size", "padding", "refused"),
    [
        # A reflection about the edge mirrors at most W − 1 positions: [a b c] pads to c b|a b c|b a.
        ("reflect", 3, 2, False),
        ("reflect", 3, 3, True),
        ("reflect", 3, [[0, 3], [0, 0]], True),
        # A wrap copies at most the whole input once.
        ("circular", 3, 3, False),
        ("circular", 3, 4, True),
        # The edge repeats as often as asked, and zeros have no limit.
        ("replicate", 3, 5, False),
        ("constant", 3, 5, False),
    ],
)
def test_pad_modes_that_copy_the_input_reach_no_further_than_it(
    mode: str, size: int, padding: int | list[list[int]], refused: bool
) -> None:
    text = spec(f"[2, {size}, {size}]", f"{{type: pad, padding: {padding}, mode: {mode}}}")
    assert codes(text) == (["NS107"] if refused else [])


def test_a_reflect_pad_too_wide_is_an_error_with_the_clamped_padding() -> None:
    (d,) = lint(spec("[2, 3, 8]", "{type: pad, padding: 4, mode: reflect}"))
    assert (d.code, d.severity.value, d.blocking) == ("NS107", "error", True)
    assert d.message == (
        "pad1: reflect padding 4 reaches past the input's 3 rows: reflect padding takes at most W − 1 = 2 per side"
    )
    # Height clamps to 3 − 1 = 2; width keeps 4 < 8.
    assert d.fix is not None and d.fix.message == "set padding to [2, 4]"


def test_ns102_measures_a_layer_behind_an_explicit_pad_before_the_pad() -> None:
    # CycleGAN's residual branch: reflect by 1, then an unpadded 3×3: 64 + 2 − 3 + 1 = 64.
    block = ("{type: pad, padding: 1, mode: reflect}", "{type: conv, filters: 4, kernel: 3}")
    assert codes(spec("[4, 64, 64]", *block)) == []
    # An even kernel padded 1 before and 0 after: 8 + 1 − 2 + 1 = 8.
    assert (
        codes(spec("[4, 8, 8]", "{type: pad, padding: [[1, 0], [1, 0]]}", "{type: conv, filters: 4, kernel: 2}")) == []
    )
    # Too little: 64 + 2·2 − 7 + 1 = 62, two short of the 64 before the pad.
    (d,) = lint(spec("[4, 64, 64]", "{type: pad, padding: 2, name: p}", "{type: conv, filters: 4, kernel: 7, name: c}"))
    assert d.code == "NS102"
    assert d.message == (
        "c shrinks 64×64, before p, to 62×62: 64 − 7 + 2·2 + 1 = 62 with stride 1, p's padding and its own together"
    )
    assert d.help == "p and c together need padding 3 to keep 64×64 (P = D·(F − 1)/2)"
    # No fix: padding the conv by 3 on top of p's 2 would give 64 + 2·2 + 2·3 − 7 + 1 = 68×68.
    assert d.fix is None


def test_a_convolution_pads_with_copies_no_further_than_the_input() -> None:
    # A 5×5 kernel, so that no padding here reaches NS107's warning (P ≥ K). Padding 3 grows
    # the map (3 + 6 − 5 + 1 = 5 rows), which is NS102's.
    conv = "{type: conv, filters: 2, kernel: 5, padding: %d, padding_mode: %s}"
    # Reflect on 3 rows mirrors at most 2; the near miss pads by 2.
    (d,) = lint(spec("[2, 3, 9]", conv % (3, "reflect")), NS107_ONLY)
    assert (d.code, d.severity.value) == ("NS107", "error")
    assert d.message.endswith(
        "reflect padding 3 reaches past the input's 3 rows: reflect padding takes at most W − 1 = 2 per side"
    )
    assert codes(spec("[2, 3, 9]", conv % (2, "reflect")), NS107_ONLY) == []
    # A wrap may copy all 3 rows once, not 4; the edge repeats as often as asked.
    assert codes(spec("[2, 3, 9]", conv % (3, "circular")), NS107_ONLY) == []
    assert codes(spec("[2, 3, 9]", conv % (4, "circular")), NS107_ONLY) == ["NS107"]
    assert codes(spec("[2, 3, 9]", conv % (2, "replicate")), NS107_ONLY) == []


def test_ns107_says_what_an_over_padded_convolution_sees_in_each_mode() -> None:
    # Padding 3 ≥ K = 3: the corner output's window lies in the padding, and the map grows
    # from 8×8 to 8 + 6 − 3 + 1 = 12×12 whatever the padding holds (NS102's, beside the point).
    conv = "{type: conv, filters: 2, kernel: 3, padding: 3, padding_mode: %s}"
    seen = {
        "zeros": "zeros",
        "replicate": "the padding's copies of the edge",
        "reflect": "the padding's mirror of the input",
        "circular": "the padding's copies of the input's other end",
    }
    for mode, what in seen.items():
        (d,) = lint(spec("[2, 8, 8]", conv % mode), NS107_ONLY)
        assert d.code == "NS107" and d.message.endswith(f"so the outermost outputs see only {what}")
        # Only zeros are clamped automatically: copies may be what a strided layer reads.
        assert (d.fix is not None) == (mode == "zeros")
    # The near miss: padding 2 leaves every corner window one input position.
    assert codes(spec("[2, 8, 8]", conv.replace("padding: 3", "padding: 2") % "reflect"), NS107_ONLY) == []


def test_ns101_says_when_a_wrap_copies_the_rows_it_drops() -> None:
    # (9 − 3 + 2·1)/3 + 1 = 3.67: the windows start at −1, 2 and 5 and stop at 7, so
    # position 8 gets no window. A wrap puts it at −1, which the first window reads; a
    # reflection puts position 1 there, and 8 is never read.
    conv = "{type: conv, filters: 1, kernel: 3, stride: 3, padding: 1, padding_mode: %s}"
    (wrapped,) = lint(spec("[1, 9]", conv % "circular"))
    assert wrapped.code == "NS101" and wrapped.message.endswith(
        "the last input position gets no window of its own; the circular padding copies it"
    )
    (reflected,) = lint(spec("[1, 9]", conv % "reflect"))
    assert reflected.message.endswith("the last input position is never read")


def test_ns109_counts_what_the_padding_copies() -> None:
    # Kernel 1, stride 3, padding 1 on 9: windows at −1, 2, 5 and 8. With zeros they read
    # 2, 5 and 8; a wrap makes −1 a copy of 8, already read; a reflection a copy of 1, a
    # fourth position.
    conv = "{type: conv, filters: 1, kernel: 1, stride: 3, padding: 1, padding_mode: %s}"
    (wrapped,) = [d for d in lint(spec("[1, 9]", conv % "circular")) if d.code == "NS109"]
    assert wrapped.message.endswith("reads only 1/3 of its input")
    (reflected,) = [d for d in lint(spec("[1, 9]", conv % "reflect")) if d.code == "NS109"]
    assert reflected.message.endswith("reads only 4/9 of its input")


def test_ns107_names_every_dimension_a_copying_pad_overreaches() -> None:
    # Rows: 4 > 3 − 1; columns: 9 > 8 − 1. The fix clamps both, to 2 and 7.
    (d,) = lint(spec("[2, 3, 8]", "{type: pad, padding: [[0, 4], [1, 9]], mode: reflect}"))
    assert d.message == (
        "pad1: reflect padding 4 reaches past the input's 3 rows and 9 past its 8 columns: "
        "reflect padding takes at most W − 1 per side: 2 along the rows, and 7 along the columns"
    )
    assert d.fix is not None and d.fix.edits[0].value == [[0, 2], [1, 7]]


def test_ns102_behind_a_pad_keeps_what_the_strided_dimensions_have() -> None:
    # Height, stride 1: 8 + 0 − 3 + 1 = 6 < 8, needs 1 per side. Width, stride 2, keeps p's 3:
    # (8 + 6 − 2)/2 + 1 = 7, which is what PyTorch gives with that padding, not 8.
    text = spec(
        "[4, 8, 8]",
        "{type: pad, padding: [[0, 0], [3, 3]], name: p}",
        "{type: avgpool, kernel: [3, 2], stride: [1, 2], name: c}",
    )
    (d,) = lint(text)
    assert d.code == "NS102"
    assert d.help == "p and c together need padding [1, 3] to give 8×7 (P = D·(F − 1)/2)"


def test_ns102_behind_a_pad_keeps_what_a_ceil_mode_pool_has() -> None:
    # Columns, stride 1: 8 + 6 − 1 + 1 = 14 > 8, need no padding. Rows, stride 3 in ceil mode,
    # keep p's 3: ZeroPad2d makes 22 into 28, and the pool, with no padding of its own, gives
    # ceil((28 − 1)/3) + 1 = 10, its last window starting at 27 < 28 (ATen keeps it). Counted
    # as the pool's own padding, the 3 would make that window start past 22 + 3, and give 9.
    assert (math.ceil((28 - 1) / 3) + 1, 9 * 3 < 28, 9 * 3 >= 22 + 3) == (10, True, True)
    text = spec(
        "[1, 22, 8]",
        "{type: pad, name: p, padding: 3}",
        "{type: avgpool, name: pool, kernel: 1, stride: [3, 1], ceil_mode: true}",
    )
    (d,) = lint(text)
    assert d.code == "NS102"
    assert d.help == "p and pool together need padding [3, 0] to give 10×8 (P = D·(F − 1)/2)"


def test_ns102_looks_through_shape_keeping_layers_to_the_pad() -> None:
    # pad 1 → dropout → norm → unpadded 3×3 keeps 8×8: the pad is there to be used.
    between = ("{type: pad, padding: 1, mode: reflect}", "{type: dropout, rate: 0.5}", "{type: instancenorm}")
    assert codes(spec("[4, 8, 8]", *between, "{type: conv, filters: 4, kernel: 3}")) == []
    # The near miss: a 5×5 after it shrinks 8×8 to 6×6, and padding it by 2 would grow the
    # map: no fix, and the help speaks of the pad.
    (d,) = lint(spec("[4, 8, 8]", *between, "{type: conv, filters: 4, kernel: 5}"))
    assert d.code == "NS102" and d.fix is None
    assert d.help == "pad1 and conv4 together need padding 2 to keep 8×8 (P = D·(F − 1)/2)"


def test_slice_takes_a_range_of_channels_and_no_more_than_there_are() -> None:
    # ShuffleNetV2's split of 116 channels: 0:58 and 58:116, each 58 channels of 28×28.
    graph = analyse(
        spec("[116, 28, 28]", "{type: slice, name: a, stop: 58}", "{type: slice, start: 58, from: input}"),
        "s.yaml",
        "s",
    ).graph
    assert [node.output for node in graph.nodes] == [(58, 28, 28), (58, 28, 28)]
    # x[:, 2:9] of 6 channels gives 4 without a word: an error, not 7 channels.
    (d,) = lint(spec("[6, 4, 4]", "{type: slice, start: 2, stop: 9}"))
    assert d.code == "NS104" and d.message.endswith(
        "slice 2:9 reaches past the input's 6 channels; PyTorch would silently give 4"
    )
    # The near miss: 2:6 takes the last 4 channels. A reversed range takes none.
    assert codes(spec("[6, 4, 4]", "{type: slice, start: 2, stop: 6}")) == []
    (d,) = lint(spec("[6, 4, 4]", "{type: slice, start: 4, stop: 2}"))
    assert d.code == "NS103"
    # Nor does an empty one: x[:, 2:2] has 0 channels.
    assert codes(spec("[6, 4, 4]", "{type: slice, start: 2, stop: 2}")) == ["NS103"]


def test_channel_shuffle_groups_must_divide_the_channels() -> None:
    # PyTorch: "Number of channels must be divisible by groups. Got 6 channels and 4 groups."
    (d,) = lint(spec("[6, 4, 4]", "{type: channel_shuffle, groups: 4}"))
    assert d.code == "NS104"
    assert codes(spec("[6, 4, 4]", "{type: channel_shuffle, groups: 3}")) == []


def test_ns102_reports_a_stride_1_transposed_convolution_that_shrinks() -> None:
    # (8 − 1)·1 − 2·2 + (3 − 1) + 1 = 6: padding 2 takes off more than the kernel's 2 adds.
    (d,) = lint(spec("[3, 8, 8]", "{type: conv_transpose, filters: 4, kernel: 3, padding: 2}"))
    assert d.code == "NS102"
    assert d.message.endswith("shrinks 8×8 to 6×6: (8 − 1)·1 − 2·2 + 1·(3 − 1) + 0 + 1 = 6 with stride 1")
    assert d.fix is not None and d.fix.edits[0].value == 1
    # Kernel 4 adds 3, which no whole padding halves: 6 − 2·2 + 3 = 5, and 6 − 2·1 + 3 = 7.
    (odd,) = lint(spec("[3, 6, 6]", "{type: conv_transpose, filters: 4, kernel: 4, padding: 2}"))
    assert odd.fix is None and odd.help.startswith("no automatic fix")
    # Dimensions with their own arithmetic are each named: rows (10 − 1) − 2 + 0 + 1 = 8,
    # columns (10 − 1) − 6 + 2 + 1 = 6.
    (named,) = lint(spec("[2, 10, 10]", "{type: conv_transpose, filters: 2, kernel: [1, 3], padding: [1, 3]}"))
    assert named.message.endswith(
        "shrinks 10×10 to 8×6: rows: (10 − 1)·1 − 2·1 + 1·(1 − 1) + 0 + 1 = 8; "
        "columns: (10 − 1)·1 − 2·3 + 1·(3 − 1) + 0 + 1 = 6 with stride 1"
    )
    # The near misses: padding 1 keeps 8×8; DCGAN's first layer grows 1×1 to 4×4 on purpose.
    assert codes(spec("[3, 8, 8]", "{type: conv_transpose, filters: 4, kernel: 3, padding: 1}")) == []
    assert codes(spec("[100, 1, 1]", "{type: conv_transpose, filters: 512, kernel: 4, bias: false}")) == []


def test_ns103_reports_a_transposed_convolution_whose_padding_removes_everything() -> None:
    # (3 − 1)·1 − 2·3 + 1·(3 − 1) + 0 + 1 = −1; PyTorch: "Given input size per channel:
    # (3 x 3). Calculated output size per channel: (-1 x -1). Output size is too small".
    (d,) = lint(spec("[4, 3, 3]", "{type: conv_transpose, filters: 4, kernel: 3, padding: 3}"))
    assert d.code == "NS103" and d.blocking
    assert d.message.startswith("conv_transpose1: (3 − 1)·1 − 2·3 + 1·(3 − 1) + 0 + 1 = −1 < 1: ")
    # The near miss: padding 2 leaves (3 − 1) − 4 + 2 + 1 = 1 (NS102 only: it shrinks 3 to 1).
    assert codes(spec("[4, 3, 3]", "{type: conv_transpose, filters: 4, kernel: 3, padding: 2}")) == ["NS102"]


def test_ns109_share_counts_the_positions_a_dimension_that_skips_none_drops() -> None:
    # Rows: (6 − 3)/2 + 1 = 2 windows read rows 0–4, and row 5 is dropped: 5/6. Columns:
    # kernel 1, stride 2 reads 0, 2 and 4: 1/2. Together 5/12, not 1/2.
    (d,) = [
        d for d in lint(spec("[1, 6, 6]", "{type: conv, filters: 1, kernel: [3, 1], stride: 2}")) if d.code == "NS109"
    ]
    assert d.message.endswith("the layer reads only 5/12 of its input")


def test_ns101_says_no_more_than_it_can_count_of_a_wide_wrap() -> None:
    # 10⁸ + 5·10⁷ − 3 is odd, so the last position is dropped; whether the wrap copies it
    # would take 7.5·10⁷ steps to find out, so the message only says what holds either way.
    conv = "{type: conv, filters: 1, kernel: 3, stride: 2, padding: [[50000000, 0]], padding_mode: circular}"
    # (The padding is also over the kernel, NS107's warning.)
    (d,) = [d for d in lint(spec("[1, 100000000]", conv)) if d.code == "NS101"]
    assert d.message.endswith("and the last input position gets no window of its own")
    # The near miss: a narrow wrap is counted, and copies it.
    (d,) = lint(spec("[1, 9]", conv.replace("50000000", "1")))
    assert d.message.endswith("gets no window of its own; the circular padding copies it")


def test_ns107_offers_no_same_whose_windows_read_nothing() -> None:
    # Kernel 2, dilation 4 on 2×2: 'same' pads 2, and its 2 + 4 − 5 + 1 = 2 windows read
    # −2 and 2, −1 and 3: nothing of the input (NS109's error). Padding 4 gives
    # 2 + 8 − 5 + 1 = 6 outputs, whose taps i − 4 and i reach 0 and 1.
    (d,) = lint(spec("[8, 2, 2]", "{type: conv, filters: 8, kernel: 2, dilation: 4, padding: 5}"), NS107_ONLY)
    assert d.code == "NS107" and d.help == "padding 4 gives 6×6 (P below the effective kernel, D·(F − 1) + 1)"
    # On 3 positions, 'same' windows read 2 (taps −2 and 2, −1 and 3, 0 and 4) of 3: the fix
    # keeps the clamp, 4, which gives 3 + 8 − 5 + 1 = 7, rather than a fix NS109 would report.
    (d,) = lint(spec("[1, 3]", "{type: conv, filters: 1, kernel: 2, dilation: 4, padding: 5}"), NS107_ONLY)
    assert d.fix is not None and d.fix.edits[0].value == 4
    assert d.help == (
        "padding 4 gives 7 (P below the effective kernel, D·(F − 1) + 1); padding 2 gives 3, as 'same' would"
    )
    # The near miss: on 4×4, 'same' windows (taps i − 2 and i + 2, for i = 0 to 3) read every
    # position, so the fix is 'same', which keeps the size as the clamp to 4 would not.
    (d,) = lint(spec("[8, 4, 4]", "{type: conv, filters: 8, kernel: 2, dilation: 4, padding: 5}"), NS107_ONLY)
    assert d.fix is not None and d.fix.edits[0].value == 2
    assert d.help == (
        "padding 2 gives 4×4 (P below the effective kernel, D·(F − 1) + 1; 'same' where the stride is 1, "
        "which keeps the size)"
    )


def test_a_copying_convolution_is_clamped_to_what_it_uses() -> None:
    # Reflect on 8×8 reaches 7, but a 3×3 kernel uses no more than 2 per side (NS107's
    # zero-padding limit), which the help names, with 'same': 2 would give 8 + 4 − 3 + 1 = 9,
    # so at stride 1 the fix is 'same', 1, which keeps 8×8.
    (d,) = lint(spec("[1, 8, 8]", "{type: conv, filters: 1, kernel: 3, padding: 9, padding_mode: reflect}"))
    assert d.code == "NS107" and d.fix is not None and d.fix.edits[0].value == 1
    assert d.help == (
        "pad by at most 2 there (below the effective kernel, past which a window holds nothing but padding), or in "
        "replicate mode, which repeats the edge as far as asked; padding 1 gives 8×8, as 'same' would"
    )
    # The near miss: on 3×3, reflect reaches W − 1 = 2, below the 7×7 kernel's 6: the limit
    # the message gives is the one to pad by, and the help adds no other.
    (d,) = lint(spec("[1, 3, 3]", "{type: conv, filters: 1, kernel: 7, padding: 4, padding_mode: reflect}"))
    assert d.code == "NS107" and d.message.endswith("reflect padding takes at most W − 1 = 2 per side")
    assert d.help is not None and d.help.startswith("pad by at most 2 there, or in replicate mode")
    # Where the dimensions differ, each limit goes with its dimensions: on 20 slices and 20
    # columns the kernel's 7 − 1 = 6 is below W − 1 = 19; on 3 rows, W − 1 = 2 is the bound.
    (d,) = lint(spec("[1, 20, 3, 20]", "{type: conv, filters: 1, kernel: 7, padding: 25, padding_mode: reflect}"))
    assert d.message.endswith("at most W − 1 per side: 19 along the slices and columns, and 2 along the rows")
    assert d.help is not None and d.help.startswith(
        "pad by at most 6 along the slices and columns (below the effective kernel, past which a window holds "
        "nothing but padding), and 2 along the rows, or in replicate mode"
    )


def test_a_slice_of_a_flat_tensor_speaks_of_features() -> None:
    (d,) = lint(spec("[3, 4, 4]", "{type: flatten}", "{type: slice, start: 5, stop: 60}"))
    assert d.message.endswith("slice 5:60 reaches past the input's 48 features; PyTorch would silently give 43")


def test_ns101_sees_a_pad_through_a_normalisation_as_padding_still() -> None:
    # 7 positions, 1 after from the pad: (7 + 1 − 3)/2 + 1 = 3.5, and the half window left over
    # is the pad's position. The batchnorm gives it a value of the map's statistics, but no
    # position of the input is lost with it.
    layers = ["{type: pad, padding: [[0, 1]]}", "{type: batchnorm}", "{type: conv, filters: 1, kernel: 3, stride: 2}"]
    assert "NS101" not in codes(spec("[1, 7]", *layers))
    # The near miss: padded before instead, the position left over is the input's last.
    layers[0] = "{type: pad, padding: [[1, 0]]}"
    assert "NS101" in codes(spec("[1, 7]", *layers))


def test_ns101_judges_a_layer_with_the_explicit_pad_before_it() -> None:
    # Johnson's style transfer: reflect by 1, then a 3×3 stride-2 conv on 256. Together
    # (256 + 2 − 3)/2 + 1 = 128.5 drops one row of padding, not of the map: NS113, not NS101.
    johnson = spec(
        "[3, 256, 256]", "{type: pad, padding: 1, mode: reflect}", "{type: conv, filters: 32, kernel: 3, stride: 2}"
    )
    assert codes(johnson) == []
    assert codes(johnson, Settings(extend_select=("NS113",))) == ["NS113"]
    # Keras's ResNet50 stem: ZeroPadding2D(3), then a 7×7 stride-2 conv on 224: (224 + 6 − 7)/2 + 1
    # = 112.5 drops a column of padding only, as Johnson's does a row.
    keras = spec("[3, 224, 224]", "{type: pad, padding: 3}", "{type: conv, filters: 64, kernel: 7, stride: 2}")
    assert codes(keras) == []
    # The near miss: a pad of 0 leaves (64 − 3)/2 + 1 = 31.5, and the map's last row unread;
    # the padding to change may be either layer's, so there is no fix.
    (d,) = lint(
        spec(
            "[3, 64, 64]", "{type: pad, padding: 0, name: p}", "{type: conv, filters: 8, kernel: 3, stride: 2, name: c}"
        )
    )
    assert d.code == "NS101" and d.fix is None
    assert d.message.startswith("c, with p before it: (64 − 3 + 2·0)/2 + 1 = 31.5 is not an integer")
    assert d.help is not None and d.help.startswith("the padding of p and c together: ")


def test_ns102_leaves_a_convolution_over_its_whole_input_alone() -> None:
    # DCGAN's discriminator ends with a 4×4 conv on 4×4, VGG's fc6 as a 7×7 conv on 7×7: one
    # output each, as meant.
    assert codes(spec("[512, 4, 4]", "{type: conv, filters: 1, kernel: 4, bias: false}")) == []
    assert codes(spec("[512, 7, 7]", "{type: conv, filters: 4096, kernel: 7}")) == []
    # The near miss: the same kernel on 5×5 gives 2×2, a shrinking map.
    assert codes(spec("[512, 5, 5]", "{type: conv, filters: 1, kernel: 4, bias: false}")) == ["NS102"]


def test_a_slice_without_bounds_is_refused() -> None:
    # A part of a split whose bounds were left out would take every channel.
    (d,) = lint(spec("[6, 4, 4]", "{type: slice}"))
    assert d.code == "NS002" and "without them it takes every channel" in d.message
    assert codes(spec("[6, 4, 4]", "{type: slice, start: 3}")) == []


def test_conv_transpose_checks_its_declared_input_channels() -> None:
    # A decoder's transposed conv after a concat of 6 channels, declared for 5.
    (d,) = lint(spec("[6, 4, 4]", "{type: conv_transpose, filters: 3, kernel: 2, stride: 2, in_channels: 5}"))
    assert d.code == "NS104" and d.message.endswith("in_channels is 5 but the input has 6 channels")
    assert codes(spec("[6, 4, 4]", "{type: conv_transpose, filters: 3, kernel: 2, stride: 2, in_channels: 6}")) == []
    # One channel, in the singular; and a dense layer's one feature.
    (d,) = lint(spec("[1, 4, 4]", "{type: conv, filters: 3, kernel: 1, in_channels: 2}"))
    assert d.message.endswith("in_channels is 2 but the input has 1 channel")
    (d,) = lint(spec("[1, 1]", "{type: flatten}", "{type: dense, units: 3, in_features: 2}"))
    assert d.message.endswith("in_features is 2 but the input has 1 feature (1×1, flattened by flatten1)")
    (d,) = lint(spec("[1, 8, 8]", "{type: conv, filters: 2, kernel: 1, groups: 2}"))
    assert d.message.endswith("groups=2 does not divide the 1 input channel of this conv")
    # A reshape's count of elements: 2·1·1 = 2 into [1], and 1·1·1 = 1 into [2, -1].
    (d,) = lint(spec("[2, 1, 1]", "{type: reshape, shape: [1]}"))
    assert d.message.endswith("reshape to [1] needs 1 element, but the input has 2 (2×1×1)")
    (d,) = lint(spec("[1, 1, 1]", "{type: reshape, shape: [2, -1]}"))
    assert d.message.endswith("the input has 1 element (1×1×1), not a multiple of 2")


def test_ns107_names_a_square_overreach_once() -> None:
    (d,) = lint(spec("[3, 4, 4]", "{type: pad, padding: 4, mode: reflect}"))
    assert d.message.endswith(
        "reflect padding 4 reaches past the input's 4 rows and columns: "
        "reflect padding takes at most W − 1 = 3 per side"
    )


def test_ns102_reports_a_stride_1_layer_that_grows_the_map() -> None:
    # Padding 2 on a 3×3 conv: 32 + 2·2 − 3 + 1 = 34; padding 1 gives back 32 + 2 − 3 + 1 = 32.
    (d,) = lint(spec("[3, 32, 32]", "{type: conv, filters: 8, kernel: 3, padding: 2}"))
    assert d.code == "NS102" and d.message == "conv1 grows 32×32 to 34×34: 32 − 3 + 2·2 + 1 = 34 with stride 1"
    assert d.fix is not None and d.fix.edits[0].value == 1
    assert d.help == "padding 1 keeps 32×32 (P = D·(F − 1)/2)"
    # A 2×2 max-pool with stride 1 and padding 1: 8 + 2 − 2 + 1 = 9. Kernel 2 keeps 8 only with
    # one pixel in all, after: 8 + 1 − 2 + 1 = 8.
    (pool,) = lint(spec("[3, 8, 8]", "{type: maxpool, kernel: 2, stride: 1, padding: 1}"))
    assert pool.message == "maxpool1 grows 8×8 to 9×9: 8 − 2 + 2·1 + 1 = 9 with stride 1"
    assert pool.fix is not None and pool.fix.edits[0].value == [[0, 1], [0, 1]]
    # Rows shrink (8 − 3 + 1 = 6) while columns grow (8 − 3 + 4 + 1 = 10).
    (both,) = lint(spec("[3, 8, 8]", "{type: conv, filters: 8, kernel: 3, padding: [0, 2]}"))
    assert both.message.startswith("conv1 resizes 8×8 to 6×10: rows: 8 − 3 + 2·0 + 1 = 6; columns: ")
    # The near misses: 'same' padding keeps the size, and so does a causal conv's padding of
    # K − 1 = 2, all before (a TCN's): 16 + 2 − 3 + 1 = 16. A 3×3 max-pool with padding 1 keeps it.
    assert codes(spec("[3, 32, 32]", "{type: conv, filters: 8, kernel: 3, padding: 1}")) == []
    assert codes(spec("[3, 16]", "{type: conv, filters: 8, kernel: 3, padding: [[2, 0]]}")) == []
    assert codes(spec("[3, 8, 8]", "{type: maxpool, kernel: 3, stride: 1, padding: 1}")) == []
    # A transposed conv that grows the map is doing its job: (8 − 1) + 2 + 1 = 10.
    assert codes(spec("[3, 8, 8]", "{type: conv_transpose, filters: 4, kernel: 3}")) == []


def test_ns102_leaves_a_map_that_only_global_pooling_reads_alone() -> None:
    # Kim's text CNN: 50 words of 300 features, a 3-word conv (50 − 3 + 1 = 48) and its max
    # over time; the 48 reaches no later layer.
    layers = [
        "{type: conv, name: w3, filters: 100, kernel: 3, activation: relu}",
        "{type: batchnorm, name: bn}",
        "{type: adaptive_maxpool, name: m3, output_size: 1}",
        "{type: flatten}",
        "{type: dense, units: 2}",
    ]
    assert "NS102" not in codes(spec("[300, 50]", *layers))
    # An area upsample to one position is an average over everything, as PyTorch computes it.
    area = "{type: upsample, name: m3, size: 1, mode: area}"
    assert "NS102" not in codes(spec("[300, 50]", *layers[:2], area, *layers[3:]))
    # Through any layer that keeps the positions, a slice of the channels as well.
    sliced = "{type: slice, start: 0, stop: 50}"
    assert "NS102" not in codes(spec("[300, 50]", *layers[:2], sliced, *layers[2:]))
    assert "NS102" in codes(spec("[300, 50]", *layers[:2], area.replace("size: 1", "size: 2"), *layers[3:]))
    # The near misses: a pool that keeps two positions, a second reader, the map returned.
    assert "NS102" in codes(spec("[300, 50]", *layers[:2], layers[2].replace("size: 1", "size: 2"), *layers[3:]))
    beside = "{type: conv, name: w5, filters: 100, kernel: 1, from: bn}"
    assert "NS102" in codes(spec("[300, 50]", *layers, beside, "{type: adaptive_maxpool, output_size: 1}"))
    returned = spec("[300, 50]", *layers).replace("layers:", "outputs: [w3, dense5]\nlayers:")
    assert "NS102" in codes(returned)


def test_ns102_reports_a_layer_padded_twice_behind_an_explicit_pad() -> None:
    # Johnson's 9×9 stem ported with both its ReflectionPad2d(4) and padding 4:
    # 256 − 9 + 2·8 + 1 = 264, a map that grows by 8.
    text = spec(
        "[3, 256, 256]",
        "{type: pad, padding: 4, mode: reflect, name: p}",
        "{type: conv, filters: 32, kernel: 9, padding: 4, name: c}",
    )
    (d,) = lint(text)
    assert d.code == "NS102"
    assert d.message.startswith("c grows 256×256, before p, to 264×264: 256 − 9 + 2·8 + 1 = 264 with stride 1")
    assert d.help == "p and c together need padding 4 to keep 256×256 (P = D·(F − 1)/2)"
    # The near miss: the conv without its own padding keeps 256×256.
    assert codes(text.replace(", padding: 4, name: c", ", name: c")) == []


def test_two_paddings_that_copy_the_input_are_not_judged_as_one() -> None:
    # A reflect pad of 3 and the conv's own reflect padding of 3 on 4 positions: PyTorch
    # runs it (each reflection within W − 1 of what it pads), but no single reflection of 6
    # describes what is read; the rules that count reads say nothing rather than guess.
    text = spec(
        "[1, 4]",
        "{type: pad, padding: 3, mode: reflect}",
        "{type: conv, filters: 1, kernel: 1, stride: 2, padding: 3, padding_mode: reflect}",
    )
    selected = Settings(extend_select=("NS113",))  # off by default
    assert [d.code for d in lint(text, selected) if d.code in ("NS101", "NS109", "NS113")] == []


def test_a_chain_of_pads_counts_as_one_padding() -> None:
    # A circular pad of the columns, then a replicate pad of the rows, then a 3×3 conv:
    # 64×128 padded to 66×130 gives 64×128 back, as PyTorch computes.
    text = spec(
        "[2, 64, 128]",
        "{type: pad, padding: [[0, 0], [1, 1]], mode: circular}",
        "{type: pad, padding: [[1, 1], [0, 0]], mode: replicate}",
        "{type: conv, filters: 2, kernel: 3}",
    )
    assert codes(text) == []
    # The near miss: one pad short, the rows shrink from 64 to 62, before both pads.
    (d,) = lint(text.replace("[[1, 1], [0, 0]], mode: replicate", "[[0, 0], [0, 0]], mode: replicate"))
    assert d.code == "NS102" and d.message.startswith("conv3 shrinks 64×128, before pad1, to 62×128")


def test_a_layer_after_the_input_does_not_wrap_round_to_the_last_layer() -> None:
    # The layer before the conv reads the input, and the last layer reads that one: looking
    # for a pad before the conv must stop at the input, not go round for ever.
    text = spec(
        "[2, 8, 8]",
        "{type: relu, name: a}",
        "{type: conv, filters: 2, kernel: 3, stride: 2, from: a}",
        "{type: relu, from: a}",
    )
    assert "NS101" in codes(text)


def test_ns102_reports_a_dilated_kernel_over_the_whole_input() -> None:
    # Kernel 3, dilation 3 spans 7 on 7×7 but reads 9 of its 49 positions: not a dense layer,
    # and its one window (fewer outputs than the dilation) steps over rows and columns 1, 2, 4
    # and 5, which NS109 reports.
    assert codes(spec("[4, 7, 7]", "{type: conv, filters: 4, kernel: 3, dilation: 3}")) == ["NS102", "NS109"]
