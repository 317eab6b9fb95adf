"""Benchmark `ictscore grade` at national scale against a naive openpyxl loop and the parse floor.

    .venv/bin/python benchmarks/bench.py                       # N = 200, 2,000, 10,000
    .venv/bin/python benchmarks/bench.py --sizes 200,2000 --repeat 3 --naive-sample 500

First it compiles ictscore's modules to bytecode, as `pip install .` does (an editable install
under PYTHONDONTWRITEBYTECODE=1 would compile them again at every timed run). For each N it
makes (or reuses, from benchmarks/.cache/<N>/) a set of N filled sheets
(make_sheets.py), reads every file once to warm the OS file cache, then times, each as a
subprocess:

- `ictscore grade DIR --units units.csv --rubric tiengiang-2020 -q` (stdout, the ranked tables,
  to /dev/null), end to end; `--repeat` runs, the median reported;
- (a) the naive loop: `openpyxl.load_workbook(path)` on each file in one process, summing the
  input cells (naive_openpyxl.py); above `--naive-sample` files it times an evenly spread sample
  and extrapolates linearly (said so in the output); also (a') `read_only=True, data_only=True`
  on a smaller sample;
- (b) the floor: unzip each file and run expat over its sheet XML, building no cells
  (floor_expat.py), in one process and in a pool of `--jobs` processes.

Peak memory is the peak of the summed RSS of the whole process tree (sampled from /proc every
20 ms), and the root process's own high-water mark (VmHWM). Then start-up times (`ictscore
--help`, `ictscore check ONE`, `python -c "import typer"`, median of 5) and `ictscore template`
for the 208 units of examples/units.csv.
"""

from __future__ import annotations

# ruff: noqa: E501 - report lines are long format strings
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import make_sheets  # noqa: E402

PY = sys.executable
ICTSCORE = str(Path(PY).with_name("ictscore"))
PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.02
TARGET_NAIVE_RATIO = 15.0
TARGET_FLOOR_RATIO = 2.0
TARGET_SMALL_FLOOR_RATIO = 3.0
"""At 200 sheets (a province's batch), grade within this of the floor (issue 16)."""
TARGET_MEMORY_RATIO = 1.5
TARGET_CORES = 1.5
"""CPU seconds per wall second of the grade process tree that counts as "using both cores"."""


# --- running and measuring one command ----------------------------------------------------------


@dataclass
class Run:
    argv: list[str]
    wall: float
    returncode: int
    peak_tree_rss: int
    """Bytes: the peak, over the samples, of the summed RSS of the process and its descendants."""
    root_hwm: int
    """Bytes: the root process's own peak RSS (VmHWM, last sampled)."""
    wait4_maxrss: int
    """Bytes: ru_maxrss from wait4 (the largest of the root and its waited-for children)."""
    cpu: float
    """CPU seconds (user + system) of the root and its waited-for children."""
    max_procs: int
    other_cpu: float = 0.0
    """CPU seconds the rest of the machine used meanwhile (all CPU time from /proc/stat, less
    this command's): other work that competed with the timed command."""
    stdout: str = ""
    stderr: str = ""


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _hwm(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process tree every SAMPLE_SECONDS until stopped."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak = 0
        self.root_hwm = 0
        self.max_procs = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            pids, todo = [], [self.root]
            while todo:
                pid = todo.pop()
                pids.append(pid)
                todo.extend(_children(pid))
            total = sum(_rss(p) for p in pids)
            self.peak = max(self.peak, total)
            self.max_procs = max(self.max_procs, len(pids))
            self.root_hwm = max(self.root_hwm, _hwm(self.root))
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _busy() -> float:
    """CPU seconds the whole machine has been busy (from /proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run(argv: Sequence[str], capture: bool = False, cwd: Path | None = None) -> Run:
    """Run argv as a subprocess: wall time, tree memory, CPU. stdout to /dev/null unless
    `capture`; stderr captured (to a temp file, so a chatty child never blocks)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        busy0 = _busy()
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), stdout=out if capture else subprocess.DEVNULL, stderr=err, cwd=cwd
        )
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop()
        busy = _busy() - busy0
        out.seek(0)
        err.seek(0)
        return Run(
            list(argv),
            wall,
            proc.returncode,
            sampler.peak,
            sampler.root_hwm,
            usage.ru_maxrss * 1024,
            usage.ru_utime + usage.ru_stime,
            sampler.max_procs,
            max(0.0, busy - (usage.ru_utime + usage.ru_stime)),
            out.read().decode(errors="replace") if capture else "",
            err.read().decode(errors="replace"),
        )


def mib(n: float) -> float:
    return n / 1024 / 1024


# --- one set ------------------------------------------------------------------------------------


@dataclass
class Figures:
    n: int
    grade: list[Run] = field(default_factory=list)
    naive: Run | None = None
    naive_files: int = 0
    naive_seconds: float = 0.0
    """Extrapolated to N when naive_files < N."""
    fast_files: int = 0
    fast_seconds: float = 0.0
    floor1: list[Run] = field(default_factory=list)
    floor2: list[Run] = field(default_factory=list)
    grade_csv: Run | None = None
    """One run of grade with `--format csv` (no rich table): what the table costs."""
    load: tuple[float, float] = (0.0, 0.0)
    """1-minute load average before and after the timings (other work on the machine)."""

    @property
    def grade_wall(self) -> float:
        return statistics.median(r.wall for r in self.grade)

    @property
    def grade_peak(self) -> int:
        return max(r.peak_tree_rss for r in self.grade)

    @property
    def floor1_wall(self) -> float:
        return statistics.median(r.wall for r in self.floor1)

    @property
    def floor2_wall(self) -> float:
        return statistics.median(r.wall for r in self.floor2)


def _sample(paths: list[str], k: int) -> list[str]:
    """k paths spread evenly over the sorted list (all groups, both kinds of file)."""
    if k >= len(paths):
        return paths
    step = len(paths) / k
    return [paths[int(i * step)] for i in range(k)]


def _timed_loop(script: str, mode: str, paths: list[str], n: int, tmp: Path) -> tuple[Run, float]:
    """Run a loop script over `paths`; its wall time, extrapolated to n files when it ran a
    sample: (wall - loop) + loop * n / len(paths)."""
    listing = tmp / f"{script}-{mode}-{len(paths)}.txt"
    listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
    r = run([PY, str(HERE / script), mode, str(listing)], capture=True)
    if r.returncode != 0:
        raise RuntimeError(f"{script} {mode} failed: {r.stderr[-2000:]}")
    loop = json.loads(r.stdout.strip().splitlines()[-1])["loop_seconds"]
    return r, (r.wall - loop) + loop * n / len(paths)


def bench_set(n: int, args: argparse.Namespace, log: object = print) -> Figures:
    folder = make_sheets.ensure(n, args.jobs, log=lambda s: print(s, flush=True))
    sheets = folder / "sheets"
    paths = sorted(str(p) for p in sheets.iterdir() if p.suffix == ".xlsx")
    assert len(paths) == n, (len(paths), n)
    for p in paths:  # warm-up: every file in the OS page cache before anything is timed
        Path(p).read_bytes()
    fig = Figures(n)
    load_before = os.getloadavg()[0]
    grade = [
        ICTSCORE,
        "grade",
        str(sheets),
        "--units",
        str(folder / "units.csv"),
        "--rubric",
        make_sheets.RUBRIC,
        "-q",
    ]
    run(grade)  # warm-up run (imports, bytecode, page cache); not counted
    for _ in range(args.repeat):
        r = run(grade)
        if r.returncode != 0:
            raise RuntimeError(f"ictscore grade exited {r.returncode}: {r.stderr[-2000:]}")
        fig.grade.append(r)
    fig.grade_csv = run([*grade, "--format", "csv"])
    with tempfile.TemporaryDirectory(prefix="ictscore-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for _ in range(args.repeat):
            fig.floor1.append(_timed_loop("floor_expat.py", "1", paths, n, tmp)[0])
            fig.floor2.append(_timed_loop("floor_expat.py", str(args.jobs), paths, n, tmp)[0])
        k = n if args.naive_sample is None and n <= 2000 else min(n, args.naive_sample or 2000)
        sample = _sample(paths, k)
        fig.naive, fig.naive_seconds = _timed_loop("naive_openpyxl.py", "default", sample, n, tmp)
        fig.naive_files = len(sample)
        fast = _sample(paths, min(n, args.fast_sample))
        _, fig.fast_seconds = _timed_loop("naive_openpyxl.py", "fast", fast, n, tmp)
        fig.fast_files = len(fast)
    fig.load = (load_before, os.getloadavg()[0])
    return fig


# --- printing -----------------------------------------------------------------------------------


def print_set(fig: Figures, base: Figures | None, made: dict[str, object]) -> None:
    n = fig.n
    saved = made.get("saved_by", {})
    print()
    print(f"=== N = {n:,} sheets ({made.get('groups')}; saved by {saved}) ===")
    print(
        "warm cache: every file was read once before timing, and grade ran once untimed; "
        f"grade and floor: median of {len(fig.grade)} run(s); 1-min load average "
        f"{fig.load[0]:.2f} before, {fig.load[1]:.2f} after (2 CPUs; above ~2 means other work)"
    )
    head = f"{'':44} {'wall s':>9} {'sheets/s':>9} {'tree peak MiB':>14} {'root peak MiB':>14} {'CPU s':>7} {'cores':>6}"
    print(head)
    print("-" * len(head))

    def line(label: str, wall: float, r: Run | None, note: str = "") -> None:
        if r is None:
            print(
                f"{label:44} {wall:9.2f} {n / wall:9.0f} {'':>14} {'':>14} {'':>7} {'':>6} {note}"
            )
            return
        print(
            f"{label:44} {wall:9.2f} {n / wall:9.0f} {mib(r.peak_tree_rss):14.0f} "
            f"{mib(r.root_hwm):14.0f} {r.cpu:7.1f} {r.cpu / r.wall:6.2f} {note}"
        )

    g = _median_run(fig.grade)
    line("ictscore grade (end to end)", fig.grade_wall, g, f"[max {g.max_procs} processes]")
    if fig.grade_csv is not None:
        line(
            "  the same with --format csv (no table)", fig.grade_csv.wall, fig.grade_csv, "[1 run]"
        )
    naive_note = (
        ""
        if fig.naive_files == n
        else f"[EXTRAPOLATED from {fig.naive_files:,} files: {fig.naive.wall if fig.naive else 0:.1f} s]"
    )
    line("(a) naive openpyxl load_workbook (default)", fig.naive_seconds, fig.naive, naive_note)
    fast_note = "" if fig.fast_files == n else f"[EXTRAPOLATED from {fig.fast_files:,} files]"
    line("(a') load_workbook read_only+data_only", fig.fast_seconds, None, fast_note)
    line("(b) floor: unzip + expat, 1 process", fig.floor1_wall, _median_run(fig.floor1))
    line(
        f"(b) floor: unzip + expat, {args_jobs()} processes",
        fig.floor2_wall,
        _median_run(fig.floor2),
    )
    gw = fig.grade_wall
    print(
        f"grade runs (s): {', '.join(f'{r.wall:.2f}' for r in fig.grade)}; other work on the "
        f"machine meanwhile (CPU s): {', '.join(f'{r.other_cpu:.1f}' for r in fig.grade)}; "
        f"per sheet: {gw / n * 1000:.2f} ms wall, {g.cpu / n * 1000:.2f} ms CPU"
    )
    print("ratios:")
    print(
        f"  naive/grade              = {fig.naive_seconds / gw:7.2f}   (target >= {TARGET_NAIVE_RATIO:g} at 10,000)"
    )
    print(f"  grade/floor(1 proc)      = {gw / fig.floor1_wall:7.2f}")
    print(
        f"  grade/floor({args_jobs()} procs)     = {gw / fig.floor2_wall:7.2f}   (target <= {TARGET_FLOOR_RATIO:g} at 10,000)"
    )
    print(f"  naive'/grade (read_only) = {fig.fast_seconds / gw:7.2f}")
    if base is not None:
        print(
            f"  peak memory(N)/peak(200) = {fig.grade_peak / base.grade_peak:7.2f}   "
            f"(tree; target <= {TARGET_MEMORY_RATIO:g} at 10,000); root process: "
            f"{_median_run(fig.grade).root_hwm / _median_run(base.grade).root_hwm:.2f}"
        )
    sys.stdout.flush()


_ARGS: dict[str, int] = {"jobs": 2}


def args_jobs() -> int:
    return _ARGS["jobs"]


def _median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.wall)[(len(runs) - 1) // 2]


def print_targets(figs: list[Figures]) -> None:
    big = max(figs, key=lambda f: f.n)
    base = next((f for f in figs if f.n == 200), None)
    g = _median_run(big.grade)
    print()
    print(
        f"=== Targets (at N = {big.n:,}{'' if big.n == 10_000 else '; the targets are set at 10,000'}) ==="
    )

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    r = big.naive_seconds / big.grade_wall
    print(
        f"{verdict(r >= TARGET_NAIVE_RATIO)}  grade >= {TARGET_NAIVE_RATIO:g}x faster than the naive openpyxl loop: {r:.1f}x"
    )
    r = big.grade_wall / big.floor2_wall
    print(
        f"{verdict(r <= TARGET_FLOOR_RATIO)}  grade within {TARGET_FLOOR_RATIO:g}x of the floor ({args_jobs()} processes): {r:.2f}x (1 process: {big.grade_wall / big.floor1_wall:.2f}x)"
    )
    if base is not None:
        r = base.grade_wall / base.floor2_wall
        print(
            f"{verdict(r <= TARGET_SMALL_FLOOR_RATIO)}  at 200 sheets, grade within {TARGET_SMALL_FLOOR_RATIO:g}x of the floor ({args_jobs()} processes): {r:.2f}x ({base.grade_wall:.2f} s vs {base.floor2_wall:.2f} s)"
        )
    c = g.cpu / g.wall
    print(
        f"{verdict(c >= TARGET_CORES)}  grade uses both cores (CPU s / wall s >= {TARGET_CORES:g}): {c:.2f}"
    )
    if base is not None and big is not base:
        r = big.grade_peak / base.grade_peak
        print(
            f"{verdict(r <= TARGET_MEMORY_RATIO)}  peak memory at {big.n:,} within {TARGET_MEMORY_RATIO:g}x of the peak at 200: {r:.2f}x ({mib(big.grade_peak):.0f} MiB vs {mib(base.grade_peak):.0f} MiB, process tree)"
        )
    else:
        print("----  peak memory ratio: needs N = 200 and a larger N in the same run")


def startup(one_sheet: Path, repeat: int = 5) -> None:
    print()
    print(f"=== Start-up (median of {repeat}, wall s, warm) ===")
    cases = [
        ("python -c pass", [PY, "-c", "pass"]),
        ('python -c "import typer"', [PY, "-c", "import typer"]),
        ("ictscore --help", [ICTSCORE, "--help"]),
        (f"ictscore check {one_sheet.name}", [ICTSCORE, "check", str(one_sheet)]),
    ]
    for label, argv in cases:
        run(argv)  # warm-up
        runs = [run(argv) for _ in range(repeat)]
        walls = [r.wall for r in runs]
        print(
            f"{label:58} {statistics.median(walls):6.3f}   (min {min(walls):.3f}, max "
            f"{max(walls):.3f}; exit {runs[0].returncode}; peak RSS "
            f"{mib(max(r.root_hwm for r in runs)):.0f} MiB)"
        )


def template_time(repeat: int = 3) -> None:
    print()
    units = ROOT / "examples" / "units.csv"
    walls = []
    count = 0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="ictscore-bench-tpl-") as tmp:
            r = run(
                [
                    ICTSCORE,
                    "template",
                    "--rubric",
                    make_sheets.RUBRIC,
                    "--units",
                    str(units),
                    "--out",
                    tmp,
                ]
            )
            if r.returncode != 0:
                raise RuntimeError(f"ictscore template failed: {r.stderr[-2000:]}")
            count = sum(1 for _ in Path(tmp).glob("*.xlsx"))
            walls.append((r.wall, r))
    wall, r = sorted(walls, key=lambda x: x[0])[(len(walls) - 1) // 2]
    print(f"=== ictscore template, {count} units of examples/units.csv (median of {repeat}) ===")
    print(
        f"{wall:.2f} s wall ({count / wall:.0f} sheets/s, {wall / count * 1000:.1f} ms/sheet); "
        f"CPU {r.cpu:.1f} s ({r.cpu / r.wall:.2f} cores); peak RSS {mib(r.peak_tree_rss):.0f} MiB; "
        f"runs: {', '.join(f'{w:.2f}' for w, _ in walls)}"
    )


def machine() -> None:
    def sh(cmd: str) -> str:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()

    model = sh("lscpu | sed -n 's/^Model name: *//p'")
    mem = sh("free -m | awk '/^Mem:/ {print $2}'")
    from importlib import metadata

    import openpyxl

    try:
        calamine = metadata.version("python-calamine")
    except metadata.PackageNotFoundError:
        calamine = "absent"
    ictscore = sh(f"{ICTSCORE} --version")
    commit = sh(f"git -C {ROOT} rev-parse --short HEAD") or "?"
    dirty = sh(f"git -C {ROOT} status --porcelain -- src").splitlines()
    source = f"commit {commit}" + (
        f" + uncommitted changes in {len(dirty)} file(s) of src/" if dirty else ""
    )
    print(
        f"machine: {os.cpu_count()} CPU(s) ({model}), {mem} MiB RAM, {platform.platform()}; "
        f"Python {platform.python_version()}; {ictscore} ({source}); openpyxl {openpyxl.__version__}; "
        f"python-calamine {calamine}"
    )


def bytecode() -> None:
    """Compile ictscore's modules, as `pip install .` (the README's install) does. The bench
    runs the checkout's editable install, whose modules a Python started with
    PYTHONDONTWRITEBYTECODE=1 (as on the machine this was measured on) compiles again at every
    run: some 0.05-0.1 s of each `grade` that no installed copy spends."""
    import compileall

    where = subprocess.run(
        [PY, "-c", "import ictscore, os; print(os.path.dirname(ictscore.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ok = compileall.compile_dir(where, quiet=1)
    print(f"bytecode: ictscore's modules compiled in {where} ({'done' if ok else 'FAILED'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,2000,10000", help="comma-separated set sizes")
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="processes for making sets and for the floor's pool",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of grade and the floor")
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=None,
        help="time the naive loop on K evenly spread files and extrapolate (default: all files "
        "for N <= 2000, 2000 files above)",
    )
    parser.add_argument("--fast-sample", type=int, default=500, help="files for (a') read_only")
    parser.add_argument("--no-startup", action="store_true", help="skip start-up and template")
    args = parser.parse_args()
    _ARGS["jobs"] = args.jobs
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    machine()
    bytecode()
    figs: list[Figures] = []
    base = None
    for n in sizes:
        fig = bench_set(n, args)
        figs.append(fig)
        if n == 200:
            base = fig
        print_set(fig, base, make_sheets.marker(n) or {})
    print_targets(figs)
    if not args.no_startup:
        one = sorted((make_sheets.set_dir(sizes[0]) / "sheets").iterdir())[0]
        startup(one)
        template_time()


if __name__ == "__main__":
    main()
