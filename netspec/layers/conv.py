"""Convolutions: ``conv`` (``nn.Conv1d/2d/3d``) and ``conv_transpose`` (``nn.ConvTranspose*``)."""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from netspec.layers.arithmetic import (
    Pads,
    Window,
    excess_pads,
    padding_reach,
    same_output_pads,
    same_pads,
    split_padding,
    transposed_formula,
    transposed_output,
)
from netspec.layers.base import (
    Allocation,
    ConvPadding,
    CountOrList,
    Fix,
    LayerBase,
    LayerError,
    Shape,
    Size,
    SizeOrList,
    check_groups,
    per_side_padding,
    spec_value,
    torch_value,
    volume,
)
from netspec.layers.neutral import FollowingActivation
from netspec.layers.windowed import (
    WindowedLayer,
    check_padding_reach,
    padded_copy,
    padding_fix,
    same_alternative,
)
from netspec.text import plural

if TYPE_CHECKING:
    from torch import nn

    from netspec.receptive import Field1D, Incoming


class Convolution(LayerBase):
    """The keys ``conv`` and ``conv_transpose`` share."""

    # An activation is pointwise and has no parameters; in_channels only asserts.
    inert_keys = LayerBase.inert_keys | {"activation", "in_channels"}
    checking_keys = LayerBase.checking_keys | {"in_channels"}
    filters: Size = Field(description="Output channels (out_channels).")
    kernel: SizeOrList = Field(description="Kernel size F: an int, or one per spatial dimension.")
    stride: SizeOrList = Field(1, description="Stride S. Default 1.")
    dilation: SizeOrList = Field(1, description="Dilation D: the effective kernel is D·(F − 1) + 1. Default 1.")
    groups: Size = Field(1, description="Channel groups; must divide input and output channels. Default 1.")
    bias: bool = Field(True, description="Whether the layer has a bias. Default true.")
    activation: FollowingActivation = None
    in_channels: Size | None = Field(
        None, description="Expected input channels; checked against the incoming depth. Default: not checked."
    )

    def check_settings(self) -> None:
        check_groups(self.type, self.groups, out_channels=self.filters)

    @abstractmethod
    def kernel_positions(self, inputs: Sequence[Shape], output: Shape) -> int:
        """The positions at which the shared kernel is applied."""

    def weights(self, inputs: Sequence[Shape]) -> int:
        """The kernel's size: in_ch·out_ch/groups·prod(F), whichever way it runs."""
        (shape,) = inputs
        kernel, rank = self.kernel, len(shape) - 1
        # A square kernel needs no expanding per dimension: propagation asks this of every conv.
        area = kernel**rank if type(kernel) is int else math.prod(self.per_dimension("kernel", rank))
        return shape[0] * self.filters // self.groups * area

    def params(self, inputs: Sequence[Shape]) -> int:
        return self.weights(inputs) + (self.filters if self.bias else 0)

    def allocations(
        self, inputs: Sequence[Shape], windows: Sequence[Window] | None, output: Shape
    ) -> Sequence[Allocation]:
        return (("weight", self.weights(inputs), "float32"),)

    def macs(self, inputs: Sequence[Shape], output: Shape) -> int:
        """Every weight multiplies once at each of :meth:`kernel_positions`."""
        return self.kernel_positions(inputs, output) * self.weights(inputs)

    def unshared_params(self, inputs: Sequence[Shape], output: Shape) -> int:
        """The equivalent locally connected layer's: a kernel of its own at each of
        :meth:`kernel_positions`, and a bias for every output value."""
        return self.kernel_positions(inputs, output) * self.weights(inputs) + (volume(output) if self.bias else 0)

    def check_in_channels(self, channels: int) -> None:
        """NS104 where a declared ``in_channels`` is not the incoming depth."""
        if self.in_channels is not None and self.in_channels != channels:
            raise LayerError(
                "NS104",
                f"in_channels is {self.in_channels} but the input has {plural(channels, 'channel')}",
                key="in_channels",
            )


class Conv(WindowedLayer, Convolution):
    """``nn.ConvNd``: out = floor((W + 2P − D·(F − 1) − 1)/S) + 1 per spatial dimension."""

    type: Literal["conv"]
    padding: ConvPadding = Field(
        0,
        description="Padding P per side: an int, one per dimension, [[before, after], …] per dimension, "
        "'valid' (0) or 'same' (stride 1 only; the odd pixel goes after). Default 0.",
    )
    padding_mode: Literal["zeros", "reflect", "replicate", "circular"] = Field(
        "zeros",
        description="What fills the padding: zeros (the default), the input mirrored without its edge "
        "(reflect, at most W − 1 per side), its edge repeated (replicate), or its other end (circular, "
        "at most W).",
    )

    def windows(self, shape: Shape) -> list[Window]:
        kernel, stride, dilation, padding = self.kernel, self.stride, self.dilation, self.padding
        if type(kernel) is int and type(stride) is int and type(dilation) is int and type(padding) is int:
            # The common square layer: nothing to expand per dimension. Expanding it was a
            # quarter of the work of propagating a stack of convolutions.
            mode = self.padding_mode
            return [Window(size, kernel, stride, dilation, padding, padding, False, mode) for size in shape[1:]]
        rank = len(shape) - 1
        kernels = self.per_dimension("kernel", rank)
        strides = self.per_dimension("stride", rank)
        dilations = self.per_dimension("dilation", rank)
        if self.padding == "same":
            pads = tuple(same_pads(d * (k - 1) + 1) for k, d in zip(kernels, dilations, strict=True))
        elif self.padding == "valid":
            pads = ((0, 0),) * rank
        else:
            pads = self.per_side("padding", rank)
        return [
            Window(size, k, s, d, before, after, False, self.padding_mode)
            for size, k, s, d, (before, after) in zip(shape[1:], kernels, strides, dilations, pads, strict=True)
        ]

    @property
    def unpadded_by_choice(self) -> bool:
        return self.padding == "valid"

    def allocations(
        self, inputs: Sequence[Shape], windows: Sequence[Window] | None, output: Shape
    ) -> Sequence[Allocation]:
        weight = super().allocations(inputs, windows, output)
        if type(self.padding) is int and self.padding_mode == "zeros":
            return weight  # zeros padded where they are read, in no copy
        assert windows is not None
        return (*weight, *padded_copy(inputs[0][0], windows, self.copied_pads(windows)))

    def copied_pads(self, windows: Sequence[Window]) -> list[Pads]:
        """What is padded in a copy of the input before the convolution: all of it in a copying
        mode (``F.pad``); zeros that differ between the sides, the excess on one side (ATen's
        ``_convolution_mode`` for 'same' where D·(F − 1) is odd; the export for per-side
        padding, :func:`split_padding`); nothing else."""
        if self.padding_mode != "zeros":
            return [(w.pad_before, w.pad_after) for w in windows]
        return excess_pads(windows)

    def max_padding(self, window: Window) -> int:
        # From K padding on, border outputs see only zeros (NS107); a copying mode may reach
        # no further than the input it copies.
        reach = padding_reach(self.padding_mode, window.size)
        return window.effective_kernel - 1 if reach is None else min(window.effective_kernel - 1, reach)

    def output_from_windows(self, shape: Shape, windows: Sequence[Window]) -> Shape:
        channels = shape[0]
        self.check_in_channels(channels)
        check_groups(self.type, self.groups, in_channels=channels, out_channels=self.filters)
        if self.padding_mode != "zeros":
            pads = [(w.pad_before, w.pad_after) for w in windows]
            limits = [self.max_padding(w) for w in windows]
            check_padding_reach(
                self.padding_mode,
                shape[1:],
                pads,
                limits,
                lambda: (self.clamp_fix_pads(windows), same_alternative(windows, self.clamp_pads(windows))),
            )
        if self.padding == "same" and any(w.stride > 1 for w in windows):
            # Explicit padding giving ceil(W/S) outputs, which is what 'same' means in TensorFlow.
            pads = [same_output_pads(w) for w in windows]
            raise self._strided_same(
                fix=padding_fix(pads, "use explicit padding"),
                help=self.padding_help(windows, pads, "ceil(W/S), TensorFlow's SAME; PyTorch's 'same' needs stride 1"),
            )
        return (self.filters, *self.spatial_output(windows))

    def check_settings(self) -> None:
        super().check_settings()
        rank = self.implied_rank("stride")
        if self.padding == "same" and rank is not None and any(s > 1 for s in self.per_dimension("stride", rank)):
            raise self._strided_same(
                help="the explicit padding that gives TensorFlow's SAME output, ceil(W/S), depends on the input "
                "size, unknown until the problems before this layer are fixed"
            )

    def _strided_same(self, *, fix: Fix | None = None, help: str) -> LayerError:
        return LayerError(
            "NS112",
            "padding 'same' is not supported for strided convolutions (PyTorch rejects it)",
            key="padding",
            fix=fix,
            help=help,
        )

    def kernel_positions(self, inputs: Sequence[Shape], output: Shape) -> int:
        """Each output position gathers through the kernel."""
        return volume(output[1:])

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from netspec.torch_export import nd, padded

        (shape,) = inputs
        rank = len(shape) - 1
        padding: object = torch_value(self.padding)
        explicit: list[Pads] = []
        if per_side_padding(self.padding):
            # PyTorch's convolutions pad both sides alike: the rest goes in a module of its own.
            # In a copying mode, all of it: a copy of a copy's edge is not a copy of the input's.
            pads = self.per_side("padding", rank)
            splits = [split_padding(*sides) if self.padding_mode == "zeros" else (0, sides) for sides in pads]
            padding, explicit = tuple(own for own, _ in splits), [extra for _, extra in splits]
        module = nd("Conv", rank)(
            self.in_channels or shape[0],
            self.filters,
            torch_value(self.kernel),
            stride=torch_value(self.stride),
            padding=padding,
            dilation=torch_value(self.dilation),
            groups=self.groups,
            bias=self.bias,
            padding_mode=self.padding_mode,
        )
        return padded(rank, explicit, module, mode=self.padding_mode)


class ConvTranspose(Convolution):
    """``nn.ConvTransposeNd``: out = (W − 1)·S − 2P + D·(F − 1) + output_padding + 1."""

    type: Literal["conv_transpose"]
    padding: CountOrList = Field(0, description="Padding P removed from each side of the output. Default 0.")
    output_padding: CountOrList = Field(
        0,
        description="Extra size added to one side of the output; "
        "must be smaller than the stride or the dilation. Default 0.",
    )

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.spatial_input(inputs)
        rank = len(shape) - 1
        self.check_in_channels(shape[0])
        check_groups(self.type, self.groups, in_channels=shape[0], out_channels=self.filters)
        outputs = []
        for size, (kernel, stride, padding, extra, dilation) in zip(shape[1:], self.dimensions(rank), strict=True):
            _check_output_padding(extra, stride, dilation)
            out = transposed_output(size, kernel, stride, padding, extra, dilation)
            if out < 1:
                raise LayerError(
                    "NS103",
                    f"{transposed_formula(size, kernel, stride, padding, extra, dilation)} < 1: "
                    "the padding removes the whole output",
                    help="reduce the padding",
                )
            outputs.append(out)
        return (self.filters, *outputs)

    def output_padding_for(self, inputs: Sequence[Shape], sizes: Sequence[int]) -> list[int] | None:
        """The ``output_padding`` per dimension that makes the output's spatial sizes ``sizes``,
        each below its stride or dilation as PyTorch requires; None where none does."""
        (shape,) = inputs
        wanted = []
        for size, target, (kernel, stride, padding, _, dilation) in zip(
            shape[1:], sizes, self.dimensions(len(shape) - 1), strict=True
        ):
            extra = target - transposed_output(size, kernel, stride, padding, 0, dilation)
            if not 0 <= extra < max(stride, dilation):
                return None
            wanted.append(extra)
        return wanted

    def resizing_setting(self, inputs: Sequence[Shape], sizes: Sequence[int]) -> str | None:
        """:meth:`output_padding_for`, as a spec writes it: one int where the dimensions agree."""
        extras = self.output_padding_for(inputs, sizes)
        return None if extras is None else f"output_padding to {spec_value(extras)}"

    def dimensions(self, rank: int) -> list[tuple[int, int, int, int, int]]:
        """(F, S, P, output_padding, D) per spatial dimension."""
        keys = ("kernel", "stride", "padding", "output_padding", "dilation")
        return list(zip(*(self.per_dimension(key, rank) for key in keys), strict=True))

    def check_settings(self) -> None:
        super().check_settings()
        rank = self.implied_rank("output_padding", "stride", "dilation")
        if rank is None:
            return
        per_dimension = (self.per_dimension(key, rank) for key in ("output_padding", "stride", "dilation"))
        for extra, stride, dilation in zip(*per_dimension, strict=True):
            _check_output_padding(extra, stride, dilation)

    def kernel_positions(self, inputs: Sequence[Shape], output: Shape) -> int:
        """Each input position scatters through the kernel."""
        return volume(inputs[0][1:])

    def receptive_dims(self, incoming: Incoming) -> Sequence[Field1D]:
        steps = self.dimensions(len(incoming.output) - 1)
        return [
            d.transposed(kernel, stride, padding, dilation)
            for d, (kernel, stride, padding, _, dilation) in zip(incoming.dims, steps, strict=True)
        ]

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from netspec.torch_export import nd

        (shape,) = inputs
        return nd("ConvTranspose", len(shape) - 1)(
            shape[0],
            self.filters,
            torch_value(self.kernel),
            stride=torch_value(self.stride),
            padding=torch_value(self.padding),
            output_padding=torch_value(self.output_padding),
            groups=self.groups,
            bias=self.bias,
            dilation=torch_value(self.dilation),
        )


def _check_output_padding(extra: int, stride: int, dilation: int) -> None:
    """PyTorch's rule for one dimension of a transposed convolution (NS111)."""
    if extra >= stride and extra >= dilation:
        raise LayerError(
            "NS111",
            f"output_padding {extra} must be smaller than the stride ({stride}) or the dilation ({dilation})",
            key="output_padding",
        )
