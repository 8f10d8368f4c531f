"""Resolve each layer's ``from``, then propagate shapes through the graph in file order.

A layer whose input is unknown (a schema error upstream, an unknown reference, or a layer
PyTorch rejects) gets no shape, and is refused only for its own settings, those PyTorch
refuses whatever the input (:meth:`LayerBase.check_settings`): one mistake yields one
diagnostic, not a cascade down the rest of the network.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from netspec.budget import Budget
from netspec.layers import LayerBase, LayerError, Shape, WindowedLayer
from netspec.layers.arithmetic import COPYING_MODES, CountingBudget, Pads, Window
from netspec.layers.base import MAX_NAME_LENGTH, MAX_SIZE, MAX_VALUES, too_many_values, volume
from netspec.layers.neutral import Neutral
from netspec.layers.resize import Pad
from netspec.source import KeyPath, interpolation_hint
from netspec.spec import SUGGESTION_BUDGET, ParsedSpec, raw_field, suggest, suggestion_cost
from netspec.text import MAX_LISTED

if TYPE_CHECKING:
    from netspec.receptive import ReceptiveField

#: The index of the network input among a node's sources.
INPUT = -1


@dataclass(frozen=True, slots=True)
class ChainedPadding:
    """One dimension's padding by a chain of pads together: the sums of their sides, how many
    of them pad it, and the mode of the first that pads it with copies of the input."""

    before: int = 0
    after: int = 0
    pads: int = 0
    copying: str | None = None

    def plus(self, sides: Pads, mode: str) -> ChainedPadding:
        """With one more pad's sides, filled in ``mode`` (a convolution's name for it)."""
        if not any(sides):
            return self
        copying = self.copying or (mode if mode in COPYING_MODES else None)
        return ChainedPadding(self.before + sides[0], self.after + sides[1], self.pads + 1, copying)


class PadChain:
    """``pad`` layers that feed one another, with their padding together, each link made from
    the one before it and one more pad. Whole lists in each link took 3.5 GB for a chain of
    20,000 pads, and adding them up for each layer they feed, time quadratic in layers."""

    __slots__ = ("_named", "first", "padding")

    #: Each dimension's padding.
    padding: tuple[ChainedPadding, ...]
    #: The index of the outermost pad, which reads the map before them all.
    first: int
    #: By the dimensions a pad pads (a bit for each), how many pads and the first few.
    _named: dict[int, tuple[int, tuple[int, ...]]]

    def __init__(self, before: PadChain | None, index: int, layer: Pad, rank: int) -> None:
        sides = layer.per_side("padding", rank)
        padding = before.padding if before else (ChainedPadding(),) * rank
        self.padding = tuple(p.plus(side, layer.padding_mode) for p, side in zip(padding, sides, strict=True))
        self.first = before.first if before else index
        self._named = dict(before._named) if before else {}
        padded = sum(1 << i for i, side in enumerate(sides) if any(side))
        count, listed = self._named.get(padded, (0, ()))
        self._named[padded] = (count + 1, (*listed, index) if len(listed) < MAX_LISTED else listed)

    def named(self, dimensions: Collection[int] | None = None) -> tuple[list[int], int]:
        """The indices of the first :data:`~netspec.diagnostics.MAX_LISTED` pads, outermost
        first, and how many there are in all: those that pad any of the ``dimensions``, or
        every pad of the chain for None."""
        groups = [
            (count, listed)
            for padded, (count, listed) in self._named.items()
            if dimensions is None or any(padded >> i & 1 for i in dimensions)
        ]
        return sorted(i for _, listed in groups for i in listed)[:MAX_LISTED], sum(count for count, _ in groups)


@dataclass
class Node:
    """One layer in the graph, with what propagation found out about it."""

    index: int
    name: str
    layer: LayerBase | None
    sources: list[int] = field(default_factory=list)
    consumers: list[int] = field(default_factory=list)
    inputs: list[Shape] | None = None
    output: Shape | None = None
    error: LayerError | None = None
    #: A conv or pooling layer's windows, one per spatial dimension, for the rules.
    windows: list[Window] | None = None
    #: Keys written with an invalid value that changes no shape (NS002), which the layer was
    #: built without, at their defaults: the rules may look past them, an export may not.
    defaulted: tuple[str, ...] = ()

    @property
    def path(self) -> KeyPath:
        return ("layers", self.index)

    @property
    def params(self) -> int:
        """Learnable parameters; 0 where the output shape is unknown. Counted on demand: only
        ``show`` reports them, and a check need not pay for them."""
        if self.layer is None or self.inputs is None or self.output is None:
            return 0
        return self.layer.params(self.inputs)

    @property
    def macs(self) -> int:
        """Multiply–accumulates; 0 where the output shape is unknown."""
        if self.layer is None or self.inputs is None or self.output is None:
            return 0
        return self.layer.macs(self.inputs, self.output)


@dataclass(frozen=True)
class GraphProblem:
    """A structural problem: an unknown reference (NS004) or a duplicate name (NS005)."""

    code: str
    #: The layer at fault; None for a name in the spec's ``outputs``.
    index: int | None
    message: str
    #: The value at fault (the unknown name in ``from``), when there is one to point at.
    path: KeyPath | None = None


@dataclass
class Graph:
    input: Shape | None
    nodes: list[Node]
    problems: list[GraphProblem]
    #: The layers the network returns: those ``outputs`` names, or the last; None until
    #: :func:`build` finds them, and when ``outputs`` is invalid or names no layer.
    outputs: list[int] | None = None
    #: What counting the positions the windows read may still cost (NS101, NS107, NS109):
    #: shared with the analyses that judge fixes on this one, which count the same windows.
    counting: CountingBudget = field(default_factory=CountingBudget)

    @cached_property
    def returned(self) -> frozenset[int]:
        """:attr:`outputs` (none while unknown), to ask of any layer whether the network
        returns it: a rule asks of every layer."""
        return frozenset(self.outputs or ())

    @cached_property
    def without_output(self) -> list[int]:
        """The layers the rules could not look at in full: invalid, refused by PyTorch, or fed
        by a layer whose output is unknown."""
        return [node.index for node in self.nodes if node.output is None]

    @cached_property
    def explicit_pads(self) -> list[PadChain | None]:
        """For each node, the ``pad`` layers that alone feed it, through shape-keeping layers
        and one another (their :class:`PadChain`; None for none): the padding of a layer
        ported from a framework that pads with a layer of its own. Found in one pass, since
        the rules ask of every layer."""
        return self._pads_feeding(through_statistics=True)

    @cached_property
    def explicit_pads_kept(self) -> list[PadChain | None]:
        """:attr:`explicit_pads`, but only those whose padding is still padding where the layer
        reads it: a normalisation that takes statistics over the positions between gives it
        values of the input's."""
        return self._pads_feeding(through_statistics=False)

    def _pads_feeding(self, *, through_statistics: bool) -> list[PadChain | None]:
        feeding: list[PadChain | None] = []
        # The chain each output ends, linked once however many layers read it.
        ending: list[PadChain | None] = []
        for node in self.nodes:
            chain = ending[node.sources[0]] if len(node.sources) == 1 and node.sources[0] != INPUT else None
            feeding.append(chain)
            if isinstance(node.layer, Pad) and node.output is not None:
                chain = PadChain(chain, node.index, node.layer, len(node.output) - 1)
            elif not (isinstance(node.layer, Neutral) and (through_statistics or node.layer.keeps_padding)):
                chain = None
            ending.append(chain)
        return feeding

    @cached_property
    def windowed(self) -> list[tuple[Node, WindowedLayer, list[Window]]]:
        """Conv and pooling layers that have a valid output, with their per-dimension windows:
        found once, since most rules walk them."""
        return [
            (node, node.layer, node.windows)
            for node in self.nodes
            if node.windows is not None and isinstance(node.layer, WindowedLayer)
        ]

    @cached_property
    def receptive_fields(self) -> list[ReceptiveField | None]:
        """Each node's receptive field (None where the output is not spatial or unknown).

        Computed on first use: only ``show`` and NS114 need them, and the exact fractions they
        are kept in would otherwise dominate the cost of a plain check.
        """
        from netspec.receptive import ReceptiveField, receptive_field  # show machinery: not on a check's path

        fields: list[ReceptiveField | None] = []
        start = ReceptiveField.of_input(self.input[1:]) if self.input else None
        for node in self.nodes:
            if node.layer is None or node.inputs is None or node.output is None:
                fields.append(None)
                continue
            sources = [start if source == INPUT else fields[source] for source in node.sources]
            fields.append(receptive_field(node.layer, node.inputs, sources, node.output, node.windows))
        return fields


def _given_name(layer: LayerBase | None, raw: Any) -> str | None:
    """The name the file gives the layer, if any."""
    if layer is not None:
        return layer.name
    name = raw_field(raw, "name")
    return name if isinstance(name, str) and 0 < len(name) <= MAX_NAME_LENGTH else None


def _default_name(index: int, layer: LayerBase | None, raw: Any) -> str:
    """The type followed by the 1-based position: ``conv3``."""
    kind = layer.type if layer is not None else raw_field(raw, "type")
    return f"{kind if isinstance(kind, str) and len(kind) <= MAX_NAME_LENGTH else 'layer'}{index + 1}"


def declared_sources(layer: LayerBase | None, raw: Any) -> list[str] | None:
    """The names a layer's ``from`` gives, as the file writes them where the layer is invalid;
    None for no ``from``, or one that cannot be read (the layer before is then its source)."""
    if layer is not None:
        return layer.sources
    value = raw_field(raw, "from")
    names = [value] if isinstance(value, str) else value
    if isinstance(names, list) and all(isinstance(v, str) and len(v) <= MAX_NAME_LENGTH for v in names):
        return names
    return None


def build(spec: ParsedSpec, suggestions: int = SUGGESTION_BUDGET, counting: CountingBudget | None = None) -> Graph:
    """Resolve references and propagate shapes. ``suggestions`` bounds "did you mean", as
    for :func:`netspec.spec.parse`; ``counting`` is the budget of the analysis this one
    re-checks a fix of (a new one by default)."""
    graph = Graph(spec.input, [], [], counting=counting or CountingBudget())
    layers = list(zip(spec.layers, spec.raw_layers, strict=True))
    given = [_given_name(layer, raw) for layer, raw in layers]
    names = [name or _default_name(i, *layers[i]) for i, name in enumerate(given)]
    references = _References(names, Budget(suggestions))
    defined = references.defined
    defaulted: dict[Any, tuple[str, ...]] = {}
    for problem in spec.problems:
        if problem.checked_past and len(problem.path) >= 3:
            defaulted[problem.path[1]] = (*defaulted.get(problem.path[1], ()), str(problem.path[2]))
    for index, (layer, raw) in enumerate(layers):
        node = Node(index, names[index], layer, defaulted=tuple(dict.fromkeys(defaulted.get(index, ()))))
        graph.nodes.append(node)
        resolved = _resolve(graph, node, declared_sources(layer, raw), references, raw)
        # A name the layer writes is what to point at; a default one has no text of its own.
        written: KeyPath | None = ("layers", index, "name") if given[index] is not None else None
        if node.name == "input":
            message = "the name 'input' is already used by the network input"
            graph.problems.append(GraphProblem("NS005", index, message, written))
        elif node.name not in defined:
            defined[node.name] = index
        else:
            earlier = defined[node.name]
            message = _taken(node.name, earlier, given[earlier], given[index])
            graph.problems.append(GraphProblem("NS005", index, message, written))
            if given[earlier] is None and given[index] is not None:
                # A name the file writes wins over one netspec made up: `from` means this layer.
                defined[node.name] = index
        if resolved and layer is not None:
            _propagate(graph, node)
        elif layer is not None:
            _check_settings(node, layer)
    graph.outputs = None if spec.bad_outputs else _outputs(graph, spec.outputs, references)
    return graph


def _outputs(graph: Graph, names: list[str] | None, references: _References) -> list[int] | None:
    """The indices of the layers ``outputs`` names (the last layer's by default), or None
    when a name is not a layer: NS004 at the first such name, counting the others."""
    if names is None:
        return [len(graph.nodes) - 1] if graph.nodes else []
    outputs = [references.defined.get(name) for name in names]
    unknown = [position for position, index in enumerate(outputs) if index is None]
    if not unknown:
        return [index for index in outputs if index is not None]
    # One problem, at the first, so that a list of thousands stays one line.
    name = names[unknown[0]]
    others = len(unknown) - 1
    more = f" (and {others:,} more {'names that are not layers' if others > 1 else 'name that is not a layer'})"
    message = f"`outputs` names '{name}', which is not a layer{references.hint(name)}{more if others else ''}"
    graph.problems.append(GraphProblem("NS004", None, message, ("outputs", unknown[0])))
    return None


def _taken(name: str, earlier: int, earlier_given: str | None, given: str | None) -> str:
    """NS005's message: which layer holds the name, and whether either name is a default."""
    if earlier_given is None and given is not None:
        return (
            f"the name '{name}' is also the default name of layer {earlier + 1} (its type and position), "
            f"which has none of its own; a `from: {name}` after it reads this layer"
        )
    if given is None:
        return f"this layer's default name '{name}' (its type and position) is already used by layer {earlier + 1}"
    return f"the name '{name}' is already used by layer {earlier + 1}"


class _References:
    """What resolving ``from`` needs to know about the names, kept in dicts so that a file
    of thousands of broken references costs time linear in its size."""

    def __init__(self, names: list[str], suggestions: Budget) -> None:
        #: Each name defined so far, at its first layer.
        self.defined: dict[str, int] = {}
        #: Each name in the whole spec, at its first layer.
        self.first: dict[str, int] = {}
        for index, name in enumerate(names):
            self.first.setdefault(name, index)
        #: The longest name, which bounds what comparing with the names defined costs.
        self.longest = max(map(len, self.first), default=0)
        self.suggestions = suggestions

    def unknown(self, name: str, node: Node) -> str:
        if name == node.name:
            return f"`from` names the layer itself ('{name}'); a layer can only read earlier layers"
        # Every name before this layer is defined, so one seen elsewhere comes later.
        later = self.first.get(name)
        if later is not None:
            return (
                f"`from` names '{name}', which is defined later (layer {later + 1}); "
                "a layer can only read earlier layers"
            )
        return f"`from` names '{name}', which is not an earlier layer{self.hint(name, 'input')}"

    def hint(self, name: str, *more: str) -> str:
        """What ``name``, which is not defined, may have meant: one of the names defined so
        far or ``more``, while the suggestions' budget lasts."""
        if hint := interpolation_hint(name):
            return hint
        longest = max([self.longest, *map(len, more)])
        if not self.suggestions.spend(suggestion_cost(name, len(self.defined) + len(more), longest)):
            return ""
        return suggest(name, [*self.defined, *more])


def _resolve(graph: Graph, node: Node, names: list[str] | None, references: _References, raw: Any) -> bool:
    """Fill ``node.sources``; False when a reference is broken.

    The references that do resolve still count as consumers, so that one typo in a merge
    does not also report its other inputs as unused.
    """
    broken = False
    if names is None:
        node.sources = [node.index - 1 if node.index else INPUT]
    else:
        node.sources = []
        for name in names:
            if name == "input":
                node.sources.append(INPUT)
            elif name in references.defined:
                node.sources.append(references.defined[name])
            elif not broken:
                broken = True
                message = references.unknown(name, node)
                graph.problems.append(
                    GraphProblem("NS004", node.index, message, _reference_path(node.index, raw, name))
                )
    for source in node.sources:
        if source != INPUT:
            graph.nodes[source].consumers.append(node.index)
    return not broken


def _reference_path(index: int, raw: Any, name: str) -> KeyPath | None:
    """Where the file writes the reference ``name``: ``from`` itself, or its item."""
    value = raw_field(raw, "from")
    if value == name:
        return ("layers", index, "from")
    if isinstance(value, list) and name in value:
        return ("layers", index, "from", value.index(name))
    return None


def _magnitude(size: int) -> str:
    # Propagation stops past MAX_SIZE, so a size here has at most about 38 digits (a flatten
    # of four dimensions at the limit): past 30, the order of magnitude reads better.
    return f"{size:,}" if size < 10**30 else f"about 10^{int(size.bit_length() * math.log10(2))}"


def _check_settings(node: Node, layer: LayerBase) -> None:
    """A layer whose input is unknown: only its own settings can be checked."""
    try:
        layer.check_settings()
    except LayerError as error:
        node.error = error.with_traceback(None)


def _propagate(graph: Graph, node: Node) -> None:
    assert node.layer is not None
    layer = node.layer
    inputs = []
    for source in node.sources:
        shape = graph.input if source == INPUT else graph.nodes[source].output
        if shape is None:
            _check_settings(node, layer)
            return
        inputs.append(shape)
    node.inputs = inputs
    try:
        windows, output = layer.windows_and_output(node.inputs, graph.counting)
        if max(output) > MAX_SIZE:
            # Strides multiply sizes (40 transposed convs of stride 2³¹ − 1 make a 370-digit
            # one): stop here, before numbers too long to compute with or print.
            largest = _magnitude(max(output))
            raise LayerError("NS002", f"its output would be {largest}, an absurd size; sizes are at most {MAX_SIZE:,}")
        allocations = layer.allocations(inputs, windows, output)
        for what, values, dtype in (("output", volume(output), "float32"), *allocations):
            if values > MAX_VALUES[dtype]:
                tensor = f"its {what} would hold {_magnitude(values)} values"
                raise LayerError("NS002", f"{tensor}, {too_many_values(dtype)}")
        node.windows, node.output = windows, output
    except LayerError as error:
        # Without its traceback: the traceback's frames hold the graph, and that cycle would
        # keep every analysis with a layer error alive until the collector runs (it is paused
        # while a file is linted).
        node.error = error.with_traceback(None)
