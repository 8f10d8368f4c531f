"""Layers that keep the shape: activations, dropout, identity and batch normalisation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import Field

from netspec.layers.base import LayerBase, Shape


class Neutral(LayerBase):
    """Output shape = input shape, no parameters."""

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        return shape


#: The activation layer types, which is also what a conv or dense layer's ``activation`` names.
ActivationName = Literal[
    "relu",
    "relu6",
    "leaky_relu",
    "elu",
    "selu",
    "sigmoid",
    "hardsigmoid",
    "tanh",
    "gelu",
    "silu",
    "hardswish",
    "mish",
    "softmax",
    "identity",
]


class Activation(Neutral):
    type: ActivationName


class Dropout(Neutral):
    type: Literal["dropout"]
    rate: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = Field(
        None, description="Probability of zeroing an element, from 0 to 1."
    )


class BatchNorm(Neutral):
    """``nn.BatchNormNd``: a scale and a shift per channel (running statistics are buffers)."""

    type: Literal["batchnorm"]

    def params(self, inputs: Sequence[Shape]) -> int:
        (shape,) = inputs
        return 2 * shape[0]
