"""A layer receives a tensor of a rank it cannot take.

## What it does
Reports a layer that needs a [C, *spatial] input (conv, pooling, upsample, crop, pad,
channel_shuffle, instancenorm, local_response_norm, dropout with `whole_channels`) placed
after `flatten` or `dense`, where the tensor is flat, a `pixel_shuffle` on other than 2
spatial dimensions, and an interpolating upsample on the wrong number of
spatial dimensions: `linear` takes 1, `bilinear` and `bicubic` 2, `trilinear` 3. An
`instancenorm` also needs more than one position (a C×1×1 map has one), since it normalises
each channel over its positions, and an `avgpool`'s `divisor_override` a 2-D or 3-D input.

## Why is this bad?
PyTorch raises "Expected 3D (unbatched) or 4D (batched) input", "Got 3D input, but
bilinear mode needs 4D input", or "Expected more than 1 spatial element when training", at
the first forward pass; `AvgPool1d` takes no `divisor_override`. On a flat tensor
`InstanceNorm1d` takes the features for one channel's positions, and `Dropout1d` the batch
for one sample's channels, which is not what a spec means: the first only warns without
`affine`, and raises with it.

## Example
```yaml
- {type: flatten}
- {type: conv, filters: 8, kernel: 3}
```

## Fix
No automatic fix: move the layer before `flatten`, or reshape explicitly; choose the
interpolation for the input's rank (the help names the modes that fit); normalise before the
map shrinks to one position.
"""

from netspec.diagnostics import Severity
from netspec.rules.base import layer_error_rule

RULE = layer_error_rule("NS115", "wrong-input-rank", Severity.ERROR, __doc__)
