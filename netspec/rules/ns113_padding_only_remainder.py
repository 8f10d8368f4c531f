"""A strided layer's division is not exact, but only padding is dropped.

## What it does
Like NS101, for a floor-mode conv or pooling layer where (W + 2P − D·(F − 1) − 1) is not
divisible by S, but the remainder is no larger than the right/bottom padding: only padding is
cut off, so the effective padding is asymmetric. Not selected by default.

The `pad` layers that feed the layer count as its padding, as in NS101.

## Why is this bad?
It is usually harmless: ResNet's 7×7 stride-2 stem on 224 ((224 + 6 − 7)/2 + 1 = 112.5) drops
one column of padding. It matters when the sampling grid must line up exactly, for example
when features are mapped back to input coordinates.

## Example
```yaml
input: [3, 224, 224]
layers:
  - {type: conv, filters: 64, kernel: 7, stride: 2, padding: 3}
```

## Fix
No automatic fix: exact alignment is a design choice (see NS101 for the arithmetic).
"""

from collections.abc import Iterator

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.layers.windowed import describe_flooring
from netspec.rules.base import Rule, Violation
from netspec.rules.explicit_pad import judged_windows, layer_and_pads


def check(analysis: Analysis) -> Iterator[Violation]:
    for node, _, windows, pads in judged_windows(analysis.graph):
        padded = [
            i
            for i, w in enumerate(windows)
            if not w.ceil_mode and w.stride <= w.effective_kernel and w.remainder and not w.dropped
        ]
        if padded:
            yield Violation(
                node.index,
                f"{layer_and_pads(node, pads)}: {describe_flooring(windows, padded)} and drops only padding, so the "
                "effective padding is asymmetric",
                help="no automatic fix: harmless unless the sampling grid must align exactly (see NS101)",
                axes=frozenset(padded),
            )


RULE = Rule("NS113", "padding-only-remainder", Severity.WARNING, __doc__, check, selected_by_default=False)
