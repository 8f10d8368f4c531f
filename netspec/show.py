"""``netspec show``: a per-layer summary of a spec (shapes, neurons, parameters, MACs,
receptive fields, and what weight sharing saves)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from netspec.analysis import Analysis
from netspec.layers import format_shape, volume
from netspec.report.base import inline, json_text, no_workflow_command
from netspec.spec import raw_field
from netspec.text import plural


@dataclass(frozen=True)
class LayerRow:
    name: str
    type: str
    #: The (first) input's shape; merges list all of theirs in ``input_shapes``.
    input_shape: list[int] | None
    output_shape: list[int] | None
    neurons: int
    params: int
    macs: int
    #: Per spatial dimension; None once the output is flat.
    receptive_field: list[int] | None = None
    effective_stride: list[int | float] | None = None
    effective_padding: list[int | float] | None = None
    #: Conv and transposed conv layers only: the parameters of the equivalent locally
    #: connected layer.
    unshared_params: int | None = None
    #: Merge layers only: every input's shape, in `from` order.
    input_shapes: list[list[int]] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if value is not None or key not in OPTIONAL_KEYS}


#: Keys present only for the layers they concern.
OPTIONAL_KEYS = frozenset({"unshared_params", "input_shapes"})


@dataclass(frozen=True)
class NetworkSummary:
    name: str
    input: list[int]
    layers: list[LayerRow]

    @property
    def total_params(self) -> int:
        return sum(row.params for row in self.layers)

    @property
    def total_macs(self) -> int:
        return sum(row.macs for row in self.layers)

    @property
    def unknown_layers(self) -> int:
        """Layers whose output shape is unknown (after an error): the totals leave them out."""
        return sum(row.output_shape is None for row in self.layers)

    @property
    def sharing_factor(self) -> float | None:
        """How many times more parameters the network would need without weight sharing
        (conv layers replaced by locally connected ones); None without conv layers, and for
        partial totals, where the layers left out would change it without bound."""
        if self.unknown_layers or not self.total_params or all(row.unshared_params is None for row in self.layers):
            return None
        unshared = sum(row.params if row.unshared_params is None else row.unshared_params for row in self.layers)
        return unshared / self.total_params

    def footer(self) -> list[str]:
        """The notes under the table."""
        notes = []
        if self.unknown_layers:
            notes.append(
                f"Partial totals: {self.unknown_layers} of {plural(len(self.layers), 'layer')} "
                f"{'has' if self.unknown_layers == 1 else 'have'} no known shape "
                "(`netspec check` says why)."
            )
        factor = self.sharing_factor
        if factor is not None:
            notes.append(
                f"Weight sharing: {factor:,.1f}× fewer parameters than the same network with locally connected layers."
            )
        return notes

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "input": self.input,
            "layers": [row.to_dict() for row in self.layers],
            "total_params": self.total_params,
            "total_macs": self.total_macs,
            "unknown_layers": self.unknown_layers,
        }


def summarize(analysis: Analysis) -> NetworkSummary:
    rows = []
    for node in analysis.graph.nodes:
        shapes = [list(shape) for shape in node.inputs] if node.inputs is not None else None
        raw_type = raw_field(analysis.spec.raw_layers[node.index], "type")
        field = analysis.graph.receptive_fields[node.index]
        unshared = None
        if node.layer is not None and node.inputs is not None and node.output is not None:
            unshared = node.layer.unshared_params(node.inputs, node.output)
        rows.append(
            LayerRow(
                node.name,
                node.layer.type if node.layer else raw_type if isinstance(raw_type, str) else "?",
                shapes[0] if shapes else None,
                list(node.output) if node.output is not None else None,
                volume(node.output) if node.output is not None else 0,
                node.params,
                node.macs,
                field.sizes if field else None,
                field.strides if field else None,
                field.paddings if field else None,
                unshared,
                shapes if shapes and len(shapes) > 1 else None,
            )
        )
    return NetworkSummary(analysis.spec.name, list(analysis.spec.input or ()), rows)


def _shape(shape: list[int] | None) -> str:
    return format_shape(shape) if shape is not None else "—"


def _columns(row: LayerRow) -> list[str]:
    # A layer of unknown shape counts for nothing in the totals; its own row says it is
    # unknown, not 0 (a conv there still has weights).
    counts = [f"{count:,}" if row.output_shape is not None else "—" for count in (row.neurons, row.params, row.macs)]
    return [row.name, row.type, _shape(row.output_shape), _shape(row.receptive_field), *counts]


HEADERS = ["layer", "type", "output", "RF", "neurons", "params", "MACs"]
#: The columns of counts, aligned right in every format; names and shapes align left.
COUNT_COLUMNS = [header in ("neurons", "params", "MACs") for header in HEADERS]


def _total_columns(summary: NetworkSummary) -> list[str]:
    label = "partial total" if summary.unknown_layers else "total"
    return [label, "", "", "", "", f"{summary.total_params:,}", f"{summary.total_macs:,}"]


def render_json(summary: NetworkSummary) -> str:
    return json_text(summary.to_dict(), indent=2)


#: What Markdown would read as markup in a name: a column break, HTML, emphasis (``*``, ``_``,
#: GFM's ``~``), code, a link, a heading's closing ``#``.
_MARKDOWN_SIGNS = re.compile(r"([\\|<>&*_~`\[\]#])")


def _markdown_cell(text: str) -> str:
    """Text shown as written inside its table cell (or heading): a ``|`` would start a new
    column, a line break end the table, and ``<b>``, ``*``, `` ` `` or ``[…](…)`` render."""
    return _MARKDOWN_SIGNS.sub(r"\\\1", inline(text))


def render_markdown(summary: NetworkSummary) -> str:
    lines = [
        f"## {_markdown_cell(summary.name)}",
        "",
        f"Input: {format_shape(summary.input)}",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join("---:" if right else "---" for right in COUNT_COLUMNS) + "|",
    ]
    lines += ["| " + " | ".join(map(_markdown_cell, _columns(row))) + " |" for row in summary.layers]
    lines.append("| " + " | ".join(f"**{cell}**" if cell else "" for cell in _total_columns(summary)) + " |")
    for note in summary.footer():  # each a paragraph of its own
        lines += ["", note]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return inline(text).replace("\t", "\\t")


def render_table(summary: NetworkSummary) -> str:
    """A table for the terminal, drawn as rich draws its tables, with the header in bold on
    a terminal. Drawn here, row by row: rich's own tables take ~0.4 ms a row, so a spec of
    100,000 layers took half a minute. (rich is imported here, so ``netspec check`` never
    pays for it.)"""
    from rich.cells import cell_len
    from rich.color import ColorSystem
    from rich.console import Console
    from rich.style import Style

    # Control characters are escaped: a terminal would act on an escape sequence in a name.
    # So is a tab, which has no width of its own to measure a column by.
    rows = [[_cell(cell) for cell in _columns(row)] for row in summary.layers]
    total = _total_columns(summary)
    widths = [
        max(cell_len(header), cell_len(total[i]), *(cell_len(cells[i]) for cells in rows))
        for i, header in enumerate(HEADERS)
    ]
    bold = Style(bold=True)
    # Bold needs no colours; on anything but a terminal rich gives no escape codes at all.
    color_system = None if Console().color_system is None else ColorSystem.STANDARD

    def row(cells: Sequence[str], bar: str, strong: bool = False) -> str:
        padded = []
        for cell, width, right in zip(cells, widths, COUNT_COLUMNS, strict=True):
            gap = " " * (width - cell_len(cell))
            text = f" {gap + cell if right else cell + gap} "
            padded.append(bold.render(text, color_system=color_system) if strong else text)
        return bar + bar.join(padded) + bar

    def rule(left: str, line: str, cross: str, right: str) -> str:
        return left + cross.join(line * (width + 2) for width in widths) + right

    width = sum(widths) + 3 * len(widths) + 1

    def centred(text: str) -> str:
        return (" " * max(0, (width - cell_len(text)) // 2) + text).rstrip()

    lines = [
        centred(no_workflow_command(_cell(f"{summary.name}  (input {format_shape(summary.input)})"))),
        rule("┏", "━", "┳", "┓"),
        row(HEADERS, "┃", strong=True),
        rule("┡", "━", "╇", "┩"),
        *(row(cells, "│") for cells in rows),
        rule("├", "─", "┼", "┤"),
        row(total, "│"),
        rule("└", "─", "┴", "┘"),
    ]
    for note in summary.footer():
        lines += [centred(part) for part in textwrap.wrap(note, width)]
    return "\n".join(lines)


RENDERERS: dict[str, Callable[[NetworkSummary], str]] = {
    "table": render_table,
    "json": render_json,
    "markdown": render_markdown,
}
