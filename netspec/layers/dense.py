"""``flatten`` and ``dense`` (``nn.Flatten``, ``nn.Linear``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from netspec.layers.base import LayerBase, LayerError, Shape, Size, format_shape, volume
from netspec.layers.neutral import ActivationName


class Flatten(LayerBase):
    """``nn.Flatten``: [C, *spatial] → [C·prod(spatial)]."""

    type: Literal["flatten"]

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        return (volume(shape),)


class Dense(LayerBase):
    """``nn.Linear`` on a flat tensor: in·units weights plus units biases."""

    type: Literal["dense"]
    units: Size = Field(description="Output features (out_features).")
    bias: bool = Field(True, description="Whether the layer has a bias. Default true.")
    in_features: Size | None = Field(None, description="Expected input features; checked against the incoming size.")
    activation: ActivationName | None = Field(
        None, description="The activation that follows, one of the activation layer types (relu, gelu, …)."
    )

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        if len(shape) != 1:
            # nn.Linear acts on the last dimension, so PyTorch silently gives [C, H, units].
            raise LayerError(
                "NS105",
                f"dense receives the unflattened tensor {format_shape(shape)}; PyTorch's Linear would act on "
                f"the last dimension only and give {format_shape((*shape[:-1], self.units))}",
                help="add a `{type: flatten}` before this layer (after a global pool, to average each channel first)",
            )
        if self.in_features is not None and self.in_features != shape[0]:
            raise LayerError(
                "NS105",
                f"in_features is {self.in_features} but the input has {shape[0]} features",
                key="in_features",
            )
        return (self.units,)

    def params(self, inputs: Sequence[Shape]) -> int:
        (shape,) = inputs
        return shape[0] * self.units + (self.units if self.bias else 0)

    def macs(self, inputs: Sequence[Shape], output: Shape) -> int:
        (shape,) = inputs
        return shape[0] * self.units
