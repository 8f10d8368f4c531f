"""Checking many files over worker processes gives exactly what checking them in one process
gives: the same diagnostics, in the same order, with a bug on one file still confined to it."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import multiprocessing
import os
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import netspec.linter
import netspec.parallel
from netspec.cli import app
from netspec.linter import FileResult, lint_file, lint_paths
from netspec.rules import RULES
from tests.helpers import CLEAN

#: A 3×3 conv on 8×8 with stride 2 and padding 0: (8 − 3)/2 + 1 = 3.5 (NS101, fixed by
#: editing the padding).
ODD_LAYER = "  - {type: conv, filters: 4, kernel: 3, stride: 2, padding: 0}"
ODD = f"input: [3, 8, 8]\nlayers:\n{ODD_LAYER}\n"
BROKEN = "input: [3, 8, 8]\nlayers:\n  - {type: conv, filters: 4, kernel: 3\n"


@pytest.fixture
def corpus(tmp_path: Path) -> list[Path]:
    """Nine files of three kinds, interleaved so that order mistakes would show."""
    paths = []
    for i in range(9):
        path = tmp_path / f"spec{i}.yaml"
        path.write_text((CLEAN, ODD, BROKEN)[i % 3])
        paths.append(path)
    return paths


@pytest.fixture
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the pool whatever the size (forked workers inherit the patch)."""
    monkeypatch.setattr(netspec.linter, "PARALLEL_MIN_BYTES", 0)


def summary(results: list[FileResult]) -> list[tuple[str, list[tuple[str, int, int, str]], str | None]]:
    return [
        (r.filename, [(d.code, d.span.start.row, d.span.start.column, d.message) for d in r.diagnostics], r.text)
        for r in results
    ]


@pytest.mark.usefixtures("always_parallel")
def test_processes_give_what_one_process_gives(corpus: list[Path]) -> None:
    sequential = lint_paths(corpus)
    parallel = lint_paths(corpus, jobs=2, keep_analysis=False)
    assert summary(parallel) == summary(sequential)
    assert [r.filename for r in parallel] == [str(p) for p in corpus]
    assert {d.code for r in parallel for d in r.diagnostics} == {"NS001", "NS101"}
    # Fixes keep their applicability and where their edits land, without the analysis.
    odd = parallel[1].diagnostics[0]
    assert odd.fix is not None and odd.applicability is not None
    assert odd.edit_spans == sequential[1].diagnostics[0].edit_spans
    (span,) = odd.edit_spans
    assert span is not None
    assert (span.start.row, span.start.column) == (3, ODD_LAYER.index("padding: 0") + len("padding: ") + 1)
    assert all(r.analysis is None for r in parallel)


@pytest.mark.usefixtures("always_parallel")
@pytest.mark.parametrize("jobs", [1, 2])
def test_paths_may_be_strings(corpus: list[Path], jobs: int) -> None:
    results = lint_paths([str(p) for p in corpus], jobs=jobs, keep_analysis=False)
    assert summary(results) == summary(lint_paths(corpus))
    assert [r.internal_error for r in results] == [None] * len(corpus)
    assert lint_file(str(corpus[1])).diagnostics[0].code == "NS101"
    # One path where a sequence belongs would be read as one-letter paths.
    with pytest.raises(TypeError, match=r"lint_paths\(\['"):
        lint_paths(str(corpus[0]))


@pytest.mark.parametrize("jobs", [0, -1, 2.5, "2", True])
def test_jobs_is_a_count_of_processes(corpus: list[Path], jobs: Any) -> None:
    # As --jobs refuses them: not silently one process.
    with pytest.raises(ValueError, match=r"jobs must be a whole number, 1 or more, not "):
        lint_paths(corpus, jobs=jobs, keep_analysis=False)


@pytest.mark.usefixtures("always_parallel")
def test_every_file_is_checked_in_a_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Two large files over two workers: one checked here before forking would leave the
    # other's worker waiting for it, and the two checked one after the other.
    paths = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    for path in paths:
        path.write_text(ODD)
    log = tmp_path / "pids"
    real = netspec.linter.lint_file

    def logging(path: Path, *args: Any, **kwargs: Any) -> FileResult:
        with log.open("a") as stream:  # a worker's memory is its own: the file is shared
            stream.write(f"{os.getpid()}\n")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(netspec.linter, "lint_file", logging)
    results = lint_paths(paths, jobs=2, keep_analysis=False)
    assert [d.code for r in results for d in r.diagnostics] == ["NS101", "NS101"]
    pids = log.read_text().split()
    assert len(pids) == 2 and str(os.getpid()) not in pids


@pytest.mark.usefixtures("always_parallel")
def test_results_cross_between_processes_with_the_collector_paused(
    corpus: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each collection while the results are pickled (in a worker) or unpickled (here) walks
    # all of them again: 200,000 diagnostics took 4.7 s to pickle and 7.4 s to unpickle so.
    log = tmp_path / "pickled"
    unpickled: list[bool] = []

    def getstate(self: FileResult) -> dict[str, Any]:
        with log.open("a") as stream:  # in the worker, whose memory is its own
            stream.write(f"{gc.isenabled()}\n")
        return self.__dict__

    def setstate(self: FileResult, state: dict[str, Any]) -> None:
        unpickled.append(gc.isenabled())
        self.__dict__.update(state)

    monkeypatch.setattr(FileResult, "__getstate__", getstate, raising=False)
    monkeypatch.setattr(FileResult, "__setstate__", setstate, raising=False)
    assert gc.isenabled()
    results = lint_paths(corpus, jobs=2, keep_analysis=False)
    assert [r.filename for r in results] == [str(path) for path in corpus]
    assert log.read_text().split() == ["False"] * len(corpus) and unpickled == [False] * len(corpus)
    assert gc.isenabled()


def test_a_worker_started_without_fork_pauses_the_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    # Forked, a worker inherits the paused collector of the run; spawned (where there is no
    # fork), it starts with the collector on, and pauses it itself.
    monkeypatch.setattr(netspec.parallel, "_context", lambda: multiprocessing.get_context("spawn"))
    with netspec.parallel._pool(1) as pool:
        assert pool.submit(gc.isenabled).result(timeout=60) is False


@pytest.mark.usefixtures("always_parallel")
def test_a_bug_the_warm_up_meets_stays_with_the_files_that_meet_it(
    corpus: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The small spec checked before forking reaches NS102's check, as do the files: each is
    # an internal error of its own, as in one process, not an exception out of the run.
    def broken(analysis: Any) -> Iterator[Any]:
        raise RuntimeError("simulated bug")

    monkeypatch.setitem(RULES, "NS102", dataclasses.replace(RULES["NS102"], check=broken))
    parallel = lint_paths(corpus, jobs=2, keep_analysis=False)
    sequential = lint_paths(corpus, keep_analysis=False)
    assert [r.internal_error is not None for r in parallel] == [r.internal_error is not None for r in sequential]
    assert any(r.internal_error and "simulated bug" in r.internal_error for r in parallel)


@pytest.mark.usefixtures("always_parallel")
def test_a_bug_in_a_worker_stays_with_its_file(corpus: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    real = netspec.linter.lint_file
    parent = os.getpid()

    def failing_in_a_worker(path: Path, *args: Any, **kwargs: Any) -> FileResult:
        if path == corpus[4] and os.getpid() != parent:
            raise RuntimeError("simulated bug")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(netspec.linter, "lint_file", failing_in_a_worker)
    results = lint_paths(corpus, jobs=2, keep_analysis=False)
    assert [r.filename for r in results] == [str(p) for p in corpus]
    assert results[4].internal_error is not None and "simulated bug" in results[4].internal_error
    assert [r.internal_error for i, r in enumerate(results) if i != 4] == [None] * 8


@pytest.mark.usefixtures("always_parallel")
def test_a_file_that_kills_its_worker_is_named_and_the_others_are_checked(
    corpus: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = netspec.linter.lint_file
    parent = os.getpid()

    def dying_on_one_file(path: Path, *args: Any, **kwargs: Any) -> FileResult:
        if path == corpus[4] and os.getpid() != parent:
            os._exit(3)  # as if killed for memory: no exception reaches the pool
        return real(path, *args, **kwargs)

    monkeypatch.setattr(netspec.linter, "lint_file", dying_on_one_file)
    results = lint_paths(corpus, jobs=2, keep_analysis=False)
    expected = summary(lint_paths(corpus))
    assert [r.filename for r in results] == [str(p) for p in corpus]
    assert results[4].internal_error is not None
    assert str(corpus[4]) in results[4].internal_error and "BrokenProcessPool" in results[4].internal_error
    assert [s for i, s in enumerate(summary(results)) if i != 4] == [s for i, s in enumerate(expected) if i != 4]


@pytest.mark.usefixtures("always_parallel")
def test_a_dead_worker_costs_one_chunk_of_lone_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 60 files over 2 workers: the first is checked here, the other 59 go in chunks of
    # 59 // (2 · 4) = 7. The fifth kills its worker, which breaks the pool for every chunk
    # not yet done; only the chunk that held it is checked file by file.
    paths = []
    for i in range(60):
        paths.append(tmp_path / f"spec{i:02}.yaml")
        paths[-1].write_text((CLEAN, ODD)[i % 2])
    real = netspec.linter.lint_file
    parent = os.getpid()

    def dying_on_one_file(path: Path, *args: Any, **kwargs: Any) -> FileResult:
        if path == paths[5] and os.getpid() != parent:
            os._exit(3)
        return real(path, *args, **kwargs)

    pools = []

    class CountedPool(netspec.parallel.ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pools.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(netspec.linter, "lint_file", dying_on_one_file)
    monkeypatch.setattr(netspec.parallel, "ProcessPoolExecutor", CountedPool)
    results = lint_paths(paths, jobs=2, keep_analysis=False)
    assert [r.filename for r in results] == [str(p) for p in paths]
    assert [i for i, r in enumerate(results) if r.internal_error] == [5]
    assert summary(results[:5] + results[6:]) == summary(lint_paths(paths[:5] + paths[6:]))
    # The pool that broke, 7 lone checks, and a new pool for the 7 chunks left.
    assert len(pools) == 1 + 7 + 1


@pytest.mark.usefixtures("always_parallel")
def test_a_pool_that_breaks_while_work_is_handed_out_still_checks_every_file(
    corpus: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker may die while the others' chunks are still being submitted: submit() then
    # raises, as the first pool does here on its third chunk.
    pools = []

    class BreakingPool(netspec.parallel.ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pools.append(self)
            self.submitted = 0
            super().__init__(*args, **kwargs)

        def submit(self, *args: Any, **kwargs: Any) -> Any:
            self.submitted += 1
            if self is pools[0] and self.submitted == 3:
                raise netspec.parallel.BrokenProcessPool("a worker died")
            return super().submit(*args, **kwargs)

    monkeypatch.setattr(netspec.parallel, "ProcessPoolExecutor", BreakingPool)
    results = lint_paths(corpus, jobs=2, keep_analysis=False)
    assert summary(results) == summary(lint_paths(corpus))
    # The two chunks it took, then a new pool for the rest: no file was checked alone.
    assert len(pools) == 2 and pools[0].submitted == 3


@pytest.mark.usefixtures("always_parallel")
def test_processes_that_cannot_start_leave_the_work_to_this_one(
    corpus: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = []

    def no_semaphores(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError(38, "Function not implemented")  # what sem_open gives without /dev/shm

    monkeypatch.setattr(netspec.parallel, "ProcessPoolExecutor", no_semaphores)
    results = lint_paths(corpus, jobs=2, keep_analysis=False)
    assert attempts, "the pool was never tried"
    assert summary(results) == summary(lint_paths(corpus))
    assert {d.code for r in results for d in r.diagnostics} == {"NS001", "NS101"}


def test_small_jobs_stay_in_this_process(corpus: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Nine tiny files are far below the size that pays for worker processes."""
    assert sum(p.stat().st_size for p in corpus) < netspec.linter.PARALLEL_MIN_BYTES

    def refuse(*args: object) -> None:
        raise AssertionError("a pool was started")

    monkeypatch.setattr(netspec.parallel, "lint_in_processes", refuse)
    results = lint_paths(corpus, jobs=4, keep_analysis=False)
    assert len(results) == 9
    assert all(r.analysis is None for r in results)


def test_the_analysis_is_kept_unless_dropped(corpus: list[Path]) -> None:
    assert lint_paths(corpus[:1])[0].analysis is not None
    assert lint_paths(corpus[:1], keep_analysis=False)[0].analysis is None


def test_processes_cannot_keep_the_analysis(corpus: list[Path]) -> None:
    with pytest.raises(ValueError, match="keep_analysis=False"):
        lint_paths(corpus, jobs=2)


@pytest.mark.usefixtures("always_parallel")
def test_cli_jobs_give_the_same_report(corpus: list[Path]) -> None:
    runner = CliRunner()
    one = runner.invoke(app, ["check", "--output-format", "json", "-j", "1", *map(str, corpus)])
    two = runner.invoke(app, ["check", "--output-format", "json", "--jobs", "2", *map(str, corpus)])
    assert one.exit_code == two.exit_code == 1
    assert one.stdout == two.stdout
    assert '"key": "padding"' in two.stdout


@pytest.mark.parametrize(("asked", "used"), [(100_000, 3), (3, 3), (2, 2), (1, None)])
def test_jobs_are_at_most_the_available_cpus(
    corpus: list[Path], monkeypatch: pytest.MonkeyPatch, always_parallel: None, asked: int, used: int | None
) -> None:
    # The work is bound by the CPUs: 100,000 processes asked for would only compete for 3.
    started: list[int] = []

    @contextlib.contextmanager
    def pool(workers: int) -> Iterator[None]:
        started.append(workers)
        raise OSError("not started: the files are checked in this process instead")
        yield

    monkeypatch.setattr(netspec.linter, "cpu_count", lambda: 3)
    monkeypatch.setattr(netspec.parallel, "_pool", pool)
    results = lint_paths(corpus, jobs=asked, keep_analysis=False)
    assert started == ([] if used is None else [used])
    assert [r.filename for r in results] == [str(p) for p in corpus]
    # On one CPU no pool starts, whatever is asked: it would only add a process to the one.
    monkeypatch.setattr(netspec.linter, "cpu_count", lambda: 1)
    lint_paths(corpus, jobs=asked, keep_analysis=False)
    assert started == ([] if used is None else [used])


def test_the_cli_leaves_the_default_process_count_to_lint_paths(
    corpus: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    given: list[int] = []

    def lint_paths(paths: list[Path], settings: object, *, jobs: int, keep_analysis: bool) -> list[object]:
        given.append(jobs)
        return []

    monkeypatch.setattr("netspec.cli.lint_paths", lint_paths)
    runner = CliRunner()
    assert runner.invoke(app, ["check", *map(str, corpus)]).exit_code == 0
    assert runner.invoke(app, ["check", "-j", "2", *map(str, corpus)]).exit_code == 0
    # "As many as possible", which lint_paths bounds by the CPUs; then what was asked.
    assert given == [sys.maxsize, 2]


@pytest.mark.parametrize(
    ("option", "value", "what"),
    [
        ("--jobs", "0", "processes"),
        ("--jobs", "-1", "processes"),
        ("--jobs", "two", "processes"),
        ("--jobs", "1_0", "processes"),
        ("--jobs", "\u0663", "processes"),  # an Arabic-Indic 3, which int() reads
        ("--max-file-size", "0", "bytes"),
        ("--max-file-size", "10MB", "bytes"),
    ],
)
def test_cli_counts_must_be_positive_whole_numbers(corpus: list[Path], option: str, value: str, what: str) -> None:
    result = CliRunner().invoke(app, ["check", option, value, str(corpus[0])])
    assert result.exit_code == 2
    assert f"expected a whole number of {what}, 1 or more, not '{value}'" in " ".join(result.output.split())
    # The near miss: a count of 1 is one.
    assert (
        CliRunner().invoke(app, ["check", option, "1" if option == "--jobs" else "1000000", str(corpus[0])]).exit_code
        == 0
    )


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                # The command may hold spaces and parentheses: the fields follow the last ')'.
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs: a zombie has exited, whether or not anyone has reaped it yet."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def long_run(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`netspec check -j 2` on a directory that takes tens of seconds, once its workers exist."""
    layers = "  - {type: conv, filters: 8, kernel: 3}\n" * 200  # 200 shrinking convs: 200 fixes to weigh
    for i in range(150):
        (tmp_path / f"f{i}.yaml").write_text(f"input: [3, 512, 512]\nlayers:\n{layers}")
    run = subprocess.Popen(
        [sys.executable, "-m", "netspec", "check", "-j", "2", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert _wait_for(lambda: len(_children(run.pid)) >= 2, 30)
        yield run
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
        run.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; workers die with their parent on Linux")
def test_ctrl_c_stops_the_workers_at_once(long_run: subprocess.Popen[bytes]) -> None:
    # Ctrl-C reaches the whole process group. Before, each worker dropped its chunk and took
    # the next, and the run ended only when the queue was empty.
    workers = _children(long_run.pid)
    os.killpg(long_run.pid, signal.SIGINT)
    assert long_run.wait(timeout=15) in (130, -signal.SIGINT)
    assert _wait_for(lambda: not any(map(_alive, workers)), 10)
    assert long_run.stderr is not None and b"Traceback" not in long_run.stderr.read()


@pytest.mark.parametrize("other_thread", [False, True])
def test_ctrl_c_while_the_workers_fork_comes_once_they_exist(other_thread: bool) -> None:
    # Raised in the at-fork hooks, KeyboardInterrupt was printed and dropped, and the run went
    # on to its end: held, it is raised after the block, which has run to its end. A thread
    # that does not block SIGINT (started before, as torch's are) may take the signal.
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    if other_thread:
        thread.start()
    finished = False
    try:
        with pytest.raises(KeyboardInterrupt), netspec.parallel._interrupts_held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # the handler would raise here
            finished = True
    finally:
        stop.set()
    assert finished


def test_an_interrupted_pool_leaves_no_manager_thread_behind() -> None:
    # Its manager thread closes a pipe that Python 3.11 writes to at exit: still running then,
    # it races the write ("Exception ignored … Bad file descriptor" after Ctrl-C).
    with pytest.raises(KeyboardInterrupt), netspec.parallel._pool(2) as pool:
        pool.submit(time.sleep, 30)
        manager = pool._executor_manager_thread
        raise KeyboardInterrupt
    assert manager is not None and not manager.is_alive()


def _send_half_a_result(descriptor: int) -> None:
    # What a worker killed while sending its results leaves: a length, and less than it says.
    os.write(descriptor, struct.pack("!i", 1000) + b"x" * 10)
    time.sleep(60)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the worker writes to a descriptor it inherits")
def test_a_worker_killed_while_sending_results_leaves_no_manager_thread_behind() -> None:
    # The manager thread would wait for the rest for ever, since this process holds the
    # pipe's other end too: Python's exit joins it, so Ctrl-C hung netspec.
    with pytest.raises(KeyboardInterrupt), netspec.parallel._pool(1) as pool:
        pool.submit(_send_half_a_result, pool._result_queue._writer.fileno())
        manager = pool._executor_manager_thread
        time.sleep(0.5)  # the half is sent
        raise KeyboardInterrupt
    assert manager is not None and not manager.is_alive()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; workers die with their parent on Linux")
def test_workers_die_with_a_killed_parent(long_run: subprocess.Popen[bytes]) -> None:
    # SIGKILL (a CI timeout, the OOM killer) gives the parent no chance to stop its workers:
    # they used to block for ever writing results to a pipe nobody reads.
    workers = _children(long_run.pid)
    os.kill(long_run.pid, signal.SIGKILL)
    long_run.wait()
    assert _wait_for(lambda: not any(map(_alive, workers)), 10)
