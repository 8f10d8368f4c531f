"""A spec read from standard input (`-`, `--stdin-filename`): checked as a file is, and with
`--fix`, printed back whole on stdout, fixed or as it came."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import netspec.fix
from netspec.cli import app
from netspec.linter import ISSUES_URL
from netspec.source import READ_CHUNK
from tests.helpers import CLEAN, SHRINKING, netspec_process, write_spec

#: SHRINKING with NS102's fix: padding (3 − 1)/2 = 1 keeps 32×32.
SHRINKING_FIXED = "input: [3, 32, 32]\nlayers:\n  - {type: conv, filters: 8, kernel: 3, padding: 1}\n"
#: A dense layer on the unflattened 8×32×32 map that follows: NS105, which no fix mends.
UNFIXABLE = "  - {type: dense, units: 10}\n"


def from_stdin(stdin: bytes | str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return netspec_process("check", *args, input=data, text=False, cwd=cwd)


def test_a_spec_on_stdin_is_checked_under_the_name_dash() -> None:
    found = from_stdin(SHRINKING, "--output-format", "concise", "-")
    assert found.returncode == 1
    assert found.stdout.decode().startswith("-:3:5: NS102 ")
    clean = from_stdin(CLEAN, "-")
    assert (clean.returncode, clean.stdout.decode()) == (0, "All checks passed! (1 file checked)\n")


def test_stdin_filename_names_the_spec_and_per_file_ignores_match_it(tmp_path: Path) -> None:
    (tmp_path / "netspec.toml").write_text('[per-file-ignores]\n"generated/*.yaml" = ["NS102"]\n')
    named = from_stdin(SHRINKING, "--output-format", "concise", "--stdin-filename", "models/net.yaml", cwd=tmp_path)
    assert named.returncode == 1 and named.stdout.decode().startswith("models/net.yaml:3:5: NS102 ")
    ignored = from_stdin(SHRINKING, "--stdin-filename", "generated/net.yaml", "-", cwd=tmp_path)
    assert (ignored.returncode, ignored.stdout.decode()) == (0, "All checks passed! (1 file checked)\n")


def test_force_exclude_leaves_out_an_excluded_stdin_filename(tmp_path: Path) -> None:
    (tmp_path / "netspec.toml").write_text('exclude = ["legacy"]\n')
    args = ("--force-exclude", "--stdin-filename", "legacy/net.yaml")
    checked = from_stdin(SHRINKING, *args, cwd=tmp_path)
    assert checked.returncode == 0 and b"NS102" not in checked.stdout
    assert b"--force-exclude leaves out legacy/net.yaml" in checked.stderr
    fixed = from_stdin(SHRINKING, "--fix", *args, cwd=tmp_path)
    assert (fixed.returncode, fixed.stdout) == (0, SHRINKING.encode())
    # A near miss: the same name without --force-exclude is checked.
    assert from_stdin(SHRINKING, *args[1:], cwd=tmp_path).returncode == 1


def test_fix_prints_the_fixed_spec_alone_on_stdout_and_the_report_on_stderr() -> None:
    fixed = from_stdin(SHRINKING, "--fix", "-")
    assert (fixed.returncode, fixed.stdout.decode()) == (0, SHRINKING_FIXED)
    assert fixed.stderr.decode() == "Found 1 problem (1 fixed, 0 remaining).\n"


def test_fix_prints_the_fixed_spec_and_reports_what_remains() -> None:
    fixed = from_stdin(SHRINKING + UNFIXABLE, "--fix", "--output-format", "concise", "-")
    assert fixed.returncode == 1
    assert fixed.stdout.decode() == SHRINKING_FIXED + UNFIXABLE
    assert "-:4:5: NS105 " in fixed.stderr.decode()


def test_fix_only_prints_the_fixed_spec_alone() -> None:
    fixed = from_stdin(SHRINKING, "--fix-only", "-")
    assert (fixed.returncode, fixed.stdout.decode(), fixed.stderr.decode()) == (
        0,
        SHRINKING_FIXED,
        "Fixed 1 problem.\n",
    )


def test_fix_writes_the_output_file_and_keeps_stdout_for_the_spec(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    fixed = from_stdin(SHRINKING + UNFIXABLE, "--fix", "--output-format", "json", "-o", str(report), "-")
    assert fixed.stdout.decode() == SHRINKING_FIXED + UNFIXABLE
    assert '"code": "NS105"' in report.read_text()
    assert "1 remaining" in fixed.stderr.decode()


def test_diff_shows_the_change_under_the_given_name() -> None:
    shown = from_stdin(SHRINKING, "--diff", "--stdin-filename", "net.yaml")
    assert shown.returncode == 1
    assert shown.stdout.decode().splitlines()[:2] == ["--- net.yaml", "+++ net.yaml"]
    assert "+  - {type: conv, filters: 8, kernel: 3, padding: 1}" in shown.stdout.decode().splitlines()


@pytest.mark.parametrize(
    ("stdin", "code"),
    [
        pytest.param(b"input: [3, 32, 32\nlayers: []\n", "NS001", id="syntax-error"),
        pytest.param(b"input: [3, 32, 32]\nname: caf\xe9\nlayers: []\n", "NS001", id="not-utf8"),
    ],
)
def test_fix_prints_a_spec_it_cannot_load_as_it_came(stdin: bytes, code: str) -> None:
    fixed = from_stdin(stdin, "--fix", "-")
    assert (fixed.returncode, fixed.stdout) == (1, stdin)
    assert fixed.stderr.decode().startswith(f"{code} error: ")


def test_fix_keeps_the_encoding_the_spec_came_in() -> None:
    fixed = from_stdin(SHRINKING.encode("utf-16"), "--fix", "-")
    assert fixed.returncode == 0 and fixed.stdout == SHRINKING_FIXED.encode("utf-16")
    assert fixed.stdout.startswith(b"\xff\xfe")  # the byte-order mark, kept


def test_a_spec_over_the_size_limit_is_refused_and_passed_through_whole() -> None:
    limit = 1000
    # Past the first read (of a MiB), so that the rest is passed through unread.
    stdin = SHRINKING + "".join(f"# padding the spec past the limit, line {n}\n" for n in range(40_000))
    assert len(stdin) > READ_CHUNK + limit
    checked = from_stdin(stdin, "--max-file-size", str(limit), "-")
    assert checked.returncode == 1 and b"NS001 error: the spec is over the 1,000-byte limit" in checked.stdout
    fixed = from_stdin(stdin, "--fix", "--max-file-size", str(limit), "-")
    assert (fixed.returncode, fixed.stdout) == (1, stdin.encode())


def test_fix_passes_through_a_spec_its_fixes_would_take_over_the_size_limit() -> None:
    limit = len(SHRINKING_FIXED.encode())
    fixed = from_stdin(SHRINKING, "--fix", "--max-file-size", str(limit - 1), "-")
    assert (fixed.returncode, fixed.stdout) == (1, SHRINKING.encode())
    assert f"the fixed text is {limit:,} bytes, over the {limit - 1:,}-byte limit" in fixed.stderr.decode()
    fixed = from_stdin(SHRINKING, "--fix", "--max-file-size", str(limit), "-")  # at the limit
    assert (fixed.returncode, fixed.stdout) == (0, SHRINKING_FIXED.encode())


def test_an_excluded_stdin_filename_is_left_out_before_it_is_read(tmp_path: Path) -> None:
    # As a file left out is never read: the size limit does not apply to it.
    (tmp_path / "netspec.toml").write_text('exclude = ["legacy"]\n')
    args = ("--force-exclude", "--max-file-size", "10", "--stdin-filename", "legacy/net.yaml")
    checked = from_stdin(SHRINKING, *args, cwd=tmp_path)
    assert checked.returncode == 0 and b"NS001" not in checked.stdout
    fixed = from_stdin(SHRINKING, "--fix", *args, cwd=tmp_path)
    assert (fixed.returncode, fixed.stdout) == (0, SHRINKING.encode())


@pytest.mark.parametrize("fixing", [[], ["--fix"], ["--fix-only"]])
def test_standard_input_that_cannot_be_read_exits_2_with_nothing_on_stdout(tmp_path: Path, fixing: list[str]) -> None:
    # Open for writing only, reading it fails (EBADF). An editor must not take the empty
    # stdout of --fix for the spec: exit 2, as for a usage error.
    with open(tmp_path / "write-only", "wb") as write_only:
        done = netspec_process("check", *fixing, "-", stdin=write_only, text=False)
    assert (done.returncode, done.stdout) == (2, b"")
    assert b"netspec: error: cannot read the spec from standard input: Bad file descriptor" in done.stderr


def test_an_internal_error_leaves_the_spec_as_it_came(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*args: object, **kwargs: object) -> None:
        raise RuntimeError("injected")

    monkeypatch.setattr(netspec.fix, "fix_source", failing)
    args = ["check", "--fix", "--stdin-filename", "./nets//a.yaml"]
    result = CliRunner().invoke(app, args, input=SHRINKING.encode())
    assert (result.exit_code, result.stdout_bytes) == (2, SHRINKING.encode())
    # The name as given, as every diagnostic has it; no file to attach to the report.
    assert "internal error while checking ./nets//a.yaml: RuntimeError: injected" in result.stderr
    assert f"please report it at {ISSUES_URL} with the spec.\n" in result.stderr


def test_an_internal_error_is_said_before_the_spec_is_printed() -> None:
    # Were the spec first, a stdout that cannot take it (a full disk) would end the run there.
    failing = "import netspec.fix, netspec.cli; netspec.fix.fix_source = None; netspec.cli.run()"
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-c", failing, "check", "--fix", "-"],
            input=SHRINKING.encode(),
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2
    lines = done.stderr.decode().splitlines()
    assert lines[0].startswith("netspec: internal error while checking -: TypeError: ")
    assert lines[-1] == "netspec: error: cannot write the output: No space left on device"


@pytest.mark.parametrize("args", [["-", "specs"], ["specs", "-"], ["--stdin-filename", "a.yaml", "specs"]])
def test_stdin_takes_no_other_path(args: list[str]) -> None:
    refused = from_stdin(CLEAN, *args)
    assert refused.returncode == 2
    assert b"read one spec from standard input, and take no other path" in refused.stderr


def test_dot_slash_dash_is_a_file_named_dash(tmp_path: Path) -> None:
    write_spec(tmp_path, SHRINKING, name="-")
    # Reported as ./-, since - alone would read as standard input. Not in a diff, whose names
    # are no command line: git apply refuses ./- there, and both it and patch -p0 take -.
    checked = from_stdin(CLEAN, "--output-format", "concise", "./-", cwd=tmp_path)
    assert checked.returncode == 1 and checked.stdout.decode().startswith("./-:3:5: NS102 ")
    diff = from_stdin(CLEAN, "--diff", "./-", cwd=tmp_path)
    assert diff.stdout.decode().splitlines()[:2] == ["--- -", "+++ -"]
    # The near miss: standard input is reported as -.
    assert from_stdin(SHRINKING, "--output-format", "concise", "-").stdout.decode().startswith("-:3:5: NS102 ")


def test_a_closed_stdin_is_a_usage_error() -> None:
    # As `netspec check - <&-` starts it: Python then sets sys.stdin to None.
    closed = netspec_process("check", "-", stdin=subprocess.DEVNULL, text=False, preexec_fn=lambda: os.close(0))
    assert closed.returncode == 2 and b"standard input is closed" in closed.stderr


def test_show_summarises_a_spec_from_stdin() -> None:
    spec = "input: [3, 8, 8]\nlayers:\n  - {type: conv, filters: 4, kernel: 3, stride: 2}\n"
    shown = netspec_process("show", "--format", "json", "-", input=spec)
    assert shown.returncode == 0
    (row,) = json.loads(shown.stdout)["layers"]
    # (8 − 3)/2 + 1 = 3 (floored); 4 filters of 3·3·3 weights and a bias: 4·28 = 112.
    assert (row["output_shape"], row["params"]) == ([4, 3, 3], 112)
    # NS101 (the floored 3.5) is counted, and the command that lists it reads stdin too: run
    # as it is, it would wait for a spec that was read already, so the spec goes to it again.
    assert shown.stderr == "1 problem: pipe the spec to `netspec check -` for details\n"
    # The same spec from a file is summarised the same way.
    bundled = Path(__file__).parents[1] / "specs" / "lenet5.yaml"
    piped = netspec_process("show", "--format", "json", "-", input=bundled.read_text())
    assert (piped.returncode, piped.stdout) == (0, netspec_process("show", "--format", "json", str(bundled)).stdout)


def test_show_reports_why_a_spec_from_stdin_has_no_summary() -> None:
    shown = netspec_process("show", "-", input="input: [3, 8, 8\n")
    assert (shown.returncode, shown.stdout) == (1, "")
    assert shown.stderr.startswith("-:2:1: NS001 error: ")
    closed = netspec_process("show", "-", stdin=subprocess.DEVNULL, preexec_fn=lambda: os.close(0))
    assert closed.returncode == 2 and "standard input is closed" in closed.stderr
    # The near miss: ./- is a file named -.
    with_dash = netspec_process("show", "./-", input=CLEAN)
    assert with_dash.returncode == 2 and with_dash.stderr.endswith("no such file or directory: ./-\n")
