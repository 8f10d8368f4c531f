"""A stride-1 conv, pooling or transposed conv layer makes the feature map smaller, or a conv or pooling layer larger.

## What it does
Checks every spatial dimension with stride 1: the output should be as large as the input.
An unpadded 3×3 convolution loses 2 pixels per layer; ten of them lose 20. Padding beyond
half the effective kernel grows the map instead: a 3×3 convolution with padding 2 gains 2
pixels (a dilated convolution's padding kept when its dilation was not), and a 2×2 max-pool
with stride 1 and padding 1 gains one (Darknet's, which keeps the size, pads after only).
A transposed convolution that grows the map is left alone: that is what it is for.

An undilated window over exactly the whole unpadded input is left alone: a conv standing for a dense
layer (VGG's fc6 as a 7×7 conv on 7×7, DCGAN's last 4×4 conv) is meant to give one output.
So is a layer whose map feeds only global pooling (adaptive pools, or `area` upsamples, to one
position, directly or through shape-keeping layers), as a text CNN's convolutions feed their
max over time: its size reaches no later layer.

A stride-1 `conv_transpose` gives W − 2P + D·(F − 1) + output_padding: it shrinks the map
when its padding exceeds half of D·(F − 1) + output_padding.

A layer fed by `pad` layers, directly or through shape-keeping layers (a dropout, a
normalisation) or one another, is measured against the map before them instead: an explicit
reflection pad of 1 before an unpadded 3×3 convolution (CycleGAN's residual blocks) keeps the
size. Too little explicit padding is reported with the sizes before it, and so is too much,
which grows the map: a layer ported with both the explicit pad and its own padding pads
twice.

## Why is this bad?
Forgotten padding shrinks every layer, misaligns skip connections, and leaves the last dense
layer with the wrong number of inputs, a mistake PyTorch reports only as a size mismatch
far from its cause. Too much padding does the same the other way, and its border outputs
read mostly padding. When shrinking is intended (U-Net's valid convolutions, LeNet's 5×5),
say so: a conv's `padding: valid` does, and is taken at its word (`padding: 0` is only the
default written out, often by a template); on other layers, `# noqa: NS102` on the layer's
line. Behind a `pad` layer, `valid` says only that the pad does the padding (CycleGAN's
reflection pad before a valid 3×3 conv), and the two are judged together, as above.

## Example
```yaml
input: [3, 32, 32]
layers:
  - {type: conv, filters: 16, kernel: 3}      # 32 → 30
  - {type: conv, filters: 16, kernel: 3, padding: 2}      # 30 → 32
```

## Fix
P = D·(F − 1)/2 per side keeps the size, for a map that shrinks or grows. For an even
effective kernel, where that is not an integer, per-side padding with the extra pixel after
(PyTorch's own 'same'). A transposed convolution keeps it with
P = (D·(F − 1) + output_padding)/2, where that is a whole number.
The fix changes the output size, so it is safe only if nothing downstream breaks. Where a
`pad` layer feeds the layer, the padding to change may be either one's: the help says how
much the two need together, and there is no automatic fix.
"""

from collections.abc import Iterator, Sequence

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.graph import Graph, Node
from netspec.layers import format_shape
from netspec.layers.arithmetic import Pads, Window, same_pads, transposed_formula, transposed_output
from netspec.layers.base import SamePositions
from netspec.layers.conv import ConvTranspose
from netspec.layers.windowed import describe_formulas, describe_windows, padded_output, padding_fix, padding_value
from netspec.rules.base import Rule, Violation
from netspec.rules.explicit_pad import NamedPads, named, seen_windows


def pooled_away(graph: Graph, node: Node) -> bool:
    """Whether the layer's map reaches only global pools (adaptive pools, or area upsamples,
    to one position), directly or through layers that keep its positions: then its size
    reaches no later layer."""
    pending = [node]
    while pending:
        current = pending.pop()
        if graph.outputs is None or current.index in graph.returned or not current.consumers:
            return False
        for consumer in (graph.nodes[index] for index in current.consumers):
            layer = consumer.layer
            if isinstance(layer, SamePositions):
                pending.append(consumer)
            elif layer is None or consumer.output is None or not layer.pools_globally(consumer.output):
                return False
    return True


def check(analysis: Analysis) -> Iterator[Violation]:
    yield from shrinking_transposed(analysis)
    for node, layer, windows in analysis.graph.windowed:
        assert node.inputs and node.output
        judged = seen_windows(analysis.graph, node, windows, reads=False)
        assert judged is not None  # sizes are always told
        seen, feeding = judged
        if feeding:
            # Behind an explicit pad, padding twice (the pad's and the layer's own) grows it.
            # The sizes are the output's own: ATen places a ceil_mode pool's last window by
            # the padding before the input, whoever pads after it.
            changing = [
                i
                for i, w in enumerate(seen)
                if w.stride == 1 and node.output[1 + i] != w.size and not w.covers_whole_input
            ]
            if changing and not pooled_away(analysis.graph, node):
                yield from resized_after_pad(node, feeding, seen, changing)
            continue
        shrinking = [] if layer.unpadded_by_choice else [i for i, w in enumerate(seen) if w.shrinks]
        changing = sorted(shrinking + [i for i, w in enumerate(seen) if w.grows])
        # Asked last: walking the consumers costs more than the sizes.
        if not changing or pooled_away(analysis.graph, node):
            continue
        pads = same_where(windows, changing)
        kept = format_shape(node.inputs[0][1:])
        # What the padding gives: the input's size where the stride is 1, strided sizes as
        # before (avgpool kernel [3, 2], stride [1, 2] on 8×8: 8×4, not 8×8).
        padded = padded_output(windows, pads)
        outcome = f"keeps {kept}" if padded == kept else f"gives {padded}"
        # A dilated max-pool may need more padding than it accepts (NS107): then no fix.
        allowed = all(max(pads[i]) <= layer.max_padding(windows[i]) for i in changing)
        yield Violation(
            node.index,
            f"{node.name} {resized(len(shrinking), len(changing))} {kept} to {format_shape(node.output[1:])}: "
            f"{describe_windows(windows, changing)} with stride 1",
            fix=padding_fix(pads) if allowed else None,
            help=f"padding {padding_value(pads)} {outcome} ({rule_of_thumb(pads)})"
            if allowed
            else f"no automatic fix: keeping {kept if padded == kept else 'the stride-1 sizes'} needs more padding "
            "than this layer accepts; "
            "use a smaller kernel or dilation",
            axes=frozenset(changing),
        )


def shrinking_transposed(analysis: Analysis) -> Iterator[Violation]:
    """NS102 for a stride-1 transposed convolution that removes more padding than its kernel adds."""
    for node in analysis.graph.nodes:
        layer = node.layer
        if not isinstance(layer, ConvTranspose) or not node.inputs or not node.output:
            continue
        sizes, outputs = node.inputs[0][1:], node.output[1:]
        settings = layer.dimensions(len(sizes))  # (F, S, P, output_padding, D) per dimension
        shrinking = [i for i, (_, stride, *_) in enumerate(settings) if stride == 1 and outputs[i] < sizes[i]]
        if not shrinking or pooled_away(analysis.graph, node):
            continue
        # What the kernel adds, D·(F − 1) + output_padding, the padding must take off in halves.
        grown = [dilation * (kernel - 1) + extra for kernel, _, _, extra, dilation in settings]
        kept = [grown[i] // 2 if i in shrinking else padding for i, (_, _, padding, _, _) in enumerate(settings)]
        even = all(grown[i] % 2 == 0 for i in shrinking)
        symmetric = [(padding, padding) for padding in kept]
        # The stride-1 sizes come back; strided dimensions give what they gave.
        fixed = format_shape(
            tuple(
                transposed_output(w, f, s, p, x, d) for w, (f, s, _, x, d), p in zip(sizes, settings, kept, strict=True)
            )
        )
        before = format_shape(sizes)
        formulas = {}
        for i in shrinking:
            kernel, _, padding, extra, dilation = settings[i]
            formulas[i] = transposed_formula(sizes[i], kernel, 1, padding, extra, dilation)
        yield Violation(
            node.index,
            f"{node.name} shrinks {before} to {format_shape(outputs)}: "
            f"{describe_formulas(formulas, len(sizes))} with stride 1",
            fix=padding_fix(symmetric) if even else None,
            help=f"padding {padding_value(symmetric)} {f'keeps {before}' if fixed == before else f'gives {fixed}'} "
            "(P = (D·(F − 1) + output_padding)/2)"
            if even
            else "no automatic fix: D·(F − 1) + output_padding is odd, so no padding keeps the size; use an odd kernel",
            axes=frozenset(shrinking),
        )


def resized(shrinking: int, changing: int) -> str:
    """The verb for a map whose ``changing`` dimensions include ``shrinking`` smaller ones."""
    return "shrinks" if shrinking == changing else "grows" if not shrinking else "resizes"


def same_where(windows: Sequence[Window], changing: Sequence[int]) -> list[Pads]:
    """'same' padding in the ``changing`` dimensions, each window's own padding in the others."""
    return [
        same_pads(w.effective_kernel) if i in changing else (w.pad_before, w.pad_after) for i, w in enumerate(windows)
    ]


def rule_of_thumb(pads: Sequence[Pads]) -> str:
    # An even effective kernel has no whole P = D·(F − 1)/2: the odd pixel goes after.
    if all(before == after for before, after in pads):
        return "P = D·(F − 1)/2"
    return "D·(F − 1) in all, the odd pixel after, as PyTorch's 'same'"


def resized_after_pad(node: Node, pads: NamedPads, seen: list[Window], changing: list[int]) -> Iterator[Violation]:
    """NS102 for a layer behind an explicit pad: against the sizes before the pad, which its
    padding is there to give back, too little (the map shrinks) or twice (it grows). ``seen``
    are the layer's windows over those sizes."""
    assert node.output
    # 'same' where the map changes, the pad's and the layer's padding together.
    needed = same_where(seen, changing)
    kept = format_shape(tuple(w.size for w in seen))
    # The other dimensions keep their sizes: worked out from the padding together, a
    # ceil_mode pool's would differ, since ATen places its last window by its own padding.
    outputs = format_shape(
        tuple(
            w.with_pads(*pads).output if i in changing else node.output[1 + i]
            for i, (w, pads) in enumerate(zip(seen, needed, strict=True))
        )
    )
    verb = resized(sum(node.output[1 + i] < seen[i].size for i in changing), len(changing))
    before = pads.listed[0].name
    padding = f"the padding of {named(pads)}" if pads.count > 1 else f"{before}'s padding"
    yield Violation(
        node.index,
        f"{node.name} {verb} {kept}, before {before}, to {format_shape(node.output[1:])}: "
        f"{describe_windows(seen, changing)} with stride 1, {padding} and its own together",
        help=f"{named(pads)} and {node.name} together need padding {padding_value(needed)} "
        f"{f'to keep {kept}' if outputs == kept else f'to give {outputs}'} "
        f"({rule_of_thumb([needed[i] for i in changing])})",
        axes=frozenset(changing),
    )


RULE = Rule("NS102", "shrinking-layer", Severity.WARNING, __doc__, check, fix="sometimes", fix_keeps_to_input_size=True)
