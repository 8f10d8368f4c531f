"""Conv or pooling layers follow a layer whose every output already sees the whole input.

## What it does
Computes each layer's receptive field (see `netspec show`: the RF column) and names the first
layer each of whose output positions sees the whole input, when conv or pooling layers after
it read a map of which that holds too; a map of one position, such as a squeeze-and-excitation
gate's pool, is not named. Not selected by default. A field as large as the
input is not enough: a corner output of a padded layer sees half its field in the padding,
so it needs almost twice the input's size. After an upsample by a fraction, a strided
transposed convolution or an adaptive pool with uneven windows, the recurrence places the
edge outputs' fields only to within a step, so the rule claims nothing there. Nor where taps
lie further apart than the field each reads: a dilated conv, or a conv after a stride that
skips positions, sees an input with holes in it (3 taps 2 apart over single positions see
positions 0 and 2 of 0–2).

The receptive field follows Araujo, Norris & Sim, "Computing Receptive Fields of
Convolutional Neural Networks" (Distill, 2019): r ← r + (K − 1)·j and j ← j·S per layer,
with K = D·(F − 1) + 1; a merge sees what any of its inputs that are not broadcast sees (where
their strides differ, the largest field). A
broadcast gate (squeeze-and-excitation) shows every position the whole input, but that
context does not grow with the layers after it, so only r counts here, and layers on a single
position (the gate's own 1×1 convs) cannot add context and are not counted.

## Why is this bad?
From that layer on, every output position already sees the whole input: further conv and
pooling layers add depth, parameters and compute, but no context. rfa-toolbox calls them
"unproductive layers". Either the input is smaller than the network was designed for, or
the network is deeper than the input needs.

## Example
```yaml
input: [3, 32, 32]
layers:
  - {type: conv, filters: 16, kernel: 3, padding: 1}
  - {type: maxpool, kernel: 2}
  - {type: conv, filters: 32, kernel: 3, padding: 1}
  - {type: maxpool, kernel: 2}
  - {type: conv, filters: 64, kernel: 3, padding: 1}
  - {type: maxpool, kernel: 2}                          # 4×4 positions, 8 pixels apart
  - {type: conv, filters: 64, kernel: 3, padding: 1}    # r = 38
  - {type: conv, filters: 64, kernel: 3, padding: 1}    # r = 54
  - {type: conv, filters: 64, kernel: 3, padding: 1}    # r = 70: the corners see it all
  - {type: conv, filters: 64, kernel: 3, padding: 1}
```

## Fix
No automatic fix: use a larger input, or remove (or stop downsampling before) the layers
that follow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.graph import INPUT, Graph, Node
from netspec.layers import WindowedLayer, format_shape, volume
from netspec.rules.base import Rule, Violation

if TYPE_CHECKING:
    from netspec.receptive import ReceptiveField  # the show machinery, loaded only when fields are


def _spatial_layers_after(graph: Graph, node: Node, covers: Callable[[Node], bool]) -> list[Node]:
    """The conv and pooling layers that read ``node``'s output, directly or not, from a map of
    more than one position whose field ``covers`` the input."""
    seen: set[int] = set()
    pending = list(node.consumers)
    while pending:
        index = pending.pop()
        if index not in seen:
            seen.add(index)
            pending.extend(graph.nodes[index].consumers)
    return [
        later
        for later in (graph.nodes[i] for i in sorted(seen))
        if isinstance(later.layer, WindowedLayer)
        and later.inputs is not None
        and volume(later.inputs[0][1:]) > 1
        and covers(later)
    ]


def check(analysis: Analysis) -> Iterator[Violation]:
    graph = analysis.graph
    if graph.input is None:
        return
    size = graph.input[1:]
    fields = graph.receptive_fields

    def covering(field: ReceptiveField | None) -> bool:
        return field is not None and field.moving_parts_cover(size)

    def input_covering(node: Node) -> bool:
        (source,) = node.sources
        return source != INPUT and covering(fields[source])

    for node, field in zip(graph.nodes, fields, strict=True):
        # A map of one position (a gate's pool) sees the whole input by design: the layer to
        # name is the first whose map of many positions does.
        if field is None or node.output is None or volume(node.output[1:]) == 1 or not covering(field):
            continue
        after = _spatial_layers_after(graph, node, input_covering)
        if after:
            many = len(after) > 1
            count = f"{len(after)} conv/pooling layer{'s' if many else ''} after it (from {after[0].name})"
            yield Violation(
                node.index,
                f"{node.name}: every output position already sees the whole {format_shape(size)} input "
                f"(receptive field {format_shape(field.local_sizes)}); the {count} add{'' if many else 's'} depth "
                "but no context",
            )
            return


RULE = Rule("NS114", "receptive-field-exceeds-input", Severity.WARNING, __doc__, check, selected_by_default=False)
