"""Reading submissions in worker processes, so that no file can take the batch down.

python-calamine is native code: on some damaged files it panics (an exception Python code is not
meant to catch) or, on an impossible allocation, aborts the whole process. Size checks before
reading (filecheck.py) stop the known cases; this module stops the rest. Each file is read in a
worker process with a memory limit; a worker that dies, or a file that takes longer than the
time limit, becomes one located error for that file, and the other files are read as usual.

The workers also do the files in parallel, one per core (`--jobs`), a chunk of files at a time;
`run_isolated` runs any per-file task this way: `read_sheets` reads, `grade_files` reads and
grades each sheet where it is read (units.grade_unit) and keeps only the unit's result, compacted
(`compact`), so that memory does not grow with the sheets' size.
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import gc
import multiprocessing
import os
import signal
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Generic, NamedTuple, TypeVar

from ictscore.errors import WorkbookError
from ictscore.grading.results import Inputs, Keyed, UnitResult
from ictscore.grading.units import grade_unit, load_roster, no_unit_code, with_roster
from ictscore.issues import CellRef, Issue, IssueCode, Severity
from ictscore.messages import Msg
from ictscore.roster import Roster
from ictscore.rubric.model import Rubric
from ictscore.sheets.reader import NativeNeeded, SheetData, read_workbook

MEMORY_LIMIT: Final = 1536 * 1024 * 1024
"""Address space a worker may use (Linux and macOS): a file needing more is refused, not read."""
FILE_SECONDS: Final = 60.0
"""How long one file may take to read (a score sheet takes milliseconds)."""

T = TypeVar("T")
ReadOutcome = SheetData | WorkbookError
"""A file read: its sheet, or why it could not be read."""
Advance = Callable[[int], None]
"""Told how many more files are done."""
Task = Callable[[str], T]
"""What a worker does with one file (its path): a module-level function, so that it can be
sent to a worker process; it raises WorkbookError for a file it cannot use."""


def default_jobs() -> int:
    """The worker processes to use by default: one per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def read_isolated(
    paths: Sequence[Path], workers: int | None = None, advance: Advance | None = None
) -> list[ReadOutcome]:
    """Every file read, in the order given: its SheetData, or the WorkbookError that says why
    it could not be read (never an exception of the reader). Native code reads only in worker
    processes (see `run_isolated`)."""
    local = functools.partial(_read_one, native=False)
    return run_isolated(paths, _read_one, workers, advance, local=local)


def read_sheets(
    paths: Sequence[Path], advance: Advance | None = None, jobs: int | None = None
) -> list[SheetData | Issue]:
    """Every sheet read in worker processes (no file can crash or hang the batch); a file that
    cannot be read becomes an error Issue in its place."""
    return [
        _issue(r) if isinstance(r, WorkbookError) else r
        for r in read_isolated(paths, jobs, advance)
    ]


def _issue(error: WorkbookError) -> Issue:
    return Issue(error.code, Severity.ERROR, error.message, error.where)


@dataclass(frozen=True)
class SheetOutcome:
    """What a worker sends back for one file: the unit's result before the roster check and the
    group pass (or the issue that says why there is none), and the rubric the sheet records."""

    outcome: UnitResult | Issue
    made: tuple[str, str] | None
    """(rubric id, version) the sheet was made from; None if it lost its hidden record."""
    checked: bool = False
    """The result is to be checked against the roster (see `units.grade_unit`)."""
    bug: str | None = None
    """The file's path, a NUL and the traceback of an error in ictscore's grading code
    (not the file's fault): raised
    again where results are gathered, as grading in process would."""


class GradedFiles(NamedTuple):
    """What `grade_files` gathers: every file's outcome, in order, ready for
    `groups.assemble`; how many sheets recorded each (rubric id, version); the roster loaded."""

    outcomes: list[UnitResult | Issue]
    made: Counter[tuple[str, str]]
    roster: Roster | None


_WORKER: dict[str, Any] = {}
"""A worker's rubric (set once by `_setup_grading`)."""


def _setup_grading(rubric: Rubric) -> None:
    _WORKER.update(rubric=rubric)


def _grade_path(path: str, native: bool = True) -> SheetOutcome:
    """Read and grade one file, in a worker: only the result travels back, not the sheet.
    (`native=False`: in this process, NativeNeeded for a file that needs a worker.)"""
    sheet = read_workbook(path, path, native)
    made = None
    if not sheet.recovered:
        made = (sheet.meta.get("rubric_id", "?"), sheet.meta.get("rubric_version", "?"))
    try:
        graded = grade_unit(_WORKER["rubric"], sheet)
    except Exception:  # noqa: BLE001 - ictscore's own bug, not the file's: said as such
        return SheetOutcome(no_unit_code(sheet), made, bug=f"{path}\0{traceback.format_exc()}")
    if graded is None:
        return SheetOutcome(no_unit_code(sheet), made)
    return SheetOutcome(graded[0], made, graded[1])


def grade_files(
    paths: Sequence[str | Path],
    rubric: Rubric,
    units: Path | Roster | None = None,
    jobs: int | None = None,
    advance: Advance | None = None,
) -> GradedFiles:
    """Read and grade every file in worker processes (`jobs`, default one per core), a sheet
    at a time: what is kept is each unit's result, never the sheet, so memory does not grow
    with the sheets' size. The outcomes are in the order of `paths` (the same whatever `jobs`
    is).

    The roster (`units`) is applied here, as results come back, not in the workers. Given as a
    file, it is loaded once the workers have started, so that they are not forked with a copy
    of a national roster (and an error it raises stops the batch)."""
    made: Counter[tuple[str, str]] = Counter()
    shared: dict[Any, Any] = {}
    listed = units if isinstance(units, Roster) else None

    def started() -> None:
        nonlocal listed
        listed = load_roster(units, rubric)

    def keep(done: SheetOutcome | WorkbookError) -> UnitResult | Issue:  # as each comes back
        if isinstance(done, WorkbookError):
            return _issue(done)
        if done.bug is not None:
            path, trace = done.bug.split("\0", 1)  # no path holds a NUL
            last = trace.rstrip().rsplit("\n", 1)[-1]  # the worker's exception, as one line
            raise RuntimeError(f"ictscore failed while grading {path}: {last}\n{trace}")
        if done.made is not None:
            made[done.made] += 1
        outcome = done.outcome
        if isinstance(outcome, Issue):
            return outcome
        if listed is not None and done.checked:
            outcome = with_roster(rubric, outcome, listed)
        return compact(outcome, shared)

    outcomes = run_isolated(
        paths,
        _grade_path,
        jobs,
        advance,
        setup=_setup_grading,
        setup_args=(rubric,),
        keep=keep,
        started=started,
        local=functools.partial(_grade_path, native=False),
    )
    if listed is None and units is not None:  # no file: the workers never started
        listed = load_roster(units, rubric)
    return GradedFiles(outcomes, made, listed)


def compact(result: UnitResult, shared: dict[Any, Any]) -> UnitResult:
    """The same result, holding one copy of what thousands of results repeat. Its mappings
    share their keys already (Keyed, Inputs); here equal numbers become one Decimal (a result
    that came back from a worker has its own copy of each) and codes are interned."""

    def values(items: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(
            shared.setdefault((str(v),), v) if isinstance(v, Decimal) else v for v in items
        )

    held: dict[int, Keyed[Any]] = {}

    def keyed(mapping: Mapping[str, Any]) -> Keyed[Any]:
        k = Keyed.of(mapping)
        if not k:
            return k  # the one empty Keyed
        if id(k) not in held:  # points and self-points are often one mapping: kept one
            held[id(k)] = Keyed.from_tuples(tuple(k), values(k.values_tuple))
        return held[id(k)]

    inputs = result.inputs
    assert isinstance(inputs, Inputs)
    return result.replaced(
        code=sys.intern(result.code),
        group=sys.intern(result.group),
        parent=sys.intern(result.parent) if result.parent else None,
        points=keyed(result.points),
        self_points=keyed(result.self_points),
        subtotals=keyed(result.subtotals),
        measures=keyed(result.measures),
        self_measures=keyed(result.self_measures),
        evidence=Keyed.of(result.evidence),
        appraisal=Keyed.of(result.appraisal),
        not_applicable=Keyed.of(result.not_applicable),
        inputs=Inputs.from_tuples(inputs.slots_tuple, values(inputs.values_tuple)),
    )


def run_isolated(
    paths: Sequence[str | Path],
    task: Task[T],
    workers: int | None = None,
    advance: Advance | None = None,
    setup: Callable[..., None] | None = None,
    setup_args: tuple[Any, ...] = (),
    keep: Callable[[T | WorkbookError], Any] | None = None,
    started: Callable[[], None] | None = None,
    local: Task[T] | None = None,
) -> list[Any]:
    """`task` run on every file in worker processes, results in the order of `paths` (however
    many workers: the same results as one). A file whose task raises, crashes its worker, or
    hangs it becomes a located WorkbookError; the other files are done as usual.

    `setup(*setup_args)` runs once in each worker before its first file (e.g. to hand it the
    rubric). `keep(outcome)`, when given, is what is kept of each outcome, as soon as it comes
    back (the outcomes themselves are not held: a batch of 10,000 streams through);
    `started()` is called once the workers are running, before any outcome is kept. Files go to
    the workers in chunks, so that sending them and their results back costs little next to
    the work.

    When a worker dies (a native crash in the reader) or stalls, the pool is lost with the
    chunks it held. Each worker marks a chunk as started and as done (in memory shared with this
    process), so the chunks in flight at that moment are known: only their files are suspects,
    done again one at a time (`_Job.alone`) to find the one at fault; the chunks not yet
    started go to a fresh pool as usual. One crashing file among 2,000 costs a few chunks done
    again, not the whole rest of the batch done a file at a time.

    `local`, when given, is the same task that runs no native code: it raises NativeNeeded for
    a file that needs it. A batch of at most IN_PROCESS_FILES files is done with it in this
    process (`setup` and `started` run here first), and only the files that need native code
    go to worker processes, started for them alone: a batch of 200 score sheets starts no
    process at all."""
    results: dict[int, Any] = {}
    job = _Job(paths, task, setup, setup_args, results, advance, keep or (lambda outcome: outcome))
    if local is not None and len(paths) <= IN_PROCESS_FILES:
        if setup is not None:
            setup(*setup_args)
        if started is not None:
            started()
        started = None
        left = job.local(local)
        if not left:
            return [results[i] for i in range(len(paths))]
    else:
        left = list(range(len(paths)))
    count = max(1, min(workers or default_jobs(), len(left) or 1, 61))
    size = max(1, min(CHUNK, len(left) // (count * 4)))
    suspects, rest = job.run(_chunks(left, size, count), count, started)
    while rest:  # the pool broke: the chunks it had not started, to a fresh pool
        more, rest = job.run(_chunks(rest, size, count), count)
        suspects += more
    job.alone(sorted(suspects))
    return [results[i] for i in range(len(paths))]


def _chunks(files: list[int], size: int, workers: int) -> list[list[int]]:
    """In chunks of `size`; the last `workers` chunks' worth in quarters, so that the workers
    finish together (no worker idle while another does a last full chunk: 0.05 s at 10,000)."""
    tail, small = max(0, len(files) - workers * size), max(1, size // 4)
    return [files[i : min(i + size, tail)] for i in range(0, tail, size)] + [
        files[i : i + small] for i in range(tail, len(files), small)
    ]


IN_PROCESS_FILES: Final = 24
"""The largest batch done in this process (with `local`): above it, worker processes share the
files between the cores (starting them costs less than it saves)."""
CHUNK: Final = 64
"""Files per task sent to a worker, at most (fewer in a small batch, to share the work). A
chunk's results travel as one pickle, in which what they share (the criterion ids of their
points and inputs) is written once: at 10,000 sheets, chunks of 64 took 1 s less than chunks
of 16 (27.8 against 29.2 s of the workers' CPU); 128 and 256 gained nothing more. A worker
that crashes costs its chunk done again a file at a time (64 files: a fifth of a second)."""
_STARTED, _DONE = 1, 2
"""A chunk's mark, set by the worker that does it (0: not started)."""


@dataclass
class _Job(Generic[T]):
    paths: Sequence[str | Path]
    task: Task[T]
    setup: Callable[..., None] | None
    setup_args: tuple[Any, ...]
    results: dict[int, Any]
    advance: Advance | None
    keep: Callable[[T | WorkbookError], Any]

    def run(
        self, chunks: list[list[int]], workers: int, started: Callable[[], None] | None = None
    ) -> tuple[list[int], list[int]]:
        """Do `chunks` in a pool of `workers`. Returns the files left undone when the pool
        broke or stalled: (suspects, rest), the files of the chunks in flight then, and those
        of the chunks not started."""
        marks = _context().Array("b", max(1, len(chunks)), lock=False)
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_context(),
            initializer=_start,  # workers start silenced, memory-limited, bound to this process
            initargs=(self.setup, self.setup_args, marks, os.getpid()),
        )
        kept: set[int] = set()
        broken = False
        try:
            futures = {
                pool.submit(_run_chunk, self.task, [str(self.paths[i]) for i in chunk], n): n
                for n, chunk in enumerate(chunks)
            }
            if started is not None:  # the workers are forked (at the first submit)
                started()
            pending = set(futures)
            while pending and not broken:
                done, pending = wait(pending, timeout=FILE_SECONDS, return_when=FIRST_COMPLETED)
                broken = not done  # nothing finished in time: some file hangs a worker
                for future in done:
                    n = futures.pop(future)  # its outcomes are let go once kept: a batch
                    if self._keep(future, chunks[n]):  # of 10,000 streams through
                        kept.add(n)
                    else:
                        broken = True
                done.clear()
            for future in pending:  # finished before the pool broke: kept, not done again
                if future.done() and self._keep(future, chunks[futures[future]]):
                    kept.add(futures[future])
        finally:
            _shutdown(pool)
        left = [n for n in range(len(chunks)) if n not in kept]
        in_flight = [n for n in left if marks[n] == _STARTED] or left  # none marked: all
        return (
            [i for n in in_flight for i in chunks[n]],
            [i for n in left if n not in in_flight for i in chunks[n]],
        )

    def _keep(self, future: Future[list[T | WorkbookError]], chunk: list[int]) -> bool:
        """Keep a chunk's outcomes; False if its pool broke first."""
        try:
            outcomes = future.result()
        except BrokenProcessPool:
            return False
        for i, outcome in zip(chunk, outcomes, strict=True):
            self.results[i] = self.keep(outcome)
        if self.advance is not None:
            self.advance(len(chunk))
        return True

    def local(self, task: Task[T]) -> list[int]:
        """Do every file in this process with `task`; returns the files that need native
        code (NativeNeeded), left for the workers."""
        left: list[int] = []
        for i, path in enumerate(self.paths):
            try:
                outcome = _run_here(task, str(path))
            except NativeNeeded:
                left.append(i)
                continue
            self.results[i] = self.keep(outcome)
            if self.advance is not None:
                self.advance(1)
        return left

    def alone(self, files: list[int]) -> None:
        """Do each of `files` alone, one worker, one file at a time: a file whose worker dies
        or stalls is the cause, and gets the error; the pool is made again for the rest."""
        while files:
            suspects, files = self.run([[i] for i in files], 1)
            for i in suspects[:1]:  # one worker: at most one file in flight
                self.results[i] = self.keep(_damaged(str(self.paths[i])))
                if self.advance is not None:
                    self.advance(1)
            files = suspects[1:] + files


def _damaged(path: str) -> WorkbookError:
    return WorkbookError(
        CellRef(path),
        Msg(
            "the workbook is damaged: reading it crashed the reader, ran out of the "
            "memory limit ({memory} MiB) or took longer than {seconds} s; ask the unit "
            "to save it again",
            memory=MEMORY_LIMIT // 1024 // 1024,
            seconds=round(FILE_SECONDS),
        ),
        code=IssueCode.UNREADABLE_FILE,
    )


_MARKS: list[Any] = []
"""A worker's view of the chunk marks of its pool (set by `_start`)."""


def _run_chunk(task: Task[T], paths: list[str], slot: int) -> list[T | WorkbookError]:
    marks = _MARKS[0] if _MARKS else None
    if marks is not None:
        marks[slot] = _STARTED
    outcomes = [_run_one(task, path) for path in paths]
    if marks is not None:
        marks[slot] = _DONE
    return outcomes


def _run_one(task: Task[T], path: str) -> T | WorkbookError:
    try:
        return task(path)
    except WorkbookError as exc:
        return exc
    except BaseException as exc:  # noqa: BLE001 - a native panic is a BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return _failed(path, exc)


def _failed(path: str, exc: BaseException) -> WorkbookError:
    return WorkbookError(
        CellRef(path),
        Msg(
            "the workbook is damaged and cannot be read (the reader failed: {what}): ask "
            "the unit to save it again",
            what=type(exc).__name__,
        ),
    )


def _run_here(task: Task[T], path: str) -> T | WorkbookError:
    """`_run_one` in this process: NativeNeeded goes through, to send the file to a worker;
    Ctrl-C and the like too."""
    try:
        return task(path)
    except NativeNeeded:
        raise
    except WorkbookError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - as a worker reports it (`_run_one`)
        return _failed(path, exc)


def _read_one(path: str, native: bool = True) -> SheetData:
    return read_workbook(path, path, native)


def _start(
    setup: Callable[..., None] | None, setup_args: tuple[Any, ...], marks: Any, parent: int
) -> None:
    """A worker: what a dying reader prints ("memory allocation of … failed", a crash dump) is
    noise to the user, who gets the file's error instead; its memory is limited; it dies with
    the run (`_bind_to_parent`)."""
    _bind_to_parent(parent)
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    _limit_memory()
    _MARKS[:] = [marks]
    if setup is not None:
        setup(*setup_args)
    gc.enable()  # the parent may have paused it for the batch (cli.app.batch_held)
    gc.freeze()  # what the worker inherited (and its rubric) is never garbage: not scanned


def _bind_to_parent(parent: int) -> None:
    """The worker ends with the run, however the run ends. Ctrl-C and SIGTERM are the parent's
    to handle (it stops the pool and removes its temporary files), so the worker ignores
    Ctrl-C and takes SIGTERM plainly (a forked worker inherits the parent's handler); on Linux,
    the kernel kills the worker if the parent dies, even by SIGKILL (PR_SET_PDEATHSIG)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform != "linux":
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: the parent's shutdown still stops it
        return
    if os.getppid() != parent:  # the parent died before the line above: end now
        os._exit(1)


_PR_SET_PDEATHSIG: Final = 1
"""prctl's option (linux/prctl.h): the signal a process gets when its parent dies."""


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # Windows: no limit; the size checks still apply
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
    if soft == resource.RLIM_INFINITY or soft > limit:
        # some systems (macOS) refuse: the size checks still apply
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _context() -> multiprocessing.context.BaseContext:
    # fork is fast and inherits the imported modules; elsewhere the platform default (spawn)
    return multiprocessing.get_context("fork" if sys.platform == "linux" else None)


def _shutdown(pool: ProcessPoolExecutor) -> None:
    """Stop the pool now, killing workers that still run (a hung file), and wait for its
    manager thread to end. NOTE: Python 3.11's exit handler wakes that thread; if it is closing
    its pipe at that moment (a run stopped while grading), a traceback follows ours (once in CI)."""
    processes = list(getattr(pool, "_processes", {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(timeout=5)
    if manager is not None:
        manager.join(timeout=5)
