"""Configuration files and the selection flags of `netspec check`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from typer.testing import CliRunner

from netspec import Settings, Severity
from netspec.cli import app
from netspec.config import ConfigError, Overrides, load, resolve
from netspec.discovery import SKIPPED_DIRECTORIES
from netspec.globs import Globs
from netspec.text import cut
from tests.helpers import SHRINKING, codes, lint, within

runner = CliRunner()

# Layer 1 is read by nobody (layer 2 reads `input`): NS110, a warning.
DEAD_BRANCH = """
input: [3, 32, 32]
layers:
  - {type: conv, name: a, filters: 8, kernel: 3, padding: 1}
  - {type: conv, name: b, filters: 8, kernel: 3, padding: 1, from: input}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# --- finding the file ---------------------------------------------------------------------


def nearest(start: Path) -> tuple[tuple[str, ...], Path | None]:
    """What the configuration that applies in ``start`` ignores, and the directory it is in."""
    settings = resolve(None, Overrides(), cwd=start)
    return settings.ignore, None if settings.root is None else Path(settings.root)


def test_nearest_pyproject_upward_is_found(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.netspec]\nignore = ['NS102']\n")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert nearest(nested) == (("NS102",), tmp_path)


def test_pyproject_without_netspec_table_is_passed_over(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.netspec]\nignore = ['NS102']\n")
    write(tmp_path / "inner" / "pyproject.toml", "[project]\nname = 'x'\n")
    assert nearest(tmp_path / "inner") == (("NS102",), tmp_path)


def test_netspec_toml_wins_over_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.netspec]\nignore = ['NS102']\n")
    netspec_toml = write(tmp_path / "netspec.toml", "ignore = ['NS110']\n")
    assert nearest(tmp_path) == (("NS110",), tmp_path)
    assert load(netspec_toml).ignore == ("NS110",)


def test_a_netspec_table_the_winner_passes_over_is_warned_of(tmp_path: Path) -> None:
    # Edits to it would change nothing: the user is told which file is read.
    pyproject = write(tmp_path / "pyproject.toml", "[tool.netspec]\nignore = ['NS102']\n")
    netspec_toml = write(tmp_path / "netspec.toml", "ignore = ['NS110']\n")
    settings = resolve(None, Overrides(), cwd=tmp_path)
    assert settings.source == str(netspec_toml)
    assert settings.ineffective == (
        f"{pyproject}'s [tool.netspec] is not read: netspec.toml beside it comes first; move its settings there",
    )
    # The near misses: a pyproject.toml without the table is no configuration to pass over,
    # and one alone is read, and said to be under --verbose.
    write(pyproject, "[tool.black]\nline-length = 100\n")
    assert resolve(None, Overrides(), cwd=tmp_path).ineffective == ()
    netspec_toml.unlink()
    write(pyproject, "[tool.netspec]\nignore = ['NS102']\n")
    assert resolve(None, Overrides(), cwd=tmp_path).source == str(pyproject)


def test_verbose_says_which_configuration_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    spec = write(tmp_path / "spec.yaml", SHRINKING)
    result = runner.invoke(app, ["check", "-v", str(spec)])
    assert "netspec: configuration: none found, so the defaults\n" in result.stderr
    config = write(tmp_path / "netspec.toml", "ignore = ['NS102']\n")
    for flags in ([], ["--config", str(config)]):
        result = runner.invoke(app, ["check", "-v", *flags, str(spec)])
        assert result.exit_code == 0 and f"netspec: configuration: {config}\n" in result.stderr
    # The near miss: without --verbose, nothing about it.
    assert "configuration" not in runner.invoke(app, ["check", str(spec)]).stderr


def test_the_nearer_directory_wins(tmp_path: Path) -> None:
    write(tmp_path / "netspec.toml", "ignore = ['NS110']\n")
    write(tmp_path / "sub" / "pyproject.toml", "[tool.netspec]\nignore = ['NS102']\n")
    assert nearest(tmp_path / "sub") == (("NS102",), tmp_path / "sub")


def test_no_configuration_gives_the_defaults(tmp_path: Path) -> None:
    assert resolve(None, Overrides(), cwd=tmp_path) == Settings()


# --- what the keys do -----------------------------------------------------------------------


def test_every_key_is_read(tmp_path: Path) -> None:
    config = write(
        tmp_path / "netspec.toml",
        """
select = ["NS1"]
extend-select = ["NS113"]
ignore = ["NS110"]
include = ["*.net.yaml"]
exclude = ["legacy/*"]
max-file-size = 4096
[per-file-ignores]
"generated/*.yaml" = ["NS102", "NS107"]
[severity]
NS102 = "error"
""",
    )
    settings = load(config)
    assert settings.select == ("NS1",)
    assert settings.extend_select == ("NS113",)
    assert settings.ignore == ("NS110",)
    assert settings.include == ("*.net.yaml",)
    assert settings.exclude == ("legacy/*",)
    assert settings.max_file_size == 4096
    assert settings.per_file_ignores == {"generated/*.yaml": ("NS102", "NS107")}
    assert settings.severity == {"NS102": Severity.ERROR}


def test_prefix_selection_from_a_file(tmp_path: Path) -> None:
    settings = load(write(tmp_path / "netspec.toml", "ignore = ['NS1']\nextend-select = ['NS110']\n"))
    # NS1 silences every shape rule; the longer NS110 brings back that one.
    assert codes(SHRINKING, settings) == []
    assert codes(DEAD_BRANCH, settings) == ["NS110"]


def test_severity_by_prefix_longest_wins(tmp_path: Path) -> None:
    settings = load(write(tmp_path / "netspec.toml", "[severity]\nNS1 = 'error'\nNS102 = 'warning'\n"))
    assert settings.severity_for("NS110") == Severity.ERROR  # a warning by default, promoted by NS1
    assert settings.severity_for("NS102") == Severity.WARNING
    assert settings.severity_for("NS002") is None
    (diagnostic,) = lint(DEAD_BRANCH, settings)
    assert (diagnostic.code, diagnostic.severity) == ("NS110", Severity.ERROR)


def test_severity_for_all_yields_to_any_prefix(tmp_path: Path) -> None:
    settings = load(write(tmp_path / "netspec.toml", "[severity]\nALL = 'error'\nNS11 = 'warning'\n"))
    assert (settings.severity_for("NS102"), settings.severity_for("NS110")) == (Severity.ERROR, Severity.WARNING)


def test_settings_made_in_code_take_severities_as_a_file_gives_them() -> None:
    # By prefix, the longest deciding, and by level name; a name that is no level is refused.
    settings = Settings(severity={"NS1": Severity.ERROR, "NS102": "warning"})  # type: ignore[dict-item]
    (diagnostic,) = lint(DEAD_BRANCH, settings)
    assert (diagnostic.code, diagnostic.severity) == ("NS110", Severity.ERROR)
    assert [(d.code, d.severity) for d in lint(SHRINKING, settings)] == [("NS102", Severity.WARNING)]
    with pytest.raises(ValueError, match="'fatal' is not a valid Severity"):
        Settings(severity={"NS102": "fatal"})  # type: ignore[dict-item]


def test_per_file_ignores(tmp_path: Path) -> None:
    from netspec import lint_text

    settings = load(write(tmp_path / "netspec.toml", "[per-file-ignores]\n'legacy_*.yaml' = ['NS102']\n"))
    assert [d.code for d in lint_text(SHRINKING, "legacy_net.yaml", settings).diagnostics] == []
    assert [d.code for d in lint_text(SHRINKING, "net.yaml", settings).diagnostics] == ["NS102"]


# --- mistakes in the file -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "offending"),
    [
        ("selct = ['NS1']\n", "selct"),
        ("select = ['NS7']\n", "NS7"),
        ("ignore = ['NS1O2']\n", "NS1O2"),
        ("ignore = ['']\n", "empty rule code"),
        # An empty pattern matches no file: an include of one alone would check nothing.
        ("include = ['']\n", "include holds an empty pattern, which matches no file"),
        ("exclude = ['build/*', '']\n", "exclude holds an empty pattern"),
        ("[per-file-ignores]\n'' = ['NS102']\n", 'per-file-ignores has an empty pattern ("")'),
        # Negated, it would silence its codes in every file.
        ("[per-file-ignores]\n'!' = ['NS102']\n", 'per-file-ignores has an empty pattern ("!")'),
        ("select = 'NS1'\n", '"NS1"'),
        ("[severity]\nNS102 = 'fatal'\n", "fatal"),
        ("[severity]\nNS999 = 'error'\n", "NS999"),
        ("[per-file-ignores]\n'a/*.yaml' = ['NS1234']\n", "NS1234"),
        ("per-file-ignores = ['NS102']\n", '["NS102"]'),
        ("max-file-size = 0\n", "0"),
        ("max-file-size = true\n", "true"),
        ("select = [\n", "invalid TOML"),
        ("[severity]\nNS1 = ['error']\n", '["error"]'),
        ("[severity]\nNS1 = {a = 1}\n", '{"a" = 1}'),
        ("select = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
        ("max-file-size = 1" + "0" * 5000 + "\n", "a number too long to read"),
    ],
)
def test_bad_configuration_names_file_and_value(tmp_path: Path, text: str, offending: str) -> None:
    config = write(tmp_path / "netspec.toml", text)
    with pytest.raises(ConfigError) as caught:
        load(config)
    assert str(config) in str(caught.value)
    assert offending in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "offending"),
    [
        (b"select = ['NS1']\n# \xff\n", "not UTF-8"),
        ("select = ['NS1']\n".encode("utf-16"), "not UTF-8"),
        (b"# " + b"x" * (1 << 20) + b"\n", "over 1,048,576 bytes"),
    ],
)
def test_unreadable_configuration_is_an_error(tmp_path: Path, raw: bytes, offending: str) -> None:
    config = tmp_path / "netspec.toml"
    config.write_bytes(raw)
    with pytest.raises(ConfigError, match=re.escape(offending)):
        load(config)


LONG = "x" * 500_000


@pytest.mark.parametrize(
    "text",
    [
        f"{LONG} = 1\n",
        f"select = ['{LONG}']\n",
        f"select = '{LONG}'\n",
        f"force-exclude = '{LONG}'\n",
        f"max-file-size = '{LONG}'\n",
        f"per-file-ignores = '{LONG}'\n",
        f"[per-file-ignores]\n'{LONG}' = 'NS102'\n",
        f"[per-file-ignores]\n'{LONG}' = ['NS1234']\n",
        f"[severity]\nNS102 = '{LONG}'\n",
    ],
)
def test_a_long_value_is_quoted_cut_short(tmp_path: Path, text: str) -> None:
    # The file may hold a megabyte; an error quotes the start of what it names, not all of it.
    config = write(tmp_path / "netspec.toml", text)
    with pytest.raises(ConfigError) as caught:
        load(config)
    message = str(caught.value).removeprefix(str(config))
    assert "xxxxxxxxxx" in message or "NS1234" in message
    assert len(message) < 400, message[:400]


@pytest.mark.parametrize(
    "value",
    [
        '["NS1", true]',
        '{NS102 = "fatal", "b c" = [1.5, -inf]}',
        "1979-05-27T07:32:00Z",
        '"tab\\there é"',
        '"del\\u007f"',
        "07:32:00",
    ],
)
def test_an_error_quotes_the_value_as_toml(tmp_path: Path, value: str) -> None:
    # As the user wrote it, not as Python prints it ('NS1', True): what is quoted reads back
    # as the same value.
    config = write(tmp_path / "netspec.toml", f"select = {value}\n")
    with pytest.raises(ConfigError) as caught:
        load(config)
    quoted = str(caught.value).partition("select must be a list of strings, not ")[2]
    assert quoted and tomllib.loads(f"v = {quoted}") == tomllib.loads(f"v = {value}")


def test_a_byte_order_mark_before_the_configuration_is_skipped(tmp_path: Path) -> None:
    # As Windows editors save UTF-8; tomllib alone calls it an invalid statement.
    config = tmp_path / "netspec.toml"
    config.write_bytes("\ufeffselect = ['NS101']\n".encode())
    assert load(config).select == ("NS101",)
    config.write_bytes("select = ['NS101']\n\ufeff".encode())  # anywhere else it is text
    with pytest.raises(ConfigError, match="invalid TOML"):
        load(config)


def dotted(parts: int) -> str:
    return ".".join(f"k{i}" for i in range(parts))


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param(f"{dotted(20_000)} = 1", id="20000-parts"),
        pytest.param(f"{dotted(33)} = 1", id="33-parts"),
        pytest.param(f"[{dotted(33)}]", id="table-header"),
        pytest.param(f"[[ {dotted(33)} ]]", id="array-of-tables-header"),
        pytest.param(f"{dotted(13)} = 1\n[{dotted(20)}]\n{dotted(12)} = 1\n{dotted(13)} = 1", id="header-and-key"),
        # Short names, each well under the limit alone.
        pytest.param(f"[{'.'.join('a' * 31)}]\n{'.'.join('b' * 2)} = 1", id="short-header-and-key"),
        pytest.param(f"x = {{{dotted(40)} = 1}}", id="inline-table"),
        pytest.param(f'"a\\"" . {dotted(40)} = 1', id="quoted-part-with-escaped-quote"),
        # A multi-line string may close with up to five quotes: the scan must not lose its place.
        pytest.param(f'x = {{s = """abc"""", {dotted(40)} = 1}}', id="after-four-double-quotes"),
        pytest.param(f"x = {{s = '''abc'''', {dotted(40)} = 1}}", id="after-four-single-quotes"),
    ],
)
def test_a_key_of_many_parts_is_refused_unparsed(tmp_path: Path, lines: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # tomllib takes about 6 s on a 20,000-part key, and its time grows with the square; for
    # each key, it grows with the parts of the header above it too. So it must never see one.
    def parse(text: str) -> dict[str, object]:
        raise AssertionError("the key reached the TOML parser")

    monkeypatch.setattr("netspec.config.tomllib.loads", parse)
    config = write(tmp_path / "netspec.toml", f"select = ['NS1']\n{lines}\n")
    row = 1 + len(lines.splitlines())  # the last line's
    with pytest.raises(ConfigError, match=re.escape(f"{config}:{row}: a key of more than 32 dotted parts")):
        load(config)


def test_the_scan_of_a_configuration_is_linear(tmp_path: Path) -> None:
    # A multi-line string left open before a backslash at the very end: were it scanned
    # again from every line, these 200,000 lines would take hours.
    config = write(tmp_path / "netspec.toml", '\\"""\n' * 200_000 + "\\")
    with within(10), pytest.raises(ConfigError, match="invalid TOML"):
        load(config)


def test_many_dots_outside_keys_and_keys_of_32_parts_are_read(tmp_path: Path) -> None:
    dots = "a." * 1_000
    text = (
        f"{dotted(32)} = 1\n"
        f"[tool.other.{dotted(14)}]\n{dotted(16)} = 1\n"
        "[tool.other]\n"
        "array = [\n  [1.5, 2.5],\n]\n"
        f'closed = """abc"""""\nshort = {{s = """abc"""", a.b = 1}}\n'
        f"closed-literal = '''abc'''''\n"
        f"floats = [{', '.join(['1.5'] * 1_000)}]\n"
        f'text = """\n{dots}\n"""\n'
        f'quoted = "\\" {dots}"\n'
        f"[tool.netspec]\nexclude = [\"{dots}\", '{dots}']  # {dots}\n"
    )
    assert load(write(tmp_path / "pyproject.toml", text)).exclude == (dots, dots)


def test_configuration_that_is_not_a_regular_file_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "netspec.toml"
    os.mkfifo(fifo)  # opening it would wait for a writer forever
    with pytest.raises(ConfigError, match="not a regular file"):
        load(fifo)


def test_missing_configuration_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=re.escape("missing.toml: cannot read the file: No such")):
        load(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # A code's letters are upper-case, and a rule's name is no selector.
        ("select = ['ns102']\n", "select: unknown rule code or prefix 'ns102' (codes are upper-case: 'NS102')"),
        ("select = ['all']\n", "select: unknown rule code or prefix 'all' (codes are upper-case: 'ALL')"),
        (
            "ignore = ['shrinking-layer']\n",
            "ignore: unknown rule code or prefix 'shrinking-layer' "
            "('shrinking-layer' is the name of NS102; rules go by their codes)",
        ),
        # Codes written as in a noqa comment, spaces between them: each is a code (or a prefix).
        (
            "select = ['NS102 NS1']\n",
            "select: unknown rule code or prefix 'NS102 NS1' "
            "(that is 2 codes: give each on its own, as 'NS102', 'NS1')",
        ),
        # The same in lower case, as a noqa comment may write them.
        (
            "select = ['ns102 Ns1']\n",
            "select: unknown rule code or prefix 'ns102 Ns1' "
            "(that is 2 codes, in upper case: give each on its own, as 'NS102', 'NS1')",
        ),
        # The near misses: an unknown code gets no hint, even in lower case, nor do two words of
        # which one is no code.
        ("select = ['ns7']\n", "select: unknown rule code or prefix 'ns7'\n"),
        ("select = ['NS102 NS7']\n", "select: unknown rule code or prefix 'NS102 NS7'\n"),
        ("select = ['ns102 ns7']\n", "select: unknown rule code or prefix 'ns102 ns7'\n"),
        # Within per-file-ignores, the error names the table as its type errors do.
        # The pattern quoted as TOML writes it, where a bare key could not be.
        (
            "[per-file-ignores]\n'a/*.yaml' = ['NS1234']\n",
            'per-file-ignores."a/*.yaml": unknown rule code or prefix',
        ),
        ("[per-file-ignores]\nspecs = ['NS1234']\n", "per-file-ignores.specs: unknown rule code or prefix"),
    ],
)
def test_an_unknown_selector_says_what_it_may_mean(tmp_path: Path, text: str, message: str) -> None:
    config = write(tmp_path / "netspec.toml", text)
    with pytest.raises(ConfigError) as caught:
        load(config)
    assert f"{config}: {message}" in f"{caught.value}\n"


def test_bad_pyproject_table(tmp_path: Path) -> None:
    config = write(tmp_path / "pyproject.toml", "[tool.netspec]\nselect = ['XYZ']\n")
    with pytest.raises(ConfigError, match=re.escape("pyproject.toml: select: unknown rule code or prefix 'XYZ'")):
        load(config)


# --- the command line -----------------------------------------------------------------------


def reported_files(*args: str) -> list[str]:
    """The files ``netspec check --output-format concise ARGS`` reports problems in, in order."""
    result = runner.invoke(app, ["check", "--output-format", "concise", *args])
    return [line.split(":")[0] for line in result.output.splitlines() if ": NS" in line]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project directory, made the current directory, with one shrinking spec."""
    write(tmp_path / "specs" / "net.yaml", SHRINKING)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_pyproject_is_applied_by_check(project: Path) -> None:
    assert runner.invoke(app, ["check", "specs"]).exit_code == 1
    write(project / "pyproject.toml", "[tool.netspec]\nignore = ['NS102']\n")
    result = runner.invoke(app, ["check", "specs"])
    assert result.exit_code == 0, result.output


def test_configuration_is_found_from_a_subdirectory(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project / "netspec.toml", "ignore = ['NS102']\n")
    monkeypatch.chdir(project / "specs")
    assert runner.invoke(app, ["check", "net.yaml"]).exit_code == 0


def test_select_flag_overrides_the_file(project: Path) -> None:
    write(project / "netspec.toml", "ignore = ['NS102']\n")
    result = runner.invoke(app, ["check", "--select", "NS102", "specs"])
    assert result.exit_code == 1
    assert "NS102" in result.output


def test_flags_are_comma_separated_and_repeatable(project: Path) -> None:
    write(project / "specs" / "dead.yaml", DEAD_BRANCH)
    assert runner.invoke(app, ["check", "--ignore", "NS102,NS110", "specs"]).exit_code == 0
    assert runner.invoke(app, ["check", "--ignore", "NS102", "--ignore", "NS110", "specs"]).exit_code == 0
    assert runner.invoke(app, ["check", "--ignore", "NS102", "specs"]).exit_code == 1


def test_extend_select_adds_to_the_file(project: Path) -> None:
    write(project / "netspec.toml", "select = ['NS0']\n")
    assert runner.invoke(app, ["check", "specs"]).exit_code == 0
    assert runner.invoke(app, ["check", "--extend-select", "NS102", "specs"]).exit_code == 1


def test_extend_select_enables_what_the_file_ignores(project: Path) -> None:
    write(project / "netspec.toml", "ignore = ['NS102']\n")
    assert runner.invoke(app, ["check", "specs"]).exit_code == 0
    result = runner.invoke(app, ["check", "--extend-select", "NS102", "specs"])
    assert result.exit_code == 1
    assert "NS102" in result.output


#: NS102 and NS101 are on by default; NS113 only by its full code.
@pytest.mark.parametrize(
    ("config", "flags", "expected"),
    [
        # The flags are the later layer: what they name overrides the file, however specific.
        ("ignore = ['NS102']", Overrides(extend_select=("NS102",)), {"NS102": True, "NS101": True}),
        ("ignore = ['NS102']", Overrides(extend_select=("NS1",)), {"NS102": True}),
        ("select = ['NS102']", Overrides(ignore=("NS10",)), {"NS102": False}),
        ("extend-select = ['NS113']", Overrides(ignore=("NS1",)), {"NS113": False}),
        # Near misses: a more specific selector of the file under a broader flag's opposite
        # stays, since the flag does not name it...
        ("ignore = ['NS1']", Overrides(extend_select=("NS102",)), {"NS102": True, "NS101": False}),
        ("extend-select = ['NS113']", Overrides(ignore=("NS114",)), {"NS113": True}),
        # ...and within one layer, the longest prefix wins, and ignore a tie.
        ("", Overrides(extend_select=("NS102",), ignore=("NS102",)), {"NS102": False}),
        ("", Overrides(select=("NS102",), ignore=("NS1",)), {"NS102": True, "NS101": False}),
        ("ignore = ['NS1']\nextend-select = ['NS102']", Overrides(), {"NS102": True, "NS101": False}),
        # ALL names every rule, those not selected by default too, and any code or prefix
        # overrides it; a tie goes to ignore, as ever.
        ("select = ['ALL']", Overrides(), {"NS101": True, "NS113": True}),
        ("select = ['ALL']\nignore = ['NS11']", Overrides(), {"NS101": True, "NS113": False}),
        ("select = ['NS102']\nignore = ['ALL']", Overrides(), {"NS102": True, "NS101": False}),
        # Without a `select` of the file's, ignoring ALL starts from nothing: the default NS,
        # though a longer prefix, is no choice of the file's.
        ("ignore = ['ALL']", Overrides(), {"NS101": False, "NS113": False}),
        ("ignore = ['ALL']\nextend-select = ['NS102']", Overrides(), {"NS102": True, "NS101": False}),
        # As flags, ALL is the flags' say over everything the file selects or ignores.
        ("", Overrides(ignore=("ALL",)), {"NS101": False, "NS113": False}),
        ("ignore = ['NS102']", Overrides(extend_select=("ALL",)), {"NS102": True, "NS113": True}),
        ("", Overrides(extend_select=("NS102",), ignore=("ALL",)), {"NS102": True, "NS101": False}),
        ("", Overrides(select=("ALL",), ignore=("ALL",)), {"NS101": False}),
        # The near miss: NS, a prefix of every code, enables only the rules selected by default.
        ("select = ['NS']", Overrides(), {"NS101": True, "NS113": False}),
    ],
)
def test_flags_override_the_file_as_a_later_layer(
    tmp_path: Path, config: str, flags: Overrides, expected: dict[str, bool]
) -> None:
    settings = resolve(write(tmp_path / "netspec.toml", config + "\n"), flags)
    by_default = {"NS101": True, "NS102": True, "NS113": False}
    assert {code: settings.enabled(code, by_default[code]) for code in expected} == expected


def test_all_in_per_file_ignores_turns_every_rule_off_there(tmp_path: Path) -> None:
    from netspec import lint_text

    config = write(tmp_path / "netspec.toml", "[per-file-ignores]\n'legacy_*.yaml' = ['ALL']\n")
    settings = resolve(config, Overrides(extend_select=("NS102",)))
    assert [d.code for d in lint_text(SHRINKING, "legacy_net.yaml", settings).diagnostics] == []
    # The near miss: another file keeps its rules.
    assert [d.code for d in lint_text(SHRINKING, "net.yaml", settings).diagnostics] == ["NS102"]


@pytest.mark.parametrize("ignored", ["NS102", "NS1", "NS", "ALL"])
@pytest.mark.parametrize("selected", [Overrides(extend_select=("NS102",)), Overrides(select=("NS102",))])
def test_per_file_ignores_hold_against_the_flags(tmp_path: Path, ignored: str, selected: Overrides) -> None:
    # As ruff's: a prefix the file ignores holds against a longer code selected, too.
    from netspec import lint_text

    config = write(tmp_path / "netspec.toml", f"[per-file-ignores]\n'legacy_*.yaml' = ['{ignored}']\n")
    settings = resolve(config, selected)
    assert [d.code for d in lint_text(SHRINKING, "legacy_net.yaml", settings).diagnostics] == []
    assert [d.code for d in lint_text(SHRINKING, "net.yaml", settings).diagnostics] == ["NS102"]


def test_per_file_ignores_hold_against_the_files_own_selection(tmp_path: Path) -> None:
    from netspec import lint_text

    def found(config: str) -> list[str]:
        settings = resolve(write(tmp_path / "netspec.toml", config), Overrides())
        return [d.code for d in lint_text(SHRINKING, "legacy_net.yaml", settings).diagnostics]

    assert found("extend-select = ['NS102']\n[per-file-ignores]\n'legacy_*.yaml' = ['NS1']\n") == []
    # The near miss: an ignore for every file is overridden by the longer code selected.
    assert found("extend-select = ['NS102']\nignore = ['NS1']\n") == ["NS102"]


def test_config_flag_reads_the_given_file(project: Path) -> None:
    other = write(project / "ci" / "strict.toml", "ignore = ['NS102']\n")
    write(project / "netspec.toml", "select = ['NS']\n")
    assert runner.invoke(app, ["check", "--config", str(other), "specs"]).exit_code == 0


def test_include_and_exclude_from_the_file(project: Path) -> None:
    write(project / "specs" / "old" / "net.yaml", SHRINKING)
    write(project / "specs" / "net.spec", SHRINKING)
    write(project / "netspec.toml", "include = ['*.yaml', '*.spec']\nexclude = ['*/old']\n")
    assert set(reported_files("specs")) == {str(Path("specs/net.yaml")), str(Path("specs/net.spec"))}


def test_patterns_mean_the_same_from_a_subdirectory(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project / "specs" / "legacy" / "old.yaml", SHRINKING)
    write(project / "specs" / "gen_a.yaml", SHRINKING)
    config = "exclude = ['*/legacy/*']\n[per-file-ignores]\n'specs/gen_*.yaml' = ['NS102']\n"
    write(project / "netspec.toml", config)
    assert set(reported_files("specs")) == {str(Path("specs/net.yaml"))}
    # From specs/ the files are shown as `legacy/old.yaml` and `gen_a.yaml`, which neither
    # pattern matches as written: both are matched from the configuration file's directory.
    monkeypatch.chdir(project / "specs")
    assert set(reported_files(".")) == {"net.yaml"}
    assert set(reported_files("gen_a.yaml", "net.yaml")) == {"net.yaml"}
    # The near miss: a pattern written from specs/ describes nothing in the project.
    write(project / "netspec.toml", "exclude = ['legacy/*']\n")
    assert set(reported_files(".")) == {"gen_a.yaml", str(Path("legacy/old.yaml")), "net.yaml"}


def test_outside_the_project_patterns_see_only_file_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The configuration is proj/'s; build/ is its sibling, so `build` names no directory of it.
    write(tmp_path / "proj" / "netspec.toml", "exclude = ['build', 'old_*.yaml']\nforce-exclude = true\n")
    spec = write(tmp_path / "build" / "x.yaml", SHRINKING)
    old = write(tmp_path / "build" / "old_x.yaml", SHRINKING)
    monkeypatch.chdir(tmp_path / "proj")
    for named in ["../build/x.yaml", str(spec), "../build"]:
        assert reported_files(named) == [str(Path("../build/x.yaml")) if named != str(spec) else str(spec)], named
    # The near miss: a file name still matches outside.
    result = runner.invoke(app, ["check", str(old)])
    assert (result.exit_code, "(0 files checked)" in result.stdout) == (0, True)


def test_a_walk_that_enters_the_project_from_outside_matches_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "proj" / "netspec.toml", "exclude = ['*/legacy/*']\n")
    write(tmp_path / "proj" / "specs" / "net.yaml", SHRINKING)
    write(tmp_path / "proj" / "specs" / "legacy" / "old.yaml", SHRINKING)
    write(tmp_path / "other" / "legacy" / "o.yaml", SHRINKING)  # outside: only names count

    monkeypatch.chdir(tmp_path / "proj")
    expected = {str(Path("other/legacy/o.yaml")), str(Path("proj/specs/net.yaml"))}
    assert set(reported_files("..")) == {str(Path("..", p)) for p in expected}


def test_a_configuration_given_by_flag_describes_paths_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in ruff: a CI job's configuration kept in ci/ means what it would at the root.
    config = "exclude = ['specs/legacy']\n[per-file-ignores]\n'specs/gen_*.yaml' = ['NS102']\n"
    write(tmp_path / "ci" / "netspec.toml", config)
    for name in ("specs/gen_a.yaml", "specs/legacy/old.yaml", "specs/net.yaml"):
        write(tmp_path / name, SHRINKING)
    monkeypatch.chdir(tmp_path)
    assert reported_files("--config", str(Path("ci/netspec.toml")), "specs") == [str(Path("specs/net.yaml"))]
    # The near miss: found from ci/ instead of given, it describes paths from ci/, where no
    # specs/ is, so that it means the same from any working directory: nothing matches.
    monkeypatch.chdir(tmp_path / "ci")
    found = reported_files(str(Path("../specs")))
    assert set(found) == {str(Path("../specs", name)) for name in ("gen_a.yaml", "legacy/old.yaml", "net.yaml")}


def test_a_directory_named_through_a_symbolic_link_is_matched_as_what_it_is(project: Path) -> None:
    write(project / "specs" / "legacy" / "old.yaml", SHRINKING)
    write(project / "netspec.toml", "exclude = ['specs/legacy/*']\n")
    (project / "models").symlink_to(project / "specs")
    assert reported_files("models") == [str(Path("models/net.yaml"))]
    # The same file named directly is matched as the same path, with --force-exclude.
    result = runner.invoke(app, ["check", "--force-exclude", "models/legacy/old.yaml"])
    assert (result.exit_code, "(0 files checked)" in result.stdout) == (0, True)
    # The link's own name is matched too.
    write(project / "netspec.toml", "exclude = ['models']\n")
    result = runner.invoke(app, ["check", "--force-exclude", "models"])
    assert (result.exit_code, "(0 files checked)" in result.stdout) == (0, True)
    # The near miss: without the pattern, the walk through the link finds it.
    write(project / "netspec.toml", "")
    result = runner.invoke(app, ["check", "--output-format", "concise", "models"])
    assert str(Path("models/legacy/old.yaml")) in result.output


@pytest.mark.parametrize(
    ("config", "flags"),
    [("exclude = ['specs/old']\n", ["--force-exclude"]), ("exclude = ['*/old/*']\nforce-exclude = true\n", [])],
    ids=["flag", "file"],
)
def test_force_exclude_applies_exclude_to_named_files(project: Path, config: str, flags: list[str]) -> None:
    old = write(project / "specs" / "old" / "net.yaml", SHRINKING)
    write(project / "netspec.toml", config)
    named = ["specs/old/net.yaml", "specs/net.yaml"]
    assert set(reported_files(*flags, *named)) == {str(Path("specs/net.yaml"))}
    # The near miss: without forcing, a file named on the command line is checked, as in ruff.
    write(project / "netspec.toml", config.replace("force-exclude = true", ""))
    result = runner.invoke(app, ["check", "--output-format", "concise", str(old.relative_to(project))])
    assert result.exit_code == 1
    assert "NS102" in result.output


def test_force_exclude_looks_only_below_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A checkout that happens to sit under a directory named like an excluded one.
    project = tmp_path / "build" / "repo"
    spec = write(project / "specs" / "net.yaml", SHRINKING)
    write(project / "specs" / "build" / "gen.yaml", SHRINKING)
    write(project / "netspec.toml", "exclude = ['build']\nforce-exclude = true\n")
    monkeypatch.chdir(project)
    assert reported_files(str(spec), str(project / "specs" / "build")) == [str(spec)]
    # A directory named on the command line is excluded as a whole, which ruff would warn of.
    result = runner.invoke(app, ["check", "specs/build"])
    assert (result.exit_code, result.stderr) == (
        0,
        f"netspec: warning: no spec files checked: --force-exclude leaves out {Path('specs/build')}\n",
    )
    assert "(0 files checked)" in result.stdout
    # From a subdirectory the project's parent directories still do not count, spelt with
    # `..` or in full, through a symbolic link or not; the project's own `build` still does.
    (project / "sub").mkdir()
    (tmp_path / "link").symlink_to(project)
    monkeypatch.chdir(tmp_path / "link" / "sub")
    for named in ["../specs/net.yaml", str(spec), str(tmp_path / "link" / "specs" / "net.yaml")]:
        result = runner.invoke(app, ["check", "--output-format", "concise", named])
        assert result.exit_code == 1, named
    for named in ["../specs/build/gen.yaml", str(tmp_path / "link" / "specs" / "build" / "gen.yaml")]:
        result = runner.invoke(app, ["check", named])
        assert (result.exit_code, "(0 files checked)" in result.stdout) == (0, True), named
    monkeypatch.chdir(project)
    # The near miss: --no-force-exclude overrides the file, and the named directory is checked.
    result = runner.invoke(app, ["check", "--no-force-exclude", "--output-format", "concise", "specs/build"])
    assert result.exit_code == 1
    assert "gen.yaml" in result.output


@pytest.mark.parametrize("pattern", ["**/legacy", "**/legacy/**", "legacy/", "legacy"])
def test_exclude_spelt_as_in_ruff(project: Path, pattern: str) -> None:
    write(project / "legacy" / "a.yaml", SHRINKING)
    write(project / "specs" / "legacy" / "b.yaml", SHRINKING)
    write(project / "netspec.toml", f"exclude = ['{pattern}']\n")
    assert reported_files(".") == [str(Path("specs/net.yaml"))]


def test_exclude_from_the_project_directory_only(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    write(project / "legacy" / "a.yaml", SHRINKING)
    write(project / "specs" / "legacy" / "b.yaml", SHRINKING)
    write(project / "netspec.toml", "exclude = ['./legacy', './net.yaml']\n[per-file-ignores]\n'./x.yaml' = ['NS1']\n")
    assert set(reported_files(".")) == {str(Path("specs/legacy/b.yaml")), str(Path("specs/net.yaml"))}
    # Outside the project there is no path from its directory: anchored patterns match no
    # file name there, in a scan, under --force-exclude or in per-file-ignores.
    outside = tmp_path_factory.mktemp("outside")
    for name in ("net.yaml", "x.yaml"):
        write(outside / name, SHRINKING)
    expected = {str(outside / "net.yaml"), str(outside / "x.yaml")}
    assert set(reported_files(str(outside))) == expected
    assert set(reported_files("--force-exclude", str(outside / "net.yaml"), str(outside / "x.yaml"))) == expected


def test_force_exclude_skips_ruffs_default_excludes_and_a_scan_hidden_directories_too(project: Path) -> None:
    # Version control, environments, caches, build output: neither searched nor checked
    # when named (as pre-commit names every staged file) under --force-exclude.
    skipped = [".git/specs/a.yaml", ".venv/lib/b.yaml", "node_modules/pkg/c.yaml", "dist/specs/d.yaml"]
    # Another hidden directory, or a hidden file, holds other tools' YAML: a scan passes it by,
    # but a file named there is checked, under --force-exclude too. build/ is searched.
    hidden = [".config/specs/e.yaml", ".pre-commit-config.yaml", "specs/.hidden.yaml"]
    searched = ["build/specs/f.yaml", "specs/net.yaml"]
    for name in [*skipped, *hidden, *searched]:
        write(project / name, SHRINKING)
    assert reported_files(".") == [str(Path(name)) for name in searched]
    named = [*skipped, *hidden, *searched]
    assert reported_files("--force-exclude", *named) == [str(Path(name)) for name in [*hidden, *searched]]
    # Named without --force-exclude, every file is checked, as in ruff.
    assert len(reported_files(*named)) == 9


@pytest.mark.slow
def test_the_directories_skipped_are_ruffs_default_excludes(tmp_path: Path) -> None:
    # What ruff itself says its default excludes are, with Python's own byte-code cache.
    (tmp_path / "a.py").write_text("")
    shown = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--show-settings", "a.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    listed = shown.split("file_resolver.exclude = [", 1)[1].split("]", 1)[0]
    assert {*re.findall(r'"([^"]+)"', listed), "__pycache__"} == SKIPPED_DIRECTORIES


def test_a_file_named_twice_is_checked_once(project: Path) -> None:
    (project / "link").symlink_to(project / "specs")
    for spellings in (["specs/net.yaml", str(project / "specs" / "net.yaml")], ["specs/x/../net.yaml", "specs"]):
        (project / "specs" / "x").mkdir(exist_ok=True)
        result = runner.invoke(app, ["check", "--output-format", "concise", *spellings])
        assert result.output.count("NS102") == 1 and "in 1 file" in result.output, spellings
    # Through a link to its directory too, under the first name it was found by.
    assert reported_files("specs", "link") == [str(Path("specs/net.yaml"))]
    # Near misses: two files with the same content are two files, and so are a link to a
    # file and the file, since patterns see each under its own name.
    write(project / "specs" / "copy.yaml", SHRINKING)
    assert len(reported_files("specs", "link")) == 2
    (project / "linked.yaml").symlink_to(project / "specs" / "net.yaml")
    assert reported_files("linked.yaml", "specs/net.yaml") == ["linked.yaml", str(Path("specs/net.yaml"))]


def test_a_file_link_is_matched_by_its_own_name(project: Path) -> None:
    (project / "specs" / "a_link.yaml").symlink_to(project / "specs" / "net.yaml")
    write(project / "netspec.toml", "[per-file-ignores]\n'a_link.yaml' = ['NS102']\n")
    assert reported_files("specs") == [str(Path("specs/net.yaml"))]
    assert reported_files("specs/a_link.yaml", "specs/net.yaml") == [str(Path("specs/net.yaml"))]


def test_force_exclude_must_be_a_boolean(project: Path) -> None:
    write(project / "netspec.toml", "force-exclude = 'yes'\n")
    result = runner.invoke(app, ["check", "specs"])
    assert result.exit_code == 2
    assert 'force-exclude must be true or false, not "yes"' in result.stderr


def test_max_file_size_from_the_file_and_the_flag(project: Path) -> None:
    write(project / "netspec.toml", "max-file-size = 10\n")
    result = runner.invoke(app, ["check", "--output-format", "concise", "specs"])
    assert "NS001" in result.output
    result = runner.invoke(app, ["check", "--max-file-size", "100000", "--output-format", "concise", "specs"])
    assert "NS001" not in result.output
    assert "NS102" in result.output


def test_exit_zero_still_reports(project: Path) -> None:
    result = runner.invoke(app, ["check", "--exit-zero", "specs"])
    assert result.exit_code == 0
    assert "NS102" in result.output


@pytest.mark.parametrize(
    ("args", "offending"),
    [
        (["--select", "NS1,NSX"], "NSX"),
        (["--ignore", "E501"], "E501"),
        (["--extend-select", "NS99"], "NS99"),
        # Codes separated by a space, as in a noqa comment: the error says to give each on its own.
        (["--ignore", "NS102 NS110"], "NS102 NS110' (that is 2 codes: give each on its own, as 'NS102', 'NS110"),
    ],
)
def test_unknown_code_on_the_command_line_is_a_usage_error(project: Path, args: list[str], offending: str) -> None:
    result = runner.invoke(app, ["check", *args, "specs"])
    assert result.exit_code == 2
    assert f"'{offending}'" in result.output
    assert "Traceback" not in result.output


def test_bad_configuration_exits_two_even_with_exit_zero(project: Path) -> None:
    write(project / "pyproject.toml", "[tool.netspec]\nseverity = {NS102 = 'loud'}\n")
    result = runner.invoke(app, ["check", "--exit-zero", "specs"])
    assert result.exit_code == 2
    assert "pyproject.toml" in result.output
    assert "loud" in result.output


def test_missing_config_file_is_a_usage_error(project: Path) -> None:
    result = runner.invoke(app, ["check", "--config", "nowhere.toml", "specs"])
    assert result.exit_code == 2
    assert "nowhere.toml" in result.output


@pytest.mark.parametrize("args", [["--select", ""], ["--select", "NS1,"], ["--ignore", " "]])
def test_an_empty_code_on_the_command_line_is_a_usage_error(project: Path, args: list[str]) -> None:
    # Not "no rule": `--select ""` would otherwise pass every file without checking anything.
    result = runner.invoke(app, ["check", *args, "specs"])
    assert result.exit_code == 2
    assert f"{args[0]}: an empty rule code" in result.output


@pytest.mark.parametrize(
    ("name", "text", "hint"),
    [
        ("netspec.toml", "ignroe = ['NS102']\n", "unknown key 'ignroe'; did you mean 'ignore'?"),
        ("netspec.toml", "[tool.netspec]\nignore = ['NS102']\n", "without [tool.netspec]"),
        # ruff's name, which is nearer to 'extend-select' in spelling than to what it means.
        (
            "netspec.toml",
            "extend-exclude = ['legacy']\n",
            "unknown key 'extend-exclude'; netspec's key is `exclude`, which adds to the directories a scan",
        ),
        # The near miss: a key like none of them gets the list alone.
        ("netspec.toml", "colour = 'red'\n", "unknown key 'colour' (known keys: exclude, "),
        ("pyproject.toml", "[tool.netspec]\ntool = 1\n", "unknown key 'tool' (known keys: "),
    ],
)
def test_an_unknown_key_says_what_was_probably_meant(project: Path, name: str, text: str, hint: str) -> None:
    write(project / name, text)
    result = runner.invoke(app, ["check", "specs"])
    assert result.exit_code == 2
    assert hint in result.stderr


@pytest.mark.parametrize(
    ("given", "error", "message"),
    [
        # A lone string would be read letter by letter: "N" names every rule.
        ({"ignore": "NS102"}, TypeError, "Settings.ignore takes a sequence of rule codes or prefixes"),
        ({"per_file_ignores": {"*.yaml": "NS102"}}, TypeError, "Settings.per_file_ignores['*.yaml'] takes a sequence"),
        ({"per_file_ignores": [("*.yaml", ("NS102",))]}, TypeError, "Settings.per_file_ignores takes a dict"),
        ({"select": (102,)}, TypeError, "Settings.select takes a sequence of rule codes"),
        ({"select": ("NS99",)}, ValueError, "Settings.select: unknown rule code or prefix 'NS99'"),
        ({"extend_select": ("ns113",)}, ValueError, "(codes are upper-case: 'NS113')"),
        # An unknown code would change nothing; an empty one, a prefix of every code, all rules.
        ({"severity": {"XX": Severity.ERROR}}, ValueError, "Settings.severity: unknown rule code or prefix 'XX'"),
        ({"severity": {"": Severity.ERROR}}, ValueError, "Settings.severity: an empty rule code"),
        ({"severity": {102: Severity.ERROR}}, TypeError, "Settings.severity takes a dict of rule codes"),
        ({"severity": [("NS102", Severity.ERROR)]}, TypeError, "Settings.severity takes a dict of rule codes"),
    ],
)
def test_settings_a_program_builds_are_checked_as_a_files_are(
    given: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as raised:
        Settings(**given)
    assert message in str(raised.value)


def test_settings_take_codes_in_a_list_or_a_tuple() -> None:
    # The near miss of the above: the same codes, as a program may well write them.
    from netspec import lint_text

    settings = Settings(ignore=["NS102"], per_file_ignores={"a.yaml": ["NS101"]})
    assert (settings.ignore, settings.per_file_ignores) == (("NS102",), {"a.yaml": ("NS101",)})
    assert [d.code for d in lint_text(SHRINKING, "net.yaml", settings).diagnostics] == []
    assert [d.code for d in lint_text(SHRINKING, "net.yaml", Settings(ignore=("NS101",))).diagnostics] == ["NS102"]
    # A severity by code or by prefix, as the configuration file gives it, in any mapping.
    for selector in ("NS102", "NS1", "ALL"):
        (found,) = lint_text(SHRINKING, "net.yaml", Settings(severity={selector: Severity.ERROR})).diagnostics
        assert found.severity is Severity.ERROR, selector
    frozen = Settings(severity=MappingProxyType({"NS102": "error"}))
    assert [d.severity for d in lint_text(SHRINKING, "net.yaml", frozen).diagnostics] == [Severity.ERROR]


def test_settings_keep_each_code_once(tmp_path: Path) -> None:
    # Each rule's selection goes through every code, for each problem: 160,000 repeats of
    # "NS" in a configuration file made a check of 5,000 problems take minutes.
    settings = Settings(select=["NS", "NS1", "NS", "NS1"], ignore=("NS102",) * 3, per_file_ignores={"a": ["NS101"] * 2})
    assert (settings.select, settings.ignore, settings.per_file_ignores) == (
        ("NS", "NS1"),
        ("NS102",),
        {"a": ("NS101",)},
    )
    write(tmp_path / "netspec.toml", f"select = {json.dumps(['NS', 'NS1'] * 1000)}\n")
    assert load(tmp_path / "netspec.toml").select == ("NS", "NS1")
    # The near miss: repeats change nothing of what is selected.
    assert codes(SHRINKING, settings) == [] and codes(SHRINKING, Settings(select=("NS1",) * 3)) == ["NS102"]


def test_a_negated_per_file_pattern_ignores_in_every_other_file(tmp_path: Path) -> None:
    # As ruff's "!a.py" = ["E501"]: the codes apply to the files the pattern does not match.
    from netspec import lint_text

    def found(pattern: str, filename: str) -> list[str]:
        config = write(tmp_path / "netspec.toml", f"[per-file-ignores]\n'{pattern}' = ['NS102']\n")
        return [d.code for d in lint_text(SHRINKING, filename, resolve(config, Overrides())).diagnostics]

    assert found("!legacy_*.yaml", "legacy_net.yaml") == ["NS102"]
    assert found("!legacy_*.yaml", "net.yaml") == []
    # The near miss: the same pattern without its "!".
    assert found("legacy_*.yaml", "legacy_net.yaml") == []
    assert found("legacy_*.yaml", "net.yaml") == ["NS102"]


def test_an_absolute_pattern_is_said_to_match_nothing(project: Path) -> None:
    # Patterns see file names and paths from the project's directory, never a leading "/".
    write(project / "specs" / "net.yaml", SHRINKING)
    absolute = str(project / "specs" / "net.yaml")
    config = project / "netspec.toml"
    warning = f"netspec: warning: {config}: {{}} has the absolute path '{{}}', {{}}: patterns are matched against "
    warning += "file names and paths from the project's directory (write './' and the path from there)"
    nothing = "so it matches nothing"

    def run(toml: str) -> tuple[int, list[str]]:
        write(config, toml)
        result = runner.invoke(app, ["check", "--output-format", "concise", "specs"])
        return result.exit_code, result.stderr.splitlines()

    # Long paths are cut, as every value a message quotes.
    assert run(f"exclude = ['{absolute}']\n[per-file-ignores]\n'{absolute}' = ['NS102']\n") == (
        1,
        [warning.format("exclude", cut(absolute), nothing), warning.format("per-file-ignores", cut(absolute), nothing)],
    )
    # Negated, it matches every file: the file it names loses NS102 too.
    negated = f"!{absolute}"
    assert run(f"[per-file-ignores]\n'{negated}' = ['NS102']\n") == (
        0,
        [warning.format("per-file-ignores", cut(negated), "so its codes are off in every file")],
    )
    # The near miss: the same path from the project's directory, which does match, unwarned.
    assert run("[per-file-ignores]\n'./specs/net.yaml' = ['NS102']\n") == (0, [])


def test_ignoring_or_demoting_a_rule_that_is_always_reported_is_said_to_do_nothing(project: Path) -> None:
    # NS104: netspec cannot check past a channel mismatch, so no setting hides it.
    write(
        project / "specs" / "net.yaml",
        "input: [3, 8, 8]\nlayers:\n  - {type: conv, filters: 4, kernel: 1, in_channels: 5}\n",
    )
    write(
        project / "netspec.toml",
        "ignore = ['NS104']\n[per-file-ignores]\n'specs/*' = ['NS106']\n[severity]\nNS115 = 'warning'\n",
    )
    result = runner.invoke(app, ["check", "--output-format", "concise", "--ignore", "NS001", "specs"])
    assert result.exit_code == 1 and "NS104 error" in result.stdout
    config = project / "netspec.toml"
    after = "which has no effect: netspec cannot check past its problems, so it always reports them, as errors"
    assert result.stderr.splitlines() == [
        f"netspec: warning: {config}: ignore names NS104, {after}",
        f'netspec: warning: {config}: per-file-ignores."specs/*" names NS106, {after}',
        f"netspec: warning: {config}: severity names NS115, {after}",
        f"netspec: warning: --ignore names NS001, {after}",
    ]
    # Warnings about the run, which a quiet one leaves out.
    quiet = runner.invoke(app, ["check", "-q", "--output-format", "concise", "--ignore", "NS001", "specs"])
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (1, result.stdout.split("\nFound ")[0] + "\n", "")
    # The near misses: prefixes, rules that may be hidden, NS107 and NS002 whose problems
    # partly leave nothing unchecked, and promoting to an error.
    write(
        project / "netspec.toml",
        "ignore = ['NS1', 'NS102', 'NS107']\n[per-file-ignores]\n'specs/*' = ['NS002']\n"
        "[severity]\nNS104 = 'error'\nNS1 = 'warning'\nNS107 = 'warning'\n",
    )
    result = runner.invoke(app, ["check", "--output-format", "concise", "--ignore", "NS0", "specs"])
    assert (result.exit_code, result.stderr) == (1, "")


@pytest.fixture
def glob_matches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths :meth:`Globs.match` is asked of, from now on."""
    asked: list[str] = []
    match = Globs.match

    def counted(globs: Globs, path: str, *, outside: bool = False) -> bool:
        asked.append(path)
        return match(globs, path, outside=outside)

    monkeypatch.setattr(Globs, "match", counted)
    return asked


def test_a_file_matched_by_many_patterns_is_matched_once_with_each_code_once(glob_matches: list[str]) -> None:
    # Two patterns give NS102, one NS1: the file ignores each once, as every rule's every
    # question goes through them. Fixes are judged by other settings, which match no pattern
    # again: 3 matches in all, not 6.
    settings = Settings(per_file_ignores={"*.yaml": ["NS102"], "spec*": ["NS102", "NS1"], "other*": ["NS101"]})
    assert settings.ignores_for("spec.yaml") == ("NS102", "NS1")
    assert settings.judging_fixes().ignores_for("spec.yaml") == ("NS102", "NS1")
    assert len(glob_matches) == 3
    # The near miss: another file is matched anew.
    assert settings.judging_fixes().ignores_for("other.yaml") == ("NS102", "NS101")
    assert len(glob_matches) == 6


def test_per_file_patterns_that_ignore_the_same_codes_are_matched_together(glob_matches: list[str]) -> None:
    # Each of 8,000 patterns was matched on its own, against every file (5.5 s for 250 small
    # files). The three giving NS101 are one match; the negated one, whose codes apply where
    # it alone does not match, another.
    ignores = {"a*": ["NS101"], "spec*": ["NS101"], "!c*": ["NS102"], "./b*": ["NS101"]}
    assert Settings(per_file_ignores=ignores).ignores_for("spec.yaml") == ("NS101", "NS102")
    assert len(glob_matches) == 2
    # The near miss: a file no pattern matches, and the negated one does.
    assert Settings(per_file_ignores=ignores).ignores_for("c.yaml") == ()
    assert len(glob_matches) == 4
