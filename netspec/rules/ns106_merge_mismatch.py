"""The branches joined by `add`, `multiply` or `concat` have incompatible shapes.

## What it does
Reports `add` inputs whose shapes differ, `multiply` inputs whose ranks differ or whose sizes
differ where neither is 1, and `concat` inputs that differ outside the channel axis (or in
rank). Each input is listed with its shape.

## Why is this bad?
PyTorch raises "The size of tensor a must match the size of tensor b" or "Sizes of tensors
must match except in dimension 1" at the first forward pass. A concat whose inputs disagree
by 4 pixels is U-Net without its crops. PyTorch does broadcast a size-1 dimension (4×6×6 +
4×1×1 runs), but `add` takes identical shapes: a residual sum of different shapes is almost
always a mistake, and the help says when PyTorch would have broadcast. `multiply` broadcasts,
as gates need, but not across ranks: PyTorch aligns the last dimensions, so a flat C-vector
times a C×H×W map would scale its columns.

## Example
```yaml
input: [16, 64, 64]
layers:
  - {type: conv, name: a, filters: 16, kernel: 3}             # 62×62
  - {type: add, from: [input, a]}                             # 64×64 + 62×62
```

## Fix
No automatic fix: the branches need padding, a `crop`, or a projection that you design. To
broadcast on purpose, `upsample` each branch with a size-1 dimension to the full size first.
For `multiply`, the help names the sizes to change: a gate's channels must be the map's (or 1).
Where a transposed conv's branch is short of the others by less than its stride, as a
stride-2 decoder's 2W − 1 is of its skip's 2W, the help names the `output_padding` it needs;
where an `upsample` makes the branch, the `size` to give it in place of a scale, as
DeepLabv3+ and torchvision's FPN interpolate to the skip's size (a centre crop would shift the
upsampled map against the skip). It names the other layers that read that branch, whose input
the setting changes too.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Iterator

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.graph import INPUT, Graph, Node
from netspec.layers import format_shape
from netspec.layers.merge import NO_FIX, Add, Concat
from netspec.rules.base import Rule, Violation, layer_errors
from netspec.text import MAX_LISTED, listing


def resizing_steps(graph: Graph, node: Node, readers: dict[int, dict[int, None]]) -> Iterator[str]:
    """For each layer that feeds an add or concat directly, and whose output a setting of its
    own (:meth:`~netspec.layers.base.LayerBase.resizing_setting`: a transposed conv's
    ``output_padding``, an upsample's ``size``) would bring to the size every other input
    shares, that setting. ``readers`` keeps each producer's readers, as found."""
    if not isinstance(node.layer, Add | Concat) or node.inputs is None:
        return
    spatial = [tuple(shape[1:]) for shape in node.inputs]
    # Counted once: the others' sizes, taken input by input, made a merge of 10,000
    # branches quadratic, and each fix judged runs this again.
    counts = Counter(spatial)
    if len(counts) != 2:  # all alike, or no one size that all the others share
        return
    for source, own in zip(node.sources, spatial, strict=True):
        producer = graph.nodes[source] if source != INPUT else None
        if counts[own] != 1 or producer is None or producer.layer is None or producer.inputs is None:
            continue
        (sizes,) = set(counts) - {own}
        if len(sizes) != len(own):
            continue
        setting = producer.layer.resizing_setting(producer.inputs, sizes)
        if setting is not None:
            gives = f"which then gives {format_shape(sizes)}{_other_readers(graph, producer, node, readers)}"
            yield f"set {producer.name}'s {setting}, {gives}"


def _other_readers(graph: Graph, producer: Node, merge: Node, readers: dict[int, dict[int, None]]) -> str:
    """Names the other layers that read ``producer``: the setting changes their input too.
    Its readers are found once: 10,000 merges of one layer each named all the others."""
    every = readers.get(producer.index)
    if every is None:
        every = readers[producer.index] = dict.fromkeys(producer.consumers)
    count = len(every) - (merge.index in every)
    if count == 0:
        return ""
    first = itertools.islice(every, MAX_LISTED + 1)
    names = [graph.nodes[i].name for i in first if i != merge.index][:MAX_LISTED]
    return f" ({listing(names, ', ', count)} read{'s' if count == 1 else ''} it too)"


def check(analysis: Analysis) -> Iterator[Violation]:
    readers: dict[int, dict[int, None]] = {}
    for violation in layer_errors("NS106")(analysis):
        assert violation.index is not None and violation.help is not None
        steps = list(resizing_steps(analysis.graph, analysis.graph.nodes[violation.index], readers))
        if steps and violation.help.startswith(NO_FIX):
            rest = violation.help.removeprefix(NO_FIX)
            # Two steps only where two branches differ, each the size of the other: either
            # setting alone aligns them, and both would differ again.
            violation = dataclasses.replace(violation, help=f"{NO_FIX}{'; or '.join(steps)}; or else {rest}")
        yield violation


RULE = Rule("NS106", "merge-mismatch", Severity.ERROR, __doc__, check, blocking=True)
