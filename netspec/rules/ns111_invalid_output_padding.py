"""A transposed convolution's `output_padding` is not smaller than its stride or dilation.

## What it does
Fires when `output_padding` ≥ stride **and** ≥ dilation in some dimension of a
`conv_transpose`.

## Why is this bad?
`output_padding` only chooses between the output sizes that a strided convolution maps to the
same input size; it cannot add more. PyTorch raises "output padding must be smaller than
either stride or dilation".

## Example
```yaml
- {type: conv_transpose, filters: 64, kernel: 3, stride: 2, output_padding: 2}
```

## Fix
No automatic fix: use `output_padding` < stride, or change the kernel or padding.
"""

from netspec.diagnostics import Severity
from netspec.rules.base import layer_error_rule

RULE = layer_error_rule("NS111", "invalid-output-padding", Severity.ERROR, __doc__)
