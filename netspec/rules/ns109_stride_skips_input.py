"""The stride is larger than the window, so input positions between windows are never read.

## What it does
Fires when S > D·(F − 1) + 1 in some spatial dimension of a conv or pooling layer.

## Why is this bad?
The layer throws input away by construction. A 1×1 stride-2 projection (ResNet's
downsampling shortcut) reads one input pixel in four. ResNet-D ("Bag of Tricks", He et al.
2019) fixes that with a 2×2 average pool before a stride-1 projection. When the skipping is
the published design, silence it with `# noqa: NS109`.

## Example
```yaml
- {type: conv, filters: 128, kernel: 1, stride: 2}
```

## Fix
No automatic fix: use a kernel at least as large as the stride, or pool before a stride-1
layer.
"""

from collections.abc import Iterator
from fractions import Fraction

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.layers.windowed import dimension_units
from netspec.rules.base import Rule, Violation, windowed_nodes


def check(analysis: Analysis) -> Iterator[Violation]:
    for node, _, windows in windowed_nodes(analysis):
        skipping = [i for i, w in enumerate(windows) if w.stride > w.effective_kernel]
        if not skipping:
            continue
        read = Fraction(1)
        for w in windows:
            read *= Fraction(min(w.effective_kernel, w.stride), w.stride)
        units = dimension_units(len(windows))
        gaps = [f"stride {windows[i].stride} > window {windows[i].effective_kernel}" for i in skipping]
        along = " and ".join(f"{units[i]}s" for i in skipping)
        gap = gaps[0] if len(set(gaps)) == 1 else ", ".join(gaps)
        yield Violation(
            node.index,
            f"{node.name}: {gap} along the {along}; the layer reads only {read} of its input",
            help="use a kernel at least as large as the stride, or average-pool before a stride-1 layer (ResNet-D)",
        )


RULE = Rule("NS109", "stride-skips-input", Severity.WARNING, __doc__, check)
