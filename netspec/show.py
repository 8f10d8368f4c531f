"""``netspec show``: a per-layer summary of a spec (shapes, neurons, parameters, MACs,
receptive fields, and what weight sharing saves)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from netspec.analysis import Analysis
from netspec.layers import Conv, format_shape, volume
from netspec.report.base import one_line


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
    #: Conv layers only: the parameters of the equivalent locally connected layer.
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
        (conv layers replaced by locally connected ones); None without conv layers."""
        if not self.total_params or all(row.unshared_params is None for row in self.layers):
            return None
        unshared = sum(row.params if row.unshared_params is None else row.unshared_params for row in self.layers)
        return unshared / self.total_params

    def footer(self) -> list[str]:
        """The notes under the table."""
        notes = []
        if self.unknown_layers:
            notes.append(
                f"Partial totals: {self.unknown_layers} of {len(self.layers)} layers have no known shape "
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
        raw = analysis.spec.raw_layers[node.index]
        raw_type = raw.get("type") if isinstance(raw, dict) else None
        field = analysis.graph.receptive_fields[node.index]
        unshared = None
        if isinstance(node.layer, Conv) and node.inputs is not None and node.output is not None:
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
    return [
        row.name,
        row.type,
        _shape(row.output_shape),
        _shape(row.receptive_field),
        f"{row.neurons:,}",
        f"{row.params:,}",
        f"{row.macs:,}",
    ]


HEADERS = ["layer", "type", "output", "RF", "neurons", "params", "MACs"]


def _total_columns(summary: NetworkSummary) -> list[str]:
    label = "partial total" if summary.unknown_layers else "total"
    return [label, "", "", "", "", f"{summary.total_params:,}", f"{summary.total_macs:,}"]


def render_json(summary: NetworkSummary) -> str:
    return json.dumps(summary.to_dict(), indent=2)


#: What Markdown would read as markup in a name: a column break, HTML, emphasis (``*``, ``_``,
#: GFM's ``~``), code, a link, a heading's closing ``#``.
_MARKDOWN_SIGNS = re.compile(r"([\\|<>&*_~`\[\]#])")


def _markdown_cell(text: str) -> str:
    """Text shown as written inside its table cell (or heading): a ``|`` would start a new
    column, a line break end the table, and ``<b>``, ``*``, `` ` `` or ``[…](…)`` render."""
    return _MARKDOWN_SIGNS.sub(r"\\\1", one_line(text))


def render_markdown(summary: NetworkSummary) -> str:
    lines = [
        f"## {_markdown_cell(summary.name)}",
        "",
        f"Input: {format_shape(summary.input)}",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join(["---"] * 2 + ["---:"] * (len(HEADERS) - 2)) + "|",
    ]
    lines += ["| " + " | ".join(map(_markdown_cell, _columns(row))) + " |" for row in summary.layers]
    lines.append("| " + " | ".join(f"**{cell}**" if cell else "" for cell in _total_columns(summary)) + " |")
    for note in summary.footer():  # each a paragraph of its own
        lines += ["", note]
    return "\n".join(lines)


def render_table(summary: NetworkSummary) -> str:
    """A rich table for the terminal (rich is imported here, so ``netspec check`` never pays for it)."""
    from rich.cells import cell_len
    from rich.console import Console, JustifyMethod
    from rich.table import Table
    from rich.text import Text

    # Every cell is a Text, never markup: a layer named "[/x]" is a name, not a closing tag.
    # Control characters are escaped: rich passes an escape sequence to the terminal as is.
    rows = [[Text(one_line(cell)) for cell in _columns(row)] for row in summary.layers]
    total = _total_columns(summary)
    footer = summary.footer()
    table = Table(
        title=Text(one_line(f"{summary.name}  (input {format_shape(summary.input)})")),
        caption=Text("\n".join(footer)) if footer else None,
    )
    # Widths worked out here, once: rich would measure every cell, twice, at ~1 ms a row.
    for i, header in enumerate(HEADERS):
        width = max(cell_len(header), cell_len(total[i]), *(cells[i].cell_len for cells in rows))
        justify: JustifyMethod = "right" if header in ("neurons", "params", "MACs") else "left"
        table.add_column(header, justify=justify, width=width, no_wrap=True)
    for cells in rows:
        table.add_row(*cells)
    table.add_section()
    table.add_row(*map(Text, total))
    # As wide as the table needs: a narrow terminal must not truncate the numbers.
    console = Console()
    needed = console.measure(table, options=console.options.update_width(10_000)).maximum
    console = Console(width=max(console.width, needed))
    with console.capture() as captured:
        console.print(table)
    return captured.get().rstrip("\n")


RENDERERS: dict[str, Callable[[NetworkSummary], str]] = {
    "table": render_table,
    "json": render_json,
    "markdown": render_markdown,
}
