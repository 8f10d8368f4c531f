"""The CI formats (github, sarif, junit, json-lines), -o/--output-file and the format defaults."""

from __future__ import annotations

import json
import os
import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

import netspec.linter
from netspec import __version__
from netspec.cli import app
from netspec.diagnostics import Diagnostic, Severity
from netspec.linter import FileResult
from netspec.report import REPORTERS, Reporter, reporter
from netspec.report.github import LineNumbers, annotation, escape_data, escape_property
from netspec.report.sarif import SarifReporter
from netspec.rules import RULES
from netspec.source import Position, Span
from tests.helpers import CLEAN, SHRINKING, netspec_process

runner = CliRunner()

# A 5×5 kernel on a 3×3 input: (3 − 5)/1 + 1 = −1 output rows, an error.
COLLAPSED = "input: [1, 3, 3]\nlayers:\n  - {type: conv, filters: 8, kernel: 5}\n"
# Both layer lines are 39 characters long, so each layer's span ends before column 40.
LAYER_END = len("  - {type: conv, filters: 8, kernel: 5}") + 1


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository root (the current directory) with specs/ holding two broken specs and a clean one."""
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "a_collapsed.yaml").write_text(COLLAPSED, encoding="utf-8")
    (specs / "b_shrinking.yaml").write_text(SHRINKING, encoding="utf-8")
    (specs / "c_clean.yaml").write_text(CLEAN, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, ["check", *args], env=env)


# --- github -------------------------------------------------------------------------------


def test_escaping_follows_the_actions_toolkit() -> None:
    # @actions/core's escapeData and escapeProperty, applied in the same order ('%' first).
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext%3A a%2Cb"
    assert escape_data("%0A") == "%250A"  # an already-escaped-looking message stays literal


@pytest.mark.parametrize(
    ("message", "filename", "expected"),
    [
        pytest.param(
            "50% of\nthe rows",
            "odd,dir:x/net.yaml",
            "::warning file=odd%2Cdir%3Ax/net.yaml,line=2,col=3,endLine=2,endColumn=9,"
            "title=netspec (NS101)::50%25 of%0Athe rows",
            id="toolkit",
        ),
        # The log is read on terminals too: ESC (a title, a screen clear) and C1 controls are
        # written out, in the message and in the file name.
        pytest.param(
            "\x1b]0;pwned\x07\x1b[2J\x85",
            "e\x1b[31mf.yaml",
            "::warning file=e\\x1b[31mf.yaml,line=2,col=3,endLine=2,endColumn=9,"
            "title=netspec (NS101)::\\x1b]0;pwned\\x07\\x1b[2J\\x85",
            id="terminal",
        ),
        # An invisible character in the message is written out, as in every line-based format;
        # in the file name it stays, or the annotation would name no file.
        pytest.param(
            "a\u200bb",
            "z\u200bw.yaml",
            "::warning file=z\u200bw.yaml,line=2,col=3,endLine=2,endColumn=9,title=netspec (NS101)::a\\u200bb",
            id="invisible",
        ),
    ],
)
def test_annotation_escapes_message_and_properties(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, message: str, filename: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    span = Span(Position(2, 3), Position(2, 9), 0, 0)
    diagnostic = Diagnostic("NS101", "non-integer-output", Severity.WARNING, message, filename, span)
    assert annotation(diagnostic, LineNumbers(None)) == expected


def test_annotation_of_several_lines_sends_no_columns() -> None:
    # GitHub's toolkit: startColumn and endColumn "cannot be sent when startLine and endLine
    # are different values". A block-style layer spans its lines, rows 3 to 5.
    span = Span(Position(3, 5), Position(5, 14), 0, 0)
    diagnostic = Diagnostic("NS102", "shrinking-layer", Severity.WARNING, "m", "b.yaml", span)
    assert (
        annotation(diagnostic, LineNumbers(None)) == "::warning file=b.yaml,line=3,endLine=5,title=netspec (NS102)::m"
    )
    # The near miss, on one line: the columns go with it.
    span = Span(Position(3, 5), Position(3, 14), 0, 0)
    diagnostic = Diagnostic("NS102", "shrinking-layer", Severity.WARNING, "m", "b.yaml", span)
    expected = "::warning file=b.yaml,line=3,col=5,endLine=3,endColumn=14,title=netspec (NS102)::m"
    assert annotation(diagnostic, LineNumbers(None)) == expected


def test_github_format_annotates_then_prints_the_concise_log(project: Path) -> None:
    result = check("--output-format", "github", "specs")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"::error file=specs/a_collapsed.yaml,line=3,col=5,endLine=3,endColumn={LAYER_END},"
        "title=netspec (NS103)::conv1: 3 − 5 + 2·0 + 1 = −1 < 1: the kernel is larger than the padded input"
    )
    assert lines[1].startswith(
        f"::warning file=specs/b_shrinking.yaml,line=3,col=5,endLine=3,endColumn={LAYER_END},"
        "title=netspec (NS102)::conv1 shrinks 32×32 to 30×30"
    )
    # Past GitHub's annotation limit the log still lists every problem, with workflow
    # commands stopped meanwhile (https://docs.github.com/actions/reference/workflow-commands).
    token = lines[2].removeprefix("::stop-commands::")
    assert len(token) == 32 and lines[2] != token
    # Both fixes are safe: padding 2 gives 3 + 4 − 5 + 1 = 3 and padding 1 gives 32 + 2 − 3 + 1 = 32.
    assert lines[3].startswith("specs/a_collapsed.yaml:3:5: NS103 [*] error: ")
    assert lines[4].startswith("specs/b_shrinking.yaml:3:5: NS102 [*] warning: ")
    assert lines[5] == "Found 2 problems (1 error, 1 warning) in 2 files."
    assert lines[-1] == f"::{token}::"


def _annotated_places(output: str) -> list[str]:
    """The annotations' properties: where each points, without the message."""
    return [line.split("::")[1] for line in output.splitlines() if line.startswith(("::error ", "::warning "))]


@pytest.mark.parametrize("odd_break", ["\u2028", "\u2029", "\x85", "\r"])
def test_github_annotations_number_lines_by_line_feeds(project: Path, odd_break: str) -> None:
    # YAML ends a row at LS, PS, NEL and a lone CR too; GitHub (and git) only at LF. Both layers
    # floor (NS101), (8 − 3)/2 + 1 = 3.5 and (3 − 2)/2 + 1 = 1.5: the second stands on the
    # file's 4th line, which YAML calls its 5th.
    def spec(name: str) -> str:
        return (
            f'input: [3, 8, 8]\nlayers:\n  - {{type: conv, name: "{name}", filters: 4, kernel: 3, stride: 2}}\n'
            "  - {type: conv, filters: 4, kernel: 2, stride: 2}\n"
        )

    odd, plain = project / "specs" / "odd.yaml", project / "specs" / "plain.yaml"
    odd.write_bytes(spec(f"a{odd_break}b").encode())
    # The same characters with an ordinary one in the break's place: GitHub's lines and columns.
    plain.write_bytes(spec("a-b").encode())
    on_github = _annotated_places(check("--output-format", "github", str(odd)).stdout)
    expected = _annotated_places(check("--output-format", "github", str(plain)).stdout)
    assert on_github == [place.replace("plain.yaml", "odd.yaml") for place in expected]
    assert len(on_github) == 2 and ",line=4," in on_github[1]
    # The concise lines after them count rows as YAML does, as the other formats do.
    assert "specs/odd.yaml:5:5: NS101" in check("--output-format", "github", str(odd)).stdout


def test_github_annotations_name_files_from_the_workspace(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The runner takes a relative path as relative to GITHUB_WORKSPACE, the repository's root,
    # whatever directory a step runs netspec in (`working-directory: models`).
    models = project / "models"
    models.mkdir()
    (project / "specs").rename(models / "specs")
    monkeypatch.chdir(models)
    # As the runner names it, through a link, or with `..` in it.
    (project.parent / "workspace-link").symlink_to(project)
    for workspace in (project, project.parent / "workspace-link", models / ".."):
        in_actions = check("--output-format", "github", "specs", env={"GITHUB_WORKSPACE": str(workspace)})
        assert _annotated_places(in_actions.stdout)[0].startswith("error file=models/specs/a_collapsed.yaml,")
    # The near misses: outside Actions, or for a file outside the workspace, the path is the
    # current directory's.
    for workspace in ("", str(project / "elsewhere")):
        alone = check("--output-format", "github", "specs", env={"GITHUB_WORKSPACE": workspace})
        assert _annotated_places(alone.stdout)[0].startswith("error file=specs/a_collapsed.yaml,")


def test_github_annotations_keep_a_file_name_as_it_is(project: Path) -> None:
    # `##[` is escaped in messages only: a word joiner in `file=` would name another file.
    (project / "specs" / "a_collapsed.yaml").rename(project / "specs" / "v##[2].yaml")
    places = _annotated_places(check("--output-format", "github", "specs").stdout)
    assert any(place.startswith("error file=specs/v##[2].yaml,line=3,") for place in places)


def test_github_format_cannot_be_made_to_forge_annotations(project: Path) -> None:
    # Names with a line break and a workflow command in them (repeated: NS005 quotes the name),
    # in a file itself named like a command.
    forged = "::error file=README.md,line=1::forged"
    layer = f'{{type: relu, name: "x\\n{forged}"}}'
    (project / "specs" / f"{forged}.yaml").write_text(f"input: [3, 8, 8]\nlayers:\n  - {layer}\n  - {layer}\n")
    found = json.loads(check("--output-format", "json", "specs").stdout)
    lines = check("--output-format", "github", "specs").stdout.splitlines()
    stop = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[stop].removeprefix("::stop-commands::")
    assert lines[-1] == f"::{token}::"
    # Before the stop, one annotation per diagnostic and nothing else.
    assert len(lines[:stop]) == len(found)
    assert all(line.startswith(("::error file=specs/", "::warning file=specs/")) for line in lines[:stop])
    # After it, one line per diagnostic, the line break in the name escaped.
    assert sum(": NS" in line for line in lines[stop:]) == len(found)
    assert f"'x\\n{forged}' is already used" in "\n".join(lines[stop:])


#: The runner's legacy syntax, which it reads anywhere in a line (actions/runner,
#: ActionCommand.TryParse): each name would forge a command from any line that prints it.
LEGACY_COMMANDS = ("##[error file=README.md,line=1]forged", "x ##[add-mask]224")


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        ["check", "--output-format", "full"],  # the source line under each problem too
        ["check", "--output-format", "concise"],
        ["check", "--output-format", "github"],
        ["check", "--fix"],  # warns that the first layer is not fixed
        ["check", "--fix-only"],  # warns of the channel error it cannot look past
        ["show"],
    ],
)
def test_no_line_can_be_read_as_a_legacy_workflow_command(tmp_path: Path, command: list[str]) -> None:
    # 224 − 11 over 4 is not whole (NS101, fixable, but the padding comes from a merge key);
    # the second layer's in_channels is 5 where the input has 96 (NS104).
    first, second = LEGACY_COMMANDS
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "input: [3, 224, 224]\nlayers:\n"
        f'  - {{<<: {{padding: 0}}, type: conv, name: "{first}", filters: 96, kernel: 11, stride: 4}}\n'
        f'  - {{type: conv, name: "{second}", filters: 8, kernel: 3, in_channels: 5}}\n'
    )
    done = netspec_process(*command, str(spec), env={**os.environ, "GITHUB_ACTIONS": "true"})
    printed = done.stdout + done.stderr
    assert "##[" not in printed
    # The names still read as they are written: a word joiner has no width and no glyph.
    assert first.replace("##[", "#\u2060#[") in printed
    if command != ["show"]:
        assert second.replace("##[", "#\u2060#[") in printed


@pytest.mark.parametrize(
    ("command", "names"),
    [
        (["check", "--output-format", "json"], lambda out: [item["layer"] for item in json.loads(out)]),
        (
            ["check", "--output-format", "json-lines"],
            lambda out: [json.loads(line)["layer"] for line in out.splitlines()],
        ),
        (
            ["check", "--output-format", "sarif"],
            lambda out: [r["message"]["text"].split(" shrinks")[0] for r in json.loads(out)["runs"][0]["results"]],
        ),
        (
            ["check", "--output-format", "junit"],
            lambda out: [
                f.get("message", "").split(": ", 1)[1].split(" shrinks")[0] for f in ET.fromstring(out).iter("failure")
            ],
        ),
        # The failure's text too, which says the same in one line.
        (
            ["check", "--output-format", "junit"],
            lambda out: [
                (f.text or "").split("(warning): ", 1)[1].split(" shrinks")[0]
                for f in ET.fromstring(out).iter("failure")
            ],
        ),
        (["show", "--format", "json"], lambda out: [layer["name"] for layer in json.loads(out)["layers"]]),
    ],
)
def test_machine_formats_hold_no_legacy_command_and_read_back_as_written(
    tmp_path: Path, command: list[str], names: Callable[[str], list[str]]
) -> None:
    # JSON writes the second "#" as \u0023 and XML as &#35;: parsers read the name as it is.
    name = LEGACY_COMMANDS[0]
    path = tmp_path / "s.yaml"
    path.write_text(f'input: [3, 32, 32]\nlayers:\n  - {{type: conv, name: "{name}", filters: 8, kernel: 3}}\n')
    done = netspec_process(*command, str(path))
    assert "##[" not in done.stdout + done.stderr
    assert names(done.stdout) == [name]


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--output-format", "concise"],
        ["check", "--output-format", "full"],
        ["check", "--output-format", "junit"],
        ["show"],
        ["show", "--format", "markdown"],
    ],
)
@pytest.mark.parametrize(
    ("filename", "concise_start"),
    [
        # The file name stays one to paste.
        ("::error title=forged::s.yaml", "./::error title=forged::s.yaml:4:5: NS102"),
        (":", "./::4:5: NS102"),
        ("n\n::error::nl.yaml", "n\\n::error::nl.yaml:4:5: NS102"),
    ],
)
def test_no_line_starts_with_a_workflow_command(
    tmp_path: Path, command: list[str], filename: str, concise_start: str
) -> None:
    # The runner reads a line that starts with `::`, spaces aside, as a command: here a file
    # named as one, and a spec and a layer named as one (3×3 without padding is NS102).
    (tmp_path / filename).write_text(
        'name: "::add-mask::x"\ninput: [3, 32, 32]\nlayers:\n'
        '  - {type: conv, name: "a\\n::warning::y", filters: 8, kernel: 3}\n'
    )
    done = netspec_process(*command, filename, cwd=tmp_path)
    lines = (done.stdout + done.stderr).splitlines()
    assert lines
    assert [line for line in lines if line.lstrip().startswith("::")] == []
    if "concise" in command:
        assert lines[0].startswith(concise_start)


def test_a_name_inside_a_line_keeps_its_colons_as_written(tmp_path: Path) -> None:
    # A `::` that does not start the line starts no command there: the file's name in `-->`,
    # and a layer's in a message, a help or a table cell, still paste as what they name.
    (tmp_path / "::x.yaml").write_text(
        "input: [3, 32, 32]\nlayers:\n  - {type: conv, name: '::a', filters: 8, kernel: 3}\n"
    )
    full = netspec_process("check", "--output-format", "full", "::x.yaml", cwd=tmp_path).stdout.splitlines()
    assert " --> ::x.yaml:3:5" in full
    assert any(line.startswith("NS102 [*] warning: ::a ") for line in full)
    table = netspec_process("show", "::x.yaml", cwd=tmp_path).stdout
    # The title, named after the file, starts its line: there the colons are kept apart.
    assert "│ ::a " in table and table.lstrip().startswith(":\u2060:x")
    markdown = netspec_process("show", "--format", "markdown", "::x.yaml", cwd=tmp_path).stdout
    assert "| ::a | conv |" in markdown
    # A JUnit failure's text follows its element's tag, on the tag's line.
    junit = netspec_process("check", "--output-format", "junit", "::x.yaml", cwd=tmp_path).stdout
    assert 'type="NS102">::x.yaml:3:5: NS102 ' in junit


def test_carets_stay_under_the_span_after_a_legacy_command_in_the_line(tmp_path: Path) -> None:
    # `filters: wide` is NS002, its span the 4 characters of `wide`, after the name's `##[`.
    line = '  - {name: "##[x", type: conv, filters: wide, kernel: 3}'
    spec = tmp_path / "s.yaml"
    spec.write_text(f"input: [3, 8, 8]\nlayers:\n{line}\n")
    printed = netspec_process("check", "--output-format", "full", str(spec)).stdout.splitlines()
    excerpt = printed.index("3 | " + line.replace("##[", "#\u2060#["))
    assert printed[excerpt + 1] == "  | " + " " * line.index("wide") + "^^^^"


def test_github_is_the_default_inside_github_actions(project: Path) -> None:
    inside = check("specs/b_shrinking.yaml", env={"GITHUB_ACTIONS": "true"})
    assert inside.exit_code == 1
    assert inside.stdout.startswith("::warning file=specs/b_shrinking.yaml,")
    elsewhere = check("specs/b_shrinking.yaml", env={"GITHUB_ACTIONS": "false"})
    assert elsewhere.exit_code == 1
    assert elsewhere.stdout.startswith("NS102 [*] warning: ")  # the full format


def test_format_precedence_is_flag_then_environment_then_github(project: Path) -> None:
    both = {"GITHUB_ACTIONS": "true", "NETSPEC_OUTPUT_FORMAT": "concise"}
    from_env = check("specs/b_shrinking.yaml", env=both)
    assert from_env.exit_code == 1
    assert from_env.stdout.startswith("specs/b_shrinking.yaml:3:5: NS102")
    from_flag = check("--output-format", "json-lines", "specs/b_shrinking.yaml", env=both)
    assert from_flag.exit_code == 1
    assert json.loads(from_flag.stdout)["code"] == "NS102"
    unknown = check("specs/b_shrinking.yaml", env={"NETSPEC_OUTPUT_FORMAT": "xml"})
    assert unknown.exit_code == 2
    # The error names where the value came from.
    assert "invalid value for NETSPEC_OUTPUT_FORMAT: 'xml'" in unknown.stderr
    assert unknown.stdout == ""
    unknown = check("--output-format", "xml", "specs/b_shrinking.yaml", env={"NETSPEC_OUTPUT_FORMAT": "concise"})
    assert "invalid value for --output-format: 'xml'" in unknown.stderr


def test_every_format_is_offered() -> None:
    assert set(REPORTERS) == {"full", "concise", "statistics", "json", "json-lines", "github", "sarif", "junit"}


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_every_format_loads_its_own_reporter(name: str) -> None:
    # Each format's reporter lives in the module named after it.
    loaded = reporter(name)
    assert isinstance(loaded, Reporter) and type(loaded).__module__ == f"netspec.report.{name.replace('-', '_')}"


# --- sarif --------------------------------------------------------------------------------

#: The published SARIF 2.1.0 schema (see tests/data/README.md); its objects are closed, so a
#: misspelt property fails as surely as a wrong type or a missing one.
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
SARIF_VALIDATOR = jsonschema.Draft202012Validator(
    SARIF_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


def assert_valid_sarif(log: dict[str, Any]) -> None:
    errors = [f"{error.json_path}: {error.message}" for error in SARIF_VALIDATOR.iter_errors(log)]
    assert errors == []


def sarif(*args: str) -> dict[str, Any]:
    result = check("--output-format", "sarif", *args)
    assert result.exit_code == 1
    log: dict[str, Any] = json.loads(result.stdout)
    assert_valid_sarif(log)
    return log


def test_the_sarif_schema_catches_what_a_viewer_would_reject(project: Path) -> None:
    log = sarif("specs")
    result = log["runs"][0]["results"][0]
    result["level"] = "warn"
    result["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "specs/a collapsed.yaml"
    log["runs"][0]["tool"]["driver"]["rules"][0]["title"] = "misspelt property"
    problems = sorted(error.message for error in SARIF_VALIDATOR.iter_errors(log))
    assert problems == [
        "'specs/a collapsed.yaml' is not a 'uri-reference'",  # a space must be percent-encoded
        "'warn' is not one of ['none', 'note', 'warning', 'error']",
        "0 is less than the minimum of 1",
        "Additional properties are not allowed ('title' was unexpected)",
    ]


def test_sarif_tool_and_rule_metadata(project: Path) -> None:
    (run,) = sarif("specs")["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("netspec", __version__)
    assert driver["informationUri"].startswith("https://")
    assert [rule["id"] for rule in driver["rules"]] == list(RULES)
    by_id = {rule["id"]: rule for rule in driver["rules"]}
    ns102 = by_id["NS102"]
    assert ns102["name"] == "shrinking-layer"
    assert ns102["shortDescription"]["text"] == RULES["NS102"].summary
    assert ns102["defaultConfiguration"] == {"level": "warning", "enabled": True}
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Fix"):
        assert heading in ns102["help"]["markdown"]
    assert by_id["NS113"]["defaultConfiguration"]["enabled"] is False  # opt-in rule
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.as_uri() + "/"


@pytest.mark.parametrize("root", ["repository", "workspace", "neither"])
def test_sarif_locations_start_from_the_root_of_the_source_tree(
    project: Path, monkeypatch: pytest.MonkeyPatch, root: str
) -> None:
    # Code scanning takes a relative URI from the repository's root and ignores
    # originalUriBaseIds: a step that runs netspec in a subdirectory (`working-directory:
    # models`) must still name models/specs/…. The root is the workspace in Actions, else the
    # nearest directory up with a .git; the near miss, with neither, is the current directory.
    models = project / "models"
    models.mkdir()
    (project / "specs").rename(models / "specs")
    if root == "repository":
        (project / ".git").mkdir()
    monkeypatch.chdir(models)
    env = {"GITHUB_WORKSPACE": str(project) if root == "workspace" else ""}
    (run,) = json.loads(check("--output-format", "sarif", "specs", env=env).stdout)["runs"]
    base = models if root == "neither" else project
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == base.as_uri() + "/"
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    path = "specs/a_collapsed.yaml" if root == "neither" else "models/specs/a_collapsed.yaml"
    assert location == {"uri": path, "uriBaseId": "%SRCROOT%"}
    # GitHub's annotations name the file from the same root.
    annotations = check("--output-format", "github", "specs", env=env).stdout
    assert _annotated_places(annotations)[0].startswith(f"error file={path},")


def test_sarif_locations_name_the_file_under_the_root_they_start_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The shell cd'd through a link from one repository (b) into another (a/d): the root is
    # the repository of the directory itself, a; and every location, read from it, is the file.
    (tmp_path / "a" / "d").mkdir(parents=True)
    (tmp_path / "a" / ".git").mkdir()
    (tmp_path / "b" / ".git").mkdir(parents=True)
    (tmp_path / "b" / "l").symlink_to(tmp_path / "a" / "d")
    spec_file = tmp_path / "a" / "d" / "x.yaml"
    spec_file.write_text(SHRINKING)
    monkeypatch.chdir(tmp_path / "b" / "l")
    for named in ("x.yaml", str(tmp_path / "b" / "l" / "x.yaml")):
        result = check(
            "--output-format", "sarif", named, env={"PWD": str(tmp_path / "b" / "l"), "GITHUB_WORKSPACE": ""}
        )
        (run,) = json.loads(result.stdout)["runs"]
        base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        assert base == (tmp_path / "a").as_uri() + "/"
        location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        uri = urllib.parse.urljoin(base, location["uri"]) if "uriBaseId" in location else location["uri"]
        assert Path(urllib.parse.unquote(urllib.parse.urlparse(uri).path)).samefile(spec_file), named


def test_workspace_locations_name_a_file_under_the_shells_name_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GITHUB_WORKSPACE is the real path; the script cd'd into specs/ through a link to the
    # repository, and names the file as $PWD spells it. Both formats name it from the root.
    (tmp_path / "repo" / "specs").mkdir(parents=True)
    (tmp_path / "repo" / "specs" / "s.yaml").write_text(SHRINKING)
    (tmp_path / "link").symlink_to(tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "link" / "specs")
    named = str(tmp_path / "link" / "specs" / "s.yaml")
    env = {"PWD": str(tmp_path / "link" / "specs"), "GITHUB_WORKSPACE": str(tmp_path / "repo")}
    (run,) = json.loads(check("--output-format", "sarif", named, env=env).stdout)["runs"]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "specs/s.yaml", "uriBaseId": "%SRCROOT%"}
    annotations = check("--output-format", "github", named, env=env).stdout
    assert _annotated_places(annotations)[0].startswith("warning file=specs/s.yaml,")
    # The near miss: a $PWD that is not this directory says nothing about it, and the name
    # given is below neither the workspace nor the current directory: it stays whole.
    env["PWD"] = str(tmp_path)
    annotations = check("--output-format", "github", named, env=env).stdout
    assert _annotated_places(annotations)[0].startswith(f"warning file={named},")


def test_sarif_root_from_the_file_system_root_has_one_slash(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    (run,) = json.loads(check("--output-format", "sarif", str(project / "specs")).stdout)["runs"]
    # "file:////" would make "tmp/…" resolve to a host named "tmp" (RFC 3986).
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///"


def test_sarif_results_carry_rule_level_message_and_region(project: Path) -> None:
    (run,) = sarif("specs")["runs"]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("NS103", "error"), ("NS102", "warning")]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    first = results[0]
    assert first["message"]["text"].startswith("conv1: 3 − 5 + 2·0 + 1 = −1 < 1")
    (location,) = first["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "specs/a_collapsed.yaml", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": LAYER_END}
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]


def test_sarif_locations_are_relative_under_the_shells_name_for_a_linked_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The shell's $PWD keeps the link a CI script cd'd through; the process's cwd is the target.
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "s.yaml").write_text(SHRINKING)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    monkeypatch.chdir(tmp_path / "link")
    named = str(tmp_path / "link" / "s.yaml")

    def uri(pwd: str) -> Any:
        (run,) = json.loads(check("--output-format", "sarif", named, env={"PWD": pwd}).stdout)["runs"]
        return run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]

    assert uri(str(tmp_path / "link")) == {"uri": "s.yaml", "uriBaseId": "%SRCROOT%"}
    # The near miss: a $PWD that is not this directory says nothing about it.
    assert uri(str(tmp_path)) == {"uri": (tmp_path / "link" / "s.yaml").as_uri()}


#: Specs with one safe fix each: a value replaced, a key added to a flow mapping, a key added
#: to a block mapping in a CRLF file whose non-ASCII name shifts code-point columns, and one
#: after a byte-order mark and an emoji (one code point, two UTF-16 units: SARIF columns here
#: count code points). The mark is no column: on line 1 it would shift the edit.
SARIF_FIXABLE = {
    "bom_line1.yaml": "\ufeff{input: [3, 8, 8], layers: [{type: conv, filters: 4, kernel: 3, padding: 0}]}\n",
    "bom_emoji.yaml": '\ufeffinput: [3, 8, 8]\nlayers:\n  - {type: conv, name: "😀x", filters: 4, kernel: 3}\n',
    "replace.yaml": "input: [3, 8, 8]\nlayers:\n  - {type: conv, filters: 4, kernel: 3, padding: 0}\n",
    "insert_flow.yaml": SHRINKING,
    "insert_block.yaml": "input: [3, 8, 8]\r\nlayers:\r\n  - name: tête\r\n    type: conv\r\n"
    "    filters: 4\r\n    kernel: 3\r\n",
}


def apply_sarif_fix(text: str, fix: dict[str, Any]) -> str:
    """Apply a SARIF fix's replacements as a viewer would: to the decoded text (no byte-order
    mark), 1-based lines split at CR LF and LF, code-point columns, an empty region inserting,
    the last region first so that the earlier ones stay put."""
    mark = "\ufeff" if text.startswith("\ufeff") else ""
    text = text.removeprefix(mark)
    starts = [0]
    for line in re.split("(?<=\n)", text):
        starts.append(starts[-1] + len(line))
    (change,) = fix["artifactChanges"]
    edits = []
    for replacement in change["replacements"]:
        region = replacement["deletedRegion"]
        start = starts[region["startLine"] - 1] + region["startColumn"] - 1
        end = starts[region["endLine"] - 1] + region["endColumn"] - 1
        edits.append((start, end, replacement["insertedContent"]["text"]))
    for start, end, inserted in sorted(edits, reverse=True):
        text = text[:start] + inserted + text[end:]
    return mark + text


@pytest.mark.parametrize("name", sorted(SARIF_FIXABLE))
def test_sarif_fix_applied_by_a_viewer_gives_what_fix_writes(project: Path, name: str) -> None:
    original = SARIF_FIXABLE[name]
    spec = project / name
    spec.write_bytes(original.encode())
    ((result,),) = [run["results"] for run in sarif(name)["runs"]]
    assert result["ruleId"] == "NS102"
    (fix,) = result["fixes"]
    assert fix["description"]["text"] == "set padding to 1 (safe)"
    assert fix["properties"] == {"applicability": "safe"}
    assert fix["artifactChanges"][0]["artifactLocation"] == {"uri": name, "uriBaseId": "%SRCROOT%"}
    fixed = apply_sarif_fix(original, fix)
    # The fixed text means the same layer with padding 1 (3 − 3 + 2·1 + 1 = 3: nothing shrinks) ...
    expected = yaml.safe_load(original)
    expected["layers"][0]["padding"] = 1
    assert yaml.safe_load(fixed) == expected
    assert not netspec.linter.lint_text(fixed, name).diagnostics
    # ... and is the very text --fix writes.
    assert check("--fix", name).exit_code == 0
    assert spec.read_bytes().decode() == fixed


@pytest.mark.parametrize("line_break", ["\u2028", "\x85", "\r"])
def test_sarif_offers_no_fix_where_a_viewer_would_number_the_lines_otherwise(project: Path, line_break: str) -> None:
    # YAML breaks lines at NEL, LS, PS and a lone CR too; SARIF's default is CR LF and LF. The
    # run says which it used, but a viewer that ignores that would put the edit a line off.
    text = f'input: [3, 8, 8]\nlayers:\n  - {{name: "a{line_break}b", type: conv, filters: 4, kernel: 3}}\n'
    Path("breaks.yaml").write_text(text, encoding="utf-8", newline="")
    (run,) = sarif("breaks.yaml")["runs"]
    assert run["newlineSequences"] == ["\r\n", "\r", "\n", "\x85", "\u2028", "\u2029"]
    ((result,),) = [run["results"]]
    assert result["ruleId"] == "NS102" and "fixes" not in result
    # The near miss: the same layer with a plain name keeps its fix.
    Path("plain.yaml").write_text(text.replace(line_break, "_"), encoding="utf-8")
    ((result,),) = [sarif("plain.yaml")["runs"][0]["results"]]
    assert result["fixes"][0]["description"]["text"] == "set padding to 1 (safe)"


def test_sarif_fix_of_a_silenced_problem_says_that_fix_leaves_it(project: Path) -> None:
    # A pool padded past half its kernel has no output, so NS107 is reported even under noqa.
    Path("silenced.yaml").write_text(
        "input: [3, 8, 8]\nlayers:\n  - {type: maxpool, kernel: 2, padding: 3}  # noqa: NS107\n", encoding="utf-8"
    )
    results = sarif("silenced.yaml")["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["NS107", "NS900"]  # NS900: the noqa cannot silence it
    (fix,) = results[0]["fixes"]
    assert fix["description"]["text"] == "set padding to 1 (safe; silenced, so --fix leaves it)"


def test_sarif_offers_no_fix_that_cannot_be_placed_in_the_text(project: Path) -> None:
    # The layers share their text through an anchor, so no text edit fixes one alone. Even
    # unjudged (assess_fixes=False), such a fix gets no replacements ...
    aliased = "input: [3, 8, 8]\nlayers:\n  - &c {type: conv, filters: 4, kernel: 3}\n  - *c\n"
    unjudged = netspec.linter.lint_text(aliased, "aliased.yaml", assess_fixes=False).diagnostics
    assert [(d.code, d.fix is not None, d.replacements) for d in unjudged] == [("NS102", True, ())] * 2
    # ... and judged, as the command line does, the fix gives way to a help line, so the SARIF
    # has no fix for it.
    Path("aliased.yaml").write_text(aliased, encoding="utf-8")
    results = sarif("aliased.yaml")["runs"][0]["results"]
    assert [(r["ruleId"], "fixes" in r) for r in results] == [("NS102", False)] * 2
    # A problem without a fix (a dense layer on an unflattened tensor) has none either.
    Path("dense.yaml").write_text("input: [1, 8, 8]\nlayers:\n  - {type: dense, units: 4}\n", encoding="utf-8")
    results = sarif("dense.yaml")["runs"][0]["results"]
    assert [(r["ruleId"], "fixes" in r) for r in results] == [("NS105", False)]


def test_sarif_uri_outside_the_current_directory_is_absolute(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    spec = project / "specs" / "a_collapsed.yaml"
    (run,) = sarif(str(spec))["runs"]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": spec.as_uri()}


def test_paths_through_a_symlink_and_dot_dot_name_the_file_read(project: Path) -> None:
    # specs/link points at deep/inner, so specs/link/../x.yaml is deep/x.yaml to the file
    # system, and specs/x.yaml (another file) only as text.
    (project / "deep" / "inner" / "sub").mkdir(parents=True)
    (project / "deep" / "x.yaml").write_text(COLLAPSED, encoding="utf-8")
    (project / "deep" / "inner" / "x.yaml").write_text(COLLAPSED, encoding="utf-8")
    (project / "specs" / "x.yaml").write_text(CLEAN, encoding="utf-8")
    (project / "specs" / "link").symlink_to(project / "deep" / "inner")
    (project / "specs" / "linked.yaml").symlink_to(project / "deep" / "x.yaml")

    def annotated(path: str) -> str:
        result = check("--output-format", "github", path)
        assert result.exit_code == 1
        return re.findall(r"^::error file=([^,]*),", result.stdout, re.MULTILINE)[0]

    assert annotated("specs/link/../x.yaml") == "deep/x.yaml"
    # Near misses: ".." after no link is only text, even past a link, and a linked file keeps
    # its own path.
    assert annotated("specs/../deep/x.yaml") == "deep/x.yaml"
    assert annotated("specs/link/sub/../x.yaml") == "specs/link/x.yaml"
    assert annotated("specs/linked.yaml") == "specs/linked.yaml"


def test_sarif_reports_internal_errors_as_failed_execution() -> None:
    out = StringIO()
    SarifReporter().report([FileResult("x.yaml", internal_error="internal error while checking x.yaml")], out)
    log = json.loads(out.getvalue())
    assert_valid_sarif(log)
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"].startswith("internal error")


# --- junit --------------------------------------------------------------------------------


def test_junit_one_testcase_per_file_one_failure_per_problem(project: Path) -> None:
    (project / "specs" / "d_two.yaml").write_text(
        "input: [3, 32, 32]\nlayers:\n"
        "  - {type: conv, filters: 8, kernel: 3}\n"  # 32 → 30: NS102
        "  - {type: conv, filters: 8, kernel: 5}\n",  # 30 → 26: NS102 again
        encoding="utf-8",
    )
    result = check("--output-format", "junit", "specs")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)
    (suite,) = root.iter("testsuite")
    # Counted in testcases, as JUnit's attributes are: a, b and d fail; d with two <failure>s.
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "3", "0")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {f"specs/{n}" for n in ("a_collapsed.yaml", "b_shrinking.yaml", "c_clean.yaml", "d_two.yaml")}
    assert list(cases["specs/c_clean.yaml"]) == []  # a clean file passes
    (failure,) = cases["specs/a_collapsed.yaml"].findall("failure")
    assert failure.get("type") == "NS103"
    assert failure.get("message", "").startswith("NS103 error: conv1: 3 − 5")
    assert (failure.text or "").startswith("specs/a_collapsed.yaml:3:5: NS103 collapsed-output (error): ")
    two = cases["specs/d_two.yaml"].findall("failure")
    assert [(f.get("type"), (f.text or "").split(":")[1]) for f in two] == [("NS102", "3"), ("NS102", "4")]


def test_junit_counts_a_file_netspec_failed_on_as_an_error_not_a_failure(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = netspec.linter.lint_file

    def failing(path: Path, *args: Any, **kwargs: Any) -> FileResult:
        if path.name == "a_collapsed.yaml":
            raise RuntimeError("simulated bug")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(netspec.linter, "lint_file", failing)
    result = check("--output-format", "junit", "specs")
    assert result.exit_code == 2
    (suite,) = ET.fromstring(result.stdout).iter("testsuite")
    # a: an error; b: a failure (NS102); c: a pass.
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")


def test_junit_stays_well_formed_with_control_characters(project: Path) -> None:
    # YAML's "\x01" escape puts a character into the layer name that XML 1.0 cannot carry.
    (project / "specs" / "a_collapsed.yaml").write_text(
        'input: [1, 3, 3]\nlayers:\n  - {type: conv, name: "c\\x01 <&>", filters: 8, kernel: 5}\n', encoding="utf-8"
    )
    result = check("--output-format", "junit", "specs/a_collapsed.yaml")
    assert result.exit_code == 1
    failure = ET.fromstring(result.stdout).find(".//failure")
    assert failure is not None
    assert failure.get("message", "").startswith("NS103 error: c\\u0001 <&>: ")


def test_junit_keeps_a_carriage_return_in_a_failure_s_text(project: Path) -> None:
    # A raw CR in element text reads back as a line feed (XML 1.0, 2.11), so the text escapes
    # it as the text formats do; in the attribute, ElementTree writes it as a character
    # reference, which keeps it.
    (project / "specs" / "a_collapsed.yaml").write_text(
        'input: [1, 3, 3]\nlayers:\n  - {type: conv, name: "a\\rb", filters: 8, kernel: 5}\n', encoding="utf-8"
    )
    failure = ET.fromstring(check("--output-format", "junit", "specs/a_collapsed.yaml").stdout).find(".//failure")
    assert failure is not None and failure.text is not None
    assert failure.get("message", "").startswith("NS103 error: a\rb: ")
    assert ": a\\rb: " in failure.text and "a\nb" not in failure.text
    # And in an internal error's text, where the file name is quoted: "c\rd.yaml".
    out = StringIO()
    reporter("junit").report([FileResult("c\rd.yaml", internal_error="internal error while checking c\rd.yaml")], out)
    error = ET.fromstring(out.getvalue()).find(".//error")
    assert error is not None and error.text == "internal error while checking c\\rd.yaml"


# --- json-lines ---------------------------------------------------------------------------


def test_json_lines_matches_the_json_items_one_per_line(project: Path) -> None:
    (project / "specs" / "e_newline.yaml").write_text(
        # YAML's \L, \N and \P are U+2028, U+0085 and U+2029: str.splitlines splits at them too.
        'input: [1, 3, 3]\nlayers:\n  - {type: conv, name: "two\\nlines\\L\\N\\P", filters: 8, kernel: 5}\n',
        encoding="utf-8",
    )
    lines = check("--output-format", "json-lines", "specs").stdout.splitlines()
    items = json.loads(check("--output-format", "json", "specs").stdout)
    assert [json.loads(line) for line in lines] == items
    assert [item["code"] for item in items] == ["NS103", "NS102", "NS103"]
    assert items[2]["message"].startswith("two\nlines\u2028\x85\u2029: ")


def test_json_lines_is_empty_when_clean(project: Path) -> None:
    result = check("--output-format", "json-lines", "specs/c_clean.yaml")
    assert result.exit_code == 0
    assert result.stdout == ""


# --- -o/--output-file ---------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["-o", "--output-file"])
def test_output_file_gets_the_report_and_stdout_the_summary(project: Path, flag: str) -> None:
    result = check("--output-format", "sarif", flag, "out.sarif", "specs")
    assert result.exit_code == 1
    # Only the summary reaches the terminal.
    assert result.stdout.startswith("Found 2 problems (1 error, 1 warning) in 2 files.\n")
    assert "$schema" not in result.stdout
    log = json.loads((project / "out.sarif").read_text(encoding="utf-8"))
    assert_valid_sarif(log)
    assert len(log["runs"][0]["results"]) == 2


# Every NS102 message has "×" and "−", which ASCII cannot encode.
MACHINE_FORMATS = sorted(name for name in REPORTERS if reporter(name).for_programs)


@pytest.mark.parametrize("name", MACHINE_FORMATS)
def test_formats_for_programs_are_utf8_on_any_console(project: Path, name: str) -> None:
    # cp1252 is what Python gives a redirected stdout on Windows; JSON and SARIF must be UTF-8
    # (RFC 8259, section 8.1), and the XML declaration names the encoding used.
    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "PYTHONUTF8": "0", "GITHUB_ACTIONS": ""}
    args = ("check", "--output-format", name, "specs/b_shrinking.yaml")
    to_stdout = netspec_process(*args, env=env, cwd=project, text=False)
    to_file = netspec_process(*args, "-o", "report", env=env, cwd=project)
    assert (to_stdout.returncode, to_file.returncode) == (1, 1), to_stdout.stderr
    report = to_stdout.stdout.decode("utf-8")
    assert "×" in report
    # The github format ends with a random stop-commands token.
    masked = re.compile(r"[0-9a-f]{32}")
    assert masked.sub("", report) == masked.sub("", (project / "report").read_text(encoding="utf-8"))


def test_formats_for_people_follow_the_console(project: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0"}
    result = netspec_process("check", "--output-format", "concise", "specs/b_shrinking.yaml", env=env, cwd=project)
    assert result.returncode == 1
    assert "\\xd7" in result.stdout and "×" not in result.stdout


def test_unwritable_output_file_is_a_usage_error(project: Path) -> None:
    # A file stands where the report's folder would be made.
    (project / "a-file").touch()
    result = check("-o", "a-file/dir/out.txt", "specs")
    assert result.exit_code == 2
    assert re.search(r"netspec: error: cannot write a-file/dir/out\.txt: ", result.stderr)
    assert "Found" not in result.stdout


def test_sarif_gives_a_file_outside_the_directory_its_uri_under_an_ascii_locale(tmp_path: Path) -> None:
    # The C locale's file-system encoding is ASCII, which cannot encode "é" back into the
    # name's bytes: the URI must hold them as UTF-8 all the same, as pathlib gives it here.
    spec = tmp_path / "specs" / "café.yaml"
    spec.parent.mkdir()
    spec.write_text(SHRINKING, encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    done = netspec_process("check", "--output-format", "sarif", str(spec), env=env, cwd=tmp_path / "elsewhere")
    assert done.returncode == 1, done.stderr
    log = json.loads(done.stdout)
    assert_valid_sarif(log)
    (location,) = log["runs"][0]["results"][0]["locations"]
    assert location["physicalLocation"]["artifactLocation"] == {"uri": spec.as_uri()}
    assert spec.as_uri().endswith("/specs/caf%C3%A9.yaml")


@pytest.mark.parametrize("name", ["json", "json-lines", "github", "junit"])
def test_utf8_formats_give_a_name_read_in_another_encoding_as_its_characters(name: str) -> None:
    # Under LC_ALL=C, Python reads the bytes of "é" (C3 A9) in a file name as two lone
    # surrogates; the UTF-8 formats hold the character itself. A byte that is not UTF-8 (FF)
    # keeps its escape, and the report is still written.
    from netspec import lint_text

    read_in_c = "\udcc3\udca9.yaml"
    not_utf8 = "\udcff.yaml"
    results = [lint_text(SHRINKING, filename) for filename in (read_in_c, not_utf8)]
    out = StringIO()
    reporter(name).report(results, out)
    # (github's concise lines after its annotations are for people, and follow the console.)
    written = out.getvalue().split("::stop-commands::")[0]
    assert "é.yaml" in written and "\\udcc3" not in written and "\udcc3" not in written
