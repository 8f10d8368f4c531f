"""`from` names a layer that is not defined earlier in the file, or `outputs` one that is not defined.

## What it does
Reports a `from` that names no layer, the layer itself, or a layer defined further down.
Layers downstream of it are not analysed, so one typo gives one diagnostic. Reports too a
name in the spec's `outputs` that is no layer; until it is mended, which layers are outputs is
unknown, and NS110 says nothing.

## Why is this bad?
The graph cannot be built: PyTorch code generated from the spec would fail with a `KeyError`,
and a reference to a later layer would make a cycle. Since the layers downstream cannot be
checked, this rule cannot be disabled or suppressed.

## Example
```yaml
- {type: conv, name: c1, filters: 16, kernel: 3, padding: 1}
- {type: add, from: [c1, c2]}     # there is no c2
```

## Fix
No automatic fix: name an earlier layer, or `input`; in `outputs`, a layer.
"""

from netspec.diagnostics import Severity
from netspec.rules.base import graph_problem_rule

RULE = graph_problem_rule("NS004", "unknown-reference", Severity.ERROR, __doc__, blocking=True)
