"""Time `ictscore grade` on a set of sheets with and without one file that crashes the reader.

    .venv/bin/python benchmarks/crash_recovery.py [DIR] [--repeat 3]

DIR holds the sheets and units.csv (default benchmarks/.cache/2000, made by make_sheets.py). The
crashing file (tests/data/bad/20-xls-reader-aborts.xls: the reader aborts the whole process) is
linked into a copy of the folder, in the middle of the sorted order, so that the worker dies with
half the batch still pending. A worker that dies costs the chunks it and the other workers held,
done again one file at a time (workers.run_isolated); the two times should be close.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CRASHER = HERE.parent / "tests" / "data" / "bad" / "20-xls-reader-aborts.xls"
ICTSCORE = str(Path(sys.executable).with_name("ictscore"))


def _grade(folder: Path, units: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [ICTSCORE, "grade", str(folder), "--units", str(units), "-r", "tiengiang-2020", "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - start


def _place(source: Path, target: Path) -> None:
    """A hard link where the file system allows it (no copy), else a copy (a symbolic link
    would be a link outside the folder, not followed)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", nargs="?", type=Path, default=HERE / ".cache" / "2000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sheets, units = args.dir / "sheets", args.dir / "units.csv"
    names = sorted(p.name for p in sheets.iterdir())
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "sheets"
        copy.mkdir()
        for name in names:
            _place(sheets / name, copy / name)
        middle = Path(names[len(names) // 2]).stem + "-b.xls"
        for label, crash in (("without", False), ("with one crashing file", True)):
            if crash:
                _place(CRASHER, copy / middle)
            times = [_grade(copy, units) for _ in range(args.repeat)]
            print(f"{len(names)} sheets {label}: median {statistics.median(times):.2f} s {times}")


if __name__ == "__main__":
    main()
