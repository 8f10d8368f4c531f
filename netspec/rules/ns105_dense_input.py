"""A dense layer receives a tensor that is not flat, or not of its declared `in_features`.

## What it does
Reports `dense` applied to a [C, H, W] (or any non-flat) tensor, and a declared `in_features`
that differs from the incoming size.

## Why is this bad?
PyTorch's `Linear` acts on the *last* dimension: on an unflattened [C, H, W] tensor with
W = in_features it runs without error and silently gives [C, H, units]. Otherwise it fails
with a matrix-size error deep in the forward pass.

## Example
```yaml
input: [3, 32, 32]
layers:
  - {type: conv, filters: 16, kernel: 3, padding: 1}
  - {type: dense, units: 10}                  # forgot flatten
```

## Fix
No automatic fix: add a `flatten` before the dense layer (after a global pooling layer, to
average each channel first).
"""

import dataclasses
from collections.abc import Iterator

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.graph import INPUT, Node
from netspec.layers import format_shape
from netspec.layers.dense import Flatten
from netspec.layers.neutral import Neutral
from netspec.rules.base import Rule, Violation, layer_errors


def check(analysis: Analysis) -> Iterator[Violation]:
    for violation in layer_errors(RULE.code)(analysis):
        # Where the features come from: the count alone is hard to trace back to a map.
        assert violation.index is not None
        node = analysis.graph.nodes[violation.index]
        source = _feeding(analysis, node.sources)
        # Past the layers that keep the count (dropout, an activation, a normalisation).
        while source is not None and isinstance(source.layer, Neutral):
            source = _feeding(analysis, source.sources)
        counted = violation.path is not None and violation.path[-1] == "in_features"
        if counted and source is not None and source.inputs and isinstance(source.layer, Flatten):
            flattened = f" ({format_shape(source.inputs[0])}, flattened by {source.name})"
            violation = dataclasses.replace(violation, message=violation.message + flattened)
        yield violation


def _feeding(analysis: Analysis, sources: list[int]) -> Node | None:
    """The layer that feeds one whose sources are these; None for the spec's input."""
    return analysis.graph.nodes[sources[0]] if sources and sources[0] != INPUT else None


RULE = Rule("NS105", "dense-input", Severity.ERROR, __doc__, check, blocking=True)
