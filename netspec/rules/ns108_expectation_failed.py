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
decoder's 2W − 1 where 2W is meant), or an upsample, whose `size` gives any, it names that
setting first.
"""

from collections.abc import Iterator

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.graph import Node
from netspec.layers import format_shape
from netspec.rules.base import Rule, Violation


def check(analysis: Analysis) -> Iterator[Violation]:
    for node in analysis.graph.nodes:
        if node.layer is None or node.layer.expect is None or node.output is None:
            continue
        expect = tuple(node.layer.expect)
        if expect != node.output:
            help = f"to expect what the layers give, write `expect: {list(node.output)}`"
            setting = _resizing_setting(node, expect)
            if setting is not None:
                help = f"set {setting}, which gives {format_shape(expect)}; or, {help}"
            yield Violation(
                node.index,
                f"{node.name}: expected {format_shape(expect)}, but the output is {format_shape(node.output)}",
                help=help,
                path=(*node.path, "expect"),
                axes=_differing(expect, node.output),
            )


def _differing(expect: tuple[int, ...], output: tuple[int, ...]) -> frozenset[int]:
    """The axes where the shapes differ; those only one of them has, where their ranks do."""
    return frozenset(
        i for i in range(max(len(expect), len(output))) if i >= min(len(expect), len(output)) or expect[i] != output[i]
    )


def _resizing_setting(node: Node, expect: tuple[int, ...]) -> str | None:
    """A setting of the layer's own that gives ``expect`` (a transposed conv's
    ``output_padding``, an upsample's ``size``), if one does."""
    assert node.output is not None
    if node.layer is None or node.inputs is None or len(expect) != len(node.output) or expect[0] != node.output[0]:
        return None
    return node.layer.resizing_setting(node.inputs, expect[1:])


RULE = Rule("NS108", "expectation-failed", Severity.ERROR, __doc__, check)
