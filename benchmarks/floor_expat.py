"""The floor (b): unzip each file and parse its sheet XML with expat, building no cells.

    python floor_expat.py PROCS LISTFILE

For each path of LISTFILE (one per line): open the zip, read every worksheet part
(xl/worksheets/*.xml) and the shared strings (xl/sharedStrings.xml, where the text values are),
and run xml.parsers.expat over each with no handlers. PROCS = 1 is a plain loop; PROCS > 1 a
multiprocessing pool (fork) over the same files. Prints one JSON line with the loop's seconds.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import time
import zipfile
from xml.parsers import expat


def parse(path: str) -> int:
    """Bytes of XML parsed."""
    parsed = 0
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if (name.startswith("xl/worksheets/") and name.endswith(".xml")) or (
                name == "xl/sharedStrings.xml"
            ):
                data = archive.read(name)
                parser = expat.ParserCreate()
                parser.Parse(data, True)
                parsed += len(data)
    return parsed


def main() -> None:
    procs, list_file = int(sys.argv[1]), sys.argv[2]
    with open(list_file, encoding="utf-8") as f:
        paths = f.read().splitlines()
    t0 = time.perf_counter()
    if procs <= 1:
        parsed = sum(map(parse, paths))
    else:
        ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
        with ctx.Pool(procs) as pool:
            parsed = sum(pool.imap_unordered(parse, paths, chunksize=32))
    loop = time.perf_counter() - t0
    print(json.dumps({"files": len(paths), "xml_bytes": parsed, "loop_seconds": loop}))


if __name__ == "__main__":
    main()
