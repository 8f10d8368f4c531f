"""Build a ``torch.nn.Module`` from a checked spec: one module per layer, and a graph module
that runs the ``from`` graph (``add``/``concat`` included).

Needs the optional extra ``torch`` (``pip install '.[torch]'`` in a clone). torch is imported
inside the functions, so that checking a spec never pays for it.

Each layer model builds the PyTorch module of the same arithmetic (``torch_module``), with the
helpers here. Where PyTorch has no direct equivalent, the mapping is:

- per-side conv padding: in zeros mode, the conv's own symmetric padding min(before, after),
  after an explicit zero pad of the excess (``nn.ConstantPadNd``), so that no more is copied
  than must be; in a copying mode, an explicit pad of all of it before a padding-0 conv, as a
  copy of a copy's edge would not be a copy of the input's;
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

from netspec.layers.arithmetic import Pads
from netspec.layers.base import LayerBase, LayerError, Shape
from netspec.layers.neutral import ACTIVATION_CLASSES, ACTIVATION_TYPES
from netspec.text import cut

if TYPE_CHECKING:
    from torch import nn

    from netspec.graph import Graph


_T = TypeVar("_T")


class UnsupportedLayer(ValueError):
    """The layer has no PyTorch equivalent with the same arithmetic."""


def _pad_argument(pads: Sequence[Pads]) -> tuple[int, ...]:
    """(before, after) per spatial dimension → ``F.pad`` order, which starts at the last one."""
    return tuple(side for before, after in reversed(pads) for side in (before, after))


def nd(name: str, rank: int) -> Callable[..., nn.Module]:
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


def padded(rank: int, pads: Sequence[Pads], module: nn.Module, fill: float = 0.0, mode: str = "zeros") -> nn.Module:
    """``module`` after an explicit pad of ``pads`` in a convolution's padding ``mode`` (zeros
    mode fills with ``fill``); ``module`` alone where there is nothing to pad."""
    from torch import nn

    if not any(before or after for before, after in pads):
        return module
    fills = (fill,) if mode == "zeros" else ()
    return nn.Sequential(nd(_PAD_MODULES[mode], rank)(_pad_argument(pads), *fills), module)


def checked(check: Callable[[list[Shape]], _T], layer: LayerBase, shape: Shape) -> _T:
    """``check([shape])``, where netspec's rules decide what PyTorch cannot see: a
    :class:`LayerError` becomes :class:`UnsupportedLayer`."""
    try:
        return check([shape])
    except LayerError as error:
        raise UnsupportedLayer(f"{layer.type}: {error.message}") from None


def layer_module(layer: LayerBase, inputs: Sequence[Shape]) -> nn.Module:
    """The PyTorch module for one layer, given its input shapes (channels first, no batch),
    followed by the activation that conv, conv_transpose and dense layers may name.

    PyTorch's own checks run here and in the forward pass, so that the module raises exactly
    where PyTorch does; only per-side pooling padding, which PyTorch cannot check, is checked
    by netspec (see the module's documentation).
    """
    return _with_activation(layer, layer.torch_module(inputs))


def activation_module(name: str, arguments: dict[str, Any] | None = None) -> nn.Module:
    """The module of an activation type, with its arguments (PyTorch's defaults without)."""
    from torch import nn

    if name == "softmax":
        # Over the channels, which are dimension 1 with the batch in front.
        arguments = {"dim": 1}
    module: nn.Module = getattr(nn, ACTIVATION_CLASSES[name])(**(arguments or {}))
    return module


def _with_activation(layer: LayerBase, module: nn.Module) -> nn.Module:
    """The layer's module, followed by the activation its ``activation`` key names."""
    from torch import nn

    name = getattr(layer, "activation", None)
    if name is None:
        return module
    if name not in ACTIVATION_TYPES:
        # Documentation to the check, in any words (NS119 reports them).
        raise UnsupportedLayer(f"{layer.type}: `activation: {cut(name)}` is not an activation type (NS119)")
    return nn.Sequential(module, activation_module(name))


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
        built_without = [key for key in node.defaulted if key not in node.layer.checking_keys]
        if built_without:
            # Built with the defaults instead, it would be another network than the spec's.
            keys = ", ".join(f"`{key}`" for key in built_without)
            raise UnsupportedLayer(f"layer '{node.name}' has an invalid {keys} (NS002); fix it before exporting")
        layers.append(layer_module(node.layer, node.inputs))
    return custom.Network([n.name for n in graph.nodes], layers, [n.sources for n in graph.nodes], graph.outputs)
