"""What a conv or pooling layer reads of the map before an explicit ``pad`` layer that feeds it.

An explicit pad before an unpadded layer (``ReflectionPad2d(1)`` then a 3×3 conv, as CycleGAN
and Johnson's style transfer write it; Keras's ``ZeroPadding2D`` before a strided stem) is the
layer's padding, written as a layer of its own. The rules about what a layer keeps, drops and
reads (NS101, NS102, NS109, NS113) judge the two together.
"""

from __future__ import annotations

from collections.abc import Sequence

from netspec.graph import Graph, Node
from netspec.layers.arithmetic import Window
from netspec.layers.neutral import Neutral
from netspec.layers.resize import Pad


def explicit_pad(graph: Graph, node: Node) -> Node | None:
    """The ``pad`` layer that alone feeds ``node``, directly or through shape-keeping layers
    (a dropout, a normalisation), if one does."""
    current = node
    while len(current.sources) == 1:
        current = graph.nodes[current.sources[0]]
        if isinstance(current.layer, Pad):
            return current if current.inputs else None
        if not isinstance(current.layer, Neutral):
            return None
    return None


def through_pad(pad: Node, windows: Sequence[Window], *, reads: bool = True) -> list[Window] | None:
    """The layer's windows over the map before ``pad``: the pad's padding added to the
    layer's own. None where the two pad one side in different modes, which one window
    cannot describe, unless only sizes matter, not ``reads``."""
    assert pad.inputs and isinstance(pad.layer, Pad)
    sizes = pad.inputs[0][1:]
    mode = "zeros" if pad.layer.mode == "constant" else pad.layer.mode
    seen = []
    for size, w, (before, after) in zip(sizes, windows, pad.layer.per_side("padding", len(sizes)), strict=True):
        own = w.pad_before or w.pad_after
        if reads and own and (before or after) and w.padding_mode != mode:
            return None
        kind = mode if before or after else w.padding_mode
        seen.append(
            Window(size, w.kernel, w.stride, w.dilation, before + w.pad_before, after + w.pad_after, w.ceil_mode, kind)
        )
    return seen


def seen_windows(
    graph: Graph, node: Node, windows: list[Window], *, reads: bool = True
) -> tuple[list[Window], Node | None]:
    """The windows over what the layer reads, with the pad that feeds it, if one does: the
    layer's own windows where no pad feeds it (or, for ``reads``, the two cannot be told as
    one)."""
    pad = explicit_pad(graph, node)
    seen = through_pad(pad, windows, reads=reads) if pad is not None else None
    return (windows, None) if seen is None else (seen, pad)
