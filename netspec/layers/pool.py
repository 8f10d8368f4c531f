"""Pooling: ``maxpool``/``avgpool`` (sliding windows) and the adaptive pools (fixed output)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from netspec.layers.arithmetic import Pads, Window, split_pool_output
from netspec.layers.base import Fix, LayerBase, LayerError, Shape, SidedPadding, Size, SizeOrList
from netspec.layers.windowed import WindowedLayer, padding_fix

#: The rule a pool's padding must follow, for the help line.
_HALF_RULE = "P ≤ F//2 on each side"


def _padding_limit(kernel: int) -> int:
    """The most padding a side may have. PyTorch requires P ≤ K/2; on CPU a dilated max-pool
    is checked against the raw kernel (P ≤ F//2), which is stricter. netspec applies the
    stricter rule, so that a spec it accepts runs everywhere."""
    return kernel // 2


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
        too_wide = [i for i, w in enumerate(windows) if max(w.pad_before, w.pad_after) > self.max_padding(w)]
        if too_wide:
            w = windows[too_wide[0]]
            pads = self.clamp_pads(windows)
            raise self._too_wide(
                w.kernel, w.pad_before, w.pad_after, padding_fix(pads), self.padding_help(windows, pads, _HALF_RULE)
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
                help=self.padding_help(windows, pads, "no more padding after than before"),
            )
        return (shape[0], *outputs)

    def check_settings(self) -> None:
        rank = self.implied_rank("kernel", "padding")
        if rank is None:
            return
        for kernel, (before, after) in zip(
            self.per_dimension("kernel", rank), self.per_side("padding", rank), strict=True
        ):
            if max(before, after) > _padding_limit(kernel):
                raise self._too_wide(kernel, before, after, help=_HALF_RULE)

    def _too_wide(self, kernel: int, before: int, after: int, fix: Fix | None = None, help: str = "") -> LayerError:
        # PyTorch pads both sides alike; netspec holds each side of per-side padding to its limit.
        limit = (
            f"PyTorch rejects this {self.type}"
            if before == after
            else f"PyTorch's limit for {self.type} padding, which netspec applies to each side"
        )
        half = f"more than half the kernel ({kernel}//2 = {_padding_limit(kernel)})"
        return LayerError(
            "NS107",
            f"padding {max(before, after)} is {half}; {limit}",
            key="padding",
            fix=fix,
            help=help,
        )

    def accepts(self, windows: Sequence[Window]) -> bool:
        # In ceil_mode with more padding after than before, PyTorch's pool gives another size (NS107).
        return super().accepts(windows) and all(split_pool_output(w) == w.output for w in windows)

    def even_pads(self, windows: Sequence[Window]) -> list[Pads]:
        """No more padding after than before in the dimensions where that matters."""
        return [(w.pad_before, w.pad_before if split_pool_output(w) != w.output else w.pad_after) for w in windows]


class MaxPool(Pool):
    type: Literal["maxpool"]
    dilation: SizeOrList = Field(1, description="Spacing D between window elements. Default 1.")

    def dilations(self, rank: int) -> tuple[int, ...]:
        return self.per_dimension("dilation", rank)


class AvgPool(Pool):
    inert_keys = Pool.inert_keys | {"count_include_pad", "divisor_override"}
    type: Literal["avgpool"]
    count_include_pad: bool = Field(True, description="Whether padding counts in each window's divisor. Default true.")
    divisor_override: Size | None = Field(
        None, description="Divide every window's sum by this instead, on 2-D and 3-D inputs. Default: none."
    )

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
                help="no automatic fix: use a smaller kernel, or remove a downsampling layer before this one",
            )
        return super().output_from_windows(shape, windows)


class AdaptivePool(LayerBase):
    """``nn.AdaptiveAvgPoolNd``/``nn.AdaptiveMaxPoolNd``: exactly ``output_size``, larger or
    smaller than the input (window i spans [floor(i·W/o), ceil((i+1)·W/o)))."""

    output_size: SizeOrList = Field(description="The output size: an int, or one per spatial dimension.")

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        shape = self.spatial_input(inputs)
        return (shape[0], *self.per_dimension("output_size", len(shape) - 1))


class AdaptiveAvgPool(AdaptivePool):
    type: Literal["adaptive_avgpool"]


class AdaptiveMaxPool(AdaptivePool):
    type: Literal["adaptive_maxpool"]
