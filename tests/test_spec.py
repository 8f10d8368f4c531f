"""A layer validated on its own, as the fixer and the salvage of a broken spec do it, gives
what the whole-spec validation gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from netspec import spec
from netspec.source import load
from tests.helpers import SPECS


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_each_layer_validates_alone_as_in_the_whole_spec(path: Path) -> None:
    data = load(path.read_text()).data
    parsed = spec.parse(data, path.stem)
    assert parsed.problems == []
    alone = [spec.validate_layer(raw) for raw in data["layers"]]
    assert alone == parsed.layers
    assert all(layer is not None for layer in alone)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("relu", id="not-a-mapping"),
        pytest.param({}, id="no-type"),
        pytest.param({"type": "convolution"}, id="unknown-type"),
        pytest.param({"type": ["conv"], "filters": 4, "kernel": 3}, id="unhashable-type"),
        pytest.param({"type": "conv", "filters": 0, "kernel": 3}, id="invalid-field"),
        pytest.param({"type": "conv", "filters": 4, "kernel": 3, "strides": 2}, id="unknown-key"),
    ],
)
def test_an_invalid_layer_alone_is_none(raw: Any) -> None:
    assert spec.validate_layer(raw) is None


def test_a_valid_layer_alone_is_its_model() -> None:
    layer = spec.validate_layer({"type": "conv", "filters": 4, "kernel": 3, "padding": 1})
    assert layer is not None
    assert (layer.type, layer.filters, layer.kernel, layer.padding) == ("conv", 4, 3, 1)
