"""What a conv or pooling layer reads of the map before the explicit ``pad`` layers that feed it.

An explicit pad before an unpadded layer (``ReflectionPad2d(1)`` then a 3×3 conv, as CycleGAN
and Johnson's style transfer write it; Keras's ``ZeroPadding2D`` before a strided stem) is the
layer's padding, written as a layer of its own. The rules about what a layer keeps, drops and
reads (NS101, NS102, NS107, NS109, NS113) judge them together.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from netspec.graph import Graph, Node, PadChain
from netspec.layers.arithmetic import COPYING_MODES, Window
from netspec.layers.windowed import WindowedLayer
from netspec.text import plural


@dataclass(frozen=True)
class NamedPads:
    """The explicit pads a message names: the first :data:`~netspec.diagnostics.MAX_LISTED`,
    outermost first, and how many there are in all; none for a layer no pad feeds."""

    listed: tuple[Node, ...] = ()
    count: int = 0

    def __bool__(self) -> bool:
        return self.count > 0

    @classmethod
    def of(cls, graph: Graph, chain: PadChain, dimensions: Collection[int] | None = None) -> NamedPads:
        """The pads of ``chain`` (:meth:`PadChain.named`)."""
        listed, count = chain.named(dimensions)
        return cls(tuple(graph.nodes[i] for i in listed), count)


def named(pads: NamedPads) -> str:
    """``p``, or ``p1 and p2``: the first few, then how many more."""
    more = pads.count - len(pads.listed)
    return " and ".join(pad.name for pad in pads.listed) + (
        f" and {plural(more, 'more pad layer', grouped=True)}" if more > 0 else ""
    )


def layer_and_pads(node: Node, pads: NamedPads) -> str:
    """The layer's name, and the pads before it that a message judges it with."""
    return f"{node.name}, with {named(pads)} before it" if pads else node.name


def seen_windows(
    graph: Graph, node: Node, windows: list[Window], *, reads: bool = True, through_statistics: bool = True
) -> tuple[list[Window], NamedPads] | None:
    """The layer's windows over the map before its explicit pads, with those pads (its own
    windows and none where no pad feeds it): the pads' padding added to the layer's own.

    For ``reads``, None where one window per dimension cannot tell what is read: a side
    padded twice, once with copies of the input (a reflection of a reflection is not one of
    their sum), or a ``ceil_mode`` pool, whose last window ATen places by the padding
    before the input alone. Sizes (without ``reads``) do not depend on either.

    Not ``through_statistics``, the pads before a normalisation by statistics over the
    positions are not the layer's: they hold values of the input's after it. Whether the
    layer's output holds anything of the input asks that (NS109); what it drops does not, as
    no position of the input is lost with a padded one.
    """
    chain = (graph.explicit_pads if through_statistics else graph.explicit_pads_kept)[node.index]
    if chain is None:  # most layers: asked of every one, so answered first
        return windows, NamedPads()
    if reads and any(w.ceil_mode for w in windows):
        return None
    inputs = graph.nodes[chain.first].inputs
    assert inputs is not None
    seen = []
    for size, w, padding in zip(inputs[0][1:], windows, chain.padding, strict=True):
        own = bool(w.pad_before or w.pad_after)
        # The first that pads with copies: the pads', then the layer's own.
        copying = padding.copying or (w.padding_mode if own and w.padding_mode in COPYING_MODES else None)
        if reads and copying and padding.pads + own > 1:
            return None
        before, after = padding.before + w.pad_before, padding.after + w.pad_after
        seen.append(w.replaced(size=size, pad_before=before, pad_after=after, padding_mode=copying or "zeros"))
    return seen, NamedPads.of(graph, chain)


def judged_windows(
    graph: Graph, *, through_statistics: bool = True
) -> Iterator[tuple[Node, WindowedLayer, list[Window], NamedPads]]:
    """Each conv and pooling layer that may step over positions, with its windows over the map
    before its explicit pads and those pads (:func:`seen_windows`), but for those whose pads
    one window cannot describe: of what they read there is nothing sure to say."""
    for node, layer, windows in graph.windowed:
        if graph.explicit_pads[node.index] is None and all(map(_reads_everything, windows)):  # most layers
            continue
        judged = seen_windows(graph, node, windows, through_statistics=through_statistics)
        if judged is not None and not all(map(_reads_everything, judged[0])):
            yield node, layer, *judged


def _reads_everything(window: Window) -> bool:
    """Whether a window of stride 1, which reads every position and drops none, is sure to:
    the rules that ask (NS101, NS109, NS113) need not see it. Not so with fewer outputs than
    its dilation, or fewer input positions, where the taps step over positions, or over the
    whole input (judged over the map before the pads)."""
    return window.stride == 1 and min(window.output, window.size) >= window.dilation
