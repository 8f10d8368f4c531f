"""A reshape asks for a shape with another number of elements.

## What it does
Reports a `reshape` whose sizes do not multiply to the element count of its input, one whose
-1 cannot be inferred (the other sizes do not divide the count), and one with more than one
-1.

## Why is this bad?
PyTorch raises "shape '[1, 128, 7, 7]' is invalid for input of size 6400" at the first forward
pass, typically in a generator whose dense layer was resized without its reshape, or after
an input size changed upstream.

## Example
```yaml
- {type: flatten}
- {type: dense, units: 6400}
- {type: reshape, shape: [128, 7, 7]}   # 6,272 elements, not 6,400
```

## Fix
No automatic fix: make the sizes multiply to the input's element count (the help gives it),
or let PyTorch infer one of them with -1.
"""

from netspec.diagnostics import Severity
from netspec.rules.base import layer_error_rule

RULE = layer_error_rule("NS117", "reshape-mismatch", Severity.ERROR, __doc__)
