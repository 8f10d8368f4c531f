"""`padding: same` on a strided convolution.

## What it does
Fires when a `conv` has `padding: same` and a stride > 1 in any dimension.

## Why is this bad?
PyTorch rejects it when the module is built: "padding='same' is not supported for strided
convolutions". Specs ported from TensorFlow, where SAME means ceil(W/S) outputs, hit this.

## Example
```yaml
- {type: conv, filters: 64, kernel: 3, stride: 2, padding: same}
```

## Fix
Explicit padding that gives TensorFlow's SAME output, ceil(W/S): total padding
max((ceil(W/S) − 1)·S + K − W, 0), with the extra pixel after. For W = 224, F = 3, S = 2
that is `[[0, 1], [0, 1]]`. Note that PyTorch's symmetric `padding: 1` also gives 112, with the
sampling grid shifted by one pixel. A layer whose input is unknown, because a layer before it
has no output, is reported too, without a fix until its input size is known: `--fix` then
fixes the strided convolutions of a TensorFlow port one after the other, in one run.
"""

from netspec.diagnostics import Severity
from netspec.rules.base import layer_error_rule

RULE = layer_error_rule("NS112", "same-padding-stride", Severity.ERROR, __doc__, fix="sometimes")
