"""Linting many files over a pool of processes, for :func:`netspec.linter.lint_paths`.

Kept apart so that a plain check never imports multiprocessing: start-up dominates the
pre-commit case, where only a few files change.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path

from netspec.linter import FileResult, internal_error, lint_guarded, lint_text
from netspec.settings import Settings


def lint_in_processes(paths: Sequence[Path], settings: Settings, jobs: int) -> list[FileResult]:
    """Lint ``paths`` over up to ``jobs`` processes; the results come back in order, without analyses.

    Where processes cannot be started (no POSIX semaphores, as on AWS Lambda), the files are checked
    here instead. A file whose worker dies (killed for memory, say) is checked again alone, in
    a process of its own, and reported as an internal error if that one dies too: the run goes
    on, and the file at fault is named.
    """
    work = partial(lint_guarded, settings=settings, keep_analysis=False)
    # A small spec is checked here before forking, so that every worker inherits what a
    # first check builds (the common layers' pydantic validators, lazy imports). Not one
    # of the files: two large ones would then be checked one after the other.
    # Only a speed-up: a bug it meets is met again, and reported, in the files that reach it.
    with suppress(Exception):
        lint_text(WARM_UP, settings=settings)
    workers = min(jobs, len(paths))
    # A few chunks per worker: big enough to amortise the transfers, small enough to balance.
    size = max(1, len(paths) // (workers * 4))
    chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
    results: list[FileResult] = []
    try:
        for result in _over_pools(chunks, settings, workers):  # one by one: the fallback goes on from here
            results.append(result)
    except (OSError, NotImplementedError, ImportError):
        # The pool could not start: finish in this process.
        results += map(work, paths[len(results) :])
    return results


#: The spec checked before forking: the layers most specs have, and a fix to judge.
WARM_UP = """\
input: [1, 8, 8]
layers:
  - {type: conv, filters: 2, kernel: 3}
  - {type: batchnorm}
  - {type: maxpool, kernel: 2}
  - {type: flatten}
  - {type: dense, units: 2}
"""


def _over_pools(chunks: Sequence[Sequence[Path]], settings: Settings, workers: int) -> Iterator[FileResult]:
    """The chunks' results in order, over a pool, and over a new one after a worker dies.

    A dead worker breaks the pool: every chunk not yet done fails with it, though only one
    held the file at fault. That one is the first to fail, or another worker's after it, so
    the first is checked file by file, each alone, and the rest go to a new pool: each death
    costs one chunk of lone checks, not one per file left.
    """
    while chunks:
        done = 0
        with _pool(workers) as pool:
            futures = _submitted(pool, chunks, settings)
            for future in futures:
                try:
                    yield from future.result()
                except BrokenProcessPool:
                    break
                done += 1
        if done < len(futures) or not futures:
            for path in chunks[done]:
                yield _lint_alone(path, settings)
            done += 1
        # Else every chunk submitted is done, and any left were not submitted: a new pool.
        chunks = chunks[done:]


def _submitted(
    pool: ProcessPoolExecutor, chunks: Sequence[Sequence[Path]], settings: Settings
) -> list[Future[list[FileResult]]]:
    """The chunks handed to ``pool``, up to the first it refuses: a worker may die while the
    others are handed out, which breaks the pool."""
    futures = []
    with _interrupts_held():
        for chunk in chunks:
            try:
                futures.append(pool.submit(_lint_chunk, chunk, settings))
            except BrokenProcessPool:
                break
    return futures


@contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool whose workers stop with this process: on Ctrl-C (which they leave to it) they
    are terminated, not left to finish the queue, and where it is killed outright they are
    killed too (Linux), instead of blocking for ever on a pipe nobody reads."""
    pool = ProcessPoolExecutor(workers, mp_context=_context(), initializer=_worker_started, initargs=(os.getpid(),))
    try:
        yield pool
    except BaseException:
        # ProcessPoolExecutor.terminate_workers() only comes with Python 3.14. What is needed
        # below is taken first: shutdown() forgets it.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        manager = getattr(pool, "_executor_manager_thread", None)
        results = getattr(pool, "_result_queue", None)
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        # A worker killed halfway through sending its results leaves the manager thread
        # reading the rest for ever, since this process holds the pipe's other end too:
        # closed, it reads the end of the file and stops.
        if results is not None:
            with suppress(OSError):
                results._writer.close()
        # The manager thread then closes its wake-up pipe. Python 3.11 and 3.12 write to that
        # pipe at exit, racing the close: "Exception ignored … Bad file descriptor". Once the
        # thread is done, the pipe is marked closed first. Bounded: it never holds up Ctrl-C.
        if manager is not None:
            manager.join(timeout=5)
        raise
    pool.shutdown()


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl-C held back while the pool starts its workers (forked on the first submit, or
    spawned, one per submit, where there is no fork), then raised.

    Raised in the parent's at-fork hooks, KeyboardInterrupt would be printed and dropped, and
    the run would go on; raised in a worker before its initializer ignores it, it would break
    the pool. So SIGINT is blocked, which the workers inherit (they ignore it anyway, and
    ignoring discards the pending one); and since another thread may still take it, the main
    thread's handler only notes it until the workers exist.
    """
    noted: list[int] = []
    # Only the main thread may set a handler, and only one set from Python can be put back.
    previous = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
    if previous is not None:
        signal.signal(signal.SIGINT, lambda signum, frame: noted.append(signum))
    masked = hasattr(signal, "pthread_sigmask")  # not on Windows, which has no fork
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if masked else None
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # one held here comes to `previous`
        if noted:
            if callable(previous):
                previous(signal.SIGINT, None)
            elif previous == signal.SIG_DFL:
                signal.raise_signal(signal.SIGINT)


def _worker_started(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker lints with the collector paused anyway, then pickles the results, after the
    # pause: there, collections walked them again and again (200,000 diagnostics: 4.7 s, not
    # 1.8 s). What it builds sits in no reference cycle (see cyclic_gc_paused). Forked from
    # the paused parent, it starts paused; started otherwise, it pauses here.
    gc.disable()
    if sys.platform.startswith("linux"):
        # PR_SET_PDEATHSIG (1): SIGKILL when the parent dies.
        with suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)
        if os.getppid() != parent:  # it died before the request
            os._exit(1)


def _lint_chunk(paths: Sequence[Path], settings: Settings) -> list[FileResult]:
    return [lint_guarded(path, settings, keep_analysis=False) for path in paths]


def _lint_alone(path: Path, settings: Settings) -> FileResult:
    """One file in a fresh worker of its own; an internal error if that worker dies too."""
    try:
        with _pool(1) as pool:
            futures = _submitted(pool, [[path]], settings)
            if not futures:
                raise BrokenProcessPool("the pool broke before it took the file")
            (result,) = futures[0].result()
            return result
    except BrokenProcessPool as error:
        return internal_error(path, error)


def _context() -> multiprocessing.context.BaseContext:
    """Fork on Linux: the workers then start with netspec imported and its validators built.
    Elsewhere the platform's default (spawn on macOS, where forking is unsafe)."""
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
