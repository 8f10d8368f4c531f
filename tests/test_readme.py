"""The README's quick start is exactly two commands, and CI runs the second one as written;
lists the README spells out agree with the code."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from netspec.config import load
from netspec.discovery import SKIPPED_DIRECTORIES, discover
from netspec.layers import LAYER_TYPES, LayerBase
from netspec.layers.neutral import ACTIVATION_TYPES
from netspec.report import REPORTERS
from tests.helpers import ROOT, SHRINKING


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL)]


def test_quick_start_has_exactly_two_one_line_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)
    install_and_run, test = commands
    assert "netspec check specs" in install_and_run
    assert test.endswith("pytest")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start_commands()[1] in ci


def test_the_layer_table_names_every_activation() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (conv_row,) = [line for line in readme.splitlines() if line.startswith("| `conv` |")]
    named = re.findall(r"`(\w+)`", conv_row[conv_row.index("`activation` (") :].split(";")[0])
    assert named == ["activation", *ACTIVATION_TYPES]


def layer_rows() -> dict[str, str]:
    """The README's layer table: each layer type → the keys column of its row."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| type | keys (defaults) |\n|---|---|\n", 1)[1].split("\n\n", 1)[0]
    rows: dict[str, str] = {}
    for line in table.splitlines():
        types, keys = line.strip("|").split(" | ", 1)
        rows |= dict.fromkeys(re.findall(r"`(\w+)`", types), keys)
    return rows


def test_the_layer_table_has_a_row_for_every_layer_type_naming_each_of_its_keys() -> None:
    rows = layer_rows()
    assert set(rows) == set(LAYER_TYPES)
    for name, model in LAYER_TYPES.items():
        # type, name, from and expect are every layer's, described once above the table.
        own = set(model.model_fields) - set(LayerBase.model_fields)
        assert {key for key in own if f"`{key}`" not in rows[name]} == set(), name


def test_the_layer_table_gives_each_key_the_default_of_its_model() -> None:
    # "`stride` (1)", "`bias` (true)", "`eps` (1.0e-5, positive…)", "`mode` (`nearest`; …)", and
    # in the activations' row "`negative_slope` (`leaky_relu`, 0.01)": the type comes first.
    compared, defaults = set(), set()
    for name, keys in layer_rows().items():
        fields = LAYER_TYPES[name].model_fields
        own = set(fields) - set(LayerBase.model_fields)
        # A default of null the row explains in words ("= kernel", "all the channels").
        defaults |= {(name, key) for key in own if not fields[key].is_required() and fields[key].default is not None}
        for key, written in re.findall(r"`(\w+)` \(((?:`[\w-]+`, )?[^;,:)]+)", keys):
            if (name, key) not in defaults:
                continue  # a value quoted in prose
            first, *rest = written.split(", ")
            value = rest[0] if rest and first.strip("`") in LAYER_TYPES else first
            # A quoted default may come first in a list of the values: "`none` or `tanh`".
            value = value.split("`")[1] if value.startswith("`") else value
            assert yaml.safe_load(value) == fields[key].default, (name, key, written)
            compared.add((name, key))
    assert compared == defaults


def test_the_readme_names_every_output_format() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (usage,) = re.findall(r"`--output-format (\w+(?:\\\|[\w-]+)+)`", readme)
    assert sorted(usage.split("\\|")) == sorted(REPORTERS)
    table = readme.split("| Format | For |\n| --- | --- |\n", 1)[1].split("\n\n", 1)[0]
    assert re.findall(r"^\| `([\w-]+)` \|", table, re.MULTILINE) == list(REPORTERS)


def test_the_readme_names_every_directory_a_scan_skips() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paragraph = readme.split("A scan never enters", 1)[1].split("Nor does a scan", 1)[0]
    assert set(re.findall(r"`([^`]+)`", paragraph)) == {"--force-exclude", *SKIPPED_DIRECTORIES}


def test_the_configuration_example_loads_and_excludes_legacy_at_any_depth(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```toml\n(\[tool\.netspec\]\n.*?)```", readme, re.DOTALL)
    assert match is not None
    (tmp_path / "pyproject.toml").write_text(match.group(1), encoding="utf-8")
    for folder in ("legacy", "models/legacy", "models"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "net.yaml").write_text(SHRINKING, encoding="utf-8")
    found = discover([tmp_path], load(tmp_path / "pyproject.toml")).files
    assert [path.relative_to(tmp_path).as_posix() for path in found] == ["models/net.yaml"]
