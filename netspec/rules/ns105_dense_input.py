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
from netspec.graph import INPUT
from netspec.layers import format_shape
from netspec.layers.dense import Flatten
from netspec.rules.base import Rule, Violation, layer_errors


def check(analysis: Analysis) -> Iterator[Violation]:
    for violation in layer_errors(RULE.code)(analysis):
        # Where the features come from: the count alone is hard to trace back to a map.
        assert violation.index is not None
        node = analysis.graph.nodes[violation.index]
        source = analysis.graph.nodes[node.sources[0]] if node.sources and node.sources[0] != INPUT else None
        counted = violation.path is not None and violation.path[-1] == "in_features"
        if counted and source is not None and source.inputs and isinstance(source.layer, Flatten):
            flattened = f" ({format_shape(source.inputs[0])}, flattened by {source.name})"
            violation = dataclasses.replace(violation, message=violation.message + flattened)
        yield violation


RULE = Rule("NS105", "dense-input", Severity.ERROR, __doc__, check, blocking=True)
