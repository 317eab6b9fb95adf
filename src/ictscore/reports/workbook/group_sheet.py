"""A group's ranked sheet: the table of reports.tables, its totals chart below, the file column
kept right of the print area."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from ictscore.reports import labels
from ictscore.reports.tables import (
    Column,
    Kind,
    RankedTable,
    Row,
    figure,
)
from ictscore.reports.workbook.charts import (
    chart_rows,
    totals_chart,
)
from ictscore.reports.workbook.common import (
    as_float,
    cell_text,
    finish,
    header,
    sheet_title,
    tint,
)
from ictscore.rubric.model import Rubric
from ictscore.sheets.printing import (
    title_row,
)

_WIDTHS = {
    "rank": (6, 6),
    "parent_rank": (8, 8),
    "code": (6, 14),
    "name": (16, 30),
    "parent": (10, 20),
    "band": (10, 12),
    "status": (12, 12),
    "file": (12, 40),
}
"""The group sheet's columns besides the figures (areas, self-score, raw total, total: 10):
(narrowest, widest); text columns take their longest value's width in between, and wrap."""


_GROUP_SHEET_COLUMNS = frozenset(_WIDTHS) | {
    "self_total",
    "appraisal_difference",
    "raw_total",
    "total",
}


_WRAPPED = frozenset({"name", "parent"})


def group_sheet(wb: Workbook, rubric: Rubric, ranked: RankedTable, number_format: str) -> None:
    """The ranked table of one group, and a chart of its totals with the band thresholds. The
    file column stays in the sheet, right of the print area."""
    ws = wb.create_sheet(sheet_title(ranked.group.label, wb))
    columns = [c for c in ranked.columns if c.id in _GROUP_SHEET_COLUMNS or c.kind is Kind.AREA]
    columns.sort(key=lambda c: c.id == "file")  # last: outside the print area
    printed = len(columns) - 1
    title_row(ws, cell_text(f"{rubric.title} — {ranked.group.label}"), printed)
    ws.append(["Điểm " + ranked.max_text])
    ws.append([cell_text(_heading(c)) for c in columns])
    header(ws, 3)
    for i, c in enumerate(columns, start=1):  # an area's title, long, in smaller type
        if c.kind is Kind.AREA:
            ws.cell(3, i).font = Font(bold=True, size=9)
    numeric = [i for i, c in enumerate(columns, start=1) if c.numeric]
    wrapped = [i for i, c in enumerate(columns, start=1) if c.id in _WRAPPED]
    band_col = next(i for i, c in enumerate(columns, start=1) if c.id == "band")
    for r, row in enumerate(ranked.rows, start=4):  # counted: ws.max_row scans every cell
        ws.append([cell_text(_value(row, c)) for c in columns])
        for col in numeric:
            ws.cell(r, col).number_format = number_format
        for col in wrapped:
            ws.cell(r, col).alignment = Alignment(wrap_text=True, vertical="top")
        if row.band is not None:
            colour = tint(labels.band_colour(rubric, row.band.id))
            ws.cell(r, band_col).fill = PatternFill("solid", fgColor=colour)
        ws.cell(r, band_col).alignment = Alignment(horizontal="center")
    widths = [_width(c, ranked) for c in columns]
    total_col = next(i for i, c in enumerate(columns, start=1) if c.id == "total")
    code_col = next(i for i, c in enumerate(columns, start=1) if c.id == "code")
    below = chart_rows(sum(1 for r in ranked.rows if r.graded))
    finish(ws, widths, print_cols=printed, last_row=3 + len(ranked.rows) + below)
    totals_chart(ws, rubric, ranked, (total_col, code_col), sum(widths[:printed]))


def _width(column: Column, ranked: RankedTable) -> float:
    if column.numeric:
        return 10
    narrowest, widest = _WIDTHS[column.id]
    longest = max((len(str(r.cells.get(column.id) or "")) for r in ranked.rows), default=0)
    return max(narrowest, min(widest, longest * 1.1 + 2))


def _heading(column: Column) -> str:
    if column.kind is Kind.AREA:
        return f"{column.area}. {column.title}"
    return labels.TOTAL_POINTS if column.id == "total" else column.label


def _value(row: Row, column: Column) -> Any:
    value = row.cells.get(column.id)
    if column.id == "rank" and row.unranked:
        return labels.UNRANKED_MARK
    return as_float(figure(value)) if column.numeric else value
