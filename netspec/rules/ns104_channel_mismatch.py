"""A layer's channels do not fit its input.

## What it does
Reports a declared `in_channels` that differs from the incoming depth, a `groups` value
that does not divide both the input and the output channels (`conv`, `conv_transpose`) or
the input's channels (`groupnorm`, `channel_shuffle`), a `prelu` whose `num_parameters` is
neither 1 nor the input's channels, a `pixel_shuffle` whose input channels are not a
multiple of r², and a `slice` that reaches past the input's channels.

## Why is this bad?
PyTorch raises "in_channels must be divisible by groups" when building the module, or a
weight-shape error ("Mismatch of parameter numbers and input channel size" for PReLU) at the
first forward pass. A slice past the channels is worse: Python's slicing takes the channels
there are, without a word, and the mismatch surfaces layers later.

## Example
```yaml
input: [3, 32, 32]
layers:
  - {type: conv, filters: 64, kernel: 3, groups: 2}   # 3 channels do not split in 2
```

## Fix
No automatic fix: choose channel counts that are multiples of `groups` (of r² for
`pixel_shuffle`), give `prelu` 1 slope or one per channel, and slice within the channels.
"""

from netspec.diagnostics import Severity
from netspec.rules.base import layer_error_rule

RULE = layer_error_rule("NS104", "channel-mismatch", Severity.ERROR, __doc__)
