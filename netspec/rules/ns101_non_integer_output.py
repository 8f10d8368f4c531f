"""A strided layer's windows do not tile its input, so real input rows or columns are never read.

## What it does
For a conv or pooling layer that floors (`ceil_mode: false`), checks per spatial dimension that
(W + 2P − D·(F − 1) − 1) is divisible by S. When it is not, the remainder r is cut off at the
far end. The rule fires when r is larger than the right/bottom padding, so that real input, not
just padding, is dropped. It stays quiet when S > D·(F − 1) + 1, and when the taps of no
window would reach the dropped positions (stride 2 with dilation 2 reads only the even ones,
and an odd last row is no loss of the floor's): NS109 reports that layer, and counts the
positions dropped at the end among those it never reads.
A layer fed by `pad` layers (directly, through shape-keeping layers, or through one another)
is judged with their padding added to its own, over the map before them: an explicit
reflection pad of 1 before a 3×3 stride-2 conv (Johnson's style transfer) drops only padding.
So it does through a normalisation by statistics over the positions (batchnorm, groupnorm,
instancenorm): the padding then holds values of the input's statistics, but none of its
positions.
Since any of those paddings may be the one to change, there is then no automatic fix. Where
a side is padded twice and one of the paddings copies the input (a reflection of a
reflection is not one reflection of their sum), or the layer is a `ceil_mode` pool, what is
read has no one window, and the rule says nothing.
With a `padding_mode` that copies the input, the padding before the first window may hold
copies of the dropped rows (a wrap always puts them there; a reflection or a replication
does on a small input): the message then says that they get no window of their own, rather
than that they are never read.

## Why is this bad?
PyTorch floors the output size without a word: the last input rows and columns are silently
ignored. The paper's AlexNet conv1 (F = 11, S = 4, P = 0) on 224 gives (224 − 11)/4 + 1 =
54.25: PyTorch returns 54 and the last input row and column never reach the network.

## Example
```yaml
input: [3, 224, 224]
layers:
  - {type: conv, name: conv1, filters: 96, kernel: 11, stride: 4}
```

## Fix
The nearest symmetric padding that makes the division exact. When parity makes that
impossible (224 − 11 is odd, and 2P is even), per-side padding, here `[[1, 2], [1, 2]]`,
which gives exactly 55; the help line also names the nearest sizes of the layer's own input
that divide exactly (the layers after it may need others), and for a pool, what
`ceil_mode: true` gives: one more window, which starts inside the input and reads the rest.
The fix changes the output size, so it is safe only if nothing downstream breaks.
"""

from collections.abc import Iterator, Sequence

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.layers import Fix, WindowedLayer, format_shape
from netspec.layers.arithmetic import Pads, Window, exact_division_pads, exact_input_sizes, least_padded
from netspec.layers.pool import Pool
from netspec.layers.windowed import (
    describe_flooring,
    dimension_units,
    padded_output,
    padding_fix,
    padding_value,
)
from netspec.rules.base import Rule, Violation
from netspec.rules.explicit_pad import judged_windows, layer_and_pads, named


def never_read(windows: Sequence[Window], indices: Sequence[int]) -> str:
    """``the last input column and row``, listing the innermost dimension first."""
    units = dimension_units(len(windows))
    counts = [(windows[i].dropped, units[i]) for i in reversed(indices)]
    if len({n for n, _ in counts}) == 1:
        n = counts[0][0]
        names = " and ".join(f"{unit}s" if n > 1 else unit for _, unit in counts)
        return f"the last {n if n > 1 else ''}{' ' if n > 1 else ''}input {names}"
    return " and ".join(f"the last {n} input {unit}s" if n > 1 else f"the last input {unit}" for n, unit in counts)


def what_becomes_of_dropped(windows: Sequence[Window], failing: Sequence[int]) -> str:
    """``is never read``, unless the padding holds copies of the dropped positions that a
    window reads (a circular wrap puts the last positions before the first)."""
    one = len(failing) == 1 and windows[failing[0]].dropped == 1
    dropped = sum(windows[i].dropped for i in failing)
    counts = [windows[i].dropped_copies() for i in failing]
    if all(count == 0 for count in counts):
        return f"{'is' if one else 'are'} never read"
    no_window = f"{'gets' if one else 'get'} no window of {'its' if one else 'their'} own"
    if None in counts:  # too many to count: say only what holds either way
        return no_window
    copied = sum(c or 0 for c in counts)
    which = "it" if one else "them" if copied == dropped else "some of them"
    return f"{no_window}; the {windows[failing[0]].padding_mode} padding copies {which}"


def exact_fix(
    layer: WindowedLayer, windows: Sequence[Window], failing: Sequence[int], reader: str = "this layer"
) -> tuple[Fix | None, str]:
    """The padding fix and the help line: symmetric when parity allows, else per side.
    ``reader`` is what reads the input whose sizes the windows are over."""
    symmetric: list[Pads] = []
    sided: list[Pads] = []
    without_symmetric: list[int] = []
    for i, w in enumerate(windows):
        if i not in failing:
            symmetric.append((w.pad_before, w.pad_after))
            sided.append((w.pad_before, w.pad_after))
            continue
        p, sides = exact_division_pads(w, layer.max_padding(w))
        if p is None:
            without_symmetric.append(i)
        symmetric.append((p, p) if p is not None else (-1, -1))
        sided.append(sides if sides is not None else (-1, -1))
    if not without_symmetric:
        outputs = padded_output(windows, symmetric)
        return padding_fix(
            symmetric
        ), f"padding {padding_value(symmetric)} makes the division exact ({outputs} outputs)"
    reason = why_not_symmetric(layer, windows, without_symmetric)
    alternatives = exact_inputs(layer, windows, without_symmetric)
    # Other sizes there; the symmetric padding that makes the other dimensions exact.
    with_other_sizes = [
        (w.pad_before, w.pad_after) if i in without_symmetric else symmetric[i] for i, w in enumerate(windows)
    ]
    if any(pads != (w.pad_before, w.pad_after) for w, pads in zip(windows, with_other_sizes, strict=True)):
        alternatives += f", with padding {padding_value(with_other_sizes)}"
    if any(before < 0 for before, _ in sided):
        return None, f"no automatic fix: {reason}; give {reader} {alternatives}, or change the stride"
    help_line = (
        f"{reason}; per-side padding {padding_value(sided)} gives {exactly(windows, sided)}, "
        f"or give {reader} {alternatives}"
    )
    return padding_fix(sided, "set per-side padding"), help_line


def exactly(windows: Sequence[Window], pads: Sequence[Pads]) -> str:
    """``exactly 55×55``, or ``16×16, the rows exactly`` where another dimension still drops
    padding (NS113's case, which the fix leaves as it is)."""
    padded = [w.with_pads(*p) for w, p in zip(windows, pads, strict=True)]
    outputs = format_shape(tuple(w.output for w in padded))
    exact = [i for i, w in enumerate(padded) if w.remainder == 0]
    if len(exact) == len(padded):
        return f"exactly {outputs}"
    units = dimension_units(len(windows))
    return f"{outputs}, the {' and '.join(f'{units[i]}s' for i in exact)} exactly"


def why_not_symmetric(layer: WindowedLayer, windows: Sequence[Window], indices: Sequence[int]) -> str:
    """Why no symmetric padding makes the division exact in these dimensions: parity, or the
    most padding the layer accepts. Said once where dimensions agree."""
    reasons = []
    for i in indices:
        w = windows[i]
        # W − K + 2P ≡ 0 (mod S) has a solution exactly when gcd(2, S) divides W − K.
        parity = w.stride % 2 == 0 and (w.size - w.effective_kernel) % 2 == 1
        bound = "" if parity else f" of at most {layer.max_padding(w)}"
        reasons.append(
            f"no symmetric padding{bound} makes {w.size} − {w.effective_kernel} + 2P divisible by {w.stride}"
        )
    return " and ".join(dict.fromkeys(reasons))


def exact_inputs(layer: WindowedLayer, windows: Sequence[Window], indices: Sequence[int]) -> str:
    """The nearest input sizes that divide exactly in these dimensions and that the layer
    takes, naming them unless they are all the dimensions and agree (a square input). They
    are the layer's own input sizes, which the help says: the spec's input would have to
    change otherwise, and the layers after it may then not divide."""
    # Padding that copies the input needs enough of it: a reflection of 3, 4 positions.
    least = [
        max(layer.smallest_input(w, len(windows)), least_padded(w.padding_mode, max(w.pad_before, w.pad_after)))
        for w in windows
    ]
    sizes = [(*exact_input_sizes(windows[i], least[i]), windows[i].size) for i in indices]

    def options(below: int | None, above: int) -> str:
        return f"{below} or {above}" if below is not None else str(above)

    if len(indices) == len(windows) and len(set(sizes)) == 1:
        below, above, size = sizes[0]
        return f"an input of {options(below, above)} instead of {size}"
    units = dimension_units(len(windows))
    return " and ".join(
        f"{options(below, above)} {units[i]}s instead of {size}"
        for i, (below, above, size) in zip(indices, sizes, strict=True)
    )


def ceil_mode_alternative(layer: Pool, windows: Sequence[Window]) -> str:
    """A pool can read the rest with a last, partial window instead, as GoogLeNet's pools do."""
    ceiled = [w.replaced(ceil_mode=True) for w in windows]
    if not layer.accepts(ceiled):
        return ""
    outputs = format_shape(tuple(w.output for w in ceiled))
    return f"; or `ceil_mode: true` gives {outputs}, with a last, partial window"


def check(analysis: Analysis) -> Iterator[Violation]:
    for node, layer, seen, pads in judged_windows(analysis.graph):
        failing = [i for i, w in enumerate(seen) if 1 < w.stride <= w.effective_kernel and w.drops_reachable()]
        if not failing:
            continue
        # In the order describe_windows lists the dimensions; once for a square input.
        floored = [seen[i].output for i in failing]
        message = (
            f"{layer_and_pads(node, pads)}: {describe_flooring(seen, failing)} to "
            f"{' and '.join(map(str, floored[:1] if len(set(floored)) == 1 else floored))} and "
            f"{never_read(seen, failing)} {what_becomes_of_dropped(seen, failing)}"
        )
        # Behind pads, the windows are over the map before them, which the first pad reads.
        fix, help_line = exact_fix(layer, seen, failing, pads.listed[0].name if pads else "this layer")
        if isinstance(layer, Pool):
            # Over the pool's own windows: ATen places the last window by the pool's own
            # padding, so an explicit pad's counts as input there.
            assert node.windows is not None
            help_line += ceil_mode_alternative(layer, node.windows)
        if pads:
            # The padding is the layers' together: no one edit of this layer's is the fix.
            fix, help_line = None, f"the padding of {named(pads)} and {node.name} together: {help_line}"
        # How many positions each dimension drops: a fix after which more are is no fix.
        dropped = frozenset((i, DROPPED, seen[i].dropped) for i in failing)
        yield Violation(node.index, message, fix=fix, help=help_line, axes=frozenset(failing), kinds=dropped)


#: What NS101 measures in each dimension it reports.
DROPPED = "input positions dropped after the last window"


RULE = Rule("NS101", "non-integer-output", Severity.WARNING, __doc__, check, fix="sometimes")
