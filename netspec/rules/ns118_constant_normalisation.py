"""A normalisation takes each mean and variance over one value, so its output is constant.

## What it does
Reports a `layernorm` on one channel (or a flat tensor of one feature), and a `groupnorm`
whose groups each hold one value: one channel per group on a map of one position, such as
after global pooling, or on a flat tensor.

## Why is this bad?
A value minus the mean of itself is 0. The layer outputs its learnt shift (0 when it has
none: `affine: false`, `elementwise_affine: false` or `bias: false`), whatever its input,
and the layers before it get no gradient through it. PyTorch runs it on a batch of two or
more; on a batch of one it refuses the groupnorm, in training or not ("Expected more than 1
value per channel when training").

## Example
```yaml
- {type: conv, filters: 32, kernel: 3, padding: 1}
- {type: adaptive_avgpool, output_size: 1}
- {type: groupnorm, groups: 32}    # on 32×1×1: one value in each group
```

## Fix
No automatic fix: normalise where the map has more than one position (before global
pooling, say), use fewer groups (`groups: 1` normalises each sample's channels together),
or remove the layer.
"""

from collections.abc import Iterator

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.layers import format_shape
from netspec.layers.neutral import GroupNorm, LayerNorm
from netspec.rules.base import Rule, Violation
from netspec.text import plural


def check(analysis: Analysis) -> Iterator[Violation]:
    for node in analysis.graph.nodes:
        layer = node.layer
        if not isinstance(layer, LayerNorm | GroupNorm) or not node.inputs or node.output is None:
            continue
        (shape,) = node.inputs
        if layer.group_size(shape) > 1:
            continue
        flat = len(shape) == 1
        unit = "feature" if flat else "channel"
        on = plural(shape[0], unit) if flat else format_shape(shape)
        shift = layer.affine if isinstance(layer, GroupNorm) else layer.elementwise_affine and layer.bias
        # A value minus its own mean is 0, whatever the value.
        constant = f"its output is {'its shift' if shift else '0'}, whatever its input"
        if isinstance(layer, LayerNorm):
            alone = "its one feature" if flat else "the one channel of each position"
            yield Violation(
                node.index,
                f"{node.name}: layernorm on {on} normalises {alone} alone: {constant}",
                help=f"normalise where there is more than one {unit}, or remove the layer",
            )
        else:
            remedies = [
                *(["normalise where the map has more than one position"] if not flat else []),
                *([f"use fewer groups (groups: 1 normalises the {unit}s together)"] if shape[0] > 1 else []),
                "remove the layer",
            ]
            yield Violation(
                node.index,
                f"{node.name}: groupnorm with groups: {layer.groups} on {on} normalises each value alone: {constant}",
                help=", or ".join(remedies),
            )


RULE = Rule("NS118", "constant-normalisation", Severity.WARNING, __doc__, check)
