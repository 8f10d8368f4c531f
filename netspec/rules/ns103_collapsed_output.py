"""An output dimension would be smaller than 1.

## What it does
Reports a layer whose kernel is larger than its padded input (or whose crop is larger than its
input, or whose transposed convolution removes more padding than it produces), so that an
output dimension is < 1, and a `slice` whose stop is not past its start, which takes no
channels. A 3-D `avgpool` also needs the input itself, padding aside, to be at least the
kernel in every dimension, as PyTorch's `AvgPool3d` requires. It replaces NS101 and NS102
on that layer, and the layers after it are not analysed.

## Why is this bad?
PyTorch raises at the first forward pass ("Kernel size can't be greater than actual input
size", "Output size is too small"), after the data has loaded and the GPU was booked.
Two exceptions: an `area` upsample whose output size is exactly 0 returns an empty tensor
instead of raising, as an empty slice does, and so does a `conv_transpose` that is grouped or
gets a batch of more than one; netspec reports them all the same, since the next layer fails
on them.

## Example
```yaml
input: [3, 4, 4]
layers:
  - {type: conv, filters: 8, kernel: 7}       # 4 − 7 + 1 = −2
```

## Fix
Padding that gives each collapsed dimension the output a 'same' layer would have, ceil(W/S),
and any other stride-1 dimension that shrinks or grows its size back, as NS102's fix does, so
that one edit settles both. Where the layer does not accept that much padding, the least
symmetric padding that gives at least one output. Often the real mistake is upstream: too
much downsampling.
"""

from netspec.diagnostics import Severity
from netspec.rules.base import layer_error_rule

RULE = layer_error_rule("NS103", "collapsed-output", Severity.ERROR, __doc__, fix="sometimes")
