"""The JSON Schema: committed file in sync, shape of the schema, and python-jsonschema's verdicts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from jsonschema.exceptions import best_match
from typer.testing import CliRunner

from netspec import lint_text
from netspec.cli import app
from netspec.schema import SCHEMA_ID, render
from tests.helpers import BROKEN_EXAMPLES, ROOT, SPECS, spec

COMMITTED = ROOT / "schemas" / "netspec.schema.json"
# The files whose mistake is in the format itself (NS002); NS001 is not YAML at all, and the
# others are well-formed specs whose shapes are wrong, which no schema can see.
SCHEMA_LEVEL = [p for p in BROKEN_EXAMPLES if p.name.startswith("ns002_")]
SHAPE_LEVEL = [p for p in BROKEN_EXAMPLES if not p.name.startswith(("ns001_", "ns002_"))]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))  # JSON is YAML


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema)


def verdict(validator: jsonschema.Draft202012Validator, text: str) -> jsonschema.ValidationError | None:
    return best_match(validator.iter_errors(yaml.safe_load(text)))


def test_committed_schema_is_the_generated_one() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render(), (
        "schemas/netspec.schema.json is stale: run `netspec schema > schemas/netspec.schema.json`"
    )


def test_schema_command_prints_it() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert result.stdout == COMMITTED.read_text(encoding="utf-8")


def test_is_a_valid_draft_2020_12_schema(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    jsonschema.Draft202012Validator.check_schema(schema)


def objects(schema: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object, with a JSON-pointer-like path. Property maps are not schemas, and
    ``if``/``then``/``else`` are conditions (on the layer type, or upsample's scale-or-size),
    not places where fields are declared."""
    if isinstance(schema, dict):
        yield path, schema
        for key, value in schema.items():
            if key in ("properties", "$defs"):
                for name, sub in value.items():
                    yield from objects(sub, f"{path}/{key}/{name}")
            elif key not in ("enum", "const", "default", "examples", "required", "if", "then", "else"):
                yield from objects(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for i, item in enumerate(schema):
            yield from objects(item, f"{path}/{i}")


def test_no_automatic_titles(schema: dict[str, Any]) -> None:
    assert [path for path, sub in objects(schema) if "title" in sub] == []


def test_every_property_is_described_and_every_object_is_closed(schema: dict[str, Any]) -> None:
    undescribed = []
    for path, sub in objects(schema):
        if "properties" in sub:
            undescribed += [
                f"{path}/{name}" for name, field in sub["properties"].items() if not field.get("description")
            ]
            if "allOf" not in sub:  # the layer dispatcher: each layer's own schema is closed
                assert sub.get("additionalProperties") is False, path
    assert undescribed == []


def test_int_or_list_fields_are_one_of_integer_and_array(schema: dict[str, Any]) -> None:
    kernel = schema["$defs"]["Conv"]["properties"]["kernel"]
    assert [branch["type"] for branch in kernel["oneOf"]] == ["integer", "array"]
    assert kernel["oneOf"][1]["items"]["type"] == "integer"
    assert kernel["oneOf"][0]["minimum"] == 1


def test_defaults_are_in_descriptions_and_values(schema: dict[str, Any]) -> None:
    stride = schema["$defs"]["Conv"]["properties"]["stride"]
    assert stride["default"] == 1
    assert "Default 1" in stride["description"]
    # Every optional key's hover text says what leaving it out means, as the README promises;
    # but for upsample's scale and size, of which one must be given.
    unsaid = [
        f"{name}.{key}"
        for name, definition in schema["$defs"].items()
        for key, value in definition.get("properties", {}).items()
        if "default" in value and "default" not in value["description"].lower()
    ]
    assert unsaid == ["Upsample.scale", "Upsample.size"]


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_bundled_specs_validate(validator: jsonschema.Draft202012Validator, path: Path) -> None:
    assert verdict(validator, path.read_text(encoding="utf-8")) is None


def test_there_are_bundled_specs_and_schema_level_examples() -> None:
    assert SPECS
    assert SCHEMA_LEVEL


@pytest.mark.parametrize("path", SCHEMA_LEVEL, ids=lambda p: p.name)
def test_schema_level_mistakes_are_rejected(validator: jsonschema.Draft202012Validator, path: Path) -> None:
    assert verdict(validator, path.read_text(encoding="utf-8")) is not None


@pytest.mark.parametrize("path", SHAPE_LEVEL, ids=lambda p: p.name)
def test_shape_level_mistakes_are_well_formed(validator: jsonschema.Draft202012Validator, path: Path) -> None:
    assert verdict(validator, path.read_text(encoding="utf-8")) is None


@pytest.mark.parametrize(
    ("text", "message", "where"),
    [
        (
            "input: [3, 32, 32]\nlayers:\n  - {type: conv, filters: 8, kernel: 3, strides: 2}\n",
            "Additional properties are not allowed ('strides' was unexpected)",
            ["layers", 0],
        ),
        (
            "input: [3, 32, 32]\nlayers:\n  - {type: maxpool, kernal: 2}\n",
            "Additional properties are not allowed ('kernal' was unexpected)",
            ["layers", 0],
        ),
        ("input: [3, 32, 32]\nlayers:\n  - {type: conv2d, filters: 8, kernel: 3}\n", "'conv2d' is not one of", None),
        ("input: [3, 32, 32]\nlayers:\n  - {filters: 8, kernel: 3}\n", "'type' is a required property", None),
        ("input: [3, 32, 32]\nlayers:\n  - {type: conv, filters: 8, kernel: [3, x]}\n", "'x' is not of type", None),
        ("input: [3, 32, 32]\nlayer:\n  - {type: relu}\n", "('layer' was unexpected)", []),
    ],
)
def test_typos_get_a_short_helpful_verdict(
    validator: jsonschema.Draft202012Validator, text: str, message: str, where: list[Any] | None
) -> None:
    error = verdict(validator, text)
    assert error is not None
    assert message in error.message
    # One short message, not a list of sixteen layer types that did not match.
    assert "is not valid under any of the given schemas" not in error.message
    if where is not None:
        assert list(error.absolute_path) == where
    with pytest.raises(jsonschema.ValidationError, match=r".*"):
        jsonschema.validate(yaml.safe_load(text), yaml.safe_load(COMMITTED.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("keys", "valid"),
    [
        ("", False),
        ("scale: 2", True),
        ("size: 16", True),
        ("scale: 2, size: 16", False),
        ("scale: null, size: 16", True),  # a null stands for absent, as after a merge key
        ("scale: 2, size: null", True),
        ("scale: null, size: null", False),
        # align_corners only with the interpolating modes, as PyTorch's interpolate says.
        ("scale: 2, align_corners: true", False),
        ("scale: 2, mode: area, align_corners: false", False),
        ("scale: 2, mode: bilinear, align_corners: true", True),
        ("scale: 2, mode: nearest, align_corners: null", True),
    ],
)
def test_upsample_takes_exactly_one_of_scale_and_size_in_the_schema_too(
    validator: jsonschema.Draft202012Validator, keys: str, valid: bool
) -> None:
    text = f"input: [3, 8, 8]\nlayers:\n  - {{type: upsample{', ' if keys else ''}{keys}}}\n"
    assert (verdict(validator, text) is None) == valid
    assert ("NS002" not in [d.code for d in lint_text(text).diagnostics]) == valid


def test_a_mistyped_upsample_scale_is_called_that_not_a_missing_size(
    validator: jsonschema.Draft202012Validator,
) -> None:
    found = verdict(validator, "input: [3, 8, 8]\nlayers:\n  - {type: upsample, scale: '2'}\n")
    # Not "'size' is a required property": the verdict is about scale's value.
    assert found is not None and list(found.absolute_path)[-1] == "scale" and "'2'" in found.message


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        # A slice takes start, stop or both; a null stop stands for absent.
        ("input: [4, 8, 8]\nlayers:\n  - {type: slice}\n", False),
        ("input: [4, 8, 8]\nlayers:\n  - {type: slice, stop: null}\n", False),
        ("input: [4, 8, 8]\nlayers:\n  - {type: slice, start: 0}\n", True),
        ("input: [4, 8, 8]\nlayers:\n  - {type: slice, stop: 2}\n", True),
        # A network returns each output once.
        ("input: [4, 8, 8]\noutputs: [a, a]\nlayers:\n  - {type: relu, name: a}\n", False),
        ("input: [4, 8, 8]\noutputs: [a]\nlayers:\n  - {type: relu, name: a}\n", True),
        # An epsilon is finite; PyTorch takes even one past float32's 3.4028235e38.
        ("input: [4, 8, 8]\nlayers:\n  - {type: batchnorm, eps: .inf}\n", False),
        ("input: [4, 8, 8]\nlayers:\n  - {type: layernorm, eps: 1.0e+39}\n", True),
        ("input: [4, 8, 8]\nlayers:\n  - {type: local_response_norm, size: 3, k: -.inf}\n", False),
        ("input: [4, 8, 8]\nlayers:\n  - {type: local_response_norm, size: 3, k: -1.0e+39}\n", True),
    ],
)
def test_the_schema_refuses_what_the_format_check_refuses_where_json_schema_can_say_it(
    validator: jsonschema.Draft202012Validator, text: str, valid: bool
) -> None:
    assert (verdict(validator, text) is None) == valid
    assert ("NS002" not in [d.code for d in lint_text(text).diagnostics]) == valid


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        # Keys whose default is none take null for it, at the top and in a layer.
        ("name: ~\ndescription:\noutputs: ~\n" + spec("[3, 8, 8]", "{type: relu}"), True),
        (spec("[3, 8, 8]", "{type: relu, name: ~, from: ~, expect: ~}"), True),
        # The near misses: a key whose default is a value, a merge's `from`, which has no
        # default, and the spec's required keys.
        (spec("[3, 8, 8]", "{type: relu, name: a}", "{type: add, from: ~}"), False),
        (spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: 3, padding: ~}"), False),
        (spec("[3, 8, 8]", "{type: conv, filters: 4, kernel: ~}"), False),
        ("input: ~\nlayers:\n  - {type: relu}\n", False),
    ],
)
def test_netspec_and_the_schema_agree_on_null(
    validator: jsonschema.Draft202012Validator, text: str, accepted: bool
) -> None:
    assert (verdict(validator, text) is None) is accepted
    assert (not lint_text(text).diagnostics) is accepted
