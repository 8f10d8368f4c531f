"""Layers that keep the shape: activations, PReLU, dropout, identity, layer scale, the batch,
group, instance and layer normalisations, and local response normalisation."""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import Field

from netspec.layers.arithmetic import Window
from netspec.layers.base import (
    Allocation,
    LayerBase,
    LayerError,
    SamePositions,
    Shape,
    Size,
    check_groups,
    format_shape,
    volume,
)
from netspec.text import plural

if TYPE_CHECKING:
    from torch import nn


class Neutral(SamePositions):
    """Output shape = input shape. No parameters, unless a subclass counts them (the
    normalisations' affine weights, PReLU's slopes, LayerScale's scales)."""

    #: Whether what a ``pad`` added before the layer holds nothing of the input after it: each
    #: position's value is made from that position's alone. Not so for a normalisation by
    #: statistics over the positions (batchnorm in training, groupnorm, instancenorm).
    keeps_padding: ClassVar[bool] = True

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        return shape


#: The largest float32. Applied to float32 tensors (PyTorch's default), an activation's
#: argument or an initial value beyond it is refused: "value cannot be converted to type
#: float without overflow".
FLOAT32_MAX = 3.4028234663852886e38
#: A module argument that meets float32 tensors.
Real = Annotated[float, Field(allow_inf_nan=False, ge=-FLOAT32_MAX, le=FLOAT32_MAX)]
#: "Finite", as JSON Schema can say it (it has no infinity of its own to exclude).
FINITE_IN_SCHEMA = {"minimum": -sys.float_info.max, "maximum": sys.float_info.max}
#: A module argument that stays a Python float (a double), which no tensor type bounds.
Finite = Annotated[float, Field(allow_inf_nan=False, json_schema_extra=FINITE_IN_SCHEMA)]


class ActivationLayer(Neutral):
    """An activation as a layer of its own. The keys a subclass adds are the arguments of
    PyTorch's module, under PyTorch's names."""

    #: The ``torch.nn`` class of each type the model takes.
    torch_classes: ClassVar[dict[str, str]]

    def arguments(self) -> dict[str, Any]:
        """The PyTorch module's keyword arguments."""
        return {key: getattr(self, key) for key in type(self).model_fields if key not in LayerBase.model_fields}

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from netspec.torch_export import activation_module

        return activation_module(self.type, self.arguments())


class Activation(ActivationLayer):
    """The activations that take no argument."""

    torch_classes: ClassVar[dict[str, str]] = {
        "relu": "ReLU",
        "relu6": "ReLU6",
        "selu": "SELU",
        "sigmoid": "Sigmoid",
        "hardsigmoid": "Hardsigmoid",
        "tanh": "Tanh",
        "silu": "SiLU",
        "hardswish": "Hardswish",
        "mish": "Mish",
        "softmax": "Softmax",
        "identity": "Identity",
    }
    type: Literal[
        "relu",
        "relu6",
        "selu",
        "sigmoid",
        "hardsigmoid",
        "tanh",
        "silu",
        "hardswish",
        "mish",
        "softmax",
        "identity",
    ]


class LeakyReLU(ActivationLayer):
    torch_classes: ClassVar[dict[str, str]] = {"leaky_relu": "LeakyReLU"}
    inert_keys = LayerBase.inert_keys | {"negative_slope"}
    type: Literal["leaky_relu"]
    negative_slope: Real = Field(0.01, description="The slope for negative inputs. Default 0.01.")


class ELU(ActivationLayer):
    torch_classes: ClassVar[dict[str, str]] = {"elu": "ELU"}
    inert_keys = LayerBase.inert_keys | {"alpha"}
    type: Literal["elu"]
    alpha: Real = Field(1.0, description="The value ELU tends to for large negative inputs is −alpha. Default 1.")


class GELU(ActivationLayer):
    torch_classes: ClassVar[dict[str, str]] = {"gelu": "GELU"}
    inert_keys = LayerBase.inert_keys | {"approximate"}
    type: Literal["gelu"]
    approximate: Literal["none", "tanh"] = Field(
        "none", description="'tanh' for the tanh approximation, 'none' (default) for the exact GELU."
    )


#: Each activation layer type's ``torch.nn`` class. The types are also what a conv or dense
#: layer's ``activation`` names (with PyTorch's default arguments there).
ACTIVATION_CLASSES: dict[str, str] = {
    name: torch for model in ActivationLayer.__subclasses__() for name, torch in model.torch_classes.items()
}
#: Their names, in order.
ACTIVATION_TYPES: tuple[str, ...] = tuple(ACTIVATION_CLASSES)
#: The ``activation`` key of a conv or dense layer: documentation, in any words, since it
#: changes no shape; the PyTorch export builds the activation types (NS119 reports others),
#: which editors offer as examples.
FollowingActivation = Annotated[
    str | None,
    Field(
        description="The activation that follows: documentation, which changes no shape. The PyTorch export "
        "builds the activation layer types (relu, gelu, …); NS119, not selected by default, reports other "
        "words. Default: none.",
        examples=list(ACTIVATION_TYPES),
    ),
]


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
                f"num_parameters is {self.num_parameters} but the input has {plural(channels, 'channel')}; "
                "PReLU takes 1 slope or one per channel",
                key="num_parameters",
                help=f"num_parameters: {channels} gives one slope per channel; 1 shares one slope",
            )
        return shape

    def params(self, inputs: Sequence[Shape]) -> int:
        return self.num_parameters

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from torch import nn

        return nn.PReLU(self.num_parameters)


class Dropout(Neutral):
    inert_keys = LayerBase.inert_keys | {"rate", "whole_channels"}
    type: Literal["dropout"]
    rate: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = Field(
        0.5,
        description="Probability of zeroing an element (a channel, with whole_channels), from 0 to 1. "
        "Default 0.5, as in PyTorch.",
    )
    whole_channels: bool = Field(
        False,
        description="Zero whole channels of a map rather than single values, as PyTorch's "
        "Dropout1d/2d/3d and Keras's SpatialDropout do. Default false.",
    )

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        # On a flat [N, C], Dropout1d takes the batch for the channels (an unbatched [C, L]).
        return self.spatial_input(inputs) if self.whole_channels else super().output_shape(inputs)

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from torch import nn

        from netspec.torch_export import nd

        # Dropout1d/2d/3d; on a flat input, refused as netspec refuses it (NS115).
        return nd("Dropout", len(inputs[0]) - 1)(self.rate) if self.whole_channels else nn.Dropout(self.rate)


#: A normalisation's epsilon, added to the variance before its square root.
Epsilon = Annotated[
    float,
    Field(
        gt=0,
        allow_inf_nan=False,
        # PyTorch takes any finite epsilon, even one past float32's largest.
        json_schema_extra=FINITE_IN_SCHEMA,
        description="Added to the variance before its square root; must be positive. Default 1.0e-5.",
    ),
]
#: The weight of each batch in a normalisation's running statistics.
Momentum = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None


def _affine(default: bool) -> Any:
    return Field(
        default,
        description=f"Whether the layer learns a scale and a shift per channel. Default {str(default).lower()}.",
    )


def _track_running_stats(default: bool) -> Any:
    return Field(default, description=f"Whether the layer keeps running statistics. Default {str(default).lower()}.")


def _scales_and_shifts(inputs: Sequence[Shape], affine: bool, shifts: bool = True) -> int:
    """A normalisation's parameters: a scale per channel when affine, and a shift too unless
    not ``shifts``; none without affine."""
    (shape,) = inputs
    return shape[0] * (2 if shifts else 1) if affine else 0


class RunningNorm(Neutral):
    """What batchnorm and instancenorm share: PyTorch's ``_NormBase`` arguments, and a
    scale and a shift per channel when affine (running statistics are buffers). Each sets
    its own defaults."""

    inert_keys = LayerBase.inert_keys | {"eps", "momentum", "track_running_stats"}
    # Training normalises by the batch's statistics, or the sample's, whatever is tracked.
    keeps_padding = False
    eps: Epsilon = 1e-5
    momentum: Momentum
    affine: bool
    track_running_stats: bool

    #: The ``torch.nn`` class, without its rank.
    torch_name: ClassVar[str]

    def params(self, inputs: Sequence[Shape]) -> int:
        return _scales_and_shifts(inputs, self.affine)

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from netspec.torch_export import nd

        (shape,) = inputs
        # A flat [C] input is BatchNorm1d's (N, C) form.
        return nd(self.torch_name, max(len(shape) - 1, 1))(
            shape[0],
            eps=self.eps,
            momentum=self.momentum,
            affine=self.affine,
            track_running_stats=self.track_running_stats,
        )


class BatchNorm(RunningNorm):
    """``nn.BatchNormNd``: each channel normalised over the batch and the positions; a scale
    and a shift per channel when affine."""

    type: Literal["batchnorm"]
    torch_name = "BatchNorm"
    momentum: Momentum = Field(
        0.1, description="Weight of each batch in the running statistics; null for a cumulative average. Default 0.1."
    )
    affine: bool = _affine(True)
    track_running_stats: bool = _track_running_stats(True)


class GroupNorm(Neutral):
    """``nn.GroupNorm``: each sample's channels normalised in groups; a scale and a shift per
    channel when affine."""

    inert_keys = LayerBase.inert_keys | {"eps"}
    keeps_padding = False
    type: Literal["groupnorm"]
    groups: Size = Field(description="Channel groups (num_groups); must divide the input's channels.")
    eps: Epsilon = 1e-5
    affine: bool = _affine(True)

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        (shape,) = inputs
        check_groups(self.type, self.groups, in_channels=shape[0])
        return shape

    def params(self, inputs: Sequence[Shape]) -> int:
        return _scales_and_shifts(inputs, self.affine)

    def group_size(self, shape: Shape) -> int:
        """How many values each mean and variance is taken over: a group's channels at every
        position (a flat tensor's features, as PyTorch takes [N, C])."""
        return shape[0] // self.groups * math.prod(shape[1:])

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from torch import nn

        return nn.GroupNorm(self.groups, inputs[0][0], eps=self.eps, affine=self.affine)


class InstanceNorm(RunningNorm):
    """``nn.InstanceNormNd``: each sample's channels normalised over their own positions. Unlike
    batchnorm, it learns no scale and shift and keeps no running statistics unless asked."""

    type: Literal["instancenorm"]
    torch_name = "InstanceNorm"
    # Unlike batchnorm's, PyTorch takes a null momentum for 0: the statistics never move.
    momentum: Momentum = Field(
        0.1, description="Weight of each batch in the running statistics; null leaves them as they start. Default 0.1."
    )
    affine: bool = _affine(False)
    track_running_stats: bool = _track_running_stats(False)

    def group_size(self, shape: Shape) -> int:
        """How many values each mean and variance is taken over: one channel's positions."""
        return math.prod(shape[1:])

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.spatial_input(inputs)
        if self.group_size(shape) == 1:
            # Training always normalises by the sample's own statistics, running ones or not.
            raise LayerError(
                "NS115",
                f"instancenorm normalises each channel over its positions, but {format_shape(shape)} has one "
                "position; PyTorch refuses it in training"
                + ("" if self.track_running_stats else " and in eval mode")
                + ' ("Expected more than 1 spatial element")',
                help="normalise before the map is reduced to one position, or use batchnorm, which "
                "normalises over the batch",
            )
        return shape

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from netspec.torch_export import checked

        # PyTorch would take a flat [N] for one channel of N positions: netspec refuses it.
        checked(self.output_shape, self, inputs[0])
        return super().torch_module(inputs)


class LayerNorm(Neutral):
    """Each position's channels (a flat tensor's features) normalised together, as ConvNeXt's
    ``LayerNorm2d`` and ``nn.LayerNorm(C)`` over a channels-last tensor do; a scale per channel
    when ``elementwise_affine``, and a shift too unless ``bias`` is false."""

    inert_keys = LayerBase.inert_keys | {"eps"}
    type: Literal["layernorm"]
    eps: Epsilon = 1e-5
    elementwise_affine: bool = Field(True, description="Whether the layer learns a scale per channel. Default true.")
    bias: bool = Field(
        True, description="Whether it also learns a shift per channel, with elementwise_affine. Default true."
    )

    def params(self, inputs: Sequence[Shape]) -> int:
        return _scales_and_shifts(inputs, self.elementwise_affine, self.bias)

    def group_size(self, shape: Shape) -> int:
        """How many values each mean and variance is taken over: one position's channels."""
        return shape[0]

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from torch import nn

        from netspec import _torch_modules as custom

        (shape,) = inputs
        norm = nn.LayerNorm if len(shape) == 1 else custom.ChannelLayerNorm
        return norm(shape[0], eps=self.eps, elementwise_affine=self.elementwise_affine, bias=self.bias)


class LocalResponseNorm(Neutral):
    """``nn.LocalResponseNorm``, as AlexNet and GoogLeNet use it: each value divided by
    (k + alpha/size · Σ x²)^beta, the sum over ``size`` neighbouring channels at its position."""

    inert_keys = LayerBase.inert_keys | {"alpha", "beta", "k"}
    type: Literal["local_response_norm"]
    size: Size = Field(description="How many neighbouring channels each sum takes, the value's own included.")
    alpha: Finite = Field(1e-4, description="Multiplies the mean of the squares. Default 1.0e-4.")
    beta: Finite = Field(0.75, description="The exponent. Default 0.75.")
    k: Finite = Field(1.0, description="Added before the exponent. Default 1.")

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        # PyTorch: "Expected 3D or higher dimensionality input".
        return self.spatial_input(inputs)

    def allocations(
        self, inputs: Sequence[Shape], windows: Sequence[Window] | None, output: Shape
    ) -> Sequence[Allocation]:
        # The squares, padded along the channels by size − 1 in all, for the sums to average.
        (shape,) = inputs
        return (("padded squares", (shape[0] + self.size - 1) * volume(shape[1:]), "float32"),)

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from torch import nn

        return nn.LocalResponseNorm(self.size, alpha=self.alpha, beta=self.beta, k=self.k)


class LayerScale(Neutral):
    """A learnt scale per channel, as ConvNeXt multiplies each residual branch by
    (``layer_scale`` there, timm's ``LayerScale``)."""

    inert_keys = LayerBase.inert_keys | {"init"}
    type: Literal["layer_scale"]
    init: Real = Field(1e-6, description="The scales' initial value. Default 1.0e-6, as ConvNeXt's.")

    def params(self, inputs: Sequence[Shape]) -> int:
        (shape,) = inputs
        return shape[0]

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from netspec import _torch_modules as custom

        return custom.LayerScale(inputs[0], self.init)
