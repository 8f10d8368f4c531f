"""A layer receives a tensor of a rank it cannot take.

## What it does
Reports a layer that needs a [C, *spatial] input (conv, pooling, upsample, crop, pad)
placed after `flatten` or `dense`, where the tensor is flat.

## Why is this bad?
PyTorch raises "Expected 3D (unbatched) or 4D (batched) input" at the first forward pass.

## Example
```yaml
- {type: flatten}
- {type: conv, filters: 8, kernel: 3}
```

## Fix
No automatic fix: move the layer before `flatten`, or reshape explicitly.
"""

from netspec.diagnostics import Severity
from netspec.rules.base import layer_error_rule

RULE = layer_error_rule("NS115", "wrong-input-rank", Severity.ERROR, __doc__)
