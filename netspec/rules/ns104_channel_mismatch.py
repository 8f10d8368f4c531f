"""A layer's channels do not fit its input.

## What it does
Reports a declared `in_channels` that differs from the incoming depth, and a `groups` value
that does not divide both the input and the output channels (`conv`, `conv_transpose`).

## Why is this bad?
PyTorch raises "in_channels must be divisible by groups" when building the module, or a
weight-shape error at the first forward pass.

## Example
```yaml
input: [3, 32, 32]
layers:
  - {type: conv, filters: 64, kernel: 3, groups: 2}   # 3 channels do not split in 2
```

## Fix
No automatic fix: choose channel counts that are multiples of `groups`.
"""

from netspec.diagnostics import Severity
from netspec.rules.base import layer_error_rule

RULE = layer_error_rule("NS104", "channel-mismatch", Severity.ERROR, __doc__)
