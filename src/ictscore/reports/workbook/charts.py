"""The results workbook's charts: the bands per group (summary) and the totals of a group with
the band thresholds, in the one band palette (`labels.band_colour`), counts on whole-number
axes, sized to print with their table."""

from __future__ import annotations

import math
from typing import Any

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import NumFmt
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.marker import DataPoint
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ictscore.reports import labels
from ictscore.reports.summary import GroupSummary
from ictscore.reports.tables import (
    RankedTable,
)
from ictscore.rubric.model import Rubric
from ictscore.sheets.printing import (
    keep_together,
)
from ictscore.text import xml_safe

CM_PER_CHAR = 0.2
"""A column's width on paper per character unit, rounded up (about 7 px at 96 dpi)."""


def count_axis(chart: BarChart, top: int) -> None:
    """Counts on the value axis: from 0, whole numbers, at most about ten steps."""
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 10**9) if top <= 10 * s)
    chart.y_axis.scaling.min = 0
    chart.y_axis.majorUnit = step
    chart.y_axis.numFmt = NumFmt(formatCode="0", sourceLinked=False)
    axes_shown(chart)


def axes_shown(chart: BarChart) -> None:
    # NOTE: openpyxl leaves `delete` unset, which recent Excel reads as a deleted axis
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def fill(series: Any, colour: str) -> None:
    """A series (or a data point) filled and outlined in `colour` (#rrggbb)."""
    series.graphicalProperties.solidFill = _hex(colour)
    series.graphicalProperties.line.solidFill = _hex(colour)


def _hex(colour: str) -> str:
    return colour.lstrip("#").upper()


def bands_chart(
    ws: Worksheet, rubric: Rubric, summaries: list[GroupSummary], shown: int, width: float
) -> int:
    """The units of each band per group, a series per band in its colour, with the counts on
    the bars; the counts themselves in hidden rows under the table. The rows it covers."""
    first, last = shown + 1, shown + len(rubric.bands)
    for row, band in enumerate(rubric.bands, start=first):
        counts = [next(b.count for b in s.bands if b.band == band.id) for s in summaries]
        ws.append([xml_safe(band.label), *counts])  # the legend's name of the series
        ws.row_dimensions[row].hidden = True
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = "Số đơn vị theo xếp loại"
    chart.y_axis.title = "Số đơn vị"
    data = Reference(ws, min_col=1, max_col=1 + len(summaries), min_row=first, max_row=last)
    chart.add_data(data, titles_from_data=True, from_rows=True)
    chart.set_categories(Reference(ws, min_col=2, max_col=1 + len(summaries), min_row=3))
    for series, band in zip(chart.series, rubric.bands, strict=True):
        fill(series, labels.band_colour(rubric, band.id))
    chart.dataLabels = DataLabelList(
        showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False
    )
    top = max((b.count for s in summaries for b in s.bands), default=0)
    count_axis(chart, top)
    chart.visible_cells_only = False  # the counts are in hidden rows
    chart.legend.position = "b"
    chart.height, chart.width = 8.5, max(12.0, width * CM_PER_CHAR - 0.5)
    anchor = last + 2
    ws.add_chart(chart, f"A{anchor}")
    return int(anchor - shown + math.ceil(chart.height / 0.53) + 1)


_NAMED_BARS = 40
"""Up to this many units, each bar is named by the unit's code; beyond, by every tenth rank."""


def chart_height(graded: int) -> float:
    """The totals chart's height in cm: taller for a large group, whose chart fills a page."""
    return 9.0 if graded <= _NAMED_BARS else 13.0


def chart_rows(graded: int) -> int:
    """The rows under the table that the totals chart covers (rows of 15 points), with the gap;
    none without graded units."""
    return 3 + math.ceil(chart_height(graded) / 0.53) + 1 if graded else 0


def totals_chart(
    ws: Worksheet, rubric: Rubric, ranked: RankedTable, cols: tuple[int, int], width: float
) -> None:
    """Totals per graded unit as columns in their band's colour, each band's lower bound as a
    line in that colour; as wide as the printed table, below it (`chart_rows`), on one page."""
    total_col, code_col = cols
    rows = [r for r in ranked.rows if r.graded]
    if not rows:
        return
    # ranked and unranked graded units come first in the table (then invalid, then missing)
    first, last = 4, 3 + len(rows)
    chart = BarChart()
    chart.type = "col"
    chart.title = "Tổng điểm và ngưỡng xếp loại"
    chart.y_axis.title = "Điểm"
    chart.add_data(Reference(ws, min_col=total_col, min_row=3, max_row=last), titles_from_data=True)
    if len(rows) <= _NAMED_BARS:
        chart.set_categories(Reference(ws, min_col=code_col, min_row=first, max_row=last))
    else:  # too many codes to read: the units by rank, every tenth rank named
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        chart.x_axis.tickLblSkip = chart.x_axis.tickMarkSkip = 10
        chart.x_axis.title = f"{labels.RANK} ({len(rows)} đơn vị)"
    (bars,) = chart.series
    fill(bars, labels.band_colour(rubric, None))
    for i, row in enumerate(rows):
        if row.band is not None:
            point = DataPoint(idx=i)
            fill(point, labels.band_colour(rubric, row.band.id))
            bars.dPt.append(point)
    chart.gapWidth = 40
    bounds = [b for b in rubric.bands if b.min is not None]
    if bounds:
        helper = ws.max_column + 2  # hidden columns: the thresholds, one per band, per row
        lines = LineChart()
        for i, band in enumerate(bounds):
            col = helper + i
            ws.cell(3, col, xml_safe(f"Ngưỡng {band.label}"))
            for r in range(first, last + 1):
                ws.cell(r, col, float(band.min or 0))
            ws.column_dimensions[get_column_letter(col)].hidden = True
            lines.add_data(
                Reference(ws, min_col=col, min_row=3, max_row=last), titles_from_data=True
            )
            series = lines.series[-1]
            series.graphicalProperties.line.solidFill = _hex(labels.band_colour(rubric, band.id))
            series.graphicalProperties.line.dashStyle = "dash"
            series.marker.symbol = "none"
            series.smooth = False
        chart += lines
    axes_shown(chart)
    chart.legend.position = "b"
    chart.visible_cells_only = False  # the threshold columns are hidden
    chart.height = chart_height(len(rows))
    chart.width = max(12.0, min(width * CM_PER_CHAR - 1, 10 + len(rows) * 0.9))
    anchor = 3 + len(ranked.rows) + 3
    ws.add_chart(chart, f"B{anchor}")  # below every row of the table
    keep_together(ws, anchor, chart.height / 2.54 * 72, width)
