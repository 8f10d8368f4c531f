"""Build a ``torch.nn.Module`` from a checked spec: one module per layer, and a graph module
that runs the ``from`` graph (``add``/``concat`` included).

Needs the optional extra: ``pip install netspec[torch]``. torch is imported inside the
functions, so that checking a spec never pays for it.

Each layer maps to the PyTorch module of the same arithmetic. Where PyTorch has no direct
equivalent, the mapping is:

- per-side conv padding: an explicit pad of the conv's ``padding_mode`` (``nn.ConstantPadNd``
  for zeros) before a padding-0 conv;
- per-side pooling padding: the pool's own symmetric padding min(before, after), after an
  explicit pad of the excess (−∞ for max-pooling, so that it is never the maximum; 0 for
  average pooling, which counts padding in its divisor by default, and without
  ``count_include_pad`` divides by the input values of each window instead). This gives ATen's
  output size (``pooling_output_shape_pad_lr``) except in ``ceil_mode`` with more padding
  after than before. PyTorch's checks do not see the explicit pad, so netspec's checks, which
  apply PyTorch's to each side, decide: :func:`layer_module` refuses what netspec rejects;
- ``crop``: a centre crop; ``pad``: the padding module of its mode (``nn.ReflectionPad2d``…);
- ``layernorm`` on a map: ``nn.LayerNorm`` over each position's channels, as ConvNeXt's
  ``LayerNorm2d``; ``layer_scale``: a parameter of one scale per channel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from netspec.graph import Graph
from netspec.layers import LayerBase, LayerError, Shape
from netspec.layers.arithmetic import Pads, split_pool_padding
from netspec.layers.base import per_side_padding
from netspec.layers.channels import ChannelShuffle, Slice
from netspec.layers.conv import Conv, ConvTranspose
from netspec.layers.dense import Dense, Flatten, Reshape
from netspec.layers.merge import Add, Concat, Multiply
from netspec.layers.neutral import (
    ActivationLayer,
    BatchNorm,
    Dropout,
    GroupNorm,
    InstanceNorm,
    LayerNorm,
    LayerScale,
    LocalResponseNorm,
    PReLU,
)
from netspec.layers.pool import AdaptiveAvgPool, AdaptiveMaxPool, AvgPool, MaxPool, Pool
from netspec.layers.resize import Crop, Pad, PixelShuffle, Upsample

if TYPE_CHECKING:
    from torch import nn


#: netspec's activation types → ``torch.nn`` class names.
ACTIVATION_MODULES = {
    "relu": "ReLU",
    "relu6": "ReLU6",
    "leaky_relu": "LeakyReLU",
    "elu": "ELU",
    "selu": "SELU",
    "sigmoid": "Sigmoid",
    "hardsigmoid": "Hardsigmoid",
    "tanh": "Tanh",
    "gelu": "GELU",
    "silu": "SiLU",
    "hardswish": "Hardswish",
    "mish": "Mish",
    "identity": "Identity",
}


_T = TypeVar("_T")


class UnsupportedLayer(ValueError):
    """The layer has no PyTorch equivalent with the same arithmetic."""


def _value(value: Any) -> Any:
    """A spec value as PyTorch takes it: lists become tuples, as ``nn`` modules expect."""
    return tuple(value) if isinstance(value, list) else value


def _pad_argument(pads: Sequence[Pads]) -> tuple[int, ...]:
    """(before, after) per spatial dimension → ``F.pad`` order, which starts at the last one."""
    return tuple(side for before, after in reversed(pads) for side in (before, after))


def _nd(name: str, rank: int) -> Callable[..., nn.Module]:
    """``nn.Conv2d`` from ("Conv", 2); PyTorch names its modules by spatial rank."""
    from torch import nn

    if not 1 <= rank <= 3:
        raise UnsupportedLayer(f"{name} needs 1 to 3 spatial dimensions, not {rank}")
    module: Callable[..., nn.Module] = getattr(nn, f"{name}{rank}d")
    return module


#: PyTorch's padding module for each padding mode, under a convolution's names for them.
_PAD_MODULES = {
    "zeros": "ConstantPad",
    "reflect": "ReflectionPad",
    "replicate": "ReplicationPad",
    "circular": "CircularPad",
}


def _padded(rank: int, pads: Sequence[Pads], module: nn.Module, fill: float = 0.0, mode: str = "zeros") -> nn.Module:
    from torch import nn

    if not any(before or after for before, after in pads):
        return module
    fills = (fill,) if mode == "zeros" else ()
    return nn.Sequential(_nd(_PAD_MODULES[mode], rank)(_pad_argument(pads), *fills), module)


def _conv(layer: Conv, shape: Shape) -> nn.Module:
    rank = len(shape) - 1
    in_channels = layer.in_channels or shape[0]
    sided = per_side_padding(layer.padding)
    padding = 0 if sided else _value(layer.padding)
    module: nn.Module = _nd("Conv", rank)(
        in_channels,
        layer.filters,
        _value(layer.kernel),
        stride=_value(layer.stride),
        padding=padding,
        dilation=_value(layer.dilation),
        groups=layer.groups,
        bias=layer.bias,
        padding_mode=layer.padding_mode,
    )
    if not sided:
        return module
    # PyTorch's convolutions pad both sides alike: uneven padding goes in a module of its own.
    return _padded(rank, layer.per_side("padding", rank), module, mode=layer.padding_mode)


def _conv_transpose(layer: ConvTranspose, shape: Shape) -> nn.Module:
    module: nn.Module = _nd("ConvTranspose", len(shape) - 1)(
        shape[0],
        layer.filters,
        _value(layer.kernel),
        stride=_value(layer.stride),
        padding=_value(layer.padding),
        output_padding=_value(layer.output_padding),
        groups=layer.groups,
        bias=layer.bias,
        dilation=_value(layer.dilation),
    )
    return module


def _checked(check: Callable[[list[Shape]], _T], layer: LayerBase, shape: Shape) -> _T:
    """``check([shape])``, where netspec's rules decide what PyTorch cannot see: a
    :class:`LayerError` becomes :class:`UnsupportedLayer`."""
    try:
        return check([shape])
    except LayerError as error:
        raise UnsupportedLayer(f"{layer.type}: {error.message}") from None


def _pool(layer: Pool, shape: Shape) -> nn.Module:
    from netspec import _torch_modules as custom

    rank = len(shape) - 1
    options: dict[str, Any] = {"stride": _value(layer.stride), "ceil_mode": layer.ceil_mode}
    if isinstance(layer, MaxPool):
        options["dilation"] = _value(layer.dilation)
    if isinstance(layer, AvgPool):
        options["count_include_pad"] = layer.count_include_pad
        if layer.divisor_override is not None:
            # Only then: AvgPool1d takes no such argument, and raises on it as netspec does (NS115).
            options["divisor_override"] = layer.divisor_override
    name = "MaxPool" if isinstance(layer, MaxPool) else "AvgPool"
    if not per_side_padding(layer.padding):
        return _nd(name, rank)(_value(layer.kernel), padding=_value(layer.padding), **options)
    # The explicit pad escapes PyTorch's checks of its own padding (P ≤ F//2, and AvgPool3d's
    # input ≥ kernel), so netspec's rules for per-side padding, which apply them to each
    # side, decide here; they also refuse the one ceil_mode case this mapping cannot match.
    windows, _ = _checked(layer.windows_and_output, layer, shape)
    splits = [split_pool_padding(w) for w in windows]
    pool = _nd(name, rank)(_value(layer.kernel), padding=tuple(native for native, _ in splits), **options)
    fill = float("-inf") if isinstance(layer, MaxPool) else 0.0
    padded = _padded(rank, [extra for _, extra in splits], pool, fill)
    if isinstance(layer, AvgPool) and not layer.count_include_pad and layer.divisor_override is None:
        # The pool would count the explicit pad as input.
        return custom.InputMean(padded)
    return padded


def _upsample(layer: Upsample) -> nn.Module:
    from torch import nn

    if layer.size is not None:
        return nn.Upsample(size=_value(layer.size), mode=layer.mode, align_corners=layer.align_corners)
    return nn.Upsample(scale_factor=layer.scale, mode=layer.mode, align_corners=layer.align_corners)


def layer_module(layer: LayerBase, inputs: Sequence[Shape]) -> nn.Module:
    """The PyTorch module for one layer, given its input shapes (channels first, no batch),
    followed by the activation that conv, conv_transpose and dense layers may name.

    PyTorch's own checks run here and in the forward pass, so that the module raises exactly
    where PyTorch does; only per-side pooling padding, which PyTorch cannot check, is checked
    by netspec (see the module's documentation).
    """
    return _with_activation(layer, _bare_module(layer, inputs))


def _bare_module(layer: LayerBase, inputs: Sequence[Shape]) -> nn.Module:
    from torch import nn

    from netspec import _torch_modules as custom

    if isinstance(layer, Add):
        return custom.Add()
    if isinstance(layer, Multiply):
        return custom.Multiply()
    if isinstance(layer, Concat):
        return custom.Concat()
    (shape,) = inputs
    rank = len(shape) - 1
    if isinstance(layer, Conv):
        return _conv(layer, shape)
    if isinstance(layer, ConvTranspose):
        return _conv_transpose(layer, shape)
    if isinstance(layer, MaxPool | AvgPool):
        return _pool(layer, shape)
    if isinstance(layer, AdaptiveAvgPool | AdaptiveMaxPool):
        name = "AdaptiveAvgPool" if isinstance(layer, AdaptiveAvgPool) else "AdaptiveMaxPool"
        return _nd(name, rank)(_value(layer.output_size))
    if isinstance(layer, Upsample):
        return _upsample(layer)
    if isinstance(layer, PixelShuffle):
        # nn.PixelShuffle takes the last three dimensions, whatever they hold.
        _checked(layer.output_shape, layer, shape)
        return nn.PixelShuffle(layer.scale)
    if isinstance(layer, Crop):
        return custom.CenterCrop(layer.per_dimension("size", rank))
    if isinstance(layer, Slice):
        return custom.ChannelSlice(layer.start, layer.stop)
    if isinstance(layer, ChannelShuffle):
        return nn.ChannelShuffle(layer.groups)
    if isinstance(layer, Pad):
        return _padded(rank, layer.per_side("padding", rank), nn.Identity(), mode=layer.padding_mode)
    if isinstance(layer, Flatten):
        return nn.Flatten()
    if isinstance(layer, Reshape):
        return custom.Reshape(layer.shape)
    if isinstance(layer, Dense):
        return nn.Linear(layer.in_features or shape[-1], layer.units, bias=layer.bias)
    if isinstance(layer, BatchNorm | InstanceNorm):
        name = "BatchNorm"
        if isinstance(layer, InstanceNorm):
            # PyTorch would take a flat [N] for one channel of N positions: netspec refuses it.
            _checked(layer.output_shape, layer, shape)
            name = "InstanceNorm"
        # A flat [C] input is BatchNorm1d's (N, C) form.
        return _nd(name, max(rank, 1))(
            shape[0],
            eps=layer.eps,
            momentum=layer.momentum,
            affine=layer.affine,
            track_running_stats=layer.track_running_stats,
        )
    if isinstance(layer, GroupNorm):
        return nn.GroupNorm(layer.groups, shape[0], eps=layer.eps, affine=layer.affine)
    if isinstance(layer, LayerNorm):
        norm = nn.LayerNorm if rank == 0 else custom.ChannelLayerNorm
        return norm(shape[0], eps=layer.eps, elementwise_affine=layer.elementwise_affine, bias=layer.bias)
    if isinstance(layer, LayerScale):
        return custom.LayerScale(shape, layer.init)
    if isinstance(layer, PReLU):
        return nn.PReLU(layer.num_parameters)
    if isinstance(layer, Dropout):
        rate = 0.5 if layer.rate is None else layer.rate
        # Dropout1d/2d/3d; on a flat input, refused as netspec refuses it (NS115).
        return _nd("Dropout", rank)(rate) if layer.whole_channels else nn.Dropout(rate)
    if isinstance(layer, LocalResponseNorm):
        return nn.LocalResponseNorm(layer.size, alpha=layer.alpha, beta=layer.beta, k=layer.k)
    if isinstance(layer, ActivationLayer):
        return _activation(layer.type, layer.arguments())
    raise UnsupportedLayer(f"no PyTorch module for layer type '{layer.type}'")


def _activation(name: str, arguments: dict[str, Any] | None = None) -> nn.Module:
    """The module of an activation type, which validation has made one of them, with its
    arguments (PyTorch's defaults without)."""
    from torch import nn

    if name == "softmax":
        # Over the channels, which are dimension 1 with the batch in front.
        return nn.Softmax(dim=1)
    module: nn.Module = getattr(nn, ACTIVATION_MODULES[name])(**(arguments or {}))
    return module


def _with_activation(layer: LayerBase, module: nn.Module) -> nn.Module:
    """The layer's module, followed by the activation its ``activation`` key names."""
    from torch import nn

    name = getattr(layer, "activation", None)
    return module if name is None else nn.Sequential(module, _activation(name))


def network_module(graph: Graph) -> nn.Module:
    """The whole spec as one module that returns the spec's output (a tuple of them when
    ``outputs`` lists several), and whose ``outputs(x)`` gives every layer's output.

    The graph must have propagated without errors: each layer is built from its input shapes.
    Otherwise :class:`UnsupportedLayer` says what to fix first.
    """
    from netspec import _torch_modules as custom

    if graph.input is None:
        raise UnsupportedLayer("the spec's input has errors; fix them before exporting")
    if not graph.nodes:
        raise UnsupportedLayer("the spec has no layers to export")
    # The first layer at fault, as the check lists them: a reference or name problem says more
    # than that the layer has errors.
    problems = {problem.index: problem.message for problem in reversed(graph.problems)}
    if None in problems:
        raise UnsupportedLayer(f"{problems[None]}; fix it before exporting")
    if graph.outputs is None:
        raise UnsupportedLayer("the spec's `outputs` has errors; fix them before exporting")
    layers = []
    for node in graph.nodes:
        if node.index in problems:
            raise UnsupportedLayer(f"layer {node.index + 1}: {problems[node.index]}; fix it before exporting")
        if node.layer is None or node.inputs is None or node.output is None:
            raise UnsupportedLayer(f"layer '{node.name}' has errors; fix them before exporting")
        layers.append(layer_module(node.layer, node.inputs))
    return custom.Network([n.name for n in graph.nodes], layers, [n.sources for n in graph.nodes], graph.outputs)
