"""Property: on random conv/pool stacks, in flow or block style, with comments, LF or CRLF and
with or without a final newline, ``--fix`` leaves nothing it could still fix, never brings a
new problem, changes nothing but padding, keeps every comment and line break, and a second
run changes nothing. ``NETSPEC_FUZZ_EXAMPLES`` raises the budget for a deeper search."""

from __future__ import annotations

import os
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netspec import Applicability, Diagnostic, lint_text
from netspec.diagnostics import within
from netspec.fix import fix_text
from netspec.source import load

Layer = dict[str, Any]
#: Safe fixes are judged on this many specs, and unsafe ones on a third as many.
EXAMPLES = int(os.environ.get("NETSPEC_FUZZ_EXAMPLES", "150"))


@st.composite
def paddings(draw: st.DrawFn, limit: int) -> Any:
    side = st.integers(0, limit)
    return draw(
        st.one_of(
            st.none(),
            side,
            st.lists(side, min_size=2, max_size=2),
            st.lists(st.lists(side, min_size=2, max_size=2), min_size=2, max_size=2),
        )
    )


@st.composite
def layers(draw: st.DrawFn) -> Layer:
    kind = draw(st.sampled_from(["conv", "conv", "maxpool", "avgpool"]))
    layer: Layer = {"type": kind}
    if kind == "conv":
        layer["filters"] = draw(st.integers(1, 8))
        # Rows and columns alike or not: a fix for one may bring a problem to the other.
        kernel = draw(st.one_of(st.integers(1, 7), st.lists(st.integers(1, 7), min_size=2, max_size=2)))
        if draw(st.booleans()):
            layer["dilation"] = draw(st.one_of(st.integers(1, 3), st.lists(st.integers(1, 3), min_size=2, max_size=2)))
        limit = max(kernel) - 1 if isinstance(kernel, list) else kernel - 1
    else:
        kernel = draw(st.integers(2, 4))
        limit = kernel // 2
    layer["kernel"] = kernel
    stride = draw(st.integers(1, 3))
    if stride > 1 or draw(st.booleans()):
        layer["stride"] = stride
    padding = draw(paddings(limit))
    if padding is not None:
        layer["padding"] = padding
    return layer


def flow(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    return str(value)


def block_layer(layer: Layer, comment: str | None, block_lists: bool) -> list[str]:
    lines = []
    for i, (key, value) in enumerate(layer.items()):
        lead = "  - " if i == 0 else "    "
        if block_lists and isinstance(value, list):
            lines.append(f"{lead}{key}:")
            lines += [f"      - {flow(item)}" for item in value]
        else:
            lines.append(f"{lead}{key}: {flow(value)}")
    if comment:
        lines[0] += f"  # {comment}"
    return lines


@st.composite
def specs(draw: st.DrawFn) -> str:
    rows = draw(st.integers(6, 64))
    columns = draw(st.one_of(st.just(rows), st.integers(6, 64)))
    lines = ["# generated", f"input: [{draw(st.integers(1, 4))}, {rows}, {columns}]", "layers:"]
    for n, layer in enumerate(draw(st.lists(layers(), min_size=1, max_size=6))):
        comment = f"layer {n}" if draw(st.booleans()) else None
        if draw(st.booleans()):
            lines.append(f"  - {flow(layer)}" + (f"  # {comment}" if comment else ""))
        else:
            lines += block_layer(layer, comment, draw(st.booleans()))
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", "  # between layers"])))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    return eol.join(lines) + (eol if draw(st.booleans()) else "")


def keys(diagnostics: list[Diagnostic]) -> set[tuple[str, int | None]]:
    return {(d.code, d.layer_index) for d in diagnostics}


def without_padding(data: Any) -> Any:
    return {**data, "layers": [{k: v for k, v in layer.items() if k != "padding"} for layer in data["layers"]]}


def assert_only_padding_changed(before: str, after: str) -> None:
    assert without_padding(load(after).data) == without_padding(load(before).data)
    assert re.findall(r"#.*", after) == re.findall(r"#.*", before)
    if "\r\n" in before:
        assert "\n" not in after.replace("\r\n", "")
    else:
        assert "\r" not in after
    assert after.endswith("\n") == before.endswith("\n")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_safe_fixes_leave_nothing_to_fix_and_are_idempotent(text: str) -> None:
    fixed = fix_text(text, "spec.yaml").result
    assert fixed.analysis is not None and fixed.text is not None
    assert_only_padding_changed(text, fixed.text)
    first = lint_text(text, "spec.yaml").diagnostics
    # Safe fixes bring no new problem, nor an old one to another dimension, and leave none
    # that --fix could still fix.
    assert keys(fixed.diagnostics) <= keys(first)
    axes = {(d.code, d.layer_index): d.axes for d in first}
    assert all(within(d.axes, axes[d.code, d.layer_index]) for d in fixed.diagnostics)
    assert not [d for d in fixed.diagnostics if d.applicability is Applicability.SAFE]
    assert fixed.fixed == len(keys(first) - keys(fixed.diagnostics))
    again = fix_text(fixed.text, "spec.yaml")
    assert not again.changed and again.result.fixed == 0


@settings(max_examples=EXAMPLES // 3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_unsafe_fixes_terminate_and_change_only_padding(text: str) -> None:
    fixed = fix_text(text, "spec.yaml", unsafe=True).result
    assert fixed.analysis is not None and fixed.text is not None
    assert_only_padding_changed(text, fixed.text)
    assert not [d for d in fixed.diagnostics if d.fix is not None and d.applicability is Applicability.SAFE]
