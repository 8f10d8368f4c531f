"""What convolutions and pooling share: a window sliding over each spatial dimension."""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from netspec.layers.arithmetic import (
    CountingBudget,
    Pads,
    Window,
    padding_reach,
    same_output,
    same_output_pads,
    same_pads,
)
from netspec.layers.base import (
    Allocation,
    Edit,
    EditValue,
    Fix,
    LayerBase,
    LayerError,
    PositionPairs,
    Shape,
    format_shape,
    spec_value,
)
from netspec.text import plural

if TYPE_CHECKING:
    from netspec.receptive import Field1D, Incoming

_UNITS = {0: (), 1: ("position",), 2: ("row", "column"), 3: ("slice", "row", "column")}


def dimension_units(rank: int) -> tuple[str, ...]:
    """What one step along each spatial dimension is called: rows and columns in 2-D."""
    return _UNITS[rank]


def along(rank: int, indices: Iterable[int]) -> str:
    """`` along the rows and columns``, of ``rank`` spatial dimensions; nothing in 1-D, where
    "along the positions" says nothing."""
    if rank == 1:
        return ""
    units = dimension_units(rank)
    return f" along the {' and '.join(f'{units[i]}s' for i in indices)}"


def padding_value(pads: Sequence[Pads]) -> EditValue:
    """The most compact spec value for per-dimension (before, after) pads."""
    if all(before == after for before, after in pads):
        return spec_value([before for before, _ in pads])
    return [[before, after] for before, after in pads]


def padding_fix(pads: Sequence[Pads], action: str = "set padding to") -> Fix:
    """The fix that sets a layer's padding to ``pads`` (one (before, after) pair per dimension)."""
    value = padding_value(pads)
    return Fix(f"{action} {value}", (Edit("padding", value),))


def check_padding_reach(
    mode: str,
    sizes: Sequence[int],
    pads: Sequence[Pads],
    limits: Sequence[int] | None = None,
    layer_fix: Callable[[], tuple[Sequence[Pads], str]] | None = None,
) -> None:
    """NS107 where padding that copies the input reaches further than the input it copies.
    The fix pads no more than ``limits``, the most the layer uses per dimension, if given;
    ``layer_fix``, asked only then, gives a layer's own fix and the end of its help line."""
    reach = [padding_reach(mode, size) for size in sizes]
    too_far = [
        i
        for i, ((before, after), most) in enumerate(zip(pads, reach, strict=True))
        if most is not None and max(before, after) > most
    ]
    if not too_far:
        return
    most_used = [
        most if limit is None else limit if most is None else min(most, limit)
        for most, limit in zip(reach, limits or (None,) * len(sizes), strict=True)
    ]
    clamped = [
        (before, after) if most is None else (min(before, most), min(after, most))
        for (before, after), most in zip(pads, most_used, strict=True)
    ]
    fixed, more_help = (clamped, "") if layer_fix is None else layer_fix()
    units = dimension_units(len(sizes))
    past = [plural(sizes[i], units[i]) for i in too_far]
    first = max(pads[too_far[0]])
    if len({(max(pads[i]), sizes[i]) for i in too_far}) == 1:  # a square map, padded alike
        size = sizes[too_far[0]]
        past = [f"{size} " + " and ".join(units[i] + ("" if size == 1 else "s") for i in too_far)]
    others = "".join(f" and {max(pads[i])} past its {what}" for i, what in zip(too_far[1:], past[1:], strict=False))
    # The layer's own bound may be the tighter one: the message's W − 1 is not what to pad.
    kernel_bound = " (below the effective kernel, past which a window holds nothing but padding)"
    formula = "W − 1" if mode == "reflect" else "W"
    raise LayerError(
        "NS107",
        f"{mode} padding {first} reaches past the input's {past[0]}{others}: {mode} padding takes at most "
        + _by_dimension(
            {i: (reach[i], "") for i in too_far}, units, f"{formula} = {{}} per side", f"{formula} per side: "
        ),
        key="padding",
        fix=padding_fix(fixed),
        help="pad by at most "
        + _by_dimension(
            {i: (most_used[i], kernel_bound if most_used[i] != reach[i] else "") for i in too_far}, units, "{} there"
        )
        + f", or in replicate mode, which repeats the edge as far as asked{more_help}",
    )


def _by_dimension(
    limits: dict[int, tuple[int | None, str]], units: Sequence[str], alike: str = "{}", before: str = ""
) -> str:
    """Each dimension's limit, with its note: ``alike`` holding the one limit where all share it
    ("2 there"), else ``before`` and each limit along its dimensions ("6 along the slices and
    columns, and 2 along the rows"), so that no number is read as another dimension's."""
    groups: dict[tuple[int | None, str], list[int]] = {}
    for i, limit in limits.items():
        groups.setdefault(limit, []).append(i)
    if len(groups) == 1:
        ((value, note),) = groups
        return alike.format(value) + note
    parts = [f"{value}{along(len(units), held)}{note}" for (value, note), held in groups.items()]
    return before + ", and ".join(parts)


def same_alternative(windows: Sequence[Window], clamped: Sequence[Pads]) -> str:
    """The padding 'same' would use, when it differs from the clamped one and is symmetric:
    the clamped padding still grows a stride-1 map (3×3 with padding 2 gives W + 2), and an
    excessive padding is more often a slip for 'same' than a wish for that growth."""
    if any(w.stride > 1 for w in windows):  # PyTorch has no 'same' for strides above 1 (NS112)
        return ""
    same = [same_pads(w.effective_kernel) for w in windows]
    if same == list(clamped) or any(before != after for before, after in same):
        return ""
    if any(w.with_pads(*pads).reads_nothing() for w, pads in zip(windows, same, strict=True)):
        return ""  # a dilated kernel on a small map, whose 'same' windows all lie in the padding (NS109)
    # In a mode whose padding copies the input, 'same' may reach further than it can copy.
    reach = [padding_reach(w.padding_mode, w.size) for w in windows]
    fits = all(most is None or before <= most for (before, _), most in zip(same, reach, strict=True))
    mode = "" if fits else " in replicate mode"
    return f"; padding {padding_value(same)}{mode} gives {padded_output(windows, same)}, as 'same' would"


def padded_copy(channels: int, windows: Sequence[Window], pads: Sequence[Pads]) -> Sequence[Allocation]:
    """The input padded by ``pads`` in a tensor of its own, as ``F.pad`` makes it; nothing
    where no side is padded."""
    if not any(before or after for before, after in pads):
        return ()
    sizes = (w.size + before + after for w, (before, after) in zip(windows, pads, strict=True))
    return (("padded input", channels * math.prod(sizes), "float32"),)


def padded_output(windows: Sequence[Window], pads: Sequence[Pads]) -> str:
    """The spatial output size, as ``55×55``, that ``pads`` (a (before, after) pair per
    dimension) give."""
    return format_shape(tuple(w.with_pads(*p).output for w, p in zip(windows, pads, strict=True)))


def describe_windows(windows: Sequence[Window], indices: Sequence[int]) -> str:
    """The arithmetic of the given dimensions, once when they agree (as in a square input)."""
    return describe_formulas({i: windows[i].formula() for i in indices}, len(windows))


def describe_formulas(formulas: dict[int, str], rank: int) -> str:
    """Each dimension's worked formula, by index: once when they agree, else each named."""
    if len(set(formulas.values())) == 1:
        return next(iter(formulas.values()))
    units = dimension_units(rank)
    return "; ".join(f"{units[i]}s: {formula}" for i, formula in formulas.items())


def describe_flooring(windows: Sequence[Window], indices: Sequence[int]) -> str:
    """The arithmetic of dimensions whose output is no integer, and that PyTorch floors it,
    in the plural where they are listed one by one (NS101, NS113)."""
    formulas = {i: windows[i].formula() for i in indices}
    described = describe_formulas(formulas, len(windows))
    if len(set(formulas.values())) > 1:
        return f"{described} are not integers; PyTorch floors them"
    return f"{described} is not an integer; PyTorch floors it"


#: NS103's help where no padding makes the input large enough for the kernel.
INPUT_TOO_SMALL_HELP = "no automatic fix: use a smaller kernel, or remove a downsampling layer before this one"


class WindowedLayer(LayerBase):
    """Convolution or pooling. Subclasses say how their fields map to windows."""

    @abstractmethod
    def windows(self, shape: Shape) -> list[Window]:
        """One :class:`Window` per spatial dimension of the input ``shape``.

        Building them dominates the cost of a check, so the graph keeps the windows of each
        node (``Node.windows``) for the rules instead of asking again.
        """

    @abstractmethod
    def max_padding(self, window: Window) -> int:
        """The largest padding per side that the layer accepts without complaint."""

    @property
    def unpadded_by_choice(self) -> bool:
        """Whether the file says in words that the layer pads nothing (a conv's `valid`), so
        that its shrinking is meant (NS102). A padding of 0 is only the default written out."""
        return False

    def output_shape(self, inputs: Sequence[Shape]) -> Shape:
        return self.windows_and_output(inputs)[1]

    def windows_and_output(
        self, inputs: Sequence[Shape], counting: CountingBudget | None = None
    ) -> tuple[list[Window], Shape]:
        shape = self.spatial_input(inputs)
        windows = self.windows(shape)
        for window in windows:
            window.counting = counting
        return windows, self.output_from_windows(shape, windows)

    @abstractmethod
    def output_from_windows(self, shape: Shape, windows: Sequence[Window]) -> Shape:
        """The output shape, given the input shape and its windows (the graph builds the
        windows once and keeps them for the rules)."""

    def positions_read(
        self, inputs: Sequence[Shape], output: Shape, windows: Sequence[Window] | None, dimension: int, position: int
    ) -> Sequence[tuple[int, int]]:
        """The window's taps, ``dilation`` apart from ``position · stride − pad_before``, that
        fall on the input: counted from the first there, so a kernel of 2³¹ − 1 costs its input's
        positions, not its own."""
        assert windows is not None
        w = windows[dimension]
        start = position * w.stride - w.pad_before
        first = start if start >= 0 else start + -start // w.dilation * w.dilation
        first += w.dilation if first < 0 else 0
        return PositionPairs(range(first, min(start + w.effective_kernel, w.size), w.dilation), first=0)

    def receptive_dims(self, incoming: Incoming) -> Sequence[Field1D]:
        """The Distill recurrence, through each dimension's window."""
        assert incoming.windows is not None
        windows = zip(incoming.dims, incoming.windows, strict=True)
        return [d.window(w.effective_kernel, w.stride, w.pad_before, dilation=w.dilation) for d, w in windows]

    def spatial_output(self, windows: Sequence[Window]) -> tuple[int, ...]:
        """The output size of each window; NS103 when one is < 1."""
        outputs = tuple([w.output for w in windows])
        if min(outputs) < 1:
            collapsed = [i for i, size in enumerate(outputs) if size < 1]
            pads = self.collapse_pads(windows)
            if pads is None:
                fix, help_line = None, INPUT_TOO_SMALL_HELP
            else:
                short = any(windows[i].with_pads(*pads[i]).output < same_output(windows[i]) for i in collapsed)
                rule = (
                    f"a 'same' layer's ceil(W/S) needs more padding than a {self.type} accepts"
                    if short
                    else "ceil(W/S) where the kernel did not fit, as a 'same' layer"
                )
                fix, help_line = padding_fix(pads), self.padding_help(windows, pads, rule)
            raise LayerError(
                "NS103",
                f"{describe_windows(windows, collapsed)} < 1: the kernel is larger than the padded input",
                fix=fix,
                help=help_line,
            )
        return outputs

    def smallest_input(self, window: Window, rank: int) -> int:
        """The least input size the layer takes along this window, padding aside."""
        return 1

    def accepts(self, windows: Sequence[Window]) -> bool:
        """Whether the layer runs with these windows, giving their sizes: each at least 1,
        padding within :meth:`max_padding`."""
        return all(w.output >= 1 and max(w.pad_before, w.pad_after) <= self.max_padding(w) for w in windows)

    def padding_help(self, windows: Sequence[Window], pads: Sequence[Pads], rule: str) -> str:
        """A padding fix's help line: the rule it follows, and what the padding gives where
        the layer accepts it (where not, the fix is judged unsafe, and says why)."""
        accepted = self.accepts([w.with_pads(*p) for w, p in zip(windows, pads, strict=True)])
        gives = f" gives {padded_output(windows, pads)}" if accepted else ""
        return f"padding {padding_value(pads)}{gives} ({rule})"

    def collapse_pads(self, windows: Sequence[Window]) -> list[Pads] | None:
        """Padding that gives each collapsed dimension the output a 'same' layer would have,
        ceil(W/S), else the least symmetric padding that gives it at least one output. A
        stride-1 dimension that only shrinks or grows gets its size back too, as NS102's fix
        would give it, so that one edit settles both. None when the layer accepts too little."""
        pads: list[Pads] = []
        for w in windows:
            same = same_output_pads(w)
            fits = max(same) <= self.max_padding(w)
            if w.output >= 1:
                pads.append(same if w.resizes and fits else (w.pad_before, w.pad_after))
                continue
            if fits:
                pads.append(same)
                continue
            need = -(-(w.effective_kernel - w.size) // 2)
            padded = max(need, w.pad_before, w.pad_after)
            if padded > self.max_padding(w) or w.with_pads(padded, padded).output < 1:
                return None
            pads.append((padded, padded))
        return pads

    def clamp_pads(self, windows: Sequence[Window]) -> list[Pads]:
        """Each side's padding cut down to :meth:`max_padding`."""
        return [(min(w.pad_before, self.max_padding(w)), min(w.pad_after, self.max_padding(w))) for w in windows]

    def clamp_fix_pads(self, windows: Sequence[Window]) -> list[Pads]:
        """NS107's fix: :meth:`clamp_pads`, but 'same' padding in a stride-1 dimension whose
        size the clamped padding still changes, where the layer accepts it, as NS102's fix
        would give it, so that one edit settles both; only where its windows read every
        position, as contiguous ones do (a dilated kernel on a small map may step over some,
        NS109's, and one too costly to count is not known to read them all)."""
        pads = []
        for w, clamped in zip(windows, self.clamp_pads(windows), strict=True):
            same = same_pads(w.effective_kernel)
            usable = (
                w.stride == 1
                and w.with_pads(*clamped).resizes
                and max(same) <= self.max_padding(w)
                and (w.dilation == 1 or w.with_pads(*same).read_count("fix reading") == w.size)
            )
            pads.append(same if usable else clamped)
        return pads

    def clamp_help(self, windows: Sequence[Window], pads: Sequence[Pads], rule: str) -> str:
        """The help line of :meth:`clamp_fix_pads`' ``pads``: ``rule`` is the clamp's."""
        if list(pads) != self.clamp_pads(windows):
            rule += "; 'same' where the stride is 1, which keeps the size"
        return self.padding_help(windows, pads, rule)
