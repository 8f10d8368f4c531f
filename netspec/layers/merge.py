"""Layers that join branches: ``add`` (residual sums), ``multiply`` (gates) and ``concat``
(along channels)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from netspec.layers.base import LayerBase, LayerError, Name, Shape, format_shape, volume
from netspec.layers.windowed import dimension_units
from netspec.text import in_words, listing

if TYPE_CHECKING:
    from torch import nn

    from netspec.receptive import Field1D, Incoming

#: How every merge's help begins: NS106 puts what it knows of the producers right after it.
NO_FIX = "no automatic fix: "


def broadcast(inputs: Sequence[Shape]) -> Shape | None:
    """The shape PyTorch broadcasts inputs of one rank to (each size equal to the others or 1);
    None for inputs it would not broadcast, or would align by their last dimensions."""
    if len({len(shape) for shape in inputs}) != 1:
        return None
    full = tuple(max(sizes) for sizes in zip(*inputs, strict=True))
    if any(size not in (1, most) for shape in inputs for size, most in zip(shape, full, strict=True)):
        return None
    return full


class Merge(LayerBase):
    from_: list[Name] = Field(  # type: ignore[assignment]
        alias="from",
        min_length=2,
        description="Names of the two or more earlier layers (or `input`) to join.",
    )

    keeps_positions: ClassVar[bool] = True
    #: Whether the inputs' channels must agree, so that a projection is part of the help.
    same_channels: ClassVar[bool] = False

    @property
    def sources(self) -> list[str]:
        return list(self.from_)

    def inputs_followed(self, inputs: Sequence[Shape], output: Shape) -> list[int]:
        """The inputs that are not broadcast: a gate's one position shows every output position
        the same, which moves with none of them."""
        return [index for index, shape in enumerate(inputs) if shape[1:] == output[1:]]

    def receptive_dims(self, incoming: Incoming) -> Sequence[Field1D]:
        from netspec.receptive import merged

        return [
            merged([f.dims[i] for f in incoming.fields], [shape[i + 1] for shape in incoming.inputs], size)
            for i, size in enumerate(incoming.output[1:])
        ]

    def mismatch(self, inputs: Sequence[Shape], what: str, help: str | None = None) -> LayerError:
        shapes = listing(
            [f"{name}: {format_shape(shape)}" for name, shape in zip(self.from_, inputs, strict=True)], ", "
        )
        return LayerError("NS106", f"{self.type} inputs differ {what}: {shapes}", help=help or self.resize_help(inputs))

    def resize_help(self, inputs: Sequence[Shape]) -> str:
        """How the branches could agree: a centre crop of the larger ones to the smallest size
        (U-Net's way), and a projection where an add's channels differ."""
        help = NO_FIX
        if len({len(shape) for shape in inputs}) != 1 or len(inputs[0]) < 2:
            return help + "pad, crop or project one branch so that the shapes agree"
        smallest = [min(sizes) for sizes in zip(*(shape[1:] for shape in inputs), strict=True)]
        # Each branch once, though `from` may name one twice.
        larger = dict.fromkeys(
            name for name, shape in zip(self.from_, inputs, strict=True) if list(shape[1:]) != smallest
        )
        steps = []
        factor = _stride_between([shape[1:] for shape in inputs], smallest)
        if larger and factor:
            # A strided block beside its unstrided shortcut: cropping would drop ¾ of the map.
            names = in_words(list(larger))
            steps.append(
                f"{names} {'is' if len(larger) == 1 else 'are'} {factor}× larger: downsample by {factor}, "
                f"with `{{type: avgpool, kernel: {factor}}}` (ResNet-D's shortcut) or a 1×1 conv of "
                f"`stride: {factor}` (ResNet's, which reads one position in {factor**2})"
            )
        elif larger:
            crop = f"`{{type: crop, size: {smallest}}}`"
            steps.append(
                f"crop {in_words(list(larger))} to {format_shape(smallest)} ({crop}), or pad the smaller branches"
            )
        if self.same_channels and len({shape[0] for shape in inputs}) > 1:
            steps.append("project the branches to the same channels (a 1×1 conv, as ResNet's projection shortcut)")
        return help + "; and ".join(steps)


def _stride_between(sizes: Sequence[Sequence[int]], smallest: Sequence[int]) -> int | None:
    """The stride S ≥ 2 of which each input's spatial sizes that are not the smallest are
    the smallest times S, in every dimension; None where there is none."""
    pairs = {
        (large, small)
        for shape in sizes
        if list(shape) != list(smallest)
        for large, small in zip(shape, smallest, strict=True)
    }
    if not pairs:
        return None
    large, small = max(pairs)
    factor = large // small
    return factor if factor >= 2 and all(large == small * factor for large, small in pairs) else None


class Add(Merge):
    """Element-wise sum: every input must have the same shape."""

    type: Literal["add"]
    same_channels: ClassVar[bool] = True

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        if any(shape != inputs[0] for shape in inputs):
            raise self.mismatch(inputs, "in shape", self.mismatch_help(inputs))
        return inputs[0]

    def mismatch_help(self, inputs: Sequence[Shape]) -> str | None:
        """The help for unequal shapes: None, or, where PyTorch would broadcast them (same rank;
        each size equal or 1), that ``add`` refuses them on purpose: a residual sum of
        different shapes is almost always a mistake."""
        full = broadcast(inputs)
        if full is None:
            return None
        help = f"{NO_FIX}PyTorch would broadcast these to {format_shape(full)}, but `add` takes identical shapes"
        if all(shape[0] == full[0] for shape in inputs):
            # Nearest upsampling to the full size repeats a size-1 dimension: the same sum.
            smaller = [name for name, shape in zip(self.from_, inputs, strict=True) if shape != full]
            upsampled = in_words(smaller)
            help += f"; to broadcast on purpose, `upsample` {upsampled} with `size: {list(full[1:])}` first"
        return help

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from netspec import _torch_modules as custom

        return custom.Add()


class Multiply(Merge):
    """Element-wise product, broadcast where a size is 1, as PyTorch does: a squeeze-and-
    excitation gate of C×1×1 scales a C×H×W map. The ranks must agree, since PyTorch would
    align the last dimensions: a flat C-vector would scale the columns, not the channels."""

    type: Literal["multiply"]

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        if len({len(shape) for shape in inputs}) > 1:
            raise self.mismatch(inputs, "in rank", self._rank_help(inputs))
        full = broadcast(inputs)
        if full is None:
            raise self.mismatch(inputs, "in shape, where neither size is 1", self.mismatch_help(inputs))
        return full

    def _rank_help(self, inputs: Sequence[Shape]) -> str:
        """What would let PyTorch broadcast inputs of different ranks: a flat gate of the map's
        channels (a squeeze-and-excitation's dense layers give one) reshaped to C×1×1."""
        help = (
            f"{NO_FIX}PyTorch would align the last dimensions, so a flat input would scale the columns, "
            "not the channels"
        )
        widest = max(inputs, key=len)
        flat = [name for name, shape in zip(self.from_, inputs, strict=True) if shape == widest[:1]]
        if flat:
            gate = [widest[0]] + [1] * (len(widest) - 1)
            reshape = f"`{{type: reshape, shape: {gate}}}`"
            reshaped = in_words(flat)
            return f"{help}; reshape {reshaped} to a gate of {format_shape(gate)} first: {reshape}"
        return f"{help}; make a gate of C×1×1 with `adaptive_avgpool` and `output_size: 1`"

    def mismatch_help(self, inputs: Sequence[Shape]) -> str:
        """What would let PyTorch broadcast: in each dimension, one size or 1. A gate usually
        takes the channels of the map it scales, the largest input."""
        conflicts: dict[tuple[int, ...], list[str]] = {}
        # A flat tensor's one dimension holds features, as a dense layer's do.
        units = ("channel", *dimension_units(len(inputs[0]) - 1)) if len(inputs[0]) > 1 else ("feature",)
        for unit, sizes in zip(units, zip(*inputs, strict=True), strict=True):
            differing = tuple(sorted(set(sizes) - {1}))
            if len(differing) > 1:
                conflicts.setdefault(differing, []).append(f"{unit}s")
        steps = []
        for differing, names in conflicts.items():
            listed = in_words([str(size) for size in differing])
            step = f"make the {' and '.join(names)} ({listed}) one size or 1"
            if names[0] == "channels":
                gated = max(inputs, key=volume)
                step += f" (a gate takes the channels of the map it scales, here {gated[0]})" if gated[0] > 1 else ""
            elif names[0] != "features":  # positions of a map
                step += ": crop the larger or pad the smaller"
            steps.append(step)
        return NO_FIX + "; and ".join(steps)

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from netspec import _torch_modules as custom

        return custom.Multiply()


class Concat(Merge):
    """``torch.cat`` along channels: every other dimension must match."""

    type: Literal["concat"]

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        first = inputs[0]
        if any(len(shape) != len(first) or shape[1:] != first[1:] for shape in inputs):
            raise self.mismatch(inputs, "outside the channel axis")
        return (sum(shape[0] for shape in inputs), *first[1:])

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from netspec import _torch_modules as custom

        return custom.Concat()
