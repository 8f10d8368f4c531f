"""``netspec show``: a per-layer summary of a spec (shapes, neurons, parameters, MACs)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from netspec.analysis import Analysis
from netspec.layers import format_shape, volume


@dataclass(frozen=True)
class LayerRow:
    name: str
    type: str
    input_shape: list[list[int]] | list[int] | None
    output_shape: list[int] | None
    neurons: int
    params: int
    macs: int


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "input": self.input,
            "layers": [row.__dict__ for row in self.layers],
            "total_params": self.total_params,
            "total_macs": self.total_macs,
        }


def summarize(analysis: Analysis) -> NetworkSummary:
    rows = []
    for node in analysis.graph.nodes:
        inputs: list[list[int]] | list[int] | None = None
        if node.inputs is not None:
            shapes = [list(shape) for shape in node.inputs]
            inputs = shapes[0] if len(shapes) == 1 else shapes
        rows.append(
            LayerRow(
                node.name,
                node.layer.type if node.layer else "?",
                inputs,
                list(node.output) if node.output is not None else None,
                volume(node.output) if node.output is not None else 0,
                node.params,
                node.macs,
            )
        )
    return NetworkSummary(analysis.spec.name, list(analysis.spec.input or ()), rows)


def _shape(shape: list[int] | None) -> str:
    return format_shape(shape) if shape is not None else "—"


def _columns(row: LayerRow) -> list[str]:
    return [row.name, row.type, _shape(row.output_shape), f"{row.neurons:,}", f"{row.params:,}", f"{row.macs:,}"]


HEADERS = ["layer", "type", "output", "neurons", "params", "MACs"]


def render_json(summary: NetworkSummary) -> str:
    return json.dumps(summary.to_dict(), indent=2)


def render_markdown(summary: NetworkSummary) -> str:
    lines = [
        f"## {summary.name}",
        "",
        f"Input: {format_shape(summary.input)}",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join(["---"] * 2 + ["---:"] * (len(HEADERS) - 2)) + "|",
    ]
    lines += ["| " + " | ".join(_columns(row)) + " |" for row in summary.layers]
    lines.append(f"| **total** | | | | **{summary.total_params:,}** | **{summary.total_macs:,}** |")
    return "\n".join(lines)


def render_table(summary: NetworkSummary) -> str:
    """A rich table for the terminal (rich is imported here, so ``netspec check`` never pays for it)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{summary.name}  (input {format_shape(summary.input)})")
    for header in HEADERS:
        table.add_column(header, justify="right" if header in ("neurons", "params", "MACs") else "left")
    for row in summary.layers:
        table.add_row(*_columns(row))
    table.add_section()
    table.add_row("total", "", "", "", f"{summary.total_params:,}", f"{summary.total_macs:,}")
    console = Console()
    with console.capture() as captured:
        console.print(table)
    return captured.get().rstrip("\n")


RENDERERS: dict[str, Callable[[NetworkSummary], str]] = {
    "table": render_table,
    "json": render_json,
    "markdown": render_markdown,
}
