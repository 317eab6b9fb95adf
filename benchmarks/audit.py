"""Time `ictscore audit` at national scale: 10,000 graded units, 1,000 Monte Carlo runs.

    .venv/bin/python benchmarks/audit.py                      # 10,000 units, 1,000 runs
    .venv/bin/python benchmarks/audit.py --units 2000 --runs 200

The results (the JSON contract of `grade`) are synthesised in this process: the shipped examples
are graded once (`grade_folder`, then `reports.data.report_dict`), and each of the N units is a
copy of an example unit of its group, in the groups' real proportions (tiengiang-2020: 5 ngành
dọc, 19 sở, 11 huyện, 173 xã out of 208), with its own seeded points (each criterion's points
moved by up to ±15% of its maximum, kept within [0, max]), its own inputs (each number moved by
up to ±20%) and its total the sum of its points, classified in the rubric's bands. One unit in
200 is an exact copy of another's inputs, so the copy index has pairs to find.

Printed: the seconds of each stage of the audit (reading the frames, criteria, copies,
outliers, boundary, the Monte Carlo) and of the whole `audit`, and the peak memory (tracemalloc,
which numpy reports to, and the process's maximum resident set size).
"""

from __future__ import annotations

import argparse
import copy
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARES = {"nganh-doc": 5, "so-nganh": 19, "huyen": 11, "xa": 173}


def _examples() -> tuple[dict[str, Any], Any]:
    from ictscore.grading.pipeline import GradeOptions, grade_folder
    from ictscore.reports.data import report_dict

    report = grade_folder(ROOT / "examples" / "sheets", GradeOptions(jobs=1))
    assert report.rubric is not None
    return report_dict(report, report.rubric), report.rubric


def synthesise(data: dict[str, Any], rubric: Any, n: int, seed: int = 0) -> dict[str, Any]:
    """N graded units made from the examples' (see the module docstring)."""
    rng = random.Random(seed)
    graded = [u for u in data["units"] if u.get("total") is not None]
    bands = data["bands"]
    whole = sum(SHARES.values())
    units: list[dict[str, Any]] = []
    planted = [0]
    counts = {gid: n * share // whole for gid, share in SHARES.items()}
    counts["xa"] += n - sum(counts.values())  # the communes take what rounding leaves
    for gid, count in counts.items():
        plan = rubric.plan(gid)
        models = [u for u in graded if u["group"] == gid]
        for i in range(count):
            unit = copy.deepcopy(models[i % len(models)])
            unit["code"] = f"{gid}-{i:05d}"
            unit["name"] = f"Đơn vị {gid} {i}"
            unit["file"] = f"sheets/{unit['code']}.xlsx"
            total = 0.0
            for cid, value in unit["points"].items():
                top = float(plan.get(cid).max) if plan.get(cid) else 0.0
                moved = min(top, max(0.0, (value or 0) + rng.uniform(-0.15, 0.15) * top))
                unit["points"][cid] = round(moved, 2)
                total += -moved if plan.kind_of(cid) == "penalty" else moved
            unit["self_points"] = dict(unit["points"])
            for slots in unit["inputs"].values():
                for entry in slots.values():
                    value = entry["value"]
                    if isinstance(value, int | float) and value:
                        moved = value * rng.uniform(0.8, 1.2)
                        entry["value"] = round(moved) if isinstance(value, int) else round(moved, 2)
            if i % 200 == 199:
                unit["inputs"] = copy.deepcopy(units[-1]["inputs"])
                planted[0] += 1
            unit["total"] = round(total, 2)
            unit["band"] = next(b["id"] for b in bands if b["min"] is None or total >= b["min"])
            units.append(unit)
    return {**data, "units": units, "planted": planted[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from ictscore.audit import boundary, copies, criteria, montecarlo, outliers
    from ictscore.audit.frame import group_frames
    from ictscore.audit.run import AuditOptions, audit

    data, rubric = _examples()
    data = synthesise(data, rubric, args.units)
    options = AuditOptions(runs=args.runs)
    print(f"{len(data['units']):,} graded units, {args.runs:,} Monte Carlo runs")
    started = time.perf_counter()
    frames = group_frames(data, rubric)
    stages = {"frames": time.perf_counter() - started}
    mins = [b["min"] for b in data["bands"]]
    steps = {
        "criteria": lambda f: criteria.criteria_flags(
            f, criteria.criteria_measures(f), options.criteria
        ),
        "copies": lambda f: copies.copied_pairs(f, options.copies),
        "outliers": lambda f: outliers.outliers(f, options.outliers),
        "boundary": lambda f: boundary.boundary_units(f, data["bands"], 0.01),
        "monte carlo": lambda f: montecarlo.simulate(
            f, mins, 2, montecarlo.MonteCarloOptions(args.runs)
        ),
    }
    found = {}
    for name, step in steps.items():
        started = time.perf_counter()
        found[name] = sum(len(step(f)) for f in frames)
        stages[name] = time.perf_counter() - started
    for name, seconds in stages.items():
        print(f"  {name:<12} {seconds:8.2f} s  {found.get(name, '')}")
    started = time.perf_counter()
    result = audit(data, rubric, options)
    whole = time.perf_counter() - started
    tracemalloc.start()
    audit(data, rubric, options)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pairs = sum(len(g["copies"]) for g in result["groups"])
    print(f"audit, whole: {whole:.2f} s")
    print(f"peak memory of the audit (tracemalloc, numpy included): {peak / 2**20:.0f} MiB")
    print(f"process maximum resident set (the synthesised results included): {rss:.0f} MiB")
    print(f"copied pairs: {data['planted']} planted, {pairs} found")


if __name__ == "__main__":
    main()
