"""Time every output of `ictscore grade` at national scale: the ranked table (plain, as piped),
JSON, CSV (both variants), the results workbook, the web page and the feedback workbooks.

    .venv/bin/python benchmarks/outputs.py           # 200, 2,000, 10,000; 3,000 in one group
    .venv/bin/python benchmarks/outputs.py --sizes 200,2000 --no-one-group
    .venv/bin/python benchmarks/outputs.py --feedback-sample 500   # feedback: 500 units at most

The report is built in this process without a sheet file per unit: one sheet per group is made
from the template (`build_template` + `fill_workbook`, the values of examples/make_examples.py)
and read once (`read_workbook`); each unit's `SheetData` is that sheet with the unit's own record
and its own seeded values in the input cells. The units are then graded as `grade` grades them
(`grading.pipeline.grade_sheets`: validation, the group pass, ranks), so every output sees a
realistic report: N units over the four groups of tiengiang-2020 in the real proportions (the
roster of benchmarks/make_sheets.py), or N units in one group (`--one-group`, the issue's
3,000 communes). Every feedback workbook is a copy of its group's sheet file, as a unit's is a
copy of its own.

Each output is written to a temporary folder and timed once (`time.perf_counter`); the table
prints seconds, milliseconds per unit, and for the two largest sizes the ratio of their seconds
(about the ratio of the sizes when the output is linear: 5 for 10,000 against 2,000) and of their
milliseconds per unit (about 1 when linear; the one to read for a sampled feedback).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RUBRIC = "tiengiang-2020"
MISSING_EVERY = 20
"""One unit of the roster in this many sends nothing (listed as missing)."""
MESSY_EVERY = 25
"""One sheet in this many types a decimal comma as text (a coerced-value warning)."""


def _messy(values: dict[str, dict[str, Any]]) -> None:
    for slots in values.values():
        points = slots.get("points")
        if isinstance(points, float | int) and points:
            slots["points"] = f"{points:g}".replace(".", ",") + " "
            return


def _module(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _roster_rows(n: int, one_group: bool) -> list[tuple[str, str, str, str]]:
    make_sheets = _module("_bench_make_sheets", HERE / "make_sheets.py")
    if not one_group:
        rows: list[tuple[str, str, str, str]] = make_sheets.roster_rows(n)
        return rows
    names = ("Xã Tân Mỹ Chánh", "Phường", "Xã Long Hưng", "Thị trấn Mỹ Phước", "Xã Bình Đức")
    return [(f"x{k + 1:05d}", f"{names[k % 5]} {k // 5 + 1}", "xa", "") for k in range(n)]


def build_report(n: int, folder: Path, one_group: bool = False) -> tuple[Any, Any]:
    """(report, rubric): n units graded in process, their sheets made from one file per group
    in `folder`."""
    from ictscore.grading.pipeline import grade_sheets
    from ictscore.roster import Roster, Unit
    from ictscore.rubric.load import load_rubric
    from ictscore.sheets.fill import fill_workbook
    from ictscore.sheets.layout import unit_token
    from ictscore.sheets.reader import RawCell, read_workbook
    from ictscore.sheets.template import build_template

    examples = _module("_bench_make_examples", ROOT / "examples" / "make_examples.py")
    rubric = load_rubric(RUBRIC)
    rows = _roster_rows(n, one_group)
    units = [Unit(code, name, group, parent or None) for code, name, group, parent in rows]
    roster = Roster(tuple(units), "units.csv")
    sending = [u for i, u in enumerate(units) if i % MISSING_EVERY != MISSING_EVERY - 1]
    read: dict[str, Any] = {}
    for unit in units:
        if unit.group in read:
            continue
        wb = build_template(rubric, unit)
        fill_workbook(wb, examples.unit_values(rubric, unit))
        path = folder / f"{unit.group}.xlsx"
        wb.save(path)
        read[unit.group] = read_workbook(path)
    slots = {
        c.id: [s.key for s in c.criterion.method.slots(c.max)]
        for group in rubric.groups
        for c in rubric.plan(group.id).criteria
        if c.criterion.method is not None
    }
    sheets = []
    for i, unit in enumerate(sending):
        base = read[unit.group]
        values = examples.unit_values(rubric, unit)
        if i % MESSY_EVERY == 0:  # a decimal comma typed as text: a coerced-value warning
            _messy(values)
        new_rows = []
        for row in base.rows:
            typed = values.get(row.id)
            if typed is None:
                new_rows.append(row)
                continue
            inputs = (
                tuple(
                    RawCell(typed.get(key), cell.cell)
                    for key, cell in zip(slots[row.id], row.inputs, strict=False)
                )
                + row.inputs[len(slots[row.id]) :]
            )
            new_rows.append(dataclasses.replace(row, inputs=inputs, points=RawCell(None, "")))
        meta = {**base.meta, "unit_code": unit.code, "unit_name": unit.name}
        meta["unit_parent"] = unit.parent or ""
        if "unit_token" in meta:  # the record's token is the unit's, as its template has it
            meta["unit_token"] = unit_token(rubric.id, rubric.version, unit.code)
        sheets.append(dataclasses.replace(base, meta=meta, rows=tuple(new_rows)))
    report = grade_sheets(rubric, sheets, roster)
    invalid = sum(1 for u in report.units if u.status.value == "invalid")
    if invalid:  # a report of invalid units would time the wrong thing (issue 13's review)
        raise SystemExit(f"{invalid} of {len(report.units)} units came out invalid")
    return report, rubric


def _outputs(feedback_sample: int | None) -> dict[str, Callable[[Any, Any, Path], int]]:
    """Each output as a function writing it into a folder and returning how many units it
    wrote (the feedback: one workbook per unit with a sheet, of the sample)."""
    from ictscore.reports import export, terminal
    from ictscore.reports.feedback import write_feedback
    from ictscore.reports.plain import plain_text

    def table(report: Any, rubric: Any, out: Path) -> int:
        (out / "table.txt").write_text(plain_text(terminal.report_tables(report, rubric)))
        return len(report.units)

    def fmt(suffix: str) -> Callable[[Any, Any, Path], int]:
        def write(report: Any, rubric: Any, out: Path) -> int:
            export.write_report(report, rubric, out / f"r{suffix}")
            return len(report.units)

        return write

    def csv_excel(report: Any, rubric: Any, out: Path) -> int:
        export.write_report(report, rubric, out / "excel.csv", csv_excel=True)
        return len(report.units)

    def feedback(report: Any, rubric: Any, out: Path) -> int:
        if feedback_sample is not None and len(report.units) > feedback_sample:
            step = len(report.units) / feedback_sample
            units = tuple(report.units[int(i * step)] for i in range(feedback_sample))
            report = dataclasses.replace(report, units=units)
        return len(write_feedback(rubric, report, out / "feedback"))  # units with a sheet

    return {
        "table (plain)": table,
        "JSON": fmt(".json"),
        "CSV": fmt(".csv"),
        "CSV for Excel": csv_excel,
        "results .xlsx": fmt(".xlsx"),
        "page .html": fmt(".html"),
        "annex .docx": fmt(".docx"),
        "feedback": feedback,
    }


def measure(
    n: int, one_group: bool, only: set[str] | None, feedback_sample: int | None
) -> dict[str, tuple[float, int]]:
    """{output: (seconds, units written)} for a report of n units."""
    times: dict[str, tuple[float, int]] = {}
    with tempfile.TemporaryDirectory(prefix="ictscore-outputs-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        report, rubric = build_report(n, folder, one_group)
        print(f"  built the report of {n:,} units in {time.perf_counter() - start:.1f} s")
        for name, write in _outputs(feedback_sample).items():
            if only is not None and name not in only:
                continue
            out = folder / name.replace(" ", "-").replace(".", "")
            out.mkdir()
            start = time.perf_counter()
            written = write(report, rubric, out)
            seconds = time.perf_counter() - start
            times[name] = (seconds, written)
            print(f"  {name:<15} {seconds:8.2f} s  {1000 * seconds / written:7.2f} ms/unit")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,2000,10000")
    parser.add_argument("--one-group", type=int, default=3000, help="units in one group (0: skip)")
    parser.add_argument("--no-one-group", action="store_const", const=0, dest="one_group")
    parser.add_argument("--only", help="comma-separated outputs to time (names as printed)")
    parser.add_argument(
        "--feedback-sample",
        type=int,
        default=None,
        help="write feedback for this many units at most (spread evenly), timed per unit",
    )
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    results: dict[str, dict[str, tuple[float, int]]] = {}
    for n in [int(s) for s in args.sizes.split(",")]:
        print(f"{n:,} units, four groups")
        results[f"{n:,}"] = measure(n, False, only, args.feedback_sample)
    if args.one_group:
        print(f"{args.one_group:,} units in one group")
        results[f"{args.one_group:,} (one group)"] = measure(
            args.one_group, True, only, args.feedback_sample
        )
    _table(results)


def _table(results: dict[str, dict[str, tuple[float, int]]]) -> None:
    sizes = [k for k in results if "one group" not in k]
    names = list(next(iter(results.values())))
    out = io.StringIO()
    head = ["output", *(f"{k} s" for k in results), *(f"{k} ms/unit" for k in results)]
    if len(sizes) >= 2:
        head.append(f"s {sizes[-1]}/{sizes[-2]}")
        head.append(f"ms/unit {sizes[-1]}/{sizes[-2]}")
    out.write("| " + " | ".join(head) + " |\n")
    out.write("|" + "---|" * len(head) + "\n")
    for name in names:
        cells = [name]
        cells += [f"{results[k][name][0]:.2f}" for k in results]
        cells += [f"{1000 * results[k][name][0] / results[k][name][1]:.2f}" for k in results]
        if len(sizes) >= 2:
            big, small = results[sizes[-1]][name], results[sizes[-2]][name]
            cells.append(f"{big[0] / small[0]:.1f}" if small[0] else "-")
            per_unit = (big[0] / big[1]) / (small[0] / small[1]) if small[0] else 0
            cells.append(f"{per_unit:.2f}" if per_unit else "-")
        out.write("| " + " | ".join(cells) + " |\n")
    sys.stdout.write(out.getvalue())


if __name__ == "__main__":
    main()
