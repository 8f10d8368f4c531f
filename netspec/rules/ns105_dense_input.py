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

from netspec.diagnostics import Severity
from netspec.rules.base import layer_error_rule

RULE = layer_error_rule("NS105", "dense-input", Severity.ERROR, __doc__)
