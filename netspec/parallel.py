"""Linting many files over a pool of processes, for :func:`netspec.linter.lint_paths`.

Kept apart so that a plain check never imports multiprocessing: start-up dominates the
pre-commit case, where only a few files change.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path

from netspec.linter import FileResult, lint_guarded
from netspec.settings import Settings


def lint_in_processes(paths: Sequence[Path], settings: Settings, jobs: int) -> list[FileResult]:
    """Lint ``paths`` over ``jobs`` processes; the results come back in order, without analyses."""
    work = partial(lint_guarded, settings=settings, keep_analysis=False)
    # The first file is checked here, before forking: that builds the pydantic validators
    # once, and every worker inherits them.
    first, rest = work(paths[0]), paths[1:]
    workers = min(jobs, len(rest))
    # A few chunks per worker: big enough to amortise the transfers, small enough to balance.
    chunksize = max(1, len(rest) // (workers * 4))
    try:
        with ProcessPoolExecutor(workers, mp_context=_context()) as pool:
            return [first, *pool.map(work, rest, chunksize=chunksize)]
    except BrokenProcessPool:
        # A worker died (killed for memory, say): check the rest here instead, where a
        # failure is at least reported against its file.
        return [first, *map(work, rest)]


def _context() -> multiprocessing.context.BaseContext:
    """Fork where the platform has it: the workers then start with netspec already imported
    and its validators built, instead of importing it all again."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    return multiprocessing.get_context(method)
