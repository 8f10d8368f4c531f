"""Two layers share a name.

## What it does
Reports a layer whose name (given, or the default `<type><position>`) is already taken by an
earlier layer, or is `input`, which names the network input.

## Why is this bad?
`from` references become ambiguous; netspec resolves them to the first layer of that name,
which may not be what you meant. A name the file writes wins over a default one: when a layer
is named `relu3` and the third layer is an unnamed relu, `from: relu3` reads the named layer.

## Example
```yaml
- {type: conv, name: stem, filters: 16, kernel: 3, padding: 1}
- {type: conv, name: stem, filters: 32, kernel: 3, padding: 1}
```

## Fix
No automatic fix: rename one of the layers.
"""

from netspec.diagnostics import Severity
from netspec.rules.base import graph_problem_rule

RULE = graph_problem_rule("NS005", "duplicate-name", Severity.ERROR, __doc__)
