"""The import budget of ``netspec check``, guarded by module name (never by timing): start-up
dominates a pre-commit run, so the check path must not pull in what only other commands use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

#: Modules that ``netspec check`` never needs: terminal rendering, PyTorch, JSON Schema
#: validation and generation, the `show` summary and receptive fields (NS114 is opt-in),
#: numeric and highlighting stacks, and the Unicode database (only a snippet of non-ASCII
#: text needs its widths).
FORBIDDEN = (
    "rich",
    "torch",
    "jsonschema",
    "numpy",
    "pygments",
    "markdown_it",
    "netspec.schema",
    "netspec.show",
    "netspec.receptive",
    "concurrent.futures.process",
    "multiprocessing",
    "unicodedata",
)

SPEC = "input: [3, 32, 32]\nlayers:\n  - {type: conv, filters: 8, kernel: 3}\n  - {type: flatten}\n"


def imported_modules(*args: str, cwd: Path) -> set[str]:
    """The modules a fresh interpreter imports, from ``-X importtime``'s report on stderr."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args], capture_output=True, text=True, cwd=cwd, timeout=120, check=False
    )
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert len(lines) > 50, done.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}


def offending(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN))


def test_importing_the_cli_stays_light(tmp_path: Path) -> None:
    modules = imported_modules("-c", "import netspec.cli", cwd=tmp_path)
    assert "netspec.cli" in modules
    assert offending(modules) == []


@pytest.mark.parametrize("output_format", ["full", "concise", "json"])
def test_a_check_run_stays_light(tmp_path: Path, output_format: str) -> None:
    """The whole run, lazy imports included: a spec with problems, so reporters do their work."""
    (tmp_path / "spec.yaml").write_text(SPEC)
    modules = imported_modules("-m", "netspec", "check", "--output-format", output_format, "spec.yaml", cwd=tmp_path)
    assert "netspec.linter" in modules
    assert "netspec.source" in modules
    assert offending(modules) == []


@pytest.mark.parametrize(
    ("spec", "fixer_needed"),
    [
        pytest.param(SPEC.replace("kernel: 3}", "kernel: 3, padding: 1}"), False, id="clean"),
        pytest.param(SPEC.replace("kernel: 3}", "kernel: 3}  # noqa: NS102"), False, id="fix-suppressed"),
        pytest.param(SPEC, True, id="fix-reported"),
    ],
)
def test_the_fixer_loads_only_for_a_reported_fix(tmp_path: Path, spec: str, fixer_needed: bool) -> None:
    """Judging a fix re-analyses the spec; a suppressed finding's fix is never shown, so it is
    never judged."""
    (tmp_path / "spec.yaml").write_text(spec)
    modules = imported_modules("-m", "netspec", "check", "spec.yaml", cwd=tmp_path)
    assert ("netspec.fix" in modules) is fixer_needed


def test_the_guard_sees_lazy_imports(tmp_path: Path) -> None:
    """The guard works: a module imported inside a function is reported."""
    modules = imported_modules("-c", "def later():\n import json\nlater()", cwd=tmp_path)
    assert "json" in modules
    assert offending(modules | {"rich.console"}) == ["rich.console"]
