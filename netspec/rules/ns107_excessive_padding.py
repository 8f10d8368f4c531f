"""The padding is larger than the layer can use.

## What it does
- Pooling (error): padding P > F // 2 per side. PyTorch requires P ≤ K/2, with K the effective
  kernel; on CPU a dilated max-pool is checked against the raw kernel F instead
  (`MaxPool2d(3, padding=2, dilation=2)` is rejected). netspec applies the stricter P ≤ F // 2
  everywhere, so a spec it accepts runs on every device.
- Pooling with per-side padding in `ceil_mode` (error), with more padding after than before,
  where ATen's rule for the last window and the pool PyTorch can run (an explicit pad, then
  symmetric padding) give different sizes.
- Convolution (warning): P ≥ D·(F − 1) + 1 on a side, where the outermost window on that side
  then has every tap in the padding: the outermost outputs see only zeros, or, in the other
  `padding_mode`s, its copies of the input. (With a stride, the last window may stop short of
  the padding after, which is then never read: no output is made of padding.) A stride-1
  layer grows the map by the excess. The `pad` layers that feed the conv pad it too, as NS101
  judges them, but not behind a normalisation by statistics over the positions (batchnorm,
  groupnorm, instancenorm), which gives their padding values of the input's.
- `pad` in `reflect` mode, or `conv` with `padding_mode: reflect` (error): more than W − 1 on
  a side, since a reflection about the edge has only W − 1 other positions to mirror; in
  `circular` mode more than W, which would wrap around more than once.

A pooling, pad or convolution layer it rejects has no output, so it is always reported; the
convolution warning may be silenced like any other.

## Why is this bad?
A pooling layer with too much padding raises "pad should be at most half of effective kernel
size" at the first forward pass, a reflect pad "Padding size should be less than the
corresponding input dimension", a circular one "Padding value causes wrapping around more
than once". A convolution that pads by its whole kernel computes border
outputs from zeros alone: wasted compute, and features that mean nothing.

## Example
```yaml
- {type: maxpool, kernel: 2, padding: 2}
```

## Fix
Clamp the padding to the largest useful value: F // 2 for pooling, D·(F − 1) for convolution,
W − 1 for a reflect pad and W for a circular one, and the smaller of the two for a convolution
with such a `padding_mode` (or pad in `replicate` mode, which repeats the edge as far as
asked).
The warning on a convolution whose padding copies the input has no automatic fix: what its
outermost outputs read may be positions no other output reads, and clamping is a choice. Nor
has one padded by the `pad` layers before it: which of the paddings to change is yours to say.
In the `ceil_mode` case, the fix pads no more after than before in the dimensions that have
it; a `ceil_mode` pool's clamped padding is evened too, in any dimension where that case would
refuse it again. Where the stride is 1, and the clamped padding would still change the map's
size (NS102), the fix pads as 'same' does instead, as NS102's fix would, so that one edit
settles both; only where 'same' windows read every position of the input, as contiguous ones
do (a dilated kernel on a small map may step over some). Where the fix is the clamp, the help
line also gives the padding 'same' would use, when it splits evenly.
"""

from collections.abc import Iterator, Sequence

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.graph import Node
from netspec.layers import Conv
from netspec.layers.arithmetic import Window
from netspec.layers.windowed import along, padding_fix, same_alternative
from netspec.rules.base import Rule, Violation, layer_errors
from netspec.rules.explicit_pad import NamedPads, layer_and_pads, named, seen_windows

#: What the outermost outputs of an over-padded convolution see, per padding mode.
_WHAT_PADDING_HOLDS = {
    "zeros": "zeros",
    "replicate": "the padding's copies of the edge",
    "reflect": "the padding's mirror of the input",
    "circular": "the padding's copies of the input's other end",
}


def check(analysis: Analysis) -> Iterator[Violation]:
    yield from layer_errors(RULE.code)(analysis)
    graph = analysis.graph
    for node, layer, windows in graph.windowed:
        if not isinstance(layer, Conv):
            continue
        excessive = _excessive(windows)
        if excessive:
            yield _own_excess(node, layer, windows, excessive)
            continue
        # The pad layers that feed it pad it too, as NS101 judges them with it; but not behind
        # a normalisation by statistics, which gives their padding values of the input's.
        judged = seen_windows(graph, node, windows, through_statistics=False)
        if judged is not None and judged[1] and (excessive := _excessive(judged[0])):
            chain = graph.explicit_pads_kept[node.index]
            assert chain is not None
            yield _padded_excess(node, judged[0], NamedPads.of(graph, chain, excessive), excessive)


def _excessive(windows: Sequence[Window]) -> dict[int, int]:
    """Each dimension's padding that blinds its outermost windows (:func:`_blinding_padding`)."""
    return {i: padding for i, w in enumerate(windows) if (padding := _blinding_padding(w))}


def _own_excess(node: Node, layer: Conv, windows: Sequence[Window], excessive: dict[int, int]) -> Violation:
    """The conv's own padding is too much: clamped, or made 'same', where that is the fix."""
    pads = layer.clamp_fix_pads(windows)
    return Violation(
        node.index,
        f"{node.name}: {_excess(windows, excessive)}, "
        f"so the outermost outputs see only {_WHAT_PADDING_HOLDS[layer.padding_mode]}",
        # Copies may be what a strided layer reads of the input's edge: clamping them is a choice.
        fix=padding_fix(pads) if layer.padding_mode == "zeros" else None,
        help=layer.clamp_help(windows, pads, "P below the effective kernel, D·(F − 1) + 1")
        + same_alternative(windows, pads),
        severity=Severity.WARNING,
        blocking=False,  # the layer still has an output: nothing after it goes unchecked
        axes=frozenset(excessive),
    )


def _padded_excess(node: Node, seen: Sequence[Window], padding: NamedPads, excessive: dict[int, int]) -> Violation:
    """The padding of the pads before the conv, with its own, is too much. Which of them to
    cut is the user's choice: no fix. Named are the ``padding`` pads, those that pad the
    dimensions; what their padding holds by then may be a layer's value of zero (a sigmoid's
    0.5): padding alone."""
    rank = len(seen)
    kernels = {seen[i].effective_kernel for i in excessive}
    most = f": at most {kernels.pop() - 1} on a side{along(rank, excessive)}" if len(kernels) == 1 else ""
    return Violation(
        node.index,
        f"{layer_and_pads(node, padding)}: {_excess(seen, excessive)}, so the outermost outputs see only padding",
        help=f"keep the padding of {named(padding)} and {node.name} together below the effective kernel{most}",
        severity=Severity.WARNING,
        blocking=False,
        axes=frozenset(excessive),
    )


def _blinding_padding(w: Window) -> int:
    """The padding of the effective kernel or more on a side whose outermost window has every
    tap in it (the larger, where both have); 0 for none. With a stride, the last window may
    stop short of the padding after: padding never read, but no output of padding."""
    before = w.pad_before if w.pad_before >= w.effective_kernel and not w.window_reads(0) else 0
    after = w.pad_after if w.pad_after >= w.effective_kernel and not w.window_reads(w.output - 1) else 0
    return max(before, after)


def _excess(windows: Sequence[Window], excessive: dict[int, int]) -> str:
    """``padding 3 ≥ the effective kernel 1``, with the dimensions named where they differ:
    ``… 1 along the slices and rows, and 3 ≥ 2 along the columns`` for kernel [1, 1, 2].
    ``excessive`` holds each such dimension's padding."""
    rank = len(windows)
    groups: dict[tuple[int, int], list[int]] = {}
    for i, padding in excessive.items():
        groups.setdefault((padding, windows[i].effective_kernel), []).append(i)
    ((padding, kernel), first), *rest = groups.items()
    if len(groups) == 1 and len(excessive) == rank:
        return f"padding {padding} ≥ the effective kernel {kernel}"  # a square layer, padded alike
    others = "".join(f", and {p} ≥ {k}{along(rank, held)}" for (p, k), held in rest)
    return f"padding {padding} ≥ the effective kernel {kernel}{along(rank, first)}{others}"


RULE = Rule(
    "NS107",
    "excessive-padding",
    Severity.ERROR,
    __doc__,
    check,
    fix="sometimes",
    also=Severity.WARNING,
    blocking=True,
    silenceable="convolution warnings",
)
