"""A layer receives a tensor of a rank it cannot take.

## What it does
Reports a layer that needs a [C, *spatial] input (conv, pooling, upsample, crop, pad)
placed after `flatten` or `dense`, where the tensor is flat, and an interpolating upsample
on the wrong number of spatial dimensions: `linear` takes 1, `bilinear` and `bicubic` 2,
`trilinear` 3.

## Why is this bad?
PyTorch raises "Expected 3D (unbatched) or 4D (batched) input", or "Got 3D input, but
bilinear mode needs 4D input", at the first forward pass.

## Example
```yaml
- {type: flatten}
- {type: conv, filters: 8, kernel: 3}
```

## Fix
No automatic fix: move the layer before `flatten`, or reshape explicitly; choose the
interpolation for the input's rank (the help names the modes that fit).
"""

from netspec.diagnostics import Severity
from netspec.rules.base import layer_error_rule

RULE = layer_error_rule("NS115", "wrong-input-rank", Severity.ERROR, __doc__)
