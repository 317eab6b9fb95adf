"""Generate N realistic, filled score sheets for the benchmark (cached under benchmarks/.cache/N/).

    .venv/bin/python benchmarks/make_sheets.py 200 2000 10000      # make (or reuse) the sets
    .venv/bin/python benchmarks/make_sheets.py 200 --force         # make the set again

Each set is `benchmarks/.cache/<N>/` with:

- `units.csv`: a synthetic roster of N units (`code,name,group,parent`) cycling over the four
  groups of the bundled rubric `tiengiang-2020` in the real province's proportions
  (nganh-doc:so-nganh:huyen:xa = 5:19:11:173), unique codes, every commune's parent a district of
  the roster;
- `sheets/`: one filled sheet per unit, made with `ictscore.sheets.template.build_template` and
  `ictscore.sheets.fill.fill_workbook` (values from a generator seeded by the unit code, as
  examples/make_examples.py does). About half are saved by openpyxl (formulas without cached
  values); the other half are then re-saved by LibreOffice (`soffice --headless --convert-to
  xlsx`), so their formulas carry cached values, as a unit's file does. About 4% of the units type
  as people do (a decimal comma as text, "x" for Có): `coerced-value` warnings, still gradeable;
- `.made.json`: how the set was made (the marker: a set without it is incomplete and is made
  again).

The roster of N is a prefix of the roster of any larger N, so a larger set reuses (hard-links) the
files of the largest smaller set already made, and only makes the rest. A set is checked before
its marker is written: `ictscore grade sheets --units units.csv --rubric tiengiang-2020 -q` must
exit 0 with every unit graded.
"""

from __future__ import annotations

# ruff: noqa: B023 - `run` is called in the loop that defines it
import argparse
import csv
import datetime as dt
import importlib.util
import json
import multiprocessing
import os
import queue
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
RUBRIC = "tiengiang-2020"
RECIPE = "ictscore-bench-sheets/1"
"""Bump when the way sets are made changes: cached sets of another recipe are made again."""
GROUPS = (("nganh-doc", 5), ("so-nganh", 19), ("huyen", 11), ("xa", 173))
"""The groups of tiengiang-2020 and their sizes in the real roster (examples/units.csv)."""
LIBREOFFICE_SHARE = 0.5
MESSY_SHARE = 0.04
SOFFICE_BATCH = 200
"""Files per `soffice --convert-to` call."""
ICTSCORE = Path(sys.executable).with_name("ictscore")


# --- the roster ---------------------------------------------------------------------------------


def group_pattern() -> list[str]:
    """One cycle of 208 group ids, each group as often as in the real roster and spread evenly
    (smooth weighted round robin), starting with one unit of each of the first three groups so
    that a district exists before the first commune."""
    total = sum(w for _, w in GROUPS)
    current = {g: 0 for g, _ in GROUPS}
    order: list[str] = []
    for _ in range(total):
        for g, w in GROUPS:
            current[g] += w
        best = max(current, key=lambda g: current[g])
        current[best] -= total
        order.append(best)
    head = ["nganh-doc", "so-nganh", "huyen"]
    rest = list(order)
    for g in head:
        rest.remove(g)
    return head + rest


_NAMES = {
    "nganh-doc": ("Chi cục Thuế khu vực", "Kho bạc Nhà nước khu vực", "Bảo hiểm xã hội khu vực"),
    "so-nganh": ("Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Y tế", "Ban Quản lý dự án"),
    "huyen": ("Huyện Châu Thành", "Huyện Cái Bè", "Thị xã Cai Lậy", "Huyện Gò Công Tây"),
    "xa": ("Xã Tân Mỹ Chánh", "Phường", "Xã Long Hưng", "Thị trấn Mỹ Phước", "Xã Bình Đức"),
}
_PREFIX = {"nganh-doc": "nd", "so-nganh": "sn", "huyen": "h", "xa": "x"}


def roster_rows(n: int) -> list[tuple[str, str, str, str]]:
    """(code, name, group, parent) of the first n units; rows of n are a prefix of rows of n+1."""
    pattern = group_pattern()
    counts = {g: 0 for g, _ in GROUPS}
    districts: list[str] = []
    rows: list[tuple[str, str, str, str]] = []
    communes_per_district = GROUPS[3][1] / GROUPS[2][1]
    for i in range(n):
        group = pattern[i % len(pattern)]
        k = counts[group]
        counts[group] += 1
        code = f"{_PREFIX[group]}{k + 1:05d}"
        names = _NAMES[group]
        name = f"{names[k % len(names)]} {k // len(names) + 1}"
        parent = ""
        if group == "huyen":
            districts.append(code)
        elif group == "xa":
            parent = districts[min(len(districts) - 1, int(k / communes_per_district))]
        rows.append((code, name, group, parent))
    return rows


def write_roster(rows: Iterable[tuple[str, str, str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "group", "parent"])
        w.writerows(rows)


def through_libreoffice(code: str) -> bool:
    return random.Random(f"lo-{code}").random() < LIBREOFFICE_SHARE


# --- making sheets (in worker processes) --------------------------------------------------------

_STATE: dict[str, Any] = {}


def _examples() -> Any:
    """examples/make_examples.py, for its realistic, seeded values (`unit_values`)."""
    spec = importlib.util.spec_from_file_location(
        "_ictscore_make_examples", ROOT / "examples" / "make_examples.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _init_worker() -> None:
    from ictscore.rubric.load import load_rubric

    _STATE["rubric"] = load_rubric(RUBRIC)
    _STATE["examples"] = _examples()


def _messy(values: dict[str, dict[str, Any]], rng: random.Random) -> None:
    """Type one value as people do: "9,5" as text for points, or "x" for Có (coerced-value
    warnings; the sheet is still graded)."""
    from ictscore.rubric.methods import YES

    if rng.random() < 0.5:
        for slots in values.values():
            if "points" in slots and slots["points"] not in (0, 0.0):
                slots["points"] = f"{slots['points']:g}".replace(".", ",")
                return
    for slots in values.values():
        if slots.get("answer") == YES:
            slots["answer"] = "x"
            return


def make_one(job: tuple[str, str, str, str, str, str]) -> str:
    """Build, fill and save the sheet of one unit: (code, name, group, parent, parent name,
    path). Returns the path."""
    from ictscore.roster import Unit
    from ictscore.sheets.fill import fill_workbook
    from ictscore.sheets.template import build_template

    code, name, group, parent, parent_name, path = job
    rubric = _STATE["rubric"]
    examples = _STATE["examples"]
    unit = Unit(code, name, group, parent or None, parent_name or None)
    wb = build_template(rubric, unit)
    values = examples.unit_values(rubric, unit)
    rng = random.Random(f"mess-{code}")
    if rng.random() < MESSY_SHARE:
        _messy(values, rng)
    fill_workbook(wb, values, examples._evidence(values))
    wb.save(path)
    return path


# --- LibreOffice --------------------------------------------------------------------------------


def _soffice_batch(files: Sequence[Path], outdir: Path, profile: Path) -> None:
    """One `soffice --convert-to xlsx` call over `files` (its own user profile, so that two can
    run at once). LibreOffice may skip files and still exit 0: the caller checks the outputs."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("soffice (LibreOffice) is not on PATH: it is needed to make the sheets")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx:Calc Office Open XML",
            "--outdir",
            str(outdir),
            *map(str, files),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=1800,
        check=False,
    )


def convert_all(files: Sequence[Path], outdir: Path, jobs: int, log: Any = print) -> int:
    """Convert every file into `outdir` (same name), `jobs` soffice processes at a time,
    SOFFICE_BATCH files per call; files whose output is missing are tried again (up to 4
    rounds, in smaller batches). Returns the number of retried files; raises if some never
    convert."""
    outdir.mkdir(parents=True, exist_ok=True)
    todo = list(files)
    retried = 0
    with tempfile.TemporaryDirectory(prefix="ictscore-bench-lo-") as tmp:
        profiles = [Path(tmp) / f"profile{i}" for i in range(max(1, jobs))]
        for round_ in range(5):
            if not todo:
                break
            if round_:
                retried += len(todo)
                log(f"  LibreOffice skipped {len(todo)} file(s); trying them again")
            size = SOFFICE_BATCH if round_ == 0 else max(1, SOFFICE_BATCH // (4**round_))
            batches = [todo[i : i + size] for i in range(0, len(todo), size)]
            free: queue.Queue[Path] = queue.Queue()
            for profile in profiles:
                free.put(profile)

            def run(batch: list[Path]) -> None:
                profile = free.get()  # no two soffice processes share a user profile
                try:
                    _soffice_batch(batch, outdir, profile)
                finally:
                    free.put(profile)

            with ThreadPoolExecutor(len(profiles)) as pool:
                list(pool.map(run, batches))
            todo = [f for f in todo if not (outdir / f.name).is_file()]
        if todo:
            raise RuntimeError(f"LibreOffice did not convert {len(todo)} file(s): {todo[:3]}")
    return retried


# --- a set --------------------------------------------------------------------------------------


def set_dir(n: int) -> Path:
    return CACHE / str(n)


def marker(n: int) -> dict[str, Any] | None:
    path = set_dir(n) / ".made.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if data.get("recipe") == RECIPE and data.get("n") == n else None


def ensure(n: int, jobs: int = 2, force: bool = False, log: Any = print) -> Path:
    """The set of n sheets: from the cache, or made now. Returns its folder."""
    if not force and marker(n) is not None:
        return set_dir(n)
    started = time.perf_counter()
    jobs = max(1, jobs)
    final = set_dir(n)
    work = CACHE / f"{n}.partial"
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(final, ignore_errors=True)
    sheets = work / "sheets"
    stage = work / "stage"  # openpyxl files waiting for LibreOffice
    converted = work / "converted"
    for d in (sheets, stage, converted):
        d.mkdir(parents=True)
    rows = roster_rows(n)
    write_roster(rows, work / "units.csv")

    from ictscore.roster import Unit, sheet_file_name

    names = {code: name for code, name, _, _ in rows}
    base = _reusable(n)
    reused = 0
    if base is not None:
        base_dir, base_n = set_dir(base), base
        for code, name, group, _parent in rows[:base_n]:
            fname = sheet_file_name(Unit(code, name, group))
            os.link(base_dir / "sheets" / fname, sheets / fname)
            reused += 1
        log(f"  reusing the {base_n} sheets of set {base_n} (hard links)")
    jobs_list: list[tuple[str, str, str, str, str, str]] = []
    to_convert: list[Path] = []
    for code, name, group, parent in rows[reused:]:
        fname = sheet_file_name(Unit(code, name, group))
        lo = through_libreoffice(code)
        target = (stage if lo else sheets) / fname
        if lo:
            to_convert.append(target)
        jobs_list.append((code, name, group, parent, names.get(parent, ""), str(target)))
    t0 = time.perf_counter()
    if jobs_list:
        ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
        with ctx.Pool(jobs, initializer=_init_worker) as pool:
            for i, _ in enumerate(pool.imap_unordered(make_one, jobs_list, chunksize=16), 1):
                if i % 1000 == 0:
                    log(f"  built {i}/{len(jobs_list)} sheets ({time.perf_counter() - t0:.0f} s)")
    built_s = time.perf_counter() - t0
    log(f"  built {len(jobs_list)} sheet(s) with openpyxl in {built_s:.1f} s")
    t0 = time.perf_counter()
    retried = convert_all(to_convert, converted, jobs, log) if to_convert else 0
    for f in to_convert:
        os.replace(converted / f.name, sheets / f.name)
    lo_s = time.perf_counter() - t0
    log(f"  re-saved {len(to_convert)} sheet(s) through LibreOffice in {lo_s:.1f} s")
    shutil.rmtree(stage)
    shutil.rmtree(converted)
    verified = verify(work)
    lo_codes = sum(1 for code, *_ in rows if through_libreoffice(code))
    made = {
        "recipe": RECIPE,
        "n": n,
        "rubric": RUBRIC,
        "groups": {g: sum(1 for r in rows if r[2] == g) for g, _ in GROUPS},
        "saved_by": {"openpyxl": n - lo_codes, "libreoffice": lo_codes},
        "reused_from": base,
        "reused": reused,
        "built": len(jobs_list),
        "build_seconds": round(built_s, 1),
        "libreoffice_seconds": round(lo_s, 1),
        "libreoffice_retried": retried,
        "total_seconds": round(time.perf_counter() - started, 1),
        "jobs": jobs,
        "made_at": dt.datetime.now().isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "soffice": _soffice_version(),
        "verify": verified,
    }
    (work / ".made.json").write_text(json.dumps(made, indent=2, ensure_ascii=False) + "\n")
    work.rename(final)
    log(f"  set {n} ready in {made['total_seconds']} s: {final}")
    return final


def _reusable(n: int) -> int | None:
    """The largest complete smaller set whose roster is a prefix of this one's."""
    best = None
    if not CACHE.is_dir():
        return None
    for d in CACHE.iterdir():
        if d.name.isdigit() and int(d.name) < n and marker(int(d.name)) is not None:
            m = int(d.name)
            if best is None or m > best:
                best = m
    if best is None:
        return None
    with (set_dir(best) / "units.csv").open(encoding="utf-8", newline="") as f:
        theirs = [tuple(r) for r in csv.reader(f)][1:]
    return best if theirs == [tuple(r) for r in roster_rows(best)] else None


def verify(folder: Path) -> dict[str, Any]:
    """Grade the set: it must exit 0 with every unit graded (warnings allowed)."""
    proc = subprocess.run(
        [
            str(ICTSCORE),
            "grade",
            str(folder / "sheets"),
            "--units",
            str(folder / "units.csv"),
            "--rubric",
            RUBRIC,
            "-q",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        summary = json.loads(proc.stdout)["summary"]
    except (ValueError, KeyError):
        summary = None
    expected = sum(1 for _ in (folder / "sheets").iterdir())
    ok = (
        proc.returncode == 0
        and summary is not None
        and summary["graded"] == summary["units"] == expected
        and summary["errors"] == 0
    )
    if not ok:
        raise RuntimeError(
            f"the generated set {folder} does not grade cleanly: exit {proc.returncode}, "
            f"summary {summary}, stderr: {proc.stderr[-2000:]}"
        )
    return {"exit": proc.returncode, **summary}


def _soffice_version() -> str:
    try:
        out = subprocess.run(
            ["soffice", "--version"], capture_output=True, text=True, timeout=60, check=False
        )
        return out.stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int, help="set sizes, e.g. 200 2000 10000")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes")
    parser.add_argument("--force", action="store_true", help="make the sets again")
    args = parser.parse_args()
    for n in sorted(args.sizes):
        print(f"set {n}:", flush=True)
        folder = ensure(n, args.jobs, args.force, log=lambda s: print(s, flush=True))
        print(json.dumps(marker(n), ensure_ascii=False))
        print(folder)


if __name__ == "__main__":
    main()
