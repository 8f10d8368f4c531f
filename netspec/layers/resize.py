"""Layers that set the spatial size directly: ``upsample``, ``pixel_shuffle``, ``crop`` and ``pad``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from netspec.layers.base import (
    LayerBase,
    LayerError,
    Shape,
    SidedPadding,
    Size,
    SizeOrList,
    format_shape,
    spec_value,
    torch_value,
)
from netspec.layers.windowed import check_padding_reach
from netspec.text import plural

if TYPE_CHECKING:
    from torch import nn

    from netspec.layers.arithmetic import Window
    from netspec.receptive import Field1D, Incoming

#: The interpolating modes, which take ``align_corners``, and the spatial rank each needs
#: (PyTorch: "Got 4D input, but linear mode needs 3D input").
INTERPOLATING_RANKS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


class Upsample(LayerBase):
    """``nn.Upsample``: floor(W·scale) per dimension, or exactly ``size``, in every mode."""

    # For editors and validators: exactly one of scale and size, a null standing for absent
    # (as after a merge key that brought in the other); align_corners only where it applies.
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "if": {"required": ["scale"], "properties": {"scale": {"not": {"type": "null"}}}},
                    "then": {"properties": {"size": {"type": "null"}}},
                    "else": {"required": ["size"], "properties": {"size": {"not": {"type": "null"}}}},
                },
                {
                    "if": {"properties": {"mode": {"enum": ["nearest", "nearest-exact", "area"]}}},
                    "then": {"properties": {"align_corners": {"type": "null"}}},
                },
            ]
        }
    )

    type: Literal["upsample"]
    scale: Annotated[float, Field(gt=0, le=2**16, allow_inf_nan=False)] | None = Field(
        None, description="Scale factor: each spatial size becomes floor(W·scale). Give scale or size."
    )
    size: SizeOrList | None = Field(
        None, description="Output size: an int, or one per spatial dimension. Give scale or size."
    )
    mode: Literal["nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area"] = Field(
        "nearest",
        description="PyTorch's interpolation: linear needs 1 spatial dimension, bilinear and bicubic 2, "
        "trilinear 3. Default nearest.",
    )
    align_corners: bool | None = Field(
        None, description="For linear, bilinear, bicubic and trilinear only: align the corner pixels. Default null."
    )

    @model_validator(mode="after")
    def _scale_or_size(self) -> Upsample:
        if (self.scale is None) == (self.size is None):
            raise ValueError("upsample takes exactly one of `scale` and `size`")
        return self

    @field_validator("align_corners")
    @classmethod
    def _for_interpolating_modes(cls, align_corners: bool | None, info: ValidationInfo) -> bool | None:
        # A field's own check, so that the problem is placed at the key, not the layer.
        mode = info.data.get("mode")
        if align_corners is not None and mode is not None and mode not in INTERPOLATING_RANKS:
            raise ValueError(
                f"`align_corners` applies only to the modes linear, bilinear, bicubic and trilinear, not {mode}"
            )
        return align_corners

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.spatial_input(inputs)
        rank = INTERPOLATING_RANKS.get(self.mode)
        if rank is not None and rank != len(shape) - 1:
            raise LayerError(
                "NS115",
                f"{self.mode} interpolation needs {plural(rank, 'spatial dimension')}, "
                f"but the input {format_shape(shape)} has {len(shape) - 1}",
                key="mode",
                help=f"use {' or '.join([m for m, r in INTERPOLATING_RANKS.items() if r == len(shape) - 1])}, "
                "nearest or area",
            )
        if self.size is not None:
            return (shape[0], *self.per_dimension("size", len(shape) - 1))
        assert self.scale is not None
        outputs = tuple(math.floor(size * self.scale) for size in shape[1:])
        if min(outputs) < 1:
            raise LayerError(
                "NS103", f"floor({min(shape[1:])}·{self.scale}) = {min(outputs)} < 1", help="use a larger scale"
            )
        return (shape[0], *outputs)

    def resizing_setting(self, inputs: Sequence[Shape], sizes: Sequence[int]) -> str | None:
        """``size``, which gives any sizes of at least 1, in place of a scale as written: 2 for
        2.0."""
        if min(sizes) < 1:
            return None
        scale = self.scale
        instead = "" if scale is None else f" in place of scale {int(scale) if scale.is_integer() else scale}"
        return f"size to {spec_value(list(sizes))}{instead}"

    def pools_globally(self, output: Shape) -> bool:
        """An area upsample is an adaptive average pool."""
        return self.mode == "area" and max(output[1:]) == 1

    def receptive_dims(self, incoming: Incoming) -> Sequence[Field1D]:
        return [
            d.upsampled(have, want, self.mode, self.align_corners, self.scale) for d, have, want in incoming.resized()
        ]

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from torch import nn

        if self.size is not None:
            return nn.Upsample(size=torch_value(self.size), mode=self.mode, align_corners=self.align_corners)
        return nn.Upsample(scale_factor=self.scale, mode=self.mode, align_corners=self.align_corners)


class PixelShuffle(LayerBase):
    """``nn.PixelShuffle``: [C·r², H, W] → [C, H·r, W·r], the sub-pixel upsampling of ESPCN."""

    type: Literal["pixel_shuffle"]
    scale: Size = Field(description="The upscale factor r (upscale_factor): C·r² channels become C.")

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.spatial_input(inputs)
        if len(shape) != 3:
            # PyTorch shuffles the last three dimensions whatever they are: on [C, D, H, W] it
            # would take D for the channels, and on [C, L] the batch.
            raise LayerError(
                "NS115",
                f"pixel_shuffle needs 2 spatial dimensions, but the input {format_shape(shape)} has {len(shape) - 1}",
            )
        squared = self.scale**2
        channels = shape[0]
        if channels % squared:
            lower = channels // squared * squared
            multiples = f"{lower} or {lower + squared}" if lower else str(squared)
            raise LayerError(
                "NS104",
                f"pixel_shuffle with scale {self.scale} needs channels divisible by {self.scale}² = {squared}, "
                f"but the input has {channels}",
                key="scale",
                help=f"give it {multiples} channels, {squared} for each output channel",
            )
        return (channels // squared, shape[1] * self.scale, shape[2] * self.scale)

    def receptive_dims(self, incoming: Incoming) -> Sequence[Field1D]:
        """Output y reads input floor(y/r), as a nearest ×r upsample does."""
        return [d.moved(d.size, d.jump / self.scale, d.centre, regular=self.scale == 1) for d in incoming.dims]

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from torch import nn

        from netspec.torch_export import checked

        # nn.PixelShuffle takes the last three dimensions, whatever they hold.
        checked(self.output_shape, self, inputs[0])
        return nn.PixelShuffle(self.scale)


class Crop(LayerBase):
    """A centre crop to ``size``, as U-Net crops its skips: offset floor((have − want)/2)."""

    type: Literal["crop"]
    size: SizeOrList = Field(description="The size to crop to: an int, or one per spatial dimension.")

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.spatial_input(inputs)
        want = self.per_dimension("size", len(shape) - 1)
        if any(w > h for w, h in zip(want, shape[1:], strict=True)):
            raise LayerError(
                "NS103",
                f"cannot crop {format_shape(shape[1:])} to the larger {format_shape(want)}",
                key="size",
            )
        return (shape[0], *want)

    @staticmethod
    def offset(have: int, want: int) -> int:
        """The first input position kept: floor((have − want)/2)."""
        return (have - want) // 2

    def positions_read(
        self, inputs: Sequence[Shape], output: Shape, windows: Sequence[Window] | None, dimension: int, position: int
    ) -> list[tuple[int, int]]:
        return [(0, position + self.offset(inputs[0][1 + dimension], output[1 + dimension]))]

    def receptive_dims(self, incoming: Incoming) -> Sequence[Field1D]:
        """The grid moves by the offset; the field keeps its size."""
        return [d.shifted(self.offset(have, want)) for d, have, want in incoming.resized()]

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from netspec import _torch_modules as custom

        return custom.CenterCrop(self.per_dimension("size", len(inputs[0]) - 1))


class Pad(LayerBase):
    """``F.pad``: W + before + after per dimension, filled with zeros (``nn.ZeroPadNd``) or,
    in the other modes, with the input's own values (``nn.ReflectionPadNd`` and the rest)."""

    type: Literal["pad"]
    padding: SidedPadding = Field(
        description="Padding per side: an int, one per dimension, or [[before, after], …] per dimension."
    )
    mode: Literal["constant", "reflect", "replicate", "circular"] = Field(
        "constant",
        description="What fills the padding: zeros (constant, the default), the input mirrored without its "
        "edge (reflect), its edge repeated (replicate), or its other end (circular).",
    )

    @property
    def padding_mode(self) -> str:
        """The mode under a convolution's ``padding_mode`` name, which calls zeros ``zeros``."""
        return "zeros" if self.mode == "constant" else self.mode

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.spatial_input(inputs)
        pads = self.per_side("padding", len(shape) - 1)
        check_padding_reach(self.mode, shape[1:], pads)
        return (shape[0], *(size + before + after for size, (before, after) in zip(shape[1:], pads, strict=True)))

    def positions_read(
        self, inputs: Sequence[Shape], output: Shape, windows: Sequence[Window] | None, dimension: int, position: int
    ) -> list[tuple[int, int]]:
        """The input position the padding before moved here; none in the padding itself."""
        read = position - self.per_side("padding", len(output) - 1)[dimension][0]
        return [(0, read)] if 0 <= read < inputs[0][1 + dimension] else []

    def receptive_dims(self, incoming: Incoming) -> Sequence[Field1D]:
        """The grid moves back by the padding before; the field keeps its size."""
        pads = self.per_side("padding", len(incoming.output) - 1)
        return [d.shifted(-before) for d, (before, _) in zip(incoming.dims, pads, strict=True)]

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from torch import nn

        from netspec.torch_export import padded

        rank = len(inputs[0]) - 1
        return padded(rank, self.per_side("padding", rank), nn.Identity(), mode=self.padding_mode)
