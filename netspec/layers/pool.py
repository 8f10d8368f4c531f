"""Pooling: ``maxpool``/``avgpool`` (sliding windows) and the adaptive pools (fixed output)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field

from netspec.layers.arithmetic import Pads, Window, excess_pads, split_padding, split_pool_output
from netspec.layers.base import (
    MAX_SPATIAL_RANK,
    Allocation,
    Fix,
    LayerBase,
    LayerError,
    Shape,
    SidedPadding,
    Size,
    SizeOrList,
    per_side_padding,
    torch_value,
    volume,
)
from netspec.layers.windowed import INPUT_TOO_SMALL_HELP, WindowedLayer, along, padded_copy, padding_fix

if TYPE_CHECKING:
    from torch import nn

    from netspec.receptive import Field1D, Incoming

#: The rule a pool's padding must follow, for the help line.
_HALF_RULE = "P ≤ F//2 on each side"
_EVEN_RULE = "evened where ceil_mode needs it"


def _padding_limit(kernel: int) -> int:
    """The most padding a side may have. PyTorch requires P ≤ K/2; on CPU a dilated max-pool
    is checked against the raw kernel (P ≤ F//2), which is stricter. netspec applies the
    stricter rule, so that a spec it accepts runs everywhere."""
    return kernel // 2


def max_indices(output: Shape) -> Allocation:
    """Where each maximum was, kept for the backward pass: int64, one per output value."""
    return ("indices", volume(output), "int64")


class Pool(WindowedLayer):
    """``nn.MaxPoolNd``/``nn.AvgPoolNd``: the conv formula, with ceil instead of floor in
    ``ceil_mode``, and PyTorch's rule that the last window must start inside the input or
    the left padding."""

    kernel: SizeOrList = Field(description="Window size F: an int, or one per spatial dimension.")
    stride: SizeOrList | None = Field(None, description="Stride S. Default: the kernel size.")
    padding: SidedPadding = Field(
        0,
        description="Implicit padding P per side (at most F//2): an int, one per dimension, or "
        "[[before, after], …] per dimension. Default 0.",
    )
    ceil_mode: bool = Field(False, description="Round the output size up instead of down. Default false.")

    #: The ``torch.nn`` class, without its rank: ``MaxPool`` for ``nn.MaxPool2d``.
    torch_name: ClassVar[str]
    #: What fills an explicit pad, which PyTorch's pools do not see as padding.
    padding_fill: ClassVar[float]

    def dilations(self, rank: int) -> tuple[int, ...]:
        return (1,) * rank

    def windows(self, shape: Shape) -> list[Window]:
        rank = len(shape) - 1
        kernels = self.per_dimension("kernel", rank)
        strides = kernels if self.stride is None else self.per_dimension("stride", rank)
        return [
            Window(size, k, s, d, before, after, self.ceil_mode)
            for size, k, s, d, (before, after) in zip(
                shape[1:], kernels, strides, self.dilations(rank), self.per_side("padding", rank), strict=True
            )
        ]

    def max_padding(self, window: Window) -> int:
        return _padding_limit(window.kernel)

    def output_from_windows(self, shape: Shape, windows: Sequence[Window]) -> Shape:
        if any(max(w.pad_before, w.pad_after) > self.max_padding(w) for w in windows):
            pads = self.clamp_fix_pads(windows)
            evened = self.clamp_pads(windows) != super().clamp_pads(windows)
            raise self._too_wide(
                [w.kernel for w in windows],
                [(w.pad_before, w.pad_after) for w in windows],
                padding_fix(pads),
                self.clamp_help(windows, pads, f"{_HALF_RULE}, {_EVEN_RULE}" if evened else _HALF_RULE),
            )
        outputs = self.spatial_output(windows)
        unrunnable = [w for w in windows if split_pool_output(w) != w.output]
        if unrunnable:
            w = unrunnable[0]
            raise LayerError(
                "NS107",
                f"ceil_mode with more padding after ({w.pad_after}) than before ({w.pad_before}): ATen's rule "
                f"drops a last window that starts in the after-padding and gives {w.output}, but PyTorch pools "
                f"with symmetric padding only, and padding the excess explicitly gives {split_pool_output(w)}",
                key="padding",
                fix=padding_fix(pads := self.even_pads(windows)),
                help=self.padding_help(windows, pads, _EVEN_RULE),
            )
        return (shape[0], *outputs)

    def allocations(
        self, inputs: Sequence[Shape], windows: Sequence[Window] | None, output: Shape
    ) -> Sequence[Allocation]:
        if not per_side_padding(self.padding):
            return ()
        assert windows is not None
        # The excess padded explicitly, as the export does.
        return padded_copy(inputs[0][0], windows, excess_pads(windows))

    def check_settings(self) -> None:
        rank = self.implied_rank("kernel", "padding")
        if rank is None or rank > MAX_SPATIAL_RANK:  # no input has it: NS002 once it is known
            return
        kernels, pads = self.per_dimension("kernel", rank), self.per_side("padding", rank)
        if any(max(sides) > _padding_limit(kernel) for kernel, sides in zip(kernels, pads, strict=True)):
            raise self._too_wide(kernels, pads, help=_HALF_RULE)

    def _too_wide(
        self, kernels: Sequence[int], pads: Sequence[Pads], fix: Fix | None = None, help: str = ""
    ) -> LayerError:
        """NS107 for the dimensions whose padding is over half their kernel, named where they
        are not all alike."""
        over: dict[tuple[int, int], list[int]] = {}  # (padding, kernel) → its dimensions
        for i, (kernel, sides) in enumerate(zip(kernels, pads, strict=True)):
            if max(sides) > _padding_limit(kernel):
                over.setdefault((max(sides), kernel), []).append(i)
        # PyTorch pads both sides alike; netspec holds each side of per-side padding to its limit.
        limit = (
            f"PyTorch rejects this {self.type}"
            if all(pads[i][0] == pads[i][1] for held in over.values() for i in held)
            else f"PyTorch's limit for {self.type} padding, which netspec applies to each side"
        )
        alike = len(over) == 1 and len(next(iter(over.values()))) == len(kernels)
        half = ", and ".join(
            f"{padding} is more than half the kernel ({kernel}//2 = {_padding_limit(kernel)})"
            + ("" if alike else along(len(kernels), held))
            for (padding, kernel), held in over.items()
        )
        return LayerError(
            "NS107",
            f"padding {half}; {limit}",
            key="padding",
            fix=fix,
            help=help,
        )

    def accepts(self, windows: Sequence[Window]) -> bool:
        # In ceil_mode with more padding after than before, PyTorch's pool gives another size (NS107).
        return super().accepts(windows) and all(split_pool_output(w) == w.output for w in windows)

    def clamp_pads(self, windows: Sequence[Window]) -> list[Pads]:
        """Each side cut down to F//2, and evened where ceil_mode then needs it (:meth:`even_pads`):
        [[0, 2]] with kernel 2 cut to [[0, 1]] alone is refused again."""
        clamped = super().clamp_pads(windows)
        return self.even_pads([w.with_pads(*pads) for w, pads in zip(windows, clamped, strict=True)])

    def even_pads(self, windows: Sequence[Window]) -> list[Pads]:
        """No more padding after than before in the dimensions where that matters."""
        return [(w.pad_before, w.pad_before if split_pool_output(w) != w.output else w.pad_after) for w in windows]

    def torch_options(self) -> dict[str, Any]:
        """The module's keyword arguments besides the kernel and the padding."""
        return {"stride": torch_value(self.stride), "ceil_mode": self.ceil_mode}

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        """Per-side padding: the pool's own symmetric padding min(before, after), after an
        explicit pad of the excess (see :mod:`netspec.torch_export`)."""
        from netspec.torch_export import checked, nd, padded

        (shape,) = inputs
        rank = len(shape) - 1
        if not per_side_padding(self.padding):
            return nd(self.torch_name, rank)(
                torch_value(self.kernel), padding=torch_value(self.padding), **self.torch_options()
            )
        # The explicit pad escapes PyTorch's checks of its own padding (P ≤ F//2, and AvgPool3d's
        # input ≥ kernel), so netspec's rules for per-side padding, which apply them to each
        # side, decide here; they also refuse the one ceil_mode case this mapping cannot match.
        windows, _ = checked(self.windows_and_output, self, shape)
        splits = [split_padding(w.pad_before, w.pad_after) for w in windows]
        native = tuple(own for own, _ in splits)
        pool = nd(self.torch_name, rank)(torch_value(self.kernel), padding=native, **self.torch_options())
        return self.after_explicit_pad(padded(rank, [extra for _, extra in splits], pool, self.padding_fill))

    def after_explicit_pad(self, module: nn.Module) -> nn.Module:
        """The module of a pool with an explicit pad in front of it."""
        return module


class MaxPool(Pool):
    type: Literal["maxpool"]
    dilation: SizeOrList = Field(1, description="Spacing D between window elements. Default 1.")

    torch_name = "MaxPool"
    # Never the maximum.
    padding_fill = float("-inf")

    def dilations(self, rank: int) -> tuple[int, ...]:
        return self.per_dimension("dilation", rank)

    def allocations(
        self, inputs: Sequence[Shape], windows: Sequence[Window] | None, output: Shape
    ) -> Sequence[Allocation]:
        return (*super().allocations(inputs, windows, output), max_indices(output))

    def torch_options(self) -> dict[str, Any]:
        return {**super().torch_options(), "dilation": torch_value(self.dilation)}


class AvgPool(Pool):
    inert_keys = Pool.inert_keys | {"count_include_pad", "divisor_override"}
    type: Literal["avgpool"]
    count_include_pad: bool = Field(True, description="Whether padding counts in each window's divisor. Default true.")
    divisor_override: Size | None = Field(
        None, description="Divide every window's sum by this instead, on 2-D and 3-D inputs. Default: none."
    )

    torch_name = "AvgPool"
    padding_fill = 0.0

    def smallest_input(self, window: Window, rank: int) -> int:
        # ATen's pool3d_shape_check (every device): AvgPool3d also needs the unpadded input
        # to be at least the kernel, which padding does not make up for.
        return window.kernel if rank == 3 else 1

    def output_from_windows(self, shape: Shape, windows: Sequence[Window]) -> Shape:
        if self.divisor_override is not None and len(windows) == 1:
            raise LayerError(
                "NS115",
                "divisor_override needs a 2-D or 3-D input, but this one is 1-D: PyTorch's AvgPool1d "
                "has no divisor_override",
                key="divisor_override",
                help="remove divisor_override, or pool a [C, 1, L] input with a [1, F] kernel",
            )
        small = [w for w in windows if w.size < self.smallest_input(w, len(windows))]
        if small:
            raise LayerError(
                "NS103",
                f"the input ({small[0].size}) is smaller than the kernel ({small[0].kernel}); PyTorch's 3-D "
                "average pooling requires input ≥ kernel in every dimension, padding aside",
                help=INPUT_TOO_SMALL_HELP,
            )
        return super().output_from_windows(shape, windows)

    def torch_options(self) -> dict[str, Any]:
        options = {**super().torch_options(), "count_include_pad": self.count_include_pad}
        if self.divisor_override is not None:
            # Only then: AvgPool1d takes no such argument, and raises on it as netspec does (NS115).
            options["divisor_override"] = self.divisor_override
        return options

    def after_explicit_pad(self, module: nn.Module) -> nn.Module:
        if self.count_include_pad or self.divisor_override is not None:
            return module
        from netspec import _torch_modules as custom

        # The pool would count the explicit pad as input: divide by the input values of each window.
        return custom.InputMean(module)


class AdaptivePool(LayerBase):
    """``nn.AdaptiveAvgPoolNd``/``nn.AdaptiveMaxPoolNd``: exactly ``output_size``, larger or
    smaller than the input (window i spans [floor(i·W/o), ceil((i+1)·W/o)))."""

    output_size: SizeOrList = Field(description="The output size: an int, or one per spatial dimension.")

    #: The ``torch.nn`` class, without its rank.
    torch_name: ClassVar[str]

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.spatial_input(inputs)
        return (shape[0], *self.per_dimension("output_size", len(shape) - 1))

    def receptive_dims(self, incoming: Incoming) -> Sequence[Field1D]:
        return [d.adaptive(size, out) for d, size, out in incoming.resized()]

    def pools_globally(self, output: Shape) -> bool:
        return max(output[1:]) == 1

    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        from netspec.torch_export import nd

        return nd(self.torch_name, len(inputs[0]) - 1)(torch_value(self.output_size))


class AdaptiveAvgPool(AdaptivePool):
    type: Literal["adaptive_avgpool"]
    torch_name = "AdaptiveAvgPool"


class AdaptiveMaxPool(AdaptivePool):
    type: Literal["adaptive_maxpool"]
    torch_name = "AdaptiveMaxPool"

    def allocations(
        self, inputs: Sequence[Shape], windows: Sequence[Window] | None, output: Shape
    ) -> Sequence[Allocation]:
        return (max_indices(output),)
