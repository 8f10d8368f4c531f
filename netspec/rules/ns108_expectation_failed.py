"""A layer's `expect` differs from the shape netspec computes.

## What it does
Compares each `expect: [C, H, W]` (or `[N]` after flatten/dense) with the computed output
shape, without the batch dimension.

## Why is this bad?
`expect` is how a spec states its intent ("the stem gives 64×56×56"). When the arithmetic
disagrees, either the spec or the intent is wrong, and the mistake is caught here instead of
in a training log.

## Example
```yaml
- {type: conv, filters: 64, kernel: 3, expect: [64, 32, 32]}   # computes 64×30×30
```

## Fix
No automatic fix: netspec cannot know whether the layer or the expectation is wrong. The help
line gives the computed shape as `expect` takes it, for the case where the expectation is.
"""

from collections.abc import Iterator

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.layers import format_shape
from netspec.rules.base import Rule, Violation


def check(analysis: Analysis) -> Iterator[Violation]:
    for node in analysis.graph.nodes:
        if node.layer is None or node.layer.expect is None or node.output is None:
            continue
        if tuple(node.layer.expect) != node.output:
            yield Violation(
                node.index,
                f"{node.name}: expected {format_shape(node.layer.expect)}, "
                f"but the output is {format_shape(node.output)}",
                help=f"to expect what the layers give, write `expect: {list(node.output)}`",
            )


RULE = Rule("NS108", "expectation-failed", Severity.ERROR, __doc__, check)
