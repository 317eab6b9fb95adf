"""The naive loop (a): open each file with openpyxl and sum the input cells, as a user would.

    python naive_openpyxl.py default|fast LISTFILE

LISTFILE has one path per line. `default` is `openpyxl.load_workbook(path)` with its defaults;
`fast` is `load_workbook(path, read_only=True, data_only=True)`. One process, one file at a time.
Prints one JSON line: files, the sum, and the loop's own seconds (without interpreter start-up).
"""

from __future__ import annotations

import json
import sys
import time

t_start = time.perf_counter()
from openpyxl import load_workbook  # noqa: E402 - the import is part of what a user pays

SCORE_SHEET = "Bảng điểm"
INPUT_COLUMNS = (4, 5)  # E and F: "Số liệu / điểm tự chấm", "Số liệu (2)"


def main() -> None:
    mode, list_file = sys.argv[1], sys.argv[2]
    with open(list_file, encoding="utf-8") as f:
        paths = f.read().splitlines()
    t0 = time.perf_counter()
    total, inputs = 0.0, 0
    for path in paths:
        if mode == "default":
            wb = load_workbook(path)
        else:
            wb = load_workbook(path, read_only=True, data_only=True)
        ws = wb[SCORE_SHEET]
        for row in ws.iter_rows(max_col=6, values_only=True):
            cid = row[0] if row else None
            if isinstance(cid, str) and cid[:1].isdigit():  # a criterion row: "1.1", "2.4"
                for i in INPUT_COLUMNS:
                    v = row[i] if i < len(row) else None
                    if isinstance(v, int | float) and not isinstance(v, bool):
                        total += v
                        inputs += 1
        wb.close()
    loop = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "files": len(paths),
                "inputs": inputs,
                "sum": round(total, 3),
                "import_seconds": t0 - t_start,
                "loop_seconds": loop,
            }
        )
    )


if __name__ == "__main__":
    main()
