"""Where `ictscore grade` spends its time: per-file stage costs, in one process, and cProfile.

    .venv/bin/python benchmarks/profile_stages.py            # the 2,000-sheet set
    .venv/bin/python benchmarks/profile_stages.py --n 200 --top 30

`grade` reads files in worker processes (isolate.py); here each stage is called directly in one
process, on every file of the set (warm cache), and timed per file:

- read bytes       Path.read_bytes
- file check       filecheck.inspect_file (zip structure, extent scan, entity scan)
- calamine         open the workbook from the bytes, to_python() of the score and meta sheets
- formula scan     reader._formula_problems (zip + sheet XML again, for formulas without results)
- parse rows       reader._read_meta + reader._parse_rows (SheetData)
- read_workbook    the real reader, all of the above (the sum of the parts, measured on its own)
- grade_sheet      units.grade_sheet (origin check, roster look-up, validate.evaluate_sheet), and
                   evaluate_sheet alone
- pickle           pickle.dumps/loads of the SheetData (what a reading worker sends back) and of
                   the worker's result (workers.Graded, since grading moved into the workers)
- compact          workers.compact, the parent's interning of each result

then the batch-level steps once (assemble: normalise, settle, rank; the table rendering; JSON;
the roster look-ups), the real worker pools (read_isolated, grade_files) against the in-process
loop, and cProfile of the in-process pipeline and of the real CLI's parent process. Stages that
the code no longer has are skipped (src/ changes under the benchmark).
"""

from __future__ import annotations

# ruff: noqa: B023, E501 - report lines are long format strings; the timed lambdas run at once
import argparse
import cProfile
import io
import pickle
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_sheets  # noqa: E402

from ictscore.grading import discovery, groups, pipeline, units, workers  # noqa: E402
from ictscore.grading.validate import evaluate_sheet  # noqa: E402
from ictscore.issues import CellRef  # noqa: E402
from ictscore.roster import load_units  # noqa: E402
from ictscore.rubric.load import load_rubric  # noqa: E402
from ictscore.sheets import filecheck, layout, reader  # noqa: E402


def _calamine(data: bytes) -> tuple[list[list[Any]], list[list[Any]] | None]:
    import python_calamine

    wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        rows = wb.get_sheet_by_name(layout.SCORE_SHEET).to_python(skip_empty_area=False)
        meta = wb.get_sheet_by_name(layout.META_SHEET).to_python(skip_empty_area=False)
    finally:
        wb.close()
    return rows, meta


def _formula_arg(inspected: Any) -> Any:
    """reader._formula_problems took the file's bytes, and takes the Inspected file since the
    file check keeps the parts it read: give it what its signature asks for."""
    import inspect

    first = next(iter(inspect.signature(reader._formula_problems).parameters))
    return inspected.data if first == "data" else inspected


def _module(name: str) -> Any:
    """A module of ictscore, or None where the code under the benchmark has none."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def timed(f: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = f()
    return time.perf_counter() - t0, out


def row(label: str, seconds: list[float], extra: str = "") -> None:
    ms = [s * 1000 for s in seconds]
    q = statistics.quantiles(ms, n=20)[-1] if len(ms) > 1 else ms[0]
    print(
        f"  {label:40} {statistics.mean(ms):8.3f} {statistics.median(ms):8.3f} {q:8.3f} "
        f"{sum(seconds):9.2f}  {extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="the set (made if absent)")
    parser.add_argument("--top", type=int, default=25, help="cProfile lines to print")
    parser.add_argument("--no-cli-profile", action="store_true")
    args = parser.parse_args()
    folder = make_sheets.ensure(args.n)
    sheets_dir = folder / "sheets"
    paths = sorted(p for p in sheets_dir.iterdir() if p.suffix == ".xlsx")
    for p in paths:
        p.read_bytes()  # warm cache
    rubric = load_rubric(make_sheets.RUBRIC)
    roster = load_units(folder / "units.csv")
    by_code = {u.code: u for u in roster.units}
    n = len(paths)

    grade_sheet = units.grade_sheet
    Graded = getattr(workers, "Graded", None) or getattr(workers, "SheetOutcome", None)
    compact = getattr(workers, "compact", None)
    stages: dict[str, list[float]] = {}

    def add(label: str, seconds: float) -> None:
        stages.setdefault(label, []).append(seconds)

    sizes: list[int] = []
    pickled: dict[str, list[int]] = {"SheetData": [], "worker result": []}
    sheets = []
    outcomes = []
    shared: dict[Any, Any] = {}
    xlsx = _module("ictscore.sheets.xlsx")
    native = "" if xlsx is None else " [native]"
    """Since issue 16, the calamine stages run only for files the pure-Python reader declines
    (none in these sets): timed here on every file, for comparison."""
    for p in paths:
        t, data = timed(p.read_bytes)
        add("read bytes", t)
        sizes.append(len(data))
        if xlsx is not None:  # the pure-Python reader (issue 16): what read_workbook does
            t, shallow = timed(lambda: filecheck.inspect_file(data, CellRef(str(p)), deep=False))
            add("xlsx: file check, zip directory only", t)
            book = xlsx.Book(shallow.archive, CellRef(str(p)), data)  # as reader does
            t, _ = timed(lambda: book.sheet_names)
            add("xlsx: workbook + relationships", t)
            t, grid = timed(lambda: book.grid(layout.SCORE_SHEET))
            add("xlsx: score sheet (+ strings, styles)", t)
            t, meta_grid = timed(lambda: book.grid(layout.META_SHEET))
            add("xlsx: hidden record sheet", t)
            t, _ = timed(
                lambda: reader._parse_rows(
                    str(p), grid.rows, reader.read_record(meta_grid.rows), grid.formulas
                )
            )
            add("xlsx: parse rows (SheetData)", t)
            shallow.archive.close()
        t, inspected = timed(lambda: filecheck.inspect_file(data, CellRef(str(p))))
        add("file check (inspect_file)" + native, t)
        t, (rows, meta_rows) = timed(lambda: _calamine(inspected.data))
        add("calamine open + to_python x2" + native, t)
        t, formulas = timed(lambda: reader._formula_problems(_formula_arg(inspected)))
        add("formula scan (_formula_problems)" + native, t)
        t, _ = timed(
            lambda: reader._parse_rows(str(p), rows, reader.read_record(meta_rows), formulas)
        )
        add("parse rows (read_record+_parse_rows)" + native, t)
        t, sheet = timed(lambda: reader.read_workbook(p, str(p)))
        add("= read_workbook (as grade reads)", t)
        sheets.append(sheet)
        t, outcome = timed(lambda: grade_sheet(rubric, sheet, roster))
        add("grade_sheet (origin, roster, evaluate)", t)
        unit = by_code[sheet.meta["unit_code"]]
        t, _ = timed(lambda: evaluate_sheet(rubric, sheet, unit))
        add("  of which evaluate_sheet alone", t)
        t, blob = timed(lambda: pickle.dumps(sheet, protocol=pickle.HIGHEST_PROTOCOL))
        add("pickle.dumps(SheetData)", t)
        pickled["SheetData"].append(len(blob))
        t, _ = timed(lambda: pickle.loads(blob))
        add("pickle.loads(SheetData)", t)
        if Graded is not None:
            made = (sheet.meta.get("rubric_id", "?"), sheet.meta.get("rubric_version", "?"))
            back = Graded(outcome, made)
            t, blob = timed(lambda: pickle.dumps(back, protocol=pickle.HIGHEST_PROTOCOL))
            add("pickle.dumps(worker result)", t)
            pickled["worker result"].append(len(blob))
            t, back = timed(lambda: pickle.loads(blob))
            add("pickle.loads(worker result)", t)
            outcome = back.outcome
        if compact is not None:
            t, outcome = timed(lambda: compact(outcome, shared))
            add("compact (parent side)", t)
        outcomes.append(outcome)

    print(f"Per-file stage costs, one process, {n:,} sheets of {folder} (warm cache)")
    print(
        f"  files: {statistics.mean(sizes) / 1024:.1f} KiB on average; pickled: "
        + ", ".join(f"{k} {statistics.mean(v) / 1024:.1f} KiB" for k, v in pickled.items() if v)
    )
    print(f"  {'stage':40} {'mean ms':>8} {'med ms':>8} {'p95 ms':>8} {'total s':>9}")
    for label, secs in stages.items():
        row(label, secs)
    parts = sum(
        sum(stages[k])
        for k in stages
        if k == "read bytes"
        or (k.startswith("xlsx: ") if xlsx is not None else k[0].isalpha())
        and not k.startswith(("=", "grade", "pickle", "compact"))
    )
    print(
        f"  (sum of the read parts: {parts:.2f} s; read_workbook measured: "
        f"{sum(stages['= read_workbook (as grade reads)']):.2f} s)"
    )

    print("\nBatch-level steps, once for the whole set:")
    assemble = groups.assemble
    if assemble is not None:
        t, report = timed(lambda: assemble(rubric, outcomes, roster))
        print(
            f"  assemble (duplicates, missing, normalise, settle, rank): {t:7.2f} s ({t / n * 1000:.2f} ms/sheet)"
        )
    t, report = timed(lambda: pipeline.grade_sheets(rubric, sheets, roster))
    print(
        f"  grade_sheets (grade every sheet + assemble):            {t:7.2f} s ({t / n * 1000:.2f} ms/sheet)"
    )
    t, _ = timed(lambda: [roster.get(s.meta["unit_code"]) for s in sheets])
    print(f"  roster.get for every sheet:                              {t:7.2f} s")
    from rich.console import Console

    from ictscore.reports import export
    from ictscore.reports import terminal as render

    def table() -> None:
        Console(file=io.StringIO(), width=200).print(render.report_tables(report, rubric))

    t, _ = timed(table)
    print(f"  render the ranked tables (rich, to a string):           {t:7.2f} s")
    from ictscore.reports.plain import plain_text

    t, _ = timed(lambda: plain_text(render.report_tables(report, rubric)))
    print(f"  the same as plain text (a file or a pipe):              {t:7.2f} s")
    t, _ = timed(lambda: export.to_json(report, rubric))
    print(f"  to_json:                                                {t:7.2f} s")
    t, _ = timed(lambda: discovery.find_sheets(sheets_dir))
    print(f"  find_sheets:                                            {t:7.2f} s")
    big = make_sheets.roster_rows(10_000)
    with tempfile.TemporaryDirectory() as tmp:
        make_sheets.write_roster(big, Path(tmp) / "u.csv")
        r10 = load_units(Path(tmp) / "u.csv")
    t, _ = timed(lambda: [r10.get(code) for code, *_ in big])
    print(f"  roster.get for 10,000 codes in a 10,000-unit roster:     {t:7.2f} s")

    from ictscore.grading.workers import read_isolated

    one = sum(stages["= read_workbook (as grade reads)"])
    t, _ = timed(lambda: read_isolated(paths))
    print(
        f"\nread_isolated (the worker pool, reading only) over {n:,} files: {t:.2f} s; "
        f"read_workbook in one process: {one:.2f} s ({one / t:.2f}x)"
    )
    grade_files = workers.grade_files
    if grade_files is not None:
        loop = one + sum(stages["grade_sheet (origin, roster, evaluate)"])
        t, _ = timed(lambda: grade_files(paths, rubric, roster))
        print(
            f"grade_files (the worker pool, reading and grading) over {n:,} files: {t:.2f} s; "
            f"read_workbook + grade_sheet in one process: {loop:.2f} s ({loop / t:.2f}x)"
        )

    print(
        f"\ncProfile of the in-process pipeline (read_workbook loop + grade_sheets + table), top {args.top} by own time:"
    )
    prof = cProfile.Profile()
    prof.enable()
    read = [reader.read_workbook(p, str(p)) for p in paths]
    rep = pipeline.grade_sheets(rubric, read, roster)  # grade_sheet on each + assemble
    Console(file=io.StringIO(), width=200).print(render.report_tables(rep, rubric))
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(args.top)
    print(_trim(out.getvalue()))
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(f"... and top {args.top} by cumulative time:")
    print(_trim(out.getvalue()))

    if not args.no_cli_profile:
        with tempfile.TemporaryDirectory() as tmp:
            prof_file = Path(tmp) / "grade.prof"
            t0 = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "cProfile",
                    "-o",
                    str(prof_file),
                    "-m",
                    "ictscore",
                    "grade",
                    str(sheets_dir),
                    "--units",
                    str(folder / "units.csv"),
                    "--rubric",
                    make_sheets.RUBRIC,
                    "-q",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            wall = time.perf_counter() - t0
            out = io.StringIO()
            pstats.Stats(str(prof_file), stream=out).sort_stats("cumulative").print_stats(args.top)
            print(
                f"cProfile of the real `ictscore grade` parent process ({wall:.1f} s wall under the profiler; workers not profiled), top {args.top} by cumulative time:"
            )
            print(_trim(out.getvalue()))


def _trim(text: str) -> str:
    """pstats output without its header noise, paths shortened."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    site = str(Path(sys.prefix))
    return "\n".join(
        ln.replace(site + "/lib/python3.11/site-packages/", "").replace(str(HERE.parent) + "/", "")
        for ln in lines[start - 1 if start else 0 :]
    )


if __name__ == "__main__":
    main()
