"""What every sheet of the results workbook shares: the header row's look, figures as numbers,
sheet names Excel accepts, and `finish` (widths, row heights, frozen headers, the page)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ictscore.reports.files import safe_text
from ictscore.sheets.printing import (
    PAGE_NUMBERS,
    centre_rows,
    fit_rows,
    set_page,
)
from ictscore.text import xml_safe

HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


WEAK_FILL = PatternFill("solid", fgColor="FFC7CE")
"""A figure well below the maximum across the group (the criteria matrix's means)."""


def header(ws: Worksheet, row: int) -> None:
    for cell in ws[row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def cell_text(value: Any) -> Any:
    """A value as a cell holds it: text without the control characters a workbook cannot hold
    (`text.xml_safe`), and text a spreadsheet would run as a formula kept as text."""
    return safe_text(xml_safe(value)) if isinstance(value, str) else value


def as_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def sheet_title(label: str, wb: Workbook | None = None) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters, no leading or trailing
    apostrophe, and unique in `wb` ignoring case ("… (2)" when it would repeat)."""
    title = (
        re.sub(r"[\[\]:*?/\\]", "-", xml_safe(label).replace("\n", " ")).strip("'")[:31].rstrip()
        or "Sheet"
    )
    taken = {name.casefold() for name in (wb.sheetnames if wb is not None else [])}
    n, candidate = 2, title
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate = title[: 31 - len(suffix)].rstrip() + suffix
        n += 1
    return candidate


def tint(colour: str, keep: float = 0.3) -> str:
    """The band colour lightened for a cell's fill, so that black text on it reads."""
    rgb = [int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(255 - (255 - c) * keep):02X}" for c in rgb)


def finish(
    ws: Worksheet,
    widths: Sequence[float],
    header_row: int = 3,
    *,
    print_cols: int | None = None,
    last_row: int | None = None,
    landscape: bool = True,
    pages_high: int = 0,
    filtered: bool = True,
    wrap: Sequence[int] = (),
) -> None:
    """Column widths, the text of the `wrap` columns wrapped, row heights for wrapped text,
    frozen headers, a filter, and the page: A4, the first `print_cols` columns (all by default)
    down to `last_row` (the charts below the table included), the header row repeated, page
    numbers in the footer."""
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for col in wrap:  # long texts: within their column on paper, not cut at its edge
        for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=col, max_col=col):
            cell.alignment = Alignment(wrap_text=True, horizontal=cell.alignment.horizontal)
    centre_rows(ws, header_row + 1)
    fit_rows(ws)
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    if filtered and ws.max_row > header_row:
        ws.auto_filter.ref = f"A{header_row}:{ws.cell(ws.max_row, ws.max_column).coordinate}"
    area = f"A1:{get_column_letter(print_cols or len(widths))}{last_row or ws.max_row}"
    set_page(
        ws,
        landscape=landscape,
        pages_high=pages_high,
        header_rows=(header_row, header_row),
        print_area=area,
        side_margin=0.5,
        footer=PAGE_NUMBERS,
    )
