"""Layers that keep the shape: activations, PReLU, dropout, identity and batch normalisation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import Field

from netspec.layers.base import LayerBase, LayerError, Shape, Size


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


class PReLU(Neutral):
    """``nn.PReLU``: a learnt negative slope, shared (one parameter) or one per channel."""

    type: Literal["prelu"]
    num_parameters: Size = Field(
        1, description="Learnt slopes: 1 (shared by every channel) or the input's channels. Default 1."
    )

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        channels = shape[0]
        if self.num_parameters not in (1, channels):
            # PyTorch: "Mismatch of parameter numbers and input channel size", at the first forward pass.
            raise LayerError(
                "NS104",
                f"num_parameters is {self.num_parameters} but the input has {channels} channels; "
                "PReLU takes 1 slope or one per channel",
                key="num_parameters",
                help=f"num_parameters: {channels} gives one slope per channel; 1 shares one slope",
            )
        return shape

    def params(self, inputs: Sequence[Shape]) -> int:
        return self.num_parameters


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
