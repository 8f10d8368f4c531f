"""Layers that set the spatial size directly: ``upsample``, ``crop`` and ``pad``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from netspec.layers.base import LayerBase, LayerError, Shape, SidedPadding, SizeOrList, format_shape


class Upsample(LayerBase):
    """``nn.Upsample``: floor(W·scale) per dimension, or exactly ``size``."""

    # "Exactly one of scale and size" for editors and validators; a null stands for absent
    # (as after a merge key that brought in the other).
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"required": ["scale"], "properties": {"scale": {"not": {"type": "null"}}}},
            "then": {"properties": {"size": {"type": "null"}}},
            "else": {"required": ["size"], "properties": {"size": {"not": {"type": "null"}}}},
        }
    )

    type: Literal["upsample"]
    scale: Annotated[float, Field(gt=0, le=2**16, allow_inf_nan=False)] | None = Field(
        None, description="Scale factor: each spatial size becomes floor(W·scale). Give scale or size."
    )
    size: SizeOrList | None = Field(
        None, description="Output size: an int, or one per spatial dimension. Give scale or size."
    )

    @model_validator(mode="after")
    def _scale_or_size(self) -> Upsample:
        if (self.scale is None) == (self.size is None):
            raise ValueError("upsample takes exactly one of `scale` and `size`")
        return self

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.spatial_input(inputs)
        if self.size is not None:
            return (shape[0], *self.per_dimension("size", len(shape) - 1))
        assert self.scale is not None
        outputs = tuple(math.floor(size * self.scale) for size in shape[1:])
        if min(outputs) < 1:
            raise LayerError(
                "NS103", f"floor({min(shape[1:])}·{self.scale}) = {min(outputs)} < 1", help="use a larger scale"
            )
        return (shape[0], *outputs)


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


class Pad(LayerBase):
    """Constant (zero) padding: W + before + after per dimension (``nn.ZeroPadNd``)."""

    type: Literal["pad"]
    padding: SidedPadding = Field(
        description="Padding per side: an int, one per dimension, or [[before, after], …] per dimension."
    )

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.spatial_input(inputs)
        pads = self.per_side("padding", len(shape) - 1)
        return (shape[0], *(size + before + after for size, (before, after) in zip(shape[1:], pads, strict=True)))
