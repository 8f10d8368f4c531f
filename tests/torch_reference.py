"""A PyTorch reference built from a layer's YAML mapping, not from netspec's parsed layers.

netspec's own export (``netspec.torch_export``) starts from the layers netspec parsed, so a
parsing mistake (a wrong default, a key read as another) would reach PyTorch too, and the
two would agree. This reference reads the mapping itself, with the defaults and semantics
the README documents, so that what PyTorch computes here owes nothing to netspec's code.

Per-side pooling padding has no PyTorch form: it runs as the README says (the pool's own
symmetric padding min(before, after) after an explicit pad of the excess), under the limits
the README states for it, which PyTorch cannot check through the explicit pad: at most
F // 2 on a side, a 3-D average pool's input at least the kernel, and in ``ceil_mode`` the
size ATen's two-sided formula gives.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn import functional

ACTIVATION_MODULES = {
    "relu": nn.ReLU,
    "relu6": nn.ReLU6,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "selu": nn.SELU,
    "sigmoid": nn.Sigmoid,
    "hardsigmoid": nn.Hardsigmoid,
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "hardswish": nn.Hardswish,
    "mish": nn.Mish,
    "identity": nn.Identity,
}


class Refused(Exception):
    """Where the documented semantics have no PyTorch run: an error, as where PyTorch raises."""


def per_dimension(value: Any, rank: int) -> list[int]:
    return [value] * rank if isinstance(value, int) else list(value)


def per_side(value: Any, rank: int) -> list[tuple[int, int]]:
    if isinstance(value, int):
        return [(value, value)] * rank
    return [(v, v) if isinstance(v, int) else (v[0], v[1]) for v in value]


def pad_argument(sides: Sequence[tuple[int, int]]) -> list[int]:
    """(before, after) per spatial dimension in ``F.pad`` order, which starts at the last one."""
    return [side for before, after in reversed(sides) for side in (before, after)]


def module(cls: str, rank: int) -> Any:
    if not 1 <= rank <= 3:
        raise Refused(f"{cls} on {rank} spatial dimensions")
    return getattr(nn, f"{cls}{rank}d")


def aten_pool_size(size: int, kernel: int, before: int, after: int, stride: int, dilation: int, ceil: bool) -> int:
    """ATen's ``pooling_output_shape_pad_lr``: the last window must start inside the input or
    the left padding."""
    span = size + before + after - dilation * (kernel - 1) - 1 + (stride - 1 if ceil else 0)
    out = span // stride + 1
    if ceil and (out - 1) * stride >= size + before:
        out -= 1
    return out


def pool(layer: dict[str, Any], x: Tensor) -> Tensor:
    rank = x.dim() - 2
    kernel = per_dimension(layer["kernel"], rank)
    stride = per_dimension(layer["stride"], rank) if "stride" in layer else kernel
    dilation = per_dimension(layer.get("dilation", 1), rank)
    sides = per_side(layer.get("padding", 0), rank)
    ceil = layer.get("ceil_mode", False)
    maximum = layer["type"] == "maxpool"
    options: dict[str, Any] = {"stride": stride, "ceil_mode": ceil}
    if maximum:
        options["dilation"] = dilation
    # Passed only when given: AvgPool1d refuses a divisor_override.
    options |= {key: layer[key] for key in ("count_include_pad", "divisor_override") if key in layer}
    cls = module("MaxPool" if maximum else "AvgPool", rank)
    if all(before == after for before, after in sides):
        return cls(kernel, padding=[before for before, _ in sides], **options)(x)
    if any(max(side) > k // 2 for side, k in zip(sides, kernel, strict=True)):
        raise Refused("per-side pooling padding over F // 2")
    if not maximum and rank == 3 and any(s < k for s, k in zip(x.shape[2:], kernel, strict=True)):
        raise Refused("3-D average pooling of an input smaller than the kernel")
    unpadded = list(x.shape[2:])
    native = [min(side) for side in sides]
    excess = [(before - n, after - n) for (before, after), n in zip(sides, native, strict=True)]
    x = functional.pad(x, pad_argument(excess), value=float("-inf") if maximum else 0.0)
    out = cls(kernel, padding=native, **options)(x)
    dilations = dilation if maximum else [1] * rank
    aten = [
        aten_pool_size(size, k, before, after, s, d, ceil)
        for size, k, (before, after), s, d in zip(unpadded, kernel, sides, stride, dilations, strict=True)
    ]
    if list(out.shape[2:]) != aten:
        raise Refused("ceil_mode with more padding after than before: ATen's size differs")
    return out


def run_layer(layer: dict[str, Any], x: Tensor) -> tuple[Tensor, int]:
    """One layer's output and parameter count; raises where PyTorch (or the README) refuses."""
    kind = layer["type"]
    rank = x.dim() - 2
    built: nn.Module | None = None
    # A module applied by hand below, whose parameters count too.
    weights: nn.Module | None = None
    if kind == "conv":
        padding = layer.get("padding", 0)
        sided = isinstance(padding, list) and any(isinstance(v, list) for v in padding)
        padding_mode = layer.get("padding_mode", "zeros")
        if sided:
            # F.pad names the zeros mode 'constant'.
            mode = "constant" if padding_mode == "zeros" else padding_mode
            x = functional.pad(x, pad_argument(per_side(padding, rank)), mode=mode)
        built = module("Conv", rank)(
            layer.get("in_channels", x.shape[1]),
            layer["filters"],
            per_dimension(layer["kernel"], rank),
            stride=per_dimension(layer.get("stride", 1), rank),
            padding=0 if sided else padding if isinstance(padding, (int, str)) else list(padding),
            dilation=per_dimension(layer.get("dilation", 1), rank),
            groups=layer.get("groups", 1),
            bias=layer.get("bias", True),
            padding_mode=padding_mode,
        )
    elif kind == "conv_transpose":
        built = module("ConvTranspose", rank)(
            x.shape[1],
            layer["filters"],
            per_dimension(layer["kernel"], rank),
            stride=per_dimension(layer.get("stride", 1), rank),
            padding=per_dimension(layer.get("padding", 0), rank),
            output_padding=per_dimension(layer.get("output_padding", 0), rank),
            groups=layer.get("groups", 1),
            bias=layer.get("bias", True),
            dilation=per_dimension(layer.get("dilation", 1), rank),
        )
    elif kind in ("maxpool", "avgpool"):
        out = pool(layer, x)
    elif kind in ("adaptive_avgpool", "adaptive_maxpool"):
        cls = module("AdaptiveAvgPool" if kind == "adaptive_avgpool" else "AdaptiveMaxPool", rank)
        out = cls(per_dimension(layer["output_size"], rank))(x)
    elif kind == "upsample":
        how = {"mode": layer.get("mode", "nearest"), "align_corners": layer.get("align_corners")}
        if "size" in layer:
            out = nn.Upsample(size=per_dimension(layer["size"], rank), **how)(x)
        else:
            out = nn.Upsample(scale_factor=layer["scale"], **how)(x)
    elif kind == "crop":
        want = per_dimension(layer["size"], rank)
        if any(w > have for w, have in zip(want, x.shape[2:], strict=True)):
            raise Refused("a crop larger than its input")
        for dim, (have, w) in enumerate(zip(x.shape[2:], want, strict=True), start=2):
            x = x.narrow(dim, (have - w) // 2, w)
        out = x
    elif kind == "pad":
        out = functional.pad(x, pad_argument(per_side(layer["padding"], rank)), mode=layer.get("mode", "constant"))
    elif kind == "reshape":
        out = x.reshape(1, *layer["shape"])
    elif kind == "flatten":
        out = torch.flatten(x, 1)
    elif kind == "dense":
        built = nn.Linear(layer.get("in_features", x.shape[-1]), layer["units"], bias=layer.get("bias", True))
    elif kind in ("batchnorm", "instancenorm"):
        # PyTorch's defaults: batchnorm learns and tracks, instancenorm neither. A flat [C] is
        # BatchNorm1d's (N, C); not instancenorm's, as InstanceNorm1d would take the (1, N) of a
        # flat [N] for one channel of N positions, which the README refuses.
        batch = kind == "batchnorm"
        built = module("BatchNorm" if batch else "InstanceNorm", max(rank, 1) if batch else rank)(
            x.shape[1],
            eps=layer.get("eps", 1e-5),
            momentum=layer.get("momentum", 0.1),
            affine=layer.get("affine", batch),
            track_running_stats=layer.get("track_running_stats", batch),
        )
    elif kind == "groupnorm":
        built = nn.GroupNorm(layer["groups"], x.shape[1], eps=layer.get("eps", 1e-5), affine=layer.get("affine", True))
    elif kind == "layernorm":
        # Each position's channels: channels last, as ConvNeXt's LayerNorm2d permutes them.
        weights = nn.LayerNorm(
            x.shape[1],
            eps=layer.get("eps", 1e-5),
            elementwise_affine=layer.get("elementwise_affine", True),
            bias=layer.get("bias", True),
        )
        out = weights(x.movedim(1, -1)).movedim(-1, 1)
    elif kind == "layer_scale":
        # A scale per channel is a depthwise 1×1 convolution without bias.
        weights = nn.Conv1d(x.shape[1], x.shape[1], 1, groups=x.shape[1], bias=False)
        nn.init.constant_(weights.weight, layer.get("init", 1e-6))
        out = weights(x.reshape(1, x.shape[1], -1)).reshape(x.shape)
    elif kind == "slice":
        if "start" not in layer and "stop" not in layer:
            raise Refused("a slice without bounds, which takes every channel")
        stop = layer.get("stop")
        if stop is not None and stop > x.shape[1]:
            raise Refused("a slice past the channels, which Python's slicing clamps silently")
        out = x[:, layer.get("start", 0) : stop]
    elif kind == "channel_shuffle":
        out = nn.ChannelShuffle(layer["groups"])(x)
    elif kind == "pixel_shuffle":
        if rank != 2:
            raise Refused("pixel_shuffle on other than 2 spatial dimensions")
        out = nn.PixelShuffle(layer["scale"])(x)
    elif kind == "prelu":
        built = nn.PReLU(layer.get("num_parameters", 1))
    elif kind == "softmax":
        out = nn.Softmax(dim=1)(x)
    elif kind == "dropout":
        # Dropout1d would take a flat (1, N) for an unbatched [C, L]: the README refuses it.
        cls = module("Dropout", rank) if layer.get("whole_channels") else nn.Dropout
        out = cls(layer.get("rate", 0.5)).eval()(x)
    elif kind == "local_response_norm":
        arguments = {key: layer[key] for key in ("alpha", "beta", "k") if key in layer}
        out = nn.LocalResponseNorm(layer["size"], **arguments)(x)
    else:
        # The README names the keys of leaky_relu, elu and gelu after PyTorch's arguments.
        arguments = {key: layer[key] for key in ("negative_slope", "alpha", "approximate") if key in layer}
        out = ACTIVATION_MODULES[kind](**arguments)(x)
    if built is not None:
        out = built.eval()(x)
    activation = layer.get("activation")
    if activation:
        out = nn.Softmax(dim=1)(out) if activation == "softmax" else ACTIVATION_MODULES[activation]()(out)
    if out.numel() == 0:
        # Documented in NS103: a grouped conv_transpose or an area upsample whose output size
        # is exactly 0 returns an empty tensor for a batch of one, instead of raising.
        raise Refused(f"empty output {tuple(out.shape)}")
    parameters = sum(p.numel() for counted in (built, weights) if counted is not None for p in counted.parameters())
    return out, parameters


def run_stack(input_shape: Sequence[int], layers: Sequence[dict[str, Any]]) -> tuple[tuple[int, ...], int]:
    """The last layer's output shape (batch left out) and parameter count, for a chain of
    layers each reading the one before."""
    x = torch.zeros(1, *input_shape)
    parameters = 0
    with torch.no_grad():
        for layer in layers:
            x, parameters = run_layer(layer, x)
    return tuple(x.shape[1:]), parameters


def run_graph(spec: dict[str, Any]) -> list[tuple[tuple[int, ...], int]]:
    """Each layer's output shape (batch left out) and parameter count, for a spec's graph read
    from its mapping as the README documents it: a layer reads the one before it (the input
    for the first), or what its ``from`` names, ``input`` or a layer by its name, whose
    default is the type and the 1-based position; ``add``, ``multiply`` and ``concat`` join
    their inputs as PyTorch's ``+``, ``*`` and ``torch.cat`` along the channels do."""
    merges = {"add": torch.add, "multiply": torch.mul}
    previous = torch.zeros(1, *spec["input"])
    outputs = {"input": previous}
    found = []
    with torch.no_grad():
        for position, layer in enumerate(spec["layers"], start=1):
            sources = layer.get("from")
            if layer["type"] in (*merges, "concat"):
                joined = [outputs[source] for source in sources]
                out = (
                    torch.cat(joined, dim=1)
                    if layer["type"] == "concat"
                    else functools.reduce(merges[layer["type"]], joined)
                )
                parameters = 0
            else:
                source = previous if sources is None else outputs[sources]
                out, parameters = run_layer(layer, source)
            outputs[layer.get("name") or f"{layer['type']}{position}"] = previous = out
            found.append((tuple(out.shape[1:]), parameters))
    return found


__all__ = ["Refused", "run_graph", "run_layer", "run_stack"]
