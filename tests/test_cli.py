"""The command line, through typer's CliRunner: exit codes and outputs, checked separately."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import pytest
import typer
from typer.testing import CliRunner

from netspec import __version__, lint_text
from netspec.cli import app
from netspec.report import REPORTERS
from netspec.report.base import inline, one_line
from netspec.report.full import SNIPPET_WIDTH, FullReporter
from netspec.rules import RULES
from tests.helpers import CLEAN, ROOT, SHRINKING, spec, write_spec

runner = CliRunner()

BROKEN = "input: [3, 8, 8]\nlayers:\n  - {type: dense, units: 10}\n"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "clean.yaml").write_text(CLEAN)
    (tmp_path / "shrinking.yaml").write_text(SHRINKING)
    (tmp_path / "broken.yml").write_text(BROKEN)
    (tmp_path / "notes.txt").write_text("not a spec")
    return tmp_path


def test_clean_file_exits_zero(files: Path) -> None:
    result = runner.invoke(app, ["check", str(files / "clean.yaml")])
    assert result.exit_code == 0
    assert "All checks passed!" in result.output


def test_problems_exit_one_with_full_output(files: Path) -> None:
    result = runner.invoke(app, ["check", str(files / "shrinking.yaml")])
    assert result.exit_code == 1
    out = result.output
    assert "NS102" in out
    assert f" --> {files / 'shrinking.yaml'}:3:5" in out
    assert "3 |   - {type: conv, filters: 8, kernel: 3}" in out
    assert "^" in out and "help: padding 1 keeps 32×32" in out
    assert out.strip().splitlines()[-2] == "Found 1 problem (0 errors, 1 warning) in 1 file."


def test_full_output_counts_rows_as_the_parser_does(tmp_path: Path) -> None:
    # CR alone ends a line in YAML: the conv is on row 4.
    path = tmp_path / "spec.yaml"
    path.write_bytes(("# old Mac line ends\n" + SHRINKING).replace("\n", "\r").encode())
    out = runner.invoke(app, ["check", str(path)]).output
    assert f" --> {path}:4:5" in out
    assert "4 |   - {type: conv, filters: 8, kernel: 3}" in out


def test_full_output_shows_control_characters_as_pictures(tmp_path: Path) -> None:
    # A form feed is no line break in YAML (str.splitlines would break there), and it is not
    # allowed either: NS001 at row 1, column 15, with the caret under its picture.
    path = tmp_path / "spec.yaml"
    path.write_bytes(("# a form feed \f here\n" + SHRINKING).encode())
    out = runner.invoke(app, ["check", str(path)]).output
    assert f" --> {path}:1:15" in out
    assert "1 | # a form feed \u240c here\n" in out
    assert "  | " + " " * 14 + "^\n" in out


def test_full_output_shows_c1_controls_as_one_column(tmp_path: Path) -> None:
    # U+009B (CSI) starts a terminal sequence; YAML refuses it (NS001, at column 23), and the
    # snippet shows it as U+FFFD, one column like the pictures, with the caret under it.
    path = tmp_path / "spec.yaml"
    path.write_text("input: [3, 32, 32]  # \u009b2J\nlayers:\n  - {type: conv, filters: 8, kernel: 3}\n")
    out = runner.invoke(app, ["check", str(path)]).output
    assert "\u009b" not in out
    assert "1 | input: [3, 32, 32]  # \ufffd2J\n" in out
    assert "  | " + " " * 22 + "^\n" in out


@pytest.mark.parametrize("raw", [b"\xff: 1\n", b"input: [3, 32, 32]\n"])
def test_full_output_shows_no_source_line_of_a_file_it_could_not_read(tmp_path: Path, raw: bytes) -> None:
    # Not UTF-8, or over the size limit: there is no text to show, only the position. The near
    # miss: an empty file has one empty line to show.
    path = tmp_path / "spec.yaml"
    path.write_bytes(raw)
    out = runner.invoke(app, ["check", "--max-file-size", "10", str(path)]).output
    assert "NS001 error: " in out and f" --> {path}:1:1\n\nFound 1 problem" in out
    path.write_bytes(b"")
    out = runner.invoke(app, ["check", str(path)]).output
    assert f" --> {path}:1:1\n  |\n1 | \n  | ^\n" in out


def test_messages_on_stderr_escape_control_characters(tmp_path: Path) -> None:
    # A note about a file whose name sets the terminal's title.
    path = tmp_path / "x\x1b]0;t\x07.yaml"
    # An anchor inside the padding leaves it unfixed, which a warning says.
    path.write_text("input: [3, 32, 32]\nlayers:\n  - {type: conv, filters: 8, kernel: 3, padding: [&p 0, 0]}\n")
    err = runner.invoke(app, ["check", "--fix", str(path)]).stderr
    assert "\x1b" not in err and "\x07" not in err
    assert f"netspec: warning: {tmp_path}/x\\x1b]0;t\\x07.yaml: conv1: NS102 not fixed" in err


def test_diff_headers_escape_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "x\x1b]0;t\x07.yaml"
    path.write_text(SHRINKING)
    out = runner.invoke(app, ["check", "--diff", str(path)]).stdout
    assert "\x1b" not in out and "\x07" not in out
    # Quoted as git quotes names, which patch reads: ESC is octal 33, BEL 7.
    assert f'--- "{tmp_path}/x\\033]0;t\\007.yaml"\n' in out


def snippet_lines(out: str) -> tuple[str, str]:
    """The source line and the caret line of a one-diagnostic full report, without gutters."""
    source, carets = (line for line in out.splitlines() if line.startswith(("2 | ", "  | ")) and line != "  |")
    return source.removeprefix("2 | "), carets.removeprefix("  | ")


@pytest.mark.parametrize("separator", [", ", ",\t"])
@pytest.mark.parametrize("relus", [1, 40, 4000])
def test_full_output_shows_a_window_of_a_long_line(tmp_path: Path, relus: int, separator: str) -> None:
    # The conv is the layer after the relus; a line longer than the window is cut around it.
    # A tab shows as one space, inside the window as outside it.
    conv = "{type: conv, filters: 8, kernel: 3}"
    layers = separator.join(["{type: relu}"] * relus + [conv] + ["{type: relu}"] * relus)
    path = tmp_path / "spec.yaml"
    path.write_text(f"input: [3, 32, 32]\nlayers: [{layers}]\n")
    line = f"layers: [{layers}]".replace("\t", " ")
    source, carets = snippet_lines(runner.invoke(app, ["check", str(path)]).output)
    if len(line) <= SNIPPET_WIDTH:
        assert source == line
    else:
        assert source.startswith("…") and source.endswith("…")
        assert len(source) == SNIPPET_WIDTH + 2
    # The carets sit under the conv's mapping, whole.
    assert source[len(carets) - len(carets.lstrip()) :].startswith(conv)
    assert carets.strip() == "^" * len(conv)


def test_directory_is_searched_for_yaml_and_yml(files: Path) -> None:
    result = runner.invoke(app, ["check", "--output-format", "concise", str(files)])
    assert result.exit_code == 1
    assert "broken.yml:3:5: NS105" in result.output
    assert "shrinking.yaml:3:5: NS102" in result.output
    assert "notes.txt" not in result.output
    assert "Found 2 problems (1 error, 1 warning) in 2 files." in result.output


def test_json_output_shape(files: Path) -> None:
    result = runner.invoke(app, ["check", "--output-format", "json", str(files / "shrinking.yaml")])
    assert result.exit_code == 1
    (item,) = json.loads(result.stdout)
    assert {"code", "name", "severity", "message", "filename", "layer", "location", "end_location", "fix"} <= set(item)
    expected = ("NS102", "shrinking-layer", "warning", "conv1")
    assert (item["code"], item["name"], item["severity"], item["layer"]) == expected
    assert item["location"] == {"row": 3, "column": 5}
    assert item["fix"]["applicability"] in ("safe", "unsafe")
    (edit,) = item["fix"]["edits"]
    assert (edit["layer"], edit["key"], edit["value"]) == ("conv1", "padding", 1)
    assert edit["location"] is None  # the key is absent: the edit adds it


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml" in result.output
    # Each missing path on a line of its own: a name may hold the comma a list would use.
    result = runner.invoke(app, ["check", str(tmp_path / "a,b.yaml"), str(tmp_path / "c.yaml")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"netspec: error: no such file or directory: {tmp_path / 'a,b.yaml'}\n"
        f"netspec: error: no such file or directory: {tmp_path / 'c.yaml'}\n"
    )


def test_unknown_output_format_is_a_usage_error(files: Path) -> None:
    result = runner.invoke(app, ["check", "--output-format", "xml", str(files / "clean.yaml")])
    assert result.exit_code == 2


def test_no_paths_and_no_specs_directory_says_that_no_path_was_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2
    assert result.stderr == (
        "netspec: error: no paths given, and no specs/ here to check by default: "
        "name the files or directories to check\n"
    )


def test_default_path_is_specs(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (files / "specs").mkdir()
    (files / "specs" / "a.yaml").write_text(BROKEN)
    monkeypatch.chdir(files)
    result = runner.invoke(app, ["check", "--output-format", "concise"])
    assert result.exit_code == 1
    assert "a.yaml:3:5: NS105" in result.output
    assert "broken.yml" not in result.output


def test_show_table_json_markdown() -> None:
    lenet = str(ROOT / "specs" / "lenet5.yaml")
    table = runner.invoke(app, ["show", lenet])
    assert table.exit_code == 0
    assert "61,706" in table.output and "16×5×5" in table.output
    data = json.loads(runner.invoke(app, ["show", lenet, "--format", "json"]).stdout)
    assert data["name"] == "lenet5" and data["input"] == [1, 32, 32]
    assert data["total_params"] == 61_706
    c1 = data["layers"][0]
    assert (c1["name"], c1["output_shape"], c1["params"]) == ("c1", [6, 28, 28], 156)
    assert c1["neurons"] == 6 * 28 * 28
    assert c1["macs"] == 6 * 28 * 28 * 25  # out positions × out channels × in_ch·F², bias excluded
    markdown = runner.invoke(app, ["show", lenet, "--format", "markdown"]).stdout
    assert "| c1 | conv | 6×28×28 |" in markdown
    # MACs by hand: c1 6·28²·25 + c3 16·10²·150 + c5 120·400 + f6 84·120 + output 10·84 = 416,520.
    assert "| **total** |  |  |  |  | **61,706** | **416,520** |" in markdown
    assert data["unknown_layers"] == 0 and "Partial" not in table.output + markdown


def test_show_aligns_each_column_alike_in_the_table_and_in_markdown() -> None:
    # Names and shapes to the left, counts to the right, in both. The output column is as
    # wide as its widest cell, 16×10×10 (8 characters), so c1's 6×28×28 (7) has one space
    # after it; the params column is as wide as the total 61,706, so 156 has two before it.
    lenet = str(ROOT / "specs" / "lenet5.yaml")
    table = runner.invoke(app, ["show", lenet]).stdout
    assert "│ c1       │ conv    │ 6×28×28  │ 5×5   │   4,704 │    156 │ 117,600 │" in table
    markdown = runner.invoke(app, ["show", lenet, "--format", "markdown"]).stdout
    assert "\n|---|---|---|---|---:|---:|---:|\n" in markdown


def test_show_judges_no_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Judging a fix re-analyses the spec, and show prints no fix: it must not pay for them.
    def judged(*args: object) -> NoReturn:
        raise AssertionError("a fix was judged")

    monkeypatch.setattr("netspec.fix.assess", judged)
    path = write_spec(tmp_path, spec("[3, 8, 8]", "{type: conv, name: c1, filters: 4, kernel: 3}"))  # NS102
    shown = runner.invoke(app, ["show", str(path)])
    assert (shown.exit_code, "c1" in shown.stdout) == (0, True)
    assert "1 problem: run `netspec check" in shown.stderr
    # The near miss: the check judges the fix (the internal error is the stand-in's).
    assert runner.invoke(app, ["check", str(path)]).exit_code == 2


def test_show_says_its_totals_leave_out_layers_of_unknown_shape(tmp_path: Path) -> None:
    # c1: 8·(3·9) + 8 = 224 parameters; the dense layer on an unflattened 8×8×8 tensor (NS105)
    # has no output, so neither it nor the relu after it counts.
    conv = "{type: conv, name: c1, filters: 8, kernel: 3, padding: 1}"
    text = spec("[3, 8, 8]", conv, "{type: dense, units: 4}", "{type: relu}")
    path = write_spec(tmp_path, text)
    table = runner.invoke(app, ["show", str(path)])
    assert table.exit_code == 1
    assert "partial total" in table.stdout and "Partial totals: 2 of 3 layers have no known shape" in table.stdout
    # Their rows say the counts are unknown, where 0 would claim a dense layer without weights.
    dense_row = next(line for line in table.stdout.splitlines() if "dense2" in line)
    assert [cell.strip() for cell in dense_row.strip("│").split("│")] == ["dense2", "dense", "—", "—", "—", "—", "—"]
    data = json.loads(runner.invoke(app, ["show", str(path), "--format", "json"]).stdout)
    assert (data["total_params"], data["unknown_layers"]) == (224, 2)
    markdown = runner.invoke(app, ["show", str(path), "--format", "markdown"]).stdout
    assert "| **partial total** |  |  |  |  | **224** |" in markdown
    assert "| dense2 | dense | — | — | — | — | — |" in markdown
    # A paragraph of its own, which Markdown would otherwise join to the table; and no
    # weight-sharing factor, which c1 alone would put at 64 (its 8×8 positions).
    assert markdown.endswith("|\n\nPartial totals: 2 of 3 layers have no known shape (`netspec check` says why).\n")
    assert "Weight sharing" not in table.stdout + markdown
    # One layer of unknown shape: the dense layer last, so only it has none.
    one = runner.invoke(
        app, ["show", str(write_spec(tmp_path, spec("[3, 8, 8]", conv, "{type: dense, units: 4}"), "one.yaml"))]
    )
    assert "Partial totals: 1 of 2 layers has no known shape" in one.stdout
    # And a spec of that layer alone.
    alone = runner.invoke(
        app, ["show", str(write_spec(tmp_path, spec("[3, 8, 8]", "{type: dense, units: 4}"), "a.yaml"))]
    )
    assert "Partial totals: 1 of 1 layer has no known shape" in alone.stdout


def test_show_table_prints_names_as_written(tmp_path: Path) -> None:
    # rich would read "[/x]" as a closing tag (and fail) and "[bold]" as a style.
    path = tmp_path / "[red]net.yaml"
    path.write_text('input: [3, 8, 8]\nlayers:\n  - {type: relu, name: "[/x]"}\n  - {type: relu, name: "[bold]b"}\n')
    result = runner.invoke(app, ["show", str(path)])
    assert result.exit_code == 0, result.output
    assert "│ [/x]    │ relu │" in result.output
    assert "│ [bold]b │ relu │" in result.output
    assert "[red]net  (input 3×8×8)" in result.output


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("畳み込み", 8),  # four wide characters, two columns each
        ("e\u0301t\u0301e\u0301", 3),  # three letters, each with a combining acute accent
        ("\u0e17\u0e35\u0e48\u0e19\u0e35\u0e48", 2),  # Thai: two consonants, each with two marks
        ("a\u200db", 2),  # a zero-width joiner takes no column
    ],
)
def test_full_output_puts_carets_under_the_columns_a_terminal_shows(tmp_path: Path, name: str, columns: int) -> None:
    path = tmp_path / "spec.yaml"
    layer = f"{{type: conv, name: {name}, filters: 8, kernel: 3}}"
    path.write_text(f"input: [3, 32, 32]\nlayers:\n  - {layer}\n", encoding="utf-8")
    out = runner.invoke(app, ["check", str(path)]).output
    assert "  |     " + "^" * (len(layer) - len(name) + columns) + "\n" in out


def test_the_full_report_writes_a_lone_surrogate_to_a_strict_stream() -> None:
    # Text read with errors="surrogateescape" holds U+DCFF for a byte that is not UTF-8.
    text = "input: [3, 8, 8]\nlayers:\n  - {type: relu, name: a\udcffb}\n"
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    FullReporter().report([lint_text(text, "spec.yaml")], out)
    out.flush()
    buffer = out.buffer
    assert isinstance(buffer, io.BytesIO)
    assert "a\ufffdb" in buffer.getvalue().decode()


def test_bidirectional_controls_are_escaped_in_messages_and_pictured_in_snippets(tmp_path: Path) -> None:
    # U+202E (right-to-left override) would display the rest of the line reversed.
    path = tmp_path / "spec.yaml"
    path.write_text('input: [3, 32, 32]\nlayers:\n  - {type: conv, name: "a\u202eb", filters: 8, kernel: 3}\n')
    for output_format in ("full", "concise"):
        out = runner.invoke(app, ["check", "--output-format", output_format, str(path)]).output
        assert "\u202e" not in out, output_format
        assert "a\\u202eb shrinks" in out, output_format
    assert (
        '3 |   - {type: conv, name: "a\ufffdb", filters: 8, kernel: 3}'
        in runner.invoke(app, ["check", str(path)]).output
    )


def test_names_that_differ_by_an_invisible_character_print_apart(tmp_path: Path) -> None:
    # A zero-width space, a tag character and a soft hyphen show nothing: written raw, each
    # line would say that 'conv' is no earlier layer, and ask "did you mean 'conv'?".
    path = tmp_path / "spec.yaml"
    path.write_text(
        "input: [3, 32, 32]\nlayers:\n  - {type: conv, name: conv, filters: 8, kernel: 3, padding: 1}\n"
        '  - {type: add, from: [conv, "conv\\u200b"]}\n'
        '  - {type: add, from: [conv, "conv\\U000E0041"]}\n'
        '  - {type: add, from: [conv, "conv\\u00ad"]}\n'
        '  - {type: add, from: [conv, "conv\\u0301中😀"]}\n',
        encoding="utf-8",
    )
    for output_format in ("full", "concise"):
        out = runner.invoke(app, ["check", "--output-format", output_format, str(path)]).output
        for shown in ("conv\\u200b", "conv\\U000e0041", "conv\\u00ad"):
            assert f"names '{shown}', which is not an earlier layer; did you mean 'conv'?" in out, output_format
        assert not {"\u200b", "\U000e0041", "\u00ad"} & set(out), output_format
        # The near miss: a letter with a combining accent, a wide character and an emoji show.
        assert "'conv\u0301中😀'" in out, output_format


#: The format characters (Unicode's category Cf) written as they are: the joiners, which
#: Persian and Indic words and emoji sequences need, the signs that show (Arabic number signs,
#: Kaithi's), and the layout controls of Egyptian hieroglyphs and Duployan shorthand.
SHOWN_FORMAT_CHARACTERS = {
    *"\u200c\u200d",
    *"\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2\U000110bd\U000110cd",
    *map(chr, range(0x13430, 0x13440)),
    *map(chr, range(0x1BCA0, 0x1BCA4)),
}


@pytest.mark.parametrize("reporter", [one_line, inline])
def test_every_hidden_format_character_is_escaped(reporter: Callable[[str], str]) -> None:
    import unicodedata

    format_characters = [chr(code) for code in range(0x110000) if unicodedata.category(chr(code)) == "Cf"]
    assert len(format_characters) >= 160  # Unicode 14 has 163
    hidden = [c for c in format_characters if c not in SHOWN_FORMAT_CHARACTERS]
    written = {c: f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}" for c in hidden}
    assert [c for c in hidden if reporter(f"a{c}b") != f"a{written[c]}b"] == []
    # The near misses: the format characters that show or join, and marks, letters and
    # symbols (an emoji with its variation selector among them), stay.
    assert [c for c in SHOWN_FORMAT_CHARACTERS if reporter(f"a{c}b") != f"a{c}b"] == []
    for shown in ("e\u0301", "中", "😀\ufe0f", "\u0e35", "ſ", "\u0645\u06cc\u200c\u062e\u0648"):
        assert reporter(shown) == shown


def test_a_location_keeps_hidden_characters_so_that_it_still_names_the_file(tmp_path: Path) -> None:
    # In the message a zero-width space is written out; in the file's name it stays, or the
    # path would not paste. What drives the terminal is escaped in both.
    path = tmp_path / "a\u200bb\x1b.yaml"
    path.write_text(SHRINKING)
    shown = f"{tmp_path}/a\u200bb\\x1b.yaml:3:5"
    for output_format, location in (("concise", f"\n{shown}: NS102"), ("full", f"\n --> {shown}\n")):
        out = runner.invoke(app, ["check", "--output-format", output_format, str(path)]).output
        assert location in "\n" + out, output_format
        assert "\x1b" not in out, output_format


def test_show_table_escapes_what_would_drive_the_terminal(tmp_path: Path) -> None:
    # ESC ] 0 ; … sets a terminal's title, ESC ] 8 makes a link; U+009B is a C1 control (CSI).
    path = tmp_path / "net.yaml"
    path.write_text('name: "t\\e]0;T"\ninput: [3, 8, 8]\nlayers:\n  - {type: relu, name: "a\\e]8;;b\\u009b"}\n')
    result = runner.invoke(app, ["show", str(path)])
    assert result.exit_code == 0
    assert "\x1b" not in result.output and "\x9b" not in result.output
    assert "│ a\\x1b]8;;b\\x9b │ relu │" in result.output
    assert "t\\x1b]0;T  (input 3×8×8)" in result.output


def test_show_table_keeps_its_columns_straight_past_a_tab_in_a_name(tmp_path: Path) -> None:
    # A tab has no width to measure a column by: written as \t, every row is as wide.
    path = tmp_path / "net.yaml"
    path.write_text('name: "n\\tt"\ninput: [3, 8, 8]\nlayers:\n  - {type: relu, name: "a\\tb"}\n  - {type: relu}\n')
    result = runner.invoke(app, ["show", str(path)])
    assert result.exit_code == 0 and "\t" not in result.output
    assert "│ a\\tb  │ relu │" in result.output and "n\\tt  (input 3×8×8)" in result.output
    table = [line for line in result.output.splitlines() if line[:1] in "┏┃┡│├└"]
    assert len({len(line) for line in table}) == 1


def test_line_based_output_escapes_every_control_character(tmp_path: Path) -> None:
    # C0, DEL and C1 (U+0080 to U+009F): none reaches the terminal, and the line stays one.
    # (Tab stays; LF and CR have their own escapes.)
    controls = "".join(map(chr, [*range(1, 9), 11, 12, *range(14, 32), *range(0x7F, 0xA0)]))
    path = tmp_path / "net.yaml"
    name = "".join(f"\\u{ord(c):04x}" for c in controls)
    path.write_text(f'input: [3, 8, 8]\nlayers:\n  - {{type: conv, filters: 2, kernel: 3, name: "{name}"}}\n')
    lines = runner.invoke(app, ["check", "--output-format", "concise", str(path)]).stdout.splitlines()
    assert len(lines) == 3  # the problem, the summary, the fix hint
    line = lines[0]
    assert not any(c in line for c in controls)
    assert "".join(f"\\x{ord(c):02x}" for c in controls) in line


def test_show_markdown_keeps_names_in_their_cells(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text('name: "n|e\\nt"\ninput: [3, 8, 8]\nlayers:\n  - {type: relu, name: "a|b\\nc"}\n')
    markdown = runner.invoke(app, ["show", str(path), "--format", "markdown"]).stdout
    assert markdown.splitlines()[0] == "## n\\|e\\\\nt"
    (row,) = [line for line in markdown.splitlines() if line.startswith("| a")]
    assert row.startswith("| a\\|b\\\\nc | relu |")
    # Seven columns: eight pipes that are not escaped.
    assert len(re.findall(r"(?<!\\)\|", row)) == 8


def test_show_markdown_shows_names_as_written_not_as_markup(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(
        'name: "net #"\ninput: [3, 8, 8]\nlayers:\n  - {type: relu, name: "<b>x</b> *y* `z` [l](u) &amp; _e_ ~~s~~"}\n'
    )
    markdown = runner.invoke(app, ["show", str(path), "--format", "markdown"]).stdout
    # CommonMark takes a backslash before any ASCII punctuation as that character itself.
    assert "| \\<b\\>x\\</b\\> \\*y\\* \\`z\\` \\[l\\](u) \\&amp; \\_e\\_ \\~\\~s\\~\\~ | relu |" in markdown
    # A real renderer (markdown-it, which rich brings with typer) shows the names as text.
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    assert "<td>&lt;b&gt;x&lt;/b&gt; *y* `z` [l](u) &amp;amp; _e_ ~~s~~</td>" in html
    assert "<h2>net #</h2>" in html


#: conv1 keeps 8×8 with padding 1; conv2 has a negative filter count (an error, NS002).
SHOW_BROKEN = (
    "input: [1, 8, 8]\nlayers:\n  - {type: conv, filters: 2, kernel: 3, padding: 1}\n"
    "  - {type: conv, filters: -2, kernel: 3}\n"
)
#: 8 − 3 + 1 = 6: a shrinking conv, a warning (NS102) only.
SHOW_WARNED = "input: [1, 8, 8]\nlayers:\n  - {type: conv, filters: 2, kernel: 3}\n"


def test_show_exits_1_when_the_spec_has_errors(tmp_path: Path) -> None:
    # The summary still prints, with a gap where the shapes stop.
    path = tmp_path / "net.yaml"
    path.write_text(SHOW_BROKEN)
    result = runner.invoke(app, ["show", str(path), "--format", "json"])
    assert result.exit_code == 1
    assert [row["output_shape"] for row in json.loads(result.stdout)["layers"]] == [[2, 8, 8], None]
    assert f"1 problem: run `netspec check {path}` for details" in result.stderr


@pytest.mark.parametrize("output_format", ["table", "json", "markdown"])
def test_show_prints_no_summary_of_a_spec_that_cannot_be_loaded(tmp_path: Path, output_format: str) -> None:
    # A half summary would read as a spec with no layers: the problem goes to stderr alone.
    path = tmp_path / "net.yaml"
    path.write_text("input: [3, 8\n")
    result = runner.invoke(app, ["show", str(path), "--format", output_format])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{path}:2:1: NS001 error:" in result.stderr


def test_show_exits_0_when_the_spec_has_only_warnings(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(SHOW_WARNED)
    result = runner.invoke(app, ["show", str(path), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["layers"][0]["output_shape"] == [2, 6, 6]
    assert "1 problem: run" in result.stderr


def test_show_reads_the_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my net.yaml").write_text(SHOW_WARNED)
    (tmp_path / "netspec.toml").write_text('ignore = ["NS102"]\n')
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["show", "my net.yaml"])
    assert result.exit_code == 0 and result.stderr == ""
    # The hint names the configuration the problems were found with, and quotes the path.
    (tmp_path / "defaults.toml").write_text("")
    result = runner.invoke(app, ["show", "my net.yaml", "--config", "defaults.toml"])
    assert result.exit_code == 0
    assert "1 problem: run `netspec check --config defaults.toml 'my net.yaml'` for details" in result.stderr
    # A name that starts with "-" comes after "--", or check would read it as an option.
    (tmp_path / "-net.yaml").write_text(SHOW_WARNED)
    result = runner.invoke(app, ["show", "--config", "defaults.toml", "--", "-net.yaml"])
    assert "1 problem: run `netspec check --config defaults.toml -- -net.yaml` for details" in result.stderr
    (tmp_path / "broken.toml").write_text("select = [\n")
    result = runner.invoke(app, ["show", "my net.yaml", "--config", "broken.toml"])
    assert result.exit_code == 2
    assert "broken.toml: invalid TOML" in result.stderr


def test_show_refuses_a_directory_and_reports_a_pipe(tmp_path: Path) -> None:
    result = runner.invoke(app, ["show", str(tmp_path)])
    assert result.exit_code == 2
    assert f"netspec: error: {tmp_path} is a directory; show summarises one spec file" in result.stderr
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)  # opening it would block: it is refused unopened
    result = runner.invoke(app, ["show", str(pipe)])
    assert result.exit_code == 1
    assert f"{pipe}:1:1: NS001 error: not a regular file" in result.stderr
    result = runner.invoke(app, ["show", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


@pytest.mark.parametrize("command", ["check", "show", "rule"])
def test_help_in_80_columns_names_every_option_whole(command: str) -> None:
    # As a CI log or a default terminal shows it: no name cut short, no flag made to look as
    # if it took a value.
    click_command = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    options = [param for param in click_command.params if param.param_type_name == "option"]
    names = [name for param in options for name in (*param.opts, *param.secondary_opts)]
    text = runner.invoke(app, [command, "--help"], env={"COLUMNS": "80"}).output
    assert names and all(re.search(rf"(^|[ ,/]){re.escape(name)}\b", text, re.M) for name in names), text
    assert "…" not in text and "<bool>" not in text
    assert all(len(line) <= 80 for line in text.splitlines())


def test_help_lists_each_command_with_its_whole_summary() -> None:
    text = runner.invoke(app, ["--help"], env={"COLUMNS": "80"}).output
    listed = text.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listed] == ["check", "show", "rule", "schema"]
    assert all(line.endswith(".") and not line.endswith("...") for line in listed), listed


def test_show_help_names_every_format_and_refuses_others() -> None:
    from netspec.show import RENDERERS

    # The help text is written out (importing the show machinery would slow every check).
    help_text = " ".join(runner.invoke(app, ["show", "--help"], env={"COLUMNS": "200"}).output.split())
    assert "How to print the summary: table, json or markdown." in help_text
    assert set(RENDERERS) == {"table", "json", "markdown"}
    result = runner.invoke(app, ["show", str(ROOT / "specs" / "lenet5.yaml"), "--format", "html"])
    assert result.exit_code == 2
    assert "invalid value for --format: 'html'" in result.stderr


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"netspec {__version__}"


@pytest.mark.slow
def test_python_dash_m_works_like_the_console_script(files: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "netspec", "check", str(files / "broken.yml")], capture_output=True, text=True
    )
    assert completed.returncode == 1
    assert "NS105" in completed.stdout
    assert "Traceback" not in completed.stderr


def test_a_scan_that_finds_no_spec_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a spec\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 0
    assert f"netspec: warning: no spec files found in {tmp_path}\n" == result.stderr
    # The near miss: one spec found, no warning.
    (tmp_path / "net.yaml").write_text("input: [3, 8, 8]\nlayers:\n  - {type: relu}\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert (result.exit_code, result.stderr) == (0, "")


def test_a_check_whose_named_files_are_all_excluded_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As pre-commit runs the hook: every staged spec named, and the configuration's exclude
    # applied to them. A hook that checks nothing must not pass without a word.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "netspec.toml").write_text("exclude = ['legacy']\n", encoding="utf-8")
    spec = "input: [3, 8, 8]\nlayers:\n  - {type: relu}\n"
    for name in ("legacy/a.yaml", "legacy/b.yaml", "specs/net.yaml"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(spec, encoding="utf-8")
    result = runner.invoke(app, ["check", "--force-exclude", "legacy/a.yaml", "legacy/b.yaml"])
    assert result.exit_code == 0
    assert (
        result.stderr
        == "netspec: warning: no spec files checked: --force-exclude leaves out legacy/a.yaml, legacy/b.yaml\n"
    )
    # Asked to be quiet, it says nothing, as ruff's -q.
    result = runner.invoke(app, ["check", "-q", "--force-exclude", "legacy/a.yaml", "legacy/b.yaml"])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    # The near miss: one of the named files is checked, and nothing is said.
    result = runner.invoke(app, ["check", "--force-exclude", "legacy/a.yaml", "specs/net.yaml"])
    assert (result.exit_code, result.stderr) == (0, "")


@pytest.mark.parametrize("args", [["-h"], ["check", "-h"], ["show", "-h"]])
def test_h_is_short_for_help(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "Usage: netspec" in result.stdout


def test_the_summary_says_how_many_layers_an_error_left_unchecked(tmp_path: Path) -> None:
    # A 9×9 kernel on 8×8: 8 − 9 + 1 = 0 rows (NS103), so the two layers after it have no input.
    collapsing = "{type: conv, filters: 4, kernel: 9}"
    one = tmp_path / "one.yaml"
    one.write_text(spec("[3, 8, 8]", collapsing, "{type: relu}", "{type: relu}"))
    result = runner.invoke(app, ["check", "--output-format", "concise", str(one)])
    assert result.exit_code == 1
    assert result.stdout.endswith("\n2 layers after the error could not be checked: fix it and run again.\n")
    # With an error in another file too, the count is over both, and the errors are plural.
    other = tmp_path / "other.yaml"
    other.write_text(spec("[3, 8, 8]", "{type: dense, units: 4}", "{type: relu}"))
    result = runner.invoke(app, ["check", "--output-format", "concise", str(one), str(other)])
    assert result.stdout.endswith("\n3 layers after the errors could not be checked: fix them and run again.\n")
    # The near misses: an error on the last layer leaves nothing unchecked, nor does a warning.
    one.write_text(spec("[3, 8, 8]", "{type: relu}", collapsing))
    other.write_text(SHRINKING)
    result = runner.invoke(app, ["check", "--output-format", "concise", str(one), str(other)])
    assert result.exit_code == 1 and "could not be checked" not in result.stdout


@pytest.mark.parametrize(
    "output", [["--output-format", "sarif"], ["--output-format", "github"], ["--output-format", "junit"], ["--diff"]]
)
def test_a_removed_working_directory_keeps_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: list[str]
) -> None:
    # The shell's directory removed under it: names stay absolute, as given, and nothing is lost.
    target = write_spec(tmp_path, SHRINKING)
    config = tmp_path / "netspec.toml"
    config.write_text('select = ["NS"]\n')
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    result = CliRunner().invoke(app, ["check", "--config", str(config), *output, str(target)])
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
    if output == ["--output-format", "sarif"]:
        run = json.loads(result.stdout)["runs"][0]
        assert "originalUriBaseIds" not in run
        assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": target.as_uri()}
    else:
        assert str(target) in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", ""], "an empty path was given"),
        (["check", "specs", ""], "an empty path was given"),
        (["check", "--output-format", "", "specs"], "invalid value for --output-format: ''"),
        (["check", "--output-file", "", "specs"], "an empty path was given"),
        (["check", "--config", "", "specs"], "an empty path was given"),
        (["show", ""], "an empty path was given"),
        (["show", "--config", "", "specs/lenet5.yaml"], "an empty path was given"),
    ],
)
def test_empty_strings_are_usage_errors(args: list[str], message: str) -> None:
    # An unset $SPEC_DIR in CI must not check the whole checkout, as "" for "." would.
    result = CliRunner().invoke(app, args)
    # click draws its errors in a box, wrapped: read the words.
    assert result.exit_code == 2 and message in " ".join(result.stderr.replace("│", " ").split())
    # The near miss: a directory named on purpose is checked.
    assert CliRunner().invoke(app, ["check", str(ROOT / "specs")]).exit_code == 0


@pytest.mark.parametrize("name", ["lenet5", "googlenet", "cjk"])
def test_the_show_table_is_the_one_rich_would_draw(name: str) -> None:
    # netspec draws the table itself, for speed; rich's own Table, given the same cells, widths
    # and caption, is the reference (trailing spaces aside).
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from netspec.analysis import analyse
    from netspec.report.base import one_line
    from netspec.show import HEADERS, _columns, _total_columns, render_table, summarize

    if name == "cjk":
        layers = ["{type: conv, name: 畳み込み層, filters: 4, kernel: 3, padding: 1}", "{type: dense, units: 3}"]
        text = spec("[3, 8, 8]", *layers)
    else:
        text = (ROOT / "specs" / f"{name}.yaml").read_text(encoding="utf-8")
    summary = summarize(analyse(text, f"{name}.yaml", name))
    table = Table(title=Text(f"{summary.name}  (input {'×'.join(map(str, summary.input))})"))
    footer = summary.footer()
    table.caption = Text("\n".join(footer)) if footer else None
    for header in HEADERS:
        table.add_column(header, justify="right" if header in ("neurons", "params", "MACs") else "left", no_wrap=True)
    for row in summary.layers:
        table.add_row(*(Text(one_line(cell)) for cell in _columns(row)))
    table.add_section()
    table.add_row(*map(Text, _total_columns(summary)))
    console = Console(width=10_000)
    width = console.measure(table).maximum
    console = Console(width=width, color_system=None)
    with console.capture() as captured:
        console.print(table)
    expected = [line.rstrip() for line in captured.get().rstrip("\n").split("\n")]
    assert render_table(summary).split("\n") == expected


def test_statistics_count_each_rules_problems_the_most_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Three unpadded 3×3 convs shrink 32 → 30 → 28 → 26 (NS102 each); a stride-2 3×3 on 26
    # gives (26 − 3)/2 + 1 = 12.5 (NS101); a dense layer on the 4×12×12 map (NS105, no fix).
    conv = "{type: conv, filters: 4, kernel: 3}"
    text = spec("[3, 32, 32]", conv, conv, conv, conv.replace("3}", "3, stride: 2}"), "{type: dense, units: 2}")
    path = write_spec(tmp_path, text)
    expected = "3\tNS102\t[*] shrinking-layer\n1\tNS101\t[*] non-integer-output\n1\tNS105\t[ ] dense-input\n"
    # In GitHub Actions too, whose default format is github: the flag chooses, as ruff's does.
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    for flags in (["--statistics"], ["--output-format", "statistics"]):
        result = runner.invoke(app, ["check", *flags, str(path)])
        assert result.exit_code == 1 and result.stdout.startswith(expected + "Found 5 problems (1 error, 4 warnings)")
    # Ten of one rule: the counts are right-aligned to the widest.
    ten = write_spec(tmp_path, spec("[3, 32, 32]", *[conv] * 10), "ten.yaml")
    assert runner.invoke(app, ["check", "--statistics", str(ten), str(path)]).stdout.startswith(
        "13\tNS102\t[*] shrinking-layer\n 1\tNS101\t"
    )
    # The near miss: a clean file lists no rule.
    clean = write_spec(tmp_path, CLEAN, "clean.yaml")
    assert runner.invoke(app, ["check", "--statistics", str(clean)]).stdout == "All checks passed! (1 file checked)\n"


def test_statistics_in_json_are_ruffs_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The spec of the test above: three NS102 (each fixable), one NS101 (fixable), one NS105.
    conv = "{type: conv, filters: 4, kernel: 3}"
    text = spec("[3, 32, 32]", conv, conv, conv, conv.replace("3}", "3, stride: 2}"), "{type: dense, units: 2}")
    path = write_spec(tmp_path, text)
    result = runner.invoke(app, ["check", "--statistics", "--output-format", "json", str(path)])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {"code": "NS102", "name": "shrinking-layer", "count": 3, "fixable": True, "fixable_count": 3},
        {"code": "NS101", "name": "non-integer-output", "count": 1, "fixable": True, "fixable_count": 1},
        {"code": "NS105", "name": "dense-input", "count": 1, "fixable": False, "fixable_count": 0},
    ]

    # Into a file too, the summary alone on stdout; and a file netspec failed on is counted
    # under no rule's code, as the json format lists it.
    def broken(analysis: Any) -> Any:
        raise RuntimeError("simulated")

    monkeypatch.setitem(RULES, "NS105", dataclasses.replace(RULES["NS105"], check=broken))
    report = tmp_path / "counts.json"
    result = runner.invoke(app, ["check", "--statistics", "--output-format", "json", "-o", str(report), str(path)])
    assert result.exit_code == 2 and result.stdout == "1 file could not be checked (internal error, see above).\n"
    assert json.loads(report.read_text()) == [
        {"code": None, "name": "internal-error", "count": 1, "fixable": False, "fixable_count": 0}
    ]
    # The near miss: a format for people gives the table, as the statistics format does; one
    # for programs is refused, as ruff refuses it, rather than answered with a table.
    monkeypatch.undo()
    result = runner.invoke(app, ["check", "--statistics", "--output-format", "concise", str(path)])
    assert result.stdout.startswith("3\tNS102\t[*] shrinking-layer\n")
    for name in ("sarif", "junit", "json-lines", "github"):
        result = runner.invoke(app, ["check", "--statistics", "--output-format", name, str(path)])
        assert result.exit_code == 2
        assert f"--statistics prints a table, or JSON with --output-format json; not --output-format {name}" in (
            result.stderr
        )
    result = runner.invoke(app, ["check", "--statistics", str(path)], env={"NETSPEC_OUTPUT_FORMAT": "sarif"})
    assert result.exit_code == 2 and "not NETSPEC_OUTPUT_FORMAT sarif" in result.stderr


def test_statistics_mark_a_rule_some_of_whose_problems_fix_fixes(tmp_path: Path) -> None:
    # a: kernel 2 on 3 gives 2 (NS102), and padding after it by 1 keeps 3: safe. b: kernel 2
    # with dilation 4 reads positions s and s + 4; padded 3, its 5 windows read every position
    # (one only padding), and NS102's padding 2 would leave position 1 unread: unsafe.
    path = write_spec(
        tmp_path,
        spec(
            "[3, 3]",
            "{type: conv, name: a, filters: 2, kernel: 2}",
            "{type: conv, name: b, filters: 2, kernel: 2, dilation: 4, padding: 3, from: input}",
            "{type: concat, from: [a, b]}",
        ),
    )
    # As ruff's: [-] where --fix fixes some, and "fixable" only where it fixes all.
    assert "2\tNS102\t[-] shrinking-layer\n" in runner.invoke(app, ["check", "--statistics", str(path)]).stdout
    counts = json.loads(runner.invoke(app, ["check", "--statistics", "--output-format", "json", str(path)]).stdout)
    assert counts[0] == {"code": "NS102", "name": "shrinking-layer", "count": 2, "fixable": False, "fixable_count": 1}
    # The near miss: with the unsafe fixes, --fix would fix both.
    flags = ["check", "--statistics", "--unsafe-fixes"]
    assert "2\tNS102\t[*] shrinking-layer\n" in runner.invoke(app, [*flags, str(path)]).stdout
    counts = json.loads(runner.invoke(app, [*flags, "--output-format", "json", str(path)]).stdout)
    assert counts[0] == {"code": "NS102", "name": "shrinking-layer", "count": 2, "fixable": True, "fixable_count": 2}


# --- how much a run prints ----------------------------------------------------------------

#: What a check of SHRINKING ends with, as netspec's summary words it: one problem, fixable.
SHRINKING_SUMMARY = "Found 1 problem (0 errors, 1 warning) in 1 file.\n[*] 1 fixable with the `--fix` option.\n"


@pytest.mark.parametrize("output_format", REPORTERS)
def test_quiet_prints_the_problems_without_the_summary(tmp_path: Path, output_format: str) -> None:
    path = write_spec(tmp_path, SHRINKING)
    loud, quiet = (
        runner.invoke(app, ["check", *flags, "--output-format", output_format, str(path)]) for flags in ([], ["-q"])
    )
    assert loud.exit_code == quiet.exit_code == 1
    assert "NS102" in quiet.stdout and quiet.stderr == ""
    # GitHub's log lines end with the token that turns workflow commands back on, a new one
    # each run; before it, the concise listing with its summary.
    token = re.compile(r"::(?:stop-commands::)?[0-9a-f]{32}(?:::)?\n")
    loud_out, quiet_out = (token.sub("", result.stdout) for result in (loud, quiet))
    # Formats for people end with the summary; those for programs have none to leave out.
    assert loud_out.endswith(SHRINKING_SUMMARY) == (output_format in {"full", "concise", "statistics", "github"})
    assert quiet_out == loud_out.removesuffix(SHRINKING_SUMMARY)


def test_quiet_says_nothing_of_a_clean_run_nor_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_spec(tmp_path, CLEAN)
    empty = tmp_path / "empty"
    empty.mkdir()
    for flag in ("-q", "--quiet", "-s", "--silent"):
        result = runner.invoke(app, ["check", flag, "spec.yaml"])
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
        result = runner.invoke(app, ["check", flag, str(empty)])
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    # The near miss: without the flag, the run says it passed, and warns of the empty scan.
    assert runner.invoke(app, ["check", "spec.yaml"]).stdout == "All checks passed! (1 file checked)\n"
    assert runner.invoke(app, ["check", str(empty)]).stderr == f"netspec: warning: no spec files found in {empty}\n"


def test_silent_prints_nothing_and_exits_as_a_check_does(tmp_path: Path) -> None:
    path = write_spec(tmp_path, SHRINKING)
    result = runner.invoke(app, ["check", "-s", str(path)])
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "")


@pytest.mark.parametrize("output_format", ["concise", "json"])
@pytest.mark.parametrize("flag", ["-q", "-s"])
def test_a_report_file_is_the_same_at_every_verbosity(tmp_path: Path, flag: str, output_format: str) -> None:
    path = write_spec(tmp_path, SHRINKING)
    loud, hushed = tmp_path / "loud.txt", tmp_path / "hushed.txt"
    result = runner.invoke(app, ["check", "--output-format", output_format, "-o", str(loud), str(path)])
    assert (result.exit_code, result.stdout) == (1, SHRINKING_SUMMARY)
    result = runner.invoke(app, ["check", flag, "--output-format", output_format, "-o", str(hushed), str(path)])
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "")
    assert hushed.read_text() == loud.read_text()
    assert loud.read_text().endswith(SHRINKING_SUMMARY) == (output_format == "concise")


@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="no /dev/stdout here")
def test_a_report_file_that_is_stdout_gets_no_summary_after_it(tmp_path: Path) -> None:
    # A handle of the report's own started the file again: the summary on stdout overwrote
    # the JSON's start in a file, and followed it down a pipe. The report goes through
    # stdout, and the summary to stderr.
    path = write_spec(tmp_path, SHRINKING)
    command = [sys.executable, "-m", "netspec", "check", "-o", "/dev/stdout", "--output-format", "json", str(path)]
    into_file = tmp_path / "report.json"
    with into_file.open("wb") as stdout:
        result = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, text=True, check=False)
    assert (result.returncode, result.stderr) == (1, SHRINKING_SUMMARY)
    assert [item["code"] for item in json.loads(into_file.read_text())] == ["NS102"]
    # Nor over what the file held before, nor under what comes after it.
    with into_file.open("w") as stdout:
        stdout.write("before\n")
        stdout.flush()
        subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, check=False)
        stdout.write("after\n")
    text = into_file.read_text()
    assert text.startswith("before\n") and text.endswith("]\nafter\n")
    report = text.removeprefix("before\n").removesuffix("after\n")
    assert [item["code"] for item in json.loads(report)] == ["NS102"]
    piped = subprocess.run(command, capture_output=True, text=True, check=False)
    assert [item["code"] for item in json.loads(piped.stdout)] == ["NS102"] and piped.stderr == SHRINKING_SUMMARY
    # The near miss: another file, and the summary is on stdout.
    other = subprocess.run([*command[:5], str(tmp_path / "other.json"), *command[6:]], capture_output=True, text=True)
    assert (other.stdout, other.stderr) == (SHRINKING_SUMMARY, "")
    # A format for people ends with its summary: stderr gets no second one.
    concise = subprocess.run([*command[:7], "concise", str(path)], capture_output=True, text=True, check=False)
    assert concise.stdout.endswith(SHRINKING_SUMMARY) and concise.stderr == ""
    # Under --fix with the spec on stdin, stdout holds the fixed spec: a report there is refused.
    fixing = [*command[:4], "--fix", "--stdin-filename", "a.yaml", "-o", "/dev/stdout"]
    refused = subprocess.run(fixing, input=SHRINKING, capture_output=True, text=True, check=False)
    assert refused.returncode == 2 and refused.stdout == ""
    assert "--output-file is standard output, which holds the fixed spec under --fix" in refused.stderr


@pytest.mark.parametrize("flag", ["-q", "-s"])
def test_errors_are_printed_whatever_the_verbosity(tmp_path: Path, flag: str) -> None:
    result = runner.invoke(app, ["check", flag, str(tmp_path / "absent.yaml")])
    assert result.exit_code == 2
    assert result.stderr == f"netspec: error: no such file or directory: {tmp_path / 'absent.yaml'}\n"


def test_quiet_diff_prints_the_diff_alone_and_silent_diff_only_exits_1(tmp_path: Path) -> None:
    path = write_spec(tmp_path, SHRINKING)
    loud = runner.invoke(app, ["check", "--diff", str(path)])
    assert loud.exit_code == 1 and loud.stderr == "\nWould fix 1 problem.\n"
    assert "+  - {type: conv, filters: 8, kernel: 3, padding: 1}\n" in loud.stdout
    quiet = runner.invoke(app, ["check", "--diff", "-q", str(path)])
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (1, loud.stdout, "")
    silent = runner.invoke(app, ["check", "--diff", "-s", str(path)])
    assert (silent.exit_code, silent.stdout, silent.stderr) == (1, "", "")
    assert path.read_text() == SHRINKING


@pytest.mark.parametrize("flag", ["-q", "-s"])
def test_fix_only_fixes_without_a_word(tmp_path: Path, flag: str) -> None:
    path = write_spec(tmp_path, SHRINKING)
    result = runner.invoke(app, ["check", "--fix-only", flag, str(path)])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert path.read_text() == CLEAN


def test_quiet_fix_only_still_names_what_it_cannot_check_past(tmp_path: Path) -> None:
    # No report follows --fix-only: the dense layer on an unflattened map (NS105), which
    # stops the check, is the one word about what stays, and a quiet run says it; a silent
    # one does not.
    path = write_spec(tmp_path, BROKEN)
    quiet = runner.invoke(app, ["check", "--fix-only", "-q", str(path)])
    assert quiet.exit_code == 0 and quiet.stderr.startswith(f"netspec: warning: {path}:3:5: NS105 ")
    silent = runner.invoke(app, ["check", "--fix-only", "-s", str(path)])
    assert (silent.exit_code, silent.stdout, silent.stderr) == (0, "", "")


def test_silent_fix_of_standard_input_still_prints_the_fixed_spec() -> None:
    # The fixed text is what an editor reads back, not something said about the run.
    result = runner.invoke(app, ["check", "--fix", "-s", "-"], input=SHRINKING)
    assert (result.exit_code, result.stdout, result.stderr) == (0, CLEAN, "")


@pytest.mark.parametrize("flags", [["-v", "-q"], ["-q", "-s"], ["--verbose", "--silent"]])
def test_verbose_quiet_and_silent_exclude_one_another(flags: list[str]) -> None:
    result = runner.invoke(app, ["check", *flags, "-"], input=CLEAN)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "netspec: error: --verbose, --quiet and --silent cannot be used together\n"
