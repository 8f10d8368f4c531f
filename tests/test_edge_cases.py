"""Edge cases of layers, rules, reporters, the loader and the fixer: reshape's inferred size, ``padding: valid``,
collapsed upsample and crop outputs, problems without a fix, the name ``input``, a ``ceil_mode``
pool behind an explicit pad, merges of different ranks, the GitHub annotation of an internal
error, YAML that PyYAML refuses, and the fixer's fallback to a full re-analysis.

Every expected value is worked by hand in a comment, or comes from PyTorch: the tests marked
``torch`` run it, and the comments of the others say what it does (checked with torch 2.13.0).
Each firing case has a near miss next to it where the rule stays quiet.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import netspec.linter
from netspec import Applicability, Diagnostic, lint_text
from netspec.cli import app
from netspec.linter import ISSUES_URL, FileResult
from tests.helpers import codes, lint, spec, write_spec

runner = CliRunner()


def check(*args: str | Path) -> tuple[int, str, str]:
    """``netspec check ARGS``: the exit code, stdout and stderr."""
    result = runner.invoke(app, ["check", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def only(source: str, code: str) -> Diagnostic:
    """The one diagnostic of ``code`` that ``source`` gives."""
    (diagnostic,) = [d for d in lint(source) if d.code == code]
    return diagnostic


def output_of(source: str, index: int = 0) -> tuple[int, ...] | None:
    """The output shape netspec gives layer ``index`` (None when it has none)."""
    analysis = lint_text(source, "spec.yaml").analysis
    assert analysis is not None
    return analysis.graph.nodes[index].output


def torch_module() -> Any:
    """PyTorch, or a skip when it is not installed."""
    return pytest.importorskip("torch")


# --- reshape with -1 ------------------------------------------------------------------------


def test_reshape_infers_the_minus_one_from_the_element_count() -> None:
    # 3·8·8 = 192 elements; 192 / 8 = 24. PyTorch: x.reshape(1, -1, 8) is 1×24×8.
    assert codes(spec("[3, 8, 8]", "{type: reshape, shape: [-1, 8], expect: [24, 8]}")) == []
    # The -1 may stand anywhere: 192 / (2·4) = 24.
    assert codes(spec("[3, 8, 8]", "{type: reshape, shape: [2, -1, 4], expect: [2, 24, 4]}")) == []
    assert output_of(spec("[3, 8, 8]", "{type: reshape, shape: [2, -1, 4]}")) == (2, 24, 4)


def test_reshape_reports_a_minus_one_that_the_element_count_does_not_divide() -> None:
    # 192 = 38·5 + 2: no whole size for the -1. PyTorch: "shape '[1, -1, 5]' is invalid for
    # input of size 192".
    d = only(spec("[3, 8, 8]", "{type: reshape, shape: [-1, 5]}"), "NS117")
    assert d.message == (
        "reshape1: reshape to [-1, 5] cannot infer its -1: the input has 192 elements (3×8×8), not a multiple of 5"
    )
    assert d.help == "the other sizes must divide 192"
    # At the shape's value: `  - {type: reshape, ` is 20 characters, `shape: ` 7 more.
    assert (d.span.start.row, d.span.start.column) == (3, 28)
    # The near miss: 192 = 48·4.
    assert codes(spec("[3, 8, 8]", "{type: reshape, shape: [-1, 4], expect: [48, 4]}")) == []


@pytest.mark.parametrize(
    ("shape", "reason"),
    [
        # PyTorch: "only one dimension can be inferred".
        ("[-1, -1]", "only one size can be -1"),
        # PyTorch: "shape '[1, 0, -1]' is invalid for input of size 192" (and for [1, 0, 192]).
        ("[0, -1]", "a size of 0 leaves no elements"),
        ("[0, 192]", "a size of 0 leaves no elements"),
    ],
)
def test_reshape_refuses_two_minus_ones_and_a_zero(shape: str, reason: str) -> None:
    d = only(spec("[3, 8, 8]", f"{{type: reshape, shape: {shape}}}"), "NS117")
    assert d.message == f"reshape1: reshape to {shape}: {reason}"
    # The near miss: one -1 and no 0, 192 / 192 = 1.
    assert codes(spec("[3, 8, 8]", "{type: reshape, shape: [-1, 192], expect: [1, 192]}")) == []


def test_reshape_refuses_two_minus_ones_also_where_its_input_is_unknown() -> None:
    # The dense layer on an unflattened tensor has no output (NS105); the reshape after it is
    # still checked for the settings PyTorch refuses whatever the input.
    after_error = spec("[3, 8, 8]", "{type: dense, units: 4}", "{type: reshape, shape: [-1, -1]}")
    assert sorted(codes(after_error)) == ["NS105", "NS117"]
    # The near miss: one -1 waits for an input to be checked against.
    assert codes(after_error.replace("[-1, -1]", "[-1, 2]")) == ["NS105"]


@pytest.mark.torch
@pytest.mark.parametrize("shape", [[-1, 8], [2, -1, 4], [-1, 192], [-1, 5], [-1, 7], [-1, -1], [0, -1], [0, 192]])
def test_reshape_agrees_with_torch_reshape(shape: list[int]) -> None:
    torch = torch_module()
    source = spec("[3, 8, 8]", f"{{type: reshape, shape: {shape}}}")
    try:
        expected: tuple[int, ...] | None = tuple(torch.zeros(1, 3, 8, 8).reshape(1, *shape).shape[1:])
    except RuntimeError:
        expected = None
    assert ("NS117" in codes(source)) == (expected is None)
    assert output_of(source) == expected


# --- padding: valid -------------------------------------------------------------------------


def test_valid_padding_pads_nothing_and_means_to() -> None:
    # 8 − 3 + 2·0 + 1 = 6 and 8 − 5 + 2·0 + 1 = 4: what padding 0 gives (PyTorch's Conv2d
    # with padding='valid' gives 4×6×4 too). The word says the shrinking is meant: no NS102,
    # and no NS108, since the expect holds.
    source = spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: [3, 5], padding: valid, expect: [4, 6, 4]}")
    assert codes(source) == []
    # The near miss: padding 0, written as a number, shrinks the same and is reported.
    d = only(source.replace("valid", "0"), "NS102")
    assert (
        d.message == "conv1 shrinks 8×8 to 6×4: rows: 8 − 3 + 2·0 + 1 = 6; columns: 8 − 5 + 2·0 + 1 = 4 with stride 1"
    )
    # Strided: (8 − 3 + 2·0)/2 + 1 = 3.5, floored to 3, as with padding 0: rows dropped are
    # not what `valid` asks for.
    strided = only(spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, stride: 2, padding: valid}"), "NS101")
    assert strided.message.startswith("conv1: (8 − 3 + 2·0)/2 + 1 = 3.5 is not an integer; PyTorch floors it to 3")
    # A 1×1 kernel keeps 8×8 without padding, 8 − 1 + 1 = 8.
    assert codes(spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 1, padding: valid, expect: [4, 8, 8]}")) == []


@pytest.mark.torch
@pytest.mark.parametrize(("kernel", "stride"), [(3, 1), ((3, 5), 1), (3, 2), ((2, 3), (3, 2))])
def test_valid_padding_agrees_with_torch(kernel: int | tuple[int, int], stride: int | tuple[int, int]) -> None:
    torch = torch_module()
    conv = torch.nn.Conv2d(3, 4, kernel, stride=stride, padding="valid")
    expected = tuple(conv(torch.zeros(1, 3, 8, 8)).shape[1:])
    as_list = list(kernel) if isinstance(kernel, tuple) else kernel
    strides = list(stride) if isinstance(stride, tuple) else stride
    source = spec("[3, 8, 8]", f"{{type: conv, filters: 4, kernel: {as_list}, stride: {strides}, padding: valid}}")
    assert output_of(source) == expected


def test_diff_and_fix_replace_valid_padding(tmp_path: Path) -> None:
    # (8 − 3 + 2·0)/2 + 1 = 3.5 (NS101); padding [[0, 1], [0, 1]] gives (8 + 1 − 3)/2 + 1 = 4:
    # the word `valid` is replaced by the pairs, in place.
    text = "input: [1, 8, 8]\nlayers:\n  - {type: conv, filters: 2, kernel: 3, stride: 2, padding: valid}  # keep me\n"
    fixed = text.replace("padding: valid", "padding: [[0, 1], [0, 1]]")
    path = write_spec(tmp_path, text)
    code, out, err = check("--diff", path)
    assert code == 1
    assert out == (
        f"--- {path}\n+++ {path}\n@@ -1,3 +1,3 @@\n input: [1, 8, 8]\n layers:\n"
        "-  - {type: conv, filters: 2, kernel: 3, stride: 2, padding: valid}  # keep me\n"
        "+  - {type: conv, filters: 2, kernel: 3, stride: 2, padding: [[0, 1], [0, 1]]}  # keep me\n"
    )
    assert err == "\nWould fix 1 problem.\n"
    assert path.read_text() == text  # --diff writes nothing
    assert check("--fix", path)[0] == 0
    assert path.read_text() == fixed
    # A second --fix has nothing left to do.
    assert check("--fix", path)[0] == 0 and path.read_text() == fixed


def test_fix_gives_a_strided_valid_conv_per_side_padding(tmp_path: Path) -> None:
    # (8 − 3 + 2·0)/2 + 1 = 3.5: 8 − 3 + 2P is odd for every P, so the fix pads one side,
    # (8 + 0 + 1 − 3)/2 + 1 = 4 exactly (PyTorch: F.pad(x, (0, 1, 0, 1)), then the conv, is 4×4).
    text = spec("[1, 8, 8]", "{type: conv, filters: 2, kernel: 3, stride: 2, padding: valid}")
    path = write_spec(tmp_path, text)
    code, out, _ = check("--fix", path)
    assert (code, out.strip()) == (0, "Found 1 problem (1 fixed, 0 remaining).")
    assert path.read_text() == text.replace("padding: valid", "padding: [[0, 1], [0, 1]]")
    # The near miss: on 9×9, (9 − 3)/2 + 1 = 4 exactly, and there is nothing to fix.
    clean = write_spec(tmp_path, text.replace("[1, 8, 8]", "[1, 9, 9]"), "clean.yaml")
    assert check("--fix", clean)[0] == 0 and "valid" in clean.read_text()


# --- NS103: upsample and crop ---------------------------------------------------------------


def test_upsample_by_a_scale_that_floors_a_size_to_zero_collapses() -> None:
    # floor(4·0.1) = floor(0.4) = 0. PyTorch: "Input and output sizes should be greater than 0,
    # but got input (H: 4, W: 4) output (H: 0, W: 0)".
    d = only(spec("[3, 4, 4]", "{type: upsample, scale: 0.1}"), "NS103")
    assert (d.message, d.help) == ("upsample1: floor(4·0.1) = 0 < 1", "use a larger scale")
    # Only the smaller side collapses: floor(4·0.2) = 0, floor(16·0.2) = 3.
    assert "floor(4·0.2) = 0 < 1" in only(spec("[3, 4, 16]", "{type: upsample, scale: 0.2}"), "NS103").message
    # The near miss: floor(4·0.25) = 1, the smallest size there is (PyTorch: 1×1).
    assert codes(spec("[3, 4, 4]", "{type: upsample, scale: 0.25, expect: [3, 1, 1]}")) == []


@pytest.mark.torch
@pytest.mark.parametrize(("size", "scale"), [(4, 0.1), (4, 0.25), (4, 0.2), (5, 0.19), (5, 0.2), (10, 0.05)])
def test_upsample_below_one_agrees_with_torch(size: int, scale: float) -> None:
    torch = torch_module()
    try:
        upsampled = torch.nn.Upsample(scale_factor=scale)(torch.zeros(1, 3, size, size))
        expected: tuple[int, ...] | None = tuple(upsampled.shape[1:])
    except RuntimeError:
        expected = None
    source = spec(f"[3, {size}, {size}]", f"{{type: upsample, scale: {scale}}}")
    assert ("NS103" in codes(source)) == (expected is None)
    assert output_of(source) == expected


@pytest.mark.parametrize(("size", "shown"), [("10", "10×10"), ("[4, 10]", "4×10")])
def test_crop_larger_than_its_input_collapses(size: str, shown: str) -> None:
    # 10 > 8: a centre crop cannot make a side larger.
    d = only(spec("[3, 8, 8]", f"{{type: crop, size: {size}}}"), "NS103")
    assert d.message == f"crop1: cannot crop 8×8 to the larger {shown}"
    # At the size's value: `  - {type: crop, ` is 17 characters, `size: ` 6 more.
    assert (d.span.start.row, d.span.start.column) == (3, 24)
    # The near miss: a crop to the input's own size, on one side, is no crop there.
    assert codes(spec("[3, 8, 8]", "{type: crop, size: [8, 4], expect: [3, 8, 4]}")) == []


# --- problems without a fix -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("input_shape", "layer", "formula"),
    [
        # 2 − 5 + 1 = −2. Reflection pads at most W − 1 = 1 per side, and 2 + 2·1 − 5 + 1 = 0.
        ("[3, 2, 2]", "{type: conv, filters: 4, kernel: 5, padding_mode: reflect}", "2 − 5 + 2·0 + 1 = −2"),
        # K = 3·(2 − 1) + 1 = 4; (1 − 4)/2 + 1 = −0.5. A pool pads at most 2//2 = 1, and
        # (1 + 2·1 − 4)/2 + 1 = 0.5 still floors to 0.
        (
            "[3, 1, 1]",
            "{type: maxpool, kernel: 2, dilation: 3}",
            "(1 − (3·(2 − 1) + 1) + 2·0)/2 + 1 = −0.5",
        ),
    ],
)
def test_collapsed_output_that_no_accepted_padding_restores_has_no_fix(
    input_shape: str, layer: str, formula: str
) -> None:
    d = only(spec(input_shape, layer), "NS103")
    assert d.message.endswith(f"1: {formula} < 1: the kernel is larger than the padded input")
    assert d.fix is None
    assert d.help == "no automatic fix: use a smaller kernel, or remove a downsampling layer before this one"


@pytest.mark.parametrize(
    ("input_shape", "layer", "padding"),
    [
        # The same conv padding zeros, which may reach K − 1 = 4: 'same' padding 2 gives
        # 2 + 4 − 5 + 1 = 2.
        ("[3, 2, 2]", "{type: conv, filters: 4, kernel: 5}", 2),
        # The same pool undilated: ceil(1/2) = 1 output needs a total of (1 − 1)·2 + 2 − 1 = 1,
        # the odd pixel after, within 2//2 = 1 per side: (1 + 1 − 2)/2 + 1 = 1.
        ("[3, 1, 1]", "{type: maxpool, kernel: 2}", [[0, 1], [0, 1]]),
    ],
)
def test_collapsed_output_that_padding_restores_has_a_fix(input_shape: str, layer: str, padding: Any) -> None:
    d = only(spec(input_shape, layer), "NS103")
    assert d.fix is not None and [(e.key, e.value) for e in d.fix.edits] == [("padding", padding)]
    assert d.applicability == Applicability.SAFE


@pytest.mark.torch
def test_torch_accepts_no_padding_for_the_collapsed_layers_without_a_fix() -> None:
    torch = torch_module()
    for padding in range(5):  # Conv2d refuses every one: kernel too large, or reflection too wide
        conv = torch.nn.Conv2d(3, 4, 5, padding=padding, padding_mode="reflect")
        with pytest.raises(RuntimeError):
            conv(torch.zeros(1, 3, 2, 2))
    for padding in range(3):  # output 0 (padding 0 and 1), or padding over half the kernel (2)
        with pytest.raises(RuntimeError):
            torch.nn.MaxPool2d(2, dilation=3, padding=padding)(torch.zeros(1, 3, 1, 1))
    # The near misses run: zero padding 2, and the undilated pool after a one-sided pad.
    assert tuple(torch.nn.Conv2d(3, 4, 5, padding=2)(torch.zeros(1, 3, 2, 2)).shape) == (1, 4, 2, 2)
    padded = torch.nn.functional.pad(torch.zeros(1, 3, 1, 1), (0, 1, 0, 1))
    assert tuple(torch.nn.MaxPool2d(2)(padded).shape) == (1, 3, 1, 1)


def test_non_integer_output_without_any_exact_padding_has_no_fix() -> None:
    # K = 3·(2 − 1) + 1 = 4; (9 − 4)/4 + 1 = 2.25. The pool pads at most 2//2 = 1 per side,
    # and 9 − 4 + t is 5, 6 or 7 for a total t of 0, 1 or 2: never a multiple of 4, on one side
    # or both. The nearest exact sizes: 9 − 1 = 8 and 8 + 4 = 12.
    d = only(spec("[3, 9, 9]", "{type: maxpool, kernel: 2, dilation: 3, stride: 4}"), "NS101")
    assert d.fix is None
    assert d.help == (
        "no automatic fix: no symmetric padding makes 9 − 4 + 2P divisible by 4; give this layer an input of 8 or 12 "
        "instead of 9, or change the stride; or `ceil_mode: true` gives 3×3, with a last, partial window"
    )
    # On 10×10, (10 − 4 + 2·1)/4 + 1 = 3: padding 1 makes it exact, and is the fix.
    fixable = only(spec("[3, 10, 10]", "{type: maxpool, kernel: 2, dilation: 3, stride: 4}"), "NS101")
    assert fixable.fix is not None and [(e.key, e.value) for e in fixable.fix.edits] == [("padding", 1)]
    # The near miss: on 8×8, (8 − 4)/4 + 1 = 2 exactly. (NS109 fires on all three: taps 0 and
    # 3 of every 4 positions.)
    assert "NS101" not in codes(spec("[3, 8, 8]", "{type: maxpool, kernel: 2, dilation: 3, stride: 4}"))


@pytest.mark.torch
def test_torch_floors_the_dilated_pool_whatever_padding_it_accepts() -> None:
    torch = torch_module()

    def size(width: int, padding: int) -> int:
        pool = torch.nn.MaxPool2d(2, stride=4, dilation=3, padding=padding)
        return int(pool(torch.zeros(1, 1, width, width)).shape[-1])

    # 9 + 2P − 4 for P of 0 and 1 is 5 and 7, floored to 2 outputs either way; 10 + 2 − 4 = 8
    # divides; padding 2 is refused.
    assert (size(9, 0), size(9, 1), size(10, 1), size(8, 0), size(12, 0)) == (2, 2, 3, 2, 3)
    with pytest.raises(RuntimeError):
        size(9, 2)
    ceiled = torch.nn.MaxPool2d(2, stride=4, dilation=3, ceil_mode=True)(torch.zeros(1, 1, 9, 9))
    assert tuple(ceiled.shape[-2:]) == (3, 3)


# --- the name `input` -----------------------------------------------------------------------


def test_a_layer_named_input_is_a_duplicate_name() -> None:
    # `input` names the network input; `from: input` still reads it: 3×8×8, not the pool's 3×4×4.
    source = spec(
        "[3, 8, 8]", "{type: maxpool, kernel: 2, name: input}", "{type: relu, from: input, expect: [3, 8, 8]}"
    )
    d = only(source, "NS005")
    assert (d.message, d.span.start.row) == ("the name 'input' is already used by the network input", 3)
    # And nothing reads the pool (NS110): the relu's expect holds.
    assert sorted(codes(source)) == ["NS005", "NS110"]
    # The near miss: `inputs` is a name like any other, and `from: inputs` reads the pool.
    near = spec(
        "[3, 8, 8]", "{type: maxpool, kernel: 2, name: inputs}", "{type: relu, from: inputs, expect: [3, 4, 4]}"
    )
    assert codes(near) == []


# --- a ceil_mode pool behind an explicit pad --------------------------------------------------

#: `pad` 1 on 8, then a 1-wide window every 2 positions: stride 2 > window 1.
PAD_THEN_SKIPPING_POOL = spec("[1, 8]", "{type: pad, padding: 1}", "{type: maxpool, kernel: 1, stride: 2}")


def test_stride_skips_input_is_silent_for_a_ceil_mode_pool_behind_a_pad() -> None:
    # ATen places a ceil_mode pool's last window by the pool's own padding before the input, so
    # no one window over the map before the pad says what is read: the rule keeps silent by
    # design (explicit_pad.seen_windows). PyTorch reads x1, x3, x5, x7 here, half the input.
    ceiled = PAD_THEN_SKIPPING_POOL.replace("stride: 2}", "stride: 2, ceil_mode: true}")
    assert codes(ceiled) == []
    # The near misses: floor mode behind the same pad, and ceil_mode without the pad.
    (floored,) = lint(PAD_THEN_SKIPPING_POOL)
    assert floored.code == "NS109"
    assert floored.message == "maxpool2: stride 2 > window 1; the layer reads only 1/2 of its input"
    alone = spec("[1, 8]", "{type: maxpool, kernel: 1, stride: 2, ceil_mode: true}")
    assert codes(alone) == ["NS109"]


def test_non_integer_output_is_silent_for_a_ceil_mode_pool_behind_a_pad() -> None:
    # Over the 9 positions before the pad, with its padding 1: (9 − 3 + 2·1)/3 + 1 = 3.67. Floored
    # to 3, the windows cover padded positions 0 to 8, and input position 8 (padded 9) is never
    # read: NS101, naming the pad. ceil_mode adds a 4th window, starting at 9 < 9 + 2, which reads
    # it. PyTorch on 0, 1, …, 8 padded with −1: [1, 4, 7] floored, [1, 4, 7, 8] in ceil_mode.
    floored = spec("[1, 9]", "{type: pad, padding: 1}", "{type: maxpool, kernel: 3, stride: 3}")
    d = only(floored, "NS101")
    assert d.message.startswith("maxpool2, with pad1 before it: (9 − 3 + 2·1)/3 + 1 = 3.6667 is not an integer")
    assert d.fix is None  # the padding is the pad's and the pool's together
    assert codes(floored.replace("stride: 3}", "stride: 3, ceil_mode: true}")) == []


@pytest.mark.torch
def test_torch_reads_what_the_pools_behind_a_pad_read() -> None:
    torch = torch_module()
    pad = torch.nn.functional.pad
    nine = pad(torch.arange(9.0).reshape(1, 1, 9), (1, 1), value=-1.0)
    assert torch.nn.MaxPool1d(3, 3)(nine).flatten().tolist() == [1.0, 4.0, 7.0]
    assert torch.nn.MaxPool1d(3, 3, ceil_mode=True)(nine).flatten().tolist() == [1.0, 4.0, 7.0, 8.0]
    eight = pad(torch.arange(8.0).reshape(1, 1, 8), (1, 1), value=-1.0)
    assert torch.nn.MaxPool1d(1, 2, ceil_mode=True)(eight).flatten().tolist() == [-1.0, 1.0, 3.0, 5.0, 7.0]


# --- merges of different ranks --------------------------------------------------------------

#: What every merge whose inputs differ in rank, or are flat, is told.
RANK_HELP = "no automatic fix: pad, crop or project one branch so that the shapes agree"


@pytest.mark.parametrize(
    ("merge", "differ"), [("add", "in shape"), ("concat", "outside the channel axis")], ids=["add", "concat"]
)
def test_merge_of_different_ranks_says_to_make_the_shapes_agree(merge: str, differ: str) -> None:
    # 4×8×8 flattens to 4·8·8 = 256. PyTorch: "The size of tensor a (8) must match the size of
    # tensor b (256) at non-singleton dimension 3" (add), "Tensors must have same number of
    # dimensions: got 4 and 2" (cat).
    d = only(spec("[4, 8, 8]", "{type: flatten, name: f}", f"{{type: {merge}, from: [input, f]}}"), "NS106")
    assert d.message == f"{merge}2: {merge} inputs differ {differ}: input: 4×8×8, f: 256"
    assert d.help == RANK_HELP
    # The near miss of the help: the same rank, where 8×8 beside 4×4 is to be downsampled by 2.
    same_rank = only(
        spec("[4, 8, 8]", "{type: maxpool, kernel: 2, name: p}", f"{{type: {merge}, from: [input, p]}}"), "NS106"
    )
    assert same_rank.help is not None and same_rank.help.startswith("no automatic fix: input is 2× larger")
    # And of the rule: a branch of the same shape.
    assert codes(spec("[4, 8, 8]", "{type: relu, name: r}", f"{{type: {merge}, from: [input, r]}}")) == []


def test_add_of_flat_tensors_of_different_sizes_says_to_make_the_shapes_agree() -> None:
    # 3 + 5 features: PyTorch "The size of tensor a (3) must match the size of tensor b (5)".
    layers = ("{type: flatten, name: f}", "{type: dense, units: 3, name: a, from: f}")
    d = only(
        spec("[4, 2, 2]", *layers, "{type: dense, units: 5, name: b, from: f}", "{type: add, from: [a, b]}"), "NS106"
    )
    assert (d.message, d.help) == ("add4: add inputs differ in shape: a: 3, b: 5", RANK_HELP)
    # The near miss: concat joins flat tensors along their one axis, 3 + 5 = 8 (torch.cat too).
    joined = spec("[4, 2, 2]", *layers, "{type: dense, units: 5, name: b, from: f}", "{type: concat, from: [a, b]}")
    assert codes(joined.replace("from: [a, b]}", "from: [a, b], expect: [8]}")) == []


@pytest.mark.torch
def test_torch_refuses_the_merges_of_different_ranks() -> None:
    torch = torch_module()
    volume, flat = torch.zeros(1, 4, 8, 8), torch.zeros(1, 256)
    with pytest.raises(RuntimeError):
        torch.add(volume, flat)
    with pytest.raises(RuntimeError):
        torch.cat([volume, flat], 1)
    with pytest.raises(RuntimeError):
        torch.add(torch.zeros(1, 3), torch.zeros(1, 5))
    assert tuple(torch.cat([torch.zeros(1, 3), torch.zeros(1, 5)], 1).shape) == (1, 8)


# --- the GitHub annotation of an internal error ---------------------------------------------


def fail_on(monkeypatch: pytest.MonkeyPatch, name: str, message: str) -> None:
    """Make checking the file called ``name`` raise, as a bug in netspec would."""
    real = netspec.linter.lint_file

    def failing(path: Path, *args: Any, **kwargs: Any) -> FileResult:
        if path.name == name:
            raise RuntimeError(message)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(netspec.linter, "lint_file", failing)


def test_github_annotates_an_internal_error_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # A file name with a % and a line feed, which a workflow command must carry as %25 and
    # %0A (the Actions toolkit's escapeData), else the line feed would end the annotation.
    bad = write_spec(tmp_path, "input: [1, 8, 8]\nlayers:\n  - {type: relu}\n", "a%\nb.yaml")
    clean = write_spec(tmp_path, "input: [1, 8, 8]\nlayers:\n  - {type: relu}\n", "clean.yaml")
    real = netspec.linter.lint_file
    fail_on(monkeypatch, bad.name, "at 100% of\nthe budget")
    code, out, _ = check("--output-format", "github", bad.name, clean.name)
    assert code == 2
    lines = out.splitlines()
    # The error's own text is put on one line (whitespace collapsed) before it is escaped.
    assert lines[0] == (
        "::error title=netspec internal error::internal error while checking a%25%0Ab.yaml: RuntimeError: "
        f"at 100%25 of the budget. This is a bug in netspec; please report it at {ISSUES_URL} with the file."
    )
    assert lines[1].startswith("::stop-commands::")
    assert sum(line.startswith("::error") for line in lines) == 1
    # The near miss: without the failure there is no such annotation.
    monkeypatch.setattr(netspec.linter, "lint_file", real)
    code, out, _ = check("--output-format", "github", bad.name, clean.name)
    assert code == 0 and "internal error" not in out


@pytest.mark.parametrize("output_format", ["json", "json-lines"])
def test_json_lists_a_file_netspec_failed_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output_format: str
) -> None:
    # Its items alone said nothing of it: a script reading them took the file for clean.
    monkeypatch.chdir(tmp_path)
    bad = write_spec(tmp_path, "input: [1, 8, 8]\nlayers:\n  - {type: relu}\n", "bad.yaml")
    shrinking = write_spec(tmp_path, "input: [1, 8, 8]\nlayers:\n  - {type: conv, filters: 1, kernel: 3}\n", "s.yaml")
    fail_on(monkeypatch, bad.name, "injected")
    code, out, _ = check("--output-format", output_format, bad.name, shrinking.name)
    items = json.loads(out) if output_format == "json" else [json.loads(line) for line in out.splitlines()]
    assert code == 2
    # 8 − 3 + 1 = 6: NS102 for s.yaml, then the failed file.
    assert [(item["code"], item["name"], item["filename"]) for item in items] == [
        ("NS102", "shrinking-layer", "s.yaml"),
        (None, "internal-error", "bad.yaml"),
    ]
    failed = items[1]
    assert failed["message"].startswith("internal error while checking bad.yaml: RuntimeError: injected.")
    assert (failed["severity"], failed["location"], failed["fix"]) == ("error", {"row": 1, "column": 1}, None)


# --- YAML that PyYAML refuses ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "row", "column", "message"),
    [
        # `  - {type: relu, ` is 17 characters and `<<: ` 4 more: the value at column 22.
        ("  - {type: relu, <<: 3}\n", 3, 22, "a merge key (<<) takes a mapping or a list of mappings"),
        ("  - {type: relu, <<: [{name: a}, 3]}\n", 3, 22, "a merge key (<<) takes a mapping or a list of mappings"),
        # `    <<: ` is 8 characters: the list at column 9 of row 4.
        ("  - type: relu\n    <<: [1, 2]\n", 4, 9, "a merge key (<<) takes a mapping or a list of mappings"),
        # The key `[a, b]` opens at column 18, after `  - {type: relu, `.
        ("  - {type: relu, [a, b]: 1}\n", 3, 18, "mapping keys must be scalars"),
        # `    ? ` is 6 characters: the key `{a: 1}` at column 7 of row 4.
        ("  - type: relu\n    ? {a: 1}\n    : 2\n", 4, 7, "mapping keys must be scalars"),
    ],
    ids=["merge-scalar", "merge-list-with-scalar", "merge-block", "flow-list-key", "explicit-mapping-key"],
)
def test_yaml_that_pyyaml_refuses_is_a_located_error_not_a_traceback(
    tmp_path: Path, text: str, row: int, column: int, message: str
) -> None:
    source = "input: [3, 8, 8]\nlayers:\n" + text
    # PyYAML refuses each: "expected a mapping or list of mappings for merging", "found
    # unhashable key".
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(source)
    path = write_spec(tmp_path, source)
    result = runner.invoke(app, ["check", "--output-format", "concise", str(path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout.splitlines()[0] == f"{path}:{row}:{column}: NS001 error: {message}"
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "text",
    ["  - {type: relu, <<: {name: a}}\n", "  - {type: relu, <<: [{name: a}, {expect: [3, 8, 8]}]}\n"],
    ids=["merge-mapping", "merge-list-of-mappings"],
)
def test_merge_keys_of_mappings_load(tmp_path: Path, text: str) -> None:
    # The near miss: what a merge key takes.
    source = "input: [3, 8, 8]\nlayers:\n" + text
    assert isinstance(yaml.safe_load(source), dict)
    assert check(write_spec(tmp_path, source)) == (0, "All checks passed! (1 file checked)\n", "")


# --- the fixer: a fix whose layer no longer validates ---------------------------------------


def test_a_fix_whose_layer_fails_validation_is_judged_by_a_full_reanalysis() -> None:
    # K = D·(F − 1) + 1 = (2³¹ − 1)·3 + 1 = 6,442,450,942 on 8: collapsed (NS103). 'Same' padding
    # totals K − 1 = 6,442,450,941, split 3,221,225,470 before and 3,221,225,471 after, both
    # past the largest size netspec accepts, 2³¹ − 1 = 2,147,483,647: the fixed layer is NS002.
    d = only(spec("[1, 8, 8]", "{type: conv, filters: 2, kernel: 4, dilation: 2147483647}"), "NS103")
    assert d.fix is not None
    assert d.fix.edits[0].value == [[3221225470, 3221225471], [3221225470, 3221225471]]
    assert (d.applicability, d.unsafe_because) == (Applicability.UNSAFE, "conv1 would then report NS002")
    # The near miss: with F = 3, K − 1 = 2·(2³¹ − 1) splits into 2³¹ − 1 per side, just
    # accepted, and the fix is safe: 8 + 2·(2³¹ − 1) − (2·(2³¹ − 1) + 1) + 1 = 8.
    near = only(spec("[1, 8, 8]", "{type: conv, filters: 2, kernel: 3, dilation: 2147483647}"), "NS103")
    assert near.fix is not None and near.fix.edits[0].value == 2147483647
    assert near.applicability == Applicability.SAFE


BLOCK_LAYERS = """\
input: [3, 8, 8]
layers:
  - type: conv
    name: stem
    filters: 4
    kernel: 3
    padding: 1
    expect: [4, 6, 6]
  - type: relu
    name: stem
  - type: relu
    expect: [4, 8, 8]
  - type: relu
"""


def test_a_failed_expectation_and_a_taken_name_point_at_their_keys() -> None:
    # In block style the layer's first line is not the line at fault, nor the one a change
    # touched, where GitHub shows an annotation: the expect value (row 8, after `    expect: `)
    # and the repeated name (row 10, after `    name: `).
    found = {d.code: (d.span.start.row, d.span.start.column) for d in lint_text(BLOCK_LAYERS).diagnostics}
    assert found == {"NS108": (8, 13), "NS005": (10, 11)}
    # The near misses: an expectation kept, and another name.
    kept = BLOCK_LAYERS.replace("[4, 6, 6]", "[4, 8, 8]").replace(
        "name: stem\n  - type: relu\n    expect", "name: body\n  - type: relu\n    expect"
    )
    assert lint_text(kept).diagnostics == []


def test_align_corners_in_a_mode_without_corners_points_at_the_key() -> None:
    # Row 6 is `    align_corners: true`; the value starts after its 19 characters.
    text = "input: [3, 8, 8]\nlayers:\n  - type: upsample\n    scale: 2\n    mode: nearest\n    align_corners: true\n"
    (d,) = lint_text(text).diagnostics
    assert d.code == "NS002" and (d.span.start.row, d.span.start.column) == (6, 20)
    assert d.message == "`align_corners` applies only to the modes linear, bilinear, bicubic and trilinear, not nearest"
    # The near miss: bilinear has corners to align.
    assert lint_text(text.replace("nearest", "bilinear")).diagnostics == []
