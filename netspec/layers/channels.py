"""Layers that rearrange channels and keep the positions: ``slice`` and ``channel_shuffle``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import ConfigDict, Field, model_validator

from netspec.layers.base import Count, LayerError, SamePositions, Shape, Size, check_groups
from netspec.layers.neutral import Neutral
from netspec.text import plural

if TYPE_CHECKING:
    from torch import nn


class Slice(SamePositions):
    """A range of channels (of features, on a flat tensor), ``x[:, start:stop]``: how a spec
    splits a tensor in two (the ``chunk`` of ShuffleNetV2's blocks and of YOLOv8's C2f), one
    slice per part."""

    # For editors and validators: without start, a stop that is not null (null stands for absent).
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"not": {"required": ["start"]}},
            "then": {"required": ["stop"], "properties": {"stop": {"not": {"type": "null"}}}},
        }
    )

    type: Literal["slice"]
    start: Count = Field(0, description="The first channel taken, counted from 0. Default 0.")
    stop: Size | None = Field(
        None, description="The channel after the last one taken, at most the input's channels. Default: all of them."
    )

    @model_validator(mode="after")
    def _start_or_stop(self) -> Slice:
        # Without either it takes every channel: a part of a split written without its bounds.
        if self.start == 0 and self.stop is None and "start" not in self.model_fields_set:
            raise ValueError("slice takes `start`, `stop` or both: without them it takes every channel")
        return self

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        self.check_settings()
        channels = shape[0]
        stop = channels if self.stop is None else self.stop
        if stop > channels or self.start >= channels:
            # PyTorch clamps a slice to the channels there are, silently.
            key = "stop" if stop > channels else "start"
            what = "channels" if len(shape) > 1 else "features"  # a flat tensor's
            raise LayerError(
                "NS104",
                f"slice {self.start}:{stop} reaches past the input's {plural(channels, what[:-1])}; PyTorch would "
                f"silently give {max(0, min(stop, channels) - self.start)}",
                key=key,
                help=f"the input's {what} are 0:{channels}",
            )
        return (stop - self.start, *shape[1:])

    def check_settings(self) -> None:
        if self.stop is not None and self.stop <= self.start:
            raise LayerError(
                "NS103", f"slice {self.start}:{self.stop} takes no channels", key="stop", help="stop must exceed start"
            )

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from netspec import _torch_modules as custom

        return custom.ChannelSlice(self.start, self.stop)


class ChannelShuffle(Neutral):
    """``nn.ChannelShuffle``: the channels, seen as ``groups`` rows, read by column, so that
    the next grouped layer mixes every group (ShuffleNet)."""

    type: Literal["channel_shuffle"]
    groups: Size = Field(description="Channel groups; must divide the input's channels.")

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.spatial_input(inputs)
        check_groups(self.type, self.groups, in_channels=shape[0])
        return shape

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from torch import nn

        return nn.ChannelShuffle(self.groups)
