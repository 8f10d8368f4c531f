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
On a transposed convolution whose `output_padding` would give the expected size (a stride-2
decoder's 2W − 1 where 2W is meant), it names that setting first.
"""

from collections.abc import Iterator

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.graph import Node
from netspec.layers import format_shape
from netspec.layers.conv import ConvTranspose
from netspec.rules.base import Rule, Violation


def check(analysis: Analysis) -> Iterator[Violation]:
    for node in analysis.graph.nodes:
        if node.layer is None or node.layer.expect is None or node.output is None:
            continue
        expect = tuple(node.layer.expect)
        if expect != node.output:
            help = f"to expect what the layers give, write `expect: {list(node.output)}`"
            value = _output_padding(node, expect)
            if value is not None:
                help = f"set output_padding to {value}, which gives {format_shape(expect)}; or, {help}"
            yield Violation(
                node.index,
                f"{node.name}: expected {format_shape(expect)}, but the output is {format_shape(node.output)}",
                help=help,
            )


def _output_padding(node: Node, expect: tuple[int, ...]) -> int | list[int] | None:
    """The ``output_padding`` with which a transposed conv gives ``expect``, if one does."""
    assert node.output is not None
    if not isinstance(node.layer, ConvTranspose) or node.inputs is None or len(expect) != len(node.output):
        return None
    if expect[0] != node.output[0]:
        return None
    return node.layer.output_padding_value(node.inputs, expect[1:])


RULE = Rule("NS108", "expectation-failed", Severity.ERROR, __doc__, check)
