"""The JSON Schema of the spec format, generated from the pydantic models, for editors and CI.

``schemas/netspec.schema.json`` in the repository is exactly ``netspec schema``'s output;
regenerate it with ``netspec schema > schemas/netspec.schema.json``.

pydantic's output is adjusted for people and generic validators: ``$schema``/``$id`` are added,
the automatic titles are dropped (descriptions are what an editor shows on hover), and the
layer union is written as ``if``/``then`` on ``type`` instead of ``oneOf``. A generic validator
such as python-jsonschema ignores OpenAPI's ``discriminator`` and tries every ``oneOf``
branch, so a typo in a conv layer would be reported as "not valid under any of the given
schemas" for every layer type; with ``if``/``then`` only the named layer type's schema
applies, and the verdict is "Additional properties are not allowed ('strides' was unexpected)".
"""

from __future__ import annotations

import json
from typing import Any, get_args

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from netspec.layers import LayerBase
from netspec.spec import SpecModel

#: Where the committed schema is served from: the raw file on the main branch, so that the
#: ``$id`` and the editor modeline are one and the same URL.
SCHEMA_ID = "https://raw.githubusercontent.com/netspec/netspec/main/schemas/netspec.schema.json"


class NetspecJsonSchema(GenerateJsonSchema):
    """pydantic's generator, with the adjustments described in the module docstring."""

    def generate(self, schema: core_schema.CoreSchema, mode: Any = "validation") -> JsonSchemaValue:
        generated = super().generate(schema, mode)
        return {"$schema": self.schema_dialect, "$id": SCHEMA_ID, **generated}

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        generated = super().model_schema(schema)
        generated.pop("title", None)
        if "description" in generated:
            generated["description"] = _plain(generated["description"])
        cls = schema["cls"]
        if issubclass(cls, LayerBase):
            names = ", ".join(f"`{name}`" for name in get_args(cls.model_fields["type"].annotation))
            generated["properties"]["type"]["description"] = (
                f"The layer type ({names}); it decides which other keys the layer takes."
            )
        return generated

    def tagged_union_schema(self, schema: core_schema.TaggedUnionSchema) -> JsonSchemaValue:
        generated = super().tagged_union_schema(schema)
        discriminator = generated.get("discriminator")
        if discriminator is None:  # the int-or-list fields: their branches never overlap
            return generated
        key: str = discriminator["propertyName"]
        tags_by_ref: dict[str, list[str]] = {}
        for tag, ref in discriminator["mapping"].items():
            tags_by_ref.setdefault(ref, []).append(tag)
        return {
            "type": "object",
            "required": [key],
            "properties": {
                key: {
                    "description": "Which kind of layer this is; it decides the other keys the layer takes.",
                    "enum": sorted(discriminator["mapping"]),
                }
            },
            "allOf": [
                {
                    "if": {"required": [key], "properties": {key: {"enum": tags}}},
                    "then": {"$ref": ref},
                }
                for ref, tags in tags_by_ref.items()
            ],
        }


def _plain(text: str) -> str:
    """reStructuredText literals (````x````) as Markdown ones (```x```), which editors render."""
    return text.replace("``", "`")


def generate() -> dict[str, Any]:
    """The JSON Schema of a spec file."""
    return SpecModel.model_json_schema(schema_generator=NetspecJsonSchema)


def render() -> str:
    """The schema as ``netspec schema`` prints it. ASCII-only, so that redirecting it to a file
    gives the same bytes whatever the console's encoding."""
    return json.dumps(generate(), indent=2) + "\n"


__all__ = ["SCHEMA_ID", "NetspecJsonSchema", "generate", "render"]
