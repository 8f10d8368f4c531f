"""Pure shape arithmetic shared by the layers and the rules: one spatial dimension at a time.

Notation follows the textbook and PyTorch: input W, kernel F, stride S, dilation D,
padding P (before/after), effective kernel K = D·(F − 1) + 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from fractions import Fraction
from typing import NamedTuple, TypeVar

#: The padding of one dimension: (before, after).
Pads = tuple[int, int]


#: The most input positions :meth:`Window.read_count` marks one by one (in C, about 10 ms).
MAX_COUNTED = 10**7
#: The most taps, residues or copies it steps through in Python for one window (about 1 s).
MAX_TAP_STEPS = 10**6
#: Marks written or searched in C (:meth:`Window._counting_steps`) in the time of a step of
#: Python: about 3 ns against 1 µs.
MARKS_PER_STEP = 300
#: The most such steps counting takes for all the windows of one file together, the
#: analyses that judge its fixes included: a spec of a few lines can hold many distinct
#: windows, each at the limit above.
MAX_COUNTING_STEPS = MAX_TAP_STEPS
#: The most taps, or input positions, :meth:`Window.windows_stepping_over` steps through for
#: one window (about 10 ms): asked of every window smaller than its dilation, it counts only
#: where the taps or the positions are few.
MAX_STEPPING_OVER = 10**4

#: What a :class:`CountingBudget` counts.
_Count = TypeVar("_Count")
#: Positions: whole, or fractions where a receptive field's jump is one.
_Number = TypeVar("_Number", int, Fraction)

#: What a padding mode that copies the input keeps back from the size it pads: a reflection
#: about the edge has W − 1 other positions to mirror, a wrap copies all W once at most.
_KEPT_BACK = {"reflect": 1, "circular": 0}


def padding_reach(mode: str, size: int) -> int | None:
    """The most padding a side may have in ``mode`` on ``size`` positions, None where any
    amount will do (PyTorch: "Padding size should be less than the corresponding input
    dimension", "Padding value causes wrapping around more than once")."""
    kept = _KEPT_BACK.get(mode)
    return None if kept is None else size - kept


def joined(intervals: Iterable[tuple[_Number, _Number]]) -> tuple[tuple[_Number, _Number], bool] | None:
    """The smallest interval of positions holding all of these, and whether they leave no
    position out between them; None for none."""
    ordered = sorted(intervals)
    if not ordered:
        return None
    first, last = ordered[0]
    gapless = True
    for lo, hi in ordered[1:]:
        gapless = gapless and lo <= last + 1
        last = max(last, hi)
    return (first, last), gapless


def least_padded(mode: str, padding: int) -> int:
    """The least input that ``padding`` per side in ``mode`` can pad (see :func:`padding_reach`)."""
    kept = _KEPT_BACK.get(mode)
    return 1 if kept is None else max(1, padding + kept)


#: The padding modes whose padding holds copies of the input rather than zeros.
COPYING_MODES = frozenset({"reflect", "replicate", "circular"})


def copied_position(mode: str, position: int, size: int) -> int:
    """The input position that the padding at ``position`` (< 0 or ≥ ``size``) holds a copy
    of, in one of the :data:`COPYING_MODES`."""
    if mode == "reflect":
        return -position if position < 0 else 2 * (size - 1) - position
    if mode == "replicate":
        return 0 if position < 0 else size - 1
    return position % size


#: The runs of unread positions a :class:`Holes` keeps, for a message to list.
LISTED_RUNS = 6


class Holes(NamedTuple):
    """The input positions no window reads before the dropped ones: how many, and the first
    :data:`LISTED_RUNS` runs of them, each as (first, last)."""

    total: int
    runs: tuple[tuple[int, int], ...]


NO_HOLES = Holes(0, ())


class Reading(NamedTuple):
    """What a window's taps read of the input along one dimension."""

    #: How many positions some window reads, through a padding copy too.
    positions: int
    #: The unread positions near the edges: all of them only where the taps reach every
    #: residue (:meth:`Window.edge_holes` asks for no others), since the middle is not marked.
    holes: Holes


class CountingBudget:
    """The Python steps left for counting what the windows of one file read, for each kind of
    count: what they read (NS109), what a fix's windows would read (NS107's fixes), the
    dropped positions a padding copies and those the taps reach (NS101), and windows stepping
    over the input (NS109).
    Kinds apart, what one rule counts does not depend on whether another ran. Each count is
    worked out and charged once per file: a spec repeats its layers, and the analyses that
    judge its fixes ask again of the same windows."""

    def __init__(self, steps: int = MAX_COUNTING_STEPS) -> None:
        self.steps = steps
        self._left: dict[str, int] = {}
        self._counts: dict[tuple[object, ...], object] = {}

    def counted(self, kind: str, window: tuple[object, ...], steps: int, count: Callable[[], _Count]) -> _Count | None:
        """``count()`` for a window with these settings, where counting ``kind`` for it may
        take ``steps``; None where the budget for ``kind`` has too few left."""
        work = (kind, *window)
        if work in self._counts:
            return self._counts[work]  # type: ignore[return-value]  # what count() gave
        left = self._left.get(kind, self.steps)
        if steps > left:
            return None
        self._left[kind] = left - steps
        result = self._counts[work] = count()
        return result


class Window:
    """One spatial dimension of a sliding-window layer (convolution or pooling).

    Immutable by convention (:meth:`replaced` makes a changed copy). A slotted class whose
    derived sizes are computed once, on construction: every rule reads them for every
    window of every layer, and as properties they cost a third of a check's analysis.
    """

    __slots__ = (
        "ceil_mode",
        "counting",
        "dilation",
        "effective_kernel",
        "kernel",
        "output",
        "pad_after",
        "pad_before",
        "padding_mode",
        "size",
        "span",
        "stride",
    )

    def __init__(
        self,
        size: int,
        kernel: int,
        stride: int,
        dilation: int,
        pad_before: int,
        pad_after: int,
        ceil_mode: bool = False,
        padding_mode: str = "zeros",
    ) -> None:
        self.size = size
        self.kernel = kernel
        self.stride = stride
        self.dilation = dilation
        self.pad_before = pad_before
        self.pad_after = pad_after
        self.ceil_mode = ceil_mode
        #: What the padding holds: zeros, or copies of the input (``copied_position``).
        self.padding_mode = padding_mode
        #: K = D·(F − 1) + 1.
        self.effective_kernel = dilation * (kernel - 1) + 1
        #: W + P_before + P_after − K: the distance the window travels.
        self.span = size + pad_before + pad_after - self.effective_kernel
        #: PyTorch's output size (``pooling_output_shape_pad_lr`` in ATen's Pool.h).
        self.output = self._ceil_output() if ceil_mode else self.span // stride + 1
        #: The budget of the file the window belongs to, for counting what it reads
        #: (None: only each window's own limits).
        self.counting: CountingBudget | None = None

    def _ceil_output(self) -> int:
        out = -(-self.span // self.stride) + 1
        # The last window must start inside the input or the left padding.
        if (out - 1) * self.stride >= self.size + self.pad_before:
            out -= 1
        return out

    def __repr__(self) -> str:
        return (
            f"Window(size={self.size}, kernel={self.kernel}, stride={self.stride}, dilation={self.dilation}, "
            f"pad_before={self.pad_before}, pad_after={self.pad_after}, ceil_mode={self.ceil_mode}, "
            f"padding_mode={self.padding_mode!r})"
        )

    @property
    def remainder(self) -> int:
        """How far the last window stops short of the end of the padded input (floor mode)."""
        return self.span % self.stride

    @property
    def shrinks(self) -> bool:
        """A stride-1 window whose output is smaller than its input (NS102's concern), but for
        one window over exactly the whole unpadded input: a conv standing for a dense layer
        (VGG's fc6 as a 7×7 conv on 7×7) is meant to give one output."""
        return self.stride == 1 and self.output < self.size and not self.covers_whole_input

    @property
    def resizes(self) -> bool:
        """A stride-1 window that shrinks or grows its input (NS102's concern)."""
        return self.shrinks or self.grows

    @property
    def grows(self) -> bool:
        """A stride-1 window whose output is larger than its input: padding beyond the kernel's
        half (NS102's concern too), as 3×3 with padding 2 gives W + 2."""
        return self.stride == 1 and self.output > self.size

    @property
    def covers_whole_input(self) -> bool:
        """One undilated window over exactly the whole unpadded input."""
        return self.span == 0 and self.dilation == 1 and not self.pad_before and not self.pad_after

    @property
    def dropped(self) -> int:
        """Input positions (not padding) after the last window of a floor-mode layer: no
        window covers them, and with zero padding none reads them."""
        # At most the whole input: windows that lie in the padding before it cover none of it.
        return min(self.size, max(0, self.span % self.stride - self.pad_after)) if not self.ceil_mode else 0

    def drops_reachable(self) -> bool:
        """Whether some :attr:`dropped` position is one the taps reach away from the end, which
        further windows would read. Where none is, the stride and the dilation skip them as
        they skip positions throughout (stride 2 with dilation 2 reads only the even ones), not
        the floor. Taken as reachable where looking would take more than :data:`MAX_TAP_STEPS`
        steps, or more than the file has left."""
        dropped = self.dropped
        if not dropped:
            return False
        shared = math.gcd(self.stride, self.dilation)
        period = self.stride // shared
        first, last = self.size - dropped, self.size - 1
        if self.kernel >= period:  # the taps reach every position ≡ −P modulo gcd(S, D)
            return first + (-(first + self.pad_before)) % shared <= last

        def reached() -> bool:
            if self.kernel <= dropped:
                # Tap j reaches D·j − P modulo S: fewer than S positions are dropped, so at
                # most one of them.
                return any(
                    first + (self.dilation * j - self.pad_before - first) % self.stride <= last
                    for j in range(self.kernel)
                )
            # Position p is reached by tap (p + P)/g · (D/g)⁻¹ modulo S/g, where g divides p + P.
            inverse = pow(self.dilation // shared, -1, period)
            return any(
                (position + self.pad_before) % shared == 0
                and (position + self.pad_before) // shared * inverse % period < self.kernel
                for position in range(first, last + 1)
            )

        steps = min(dropped, self.kernel)
        return steps > MAX_TAP_STEPS or self._counted("reaching", steps, reached) is not False

    def dropped_copies(self) -> int | None:
        """How many of the :attr:`dropped` positions a window reads a padding copy of (a
        wrap puts the last positions before the first); None where counting them would
        cost more than :data:`MAX_TAP_STEPS` steps."""
        if not self.dropped or self.padding_mode not in COPYING_MODES:
            return 0
        first_dropped = self.size - self.dropped
        if self.padding_mode == "replicate":
            # Every position before the input copies the first, which the first window reads.
            return int(first_dropped == 0 and self.pad_before > 0)
        # Each tap reads the padding before the input in at most P/S + 1 windows.
        steps = self.kernel * min(self.output, self.pad_before // self.stride + 1)
        if steps > MAX_TAP_STEPS:
            return None

        def count() -> int:
            # The windows stop before the padding after the input, so only the padding before it counts.
            copies = {copied_position(self.padding_mode, p, self.size) for p in self._padding_read(after=False)}
            return sum(1 for c in copies if c >= first_dropped)

        return self._counted("dropped copies", steps, count)

    def _padding_read(self, *, after: bool = True) -> Iterator[int]:
        """The padding positions the windows read: before the input (< 0) and, unless not
        ``after``, after it (≥ W)."""
        last = (self.output - 1) * self.stride
        for tap in range(0, self.effective_kernel, self.dilation):
            # Tap j of window i reads S·i + D·j − P, for i from 0 to output − 1.
            first = tap - self.pad_before
            stop = first + last + 1
            yield from range(first, min(0, stop), self.stride)
            if after:
                beyond = max(first, first + -(-(self.size - first) // self.stride) * self.stride)
                yield from range(beyond, stop, self.stride)

    def positions_read(self) -> tuple[int, int]:
        """(n, S): the windows read n of every S input positions, away from the edges.

        Tap j of window i reads S·i + D·j − P, so the positions read repeat with period S,
        and within one period they are the residues of D·j: multiples of g = gcd(S, D), of
        which the F taps reach min(F, S / g). Stride 2 with dilation 2 reads the even
        positions only, however large the window.
        """
        return min(self.kernel, self.stride // math.gcd(self.stride, self.dilation)), self.stride

    def read_count(self, kind: str = "reading") -> int | None:
        """How many input positions (not padding) some window reads, edges included; None
        where counting them would cost more than :data:`MAX_COUNTED` marks or
        :data:`MAX_TAP_STEPS` taps, or more steps than its file has left
        (:class:`CountingBudget`) for this ``kind`` of count."""
        if self.output == 1 and self.padding_mode == "zeros":
            return len(self._taps_reaching(0, self.size))  # one window: each tap, one position
        reading = self._reading(kind)
        return None if reading is None else reading.positions

    def edge_holes(self) -> Holes | None:
        """The input positions no window reads, before the :attr:`dropped` ones (NS101's),
        where every position is read away from the edges: a dilated layer's first windows
        start at the input, so their spaced taps miss positions that only windows starting in
        the padding would reach (kernel 6, stride 5, dilation 2 misses positions 1 and 3, and
        its last window 2 of the 4 it spans). None where counting would cost too much (see
        :meth:`read_count`)."""
        read, every = self.positions_read()
        # Contiguous taps, or one step at a time over at least D outputs, leave none.
        if read < every or self.dilation == 1 or (self.stride == 1 and self.output >= self.dilation):
            return NO_HOLES
        reading = self._reading("reading")
        return None if reading is None else reading.holes

    def _reading(self, kind: str) -> Reading | None:
        """What the window reads, where counting it is within its limits and its file's budget
        for this ``kind`` of count."""
        steps = self._counting_steps()
        if steps is None:
            return None
        return self._counted(kind, steps, lambda: _marked(self))

    def _counted(self, kind: str, steps: int, count: Callable[[], _Count]) -> _Count | None:
        """``count()``, within the file's budget for this ``kind`` of count."""
        return count() if self.counting is None else self.counting.counted(kind, self._settings(), steps, count)

    def _settings(self) -> tuple[int, int, int, int, int, int, bool, str]:
        """What the window is made of: equal settings read equal positions."""
        return (
            self.size,
            self.kernel,
            self.stride,
            self.dilation,
            self.pad_before,
            self.pad_after,
            self.ceil_mode,
            self.padding_mode,
        )

    def window_reads(self, index: int) -> bool:
        """Whether window ``index`` has a tap on the input, not on the padding: its first tap
        at or past the input's start, S·i + D·j ≥ P, before its end."""
        start = index * self.stride - self.pad_before
        tap = max(0, -(start // self.dilation))  # ceil(−start/D)
        return tap < self.kernel and start + tap * self.dilation < self.size

    def reads_nothing(self) -> bool:
        """Whether every tap of every window lies in zero padding (a copying mode's padding
        holds the input, and is read through it). Asked first of the first window, whose
        reading any of the input settles it at once."""
        if self.padding_mode != "zeros" or self.output < 1 or self.window_reads(0):
            return False
        return self.read_count() == 0

    def windows_stepping_over(self) -> int | None:
        """How many windows meet the input yet have every tap in zero padding: taps more than
        W apart step over all of it (kernel 2 with dilation 4, padded 4, on 1 position: the
        windows 1 to 3 of 5). A window wholly in the padding steps over nothing (NS107's).
        None where both the taps that reach the input and its positions number more than
        :data:`MAX_STEPPING_OVER`, or more than its file's budget has left for this count."""
        if self.padding_mode != "zeros" or self.size >= self.dilation or self.kernel < 2:
            return 0
        # A window has at most one tap on the input, the taps being further apart than it is
        # long: the windows that read it are its (window, tap) pairs, counted by tap or by position.
        taps = self._taps_reaching(0, self.size)
        steps = min(len(taps), self.size)
        if steps > MAX_STEPPING_OVER:
            return None

        def count() -> int:
            if len(taps) <= self.size:
                reading = sum(self._starting(-self.dilation * j, self.size - 1 - self.dilation * j) for j in taps)
            else:
                reading = sum(map(self._pairs_reading, range(self.size)))
            return self._starting(1 - self.effective_kernel, self.size - 1) - reading

        return self._counted("stepping over", steps, count)

    def _starting(self, lo: int, hi: int) -> int:
        """How many windows start (S·i − P) in [lo, hi]."""
        first = max(0, -(-(lo + self.pad_before) // self.stride))
        last = min(self.output - 1, (hi + self.pad_before) // self.stride)
        return max(0, last - first + 1)

    def _pairs_reading(self, position: int) -> int:
        """How many (window i, tap j) pairs read ``position``: S·i + D·j = position + P, with i
        and j in range. The i that solve it are one residue modulo D/g, g = gcd(S, D)."""
        target = position + self.pad_before
        shared = math.gcd(self.stride, self.dilation)
        if target % shared:
            return 0
        period = self.dilation // shared
        residue = target // shared * pow(self.stride // shared, -1, period) % period if period > 1 else 0
        # Tap j = (target − S·i)/D lies in [0, F): S·i from target − D·(F − 1) to target.
        lo = max(0, -(-(target - self.dilation * (self.kernel - 1)) // self.stride))
        hi = min(self.output - 1, target // self.stride)
        first = lo + (residue - lo) % period
        return 0 if first > hi else (hi - first) // period + 1

    def surely_skips(self) -> bool:
        """Whether some input position is unread for certain, without counting: between the
        edges (and clear of the positions a padding mode copies), a whole period of S
        positions holds one that no tap's residue reaches."""
        read, every = self.positions_read()
        a, b = self._middle()
        # Copies are of the positions within the padding's width of an edge.
        reach = max(self.pad_before, self.pad_after) if self.padding_mode in COPYING_MODES else -1
        if read < every and min(b, self.size - 1 - reach) - max(a, reach + 1) >= every:
            return True
        # Windows narrower than the stride leave a gap between the first two: [K − P, S − P).
        gap = (
            max(self.effective_kernel - self.pad_before, reach + 1),
            min(self.stride - self.pad_before, self.size - 1 - reach),
        )
        return self.stride > self.effective_kernel and self.output >= 2 and gap[0] < gap[1]

    def _middle(self) -> tuple[int, int]:
        """[a, b): where position p is read exactly when some tap j has its residue,
        p ≡ D·j − P (mod S), since that tap's window i = (p + P − D·j)/S lies in [0, O) for
        every j: from the last tap of the first window to the first tap of the last. Not
        clipped to the input."""
        return max(0, self.effective_kernel - 1 - self.pad_before), (
            self.output - 1
        ) * self.stride - self.pad_before + 1

    def _edges(self) -> tuple[int, int]:
        """(a, b): positions before a and from b on are marked one by one, those between
        (:meth:`_middle`) counted. A mode whose padding copies the input reads copies
        anywhere: it is marked whole."""
        if self.padding_mode in COPYING_MODES:
            return self.size, self.size
        a, b = self._middle()
        a = min(self.size, a)
        return a, max(a, min(self.size, b))

    def _counting_steps(self) -> int | None:
        """What marking costs, in steps of Python: the taps that reach the edges, the residues
        that count the middle, and, with a padding mode that copies the input, the copies; and
        the marks, written and searched in C (:data:`MARKS_PER_STEP` to a step). None where
        it would cost more than :data:`MAX_COUNTED` marks or :data:`MAX_TAP_STEPS` steps."""
        a, b = self._edges()
        if self.padding_mode in COPYING_MODES:
            # Each tap reads at most P/S + 1 padding positions a side, each copied in Python.
            copies = 2 * self.kernel * min(self.output, max(self.pad_before, self.pad_after) // self.stride + 1)
            marks = self.size + self.kernel * self.output  # the input, marked whole
            countable = self.size <= MAX_COUNTED and self.kernel * self.output <= MAX_COUNTED
            return self.kernel + copies + marks // MARKS_PER_STEP if countable and copies <= MAX_TAP_STEPS else None
        # Each tap that reaches an edge writes at most (hi − lo)/S + 1 marks into it.
        taps = [(len(self._taps_reaching(lo, hi)), hi - lo) for lo, hi in ((0, a), (b, self.size))]
        steps = sum(count for count, _ in taps)
        marks = sum(count * (width // self.stride + 1) for count, width in taps)
        residues = self.positions_read()[0] if b > a else 0
        countable = marks <= MAX_COUNTED and steps <= MAX_TAP_STEPS and residues <= MAX_TAP_STEPS
        searched = a + self.size - b  # the edges' marks, searched for runs of holes
        return steps + residues + (marks + searched) // MARKS_PER_STEP if countable else None

    def _taps_reaching(self, lo: int, hi: int) -> range:
        """The taps j some window of which reads a position of [lo, hi): tap j reads from
        D·j − P to D·j − P + (O − 1)·S."""
        if lo >= hi:
            return range(0)
        last = (self.output - 1) * self.stride
        first = max(0, -(-(lo - last + self.pad_before) // self.dilation))
        stop = min(self.kernel, -(-(hi + self.pad_before) // self.dilation))
        return range(first, max(first, stop))

    def _marks(self, lo: int, hi: int) -> bytearray:
        """1 at each position of [lo, hi) some window reads (through a padding copy, too), else 0."""
        read = bytearray(hi - lo)
        last = (self.output - 1) * self.stride
        taps = range(self.kernel) if self.padding_mode in COPYING_MODES else self._taps_reaching(lo, hi)
        for j in taps:
            # Tap j of window i reads S·i + D·j − P, for i from 0 to output − 1.
            start = self.dilation * j - self.pad_before
            first = start if start >= lo else start + -(-(lo - start) // self.stride) * self.stride
            stop = min(hi, start + last + 1)
            if first < stop:
                read[first - lo : stop - lo : self.stride] = b"\x01" * len(range(first, stop, self.stride))
        if self.padding_mode in COPYING_MODES:  # marked whole (_edges): lo = 0, hi = W
            # Each padding position read is one tap of one window: no more than _counting_steps allows.
            for position in self._padding_read():
                read[copied_position(self.padding_mode, position, self.size)] = 1
        return read

    def _middle_count(self, a: int, b: int) -> int:
        """How many positions of [a, b) are read: those with the residue of a tap."""
        read, every = self.positions_read()
        if read == every or b <= a:
            # No middle to count (:meth:`_edges`; say, every window in the padding before the
            # input): no residue to list, and :meth:`_counting_steps` charged none.
            return max(0, b - a)
        # Taps j < S/gcd(S, D) have distinct residues, and later ones repeat them.
        residues = {(self.dilation * j - self.pad_before) % every for j in range(read)}
        return sum((b - 1 - r) // every - (a - 1 - r) // every for r in residues)

    def replaced(
        self,
        *,
        size: int | None = None,
        pad_before: int | None = None,
        pad_after: int | None = None,
        ceil_mode: bool | None = None,
        padding_mode: str | None = None,
    ) -> Window:
        """A copy with the settings given changed."""
        changed = Window(
            self.size if size is None else size,
            self.kernel,
            self.stride,
            self.dilation,
            self.pad_before if pad_before is None else pad_before,
            self.pad_after if pad_after is None else pad_after,
            self.ceil_mode if ceil_mode is None else ceil_mode,
            self.padding_mode if padding_mode is None else padding_mode,
        )
        changed.counting = self.counting
        return changed

    def with_pads(self, before: int, after: int) -> Window:
        return self.replaced(pad_before=before, pad_after=after)

    def formula(self) -> str:
        """The output size in textbook terms, e.g. ``(224 − 11 + 2·0)/4 + 1 = 54.25``."""
        padding = f"2·{self.pad_before}" if self.pad_before == self.pad_after else f"{self.pad_before}+{self.pad_after}"
        kernel = str(self.kernel) if self.dilation == 1 else f"({self.dilation}·({self.kernel} − 1) + 1)"
        exact = self.span / self.stride + 1
        # Fixed-point, never scientific: the point is to show the arithmetic.
        value = f"{exact:.4f}".rstrip("0").rstrip(".").replace("-", "−")
        if self.stride == 1:
            return f"{self.size} − {kernel} + {padding} + 1 = {value}"
        return f"({self.size} − {kernel} + {padding})/{self.stride} + 1 = {value}"


def _marked(window: Window) -> Reading:
    """What the window reads: the positions near the edges one by one, those between by their
    residues, so that a long input costs no more than a short one."""
    a, b = window._edges()
    parts = [(0, window._marks(0, a))] + ([(b, window._marks(b, window.size))] if b < window.size else [])
    # Runs of holes are found a run at a time, in C: a dilated layer may leave millions. No
    # run crosses from one part to the other: position a is read, by the first window's last tap.
    end = window.size - window.dropped
    runs: list[tuple[int, int]] = []
    holes = 0
    for offset, read in parts:
        stop = min(len(read), end - offset)
        if stop <= 0:
            continue
        holes += read.count(0, 0, stop)
        position = read.find(0, 0, stop)
        while position != -1 and len(runs) < LISTED_RUNS:
            after = read.find(1, position, stop)
            runs.append((offset + position, offset + (stop if after == -1 else after) - 1))
            position = -1 if after == -1 else read.find(0, after, stop)
    count = window._middle_count(a, b) + sum(read.count(1) for _, read in parts)
    return Reading(count, Holes(holes, tuple(runs)))


def split_total(total: int) -> Pads:
    """A total padding split as evenly as possible, the odd pixel after (PyTorch's convention)."""
    return total // 2, total - total // 2


def same_pads(effective_kernel: int) -> Pads:
    """PyTorch's ``padding='same'`` for stride 1: total K − 1, the odd pixel after."""
    return split_total(effective_kernel - 1)


def same_output(window: Window) -> int:
    """The output a 'same' layer gives: ceil(W/S)."""
    return -(-window.size // window.stride)


def same_output_pads(window: Window) -> Pads:
    """The smallest padding that gives the output a 'same' layer gives, ceil(W/S), split as
    evenly as possible: TensorFlow's SAME, and at stride 1 PyTorch's 'same' (W itself)."""
    want = same_output(window)
    return split_total(max((want - 1) * window.stride + window.effective_kernel - window.size, 0))


def exact_division_pads(window: Window, max_pad: int) -> tuple[int | None, Pads | None]:
    """Paddings that make (W + P_before + P_after − K) divisible by S.

    Returns the nearest symmetric padding P (≤ ``max_pad``) and the nearest per-side padding
    (each side ≤ ``max_pad``); either is None when none exists. Ties go to the larger padding,
    which keeps more output. The totals that divide are those ≡ K − W (mod S), so each answer
    is worked out, not searched for: a stride of 10⁸ costs what a stride of 2 does.
    """
    current = window.pad_before + window.pad_after
    lowest, highest = max(0, window.effective_kernel - window.size), 2 * max_pad
    stride = window.stride
    residue = (window.effective_kernel - window.size) % stride
    total = _nearest_congruent(residue, stride, lowest, highest, current)
    # An even total as well: with an even stride every total in the class has the residue's
    # parity; with an odd one, every other total of the class is even (period 2S).
    if stride % 2 == 0:
        symmetric = None if residue % 2 else total
    else:
        symmetric = _nearest_congruent(residue + stride * (residue % 2), 2 * stride, lowest, highest, current)
    return (None if symmetric is None else symmetric // 2), (None if total is None else split_total(total))


def _nearest_congruent(residue: int, period: int, low: int, high: int, target: int) -> int | None:
    """The t in [low, high] with t ≡ residue (mod period) nearest to ``target``, the larger on a
    tie; None where there is none."""
    if low > high:
        return None
    centre = min(max(target, low), high)
    below = centre - (centre - residue) % period
    above = below if below == centre else below + period
    found = [t for t in (below, above) if low <= t <= high]
    return min(found, key=lambda t: (abs(t - target), -t), default=None)


def exact_input_sizes(window: Window, smallest: int = 1) -> tuple[int | None, int]:
    """The nearest input sizes below and above W for which the division is exact, with the
    same padding; none below when that would be under ``smallest``, the least input the layer
    takes (1, as padding can exceed F)."""
    below = window.size - window.remainder
    return (below if below >= smallest else None), below + window.stride


def transposed_output(size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int) -> int:
    """PyTorch's ``ConvTranspose`` output: (W − 1)·S − 2P + D·(F − 1) + output_padding + 1."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def transposed_formula(size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int) -> str:
    """:func:`transposed_output` worked, e.g. ``(14 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 28``."""
    out = transposed_output(size, kernel, stride, padding, output_padding, dilation)
    value = str(out).replace("-", "−")
    return f"({size} − 1)·{stride} − 2·{padding} + {dilation}·({kernel} − 1) + {output_padding} + 1 = {value}"


def split_padding(before: int, after: int) -> tuple[int, Pads]:
    """Per-side zero padding as PyTorch can run it: the module's own symmetric padding
    min(before, after), and the excess on one side padded explicitly before it."""
    native = min(before, after)
    return native, (before - native, after - native)


def excess_pads(windows: Sequence[Window]) -> list[Pads]:
    """What :func:`split_padding` leaves to an explicit pad, per window: a copy of the input
    padded on one side, where the sides differ."""
    return [split_padding(w.pad_before, w.pad_after)[1] for w in windows]


def split_pool_output(window: Window) -> int:
    """The output size of :func:`split_padding`'s explicit pad followed by the pool.

    It equals :attr:`Window.output` except in ``ceil_mode`` with more padding after than
    before: the explicit pad then moves the end of the input, and a last window that ATen's
    rule would drop (it starts in the after-padding) is kept. Every other case returns
    ``window.output`` at once: this runs for every pooling window of every check.
    """
    if not (window.ceil_mode and window.pad_after > window.pad_before):
        return window.output
    native, (before, after) = split_padding(window.pad_before, window.pad_after)
    size = window.size + before + after
    return window.replaced(size=size, pad_before=native, pad_after=native).output
