"""Receptive fields: how much of the input each output position sees, per spatial dimension.

Going forward from the input (r = 1, j = 1, no padding), with the recurrence of Araujo,
Norris & Sim, "Computing Receptive Fields of Convolutional Neural Networks" (Distill, 2019),
for a conv or pooling layer with effective kernel K = D·(F − 1) + 1, stride S and padding
P before:

    r ← r + (K − 1)·j        j ← j·S        P_eff ← P_eff + P·j   (j before the update)

The centre of output index y then lies at input coordinate −P_eff + y·j + (r − 1)/2.

Each layer model says how it moves the field (``receptive_dims``), with the steps defined here:
``Field1D.window`` for conv and pooling, ``transposed``, ``upsampled``, ``adaptive``,
``shifted`` for crop and pad, and :func:`merged` for ``add``/``multiply``/``concat``. Padding
counts as zeros in every mode (a ``pad``'s, a conv's ``padding_mode``): the input positions a
reflected or wrapped border reads are left out, so NS114, which needs every position seen, can
only stay silent for them. The statistics a normalisation takes over the whole map
(groupnorm, instancenorm, batchnorm in training) are left out too. Past ``flatten``,
``dense`` or ``reshape`` there is no receptive field: their positions hold other elements
than the input's.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING

from netspec.layers.arithmetic import joined

if TYPE_CHECKING:
    from netspec.layers.arithmetic import Window
    from netspec.layers.base import LayerBase, Shape

#: The largest denominator a receptive field's values keep. Exact fractions would grow with
#: every fractional step (``upsample`` by 1.000001 multiplies it by 10**6), and so would the
#: cost of computing with them; past this bound the nearest fraction within it is kept, an
#: error far below the 4 decimals shown.
MAX_DENOMINATOR = 10**12
#: The largest magnitude a receptive field's values keep. Strides multiply the jump with
#: every layer, so forty stride-2³¹ pools would make numbers too long to print; a field this
#: large already covers any input many times over.
MAX_MAGNITUDE = 2**62


Interval = tuple[Fraction, Fraction]


def _bound(value: Fraction) -> Fraction:
    if abs(value) > MAX_MAGNITUDE:
        value = Fraction(MAX_MAGNITUDE if value > 0 else -MAX_MAGNITUDE)
    return value.limit_denominator(MAX_DENOMINATOR)


@dataclass(frozen=True)
class Field1D:
    """One spatial dimension: size r, jump j and the input coordinate of output 0's centre,
    the part of the field that moves with the output position; and ``whole``, the input
    interval every output position also sees, through a broadcast gate (a squeeze-and-
    excitation block's C×1×1 scale), or None."""

    size: Fraction
    jump: Fraction
    centre: Fraction
    whole: Interval | None = None
    #: Whether every output position's field lies where the grid puts it, edges included. An
    #: upsample by a fraction, a transposed convolution with a stride, or an adaptive pool
    #: with uneven windows moves positions by up to a step, and clamps them at the edges.
    regular: bool = True
    #: Whether every output position is known to see each input position between the first
    #: and the last it sees. Taps further apart than the field they read leave holes: a dilated
    #: conv's (3 taps 2 apart over single positions see {0, 2} of 0–2), or a conv's after a
    #: stride that skips positions. A later layer may fill them, and a field that is not
    #: ``regular`` may have any: neither is then known to have none.
    solid: bool = True

    def bounded(self) -> Field1D:
        """This field, its denominators within :data:`MAX_DENOMINATOR` and its values within
        ±:data:`MAX_MAGNITUDE`."""
        values = (self.size, self.jump, self.centre, *(self.whole or ()))
        # In whole numbers: comparing Fractions costs more than the rest of a layer's field.
        if all(v.denominator <= MAX_DENOMINATOR and abs(v.numerator) <= MAX_MAGNITUDE * v.denominator for v in values):
            return self
        whole = None if self.whole is None else (_bound(self.whole[0]), _bound(self.whole[1]))
        return Field1D(_bound(self.size), _bound(self.jump), _bound(self.centre), whole, self.regular, self.solid)

    @property
    def padding(self) -> Fraction:
        """The effective padding P_eff: centre(0) = −P_eff + (r − 1)/2."""
        return (self.size - 1) / 2 - self.centre

    @cached_property
    def first_span(self) -> Interval:
        """:meth:`moving_span` of output 0, which a merge asks of each input: worked out once,
        as a branch a thousand merges read is asked a thousand times."""
        return self.moving_span(0)

    def moving_span(self, position: int) -> Interval:
        """The input coordinates the moving part of output ``position``'s field spans."""
        centre = self.centre + position * self.jump
        return centre - (self.size - 1) / 2, centre + (self.size - 1) / 2

    def reaches(self, size: int, positions: int) -> bool:
        """Whether the moving part of the first of ``positions`` output positions reaches the
        last of ``size`` input positions, and the last one's the first: with centre c, size r
        and jump j, 2c + r − 1 ≥ 2(W − 1) and 2c + 2(O − 1)·j − r + 1 ≤ 0, as :meth:`moving_span`
        puts them. In whole numbers over the common denominator: NS114 asks it of every layer,
        and as Fractions it cost more than the rest of the rule."""
        cn, cd = self.centre.numerator, self.centre.denominator
        rn, rd = self.size.numerator, self.size.denominator
        jn, jd = self.jump.numerator, self.jump.denominator
        denominator = cd * rd * jd  # positive, as a Fraction's are
        twice_centre = 2 * cn * rd * jd
        size_part = rn * cd * jd
        last_reaches = twice_centre + size_part - denominator >= 2 * (size - 1) * denominator
        steps = 2 * (positions - 1) * jn * cd * rd
        return last_reaches and twice_centre + steps - size_part + denominator <= 0

    def span(self, position: int) -> Interval:
        """The input coordinates output ``position`` sees, first and last."""
        first, last = self.moving_span(position)
        if self.whole is None:
            return first, last
        return min(first, self.whole[0]), max(last, self.whole[1])

    def seen(self, positions: int) -> Fraction:
        """The most input positions any of the output's ``positions`` sees. The moving part
        and ``whole`` overlap least at the first or the last position."""
        if self.whole is None:  # every position sees r: most fields, and `show` asks for each row
            return self.size
        return max(hi - lo + 1 for lo, hi in (self.span(0), self.span(max(positions - 1, 0))))

    def moved(
        self, size: Fraction, jump: Fraction, centre: Fraction, *, regular: bool = True, solid: bool = True
    ) -> Field1D:
        """The moving part replaced; what every position sees stays."""
        regular = self.regular and regular
        return Field1D(size, jump, centre, self.whole, regular, regular and self.solid and solid)

    def gapless(self, reads: int, apart: Fraction | int) -> bool:
        """Whether ``reads`` taps, ``apart`` of this layer's steps from one another, see every
        input position between the first and the last: each sees this field, r wide."""
        return reads <= 1 or self.size >= apart * self.jump

    def window(
        self, kernel: int, stride: int | Fraction, pad_before: int, *, regular: bool = True, dilation: int = 1
    ) -> Field1D:
        """Through a window of effective size ``kernel``, its taps ``dilation`` apart: the
        Distill recurrence."""
        return self.moved(
            self.size + (kernel - 1) * self.jump,
            self.jump * stride,
            self.centre + (Fraction(kernel - 1, 2) - pad_before) * self.jump,
            regular=regular,
            solid=self.gapless((kernel - 1) // dilation + 1, dilation),
        )

    def shifted(self, positions: int) -> Field1D:
        """The grid moved by ``positions`` input steps of this layer (crop: +, pad: −)."""
        return self.moved(self.size, self.jump, self.centre + positions * self.jump)

    def adaptive(self, size: int, out: int) -> Field1D:
        """Through an adaptive pool of ``size`` positions to ``out``: a window of its largest
        size (:func:`adaptive_kernel`; the whole input when out = 1), with stride W/out."""
        return self.window(adaptive_kernel(size, out), Fraction(size, out), 0, regular=size % out == 0)

    def transposed(self, kernel: int, stride: int, padding: int, dilation: int) -> Field1D:
        """Through a transposed convolution. Output o reads input i through tap k where
        o = S·i − P + D·k: the taps of one residue of D·k modulo S, every S/g-th with
        g = gcd(S, D), reach inputs D/g apart, and at most c = ceil(F·g/S) of them fall in one
        residue. So r ← r + (c − 1)·(D/g)·j with the incoming j (a 2×2 stride-2
        up-convolution keeps r; undilated, c = ceil(F/S)); then j ← j/S."""
        jump = self.jump / stride
        shared = math.gcd(stride, dilation)
        reads = -(-kernel * shared // stride)
        centre = self.centre + (padding - Fraction(dilation * (kernel - 1), 2)) * jump
        spread = (reads - 1) * (dilation // shared) * self.jump
        return self.moved(
            self.size + spread, jump, centre, regular=stride == 1, solid=self.gapless(reads, dilation // shared)
        )

    def upsampled(self, have: int, want: int, mode: str, align_corners: bool | None, scale: float | None) -> Field1D:
        """Through an upsample of ``have`` positions to ``want``, by ``scale`` if given.

        PyTorch maps output y to the input coordinate s(y) = y·step, or (y + ½)·step − ½ in
        the modes that align pixel centres (nearest-exact, and the interpolating ones without
        align_corners), so j ← j·step, which may be a fraction. Nearest reads the one position
        floor(s(y)) there, so r is unchanged; linear interpolation reads 2 (r ← r + j) and
        bicubic 4 (r ← r + 3·j), unless every s(y) falls on a position. Area is an adaptive
        pool.
        """
        if mode == "area":
            return self.adaptive(have, want)
        taps = {"nearest": 1, "nearest-exact": 1, "bicubic": 4}.get(mode, 2)
        if align_corners:
            step = Fraction(have - 1, want - 1) if want > 1 else Fraction(0)
        elif scale is not None:
            # The scale as written (1.1 is 11/10), not as the nearest binary float.
            step = 1 / Fraction(repr(scale))
        else:
            step = Fraction(have, want)
        start = Fraction(0) if mode == "nearest" or align_corners else (step - 1) / 2
        # Every s(y) on a position: one tap each, and the grid exact.
        exact = start.denominator == 1 and (want == 1 or step.denominator == 1)
        reads = 1 if exact else taps
        return self.moved(
            self.size + (reads - 1) * self.jump,
            self.jump * step,
            self.centre + start * self.jump,
            regular=exact,
        )


@dataclass(frozen=True)
class ReceptiveField:
    dims: tuple[Field1D, ...]
    #: The number of output positions per dimension.
    positions: tuple[int, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "dims", tuple(d.bounded() for d in self.dims))

    @classmethod
    def of_input(cls, sizes: Sequence[int]) -> ReceptiveField:
        return cls(tuple(Field1D(Fraction(1), Fraction(1), Fraction(0)) for _ in sizes), tuple(sizes))

    @property
    def sizes(self) -> list[int]:
        """The most input positions an output position sees, per dimension, in whole positions."""
        return [math.ceil(d.seen(n)) for d, n in zip(self.dims, self.positions, strict=True)]

    def moving_parts_cover(self, sizes: Sequence[int]) -> bool:
        """Whether the moving part of every output position's field is known to hold the whole
        input of these sizes: the first position's reaches the last input position, and the
        last position's the first (the spans move forward with the position), with no hole."""
        return all(
            d.regular and d.solid and d.reaches(size, n)
            for d, n, size in zip(self.dims, self.positions, sizes, strict=True)
        )

    @property
    def local_sizes(self) -> list[int]:
        """r per dimension, in whole positions: the context that moves with the position, which
        conv and pooling layers widen, without what a broadcast gate adds everywhere."""
        return [math.ceil(d.size) for d in self.dims]

    @property
    def strides(self) -> list[int | float]:
        """j per dimension: an int, or a float where upsampling made it a fraction."""
        return [_number(d.jump) for d in self.dims]

    @property
    def paddings(self) -> list[int | float]:
        """P_eff per dimension: an int, or a float where it is a fraction."""
        return [_number(d.padding) for d in self.dims]


@dataclass(frozen=True)
class Incoming:
    """What a layer's receptive field comes from: its inputs' fields and shapes, its output
    shape, and a conv or pooling layer's windows, as shape propagation built them."""

    fields: Sequence[ReceptiveField]
    inputs: Sequence[Shape]
    output: Shape
    windows: Sequence[Window] | None

    @property
    def dims(self) -> tuple[Field1D, ...]:
        """The (first) input's field, per spatial dimension."""
        return self.fields[0].dims

    def resized(self) -> Iterator[tuple[Field1D, int, int]]:
        """Per spatial dimension: the input's field, the input's size and the output's."""
        return zip(self.dims, self.inputs[0][1:], self.output[1:], strict=True)


def _number(value: Fraction) -> int | float:
    # Beyond 2**53 a float holds no fraction: the nearest int.
    if value.denominator == 1 or abs(value) > 2**53:
        return round(value)
    # Four decimals, or four significant digits where those would round a fraction to 0.
    return round(float(value), 4) or float(f"{float(value):.4g}")


def adaptive_kernel(size: int, out: int) -> int:
    """The largest window of an adaptive pool: window i spans [floor(i·W/o), ceil((i + 1)·W/o)).

    Its length is ceil(f + W/o) for the fractional part f of i·W/o, largest when f is; the
    fractional parts are the multiples of gcd(W, o)/o, so the largest is (o − gcd)/o. A closed
    form, because ``output_size`` may be huge.
    """
    return -(-(out - math.gcd(size, out) + size) // out)


def merged(dims: Sequence[Field1D], sizes: Sequence[int], output_size: int) -> Field1D:
    """One dimension of an ``add``, ``multiply`` or ``concat``.

    The inputs that are not broadcast there share the output's positions. Where their grids
    agree (one jump), each output position sees the hull of what they see: branches whose
    windows lean different ways (a 'same' conv of even kernel beside an odd one) see more
    together than either alone; two fields apart from each other leave a hole between them.
    Where the jumps differ, the hull moves from one position to the next, so the largest field
    is kept, on its own grid, and the field is not ``regular``.

    A broadcast input (a C×1×1 gate) has one position, whose whole field every output position
    sees (``whole``), which later layers keep as it is: it does not move with the position,
    so it does not grow.
    """
    # Once per field: a branch merged a million times (`from: [a, a, …]`) sees what it sees once.
    kept = list({id(d): d for d, size in zip(dims, sizes, strict=True) if size == output_size}.values())
    broadcast = list({id(d): d for d, size in zip(dims, sizes, strict=True) if size != output_size}.values())
    # What every position sees, holes or not: the hull alone counts.
    everywhere = joined([d.whole for d in kept if d.whole] + [d.span(0) for d in broadcast])
    whole = everywhere[0] if everywhere else None
    regular = all(d.regular for d in kept)
    if len({d.jump for d in kept}) == 1:
        hull = joined(d.first_span for d in kept)
        assert hull is not None  # an output position is some input's
        (first, last), gapless = hull
        # Without holes if the branches' fields have none and leave none between them.
        solid = regular and gapless and all(d.solid for d in kept)
        return Field1D(last - first + 1, kept[0].jump, (first + last) / 2, whole, regular, solid)
    grid = max(kept, key=lambda d: d.size)
    return Field1D(grid.size, grid.jump, grid.centre, whole, regular=False, solid=False)


def receptive_field(
    layer: LayerBase,
    inputs: Sequence[Shape],
    fields: Sequence[ReceptiveField | None],
    output: Shape,
    windows: Sequence[Window] | None,
) -> ReceptiveField | None:
    """The receptive field of ``layer``'s output, from its inputs' fields (None: not spatial).

    ``windows`` are a conv or pooling layer's, as shape propagation built them.
    """
    known = [f for f in fields if f is not None]
    if len(known) < len(fields) or len(output) < 2:
        return None
    dims = layer.receptive_dims(Incoming(known, inputs, output, windows))
    return None if dims is None else ReceptiveField(tuple(dims), output[1:])
