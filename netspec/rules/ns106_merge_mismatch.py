"""The branches joined by `add`, `multiply` or `concat` have incompatible shapes.

## What it does
Reports `add` inputs whose shapes differ, `multiply` inputs whose ranks differ or whose sizes
differ where neither is 1, and `concat` inputs that differ outside the channel axis (or in
rank). Each input is listed with its shape.

## Why is this bad?
PyTorch raises "The size of tensor a must match the size of tensor b" or "Sizes of tensors
must match except in dimension 1" at the first forward pass. A concat whose inputs disagree
by 4 pixels is U-Net without its crops. PyTorch does broadcast a size-1 dimension (4×6×6 +
4×1×1 runs), but `add` takes identical shapes: a residual sum of different shapes is almost
always a mistake, and the help says when PyTorch would have broadcast. `multiply` broadcasts,
as gates need, but not across ranks: PyTorch aligns the last dimensions, so a flat C-vector
times a C×H×W map would scale its columns.

## Example
```yaml
input: [16, 64, 64]
layers:
  - {type: conv, name: a, filters: 16, kernel: 3}             # 62×62
  - {type: add, from: [input, a]}                             # 64×64 + 62×62
```

## Fix
No automatic fix: the branches need padding, a `crop`, or a projection that you design. To
broadcast on purpose, `upsample` each branch with a size-1 dimension to the full size first.
For `multiply`, the help names the sizes to change: a gate's channels must be the map's (or 1).
"""

from netspec.diagnostics import Severity
from netspec.rules.base import layer_error_rule

RULE = layer_error_rule("NS106", "merge-mismatch", Severity.ERROR, __doc__)
