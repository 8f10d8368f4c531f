"""Receptive fields: how much of the input each output position sees, per spatial dimension.

Going forward from the input (r = 1, j = 1, no padding), with the recurrence of Araujo,
Norris & Sim, "Computing Receptive Fields of Convolutional Neural Networks" (Distill, 2019),
for a conv or pooling layer with effective kernel K = D·(F − 1) + 1, stride S and padding
P before:

    r ← r + (K − 1)·j        j ← j·S        P_eff ← P_eff + P·j   (j before the update)

The centre of output index y then lies at input coordinate −P_eff + y·j + (r − 1)/2.
The other layers, as netspec defines them:

- ``conv_transpose`` (stride S): an output position reads at most c = ceil(F·g/S) input
  positions, D/g apart (g = gcd(S, D)), so r ← r + (c − 1)·(D/g)·j with the incoming j
  (a 2×2 stride-2 up-convolution keeps r; undilated, c = ceil(F/S)); then j ← j/S.
- ``upsample``: j ← j/scale (j·W_in/W_out for ``size``, j·(W_in − 1)/(W_out − 1) with
  ``align_corners``); the stride may become a fraction. Nearest reads one input position per
  output, so r is unchanged; linear interpolation reads 2 (r ← r + j), bicubic 4
  (r ← r + 3·j), unless every output falls on an input position; area is an adaptive pool.
- adaptive pooling (W → out): a window of its largest size, max over i of
  ceil((i + 1)·W/out) − floor(i·W/out) (the whole input when out = 1), with stride W/out.
- ``pixel_shuffle`` (×r): each output reads one input position, as a nearest upsample does.
- ``crop`` and ``pad`` move the grid (P_eff changes) but keep r and j. Padding counts as zeros in
  every mode (a ``pad``'s, a conv's ``padding_mode``): the input positions a reflected or wrapped
  border reads are left out, so NS114, which needs every position seen, can only stay silent
  for them.
- the shape-keeping layers and ``slice`` pass the field on; the statistics a normalisation takes over the
  whole map (groupnorm, instancenorm, batchnorm in training) are left out.
- ``add``/``multiply``/``concat``: per dimension, the largest r of the inputs that are not
  broadcast there, on the grid (j and offset) of the largest of them. A broadcast input (a
  C×1×1 gate) adds what its one position sees to every output position, which later layers
  keep as it is (``whole``): it does not move with the position, so it does not grow.
- ``flatten``/``dense``: no spatial dimensions left, so no receptive field; nor after a
  ``reshape``, whose positions hold other elements than the input's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from netspec.layers import LayerBase, Shape, WindowedLayer
from netspec.layers.arithmetic import Window
from netspec.layers.channels import Slice
from netspec.layers.conv import ConvTranspose
from netspec.layers.dense import Dense, Flatten, Reshape
from netspec.layers.merge import Merge
from netspec.layers.neutral import Neutral
from netspec.layers.pool import AdaptivePool
from netspec.layers.resize import Crop, Pad, PixelShuffle, Upsample

#: The largest denominator a receptive field's values keep. Exact fractions would grow with
#: every fractional step (``upsample`` by 1.000001 multiplies it by 10**6), and so would the
#: cost of computing with them; past this bound the nearest fraction within it is kept, an
#: error far below the 4 decimals shown.
MAX_DENOMINATOR = 10**12
#: The largest magnitude a receptive field's values keep. Strides multiply the jump with
#: every layer, so forty stride-2³¹ pools would make numbers too long to print; a field this
#: large already covers any input many times over.
MAX_MAGNITUDE = Fraction(2**62)


Interval = tuple[Fraction, Fraction]


def _bound(value: Fraction) -> Fraction:
    return max(-MAX_MAGNITUDE, min(value, MAX_MAGNITUDE)).limit_denominator(MAX_DENOMINATOR)


def _hull(intervals: Sequence[Interval]) -> Interval | None:
    """The smallest interval holding all of ``intervals``; None for none."""
    if not intervals:
        return None
    return min(lo for lo, _ in intervals), max(hi for _, hi in intervals)


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

    def bounded(self) -> Field1D:
        """This field, its denominators within :data:`MAX_DENOMINATOR` and its values within
        ±:data:`MAX_MAGNITUDE`."""
        values = (self.size, self.jump, self.centre, *(self.whole or ()))
        if all(v.denominator <= MAX_DENOMINATOR and abs(v) <= MAX_MAGNITUDE for v in values):
            return self
        whole = None if self.whole is None else (_bound(self.whole[0]), _bound(self.whole[1]))
        return Field1D(_bound(self.size), _bound(self.jump), _bound(self.centre), whole, self.regular)

    @property
    def padding(self) -> Fraction:
        """The effective padding P_eff: centre(0) = −P_eff + (r − 1)/2."""
        return (self.size - 1) / 2 - self.centre

    def moving_span(self, position: int) -> Interval:
        """The input coordinates the moving part of output ``position``'s field spans."""
        centre = self.centre + position * self.jump
        return centre - (self.size - 1) / 2, centre + (self.size - 1) / 2

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

    def moved(self, size: Fraction, jump: Fraction, centre: Fraction, *, regular: bool = True) -> Field1D:
        """The moving part replaced; what every position sees stays."""
        return Field1D(size, jump, centre, self.whole, self.regular and regular)

    def window(self, kernel: int, stride: int | Fraction, pad_before: int, *, regular: bool = True) -> Field1D:
        """Through a window of effective size ``kernel``: the Distill recurrence."""
        return self.moved(
            self.size + (kernel - 1) * self.jump,
            self.jump * stride,
            self.centre + (Fraction(kernel - 1, 2) - pad_before) * self.jump,
            regular=regular,
        )

    def shifted(self, positions: int) -> Field1D:
        """The grid moved by ``positions`` input steps of this layer (crop: +, pad: −)."""
        return self.moved(self.size, self.jump, self.centre + positions * self.jump)


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
        """Whether the moving part of every output position's field spans the whole input of
        these sizes: the first position's reaches the last input position, and the last
        position's the first (the spans move forward with the position)."""
        return all(
            d.regular and d.moving_span(0)[1] >= size - 1 and d.moving_span(n - 1)[0] <= 0
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


def _number(value: Fraction) -> int | float:
    # Beyond 2**53 a float holds no fraction: the nearest int.
    if value.denominator == 1 or abs(value) > 2**53:
        return round(value)
    return round(float(value), 4)


def _conv_transpose(field: Field1D, kernel: int, stride: int, padding: int, dilation: int) -> Field1D:
    """Output o reads input i through tap k where o = S·i − P + D·k: the taps of one residue
    of D·k modulo S, every S/g-th with g = gcd(S, D), reach inputs D/g apart; at most
    ceil(F·g/S) of them fall in one residue."""
    jump = field.jump / stride
    shared = math.gcd(stride, dilation)
    reads = -(-kernel * shared // stride)
    centre = field.centre + (padding - Fraction(dilation * (kernel - 1), 2)) * jump
    spread = (reads - 1) * (dilation // shared) * field.jump
    return field.moved(field.size + spread, jump, centre, regular=stride == 1)


def adaptive_kernel(size: int, out: int) -> int:
    """The largest window of an adaptive pool: window i spans [floor(i·W/o), ceil((i + 1)·W/o)).

    Its length is ceil(f + W/o) for the fractional part f of i·W/o, largest when f is; the
    fractional parts are the multiples of gcd(W, o)/o, so the largest is (o − gcd)/o. A closed
    form, because ``output_size`` may be huge.
    """
    return -(-(out - math.gcd(size, out) + size) // out)


def _upsample(layer: Upsample, field: Field1D, have: int, want: int) -> Field1D:
    """One dimension of an upsample of ``have`` positions to ``want``.

    PyTorch maps output y to the input coordinate s(y) = y·step, or (y + ½)·step − ½ in
    the modes that align pixel centres (nearest-exact, and the interpolating ones without
    align_corners). Nearest reads the one position floor(s(y)) there, linear interpolation
    the 2 around it and bicubic 4, unless every s(y) falls on a position; area averages an
    adaptive pool's window.
    """
    if layer.mode == "area":
        return field.window(adaptive_kernel(have, want), Fraction(have, want), 0, regular=have % want == 0)
    taps = {"nearest": 1, "nearest-exact": 1, "bicubic": 4}.get(layer.mode, 2)
    if layer.align_corners:
        step = Fraction(have - 1, want - 1) if want > 1 else Fraction(0)
    elif layer.scale is not None:
        # The scale as written (1.1 is 11/10), not as the nearest binary float.
        step = 1 / Fraction(repr(layer.scale))
    else:
        step = Fraction(have, want)
    start = Fraction(0) if layer.mode == "nearest" or layer.align_corners else (step - 1) / 2
    # Every s(y) on a position: one tap each, and the grid exact.
    exact = start.denominator == 1 and (want == 1 or step.denominator == 1)
    reads = 1 if exact else taps
    return field.moved(
        field.size + (reads - 1) * field.jump,
        field.jump * step,
        field.centre + start * field.jump,
        regular=exact,
    )


def _merged(dims: Sequence[Field1D], sizes: Sequence[int], output_size: int) -> Field1D:
    """One dimension of a merge: the largest moving field, on the grid (jump and centre) of
    the largest input that is not broadcast there. A broadcast input (a C×1×1 gate) has one
    position, whose whole field every output position sees."""
    kept = [d for d, size in zip(dims, sizes, strict=True) if size == output_size]
    broadcast = [d for d, size in zip(dims, sizes, strict=True) if size != output_size]
    grid = max(kept, key=lambda d: d.size)
    whole = _hull([d.whole for d in kept if d.whole] + [d.span(0) for d in broadcast])
    return Field1D(max(d.size for d in kept), grid.jump, grid.centre, whole, all(d.regular for d in kept))


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
    if any(f is None for f in fields) or len(output) < 2 or isinstance(layer, Flatten | Dense | Reshape):
        return None
    dims = _output_dims(layer, inputs, [f for f in fields if f is not None], output, windows)
    return ReceptiveField(dims, output[1:])


def _output_dims(
    layer: LayerBase,
    inputs: Sequence[Shape],
    fields: Sequence[ReceptiveField],
    output: Shape,
    windows: Sequence[Window] | None,
) -> tuple[Field1D, ...]:
    if isinstance(layer, Merge):
        return tuple(
            _merged([f.dims[i] for f in fields], [shape[i + 1] for shape in inputs], output[i + 1])
            for i in range(len(output) - 1)
        )
    ((field,), (shape,)) = fields, inputs
    rank = len(shape) - 1
    if isinstance(layer, WindowedLayer):
        assert windows is not None
        return tuple(
            d.window(w.effective_kernel, w.stride, w.pad_before) for d, w in zip(field.dims, windows, strict=True)
        )
    if isinstance(layer, ConvTranspose):
        return tuple(
            _conv_transpose(d, kernel, stride, padding, dilation)
            for d, (kernel, stride, padding, _, dilation) in zip(field.dims, layer.dimensions(rank), strict=True)
        )
    if isinstance(layer, Upsample):
        return tuple(
            _upsample(layer, d, have, want) for d, have, want in zip(field.dims, shape[1:], output[1:], strict=True)
        )
    if isinstance(layer, PixelShuffle):
        # Output y reads input floor(y/r), as a nearest ×r upsample does.
        return tuple(d.moved(d.size, d.jump / layer.scale, d.centre, regular=layer.scale == 1) for d in field.dims)
    if isinstance(layer, AdaptivePool):
        return tuple(
            d.window(adaptive_kernel(size, out), Fraction(size, out), 0, regular=size % out == 0)
            for d, size, out in zip(field.dims, shape[1:], output[1:], strict=True)
        )
    if isinstance(layer, Crop):
        return tuple(
            d.shifted((have - want) // 2) for d, have, want in zip(field.dims, shape[1:], output[1:], strict=True)
        )
    if isinstance(layer, Pad):
        return tuple(
            d.shifted(-before) for d, (before, _) in zip(field.dims, layer.per_side("padding", rank), strict=True)
        )
    if isinstance(layer, Neutral | Slice):
        return field.dims
    # A new layer type must say how it moves the field: passing the field on would be wrong
    # without a word for any layer that resizes.
    raise NotImplementedError(f"no receptive-field rule for layer type '{layer.type}'")
