"""The benchmark script runs end to end at its quick size. Times are not asserted: it is a
benchmark, not a timed test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT


@pytest.mark.slow
def test_bench_quick_mode_runs(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--corpus", str(tmp_path / "corpus")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for row in (
        "check / bare parse",
        "check / yamllint",
        "stack's floor",
        "µs/layer",
        "ms/file",
        "over 2 worker processes",
        "check --fix",
    ):
        assert row in done.stdout
