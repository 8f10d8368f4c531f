"""A layer other than the last is read by no other layer.

## What it does
Reports a layer whose output no `from` (explicit or implied) consumes, except the last layer,
which is the network's output.

## Why is this bad?
A dead branch costs parameters and compute and contributes nothing; usually a `from` further
down names the wrong layer.

## Example
```yaml
- {type: conv, name: a, filters: 16, kernel: 3, padding: 1}
- {type: conv, name: b, filters: 16, kernel: 3, padding: 1, from: input}   # a is unused
```

## Fix
No automatic fix: connect the layer or delete it. Where a second output is meant (an
auxiliary classifier, as in GoogLeNet), say so with `# noqa: NS110` on its head's line.
"""

from collections.abc import Iterator

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.rules.base import Rule, Violation


def check(analysis: Analysis) -> Iterator[Violation]:
    for node in analysis.graph.nodes[:-1]:
        if not node.consumers:
            yield Violation(node.index, f"{node.name}: no layer reads this layer's output")


RULE = Rule("NS110", "unused-layer", Severity.WARNING, __doc__, check)
