"""The layer types a spec may use. Adding one: write its model, which owns all of its
arithmetic (shape, parameters, MACs, how it moves a receptive field) and the PyTorch module it
is, and list it here; then give it a row in the README's table. The tests name each of these
that is missing."""

from __future__ import annotations

from typing import Annotated, Any, Union, get_args

from pydantic import Field

from netspec.layers.base import Edit, Fix, LayerBase, LayerError, Shape, format_shape, volume
from netspec.layers.channels import ChannelShuffle, Slice
from netspec.layers.conv import Conv, ConvTranspose
from netspec.layers.dense import Dense, Flatten, Reshape
from netspec.layers.merge import Add, Concat, Multiply
from netspec.layers.neutral import (
    ELU,
    GELU,
    Activation,
    BatchNorm,
    Dropout,
    GroupNorm,
    InstanceNorm,
    LayerNorm,
    LayerScale,
    LeakyReLU,
    LocalResponseNorm,
    PReLU,
)
from netspec.layers.pool import AdaptiveAvgPool, AdaptiveMaxPool, AvgPool, MaxPool
from netspec.layers.resize import Crop, Pad, PixelShuffle, Upsample
from netspec.layers.windowed import WindowedLayer

LAYER_CLASSES: tuple[type[LayerBase], ...] = (
    Conv,
    ConvTranspose,
    MaxPool,
    AvgPool,
    AdaptiveAvgPool,
    AdaptiveMaxPool,
    Upsample,
    PixelShuffle,
    Crop,
    Pad,
    Slice,
    ChannelShuffle,
    Flatten,
    Reshape,
    Dense,
    BatchNorm,
    GroupNorm,
    InstanceNorm,
    LayerNorm,
    LocalResponseNorm,
    LayerScale,
    Activation,
    LeakyReLU,
    ELU,
    GELU,
    PReLU,
    Dropout,
    Add,
    Multiply,
    Concat,
)

#: The discriminated union pydantic validates a layer against: only the member named by
#: ``type`` is tried, so an error speaks of that layer alone.
Layer: Any = Annotated[Union[LAYER_CLASSES], Field(discriminator="type")]  # noqa: UP007


def _type_names(cls: type[LayerBase]) -> tuple[str, ...]:
    return get_args(cls.model_fields["type"].annotation)


#: Every accepted ``type`` value, mapped to its model.
LAYER_TYPES: dict[str, type[LayerBase]] = {name: cls for cls in LAYER_CLASSES for name in _type_names(cls)}

__all__ = [
    "LAYER_CLASSES",
    "LAYER_TYPES",
    "Conv",
    "Edit",
    "Fix",
    "Layer",
    "LayerBase",
    "LayerError",
    "Shape",
    "WindowedLayer",
    "format_shape",
    "volume",
]
