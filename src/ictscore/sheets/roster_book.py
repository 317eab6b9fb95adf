"""A roster in any of the forms offices keep it: a text file (roster.py reads it), or a workbook
(.xlsx, .xlsm, .xls, .ods) whose first sheet holds the same columns, read as the score sheets
are: the file check first (filecheck.py), then python-calamine.

`load_units` is the one function that reads a roster file, whatever its form (the public
`ictscore.load_units`); docs/roster.md describes the file.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ictscore.errors import UnitsError, WorkbookError
from ictscore.issues import ERROR, CellRef, Finding
from ictscore.roster import (
    MAX_UNITS,
    Roster,
    Rows,
    parse_rows,
    read_roster_file,
    text_rows,
)
from ictscore.sheets.filecheck import inspect_file

_WORKBOOK_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def load_units(path: str | Path) -> Roster:
    """Read a roster: CSV or tab-separated text (UTF-8, UTF-16 or Windows-1258; `,` `;` or tab)
    or a workbook's first sheet, headers in English or Vietnamese. Raises UnitsError with
    every problem."""
    source = str(path)
    data = read_roster_file(path)
    if data.startswith(_WORKBOOK_MAGIC):
        return parse_rows(workbook_rows(data, source), source)
    return parse_rows(text_rows(data, source), source)


def workbook_rows(data: bytes, source: str) -> Rows:
    """The rows of a workbook roster's first sheet as text, each with its row number; the file
    checked before any parser sees it. Raises UnitsError."""
    try:
        inspected = inspect_file(data, CellRef(source), max_rows=MAX_UNITS + 1)
    except WorkbookError as exc:
        raise UnitsError(source, [_finding(source, str(exc.message))]) from exc
    try:
        import python_calamine

        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(inspected.data))
        try:
            sheet = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
        finally:
            wb.close()
    except Exception as exc:  # noqa: BLE001 - any failure of the parser is this file's problem
        message = f"cannot read the workbook: {type(exc).__name__}"
        raise UnitsError(source, [_finding(source, message)]) from exc
    rows = [(number, [_text(v) for v in row]) for number, row in enumerate(sheet, 1)]
    width = max((_last_filled(row) for _, row in rows[:1]), default=0)
    return [(number, row[:width] if _last_filled(row) <= width else row) for number, row in rows]


def _text(value: Any) -> str:
    """A cell as the roster reads it: a code typed as a number (28249, read as 28249.0) is
    the text "28249"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _last_filled(row: list[str]) -> int:
    """The number of cells up to the last one holding something."""
    return next((i + 1 for i in range(len(row) - 1, -1, -1) if row[i].strip()), 0)


def _finding(source: str, message: str) -> Finding:
    return Finding(ERROR, source, None, "", message)
