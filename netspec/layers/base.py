"""The common layer model, the field types layers share, and the error a layer raises.

Each layer model owns its arithmetic, as Keras layers own ``compute_output_shape``:
``output_shape`` either returns the shape PyTorch would produce or raises :class:`LayerError`
exactly where PyTorch would refuse the layer. ``params`` and ``macs`` count what PyTorch
counts. Shapes leave out the batch dimension and put channels first.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, overload

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from netspec.layers.arithmetic import CountingBudget, Pads, Window
from netspec.text import plural

if TYPE_CHECKING:
    from torch import nn

    from netspec.receptive import Field1D, Incoming

Shape = tuple[int, ...]

#: Larger sizes are refused: PyTorch indexes tensors with 64-bit ints, but no real
#: network has a dimension anywhere near 2³¹, so such a number is a typo or an attack.
MAX_SIZE = 2**31 - 1

#: PyTorch refuses a tensor of more than 2⁶³ − 1 bytes, "Storage size calculation
#: overflowed", before allocating anything; float32 is its default dtype.
MAX_BYTES = 2**63 - 1
#: The most values one tensor of each dtype may hold.
MAX_VALUES = {dtype: MAX_BYTES // size for dtype, size in (("float32", 4), ("int64", 8))}


def too_many_values(dtype: str = "float32") -> str:
    """Why a tensor of ``dtype`` past :data:`MAX_BYTES` is refused."""
    article = "an" if dtype.startswith("i") else "a"
    return f"more than PyTorch can allocate: {article} {dtype} tensor holds at most {MAX_VALUES[dtype]:,}"


#: A tensor PyTorch allocates for a layer: what it is, how many values, of which dtype. (A
#: plain tuple, as propagation makes one or two for each layer, and a named one takes ten
#: times as long to make.)
Allocation = tuple[str, int, str]


#: Spatial dimensions an input may have: [C, L], [C, H, W] or [C, D, H, W].
MAX_SPATIAL_RANK = 3
#: The shapes of inputs, channels first.
CHANNELS_FIRST = "[C, L] (1-D), [C, H, W] (2-D) or [C, D, H, W] (3-D)"
#: Why a list may not fit the input's rank: an `input` without its channels, as [224, 224]
#: for a grey image, is one spatial dimension of 224 channels.
RANK_HELP = f"a shape's first size is its channels, then one size per spatial dimension: {CHANNELS_FIRST}"

Size = Annotated[int, Field(ge=1, le=MAX_SIZE)]
Count = Annotated[int, Field(ge=0, le=MAX_SIZE)]

#: The longest layer name (or name in `from`): messages quote names, so a name an alias
#: repeats must not multiply a small file into a huge report.
MAX_NAME_LENGTH = 200
Name = Annotated[str, Field(max_length=MAX_NAME_LENGTH)]


def _list_or_scalar(value: Any) -> str:
    return "#list" if isinstance(value, list) else "#scalar"


def _per_dimension(item: Any) -> Any:
    """An int, or a list with one int per spatial dimension.

    The union is tagged so that pydantic validates only the matching branch and reports one
    error; the '#…' tags appear in error locations and are dropped before users see them.
    """
    return Annotated[
        Annotated[item, Tag("#scalar")] | Annotated[list[item], Tag("#list"), Field(min_length=1)],
        Discriminator(_list_or_scalar),
    ]


SizeOrList = _per_dimension(Size)
CountOrList = _per_dimension(Count)
Pair = Annotated[list[Count], Field(min_length=2, max_length=2)]


def per_side_padding(value: Any) -> bool:
    """Whether a padding value gives a ``[before, after]`` pair per dimension."""
    return isinstance(value, list) and bool(value) and isinstance(value[0], list)


#: The branch of a padding that is a word ('same', 'valid') rather than numbers.
KEYWORD_TAG = "#keyword"

#: What each '#…' branch of a tagged field accepts, in words, for the errors users see.
BRANCH_NAMES = {
    "#scalar": "an integer",
    "#list": "a list with one per spatial dimension",
    "#sides": "a [before, after] pair per dimension",
    KEYWORD_TAG: "'same' or 'valid'",
}


def takes_padding_pairs(model: type[BaseModel]) -> bool:
    """Whether a layer model's ``padding`` takes ``[before, after]`` pairs (conv, the pools, pad)."""
    field = model.model_fields.get("padding")
    return field is not None and any(getattr(meta, "discriminator", None) is _padding_kind for meta in field.metadata)


def _padding_kind(value: Any) -> str:
    if isinstance(value, str):
        return KEYWORD_TAG
    if isinstance(value, list):
        return "#sides" if per_side_padding(value) else "#list"
    return "#scalar"


#: Conv and pooling padding: an int, one per spatial dimension, or a ``[before, after]``
#: pair per dimension (``[[top, bottom], [left, right]]``).
SidedPadding = Annotated[
    Annotated[Count, Tag("#scalar")]
    | Annotated[list[Count], Tag("#list"), Field(min_length=1)]
    | Annotated[list[Pair], Tag("#sides"), Field(min_length=1)],
    Discriminator(_padding_kind),
]
ConvPadding = Annotated[
    Annotated[Count, Tag("#scalar")]
    | Annotated[list[Count], Tag("#list"), Field(min_length=1)]
    | Annotated[list[Pair], Tag("#sides"), Field(min_length=1)]
    | Annotated[Literal["same", "valid"], Tag(KEYWORD_TAG)],
    Discriminator(_padding_kind),
]


#: What a fix writes: a number, one per dimension, or a (before, after) pair per dimension.
EditValue = int | list[int] | list[list[int]]


@dataclass(frozen=True)
class Edit:
    """A machine-readable replacement: the layer's ``key`` gets ``value`` (added if absent)."""

    key: str
    value: EditValue


@dataclass(frozen=True)
class Fix:
    """A suggested change: what it does, for a person, and the edits that make it."""

    message: str
    edits: tuple[Edit, ...]


@dataclass
class LayerError(Exception):
    """The layer cannot be applied to its input; PyTorch would raise here.

    ``code`` names the rule that reports it; ``key`` the field at fault, when there is one.
    """

    code: str
    message: str
    key: str | None = None
    fix: Fix | None = None
    help: str | None = None

    def __str__(self) -> str:
        return self.message


def check_groups(
    layer_type: str, groups: int, *, in_channels: int | None = None, out_channels: int | None = None
) -> None:
    """PyTorch's rule for channel groups (``_ConvNd``, ``GroupNorm``): ``groups`` must divide
    the channel counts given, the input's first."""
    for label, channels in (("input", in_channels), ("output", out_channels)):
        if channels is not None and channels % groups:
            raise LayerError(
                "NS104",
                f"groups={groups} does not divide the {plural(channels, f'{label} channel')} of this {layer_type}",
                key="groups",
            )


def _dimensions(rank: int) -> str:
    return plural(rank, "spatial dimension")


class PositionPairs(Sequence[tuple[int, int]]):
    """``(first, position)`` for each position of a range, or ``(position, position)`` without
    a ``first``, made only as they are read: a window may read millions of positions, and an
    input hold millions, which a budget counts (``len``) before any pair is made."""

    __slots__ = ("first", "positions")

    def __init__(self, positions: range, *, first: int | None = None) -> None:
        self.positions = positions
        self.first = first

    def __len__(self) -> int:
        return len(self.positions)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        first = self.first
        return ((position if first is None else first, position) for position in self.positions)

    @overload
    def __getitem__(self, at: int) -> tuple[int, int]: ...
    @overload
    def __getitem__(self, at: slice) -> PositionPairs: ...
    def __getitem__(self, at: int | slice) -> tuple[int, int] | PositionPairs:
        if isinstance(at, slice):
            return PositionPairs(self.positions[at], first=self.first)
        position = self.positions[at]  # IndexError past the end, as a list
        return (position if self.first is None else self.first, position)


class LayerBase(BaseModel):
    """Keys every layer accepts."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)

    #: Keys that change no shape, no parameter count and no receptive field: a mistake in one
    #: is reported (NS002), and the layer is still propagated with the key's default, so that
    #: the layers after it are checked. Each layer adds its own.
    inert_keys: ClassVar[frozenset[str]] = frozenset({"expect"})
    #: Of those, the keys that only check what the layer receives or gives: its PyTorch module
    #: is the same whatever they say.
    checking_keys: ClassVar[frozenset[str]] = frozenset({"expect"})

    #: Each layer narrows this to its own ``Literal``, the tag of the layer union.
    type: str

    name: Name | None = Field(
        None,
        min_length=1,
        description="Unique name of the layer. Default: the type followed by its 1-based position (conv3).",
    )
    from_: Name | None = Field(
        None,
        alias="from",
        description="Name of an earlier layer (or `input`) whose output feeds this one. Default: the previous layer.",
    )
    expect: list[Count] | None = Field(
        None,
        # A shape has one to four dimensions ([C] to [C, D, H, W]); a longer list is a mistake or
        # an attack, and no layer outputs a scalar.
        min_length=1,
        max_length=4,
        description="The output shape this layer must have, without the batch dimension, e.g. [64, 56, 56]. "
        "Default: not checked.",
    )

    # --- arithmetic, overridden per layer -------------------------------------------------

    @abstractmethod
    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        """The output shape PyTorch computes; raises :class:`LayerError` where PyTorch raises."""

    @abstractmethod
    def receptive_dims(self, incoming: Incoming) -> Sequence[Field1D] | None:
        """How the layer moves the receptive fields of its inputs (:mod:`netspec.receptive`):
        the field of each spatial dimension of its output, or None where the output's
        positions hold other elements than the input's."""

    def resizing_setting(self, inputs: Sequence[Shape], sizes: Sequence[int]) -> str | None:
        """A setting of the layer's own that would make its output's spatial sizes ``sizes``,
        in words (``output_padding to 1``); None where none does."""
        return None

    def pools_globally(self, output: Shape) -> bool:
        """Whether the layer pools its whole input to one position, whatever its size: an
        adaptive pool, or an area upsample, to 1."""
        return False

    #: Whether output position i reads position i of each input it follows, and no other: a
    #: layer that leaves the positions as they are, or merges maps position by position.
    keeps_positions: ClassVar[bool] = False

    def inputs_followed(self, inputs: Sequence[Shape], output: Shape) -> list[int]:
        """The indices of the inputs whose positions reach the output's: all of them, but for
        a merge's broadcast inputs."""
        return list(range(len(inputs)))

    def positions_read(
        self, inputs: Sequence[Shape], output: Shape, windows: Sequence[Window] | None, dimension: int, position: int
    ) -> Sequence[tuple[int, int]] | None:
        """The (input index, input position) pairs that output ``position`` reads along the
        spatial ``dimension``, padding left out; None where a layer places its positions only
        to within a step (an upsample, a transposed conv, an adaptive pool), or holds other
        elements than the input's there. ``windows`` are a conv's or pooling layer's."""
        if self.keeps_positions:
            return [(index, position) for index in self.inputs_followed(inputs, output)]
        return None

    @abstractmethod
    def torch_module(self, inputs: Sequence[Shape]) -> nn.Module:
        """The PyTorch module of the same arithmetic, for these input shapes, built with
        :mod:`netspec.torch_export`'s helpers: torch is imported only when this is called."""

    def check_settings(self) -> None:
        """Raise :class:`LayerError` for settings PyTorch refuses whatever the input, as it
        refuses them when it builds the module. Propagation asks this of a layer whose input
        is unknown: its own mistakes are reported all the same, rather than one per run."""

    def windows_and_output(
        self, inputs: Sequence[Shape], counting: CountingBudget | None = None
    ) -> tuple[list[Window] | None, Shape]:
        """The window sliding over each spatial dimension (a conv's or a pool's; None for
        other layers), counted within the file's ``counting`` budget, and the output shape:
        propagation keeps the windows for the rules."""
        return None, self.output_shape(inputs)

    def params(self, inputs: Sequence[Shape]) -> int:
        """Learnable parameters, as ``sum(p.numel() for p in module.parameters())``."""
        return 0

    def allocations(
        self, inputs: Sequence[Shape], windows: Sequence[Window] | None, output: Shape
    ) -> Sequence[Allocation]:
        """The tensors besides its output that PyTorch allocates for the layer, where one may
        be larger: a conv's or a dense layer's weight, a padded copy of the input, max
        pooling's indices. Nothing for the others."""
        return ()

    def unshared_params(self, inputs: Sequence[Shape], output: Shape) -> int | None:
        """For a layer that shares its weights across positions, the parameters of the
        equivalent layer that does not (``show``'s weight sharing); None for the others."""
        return None

    def macs(self, inputs: Sequence[Shape], output: Shape) -> int:
        """Multiply–accumulates of the weights (bias excluded); zero for layers without."""
        return 0

    # --- helpers for subclasses -----------------------------------------------------------

    @property
    def sources(self) -> list[str] | None:
        """The names in ``from``, as a list, or None for the default (the previous layer)."""
        return None if self.from_ is None else [self.from_]

    def spatial_input(self, inputs: Sequence[Shape]) -> Shape:
        """The single input, which must have channels and at least one spatial dimension."""
        (shape,) = inputs
        if len(shape) < 2:
            raise LayerError(
                "NS115",
                f"{self.type} needs a [C, *spatial] input but receives the flat tensor "
                f"{format_shape(shape)}; it must come before flatten",
            )
        return shape

    def per_dimension(self, key: str, rank: int) -> tuple[int, ...]:
        """An int-or-list field expanded to one value per spatial dimension."""
        value = getattr(self, key)
        if not isinstance(value, list):
            return (value,) * rank
        if len(value) != rank:
            values = plural(len(value), "value")
            message = f"{key} has {values} but the input has {_dimensions(rank)}"
            raise LayerError("NS002", message, key=key, help=RANK_HELP)
        return tuple(value)

    def implied_rank(self, *keys: str) -> int | None:
        """The spatial rank the lists among these fields imply, for checks made without an
        input: one when all are ints. None when their lengths differ, which only the input's
        rank can say which is wrong (NS002)."""
        lengths = {len(value) for key in keys if isinstance(value := getattr(self, key), list)}
        return None if len(lengths) > 1 else lengths.pop() if lengths else 1

    def per_side(self, key: str, rank: int) -> tuple[Pads, ...]:
        """A padding field expanded to a (before, after) pair per spatial dimension."""
        value = getattr(self, key)
        if not isinstance(value, list):
            return ((value, value),) * rank
        if per_side_padding(value):
            if len(value) != rank:
                pairs = plural(len(value), "[before, after] pair")
                message = f"{key} has {pairs} but the input has {_dimensions(rank)}"
                raise LayerError("NS002", message, key=key, help=RANK_HELP)
            return tuple((before, after) for before, after in value)
        return tuple((p, p) for p in self.per_dimension(key, rank))


class SamePositions(LayerBase):
    """A layer whose output position i holds what input position i held, whatever it does to
    the channels: the receptive field passes on unchanged."""

    keeps_positions: ClassVar[bool] = True

    def receptive_dims(self, incoming: Incoming) -> Sequence[Field1D]:
        return incoming.dims


class NewPositions(LayerBase):
    """A layer whose output positions hold other elements than the input's (``flatten``,
    ``dense``, ``reshape``): no receptive field passes it."""

    def receptive_dims(self, incoming: Incoming) -> None:
        return None


def torch_value(value: Any) -> Any:
    """A spec value as PyTorch takes it: lists become tuples, as ``nn`` modules expect."""
    return tuple(value) if isinstance(value, list) else value


def format_shape(shape: Sequence[int]) -> str:
    """``[64, 56, 56]`` → ``64×56×56``."""
    return "×".join(str(d) for d in shape) if shape else "scalar"


def spec_value(values: Sequence[int]) -> int | list[int]:
    """The most compact spec value for one number per dimension: one int when they agree."""
    return values[0] if len(set(values)) == 1 else list(values)


def volume(shape: Sequence[int]) -> int:
    return math.prod(shape)
