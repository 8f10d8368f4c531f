"""A conv or pooling layer's windows step over input positions that none of them reads.

## What it does
Fires when the windows of a conv or pooling layer, stepped by the stride S, never read some
input positions along a spatial dimension. Tap j of window i reads position S·i + D·j − P,
so the windows read min(F, S / gcd(S, D)) of every S positions. That is fewer than S when
the stride is larger than the window, S > D·(F − 1) + 1, and also when the stride and the
dilation share a factor: stride 2 with dilation 2 reads only the even positions, whatever the
kernel. Where every residue is read, the spaced taps of a dilated layer can still miss
positions next to the edges, which only windows starting in the padding would reach: kernel 3,
stride 3 and dilation 2 on 29 positions never read positions 1 and 27. So can a layer of
stride 1 with fewer outputs than its dilation, even one padded to keep the map's size: kernel
2 with dilation 4, padded 'same', never reads the middle of 3 positions, and of 2 reads none.
Taps further apart than the input is long can step over all of it: kernel 2 with dilation 3
and padding 2, on 2 positions, reads them from its first and last windows, and its middle
window reads only padding, its taps on either side of the input. (A window wholly in the
padding on one side of the input, an outermost one, is NS107's.) A layer
that reads none of its input, every window lying in the padding, is an error: its output is
its bias alone, or, from a max pool, -inf.
Positions after the last window are NS101's, but where the stride is larger than the window,
or they lie where no tap reaches, NS101 keeps silent, and they count here (so a
`noqa: NS109` there silences them too). The share it gives counts the positions read at the
edges too, and, with a `padding_mode` that copies the input, those read through their copies
in the padding. The `pad` layers that feed the layer count as its padding, as in NS101,
which also says where the rule then keeps silent; but not those before a normalisation by
statistics over the positions (batchnorm, groupnorm, instancenorm), which gives their
padding values of the input's. Counting marks the positions near the edges one by one (with
a `padding_mode` that copies the input, all of them), and counts those between by their
residues; past ten million marks, or a million taps, for one layer, the share is "about" one
(the periodic share, or fewer where the windows are few), the layer is said to skip only
where it surely does, and holes at the edges go unlisted. Windows stepping over the input
are counted by the taps that reach it or by its positions, whichever are fewer; past ten
thousand of both, they go uncounted.

## Why is this bad?
The layer throws input away by construction. A 1×1 stride-2 projection (ResNet's
downsampling shortcut) reads one input pixel in four. ResNet-D ("Bag of Tricks", He et al.
2019) fixes that with a 2×2 average pool before a stride-1 projection. A dilated, strided
convolution reads a grid with holes, the "gridding" of dilated networks. A window that
steps over the whole input makes an output of the bias alone: compute spent on a feature
that means nothing. When the skipping is the published design, silence it with
`# noqa: NS109`.

## Example
```yaml
- {type: conv, filters: 128, kernel: 1, stride: 2}
- {type: conv, filters: 128, kernel: 3, stride: 2, dilation: 2, padding: 2}
```

## Fix
No automatic fix: use a kernel at least as large as the stride and a dilation that shares no
factor with it, or pool before a stride-1 layer. Holes at the edges alone go with dilation 1,
or with padding that starts windows before the input; windows that step over the input, with
a dilation no larger than the input's size.
"""

import math
import sys
from collections.abc import Iterable, Iterator
from fractions import Fraction

from netspec.analysis import Analysis
from netspec.diagnostics import Severity
from netspec.graph import Node
from netspec.layers.arithmetic import NO_HOLES, Holes, Window
from netspec.layers.windowed import along
from netspec.rules.base import Rule, Violation
from netspec.rules.explicit_pad import judged_windows


def check(analysis: Analysis) -> Iterator[Violation]:
    for node, layer, windows, feeding in judged_windows(analysis.graph, through_statistics=False):
        reads = [w.positions_read() for w in windows]
        # Away from the edges the pattern repeats; on a small input the windows may still
        # reach every position (stride 4 on a width of 1), and the edges change the share.
        counts = [w.read_count() if read < every else None for w, (read, every) in zip(windows, reads, strict=True)]
        # Uncounted (too costly), a layer is said to skip only where it surely does.
        skipping = [
            i
            for i, ((read, every), count) in enumerate(zip(reads, counts, strict=True))
            if read < every and (windows[i].surely_skips() if count is None else count < windows[i].size)
        ]
        holes = [w.edge_holes() or NO_HOLES for w in windows]
        # Uncounted (too costly), as above, a window is not said to step over the input.
        over = {i: n for i, w in enumerate(windows) if (n := w.windows_stepping_over())}
        stepping = {i: _stepping_over(windows[i], n) for i, n in over.items()}
        # How many windows step over the input, per dimension: a fix after which more do is worse.
        stepped = {(i, STEPPING_OVER, n) for i, n in over.items()}
        if not skipping and not any(h.total for h in holes):
            # Windows that skip nothing may still all lie in the padding before the input,
            # where the few positions it has are NS101's, dropped after the last window.
            blind = [i for i, w in enumerate(windows) if w.reads_nothing()]
            if blind:
                lies = f"every window lies in the padding{along(len(windows), blind)}"
                yield _reading_none(node, windows, f"{node.name}: {lies}; the layer reads none of its input")
            elif stepping:
                yield Violation(
                    node.index,
                    f"{node.name}: {_grouped(stepping, len(windows))}",
                    help=_stepping_over_help(len(windows), stepping),
                    axes=frozenset(stepping),
                    kinds=frozenset(stepped),
                )
            continue
        shares = [_share(w, read, every, count) for w, (read, every), count in zip(windows, reads, counts, strict=True)]
        fraction = math.prod((share for share, _ in shares), start=Fraction(1))
        # Too costly to count, a dimension's share is an estimate, and the message says so.
        about = "" if all(exact for _, exact in shares) else "about "
        gaps = {
            i: _gap(windows[i], *reads[i]) if i in skipping else _edge_gap(windows[i], holes[i])
            for i in range(len(windows))
            if i in skipping or holes[i].total
        }
        if not fraction:
            # Every tap in the padding (kernel 2, dilation 4, 'same' on 2), along the dimensions
            # that read nothing, which need not be those with gaps.
            blind = [i for i, (share, _) in enumerate(shares) if not share]
            lying = f"every window lying in the padding{along(len(windows), blind)}"
            gap = _grouped(gaps, len(windows))
            yield _reading_none(node, windows, f"{node.name}: {gap}; the layer reads none of its input, {lying}")
            continue
        for i, phrase in stepping.items():
            gaps[i] = f"{gaps[i]}, and {phrase}" if i in gaps else phrase
        gap = _grouped(gaps, len(windows))
        if skipping:
            # Every position is read exactly when F ≥ S and gcd(S, D) = 1: the help names both.
            shared = any(math.gcd(windows[i].stride, windows[i].dilation) > 1 for i in skipping)
            help = (
                "use a kernel at least as large as the stride"
                + (" and a dilation that shares no factor with it" if shared else "")
                + ", or average-pool before a stride-1 layer (ResNet-D)"
                + (f"; {_stepping_over_help(len(windows), stepping)}" if stepping else "")
                # ResNet's 1×1 stride-2 shortcut is published design: say how to keep it.
                + "; where skipping is the design, add `# noqa: NS109`"
            )
        else:
            # More padding helps only a layer that takes it (a pool takes half its window), and
            # whose taps then step over nothing: dilation 1 cures both.
            roomy = not stepping and (
                bool(feeding)
                or any(max(windows[i].pad_before, windows[i].pad_after) < layer.max_padding(windows[i]) for i in gaps)
            )
            help = "use dilation 1" + (
                ", or pad the edges, which only windows that start in the padding read" if roomy else ""
            )
        message = f"{node.name}: {gap}; the layer reads only {about}{_shown_share(fraction)} of its input"
        # How many positions go unread along each dimension: a fix after which more do is worse.
        unread = {
            (i, UNREAD, round(windows[i].size * (1 - share)))
            for i, (share, _) in enumerate(shares)
            if i in skipping or holes[i].total
        }
        kinds = frozenset(unread | stepped)
        yield Violation(node.index, message, help=help, axes=frozenset(gaps), kinds=kinds)


#: The kinds of problem NS109 tells apart: a fix after which input positions go unread, where
#: windows only stepped over the input (a dilated kernel padded less), is no safe fix.
UNREAD = "input positions left unread"
STEPPING_OVER = "windows stepping over the input"


def _grouped(phrases: dict[int, str], rank: int) -> str:
    """Each dimension's phrase once, with the dimensions it holds for."""
    dimensions: dict[str, list[int]] = {}
    for i, phrase in phrases.items():
        dimensions.setdefault(phrase, []).append(i)
    return ", and ".join(phrase + along(rank, held) for phrase, held in dimensions.items())


def _stepping_over(window: Window, count: int) -> str:
    """``2 of its 5 windows read only padding, their taps 4 apart stepping over all 3 input
    positions``."""
    verb, their = ("reads", "its") if count == 1 else ("read", "their")
    over = {1: "the input position", 2: "both input positions"}.get(window.size, f"all {window.size:,} input positions")
    return (
        f"{count:,} of its {window.output:,} windows {verb} only padding, "
        f"{their} taps {window.dilation:,} apart stepping over {over}"
    )


def _stepping_over_help(rank: int, over: Iterable[int]) -> str:
    """The help for windows whose taps step over the whole input along the dimensions ``over``."""
    return f"use a dilation no larger than the input's size{along(rank, over)}, so that no window's taps step over it"


def _reading_none(node: Node, windows: list[Window], message: str) -> Violation:
    """The error for a layer that reads none of its input: its output holds nothing of it (a
    bias, or a max pool's -inf), whatever the design. It is the whole layer's problem, in no
    axis of its own, and of every kind: a fix after which the layer reads some of its input
    makes it no worse."""
    every = frozenset((i, kind, sys.maxsize) for i in range(len(windows)) for kind in (UNREAD, STEPPING_OVER))
    return Violation(node.index, message, help=_cure(windows), severity=Severity.ERROR, kinds=every)


def _cure(windows: list[Window]) -> str:
    """The help for a layer that reads none of its input: spaced taps that step over it, or
    contiguous windows padded past it."""
    dilated = any(w.dilation > 1 for w in windows)
    return "use dilation 1, whose windows are contiguous" if dilated else "use less padding"


def _share(window: Window, read: int, every: int, count: int | None) -> tuple[Fraction, bool]:
    """The share of the input positions read along one dimension, and whether it is exact.
    One that skips none may still drop the last positions (NS101), unless its padding copies
    them; and with stride 1, fewer outputs than the dilation leave gaps between the taps."""
    if count is None and read == every:
        if window.stride == 1 and window.output >= window.dilation:
            return Fraction(1), True  # one step at a time over at least D outputs: every position
        count = window.read_count()
        if count is None and window.padding_mode == "zeros" and window.stride > 1:
            # Every position up to the dropped ones, but for holes at the edges, uncounted.
            return Fraction(window.size - window.dropped, window.size), window.dilation == 1
    if count is None:
        # The periodic share, but where the windows are few, the taps, each of which reads
        # one position (one window of 3 taps on 2³¹ − 1 positions reads 3).
        taps = Fraction(min(window.kernel * window.output, window.size), window.size)
        return min(Fraction(read, every), taps), False
    return Fraction(count, window.size), True


#: The largest denominator a share is shown with alone: 3/7 reads at a glance, 6,561/8,410 not.
_PLAIN_DENOMINATOR = 100


def _shown_share(share: Fraction) -> str:
    """The share exactly, then, for a large denominator, in per cent, to as many decimals as
    keep it off 0% and 100% (up to four)."""
    exact = f"{share.numerator:,}/{share.denominator:,}"
    if share.denominator <= _PLAIN_DENOMINATOR:
        return exact
    percent = float(share * 100)
    for decimals in range(5):
        shown = f"{percent:.{decimals}f}"
        if 0 < float(shown) < 100:
            return f"{exact} ({shown}%)"
    return f"{exact} ({'over 99.9999' if percent > 50 else 'under 0.0001'}%)"


def _edge_gap(window: Window, holes: Holes) -> str:
    """The positions next to the edges that no tap of a dilated layer reads, as runs."""
    shown = [f"{first:,}" if first == last else f"{first:,}–{last:,}" for first, last in holes.runs]
    more = holes.total - sum(last - first + 1 for first, last in holes.runs)
    if more:  # a kernel of hundreds, dilated by hundreds, leaves hundreds
        listed = f"{', '.join(shown)} and {more:,} more"
    else:
        listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    return (
        f"kernel {window.kernel} with dilation {window.dilation} and stride {window.stride} "
        f"never reads input {'position' if holes.total == 1 else 'positions'} {listed} (from 0)"
    )


def _gap(window: Window, read: int, every: int) -> str:
    if window.stride > window.effective_kernel:
        return f"stride {window.stride} > window {window.effective_kernel}"
    return (
        f"stride {window.stride} with kernel {window.kernel} and dilation {window.dilation} "
        f"reads {read} of every {every} positions"
    )


RULE = Rule("NS109", "stride-skips-input", Severity.WARNING, __doc__, check, also=Severity.ERROR)
