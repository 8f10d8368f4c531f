"""The ``nn.Module`` classes the PyTorch export needs beyond ``torch.nn``.

This module imports torch at the top; the layers' ``torch_module`` and
:mod:`netspec.torch_export` import it only inside functions, so that checking a spec never
loads torch.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence

import torch
from torch import Tensor, nn


class CenterCrop(nn.Module):
    """netspec's ``crop``: offset floor((have − want)/2) per spatial dimension, as U-Net crops."""

    def __init__(self, size: Sequence[int]) -> None:
        super().__init__()
        self.size = tuple(size)

    def forward(self, x: Tensor) -> Tensor:
        have = x.shape[2:]
        if len(have) != len(self.size) or any(w > h for w, h in zip(self.size, have, strict=True)):
            raise ValueError(f"cannot crop {tuple(have)} to {self.size}")
        for dim, (h, w) in enumerate(zip(have, self.size, strict=True), start=2):
            x = x.narrow(dim, (h - w) // 2, w)
        return x


class ChannelSlice(nn.Module):
    """netspec's ``slice``: channels ``start`` to ``stop`` (all the rest when None)."""

    def __init__(self, start: int, stop: int | None) -> None:
        super().__init__()
        self.start, self.stop = start, stop

    def forward(self, x: Tensor) -> Tensor:
        if self.stop is not None and self.stop > x.shape[1]:
            # Python's slicing would silently take fewer channels.
            raise ValueError(f"cannot take channels {self.start}:{self.stop} of {x.shape[1]}")
        return x[:, self.start : self.stop]


class Reshape(nn.Module):
    """netspec's ``reshape``: the batch kept, the rest in ``shape`` (one size may be -1)."""

    def __init__(self, shape: Sequence[int]) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], *self.shape)


class ChannelLayerNorm(nn.LayerNorm):
    """netspec's ``layernorm`` on a map: ``nn.LayerNorm`` over the channels of each position,
    as ConvNeXt's ``LayerNorm2d`` computes it."""

    def forward(self, x: Tensor) -> Tensor:
        return super().forward(x.movedim(1, -1)).movedim(-1, 1)


class LayerScale(nn.Module):
    """netspec's ``layer_scale``: a learnt scale per channel, starting at ``init``."""

    def __init__(self, shape: Sequence[int], init: float) -> None:
        super().__init__()
        # One scale per channel, broadcast over the positions after it.
        self.scale = nn.Parameter(torch.full((shape[0], *(1 for _ in shape[1:])), init))

    def forward(self, x: Tensor) -> Tensor:
        return x * self.scale


class InputMean(nn.Module):
    """An average pool behind an explicit pad, dividing each window's sum by the input values
    in it (``count_include_pad=False``), which the pool cannot tell from the pad: pooled
    input over pooled ones, whose window divisors cancel."""

    def __init__(self, pool: nn.Module) -> None:
        super().__init__()
        self.pool = pool

    def forward(self, x: Tensor) -> Tensor:
        mean: Tensor = self.pool(x) / self.pool(torch.ones_like(x[:, :1]))
        return mean


class Add(nn.Module):
    """Element-wise sum of the inputs (residual joins)."""

    def forward(self, *inputs: Tensor) -> Tensor:
        return functools.reduce(operator.add, inputs)


class Multiply(nn.Module):
    """Element-wise product of the inputs, broadcast where a size is 1 (gates)."""

    def forward(self, *inputs: Tensor) -> Tensor:
        return functools.reduce(operator.mul, inputs)


class Concat(nn.Module):
    """``torch.cat`` along channels."""

    def forward(self, *inputs: Tensor) -> Tensor:
        return torch.cat(inputs, dim=1)


class Network(nn.Module):
    """A spec's layer graph: each layer reads the outputs named by its ``from``.

    ``sources[i]`` lists the indices of layer i's inputs, -1 being the network input;
    ``returned`` the layers whose outputs ``forward`` returns (one tensor, or a tuple of several).
    """

    def __init__(
        self,
        names: Sequence[str],
        layers: Sequence[nn.Module],
        sources: Sequence[Sequence[int]],
        returned: Sequence[int],
    ) -> None:
        super().__init__()
        self.names = list(names)
        self.layers = nn.ModuleList(layers)
        self.sources = [list(s) for s in sources]
        self.returned = list(returned)

    def outputs(self, x: Tensor) -> list[Tensor]:
        """Every layer's output, in file order."""
        results: list[Tensor] = []
        for layer, sources in zip(self.layers, self.sources, strict=True):
            results.append(layer(*(x if s < 0 else results[s] for s in sources)))
        return results

    def forward(self, x: Tensor) -> Tensor | tuple[Tensor, ...]:
        results = self.outputs(x)
        if len(self.returned) == 1:
            return results[self.returned[0]]
        return tuple(results[i] for i in self.returned)
