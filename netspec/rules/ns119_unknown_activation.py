"""A layer's `activation` is not one of the activation types.

## What it does
Reports a `conv`, `conv_transpose` or `dense` layer whose `activation` names none of the
activation layer types (`relu`, `relu6`, `selu`, `sigmoid`, `hardsigmoid`, `tanh`, `silu`,
`hardswish`, `mish`, `softmax`, `identity`, `leaky_relu`, `elu`, `gelu`), with the close one
where there is one. Not selected by default: to the check, `activation` is
documentation, since it changes no shape, and a spec may name its activations in another
framework's words (`swish`, `linear`, `leaky`).

## Why is this bad?
A misspelt activation (`rellu`) passes unnoticed, and the PyTorch export
(`netspec.torch_export`), which builds the activation types, refuses the layer. Select this
rule where a spec's activations are meant to be PyTorch's.

## Example
```yaml
input: [3, 32, 32]
layers:
  - {type: conv, filters: 16, kernel: 3, padding: 1, activation: rellu}
```

## Fix
No automatic fix: write the activation type meant (`relu`). A `prelu` learns its slopes, and
a normalisation is not an activation: add it as a layer of its own after this one.
"""

from collections.abc import Iterator

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.layers import LAYER_TYPES
from netspec.layers.neutral import ACTIVATION_TYPES, Neutral
from netspec.rules.base import Rule, Violation
from netspec.source import interpolation_hint
from netspec.spec import GELU_TANH_NAMES, flow_layer, shown, suggest


def check(analysis: Analysis) -> Iterator[Violation]:
    for node in analysis.graph.nodes:
        activation = getattr(node.layer, "activation", None)
        if activation is None or activation in ACTIVATION_TYPES:
            continue
        if activation in LAYER_TYPES and issubclass(LAYER_TYPES[activation], Neutral):
            hint = f"; {activation} is a layer type, not an activation: add `{flow_layer(activation)}` after this layer"
        elif activation.lower().replace("-", "_") in GELU_TANH_NAMES:
            # `gelu` here is the exact GELU: the approximation is the gelu layer's argument.
            hint = "; for GELU's tanh approximation, add `{type: gelu, approximate: tanh}` after this layer"
        else:
            hint = interpolation_hint(activation) or suggest(activation, list(ACTIVATION_TYPES))
        yield Violation(
            node.index,
            f"{node.name}: `activation` is {shown(activation)}, not an activation type{hint}",
            help="the PyTorch export builds only the activation types: relu, gelu, …",
            path=("layers", node.index, "activation"),
        )


RULE = Rule("NS119", "unknown-activation", Severity.WARNING, __doc__, check, selected_by_default=False)
