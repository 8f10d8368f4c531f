"""``flatten``, ``reshape`` and ``dense`` (``nn.Flatten``, ``Tensor.reshape``, ``nn.Linear``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from netspec.layers.arithmetic import Window
from netspec.layers.base import MAX_SIZE, Allocation, LayerError, NewPositions, Shape, Size, format_shape, volume
from netspec.layers.neutral import FollowingActivation
from netspec.text import plural

if TYPE_CHECKING:
    from torch import nn


class Flatten(NewPositions):
    """``nn.Flatten``: [C, *spatial] → [C·prod(spatial)]."""

    type: Literal["flatten"]

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        return (volume(shape),)

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from torch import nn

        return nn.Flatten()


#: A reshape's size: a positive int, or −1 for the one PyTorch infers from the others.
ReshapeSize = Annotated[int, Field(ge=-1, le=MAX_SIZE)]


class Reshape(NewPositions):
    """``x.reshape(N, *shape)``: the same elements in another shape, as a generator unflattens
    its dense layer's output ([C·H·W] → [C, H, W]) before its transposed convolutions."""

    type: Literal["reshape"]
    shape: Annotated[list[ReshapeSize], Field(min_length=1, max_length=4)] = Field(
        description="The new shape without the batch: [N], [C, L], [C, H, W] or [C, D, H, W]; one size may "
        "be -1, inferred from the element count."
    )

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        self.check_settings()
        elements = volume(shape)
        known = math.prod(size for size in self.shape if size != -1)
        held = f" ({format_shape(shape)})" if len(shape) > 1 else ""
        has = f"the input has {elements:,}{held}"
        if -1 not in self.shape:
            if known != elements:
                raise LayerError(
                    "NS117",
                    f"reshape to {self.asked} needs {plural(known, 'element', grouped=True)}, but {has}",
                    key="shape",
                    help=f"the sizes must multiply to {elements:,}",
                )
            return tuple(self.shape)
        if elements % known:
            raise LayerError(
                "NS117",
                f"reshape to {self.asked} cannot infer its -1: the input has "
                f"{plural(elements, 'element', grouped=True)}{held}, not a multiple of {known:,}",
                key="shape",
                help=f"the other sizes must divide {elements:,}",
            )
        return tuple(elements // known if size == -1 else size for size in self.shape)

    @property
    def asked(self) -> str:
        """The shape as written: ``[128, 7, 7]``."""
        return f"[{', '.join(map(str, self.shape))}]"

    def check_settings(self) -> None:
        if self.shape.count(-1) > 1 or 0 in self.shape:
            # PyTorch: "only one dimension can be inferred"; a size of 0 would empty the tensor.
            raise LayerError(
                "NS117",
                f"reshape to {self.asked}: "
                + ("only one size can be -1" if 0 not in self.shape else "a size of 0 leaves no elements"),
                key="shape",
            )

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from netspec import _torch_modules as custom

        return custom.Reshape(self.shape)


class Dense(NewPositions):
    """``nn.Linear`` on a flat tensor: in·units weights plus units biases."""

    inert_keys = NewPositions.inert_keys | {"activation", "in_features"}
    checking_keys = NewPositions.checking_keys | {"in_features"}
    type: Literal["dense"]
    units: Size = Field(description="Output features (out_features).")
    bias: bool = Field(True, description="Whether the layer has a bias. Default true.")
    in_features: Size | None = Field(
        None, description="Expected input features; checked against the incoming size. Default: not checked."
    )
    activation: FollowingActivation = None

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
                f"in_features is {self.in_features} but the input has {plural(shape[0], 'feature')}",
                key="in_features",
            )
        return (self.units,)

    def params(self, inputs: Sequence[Shape]) -> int:
        (shape,) = inputs
        return shape[0] * self.units + (self.units if self.bias else 0)

    def allocations(
        self, inputs: Sequence[Shape], windows: Sequence[Window] | None, output: Shape
    ) -> Sequence[Allocation]:
        (shape,) = inputs
        return (("weight", shape[0] * self.units, "float32"),)

    def macs(self, inputs: Sequence[Shape], output: Shape) -> int:
        (shape,) = inputs
        return shape[0] * self.units

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from torch import nn

        return nn.Linear(self.in_features or inputs[0][-1], self.units, bias=self.bias)
