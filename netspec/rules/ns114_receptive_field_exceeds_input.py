"""Conv or pooling layers follow a layer whose every output already sees the whole input.

## What it does
Computes each layer's receptive field (see `netspec show`: the RF column) and names the first
layer each of whose output positions sees the whole input, when conv, maxpool or avgpool
layers after it (not transposed convs, nor adaptive pools, which take the map's size as it
comes) read a map of which that holds too; a map of one position, such as a squeeze-and-excitation
gate's pool, is not named. Not selected by default. A field as large as the
input is not enough: a corner output of a padded layer sees half its field in the padding,
so it needs almost twice the input's size. After an upsample by a fraction, a strided
transposed convolution or an adaptive pool with uneven windows, the recurrence places the
edge outputs' fields only to within a step, so the rule claims nothing there. Nor where taps
lie further apart than the field each reads: a dilated conv, or a conv after a stride that
skips positions, sees an input with holes in it (3 taps 2 apart over single positions see
positions 0 and 2 of 0–2). The recurrence extends each map's grid past its edges, where a
real position may see less than the grid says, so a layer it names is confirmed position by
position first; that follows convs, pools, pads, crops, merges (in more than one dimension,
only where one branch sees all that the others see, as in a residual block) and the layers
that keep the positions, and past any other layer (an upsample, a transposed conv, an
adaptive pool), or beyond half a million reads, the rule says nothing.

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

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.graph import INPUT, Graph, Node
from netspec.layers import WindowedLayer, format_shape, volume
from netspec.layers.arithmetic import joined
from netspec.layers.base import PositionPairs
from netspec.rules.base import Rule, Violation

if TYPE_CHECKING:
    from netspec.receptive import ReceptiveField  # the show machinery, loaded only when fields are


def _spatial_layers_after(graph: Graph, node: Node, covers: Callable[[Node], bool], seen: set[int]) -> list[Node]:
    """The conv and pooling layers that read ``node``'s output, directly or not, from a map of
    more than one position whose field ``covers`` the input, among the layers not ``seen``
    yet (which it adds to). Those seen were searched by an earlier call that found none, and
    every layer after them was searched then too: searching them again for each layer made a
    covering conv before 10,000 relus quadratic."""
    found: set[int] = set()
    pending = list(node.consumers)
    while pending:
        index = pending.pop()
        if index not in seen:
            seen.add(index)
            found.add(index)
            pending.extend(graph.nodes[index].consumers)
    return [
        later
        for later in (graph.nodes[i] for i in sorted(found))
        if isinstance(later.layer, WindowedLayer)
        and later.inputs is not None
        and volume(later.inputs[0][1:]) > 1
        and covers(later)
    ]


#: Per position of a map along one dimension: the input positions it sees, first and last
#: (None: none, as a padding position).
Seen = Sequence[tuple[int, int] | None]
#: Tap reads the exact check makes for one spec, at most: beyond, it says nothing (a kernel
#: of thousands over thousands of positions would take seconds). A read, with its share of
#: the position it is for, takes about 0.6 µs: the limit, about 0.3 s, runs again for the
#: first fix judged. The bundled specs on which the rule fires take 4,500 to 16,000 reads.
MAX_READS = 500_000
#: A layer re-analysed to judge a fix takes about 4 µs: judging a fix where this rule runs
#: costs a layer more per this many reads.
READS_PER_LAYER = 6


class _Unfollowed(Exception):
    """A map this cannot work out exactly: it reads input with a hole in it, comes from a
    layer whose positions are placed only to within a step (an upsample, a transposed conv,
    an adaptive pool), or would cost too much."""


def _union(intervals: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The interval the given ones make together; None for none."""
    hull = joined(intervals)
    if hull is None:
        return None
    span, gapless = hull
    if not gapless:
        raise _Unfollowed
    return span


def _contains(outer: tuple[int, int] | None, inner: tuple[int, int] | None) -> bool:
    return inner is None or (outer is not None and outer[0] <= inner[0] and inner[1] <= outer[1])


def _extent(dims: list[Seen]) -> int:
    """How much a map's positions see, all told: a map whose boxes hold another's sees more."""
    return sum(interval[1] - interval[0] + 1 for positions in dims for interval in positions if interval is not None)


def _followed(node: Node) -> list[int]:
    """The sources whose positions reach ``node``'s (:meth:`~netspec.layers.base.LayerBase.inputs_followed`)."""
    if node.layer is None or node.inputs is None or node.output is None:
        return node.sources
    return [node.sources[index] for index in node.layer.inputs_followed(node.inputs, node.output)]


class ExactFields:
    """What each position of a map sees of the input, worked out position by position, for
    the maps asked about and those they come from, once each. The recurrence extends a map's
    grid past its edges, where a real position that leans away from the edge may see less
    than the grid says: a map beside a copy of itself moved a position, then a dilated conv,
    gives outputs that miss the last input position.

    A map is kept one dimension at a time, each position seeing a box of the input: windows,
    pads and crops read boxes as boxes. A merge of boxes is one only where a branch's holds
    all the others' (a residual block's, an Inception module's widest branch); else, in more
    than one dimension (a 15×1 branch beside a 1×15 sees a cross), it is not followed.
    """

    def __init__(self, graph: Graph) -> None:
        assert graph.input is not None
        self.graph = graph
        self.lengths = graph.input[1:]
        #: Each map's positions per dimension; None for a map that cannot be followed.
        # The input's positions, each seeing itself, made as read: a check judging fixes works
        # a map out once per fix, and listed, two million positions took 0.2 s each time.
        self.seen: dict[int, list[Seen] | None] = {INPUT: [PositionPairs(range(n)) for n in self.lengths]}
        self.reads_left = MAX_READS

    @property
    def reads(self) -> int:
        """The tap reads made so far."""
        return MAX_READS - self.reads_left

    def sees_everything(self, target: Node) -> bool:
        """Whether every output position of ``target`` is known to see every input position."""
        dims = self._map(target.index)
        return dims is not None and all(
            all(interval == (0, length - 1) for interval in positions)
            for positions, length in zip(dims, self.lengths, strict=True)
        )

    def _map(self, target: int) -> list[Seen] | None:
        # The maps the target's positions come from that are not known yet, in order: a layer
        # reads earlier ones only.
        needed, pending = set(), [target]
        while pending:
            index = pending.pop()
            if index not in self.seen and index not in needed:
                needed.add(index)
                pending += _followed(self.graph.nodes[index])
        for index in sorted(needed):
            try:
                self.seen[index] = self._worked_out(self.graph.nodes[index])
            except _Unfollowed:
                self.seen[index] = None
        return self.seen[target]

    def _worked_out(self, node: Node) -> list[Seen]:
        sources = {source: self.seen[source] for source in _followed(node)}
        known = {source: dims for source, dims in sources.items() if dims is not None}
        layer, inputs, output = node.layer, node.inputs, node.output
        if layer is None or inputs is None or output is None or len(known) < len(sources):
            raise _Unfollowed
        if len(known) == 1 and layer.keeps_positions:
            return next(iter(known.values()))  # the positions as they were
        if layer.keeps_positions and len(self.lengths) > 1:  # a merge
            self.reads_left -= len(known) * sum(output[1:])
            if self.reads_left < 0:
                raise _Unfollowed
            # The one branch that can hold all the others is the one that sees the most.
            widest = max(known.values(), key=_extent)
            if not all(
                _contains(mine, theirs)
                for other in known.values()
                for own, others in zip(widest, other, strict=True)
                for mine, theirs in zip(own, others, strict=True)
            ):
                raise _Unfollowed
            return widest
        dims: list[Seen] = []
        for dimension in range(len(self.lengths)):
            positions: list[tuple[int, int] | None] = []
            for position in range(output[1 + dimension]):
                read = layer.positions_read(inputs, output, node.windows, dimension, position)
                if read is None:
                    raise _Unfollowed
                self.reads_left -= len(read) + 1
                if self.reads_left < 0:
                    raise _Unfollowed
                positions.append(
                    _union([interval for index, at in read if (interval := known[node.sources[index]][dimension][at])])
                )
            dims.append(positions)
        return dims


def check(analysis: Analysis) -> Iterator[Violation]:
    graph = analysis.graph
    if graph.input is None:
        return
    exact = ExactFields(graph)
    found = _first_covering(graph, graph.input[1:], exact)
    # Each fix judged runs this again, on the spec re-analysed: the fixes' budget counts it.
    analysis.rule_cost += exact.reads // READS_PER_LAYER
    if found is not None:
        yield found


def _first_covering(graph: Graph, size: Sequence[int], exact: ExactFields) -> Violation | None:
    """The first layer each of whose output positions sees the whole input, with conv or
    pooling layers after it, if any."""
    fields = graph.receptive_fields

    def covering(field: ReceptiveField | None) -> bool:
        return field is not None and field.moving_parts_cover(size)

    def input_covering(node: Node) -> bool:
        (source,) = node.sources
        return source != INPUT and covering(fields[source])

    searched: set[int] = set()
    for node, field in zip(graph.nodes, fields, strict=True):
        # A map of one position (a gate's pool) sees the whole input by design: the layer to
        # name is the first whose map of many positions does.
        if field is None or node.output is None or volume(node.output[1:]) == 1 or not covering(field):
            continue
        # The exact check first: it keeps what it works out, where the search for the layers
        # after it would start again for every layer the check turns down.
        if not exact.sees_everything(node):
            continue
        after = _spatial_layers_after(graph, node, input_covering, searched)
        if after:
            layers = (
                f"{len(after)} conv/pooling layers after it (from {after[0].name}) add"
                if len(after) > 1
                else f"conv/pooling layer after it ({after[0].name}) adds"
            )
            return Violation(
                node.index,
                f"{node.name}: every output position already sees the whole {format_shape(size)} input "
                f"(receptive field {format_shape(field.local_sizes)}); the {layers} depth but no context",
            )
    return None


RULE = Rule("NS114", "receptive-field-exceeds-input", Severity.WARNING, __doc__, check, selected_by_default=False)
