"""Reading submissions in worker processes, so that no file can take the batch down.

python-calamine is native code: on some damaged files it panics (an exception Python code is not
meant to catch) or, on an impossible allocation, aborts the whole process. Size checks before
reading (filecheck.py) stop the known cases; this module stops the rest. Each file is read in a
worker process with a memory limit; a worker that dies, or a file that takes longer than the
time limit, becomes one located error for that file, and the other files are read as usual.

The workers also read files in parallel, one per core.
"""

from __future__ import annotations

import contextlib
import faulthandler
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Final

from ictscore.errors import CellRef, WorkbookError
from ictscore.messages import Msg
from ictscore.reader import SheetData, read_workbook

MEMORY_LIMIT: Final = 1536 * 1024 * 1024
"""Address space a worker may use (Linux and macOS): a file needing more is refused, not read."""
FILE_SECONDS: Final = 60.0
"""How long one file may take to read (a score sheet takes milliseconds)."""

Outcome = SheetData | WorkbookError
Advance = Callable[[], None]


def read_isolated(
    paths: Sequence[Path], workers: int | None = None, advance: Advance | None = None
) -> list[Outcome]:
    """Every file read in a worker process, in the order given: its SheetData, or the
    WorkbookError that says why it could not be read (never an exception of the reader)."""
    results: dict[int, Outcome] = {}
    count = max(1, min(workers or os.cpu_count() or 1, len(paths) or 1, 8))
    todo = list(range(len(paths)))
    suspects = _run_batch(paths, todo, count, results, advance)
    for i in suspects:  # alone now: if its worker dies again, the file is the cause
        _run_batch(paths, [i], 1, results, advance, alone=True)
    return [results[i] for i in range(len(paths))]


def _run_batch(
    paths: Sequence[Path],
    indices: list[int],
    workers: int,
    results: dict[int, Outcome],
    advance: Advance | None,
    alone: bool = False,
) -> list[int]:
    """Read `indices`; returns those to retry alone (their pool broke or stalled)."""
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_start)
    futures: dict[Future[Outcome], int] = {  # workers start silenced and memory-limited
        pool.submit(_read_one, str(paths[i])): i for i in indices
    }
    pending = set(futures)
    retry: list[int] = []
    try:
        while pending:
            done, pending = wait(pending, timeout=FILE_SECONDS, return_when=FIRST_COMPLETED)
            if not done:  # nothing finished in time: some file hangs a worker
                retry.extend(futures[f] for f in pending)
                break
            for future in done:
                i = futures[future]
                try:
                    results[i] = future.result()
                except BrokenProcessPool:
                    retry.append(i)
                    continue
                if advance is not None:
                    advance()
    finally:
        _shutdown(pool)
    if not alone:
        return sorted(set(retry))
    for i in retry:  # read alone, and still failing: this file is the cause
        results[i] = WorkbookError(
            CellRef(str(paths[i])),
            Msg(
                "the workbook is damaged: reading it crashed the reader, ran out of the memory "
                "limit ({memory} MiB) or took longer than {seconds} s; ask the unit to save it "
                "again",
                memory=MEMORY_LIMIT // 1024 // 1024,
                seconds=round(FILE_SECONDS),
            ),
            code="unreadable-file",
        )
        if advance is not None:
            advance()
    return []


def _read_one(path: str) -> Outcome:
    try:
        return read_workbook(path, path)
    except WorkbookError as exc:
        return exc
    except BaseException as exc:  # noqa: BLE001 - a native panic is a BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return WorkbookError(
            CellRef(path),
            Msg(
                "the workbook is damaged and cannot be read (the reader failed: {what}): ask "
                "the unit to save it again",
                what=type(exc).__name__,
            ),
        )


def _start() -> None:
    """A worker: what a dying reader prints ("memory allocation of … failed", a crash dump) is
    noise to the user, who gets the file's error instead; and its memory is limited."""
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    _limit_memory()


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
    """Stop the pool now, killing workers that still run (a hung file)."""
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(timeout=5)
