"""The top-level spec model, and the translation of pydantic's errors into located problems."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from netspec.budget import Budget
from netspec.layers import LAYER_TYPES, Layer, LayerBase, Shape
from netspec.layers.base import (
    BRANCH_NAMES,
    CHANNELS_FIRST,
    KEYWORD_TAG,
    MAX_SIZE,
    MAX_SPATIAL_RANK,
    MAX_VALUES,
    Name,
    Size,
    takes_padding_pairs,
    too_many_values,
    volume,
)
from netspec.layers.neutral import FLOAT32_MAX
from netspec.source import KeyPath, LoadError, interpolation_hint
from netspec.text import MAX_QUOTED, cut, listing, plural

#: Whether the text quotes the value at a path (:meth:`netspec.source.Document.is_quoted`).
Quoted = Callable[[KeyPath], bool]

#: How much comparing "did you mean" may do, in all, while one spec is validated and again
#: while its graph is built, in comparisons of short words (:func:`suggestion_cost`): ~0.1 s
#: of difflib.
SUGGESTION_BUDGET = 20_000

#: Problems in the keys and values of one spec (pydantic's errors) past which it is refused
#: unreported, with one of them named: each costs about 1 KB in pydantic, 3 KB and 60 µs by
#: the end of the report (one unknown key in each of 100,000 layers: 7.5 s and 430 MB), and a
#: spec generated wrong can hold a million (ten in each of 100,000 layers took 2 GB), which
#: no one reads.
MAX_SCHEMA_ERRORS = 10_000

#: GELU's tanh approximation, by Hugging Face's names.
GELU_TANH_NAMES = ("gelu_tanh", "gelu_new", "gelu_pytorch_tanh")
#: Other frameworks' names for netspec's layer types, keys and activations, for "did you
#: mean": the first of a word's meanings that is a valid choice where it is written (a type, a
#: key of that layer, an activation), else none.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "conv1d": ("conv",),
    "conv2d": ("conv",),
    "conv3d": ("conv",),
    "convolution": ("conv",),
    "deconv": ("conv_transpose",),
    "convtranspose": ("conv_transpose",),
    "linear": ("dense", "identity"),  # Keras's activation name for none
    "fc": ("dense",),
    "fully_connected": ("dense",),
    "maxpool2d": ("maxpool",),
    "max_pool": ("maxpool",),
    "avg_pool": ("avgpool",),
    "avgpool2d": ("avgpool",),
    "batch_norm": ("batchnorm",),
    "bn": ("batchnorm",),
    "batchnorm2d": ("batchnorm",),
    "group_norm": ("groupnorm",),
    "instance_norm": ("instancenorm",),
    "instancenorm2d": ("instancenorm",),
    "layer_norm": ("layernorm",),
    "layernorm2d": ("layernorm",),
    "layerscale": ("layer_scale",),
    "scale": ("layer_scale",),
    "pixelshuffle": ("pixel_shuffle",),
    "channelshuffle": ("channel_shuffle",),
    "shuffle": ("channel_shuffle",),
    "narrow": ("slice",),
    "view": ("reshape",),
    "unflatten": ("reshape",),
    "chunk": ("slice",),
    "split": ("slice",),
    "concatenate": ("concat",),
    "cat": ("concat",),
    "sum": ("add",),
    "mul": ("multiply",),
    "product": ("multiply",),
    "upsampling": ("upsample",),
    "interpolate": ("upsample",),
    "swish": ("silu",),
    "leaky": ("leaky_relu",),
    "lrelu": ("leaky_relu",),
    # The type gelu, with `approximate: tanh`.
    **dict.fromkeys(GELU_TANH_NAMES, ("gelu",)),
    # PyTorch's and Keras's argument names.
    "out_channels": ("filters",),
    "kernel_size": ("kernel",),
    "strides": ("stride",),
    "out_features": ("units",),
    "p": ("rate",),
    "scale_factor": ("scale",),
    "upscale_factor": ("scale",),
    "num_groups": ("groups",),
    "affine": ("elementwise_affine",),
}


class SpecModel(BaseModel):
    """A network: an input shape and a stack (or graph) of layers."""

    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)

    name: str | None = Field(None, description="Name of the network. Default: the file's stem.")
    description: str | None = Field(None, description="Free text, for people.")
    input: Annotated[list[Size], Field(min_length=2, max_length=1 + MAX_SPATIAL_RANK)] = Field(
        description=f"Input shape without the batch dimension, channels first: {CHANNELS_FIRST}.",
        examples=[[3, 224, 224]],
    )
    layers: Annotated[list[Layer], Field(min_length=1)] = Field(
        description="The layers, in order. Each feeds the next unless `from` says otherwise."
    )

    @field_validator("input")
    @classmethod
    def _allocatable(cls, shape: list[int]) -> list[int]:
        if volume(shape) > MAX_VALUES["float32"]:
            raise ValueError(f"`input` would hold {volume(shape):,} values, {too_many_values()}")
        return shape

    outputs: Annotated[list[Name], Field(min_length=1, json_schema_extra={"uniqueItems": True})] | None = Field(
        None,
        description="The layers whose outputs the network returns, in order: a detector's heads, an "
        "auxiliary classifier. Default: the last layer.",
    )


@dataclass(frozen=True)
class SchemaProblem:
    """A schema violation at ``path``; ``at_key`` when the key itself is at fault."""

    path: KeyPath
    message: str
    at_key: bool = False
    #: In a key that changes no shape: the layer was checked with the key's default, and so
    #: were those after it.
    checked_past: bool = False
    #: An unknown key as the message quotes it, and the hint after it ('' for none): a layer's
    #: unknown keys are named in one message.
    unknown_key: tuple[str, str] | None = None


@dataclass
class ParsedSpec:
    name: str
    description: str | None
    input: Shape | None
    #: The validated layers; None where a layer failed validation.
    layers: list[LayerBase | None]
    #: What the file says for each layer, valid or not (names survive invalid layers).
    raw_layers: list[Any]
    problems: list[SchemaProblem] = field(default_factory=list)
    #: The names ``outputs`` lists; None for the default (the last layer) or a bad list.
    outputs: list[str] | None = None
    #: How many errors validating the spec whole found: what validating it again costs.
    validation_errors: int = 0

    @property
    def bad_outputs(self) -> bool:
        """Whether ``outputs`` is there but invalid (NS002)."""
        return any(problem.path[:1] == ("outputs",) for problem in self.problems)


def parse(
    data: Any, default_name: str, suggestions: int = SUGGESTION_BUDGET, quoted: Quoted | None = None
) -> ParsedSpec:
    """Validate the loaded data; keep every layer that validates, report the rest.
    ``suggestions`` is how many candidates "did you mean" may compare (0: no suggestions).
    ``quoted`` says whether the text quotes the value at a path; without it, a string that
    YAML would read as a number is taken to be quoted. Raises :class:`~netspec.source.LoadError`
    past :data:`MAX_SCHEMA_ERRORS` problems."""
    if not isinstance(data, dict):
        what = "empty" if data is None else _a_kind(data)
        return ParsedSpec(
            default_name,
            None,
            None,
            [],
            [],
            [SchemaProblem((), f"the file is {what}; a spec is a mapping with `input` and `layers`")],
        )
    raw_layers = data.get("layers")
    raw_layers = raw_layers if isinstance(raw_layers, list) else []
    # Counted first: pydantic keeps every error it finds, and has no limit on them.
    unknown, example = _unknown_keys(data, raw_layers)
    if unknown > MAX_SCHEMA_ERRORS:
        raise _too_many_problems(f"{unknown:,} unknown keys (such as {example})")
    try:
        model = SpecModel.model_validate(data)
    except ValidationError as exc:
        if (errors := exc.error_count()) > MAX_SCHEMA_ERRORS:
            raise _too_many_problems(f"{errors:,} problems in its keys and values") from None
        return _salvage(data, raw_layers, default_name, exc, Budget(suggestions), quoted)
    spec = ParsedSpec(model.name or default_name, model.description, tuple(model.input), list(model.layers), raw_layers)
    return _with_outputs(spec, model.outputs)


def _unknown_keys(data: dict[Any, Any], raw_layers: list[Any]) -> tuple[int, str]:
    """How many keys of the spec, and of its layers of known types, no model has (each is an
    error of pydantic's), and one of them as a message names it. A set operation per layer,
    which stays in C for a valid one."""
    unknown = data.keys() - known_keys(None)
    count = len(unknown)
    example = f"{shown(next(key for key in data if key in unknown))} in the spec" if unknown else ""
    for index, raw in enumerate(raw_layers):
        if type(raw) is dict:
            kind = raw.get("type")
            if type(kind) is str and kind in LAYER_TYPES and not (known := known_keys(kind)).issuperset(raw):
                unknown = raw.keys() - known
                count += len(unknown)
                if not example:
                    key = next(key for key in raw if key in unknown)  # the first, as written
                    hint = suggest(str(key), list(_allowed_keys(kind)))
                    example = f"{shown(key)} in layer {index + 1}{hint}"
    return count, example


def _too_many_problems(what: str) -> LoadError:
    return LoadError(
        "NS001",
        f"the spec has {what}, more than the {MAX_SCHEMA_ERRORS:,} problems netspec reports in one file; refusing it",
        help="check a few of its layers on their own, or mend what generated it",
    )


def _with_outputs(spec: ParsedSpec, names: list[str] | None) -> ParsedSpec:
    """The spec with the names its valid ``outputs`` lists, or with NS002 at the first name
    listed again (counting the others): a network returns each output once."""
    seen: set[str] = set()
    repeats = []
    for position, name in enumerate(names or []):
        if name in seen:
            repeats.append(position)
        seen.add(name)
    if not repeats:
        spec.outputs = names
        return spec
    assert names is not None
    others = len(repeats) - 1
    more = f" (and {plural(others, 'more repeat', grouped=True)})" if others else ""
    message = f"`outputs` lists '{names[repeats[0]]}' again; a network returns each output once{more}"
    spec.problems.append(SchemaProblem(("outputs", repeats[0]), message))
    return spec


def _salvage(
    data: dict[Any, Any],
    raw_layers: list[Any],
    default_name: str,
    exc: ValidationError,
    suggestions: Budget,
    quoted: Quoted | None,
) -> ParsedSpec:
    """Report every error, and still validate each good layer so that analysis can go on."""
    errors = exc.errors(include_url=False)
    problems = [problem for error in errors if (problem := _problem(error, data, suggestions, quoted))]
    faults: dict[Any, list[KeyPath]] = {}
    for problem in problems:
        if len(problem.path) >= 2 and problem.path[0] == "layers":
            faults.setdefault(problem.path[1], []).append(problem.path)
    input_ok = "input" in data and not any(p.path[:1] == ("input",) for p in problems)
    layers = [_checkable(raw, faults.get(i, [])) for i, raw in enumerate(raw_layers)]
    # The layers propagated despite their faults, all in keys that change no shape.
    salvaged = {("layers", i) for i, layer in enumerate(layers) if layer is not None and i in faults}
    problems = [replace(p, checked_past=True) if p.path[:2] in salvaged else p for p in problems]
    problems = _unknown_keys_together(problems, data)
    name = data.get("name")
    description = data.get("description")
    spec = ParsedSpec(
        name if isinstance(name, str) and name else default_name,
        description if isinstance(description, str) else None,
        tuple(data["input"]) if input_ok else None,
        layers,
        raw_layers,
        problems,
        validation_errors=len(errors),
    )
    # Validated, unless pydantic found a problem in it.
    return spec if "outputs" not in data or spec.bad_outputs else _with_outputs(spec, data["outputs"])


def flow_layer(layer_type: str) -> str:
    """A layer of this type in flow style, with its required keys to fill in."""
    fields = LAYER_TYPES[layer_type].model_fields.items()
    required = [f"{f.alias or name}: …" for name, f in fields if f.is_required() and name != "type"]
    return "{" + ", ".join([f"type: {layer_type}", *required]) + "}"


def _unknown_keys_together(problems: list[SchemaProblem], data: dict[Any, Any]) -> list[SchemaProblem]:
    """A layer's unknown keys as one problem, in the place of the first: "unknown keys in conv
    layer: 'paddin' (did you mean 'padding'?), 'strid' …", not the phrase once per key."""
    by_layer: dict[KeyPath, list[SchemaProblem]] = {}
    for problem in problems:
        if problem.unknown_key is not None and problem.path[:1] == ("layers",):
            by_layer.setdefault(problem.path[:-1], []).append(problem)
    together: list[SchemaProblem] = []
    for problem in problems:
        unknown = by_layer.get(problem.path[:-1], []) if problem.unknown_key is not None else []
        if len(unknown) < 2:
            together.append(problem)
        elif problem is unknown[0]:
            keys = [f"{key} ({hint.removeprefix('; ')})" if hint else key for key, hint in _named(unknown)]
            message = f"unknown keys in {_where(data, problem.path)}: {listing(keys, ', ')}"
            together.append(replace(problem, message=message))
    return together


def _named(problems: list[SchemaProblem]) -> list[tuple[str, str]]:
    return [problem.unknown_key for problem in problems if problem.unknown_key is not None]


def _checkable(raw: Any, faults: list[KeyPath]) -> LayerBase | None:
    """The layer to propagate: as written, or, where its only faults lie in keys that change
    no shape (``inert_keys``: a batchnorm's eps written `1e-5`), with those keys at their
    defaults; None when a fault could change what follows."""
    if not faults:
        return validate_layer(raw)
    model = model_of(raw)
    keys = {path[2] for path in faults if len(path) >= 3}
    if model is None or any(len(path) < 3 for path in faults) or not keys <= model.inert_keys:
        return None
    return validate_layer({key: value for key, value in raw.items() if key not in keys})


def raw_field(raw: Any, key: str) -> Any:
    """A key's value in a layer as the file writes it: anything at all, and None where the
    layer is not a mapping."""
    return raw.get(key) if isinstance(raw, dict) else None


def model_of(raw: Any) -> type[LayerBase] | None:
    """The model a layer's ``type`` names, if it names one."""
    kind = raw_field(raw, "type")
    return LAYER_TYPES.get(kind) if isinstance(kind, str) else None


def validate_layer(raw: Any) -> LayerBase | None:
    """One layer on its own, by the model its ``type`` names; None when it is invalid (the
    whole-spec validation has reported why). Only the models a file uses get built: pydantic
    does not reuse what it built for :class:`SpecModel`, and a validator of the whole union
    would generate all of them again (~40 ms on a cold run)."""
    model = model_of(raw)
    if model is None:
        return None
    try:
        return model.model_validate(raw)
    except ValidationError:
        return None


def _kind(value: Any) -> str:
    return {
        dict: "mapping",
        list: "list",
        str: "string",
        bool: "boolean",
        int: "integer",
        float: "float",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _a_kind(value: Any) -> str:
    kind = _kind(value)
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def shown(value: Any) -> str:
    """A value as YAML writes it ('same', null, true, [conv, 3]), cut to :data:`MAX_QUOTED`
    characters. A collection is written only as far as is shown: it may hold a million items."""
    writer = _Writer(MAX_QUOTED)
    writer.walk(value, True)
    written = "".join(writer.parts)
    shortened = cut(written)
    # A quoted string cut short still ends its quote: 'nnnn...'.
    return shortened + written[0] if shortened != written and written[0] in "'\"" else shortened


class _Writer:
    """What :func:`shown` writes, as far as it goes. A class, not closures: a nested function
    that calls itself is a reference cycle, which a lint (run with the collector paused)
    would keep until its end, for every value a message quotes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.length = 0

    def emit(self, text: str) -> bool:
        self.parts.append(text)
        self.length += len(text)
        return self.length > self.limit

    def walk(self, item: Any, top: bool) -> bool:
        """Write ``item``; True once there is enough (``any`` stops there)."""
        emit, walk, limit = self.emit, self.walk, self.limit
        if isinstance(item, dict):
            entries = (
                (i and emit(", ")) or walk(k, False) or emit(": ") or walk(v, False)
                for i, (k, v) in enumerate(item.items())
            )
            return emit("{") or any(entries) or emit("}")
        if isinstance(item, list):
            return emit("[") or any((i and emit(", ")) or walk(v, False) for i, v in enumerate(item)) or emit("]")
        if item is None or isinstance(item, bool):
            return emit("null" if item is None else str(item).lower())
        if isinstance(item, str):
            item = item[: limit + 1]  # the rest is cut anyway, and it may be long
            if not item.isprintable():  # double-quoted, so that a no-break space or a control shows
                return emit(_double_quoted(item))
            # Single-quoted as YAML writes it: only ' doubles.
            return emit("'" + item.replace("'", "''") + "'" if top else item)
        return emit(repr(item))


#: A word that holds no character YAML gives a meaning to in a flow collection.
_PLAIN_WORD = re.compile(r"[A-Za-z_][\w.-]*")


def flow_item(text: str) -> str:
    """``text`` as an item of a flow list that YAML reads back as this string: plain where it
    is a word YAML takes for a string (not ``yes``, ``null``), else double-quoted."""
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return text if _PLAIN_WORD.fullmatch(text) and tag == _STRING_TAG else _double_quoted(text)


def _double_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, every character that does not print escaped."""
    escaped = (
        character if character.isprintable() and character not in '"\\' else _escape(character) for character in text
    )
    return '"' + "".join(escaped) + '"'


def _escape(character: str) -> str:
    code = ord(character)
    if character in '"\\':
        return "\\" + character
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _where(data: dict[Any, Any], path: KeyPath) -> str:
    """What holds the key at ``path``, as messages name it: "conv layer", or "spec"."""
    layer_type = _layer_type(data, path)
    return f"{layer_type} layer" if layer_type and len(path) >= 2 else "spec"


def _layer_type(data: dict[Any, Any], path: KeyPath) -> str | None:
    kind = _mapping_at(data, path[:2]).get("type") if len(path) >= 2 and path[0] == "layers" else None
    return kind if isinstance(kind, str) else None


#: Longer words get no "did you mean": no key, type or keyword is this long, and comparing
#: costs time with the lengths compared (an alias can repeat a long word many times).
MAX_SUGGESTED_LENGTH = 64


def suggestion_cost(word: str, candidates: int, longest: int) -> int:
    """What "did you mean" costs for ``word`` among ``candidates`` of at most ``longest``
    characters, in comparisons of short words (2-7 µs each): difflib's matching grows with the
    product of the lengths, which repeated letters, as generated names have, reach (a name of
    64 letters took 300 µs against each other such name)."""
    product = min(len(word), MAX_SUGGESTED_LENGTH) * min(longest, MAX_SUGGESTED_LENGTH)
    return candidates * max(1, product // 64)


def suggest_within(word: str, choices: list[str], budget: Budget) -> str:
    """:func:`suggest`, where ``budget`` allows what it costs; else ''."""
    cost = suggestion_cost(word, len(choices), max(map(len, choices), default=0))
    return suggest(word, choices) if budget.spend(cost) else ""


def suggest(word: str, choices: list[str]) -> str:
    """A ``; did you mean 'x'?`` suffix when one choice is close, else ''."""
    if len(word) > MAX_SUGGESTED_LENGTH:
        return ""
    choices = [choice for choice in choices if len(choice) <= MAX_SUGGESTED_LENGTH]
    lowered = word.lower().replace("-", "_")
    if lowered in SYNONYMS:
        # The other framework's name for a choice: that one, or (already taken) no lookalike.
        match = next((meaning for meaning in SYNONYMS[lowered] if meaning in choices), None)
    else:
        close = difflib.get_close_matches(lowered, choices, n=1, cutoff=0.6)
        # A prefix either way, of three letters at least: "" or "c" is a prefix of too much.
        prefixed = [
            c for c in choices if min(len(c), len(lowered)) >= 3 and (lowered.startswith(c) or c.startswith(lowered))
        ]
        match = close[0] if close else (max(prefixed, key=len) if prefixed else None)
    return f"; did you mean '{match}'?" if match and match != word else ""


@functools.cache
def _allowed_keys(layer_type: str | None) -> tuple[str, ...]:
    """The keys of a layer type, or of the spec, in the model's order: asked once for each
    unknown key."""
    model = SpecModel if layer_type is None else LAYER_TYPES[layer_type]
    return tuple(f.alias or name for name, f in model.model_fields.items())


@functools.cache
def known_keys(layer_type: str | None) -> frozenset[str]:
    """The keys a layer type (or, for None, the spec) takes: asked for every layer."""
    return frozenset(_allowed_keys(layer_type))


def _problem(error: Any, data: dict[Any, Any], suggestions: Budget, quoted: Quoted | None) -> SchemaProblem | None:
    """The problem pydantic's ``error`` is, as a message says it; None where another one says
    it already."""
    raw_loc: tuple[Any, ...] = error["loc"]
    kind: str = error["type"]
    value = error.get("input")
    # Drop the discriminator tags from the location: the layer's type after its index,
    # and the '#…' branch tags of int-or-list fields. A key the file writes ('#', '#list')
    # is no tag: an unknown one ends the location of its error.
    written = len(raw_loc) - 1 if kind == "extra_forbidden" else None
    loc = [part for i, part in enumerate(raw_loc) if i == written or part not in BRANCH_NAMES]
    tagged = len(loc) != len(raw_loc)
    # A tag error two deep is the layer's own `type`; deeper, a field's kind of value.
    of_layer_type = kind in ("union_tag_invalid", "union_tag_not_found") and len(loc) == 2
    if len(loc) >= 3 and loc[0] == "layers" and not of_layer_type:
        del loc[2]
    path: KeyPath = tuple(loc)
    layer_type = _layer_type(data, path)
    where = _where(data, path)
    key = str(path[-1]) if path else ""
    if kind == "union_tag_invalid" and not of_layer_type:
        tags = [tag.strip("'") for tag in str(error["ctx"]["expected_tags"]).split(", ")]
        accepted = [BRANCH_NAMES.get(tag, tag) for tag in tags]
        keyword = value.lower() if isinstance(value, str) else None
        only_conv = f"; only conv takes '{keyword}'" if keyword in ("same", "valid") else ""
        return SchemaProblem(
            path,
            f"`{_field(path)}` must be {', '.join(accepted[:-1])} or {accepted[-1]}, not {shown(value)}{only_conv}",
        )
    if kind == "union_tag_invalid":
        given = raw_field(value, "type")
        if not isinstance(given, str):  # pydantic gives the tag as Python's str() of it
            return SchemaProblem(
                (*path, "type"), f"`type` takes a layer type's name, such as `conv`, not {shown(given)}"
            )
        hint = interpolation_hint(given) or suggest_within(given, list(LAYER_TYPES), suggestions)
        return SchemaProblem((*path, "type"), f"unknown layer type {shown(given)}{hint}")
    if kind == "union_tag_not_found":
        # Ultralytics-like files key a layer by its type: `- conv: {filters: 8}`.
        keys = value if isinstance(value, dict) else {}
        named = next((key for key in keys if isinstance(key, str) and key in LAYER_TYPES), None)
        if named is not None:
            return SchemaProblem(
                path,
                f"a layer needs a `type`: `{named}` is written as a key; write `type: {named}` beside "
                f"the layer's other keys, e.g. `{flow_layer(named)}`",
            )
        # A misspelt `type` (`typ`, `Type`): the key to correct, not a missing one.
        # One comparison a key, each against one word: no more than the file's size allows.
        misspelt = next(
            ((key, hint) for key in keys if isinstance(key, str) and (hint := suggest(key, ["type"]))), None
        )
        if misspelt is not None:
            key, hint = misspelt
            return SchemaProblem(
                (*path, key), f"unknown key {shown(key)} in a layer without a `type`{hint}", at_key=True
            )
        return SchemaProblem(path, "a layer needs a `type`, e.g. `type: conv`")
    if kind in ("model_type", "model_attributes_type") and path[:1] == ("layers",):
        return SchemaProblem(path, f"a layer must be a mapping with a `type`, not {_a_kind(value)}")
    if kind == "extra_forbidden":
        # A key the mapping already has is no suggestion: `out_features` beside `units`.
        present = _mapping_at(data, path[:-1])
        allowed = [k for k in _allowed_keys(layer_type if len(path) > 2 else None) if k not in present]
        name, colon, rest = key.partition(":")
        if colon and name in allowed:
            # YAML reads `filters:8` as one word, and `filters:` with a no-break space too.
            after = "" if not rest[:1].isspace() else f" {_double_quoted(rest[0])} is no space to YAML;"
            hint = f";{after} write a space after the colon: `{name}: {rest.strip()}`"
        elif len(path) > 2 and key in _allowed_keys(None):
            # "did you mean 'dilation'?" for a `description` indented one level too deep.
            hint = f"; `{key}` is a key of the spec, not of a layer"
        else:
            hint = suggest_within(key, allowed, suggestions)
        return SchemaProblem(
            path, f"unknown key {shown(key)} in {where}{hint}", at_key=True, unknown_key=(shown(key), hint)
        )
    if kind == "missing":
        if path[:-1] == () and not {"input", "layers"} & data.keys():
            # Perhaps no spec at all (a scan of a repository finds mkdocs.yml): said once.
            message = (
                "the file has neither `input` nor `layers`; if it is another tool's YAML, "
                "leave it out with `exclude` in the configuration (netspec.toml, or [tool.netspec] in pyproject.toml)"
            )
            return SchemaProblem((), message) if key == "input" else None
        return SchemaProblem(path[:-1], f"{where} is missing the required key `{key}`")
    if kind == "invalid_key":
        # pydantic's location holds the key as 'None' or 1 (for true): find the key itself.
        odd = [k for k in _mapping_at(data, path[:-1]) if not isinstance(k, str)]
        given = next((k for k in odd if k == path[-1] or str(k) == str(path[-1])), odd[0] if odd else path[-1])
        # The word as typed is lost (yes and off load as true and false): name the class.
        if given is None:
            what = "null (YAML reads null, ~ and an empty key as null: quote the word to mean it)"
        elif isinstance(given, bool):
            what = "a boolean (YAML reads yes, no, on, off, true and false as booleans: quote the word to mean it)"
        else:
            what = shown(given)
        return SchemaProblem((*path[:-1], given), f"a key in {where} must be a name, not {what}", at_key=True)
    if kind == "literal_error" and isinstance(value, str):
        # A string in a tagged field took its keyword branch; the field takes numbers too.
        expected = str(error["ctx"]["expected"]) + (", or a number of pixels" if KEYWORD_TAG in raw_loc else "")
        choices = [choice.strip("'") for choice in re.findall(r"'[^']*'", expected)]
        hint = interpolation_hint(value) or suggest_within(value, choices, suggestions)
        if not hint and KEYWORD_TAG in raw_loc:
            hint = _as_typed(value, "int_type", quoted, path)
        return SchemaProblem(path, f"`{_field(path)}` should be {expected}, not {shown(value)}{hint}")
    if kind == "value_error":
        return SchemaProblem(path, str(error["msg"]).removeprefix("Value error, "))
    if kind == "less_than_equal" and error.get("ctx", {}).get("le") == MAX_SIZE:
        return SchemaProblem(
            path, f"`{_field(path)}` is {shown(value)}, an absurd size; sizes are at most {MAX_SIZE:,}"
        )
    bound = error.get("ctx", {}).get("le" if kind == "less_than_equal" else "ge")
    if kind in ("less_than_equal", "greater_than_equal") and bound in (FLOAT32_MAX, -FLOAT32_MAX):
        beyond = f"beyond float32's ±{FLOAT32_MAX:.7g}: PyTorch refuses it on float32 tensors, its default"
        return SchemaProblem(path, f"`{_field(path)}` is {shown(value)}, {beyond}")
    if kind == "too_short" and path == ("layers",):
        return SchemaProblem(path, "`layers` is empty; a spec needs at least one layer")
    if kind in ("too_short", "too_long") and path == ("input",):
        rank = max(len(value) - 1, 0) if isinstance(value, list) else 0
        return SchemaProblem(
            path, f"`input` has {rank} spatial dimensions; it must be [C, L], [C, H, W] or [C, D, H, W] (1 to 3)"
        )
    if tagged and kind.endswith("_type"):
        pairs = _padding_pairs(data, path, layer_type) if _field(path) == "padding" else None
        if pairs == "mixed" and path[-2] == "padding":
            # Numbers and pairs in one list: one message for all of them, rather than one per
            # item that is no integer "or list" (or, pairs first, no pair).
            return SchemaProblem(
                path,
                "`padding` mixes [before, after] pairs with single numbers: give every spatial dimension a pair, "
                "or write one number for each",
            )
        refused = pairs == "refused"
        per_side = (
            f"; a {layer_type} takes no [before, after] pairs: only conv, the pools and pad do" if refused else ""
        )
        return SchemaProblem(
            path,
            f"`{_field(path)}` must be an integer or a list with one per spatial dimension, not {shown(value)}"
            + (per_side or _as_typed(value, "int_type", quoted, path)),
        )
    if _field(path) == "from" and type(value) is int:
        return SchemaProblem(
            path, f"`from` takes the name of an earlier layer, or `input`, not {shown(value)}: layers are not numbered"
        )
    if _field(path) == "from" and kind in ("list_type", "too_short"):  # a merge's
        single = isinstance(value, list) and len(value) == 1
        return SchemaProblem(
            path,
            f"`from` in {where} takes a list of two or more earlier layers' names, not {shown(value)}"
            + ("; one input needs no merge" if single else ""),
        )
    message = str(error["msg"]).replace(" after validation", "")
    if kind in ("too_short", "too_long"):  # the message counts the items already
        return SchemaProblem(path, f"`{_field(path)}`: {message[0].lower()}{message[1:]}")
    got = f"got {shown(value)} ({_kind(value)})" + _as_typed(value, kind, quoted, path)
    if message.startswith("Input should"):  # "input" would read as the spec's key
        return SchemaProblem(path, f"`{_field(path)}` {message.removeprefix('Input ')}, {got}")
    return SchemaProblem(path, f"`{_field(path)}`: {message[0].lower()}{message[1:]}, {got}")


def _padding_pairs(data: Any, path: KeyPath, layer_type: str | None) -> Literal["mixed", "refused"] | None:
    """What is wrong with the [before, after] pairs in the padding of the layer at ``path``:
    ``refused`` where the layer takes none, ``mixed`` where it does but the list holds single
    numbers too; None where it holds no pair."""
    padding = _mapping_at(data, path[:2]).get("padding")
    if not isinstance(padding, list) or not any(isinstance(item, list) for item in padding):
        return None
    if layer_type not in LAYER_TYPES:
        return None
    if not takes_padding_pairs(LAYER_TYPES[layer_type]):
        return "refused"
    numbers = any(isinstance(item, int | float) and not isinstance(item, bool) for item in padding)
    return "mixed" if numbers else None


#: The YAML types a quoted value could have without its quotes that a field takes, for
#: pydantic's error type of the value the field wanted.
_UNQUOTED_TYPES = {
    "int_type": ("tag:yaml.org,2002:int",),
    "float_type": ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"),
    "bool_type": ("tag:yaml.org,2002:bool",),
}
_RESOLVER = yaml.resolver.Resolver()
_STRING_TAG = "tag:yaml.org,2002:str"

#: A number with an exponent, which YAML 1.1 (PyYAML's) reads as a number only with a point
#: in the mantissa and a sign in the exponent: `1e-5` and `1.0e5` are strings, `1.0e-5` is not.
_EXPONENT = re.compile(r"([-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))[eE]([-+]?)([0-9]+)")


def _as_yaml11_float(value: str) -> str | None:
    """How to write a number with an exponent so that YAML 1.1 reads it as one."""
    match = _EXPONENT.fullmatch(value)
    if match is None:
        return None
    mantissa, sign, digits = match.groups()
    return f"{mantissa if '.' in mantissa else mantissa + '.0'}e{sign or '+'}{digits}"


def _as_typed(value: Any, wanted: str, quoted: Quoted | None, path: KeyPath) -> str:
    """Why YAML gave a value a type the user may not have meant: quotes around a number or
    a boolean, or a word it reads as a boolean."""
    if isinstance(value, bool):
        return "; YAML reads yes, no, on and off as booleans too"
    if interpolated := interpolation_hint(value):
        return interpolated
    if wanted == "float_type" and isinstance(value, str) and (written := _as_yaml11_float(value)) not in (None, value):
        unquoted = ", without quotes" if quoted is not None and quoted(path) else ""
        why = "YAML 1.1 reads it as a string (an exponent needs a point before it and a sign)"
        return f"; {why}: write {written}{unquoted}"
    types = _UNQUOTED_TYPES.get(wanted)
    # A string that YAML would read as a number or a boolean was quoted: a plain one would be.
    if types and isinstance(value, str):
        unquoted = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
        # Not a block scalar or a `!!str` tag, whose number the quotes hint would not reach.
        if unquoted in types and (quoted is None or quoted(path)):
            return "; remove the quotes"
    return ""


def _mapping_at(data: Any, path: KeyPath) -> dict[Any, Any]:
    """The mapping at ``path`` in the loaded data; empty where there is none."""
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return {}
    return data if isinstance(data, dict) else {}


def _field(path: KeyPath) -> str:
    """The innermost named key of a path: ``layers.3.kernel.1`` → ``kernel``."""
    named = [part for part in path if isinstance(part, str) and part != "layers"]
    return named[-1] if named else ".".join(str(p) for p in path)
