"""netspec against real PyTorch: random single layers, and every bundled spec built whole.

For each layer, netspec's output shape and parameter count must equal PyTorch's, and
netspec must report an error exactly when PyTorch raises (building the module or running
it). The expected values come from PyTorch itself, never from netspec's code: the single
layers run in a reference built from their YAML mappings (``tests/torch_reference.py``;
for per-side pooling padding, which PyTorch cannot check, it applies the README's rules),
and netspec's own export of them must agree with it too.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import warnings
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from netspec import Settings, Severity, lint_text
from netspec.analysis import analyse
from netspec.layers import LAYER_TYPES, volume
from netspec.layers.arithmetic import Window
from netspec.layers.conv import ConvTranspose
from tests.helpers import PUBLISHED_PARAMS, ROOT, SPECS, lint, spec

torch = pytest.importorskip("torch")

from netspec.torch_export import UnsupportedLayer, layer_module, network_module  # noqa: E402
from tests.torch_reference import run_graph, run_layer, run_stack  # noqa: E402

pytestmark = pytest.mark.torch


#: The CI budget; raise it for a deeper search, e.g. NETSPEC_FUZZ_EXAMPLES=20000.
EXAMPLES = int(os.environ.get("NETSPEC_FUZZ_EXAMPLES", "1500"))

#: Small sizes keep each forward pass instant; 3-D inputs smaller still.
MAX_SIZE = {1: 12, 2: 9, 3: 5}

ACTIVATIONS = [
    *("relu", "relu6", "leaky_relu", "elu", "selu", "sigmoid", "hardsigmoid", "tanh"),
    *("gelu", "silu", "hardswish", "mish", "softmax", "identity"),
]


def per_dim(draw: st.DrawFn, rank: int, low: int, high: int) -> int | list[int]:
    """An int, or one value per spatial dimension."""
    if draw(st.booleans()):
        return draw(st.integers(low, high))
    return draw(st.lists(st.integers(low, high), min_size=rank, max_size=rank))


def padding(draw: st.DrawFn, rank: int, high: int) -> Any:
    kind = draw(st.sampled_from(["int", "list", "sides"]))
    if kind == "sides":
        return [draw(st.lists(st.integers(0, high), min_size=2, max_size=2)) for _ in range(rank)]
    return per_dim(draw, rank, 0, high) if kind == "list" else draw(st.integers(0, high))


def groups(draw: st.DrawFn, channels: int) -> int:
    # Depthwise, a divisor, or anything (PyTorch must then refuse what does not divide).
    return draw(st.sampled_from([1, channels, *(g for g in range(2, channels) if channels % g == 0), 3]))


#: The layer types tried one at a time; merges are tried in the bundled specs.
SINGLE_LAYER_TYPES = [
    "conv",
    "conv_transpose",
    "maxpool",
    "avgpool",
    "adaptive_avgpool",
    "adaptive_maxpool",
    "upsample",
    "crop",
    "pad",
    "flatten",
    "reshape",
    "dense",
    "batchnorm",
    "groupnorm",
    "instancenorm",
    "layernorm",
    "layer_scale",
    "pixel_shuffle",
    "slice",
    "channel_shuffle",
    "prelu",
    "dropout",
    "local_response_norm",
    *ACTIVATIONS,
]


def test_every_layer_type_is_compared_with_pytorch() -> None:
    merges = {"add", "concat", "multiply"}
    assert set(SINGLE_LAYER_TYPES) == set(LAYER_TYPES) - merges
    assert {layer["type"] for path in SPECS for layer in yaml.safe_load(path.read_text())["layers"]} >= merges


@st.composite
def single_layer(draw: st.DrawFn) -> tuple[list[int], list[dict[str, Any]]]:
    """An input shape and a layer list: the layer under test, after a flatten for the flat ones."""
    rank = draw(st.integers(1, 3))
    channels = draw(st.integers(1, 4))
    shape = [channels, *draw(st.lists(st.integers(1, MAX_SIZE[rank]), min_size=rank, max_size=rank))]
    kind = draw(st.sampled_from(SINGLE_LAYER_TYPES))
    layer: dict[str, Any] = {"type": kind}
    if kind in ("conv", "conv_transpose"):
        layer["filters"] = draw(st.sampled_from([1, 2, channels, 2 * channels, 3]))
        layer["kernel"] = per_dim(draw, rank, 1, 4)
        layer["stride"] = per_dim(draw, rank, 1, 3)
        layer["dilation"] = per_dim(draw, rank, 1, 3)
        layer["groups"] = groups(draw, channels)
        layer["bias"] = draw(st.booleans())
    if kind == "conv":
        layer["padding"] = draw(st.one_of(st.sampled_from(["same", "valid"]), st.just(None))) or padding(draw, rank, 3)
        modes = ["zeros", "reflect", "replicate", "circular"]
        layer |= draw(st.fixed_dictionaries({}, optional={"padding_mode": st.sampled_from(modes)}))
    elif kind == "conv_transpose":
        layer["padding"] = per_dim(draw, rank, 0, 3)
        layer["output_padding"] = per_dim(draw, rank, 0, 2)
    elif kind in ("maxpool", "avgpool"):
        layer["kernel"] = per_dim(draw, rank, 1, 4)
        if draw(st.booleans()):
            layer["stride"] = per_dim(draw, rank, 1, 3)
        layer["padding"] = padding(draw, rank, 2)
        layer["ceil_mode"] = draw(st.booleans())
        if kind == "maxpool":
            layer["dilation"] = per_dim(draw, rank, 1, 3)
        else:
            optional = {"count_include_pad": st.booleans(), "divisor_override": st.integers(1, 9)}
            layer |= draw(st.fixed_dictionaries({}, optional=optional))
    elif kind.startswith("adaptive"):
        layer["output_size"] = per_dim(draw, rank, 1, 6)
    elif kind == "upsample":
        if draw(st.booleans()):
            layer["scale"] = draw(st.sampled_from([0.2, 1 / 3, 0.5, 0.75, 1.5, 2.0, 3.0]))
        else:
            layer["size"] = per_dim(draw, rank, 1, 8)
        # Every mode on every rank: PyTorch refuses linear on 2-D, align_corners with nearest.
        modes = ["nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area"]
        layer |= draw(st.fixed_dictionaries({}, optional={"mode": st.sampled_from(modes)}))
        layer |= draw(st.fixed_dictionaries({}, optional={"align_corners": st.booleans()}))
    elif kind == "crop":
        layer["size"] = per_dim(draw, rank, 1, MAX_SIZE[rank] + 1)
    elif kind == "pad":
        layer["padding"] = padding(draw, rank, 2)
        layer |= draw(
            st.fixed_dictionaries({}, optional={"mode": st.sampled_from(["reflect", "replicate", "circular"])})
        )
    elif kind == "reshape":
        # The element count moved to another axis (which fits), or sizes drawn at random.
        elements = math.prod(shape)
        fits = [[elements], [channels, elements // channels], [elements // channels, channels, 1]]
        sizes = draw(st.one_of(st.sampled_from(fits), st.lists(st.integers(1, 6), min_size=1, max_size=4)))
        if draw(st.booleans()):
            sizes = [*sizes[:-1], -1]
        layer["shape"] = sizes
    elif kind == "dense":
        layer["units"] = draw(st.integers(1, 5))
        layer["bias"] = draw(st.booleans())
    elif kind == "prelu" and draw(st.booleans()):
        # Shared, per channel, or a count PyTorch refuses (unless it happens to be 1 or C).
        layer["num_parameters"] = draw(st.sampled_from([1, channels, 2, 5]))
    elif kind == "batchnorm":
        # Not track_running_stats: false, which normalises a batch of one by its own
        # statistics, refused on one value per channel whatever netspec knows of the batch.
        layer |= draw(st.fixed_dictionaries({}, optional={"affine": st.booleans(), "eps": st.just(1e-3)}))
        layer |= draw(st.fixed_dictionaries({}, optional={"momentum": st.sampled_from([None, 0.01])}))
    elif kind == "instancenorm":
        # Not track_running_stats: true, which the reference's eval mode runs on one position
        # where training refuses it (tested on its own).
        layer |= draw(st.fixed_dictionaries({}, optional={"affine": st.booleans(), "eps": st.just(1e-3)}))
        layer |= draw(st.fixed_dictionaries({}, optional={"momentum": st.sampled_from([None, 0.01])}))
    elif kind == "groupnorm":
        layer["groups"] = groups(draw, channels)
        layer |= draw(st.fixed_dictionaries({}, optional={"affine": st.booleans(), "eps": st.just(1e-3)}))
    elif kind == "layernorm":
        optional = {"elementwise_affine": st.booleans(), "bias": st.booleans(), "eps": st.just(1e-4)}
        layer |= draw(st.fixed_dictionaries({}, optional=optional))
    elif kind == "layer_scale":
        layer |= draw(st.fixed_dictionaries({}, optional={"init": st.sampled_from([1.0, 1e-4])}))
    elif kind == "pixel_shuffle":
        layer["scale"] = draw(st.integers(1, 3))
    elif kind == "slice":
        layer |= draw(st.fixed_dictionaries({}, optional={"start": st.integers(0, channels)}))
        layer |= draw(st.fixed_dictionaries({}, optional={"stop": st.integers(1, channels + 2)}))
    elif kind == "channel_shuffle":
        layer["groups"] = groups(draw, channels)
    elif kind == "leaky_relu":
        layer |= draw(st.fixed_dictionaries({}, optional={"negative_slope": st.sampled_from([0.1, -0.5, 0])}))
    elif kind == "elu":
        layer |= draw(st.fixed_dictionaries({}, optional={"alpha": st.sampled_from([0.5, 2])}))
    elif kind == "gelu":
        layer |= draw(st.fixed_dictionaries({}, optional={"approximate": st.sampled_from(["none", "tanh"])}))
    elif kind == "dropout":
        layer["rate"] = draw(st.sampled_from([0.0, 0.5]))
        layer |= draw(st.fixed_dictionaries({}, optional={"whole_channels": st.booleans()}))
    elif kind == "local_response_norm":
        layer["size"] = draw(st.integers(1, 6))
        optional = {"alpha": st.just(1e-3), "beta": st.just(0.5), "k": st.just(2.0)}
        layer |= draw(st.fixed_dictionaries({}, optional=optional))
    # Dense needs a flat input (on [C, H, W] PyTorch silently acts on W: that is NS105's
    # reason to exist); the shape-keeping layers are tried on flat inputs too.
    flat = kind == "dense" or (
        kind
        in (
            "batchnorm",
            "groupnorm",
            "instancenorm",
            "layernorm",
            "layer_scale",
            "slice",
            "channel_shuffle",
            "reshape",
            "prelu",
            "dropout",
            "local_response_norm",
            *ACTIVATIONS,
        )
        and draw(st.booleans())
    )
    if kind == "groupnorm":
        # Not one value per group: PyTorch refuses it for a batch of one only, and a batch of
        # one is all the reference runs. Flat, the channels are all the values.
        assume(
            math.prod(shape) // layer["groups"] > 1
            if flat
            else channels // layer["groups"] > 1 or math.prod(shape[1:]) > 1
        )
    return shape, [{"type": "flatten"}, layer] if flat else [layer]


def reference(shape: list[int], layers: list[dict[str, Any]]) -> tuple[tuple[int, ...], int] | Exception:
    """The last layer's output shape and parameter count in PyTorch, built from the YAML
    mappings alone, or what PyTorch (or the README's rules for per-side pooling) refused."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return run_stack(shape, layers)
    except Exception as error:  # noqa: BLE001 - any refusal by PyTorch is the fact under test
        return error


def input_gradient(conv: Any, sizes: list[int]) -> tuple[Any, Any]:
    """The gradient at an input of ones of the sum of ``conv``'s output, its weights set to
    ones (so nonzero exactly where some output reads the position), and that output."""
    torch.nn.init.ones_(conv.weight)
    x = torch.ones(1, 1, *sizes, requires_grad=True)
    out = conv(x)
    out.sum().backward()
    assert x.grad is not None
    return x.grad, out


def outputs_reading_nothing(conv: Any, sizes: list[int]) -> int:
    """How many of ``conv``'s outputs have no gradient at an input of ones: they read only
    padding."""
    x = torch.ones(1, 1, *sizes, requires_grad=True)
    out = conv(x).flatten()
    return sum(not torch.autograd.grad(value, x, retain_graph=True)[0].any() for value in out)


def reads_none(diagnostic: Any) -> bool:
    """NS109's error for a layer every window of which lies in the padding."""
    return diagnostic.code == "NS109" and "reads none of its input" in diagnostic.message


def input_is_ignored(layer: Any, input_shape: tuple[int, ...]) -> bool:
    """Whether netspec's export of the layer gives the same output for two random inputs (a
    bias, zeros, or a max pool's -inf), without a backward pass, which PyTorch may abort on
    such a pool."""
    module = layer_module(layer, [input_shape]).eval()
    with torch.no_grad():
        first, second = (module(torch.randn(1, *input_shape)) for _ in range(2))
    return torch.allclose(first, second, equal_nan=True)


def exported(layer: Any, input_shape: tuple[int, ...]) -> tuple[tuple[int, ...], int] | Exception:
    """netspec's export of one parsed layer, run in PyTorch: its output shape and parameter
    count, or what it raised."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = layer_module(layer, [input_shape]).eval()
            with torch.no_grad():
                out = module(torch.zeros(1, *input_shape))
    except Exception as error:  # noqa: BLE001 - any refusal by PyTorch is the fact under test
        return error
    if out.numel() == 0:
        # Documented in NS103: a grouped conv_transpose or an area upsample whose output size
        # is exactly 0 returns an empty tensor for a batch of one, instead of raising.
        return RuntimeError(f"empty output {tuple(out.shape)}")
    return tuple(out.shape[1:]), sum(p.numel() for p in module.parameters())


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(single_layer())
# Layers whose every window lies in the padding, which PyTorch runs: a dilated 3-D max pool
# (its output -inf) and an undilated strided conv (its output the bias).
@example(([4, 1, 1, 5], [{"type": "maxpool", "kernel": 2, "padding": 1, "ceil_mode": False, "dilation": [2, 1, 1]}]))
@example(([1, 1, 1], [{"type": "conv", "filters": 1, "kernel": [1, 1], "stride": [3, 3], "padding": [2, 2]}]))
def test_single_layer_agrees_with_pytorch(case: tuple[list[int], list[dict[str, Any]]]) -> None:
    shape, layers = case
    text = json.dumps({"input": shape, "layers": layers})
    result = lint_text(text, "fuzz.yaml")
    errors = [d for d in result.diagnostics if d.severity == Severity.ERROR]
    assert result.analysis is not None
    node = result.analysis.graph.nodes[-1]
    truth = reference(shape, layers)
    if node.layer is None:
        # Refused by the format, as align_corners with nearest is: PyTorch must refuse it too.
        assert [d.code for d in errors] == ["NS002"] and isinstance(truth, Exception), (errors, truth)
        return
    assert node.inputs is not None, [d.message for d in errors]
    export = exported(node.layer, node.inputs[0])
    if isinstance(truth, Exception):
        assert errors, f"PyTorch raises ({truth}) but netspec accepts {text}"
        assert isinstance(export, Exception), f"PyTorch raises ({truth}) but netspec's export runs {text}"
        return
    # The one error netspec adds where PyTorch runs: a layer that reads none of its input,
    # whose output PyTorch must then give the same for any input.
    unread = [d for d in errors if reads_none(d)]
    if unread:
        assert input_is_ignored(node.layer, node.inputs[0]), text
    assert errors == unread, f"netspec reports {[d.message for d in errors]} but PyTorch accepts {text}"
    assert (node.output, node.params) == truth == export, text
    # `show` gives it a receptive field: a layer type without a rule for it would raise here.
    field = result.analysis.graph.receptive_fields[-1]
    assert (field is None) == (len(node.output) < 2 or layers[-1]["type"] in {"flatten", "dense", "reshape"}), text


def test_ceil_mode_pool_on_width_3_gives_2() -> None:
    # k2 s2 p1: the third window would start at 4 ≥ W + P = 4, in the right padding: dropped.
    out = torch.nn.MaxPool1d(2, 2, 1, ceil_mode=True)(torch.zeros(1, 1, 3))
    assert out.shape[-1] == 2
    analysis = analyse(
        "input: [1, 3]\nlayers:\n  - {type: maxpool, kernel: 2, stride: 2, padding: 1, ceil_mode: true}\n", "p", "p"
    )
    assert analysis.graph.nodes[0].output == (1, 2)


def test_pytorch_refuses_the_settings_netspec_checks_without_an_input() -> None:
    # netspec reports these on a layer whose input is unknown: they must fail on any input.
    # NS112, and NS104 for the output channels, when the module is built.
    with pytest.raises(ValueError, match="not supported for strided convolutions"):
        torch.nn.Conv2d(3, 4, 3, stride=(1, 2), padding="same")
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        torch.nn.Conv2d(8, 6, 1, groups=4)
    # NS111, and NS107's pool padding over half the kernel, when it runs, whatever the input's size.
    refused = torch.nn.ConvTranspose2d(3, 4, 3, stride=2, output_padding=(1, 2))
    too_wide = torch.nn.MaxPool2d(3, padding=2)
    for size in (1, 5, 8, 13):
        with pytest.raises(RuntimeError, match="output padding must be smaller"):
            refused(torch.zeros(1, 3, size, size))
        with pytest.raises(RuntimeError, match="pad should be at most half"):
            too_wide(torch.zeros(1, 3, size, size))
    # The near miss: output_padding 1 < stride 2 runs, to (5 − 1)·2 + 3 + 1 = 12.
    accepted = torch.nn.ConvTranspose2d(3, 4, 3, stride=2, output_padding=(1, 1))
    assert accepted(torch.zeros(1, 3, 5, 5)).shape == (1, 4, 12, 12)


def test_normalisation_limits_are_pytorchs_or_listed_in_the_readme() -> None:
    constant = torch.full((2, 4, 5, 5), 5.0)
    # Batch normalisation's eps must be positive in training: PyTorch raises, as netspec does.
    with pytest.raises(ValueError, match="eps must be positive during training"):
        torch.nn.BatchNorm2d(4, eps=0.0).train()(constant)
    # The other normalisations run with eps 0, which makes a constant group's (x − mean)/√var
    # 0/0: NaN in group and layer normalisation, while instance normalisation's kernel gives
    # 0. netspec refuses all three, as the README lists.
    assert torch.isnan(torch.nn.GroupNorm(2, 4, eps=0.0)(constant)).all()
    assert torch.isnan(torch.nn.LayerNorm(5, eps=0.0)(constant)).all()
    assert torch.equal(torch.nn.InstanceNorm2d(4, eps=0.0)(constant), torch.zeros_like(constant))
    # A momentum outside [0, 1] runs too, and overshoots: from 0, one batch of 5s moves the
    # running mean to (1 − m)·0 + m·5, i.e. 10 for m = 2 and −5 for m = −1, not towards 5.
    for momentum, mean in ((2.0, 10.0), (-1.0, -5.0)):
        norm = torch.nn.BatchNorm2d(4, momentum=momentum)
        norm(constant)
        assert torch.equal(norm.running_mean, torch.full((4,), mean))
    for layer in (
        "{type: batchnorm, eps: 0.0}",
        "{type: groupnorm, groups: 2, eps: 0.0}",
        "{type: layernorm, eps: 0.0}",
        "{type: instancenorm, eps: 0.0}",
        "{type: batchnorm, momentum: 2.0}",
        "{type: instancenorm, momentum: -1.0, track_running_stats: true}",
    ):
        (d,) = lint_text(spec("[4, 5, 5]", layer), "n.yaml").diagnostics
        assert d.code == "NS002", layer
        # The near miss: the smallest positive eps, and momentum at its bounds, pass.
        near = layer.replace("eps: 0.0", "eps: 5.0e-324").replace("2.0", "1.0").replace("-1.0", "0.0")
        assert lint_text(spec("[4, 5, 5]", near), "n.yaml").diagnostics == [], near


@pytest.mark.parametrize("shape", [[6], [6, 1, 1]])
def test_batchnorm_on_one_position_needs_a_batch_of_two_as_the_readme_says(shape: list[int]) -> None:
    norm = torch.nn.BatchNorm1d(6) if len(shape) == 1 else torch.nn.BatchNorm2d(6)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        norm.train()(torch.zeros(1, *shape))
    assert norm(torch.zeros(2, *shape)).shape == (2, *shape)
    assert norm.eval()(torch.zeros(1, *shape)).shape == (1, *shape)
    # Without running statistics it uses the batch's in evaluation too.
    batch_only = type(norm)(6, track_running_stats=False).eval()
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        batch_only(torch.zeros(1, *shape))
    assert batch_only(torch.zeros(2, *shape)).shape == (2, *shape)
    # netspec has no batch size: it accepts the layer, and the README names the exception.
    before = ["{type: flatten}"] if len(shape) == 1 else []
    assert lint_text(spec("[6, 1, 1]", *before, "{type: batchnorm}"), "n.yaml").diagnostics == []
    row = next(line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("| `batchnorm` |"))
    assert "refuses only on a batch of one, in training (or always, with `track_running_stats: false`" in row


def test_dilated_maxpool_padding_quirk_on_cpu() -> None:
    # PyTorch's CPU kernels check a dilated max-pool's padding against the raw kernel:
    # P = 2 ≤ K/2 = 2.5 but 2 > F//2 = 1, and MaxPool2d(3, padding=2, dilation=2) raises.
    with pytest.raises(RuntimeError):
        torch.nn.MaxPool2d(3, padding=2, dilation=2)(torch.zeros(1, 1, 10, 10))
    text = "input: [1, 10, 10]\nlayers:\n  - {type: maxpool, kernel: 3, padding: 2, dilation: 2}\n"
    assert [d.code for d in lint_text(text).diagnostics if d.severity == Severity.ERROR] == ["NS107"]


@pytest.mark.parametrize("dilation", [2**30, 2**31 - 1])
def test_a_max_pool_kernel_past_pytorchs_integers_is_ns103_where_pytorch_wraps_around(dilation: int) -> None:
    # 5 − (D·(3 − 1) + 1) + 1 < 1 either way. PyTorch raises at 2³⁰; at 2³¹ − 1 its 32-bit
    # D·(F − 1) wraps to −2, and the README says it returns 7×7 of -inf.
    pool = torch.nn.MaxPool2d(3, stride=1, dilation=dilation)
    if dilation < 2**31 - 1:
        with pytest.raises(RuntimeError, match="Output size is too small"):
            pool(torch.zeros(1, 1, 5, 5))
    else:
        assert pool(torch.zeros(1, 1, 5, 5)).shape == (1, 1, 7, 7)
    text = f"input: [1, 5, 5]\nlayers:\n  - {{type: maxpool, kernel: 3, stride: 1, dilation: {dilation}}}\n"
    assert [d.code for d in lint_text(text).diagnostics if d.severity == Severity.ERROR] == ["NS103"]


@pytest.mark.parametrize(
    ("shape", "layer", "module"),
    [
        # (2 − 1)·1 − 2·1 + 1 = 0, grouped or not, in 1-D to 3-D.
        ([8, 2], "{type: conv_transpose, filters: 4, kernel: 1, padding: 1}", torch.nn.ConvTranspose1d(8, 4, 1, 1, 1)),
        (
            [4, 2, 2],
            "{type: conv_transpose, filters: 6, kernel: 3, padding: 2, groups: 2}",
            torch.nn.ConvTranspose2d(4, 6, 3, 1, 2, groups=2),
        ),
        (
            [4, 2, 2, 2],
            "{type: conv_transpose, filters: 6, kernel: 3, padding: 2}",
            torch.nn.ConvTranspose3d(4, 6, 3, 1, 2),
        ),
        # floor(1 · 0.5) = 0 rows; nearest and the linear modes raise there instead.
        ([1, 1, 4], "{type: upsample, scale: 0.5, mode: area}", torch.nn.Upsample(scale_factor=0.5, mode="area")),
    ],
)
def test_outputs_of_size_0_that_pytorch_returns_empty_are_ns103(
    shape: list[int], layer: str, module: torch.nn.Module
) -> None:
    # The README lists these among the errors netspec reports where PyTorch runs: at a batch
    # of two; at one, an ungrouped conv_transpose raises.
    assert module(torch.zeros(2, *shape)).numel() == 0
    text = f"input: {shape}\nlayers:\n  - {layer}\n"
    assert [d.code for d in lint_text(text).diagnostics if d.severity == Severity.ERROR] == ["NS103"]


@pytest.mark.parametrize("kernel", [1, 2, 3, 4])
@pytest.mark.parametrize("dilation", [1, 2, 3, 4])
@pytest.mark.parametrize("stride", [2, 3, 4, 6])
def test_ns101_fires_where_further_windows_read_what_the_floor_drops(kernel: int, dilation: int, stride: int) -> None:
    # The positions after the last window's last tap get no gradient; on a longer input, a
    # position further windows read gets one. NS101 reports the floor where that is so for
    # one of them, and the stride is no larger than the window (past it, NS109 speaks).
    effective = dilation * (kernel - 1) + 1
    for length in range(effective, effective + 3 * stride):
        conv = torch.nn.Conv1d(1, 1, kernel, stride=stride, dilation=dilation, bias=False)
        torch.nn.init.ones_(conv.weight)
        last_tap = (conv(torch.zeros(1, 1, length)).shape[-1] - 1) * stride + effective - 1
        longer = torch.ones(1, 1, length + 2 * effective + 2 * stride, requires_grad=True)
        conv(longer).sum().backward()
        assert longer.grad is not None
        reachable = bool((longer.grad[0, 0, last_tap + 1 : length] != 0).any())
        text = f"input: [1, {length}]\nlayers:\n  - {{type: conv, filters: 1, kernel: {kernel}, stride: {stride}, "
        text += f"dilation: {dilation}}}\n"
        fires = "NS101" in [d.code for d in lint_text(text).diagnostics]
        assert fires == (reachable and stride <= effective), text


@pytest.mark.parametrize("kernel", [1, 2, 3, 4])
@pytest.mark.parametrize("dilation", [1, 2, 3, 4])
@pytest.mark.parametrize("stride", [1, 2, 3, 4, 6])
def test_positions_read_agree_with_the_inputs_pytorch_differentiates(kernel: int, dilation: int, stride: int) -> None:
    # The input positions PyTorch's conv1d reads get a gradient. Over a long input, away from
    # the edges, they repeat with period S: count them in one window of 12 periods (12·S).
    length = 300
    x = torch.ones(1, 1, length, requires_grad=True)
    conv = torch.nn.Conv1d(1, 1, kernel, stride=stride, dilation=dilation, bias=False)
    torch.nn.init.ones_(conv.weight)
    out = conv(x)
    out.sum().backward()
    assert x.grad is not None
    middle = x.grad[0, 0, 120 : 120 + 12 * stride]
    read = int((middle != 0).sum()) // 12
    window = Window(length, kernel, stride, dilation, 0, 0)
    assert window.positions_read() == (read, stride)
    # NS109 fires where a position gets no gradient before the last window's last tap, in
    # the middle or at the edges (after it, the positions are NS101's): kernel 3, dilation 2
    # and stride 3 read every residue, but no window reads position 1.
    last_tap = (out.shape[-1] - 1) * stride + (kernel - 1) * dilation
    unread = bool((x.grad[0, 0, : last_tap + 1] == 0).any())
    text = f"input: [1, {length}]\nlayers:\n  - {{type: conv, filters: 1, kernel: {kernel}, stride: {stride}, "
    text += f"dilation: {dilation}}}\n"
    assert ("NS109" in [d.code for d in lint_text(text).diagnostics]) == unread


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_bundled_spec_agrees_with_pytorch(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    analysis = analyse(text, str(path), path.stem)
    assert analysis.graph.input is not None
    # On the meta device PyTorch skips the arithmetic (U-Net's 150 GMACs would take many
    # seconds on a CPU) and some of the CPU kernels' own checks: these specs are clean, and
    # the single-layer tests above, which probe the refusals, run on the CPU.
    with torch.device("meta"):
        # Built from the YAML itself, owing nothing to netspec's parsing or propagation.
        reference = run_graph(yaml.safe_load(text))
        # netspec's own export, built from what it parsed, computes the same.
        network = network_module(analysis.graph).eval()
        outputs = network.outputs(torch.zeros(1, *analysis.graph.input))
    for node, (shape, params), layer, output in zip(
        analysis.graph.nodes, reference, network.layers, outputs, strict=True
    ):
        assert (node.output, node.params) == (shape, params), node.name
        assert (tuple(output.shape[1:]), sum(p.numel() for p in layer.parameters())) == (shape, params), node.name


@pytest.mark.parametrize(("name", "params"), PUBLISHED_PARAMS.items())
def test_published_counts_in_pytorch(name: str, params: int) -> None:
    path = SPECS[[p.stem for p in SPECS].index(name)]
    analysis = analyse(path.read_text(encoding="utf-8"), str(path), name)
    with torch.device("meta"):
        network = network_module(analysis.graph)
    assert sum(p.numel() for p in network.parameters()) == params


def test_export_returns_every_output_the_spec_lists_in_its_order() -> None:
    # YOLOv8n's heads on 640×640: strides 8, 16 and 32 give 80, 40 and 20 cells, each of 64
    # box channels (4 sides × 16 bins) and 80 class channels.
    path = ROOT / "specs" / "yolov8n.yaml"
    analysis = analyse(path.read_text(encoding="utf-8"), str(path), "yolov8n")
    with torch.device("meta"):
        heads = network_module(analysis.graph)(torch.zeros(1, 3, 640, 640))
    assert [tuple(head.shape) for head in heads] == [(1, 144, 80, 80), (1, 144, 40, 40), (1, 144, 20, 20)]
    # Listed the other way round, returned the other way round; without the list, the last alone.
    text = spec("[2, 4]", "{type: relu, name: a}", "{type: sigmoid, name: b, from: input}")
    x = torch.tensor([[[-1.0, 0.0, 1.0, 2.0], [3.0, -4.0, 5.0, -6.0]]])
    b, a = network_module(analyse("outputs: [b, a]\n" + text, "o.yaml", "o").graph)(x)
    assert torch.equal(a, torch.relu(x)) and torch.equal(b, torch.sigmoid(x))
    assert torch.equal(network_module(analyse(text, "o.yaml", "o").graph)(x), torch.sigmoid(x))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("input: [3, 0, 32]\nlayers:\n  - {type: relu}\n", "the spec's input has errors"),
        ("input: [3, 32, 32]\nlayers: []\n", "the spec has no layers to export"),
        (
            "input: [3, 8, 8]\nlayers:\n  - {type: relu, name: a}\n  - {type: relu, name: a}\n",
            "layer 2: the name 'a' is already used by layer 1",
        ),
        ("input: [3, 8, 8]\nlayers:\n  - {type: conv, name: c, filters: 4, kernel: 9}\n", "layer 'c' has errors"),
        ("outputs: [a, b]\ninput: [3, 8, 8]\nlayers:\n  - {type: relu, name: a}\n", "`outputs` names 'b'"),
        ("outputs: a\ninput: [3, 8, 8]\nlayers:\n  - {type: relu, name: a}\n", "the spec's `outputs` has errors"),
        # The first layer at fault: c (a 9×9 kernel on 8×8) before the repeated name a.
        (
            "input: [3, 8, 8]\nlayers:\n  - {type: conv, name: c, filters: 4, kernel: 9}\n"
            "  - {type: relu, name: a}\n  - {type: relu, name: a}\n",
            "layer 'c' has errors",
        ),
    ],
)
def test_export_refuses_a_spec_with_errors_and_says_what_to_fix(text: str, reason: str) -> None:
    with pytest.raises(UnsupportedLayer, match=reason):
        network_module(analyse(text, "x.yaml", "x").graph)


@pytest.mark.parametrize(
    ("layer", "invalid", "valid", "keys"),
    [
        # Built at its default, the conv would lose its activation.
        ("conv, filters: 4, kernel: 3, padding: 1", "activation: [relu]", "activation: relu", "`activation`"),
        ("batchnorm", "eps: 0, momentum: 5", "eps: 0.001, momentum: 0.5", "`eps`, `momentum`"),
        ("dropout", "rate: 2", "rate: 0.2", "`rate`"),
    ],
)
def test_export_refuses_a_layer_the_check_looks_past_with_an_invalid_value(
    layer: str, invalid: str, valid: str, keys: str
) -> None:
    # The rules go on past such a layer, at the key's default, since no shape depends on it;
    # an export at the default would be another network than the one written.
    text = f"input: [3, 8, 8]\nlayers:\n  - {{type: {layer}, name: c, {invalid}}}\n  - {{type: relu}}\n"
    assert [d.code for d in lint_text(text).diagnostics] == ["NS002"]
    with pytest.raises(UnsupportedLayer, match=re.escape(f"layer 'c' has an invalid {keys} (NS002)")):
        network_module(analyse(text, "x.yaml", "x").graph)
    # The near misses: written validly, it exports; so it does beside a mistake in keys that
    # only check a layer, whose module is the same whatever they say.
    mended = text.replace(invalid, valid)
    checking = mended.replace("{type: relu}", "{type: conv, filters: 2, kernel: 1, in_channels: x, expect: [2, z]}")
    assert [d.code for d in lint_text(checking).diagnostics] == ["NS002"]
    channels = 4 if layer.startswith("conv") else 3
    for exported, out_channels in ((mended, channels), (checking, 2)):
        out = network_module(analyse(exported, "x.yaml", "x").graph)(torch.rand(1, 3, 8, 8))
        assert out.shape == (1, out_channels, 8, 8)


@pytest.mark.parametrize("activation", ["ReLU", "swish", "prelu"])
def test_export_refuses_an_activation_that_is_documentation_only(activation: str) -> None:
    # The check takes `activation` as documentation, in any words: PyTorch's own spelling, or
    # another framework's. The export builds only the activation types, and says so.
    text = f"input: [3, 8, 8]\nlayers:\n  - {{type: conv, name: c, filters: 4, kernel: 1, activation: {activation}}}\n"
    assert lint_text(text).diagnostics == []
    with pytest.raises(
        UnsupportedLayer, match=re.escape(f"conv: `activation: {activation}` is not an activation type")
    ):
        network_module(analyse(text, "x.yaml", "x").graph)
    # The near miss: an activation type is built after the conv, as PyTorch's module.
    built = network_module(analyse(text.replace(activation, "relu6"), "x.yaml", "x").graph)
    with torch.no_grad():
        out = built(torch.full((1, 3, 8, 8), 10.0))
    assert float(out.max()) <= 6.0 and any(isinstance(m, torch.nn.ReLU6) for m in built.modules())


def test_ns101_per_side_fix_gives_alexnet_55_in_pytorch() -> None:
    # The paper's AlexNet conv1 on 224: (224 − 11)/4 + 1 = 54.25. No symmetric padding is
    # exact (224 − 11 is odd), so the fix is per side, and PyTorch then gives exactly 55.
    text = "input: [3, 224, 224]\nlayers:\n  - {type: conv, filters: 96, kernel: 11, stride: 4}\n"
    (diagnostic,) = [d for d in lint_text(text).diagnostics if d.code == "NS101"]
    assert diagnostic.fix is not None
    (edit,) = diagnostic.fix.edits
    assert edit.value == [[1, 2], [1, 2]]
    fixed = text.replace("stride: 4}", "stride: 4, padding: [[1, 2], [1, 2]]}")
    analysis = analyse(fixed, "alexnet.yaml", "alexnet")
    assert analysis.graph.nodes[0].output == (96, 55, 55)
    with torch.no_grad():
        out = network_module(analysis.graph)(torch.zeros(1, 3, 224, 224))
    assert tuple(out.shape) == (1, 96, 55, 55)


def test_add_broadcasts_in_pytorch_as_an_upsample_to_the_full_size() -> None:
    # What NS106's help says of 4×6×6 + 4×1×1: PyTorch broadcasts it, and nearest upsampling
    # of the small branch to 6×6 makes the same sum explicit.
    x = torch.arange(144.0).reshape(1, 4, 6, 6)
    g = torch.nn.AdaptiveAvgPool2d(1)(x)
    assert torch.equal(x + g, x + torch.nn.Upsample(size=(6, 6), mode="nearest")(g))


def test_multiply_broadcasts_as_pytorch_does_and_refuses_where_it_raises() -> None:
    x = torch.ones(1, 4, 6, 6)
    # A channel gate and a spatial gate broadcast; sizes of 6 and 5 do not.
    assert tuple((x * torch.ones(1, 4, 1, 1)).shape) == tuple((x * torch.ones(1, 1, 6, 6)).shape) == (1, 4, 6, 6)
    with pytest.raises(RuntimeError, match="must match the size"):
        x * torch.ones(1, 4, 5, 5)
    # What netspec refuses although PyTorch runs it: a flat 6-vector scales the columns.
    assert tuple((x * torch.ones(1, 6)).shape) == (1, 4, 6, 6)
    text = spec(
        "[4, 6, 6]",
        "{type: relu, name: x}",
        "{type: adaptive_avgpool, output_size: 1}",
        "{type: conv, name: g, filters: 4, kernel: 1, activation: sigmoid}",
        "{type: multiply, from: [x, g]}",
    )
    analysis = analyse(text, "se.yaml", "se")
    with torch.no_grad():
        out = network_module(analysis.graph)(torch.rand(1, 4, 6, 6))
    assert analysis.graph.nodes[-1].output == tuple(out.shape[1:]) == (4, 6, 6)


def test_export_passes_the_arguments_that_change_no_shape() -> None:
    # The single-layer comparison sees shapes and parameters only: an export that dropped
    # these would still agree there.
    text = spec(
        "[4, 6, 6]",
        "{type: batchnorm, eps: 1.0e-3, momentum: null, affine: false, track_running_stats: false}",
        "{type: leaky_relu, negative_slope: 0.2}",
        "{type: elu, alpha: 0.5}",
        "{type: gelu, approximate: tanh}",
    )
    network = network_module(analyse(text, "a.yaml", "a").graph)
    batchnorm, leaky, elu, gelu = network.layers
    assert (batchnorm.eps, batchnorm.momentum, batchnorm.affine, batchnorm.track_running_stats) == (
        1e-3,
        None,
        False,
        False,
    )
    assert (leaky.negative_slope, elu.alpha, gelu.approximate) == (0.2, 0.5, "tanh")
    # Without running statistics a batch of two normalises by its own, in eval mode too.
    assert tuple(network.eval()(torch.rand(2, 4, 6, 6)).shape) == (2, 4, 6, 6)
    assert sum(p.numel() for p in network.parameters()) == 0


UPSAMPLES = [
    (mode, how, align)
    for mode in ("nearest", "nearest-exact", "linear", "area")
    for how in ("scale: 2", "scale: 3", "scale: 1.5", "scale: 0.75", "scale: 0.5", "size: 37", "size: 13")
    for align in ((None, True) if mode == "linear" else (None,))
] + [("bicubic", how, align) for how in ("size: 48", "size: 37", "size: 16") for align in (None, True)]


@pytest.mark.parametrize(("mode", "how", "align"), UPSAMPLES)
def test_upsample_fields_agree_with_the_inputs_pytorch_differentiates(mode: str, how: str, align: bool | None) -> None:
    # Row y of the Jacobian holds the input positions output y reads. Away from the edges:
    # the most any output reads is r, the first read advances by j per output, and the
    # centre of output y lies among what it reads (to within a position, for nearest and
    # area, whose field netspec centres on the continuous coordinate).
    length = 24
    bicubic = mode == "bicubic"  # 2-D only: a height of 1, kept by size [1, W]
    upsample = torch.nn.Upsample(
        size=((1, int(how[6:])) if bicubic else int(how[6:])) if how.startswith("size") else None,
        scale_factor=float(how[7:]) if how.startswith("scale") else None,
        mode=mode,
        align_corners=align,
    )
    shape = (1, 1, 1, length) if bicubic else (1, 1, length)
    rows = torch.autograd.functional.jacobian(lambda x: upsample(x).flatten(), torch.rand(shape)).reshape(-1, length)
    reads = [row.nonzero().flatten().tolist() for row in rows]
    interior = range(len(reads) // 4, 3 * len(reads) // 4)
    if bicubic:
        how = f"size: [1, {how[6:]}]"
    text = f"input: [1, {'1, ' if bicubic else ''}{length}]\nlayers:\n  - {{type: upsample, {how}, mode: {mode}"
    text += f", align_corners: {str(align).lower()}}}\n" if align is not None else "}\n"
    analysis = analyse(text, "u.yaml", "u")
    (field,) = analysis.graph.receptive_fields
    assert field is not None and tuple(rows.shape) == (volume(analysis.graph.nodes[0].output or ()), length)
    width = field.dims[-1]
    assert max(len(reads[y]) for y in interior) == math.ceil(width.size)
    first, last = interior[0], interior[-1]
    assert abs((reads[last][0] - reads[first][0]) - (last - first) * width.jump) <= 1
    slack = 1 if mode in ("nearest", "area") else Fraction(1, 2)
    for y in interior:
        assert abs(width.centre + y * width.jump - Fraction(reads[y][0] + reads[y][-1], 2)) <= slack, y


def test_pixel_shuffle_field_agrees_with_the_inputs_pytorch_differentiates() -> None:
    # Each output reads one input element; along the width, output x reads column x // 2.
    rows = torch.autograd.functional.jacobian(
        lambda x: torch.nn.PixelShuffle(2)(x).flatten(), torch.rand(1, 4, 3, 5)
    ).reshape(-1, 4, 3, 5)
    reads = [row.nonzero().tolist() for row in rows]
    assert all(len(read) == 1 for read in reads)
    columns = [read[0][2] for read in reads[:10]]  # the first output row, 10 wide
    assert columns == [x // 2 for x in range(10)]
    (field,) = analyse(spec("[4, 3, 5]", "{type: pixel_shuffle, scale: 2}"), "p.yaml", "p").graph.receptive_fields
    assert field is not None and (field.sizes, field.strides) == ([1, 1], [0.5, 0.5])


def reads_by_layer(graph: Any, length: int) -> list[list[list[int]]]:
    """For a spec of one channel over ``length`` positions: per layer, per output position,
    the input positions it depends on, by PyTorch's gradients. Positive weights on a positive
    input, in float64, leave no gradient to cancel or vanish."""
    network = network_module(graph).double()
    for parameter in network.parameters():
        torch.nn.init.constant_(parameter, 0.1)
    x = torch.rand(1, 1, length, dtype=torch.float64) + 0.5
    layers = []
    for index in range(len(graph.nodes)):

        def summed(x: Any, index: int = index) -> Any:
            return network.outputs(x)[index].sum(dim=1).flatten()

        rows = torch.autograd.functional.jacobian(summed, x)
        layers.append([row.flatten().nonzero().flatten().tolist() for row in rows])
    return layers


def assert_fields_are_the_widest_reads(text: str, length: int) -> None:
    """Each layer's field, for a spec of one channel over ``length`` positions, is the widest run
    of input positions one of its outputs depends on."""
    graph = analyse(text, "f.yaml", "f").graph
    for node, field, reads in zip(graph.nodes, graph.receptive_fields, reads_by_layer(graph, length), strict=True):
        assert field is not None
        assert field.sizes == [max(read[-1] - read[0] + 1 for read in reads)], node.name


def test_gated_fields_agree_with_the_inputs_pytorch_differentiates() -> None:
    # Two squeeze-and-excitation gates, nothing padded, so that every input coordinate is a
    # pixel; with weights of 0.1, the gates stay off the sigmoid's flat ends.
    text = spec(
        "[1, 40]",
        "{type: conv, name: a, filters: 2, kernel: 3}",
        "{type: adaptive_avgpool, name: p1, output_size: 1}",
        "{type: conv, name: g1, filters: 2, kernel: 1, activation: sigmoid}",
        "{type: multiply, name: m1, from: [a, g1]}",
        "{type: conv, name: b, filters: 2, kernel: 3, stride: 2}",
        "{type: adaptive_avgpool, name: p2, output_size: 1}",
        "{type: conv, name: g2, filters: 2, kernel: 1, activation: sigmoid}",
        "{type: multiply, name: m2, from: [b, g2]}",
        "{type: conv, name: c, filters: 2, kernel: 5}",
    )
    assert_fields_are_the_widest_reads(text, 40)


#: Branches whose windows lean different ways: a 'same' conv of even kernel pads after, and
#: per-side padding shifts a window; with strides, the grids still agree.
OFFSET_BRANCHES = {
    "even-same": (
        "[1, 32]",
        "{type: conv, name: a, filters: 2, kernel: 3, padding: 1}",
        "{type: conv, name: b1, filters: 2, kernel: 2, padding: same, from: input}",
        "{type: conv, name: b2, filters: 2, kernel: 2, padding: same}",
        "{type: add, name: s, from: [a, b2]}",
        "{type: conv, name: c, filters: 2, kernel: 3, padding: 1}",
    ),
    "per-side": (
        "[1, 32]",
        "{type: conv, name: a, filters: 2, kernel: 5, padding: 2}",
        "{type: conv, name: b, filters: 2, kernel: 5, padding: [[4, 0]], from: input}",
        "{type: concat, name: s, from: [a, b]}",
    ),
    "strided": (
        "[1, 32]",
        "{type: conv, name: a, filters: 2, kernel: 3, stride: 2, padding: 1}",
        "{type: conv, name: b, filters: 2, kernel: 3, stride: 2, padding: [[2, 0]], from: input}",
        "{type: multiply, name: s, from: [a, b]}",
        "{type: conv, name: c, filters: 2, kernel: 3}",
    ),
    # The near miss: branches centred alike see what the larger one sees.
    "centred": (
        "[1, 32]",
        "{type: conv, name: a, filters: 2, kernel: 3, padding: 1}",
        "{type: conv, name: b, filters: 2, kernel: 5, padding: 2, from: input}",
        "{type: add, name: s, from: [a, b]}",
    ),
}


@pytest.mark.parametrize("layers", OFFSET_BRANCHES.values(), ids=OFFSET_BRANCHES)
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths:UserWarning")
def test_merged_fields_agree_with_the_inputs_pytorch_differentiates(layers: tuple[str, ...]) -> None:
    assert_fields_are_the_widest_reads(spec(*layers), 32)


def test_ns114_names_the_first_layer_whose_every_output_sees_every_pixel() -> None:
    # The rule's example: 3×3 convs on 8×8. By PyTorch's gradients, c7 is the first layer
    # each of whose outputs depends on all 64 pixels: c6's corner outputs do not.
    path = ROOT / "examples" / "broken" / "ns114_receptive_field_exceeds_input.yaml"
    analysis = analyse(path.read_text(encoding="utf-8"), str(path), path.stem)
    network = network_module(analysis.graph).double()
    for parameter in network.parameters():
        torch.nn.init.constant_(parameter, 0.1)
    x = torch.rand(1, 3, 8, 8, dtype=torch.float64) + 0.5

    def sees_every_pixel(index: int) -> bool:
        def summed(x: Any) -> Any:
            return network.outputs(x)[index].sum(dim=1).flatten()

        rows = torch.autograd.functional.jacobian(summed, x).reshape(-1, 3, 8, 8).sum(dim=1)
        return bool((rows != 0).all())

    names = [node.name for node in analysis.graph.nodes]
    assert [sees_every_pixel(names.index(name)) for name in ("c6", "c7")] == [False, True]
    (found,) = [
        d
        for d in lint_text(path.read_text(encoding="utf-8"), str(path), Settings(extend_select=("NS114",))).diagnostics
        if d.code == "NS114"
    ]
    assert found.layer == "c7"


@st.composite
def windowed_chains(draw: st.DrawFn) -> tuple[str, int]:
    """A 1-D chain of one-channel convs, transposed convs and pools, some dilated or strided,
    some beside a copy of themselves shifted by pad and crop and added to it: a spec and its
    input's length."""
    length = size = draw(st.integers(4, 24))
    layers = []
    for index in range(draw(st.integers(1, 5))):
        # An average pool, not a max pool, whose gradient reaches only the largest input.
        kind = draw(st.sampled_from(["conv", "conv", "conv_transpose", "avgpool"]))
        kernel, stride = draw(st.integers(1, 4)), draw(st.integers(1, 3))
        dilation = draw(st.integers(1, 3)) if kind != "avgpool" else 1
        padding = draw(st.integers(0, dilation * (kernel - 1) // 2))
        extra = f", filters: 1, dilation: {dilation}" if kind != "avgpool" else ""
        layers.append(
            f"{{type: {kind}, name: l{index}{extra}, kernel: {kernel}, stride: {stride}, padding: {padding}}}"
        )
        reach = dilation * (kernel - 1) + 1
        if kind == "conv_transpose":
            size = (size - 1) * stride - 2 * padding + reach
        else:
            size = (size + 2 * padding - reach) // stride + 1
        shift = draw(st.integers(0, 6))
        if shift and size > 0:  # the map beside itself, moved by pad and crop: apart, or not
            layers += [
                f"{{type: pad, name: p{index}, padding: [[{shift}, 0]]}}",
                f"{{type: crop, name: k{index}, size: {size}}}",
                f"{{type: add, name: a{index}, from: [l{index}, k{index}]}}",
            ]
    return spec(f"[1, {length}]", *layers), length


@settings(max_examples=EXAMPLES // 5, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(chain=windowed_chains())
def test_a_field_said_to_have_no_holes_has_none_and_ns114_claims_only_those(chain: tuple[str, int]) -> None:
    # Where netspec says a field is solid, every output depends on each input position
    # between the first and the last it depends on, by PyTorch's gradients; NS114 names only
    # a layer each of whose outputs depends on every input position.
    text, length = chain
    graph = analyse(text, "f.yaml", "f").graph
    assume(all(node.output is not None for node in graph.nodes) and not graph.problems)
    reads_of = reads_by_layer(graph, length)
    for node, field, reads in zip(graph.nodes, graph.receptive_fields, reads_of, strict=True):
        assert field is not None
        if field.dims[0].solid:
            assert all(read == list(range(read[0], read[-1] + 1)) for read in reads if read), node.name
    for d in lint_text(text, "f.yaml", Settings(extend_select=("NS114",))).diagnostics:
        if d.code == "NS114":
            named = [node.name for node in graph.nodes].index(d.layer)
            assert all(read == list(range(length)) for read in reads_of[named]), d.message


@pytest.mark.parametrize("kernel", [1, 2, 3, 4])
@pytest.mark.parametrize("stride", [1, 2, 3, 4])
@pytest.mark.parametrize("dilation", [1, 2, 3])
def test_transposed_fields_agree_with_the_inputs_pytorch_differentiates(
    kernel: int, stride: int, dilation: int
) -> None:
    # The widest run of input positions any output of ConvTranspose1d depends on.
    upconv = torch.nn.ConvTranspose1d(1, 1, kernel, stride=stride, dilation=dilation, bias=False)
    torch.nn.init.ones_(upconv.weight)
    rows = torch.autograd.functional.jacobian(lambda x: upconv(x).flatten(), torch.rand(1, 1, 12))
    reads = [row.flatten().nonzero().flatten().tolist() for row in rows]
    widest = max(read[-1] - read[0] + 1 for read in reads if read)
    text = spec(
        "[1, 12]", f"{{type: conv_transpose, filters: 1, kernel: {kernel}, stride: {stride}, dilation: {dilation}}}"
    )
    (field,) = analyse(text, "t.yaml", "t").graph.receptive_fields
    assert field is not None and field.sizes == [widest]


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("dilation", [1, 2])
def test_the_output_padding_ns106_names_is_the_one_torch_gives_the_size_with(stride: int, dilation: int) -> None:
    # For each transposed conv and each size near its output, the output_padding values with
    # which PyTorch builds the layer and gives that size: NS106 names the one, or none.
    for size, kernel, padding in itertools.product(range(1, 5), range(1, 4), range(3)):
        text = spec(
            f"[1, {size}]",
            f"{{type: conv_transpose, filters: 1, kernel: {kernel}, stride: {stride}, padding: {padding}, "
            f"dilation: {dilation}}}",
        )
        (node,) = analyse(text, "t.yaml", "t").graph.nodes
        if node.output is None:
            continue
        layer, inputs = node.layer, node.inputs
        assert isinstance(layer, ConvTranspose) and inputs is not None
        for target in range(node.output[1] - 1, node.output[1] + 4):
            giving = []
            for extra in range(4):
                try:
                    upconv = torch.nn.ConvTranspose1d(
                        1, 1, kernel, stride=stride, padding=padding, output_padding=extra, dilation=dilation
                    )
                    if upconv(torch.zeros(1, 1, size)).shape[-1] == target:
                        giving.append(extra)
                except RuntimeError:  # "output padding must be smaller than either stride or dilation"
                    pass
            assert layer.output_padding_for(inputs, [target]) == (giving or None), (size, kernel, padding, target)


#: A valid value other than the default for every key a layer calls inert.
INERT_VALUES: dict[str, Any] = {
    "expect": [4, 6, 6],
    "eps": 0.5,
    "momentum": None,
    "track_running_stats": False,
    "negative_slope": -2.0,
    "alpha": 3.0,
    "approximate": "tanh",
    "rate": 0.9,
    "whole_channels": True,
    "init": 0.25,
    "count_include_pad": False,
    "divisor_override": 7,
    "beta": 0.5,
    "k": 2.0,
    "activation": "gelu",
    "in_channels": 4,
    "in_features": 4,
}

#: The keys a layer needs besides its type.
REQUIRED_KEYS: dict[str, dict[str, Any]] = {
    "groupnorm": {"groups": 2},
    "avgpool": {"kernel": 2},
    "local_response_norm": {"size": 3},
    "conv": {"filters": 3, "kernel": 3, "padding": 1},
    "conv_transpose": {"filters": 3, "kernel": 3},
    "dense": {"units": 3},
}
#: The input, where a layer does not take [4, 6, 6].
INPUT_SHAPES: dict[str, list[int]] = {"dense": [4]}


def test_every_inert_key_has_a_test_value() -> None:
    assert set().union(*(model.inert_keys for model in LAYER_TYPES.values())) <= set(INERT_VALUES)


@pytest.mark.parametrize("kind", sorted(kind for kind, model in LAYER_TYPES.items() if model.inert_keys - {"expect"}))
def test_inert_keys_change_no_shape_and_no_parameter_count_in_pytorch(kind: str) -> None:
    # A mistake in an inert key leaves the layers after it checked with the key's default:
    # PyTorch must give the same output shape and parameter count whatever its value.
    # (`expect` only checks: propagation never reads it.)
    plain = {"type": kind, **REQUIRED_KEYS.get(kind, {})}
    shape = INPUT_SHAPES.get(kind, [4, 6, 6])
    baseline = run_stack(shape, [plain])
    for key in LAYER_TYPES[kind].inert_keys - {"expect"}:
        layer = {**plain, key: INERT_VALUES[key]}
        assert run_stack(shape, [layer]) == baseline, key
        module = layer_module(LAYER_TYPES[kind].model_validate(layer), [tuple(shape)]).eval()
        with torch.no_grad():
            out = module(torch.rand(2, *shape))
        assert (tuple(out.shape[1:]), sum(p.numel() for p in module.parameters())) == baseline, key


def test_ns114_claims_nothing_where_an_upsample_moves_the_edge_outputs() -> None:
    # After a ×2 linear upsample the grid puts output 0's field a quarter step before where
    # PyTorch, which clamps the source coordinate, reads: `up` does not see every input from
    # every position, and NS114 must not say it does.
    layers = ["{type: conv, filters: 1, kernel: 3, padding: 1}", "{type: avgpool, kernel: 2}"] * 3
    layers += [
        "{type: conv, filters: 1, kernel: 3, padding: 1}",
        "{type: upsample, name: up, scale: 2, mode: linear}",
        "{type: conv, name: after, filters: 1, kernel: 3, padding: 1}",
        "{type: conv, name: after2, filters: 1, kernel: 3, padding: 1}",
    ]
    text = spec("[1, 24]", *layers)
    analysis = analyse(text, "u.yaml", "u")
    network = network_module(analysis.graph).double()
    for parameter in network.parameters():
        torch.nn.init.constant_(parameter, 0.1)
    up = [node.name for node in analysis.graph.nodes].index("up")
    rows = torch.autograd.functional.jacobian(
        lambda x: network.outputs(x)[up].flatten(), torch.rand(1, 1, 24, dtype=torch.float64) + 0.5
    ).reshape(-1, 24)
    assert not bool((rows != 0).all())
    assert "NS114" not in [d.code for d in lint_text(text, "u.yaml", Settings(extend_select=("NS114",))).diagnostics]


def test_instancenorm_with_running_statistics_still_needs_two_positions_in_training() -> None:
    # The single-layer comparison runs in eval mode, where running statistics would serve;
    # training normalises by the sample's own, and netspec reports the spec for that.
    norm = torch.nn.InstanceNorm2d(8, track_running_stats=True)
    assert tuple(norm.eval()(torch.rand(1, 8, 1, 1)).shape) == (1, 8, 1, 1)
    with pytest.raises(ValueError, match="Expected more than 1 spatial element when training"):
        norm.train()(torch.rand(1, 8, 1, 1))
    assert [
        d.code for d in lint_text(spec("[8, 1, 1]", "{type: instancenorm, track_running_stats: true}")).diagnostics
    ] == ["NS115"]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_export_pads_with_the_mode_given(mode: str) -> None:
    # Every mode gives the same shape: only the values show the mode was passed on.
    text = spec("[2, 4, 5]", f"{{type: pad, padding: [[1, 2], [3, 0]], mode: {mode}}}")
    network = network_module(analyse(text, "p.yaml", "p").graph)
    x = torch.rand(1, 2, 4, 5)
    assert torch.equal(network(x), torch.nn.functional.pad(x, (3, 0, 1, 2), mode=mode))


@settings(max_examples=EXAMPLES // 3, deadline=None)
@given(
    size=st.integers(1, 12),
    kernel=st.integers(1, 4),
    stride=st.integers(1, 5),
    dilation=st.integers(1, 3),
    before=st.integers(0, 12),
    after=st.integers(0, 12),
    mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
)
def test_positions_read_through_each_padding_mode_get_a_gradient(
    size: int, kernel: int, stride: int, dilation: int, before: int, after: int, mode: str
) -> None:
    # The input positions a convolution reads, directly or through the copies its padding
    # holds, get a gradient; with zeros, none come through the padding.
    reach = {"reflect": size - 1, "circular": size}.get(mode, 12)
    assume(max(before, after) <= reach)
    window = Window(size, kernel, stride, dilation, before, after, False, mode)
    assume(window.output >= 1)
    x = torch.ones(1, 1, size, requires_grad=True)
    padded = torch.nn.functional.pad(x, (before, after), mode="constant" if mode == "zeros" else mode)
    conv = torch.nn.Conv1d(1, 1, kernel, stride=stride, dilation=dilation, bias=False)
    torch.nn.init.ones_(conv.weight)
    out = conv(padded)
    assert out.shape[-1] == window.output
    out.sum().backward()
    assert x.grad is not None
    read = [bool(g) for g in x.grad[0, 0]]
    assert window.read_count() == sum(read)
    # The positions after the last window: only a copy in the padding before can be read.
    assert window.dropped_copies() == sum(read[size - window.dropped :])


_SAME_CLAIM = re.compile(r"padding (\d+)( in replicate mode)? gives ([\d×]+), as 'same' would")
#: NS107's help where its fix is 'same' itself, at stride 1: the padding, then what it gives.
_SAME_FIX = re.compile(r"^padding (.+?) gives ([\d×]+) \(.*; 'same' where the stride is 1, which keeps the size\)")


@settings(max_examples=EXAMPLES // 5, deadline=None)
@given(
    size=st.integers(2, 9),
    kernel=st.integers(2, 5),
    dilation=st.integers(1, 3),
    padding=st.integers(1, 12),
    mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
)
def test_the_same_padding_ns107_offers_runs_in_pytorch_and_gives_what_it_says(
    size: int, kernel: int, dilation: int, padding: int, mode: str
) -> None:
    # Where 'same' pads further than reflect or circular padding can copy, the help offers
    # it in replicate mode, which PyTorch runs with any padding. Where the fix is 'same'
    # itself, the help gives the padding first, which keeps the size.
    layer = {"type": "conv", "filters": 1, "kernel": kernel, "dilation": dilation, "padding_mode": mode}
    helps = [
        d.help or ""
        for d in lint(spec(f"[1, {size}, {size}]", json.dumps(layer | {"padding": padding})))
        if d.code == "NS107"
    ]
    offered = [claim for help in helps for claim in _SAME_CLAIM.findall(help)]
    fixed = [claim for help in helps for claim in _SAME_FIX.findall(help)]
    assume(offered or fixed)
    x = torch.ones(1, 1, size, size)
    for value, shape in fixed:
        out = run_layer(layer | {"padding": yaml.safe_load(value)}, x)[0]
        assert "×".join(map(str, out.shape[-2:])) == shape == f"{size}×{size}"
    for same, replicate, shape in offered:
        used = "replicate" if replicate else mode
        conv = torch.nn.Conv2d(1, 1, kernel, dilation=dilation, padding=int(same), padding_mode=used)
        assert "×".join(map(str, conv(x).shape[-2:])) == shape
        if replicate:  # and only where the mode given could not pad that far
            with pytest.raises(RuntimeError):
                torch.nn.Conv2d(1, 1, kernel, dilation=dilation, padding=int(same), padding_mode=mode)(x)


@settings(max_examples=EXAMPLES // 5, deadline=None)
@given(
    kind=st.sampled_from(["conv", "maxpool", "avgpool"]),
    size=st.integers(1, 12),
    kernel=st.integers(1, 5),
    dilation=st.integers(1, 3),
    padding=st.integers(0, 8),
    mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
)
def test_ns102_fires_where_pytorch_resizes_a_stride_1_map_and_its_fix_keeps_it(
    kind: str, size: int, kernel: int, dilation: int, padding: int, mode: str
) -> None:
    layer: dict[str, Any] = {"type": kind, "kernel": kernel, "stride": 1, "padding": padding}
    if kind == "conv":
        layer |= {"filters": 1, "dilation": dilation, "padding_mode": mode}
    elif kind == "maxpool":
        layer["dilation"] = dilation
    x = torch.ones(1, 1, size)
    try:
        with torch.no_grad():
            out = run_layer(layer, x)[0].shape[-1]
    except (RuntimeError, ValueError):
        assume(False)  # PyTorch refuses it: an error of netspec's, compared elsewhere
    found = [d for d in lint(spec(f"[1, {size}]", json.dumps(layer))) if d.code == "NS102"]
    # A window over exactly the whole unpadded input stands for a dense layer (one output).
    whole = padding == 0 and layer.get("dilation", 1) == 1 and kernel == size
    assert bool(found) == (out != size and not whole)
    if found and found[0].fix is not None:
        fixed = layer | {"padding": found[0].fix.edits[0].value}
        with torch.no_grad():
            assert run_layer(fixed, x)[0].shape[-1] == size


def padded_conv(
    size: int, kernel: int, stride: int, dilation: int, before: int, after: int, explicit: int
) -> tuple[Any, Any, list[str]]:
    """A 1-D conv of ones, padded ``before`` and ``after``, run by PyTorch on ones (None where
    it refuses: no output, NS103's, compared elsewhere), its input, and the spec's layers, up
    to ``explicit`` of each side's padding from a pad layer before the conv."""
    conv = torch.nn.Conv1d(1, 1, kernel, stride=stride, dilation=dilation, bias=False)
    torch.nn.init.ones_(conv.weight)
    x = torch.ones(1, 1, size, requires_grad=True)
    try:
        out = conv(torch.nn.functional.pad(x, (before, after)))
    except RuntimeError:
        out = None
    outer = (min(explicit, before), min(explicit, after))
    layers = [
        f"{{type: conv, filters: 1, kernel: {kernel}, stride: {stride}, dilation: {dilation}, "
        f"padding: [[{before - outer[0]}, {after - outer[1]}]], bias: false}}"
    ]
    if any(outer):
        layers.insert(0, f"{{type: pad, padding: [[{outer[0]}, {outer[1]}]]}}")
    return out, x, layers


def reads_input(out: Any, x: Any, position: int) -> bool:
    """Whether output ``position`` reads the input: its gradient there is not all zero."""
    return bool(torch.autograd.grad(out[0, 0, position], x, retain_graph=True)[0].any())


@settings(max_examples=EXAMPLES // 3, deadline=None)
@given(
    size=st.integers(1, 12),
    kernel=st.integers(1, 5),
    stride=st.integers(1, 5),
    dilation=st.integers(1, 3),
    before=st.integers(0, 8),
    after=st.integers(0, 8),
    explicit=st.integers(0, 8),
)
@example(size=1, kernel=2, stride=2, dilation=1, before=2, after=0, explicit=0)  # reads none, NS101's only position
@example(size=8, kernel=3, stride=2, dilation=1, before=1, after=3, explicit=0)  # the padding after is never reached
@example(size=3, kernel=3, stride=2, dilation=5, before=11, after=6, explicit=0)  # the first window's taps step over it
# So they do, but padding 6 is below 11.
@example(size=3, kernel=3, stride=2, dilation=5, before=6, after=11, explicit=0)
@example(size=8, kernel=3, stride=2, dilation=1, before=4, after=4, explicit=4)  # a pad layer's padding alone
def test_ns107_and_ns109_say_windows_read_only_padding_exactly_where_pytorch_reads_none(
    size: int, kernel: int, stride: int, dilation: int, before: int, after: int, explicit: int
) -> None:
    out, x, layers = padded_conv(size, kernel, stride, dilation, before, after, explicit)
    assume(out is not None)
    blind = [not reads_input(out, x, i) for i in (0, -1)]
    found = lint(spec(f"[1, {size}]", *layers))
    # NS107 needs padding of the effective kernel on the blind window's side, the pad layer's
    # and the conv's together; below it, dilated taps may still step over the input from a
    # window that spans it.
    effective = dilation * (kernel - 1) + 1
    blinded = (before >= effective and blind[0]) or (after >= effective and blind[1])
    assert ("NS107" in [d.code for d in found]) == blinded
    assert any(reads_none(d) for d in found) == (not torch.autograd.grad(out.sum(), x)[0].any())


class ChannelsLast(torch.nn.Module):
    """A module over the channels of each position, as ``nn.LayerNorm(C)`` on [N, L, C]."""

    def __init__(self, inner: Any) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: Any) -> Any:
        return self.inner(x.transpose(1, -1)).transpose(1, -1)


@pytest.mark.parametrize(
    ("between", "module"),
    [
        ("{type: relu}", lambda: torch.nn.ReLU()),
        ("{type: layernorm}", lambda: ChannelsLast(torch.nn.LayerNorm(2))),  # each position's 2 channels
        ("{type: groupnorm, groups: 1}", lambda: torch.nn.GroupNorm(1, 2)),
        ("{type: instancenorm}", lambda: torch.nn.InstanceNorm1d(2)),
        ("{type: batchnorm}", lambda: torch.nn.BatchNorm1d(2)),
        ("{type: batchnorm, track_running_stats: false}", lambda: torch.nn.BatchNorm1d(2, track_running_stats=False)),
    ],
    ids=["relu", "layernorm", "groupnorm", "instancenorm", "batchnorm", "batchnorm-untracked"],
)
def test_a_layer_behind_a_pad_reads_none_of_its_input_exactly_where_pytorch_says_so(between: str, module: Any) -> None:
    # The 2 positions padded 2 before, then a window of 1 every 4: it reads position 0, a pad's.
    # A normalisation by statistics over the positions (in training) puts them there too.
    text = spec("[2, 2]", "{type: pad, padding: [[2, 0]]}", between, "{type: conv, filters: 1, kernel: 1, stride: 4}")
    found = [d for d in lint(text) if d.code == "NS109"]
    torch.manual_seed(0)
    network = torch.nn.Sequential(torch.nn.ZeroPad1d((2, 0)), module(), torch.nn.Conv1d(2, 1, 1, stride=4))
    with torch.no_grad():
        first, second = (network(torch.randn(2, 2, 2)) for _ in range(2))
    # The output holds nothing of the input exactly when no input changes it.
    assert any(reads_none(d) for d in found) == bool(torch.equal(first, second))
    # Either way the layer reads 1 of the 4 positions before it.
    assert len(found) == 1


@settings(max_examples=EXAMPLES // 3, deadline=None)
@given(
    size=st.integers(1, 5),
    kernel=st.integers(2, 4),
    stride=st.integers(1, 3),
    dilation=st.integers(2, 8),
    before=st.integers(0, 10),
    after=st.integers(0, 10),
    explicit=st.integers(0, 10),
)
@example(size=2, kernel=2, stride=1, dilation=3, before=2, after=2, explicit=0)  # the middle window of 3
@example(size=2, kernel=2, stride=1, dilation=2, before=2, after=2, explicit=0)  # taps 2 apart: none steps over 2
@example(size=1, kernel=2, stride=1, dilation=3, before=4, after=0, explicit=0)  # wholly in the padding
@example(size=5, kernel=2, stride=1, dilation=6, before=4, after=3, explicit=3)  # 3 before from a pad layer
def test_every_window_that_pytorch_computes_from_padding_alone_is_counted(
    size: int, kernel: int, stride: int, dilation: int, before: int, after: int, explicit: int
) -> None:
    out, x, layers = padded_conv(size, kernel, stride, dilation, before, after, explicit)
    assume(out is not None)
    # Its window, from S·i − P, meets the input where it spans any of 0 to W − 1.
    effective = dilation * (kernel - 1) + 1
    stepping_over = sum(
        not reads_input(out, x, i) and stride * i - before <= size - 1 and stride * i - before + effective - 1 >= 0
        for i in range(out.shape[-1])
    )
    ns109 = next((d for d in lint(spec(f"[1, {size}]", *layers)) if d.code == "NS109"), None)
    counted = re.search(r"(\d+) of its \d+ windows? reads? only padding", ns109.message) if ns109 else None
    # Every such window is counted, unless the layer reads none of its input, which says more.
    if not (ns109 and reads_none(ns109)):
        assert (int(counted[1]) if counted else 0) == stepping_over


def test_export_convolves_with_the_padding_mode_given() -> None:
    # Shapes cannot show the mode: read it back from the modules.
    text = spec(
        "[2, 6, 6]",
        "{type: conv, filters: 2, kernel: 3, padding: 1, padding_mode: reflect}",
        "{type: conv, filters: 2, kernel: 2, padding: [[0, 1], [1, 0]], padding_mode: circular}",
    )
    symmetric, sided = network_module(analyse(text, "c.yaml", "c").graph).layers
    assert symmetric.padding_mode == "reflect"
    pad, conv = sided
    assert isinstance(pad, torch.nn.CircularPad2d) and pad.padding == (1, 0, 0, 1)
    assert conv.padding == (0, 0)


def test_dropout_exports_with_the_rate_given_or_pytorchs_default() -> None:
    # Shapes cannot show the rate either: read it back, against PyTorch's own default.
    text = spec("[2, 6, 6]", "{type: dropout}", "{type: dropout, rate: 0.1, whole_channels: true}")
    default, given = network_module(analyse(text, "d.yaml", "d").graph).layers
    assert (type(default), default.p) == (torch.nn.Dropout, torch.nn.Dropout().p)
    assert (type(given), given.p) == (torch.nn.Dropout2d, 0.1)


def test_a_null_momentum_means_what_each_normalisation_says() -> None:
    # BatchNorm takes null for a cumulative average; InstanceNorm for 0, so nothing moves.
    batch = torch.nn.BatchNorm2d(2, momentum=None).train()
    instance = torch.nn.InstanceNorm2d(2, momentum=None, track_running_stats=True).train()
    for _ in range(3):
        x = torch.rand(4, 2, 3, 3) + 5
        batch(x)
        instance(x)
    assert bool((batch.running_mean > 5).all()) and bool((instance.running_mean == 0).all())
    schema = json.loads((ROOT / "schemas" / "netspec.schema.json").read_text(encoding="utf-8"))
    described = {
        name: schema["$defs"][name]["properties"]["momentum"]["description"] for name in ("BatchNorm", "InstanceNorm")
    }
    assert "null for a cumulative average" in described["BatchNorm"]
    assert "null leaves them as they start" in described["InstanceNorm"]


def test_export_slices_and_shuffles_the_channels_torch_would() -> None:
    # Shapes cannot tell 2:5 from 1:4, nor a shuffle from none: compare the values.
    text = spec(
        "[6, 3, 3]", "{type: slice, name: part, start: 2, stop: 5}", "{type: channel_shuffle, groups: 2, from: input}"
    )
    network = network_module(analyse(text, "s.yaml", "s").graph)
    x = torch.rand(1, 6, 3, 3)
    part, shuffled = network.outputs(x)
    assert torch.equal(part, x[:, 2:5])
    # Channels as 2 rows of 3, read by column: 0, 3, 1, 4, 2, 5.
    assert torch.equal(shuffled, x[:, [0, 3, 1, 4, 2, 5]])


def test_export_averages_over_the_input_alone_without_count_include_pad() -> None:
    # [1, 2, 3, 4], kernel 4, stride 1, padding 2 before and 1 after; windows start at −2…1.
    # Counted alone, the inputs in them average (1+2)/2, (1+2+3)/3, 10/4 and (2+3+4)/3; with
    # the padding counted, every sum is divided by 4: 3/4, 6/4, 10/4, 9/4.
    x = torch.tensor([[[1.0, 2.0, 3.0, 4.0]]])
    layer = "{type: avgpool, kernel: 4, stride: 1, padding: [[2, 1]]%s}"
    for options, by_hand in [
        (", count_include_pad: false", [1.5, 2.0, 2.5, 3.0]),
        ("", [0.75, 1.5, 2.5, 2.25]),
        (", count_include_pad: true", [0.75, 1.5, 2.5, 2.25]),
    ]:
        network = network_module(analyse(spec("[1, 4]", layer % options), "a.yaml", "a").graph)
        assert torch.allclose(network(x), torch.tensor([[by_hand]])), options
    # Symmetric padding is PyTorch's own: 1 2 | 1 2 3 | 2 3 4 | 3 4 over 2, 3, 3 and 2 inputs.
    pool = "{type: avgpool, kernel: [1, 3], stride: 1, padding: [0, 1], %s}"
    network = network_module(analyse(spec("[1, 1, 4]", pool % "count_include_pad: false"), "s.yaml", "s").graph)
    assert torch.allclose(network(x.reshape(1, 1, 1, 4)), torch.tensor([[[[1.5, 2.0, 3.0, 3.5]]]]))
    # divisor_override divides every sum by it, padding or not: (0+1+2)/2 … (3+4+0)/2.
    network = network_module(analyse(spec("[1, 1, 4]", pool % "divisor_override: 2"), "d.yaml", "d").graph)
    assert torch.allclose(network(x.reshape(1, 1, 1, 4)), torch.tensor([[[[1.5, 3.0, 4.5, 3.5]]]]))


def test_export_drops_whole_channels_and_normalises_across_neighbouring_ones() -> None:
    # Shapes cannot tell channel dropout from element dropout: at rate 0.5 in training, each
    # channel of a Dropout2d is all zeros or all twos.
    text = spec("[64, 4, 4]", "{type: dropout, rate: 0.5, whole_channels: true}")
    (dropout,) = network_module(analyse(text, "d.yaml", "d").graph).train().layers
    out = dropout(torch.ones(1, 64, 4, 4))
    per_channel = out.flatten(2)
    assert bool((per_channel.amin(2) == per_channel.amax(2)).all())
    assert set(per_channel[0, :, 0].tolist()) == {0.0, 2.0}
    # Local response normalisation, size 3, alpha 3, beta 1, k 1, of channels 1, 2, 3 at one
    # position: x / (1 + 3/3 · Σ x²) over each channel and its neighbours (zeros beyond):
    # 1/(1 + 1 + 4), 2/(1 + 1 + 4 + 9), 3/(1 + 4 + 9).
    text = spec("[3, 1]", "{type: local_response_norm, size: 3, alpha: 3, beta: 1}")
    network = network_module(analyse(text, "l.yaml", "l").graph)
    by_hand = torch.tensor([[[1 / 6], [2 / 15], [3 / 14]]])
    assert torch.allclose(network(torch.tensor([[[1.0], [2.0], [3.0]]])), by_hand)


def test_export_normalises_each_positions_channels_and_scales_them() -> None:
    # Shapes cannot tell a normalisation over the channels from one over the positions.
    text = spec("[3, 2, 2]", "{type: layernorm, eps: 0.5}", "{type: layer_scale, init: 0.25}")
    network = network_module(analyse(text, "n.yaml", "n").graph)
    x = torch.rand(1, 3, 2, 2)
    normalised, scaled = network.outputs(x)
    # Each position's mean and biased variance over its 3 channels; the scale and shift start at 1 and 0.
    by_hand = (x - x.mean(1, keepdim=True)) / torch.sqrt(x.var(1, unbiased=False, keepdim=True) + 0.5)
    assert torch.allclose(normalised, by_hand, atol=1e-6)
    assert torch.allclose(scaled, 0.25 * by_hand, atol=1e-6)
    flat = network_module(analyse(spec("[3, 1]", "{type: flatten}", "{type: layernorm}"), "f.yaml", "f").graph)
    y = torch.rand(1, 3, 1)
    assert torch.allclose(flat(y), ((y - y.mean()) / torch.sqrt(y.var(unbiased=False) + 1e-5)).flatten(1), atol=1e-6)


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("positions", [[], [1], [1, 1], [2, 1], [3], [1, 1, 1]])
def test_ns118_fires_where_pytorch_normalises_to_a_constant(channels: int, positions: list[int]) -> None:
    divisors = [g for g in range(1, channels + 1) if channels % g == 0]
    for layer in [{"type": "layernorm"}, *({"type": "groupnorm", "groups": g} for g in divisors)]:
        shape = [channels, *(positions or [1])]
        layers = [layer] if positions else [{"type": "flatten"}, layer]
        text = json.dumps({"input": shape, "layers": layers})
        fires = "NS118" in [d.code for d in lint_text(text, "n.yaml").diagnostics]
        # Distinct values, and their negatives: both normalisations are odd, so the two
        # outputs agree only where each value is normalised alone, to 0 (to within the
        # rounding of its mean, which 1/sqrt(eps) magnifies; otherwise they are about ±1).
        x = torch.arange(1.0, 2 * math.prod(shape) + 1).reshape(2, *shape)
        if not positions:
            x = x.flatten(1)
        with torch.no_grad():
            constant = torch.allclose(run_layer(layer, x)[0], run_layer(layer, -x)[0], atol=0.01)
        assert fires == constant, text


@pytest.mark.parametrize(
    ("shape", "layer", "module", "shift"),
    [
        # The README's layernorm is nn.LayerNorm(C) over each position's channels.
        ([1, 7, 7], "{type: layernorm}", torch.nn.LayerNorm(1), True),
        ([1, 7, 7], "{type: layernorm, bias: false}", torch.nn.LayerNorm(1, bias=False), False),
        (
            [1, 7, 7],
            "{type: layernorm, elementwise_affine: false}",
            torch.nn.LayerNorm(1, elementwise_affine=False),
            False,
        ),
        ([4, 1, 1], "{type: groupnorm, groups: 4}", torch.nn.GroupNorm(4, 4), True),
        ([4, 1, 1], "{type: groupnorm, groups: 4, affine: false}", torch.nn.GroupNorm(4, 4, affine=False), False),
    ],
)
def test_ns118_names_the_constant_pytorch_outputs(
    shape: list[int], layer: str, module: torch.nn.Module, shift: bool
) -> None:
    (d,) = lint_text(spec(str(shape), layer), "n.yaml").diagnostics
    x = torch.randn(2, *shape)
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.fill_(0.5)
        channels_last = isinstance(module, torch.nn.LayerNorm)
        out = module(x.movedim(1, -1)).movedim(-1, 1) if channels_last else module(x)
    # Every output is the shift (0.5 here), or 0 where the layer has none.
    assert torch.allclose(out, torch.full_like(out, 0.5 if shift else 0.0), atol=0.01)
    assert d.message.endswith(f"its output is {'its shift' if shift else '0'}, whatever its input")


@pytest.mark.parametrize(
    ("layer", "key"),
    [
        ({"type": "leaky_relu"}, "negative_slope"),
        ({"type": "elu"}, "alpha"),
        # As torch.full and nn.init.constant_ build it; timm's ones·init would give inf instead.
        ({"type": "layer_scale"}, "init"),
        # nn.LocalResponseNorm keeps its arguments as Python floats: no float32 bound.
        *(({"type": "local_response_norm", "size": 2}, key) for key in ("alpha", "beta", "k")),
    ],
)
def test_float_arguments_are_refused_exactly_where_pytorch_overflows_its_float32(
    layer: dict[str, Any], key: str
) -> None:
    largest = 3.4028234663852886e38  # FLT_MAX, (2 − 2⁻²³)·2¹²⁷
    for value in (largest, math.nextafter(largest, math.inf), -largest, math.nextafter(-largest, -math.inf)):
        mapping = {**layer, key: value}
        text = json.dumps({"input": [2, 3], "layers": [mapping]})
        refused = [d.code for d in lint_text(text, "f.yaml").diagnostics] == ["NS002"]
        assert refused == isinstance(reference([2, 3], [mapping]), Exception), text


def test_export_reshapes_as_torch_does() -> None:
    # A generator's unflatten: 2·3·4 features become a 2×3×4 map, element for element.
    text = spec("[24, 1]", "{type: flatten}", "{type: reshape, shape: [2, -1, 4]}")
    network = network_module(analyse(text, "r.yaml", "r").graph)
    x = torch.rand(1, 24, 1)
    assert torch.equal(network(x), x.reshape(1, 2, 3, 4))


@settings(max_examples=EXAMPLES // 3, deadline=None)
@given(
    size=st.integers(1, 40),
    kernel=st.integers(1, 6),
    stride=st.integers(1, 6),
    dilation=st.integers(1, 4),
    padding=st.integers(0, 4),
    mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
)
# Every position read, but the middle of 3 windows, taps −1 and 1, steps over the one there is.
@example(size=1, kernel=2, stride=1, dilation=2, padding=2, mode="zeros")
def test_ns109_fires_where_a_position_before_the_last_tap_gets_no_gradient(
    size: int, kernel: int, stride: int, dilation: int, padding: int, mode: str
) -> None:
    # Stride 1 too: with fewer outputs than its dilation, a padded layer that keeps its size
    # steps over positions all the same.
    text = spec(
        f"[1, {size}]",
        f"{{type: conv, filters: 1, kernel: {kernel}, stride: {stride}, dilation: {dilation}, "
        f"padding: {padding}, padding_mode: {mode}, bias: false}}",
    )
    result = lint_text(text)
    assume(not any(d.severity == Severity.ERROR and not reads_none(d) for d in result.diagnostics))
    conv = torch.nn.Conv1d(1, 1, kernel, stride=stride, dilation=dilation, padding=padding, padding_mode=mode)
    gradient, out = input_gradient(conv, [size])
    unread = (gradient[0, 0] == 0).tolist()
    # After the last window's last tap, the unread positions are NS101's (dropped by the floor).
    last_tap = (out.shape[-1] - 1) * stride + (kernel - 1) * dilation - padding
    fires = "NS109" in [d.code for d in result.diagnostics]
    if any(unread[: last_tap + 1]):
        assert fires, text
    if fires:
        # Or some window steps over the whole input: its output reads none of it.
        assert any(unread) or outputs_reading_nothing(conv, [size]), text


@settings(max_examples=EXAMPLES // 3, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 9), min_size=2, max_size=2),
    kernel=st.lists(st.integers(1, 3), min_size=2, max_size=2),
    stride=st.lists(st.integers(1, 4), min_size=2, max_size=2),
    dilation=st.lists(st.integers(1, 2), min_size=2, max_size=2),
    padding=st.lists(st.integers(0, 2), min_size=2, max_size=2),
    mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
)
# The one row read, but the middle of 3 row windows, taps −1 and 1, steps over it: no share.
@example(sizes=[1, 5], kernel=[2, 2], stride=[1, 1], dilation=[2, 2], padding=[2, 2], mode="zeros")
# The same along the rows, while the floor drops the last column (NS101): 2/3 read, no share.
@example(sizes=[1, 3], kernel=[2, 2], stride=[1, 2], dilation=[2, 1], padding=[2, 0], mode="zeros")
def test_ns109_share_is_the_share_of_inputs_that_get_a_gradient(
    sizes: list[int], kernel: list[int], stride: list[int], dilation: list[int], padding: list[int], mode: str
) -> None:
    # The share NS109 gives, over both dimensions, edges and copies in the padding included.
    text = spec(
        f"[1, {sizes[0]}, {sizes[1]}]",
        f"{{type: conv, filters: 1, kernel: {kernel}, stride: {stride}, dilation: {dilation}, "
        f"padding: {padding}, padding_mode: {mode}, bias: false}}",
    )
    result = lint_text(text)
    found = [d for d in result.diagnostics if d.code == "NS109"]
    assume(found and not any(d.severity == Severity.ERROR and not reads_none(d) for d in result.diagnostics))
    conv = torch.nn.Conv2d(
        1, 1, kernel, stride=stride, dilation=dilation, padding=padding, padding_mode=mode, bias=False
    )
    gradient, _ = input_gradient(conv, sizes)
    read = Fraction(int((gradient != 0).sum()), math.prod(sizes))
    (d,) = found
    # The share as NS109 writes it, "a/b" with thousands separators and a percentage past 100,
    # or none at all.
    if reads_none(d):
        assert read == 0, (text, d.message)
        return
    shown = re.search(r"reads only ([\d,]+)/([\d,]+)(?: \([\d.]+%\))? of its input$", d.message)
    if shown is None:  # no share: no position is skipped, but some window steps over them all
        assert outputs_reading_nothing(conv, sizes), (text, d.message)
        # What is not read lies past the last window's last tap in a dimension: dropped by
        # the floor, NS101's to report.
        out = conv(torch.zeros(1, 1, *sizes)).shape[2:]
        dims = zip(out, stride, kernel, dilation, padding, strict=True)
        last = [(o - 1) * s + (k - 1) * dl - p for o, s, k, dl, p in dims]
        unread = (gradient[0, 0] == 0).nonzero().tolist()
        assert all(i > last[0] or j > last[1] for i, j in unread), (text, d.message)
        # And NS101 reports them.
        assert not unread or "NS101" in [d.code for d in result.diagnostics], text
        return
    assert Fraction(int(shown[1].replace(",", "")), int(shown[2].replace(",", ""))) == read, (text, d.message)


# Each size within 2³¹ − 1, but their product past what one float32 tensor may hold, 2⁶³ − 1
# bytes: 2,305,843,009,213,693,951 values. The near misses hold 2,305,843,007,066,210,305
# (2³¹ − 1 times 2³⁰ − 1).
_HUGE, _HALF = 2**31 - 1, 2**30 - 1
# The largest N with N² values in one float32 tensor: N² = 2,305,843,006,213,062,001.
_ROOT = 1_518_500_249
# A copy of a 1×1 input padded by P per side holds (1 + 2P)² values: 2,310,400,003,040,000,001
# for 760,000,000, past the limit; 2,304,324,003,036,000,001 for 759,000,000, within it.
_PAST, _WITHIN = 760_000_000, 759_000_000


def _meta(*sizes: int) -> Any:
    return torch.empty(*sizes, device="meta")


def _padded_conv(pad: int, mode: str) -> Any:
    conv = torch.nn.Conv2d(1, 1, 1, stride=10**9, padding=pad, padding_mode=mode, device="meta")
    return conv(_meta(1, 1, 1, 1))


def _conv_line(pad: int | str, mode: str = "zeros") -> str:
    conv = f"{{type: conv, filters: 1, kernel: 1, stride: {10**9}, padding: {pad}, padding_mode: {mode}}}"
    return f"input: [1, 1, 1]\nlayers:\n  - {conv}\n"


@pytest.mark.parametrize(
    ("spec_text", "build"),
    [
        (
            f"input: [1, 3, 3]\nlayers:\n  - {{type: upsample, size: [{_HUGE}, {_HUGE}]}}\n",
            lambda: torch.nn.Upsample(size=(_HUGE, _HUGE))(torch.empty(1, 1, 3, 3, device="meta")),
        ),
        (
            f"input: [1, 3, 3]\nlayers:\n  - {{type: upsample, size: [{_HUGE}, {_HALF}]}}\n",
            lambda: torch.nn.Upsample(size=(_HUGE, _HALF))(torch.empty(1, 1, 3, 3, device="meta")),
        ),
        (
            f"input: [{_HUGE}, 5]\nlayers:\n  - {{type: conv, filters: {_HUGE}, kernel: 3, padding: 1}}\n",
            lambda: torch.nn.Conv1d(_HUGE, _HUGE, 3, padding=1, device="meta"),
        ),
        (
            f"input: [{_HUGE}, 5]\nlayers:\n  - {{type: conv, filters: {_HALF}, kernel: 1}}\n",
            lambda: torch.nn.Conv1d(_HUGE, _HALF, 1, device="meta"),
        ),
        (
            f"input: [{_HUGE}, 1]\nlayers:\n  - {{type: flatten}}\n  - {{type: dense, units: {_HUGE}}}\n",
            lambda: torch.nn.Linear(_HUGE, _HUGE, device="meta"),
        ),
        (
            f"input: [{_HUGE}, {_HUGE}, 2]\nlayers:\n  - {{type: relu}}\n",
            lambda: torch.empty(1, _HUGE, _HUGE, 2, device="meta"),
        ),
        (
            f"input: [{_HUGE}, {_HALF}]\nlayers:\n  - {{type: relu}}\n",
            lambda: torch.empty(1, _HUGE, _HALF, device="meta"),
        ),
        # A copying padding mode pads a copy of the input (F.pad), zeros are padded in place.
        (_conv_line(_PAST, "replicate"), lambda: _padded_conv(_PAST, "replicate")),
        (_conv_line(_WITHIN, "replicate"), lambda: _padded_conv(_WITHIN, "replicate")),
        (_conv_line(_PAST), lambda: _padded_conv(_PAST, "zeros")),
        # Per-side zeros: the conv pads min(before, after) itself, the excess goes first in a
        # copy, (1 + N)² values for N before and none after (N² for N − 1, within the limit).
        (
            _conv_line(f"[[{_ROOT}, 0], [{_ROOT}, 0]]"),
            lambda: torch.nn.functional.pad(_meta(1, 1, 1, 1), (_ROOT, 0, _ROOT, 0)),
        ),
        (
            _conv_line(f"[[{_ROOT - 1}, 0], [{_ROOT - 1}, 0]]"),
            lambda: torch.nn.functional.pad(_meta(1, 1, 1, 1), (_ROOT - 1, 0, _ROOT - 1, 0)),
        ),
        # Alike on both sides, it is the conv's own padding, in no copy: (N − 1 + 2)² values
        # would be too many for one.
        (
            f"input: [1, {_ROOT - 1}, {_ROOT - 1}]\nlayers:\n  - {{type: conv, filters: 1, kernel: 3, "
            "padding: [[1, 1], [1, 1]]}\n",
            lambda: torch.nn.Conv2d(1, 1, 3, padding=1, device="meta")(_meta(1, 1, _ROOT - 1, _ROOT - 1)),
        ),
        # 'same' with an even kernel pads the odd pixel after in a copy: (N + 1)² values.
        (
            f"input: [1, {_ROOT}, {_ROOT}]\nlayers:\n  - {{type: conv, filters: 1, kernel: 2, padding: same}}\n",
            lambda: torch.nn.Conv2d(1, 1, 2, padding="same", device="meta")(_meta(1, 1, _ROOT, _ROOT)),
        ),
        (
            f"input: [1, {_ROOT}, {_ROOT}]\nlayers:\n  - {{type: conv, filters: 1, kernel: 3, padding: same}}\n",
            lambda: torch.nn.Conv2d(1, 1, 3, padding="same", device="meta")(_meta(1, 1, _ROOT, _ROOT)),
        ),
        # Kernel 4 pads 1 before and 2 after: only the odd pixel is copied, (N − 1 + 1)² = N².
        (
            f"input: [1, {_ROOT - 1}, {_ROOT - 1}]\nlayers:\n"
            "  - {type: conv, filters: 1, kernel: 4, padding: same}\n",
            lambda: torch.nn.Conv2d(1, 1, 4, padding="same", device="meta")(_meta(1, 1, _ROOT - 1, _ROOT - 1)),
        ),
        # Local response normalisation pads the squares along the channels, by size − 1 in all:
        # (1 + 2 − 1)·(2³⁰ − 1)² = 2,305,843,004,918,726,658 values fit, (1 + 3 − 1)·… do not.
        (
            f"input: [1, {_HALF}, {_HALF}]\nlayers:\n  - {{type: local_response_norm, size: 3}}\n",
            lambda: torch.nn.LocalResponseNorm(3)(_meta(1, 1, _HALF, _HALF)),
        ),
        (
            f"input: [1, {_HALF}, {_HALF}]\nlayers:\n  - {{type: local_response_norm, size: 2}}\n",
            lambda: torch.nn.LocalResponseNorm(2)(_meta(1, 1, _HALF, _HALF)),
        ),
        # Max pooling keeps the index of each maximum, in int64: at most (2⁶³ − 1)//8 =
        # 1,152,921,504,606,846,975 of them. 2·(2³⁰ − 1)² = 2,305,843,004,918,726,658 are too
        # many; (2³⁰ − 1)² = 1,152,921,502,459,363,329 are not. Average pooling keeps none.
        (
            f"input: [2, {_HALF}, {_HALF}]\nlayers:\n  - {{type: maxpool, kernel: 1}}\n",
            lambda: torch.nn.MaxPool2d(1)(_meta(1, 2, _HALF, _HALF)),
        ),
        (
            f"input: [1, {_HALF}, {_HALF}]\nlayers:\n  - {{type: maxpool, kernel: 1}}\n",
            lambda: torch.nn.MaxPool2d(1)(_meta(1, 1, _HALF, _HALF)),
        ),
        (
            f"input: [2, {_HALF}, {_HALF}]\nlayers:\n  - {{type: avgpool, kernel: 1}}\n",
            lambda: torch.nn.AvgPool2d(1)(_meta(1, 2, _HALF, _HALF)),
        ),
        (
            f"input: [2, {_HALF}, {_HALF}]\nlayers:\n  - {{type: adaptive_maxpool, output_size: {_HALF}}}\n",
            lambda: torch.nn.AdaptiveMaxPool2d(_HALF)(_meta(1, 2, _HALF, _HALF)),
        ),
        (
            f"input: [1, {_HALF}, {_HALF}]\nlayers:\n  - {{type: adaptive_maxpool, output_size: {_HALF}}}\n",
            lambda: torch.nn.AdaptiveMaxPool2d(_HALF)(_meta(1, 1, _HALF, _HALF)),
        ),
        # A pool's per-side padding: the excess after is an explicit pad, (N + 1)² values.
        (
            f"input: [1, {_ROOT}, {_ROOT}]\nlayers:\n  - {{type: avgpool, kernel: 2, padding: [[0, 1], [0, 1]]}}\n",
            lambda: torch.nn.functional.pad(_meta(1, 1, _ROOT, _ROOT), (0, 1, 0, 1)),
        ),
        (
            f"input: [1, {_ROOT}, {_ROOT}]\nlayers:\n  - {{type: avgpool, kernel: 2, padding: 1}}\n",
            lambda: torch.nn.AvgPool2d(2, padding=1)(_meta(1, 1, _ROOT, _ROOT)),
        ),
    ],
)
def test_a_tensor_pytorch_cannot_allocate_is_refused(spec_text: str, build: Any) -> None:
    # On the meta device, which allocates nothing, PyTorch still refuses such a tensor.
    try:
        build()
        refused = False
    except RuntimeError as error:
        assert "Storage size calculation overflowed" in str(error)
        refused = True
    messages = [d.message for d in lint_text(spec_text).diagnostics if d.code == "NS002"]
    assert bool(messages) is refused
    limits = (
        "a float32 tensor holds at most 2,305,843,009,213,693,951",
        "an int64 tensor holds at most 1,152,921,504,606,846,975",
    )
    assert all(m.endswith(limits) for m in messages)
