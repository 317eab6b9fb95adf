"""The profile's chart: the unit's points per area against its group's mean and best, as a
horizontal bar chart (openpyxl), its figures in hidden columns beyond the printed ones."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter

AreaBars = tuple[str, Decimal, Decimal | None, Decimal | None]
"""An area's id, the unit's points, the group's mean and the group's best."""
CHART_CM = 7.0
_ROW_CM = 15 / 72 * 2.54
"""A row of 15 points, in cm."""
_CM_PER_CHAR = 0.2
"""A column's width on paper per character unit (about 7 px at 96 dpi, as Excel draws it)."""
SERIES = ("Đơn vị", "Trung bình nhóm", "Cao nhất nhóm")
_COLOURS = ("1F4E79", "A6A6A6", "70AD47")


def area_chart(ws: Any, data: list[AreaBars], *, first_col: int, anchor: int, width: float) -> int:
    """Add the chart to `ws` at row `anchor`, `width` characters wide, its figures from column
    `first_col` (hidden); returns the rows it covers, each given a height of 15 points."""
    top = 1
    for i, head in enumerate(("Lĩnh vực", *SERIES)):
        ws.cell(top, first_col + i, head)
    for n, (aid, points, mean, best) in enumerate(data, start=top + 1):
        ws.cell(n, first_col, f"LV {aid}").data_type = "s"
        for i, value in enumerate((points, mean, best), start=1):
            ws.cell(n, first_col + i, float(value) if value is not None else None)
    for i in range(4):
        ws.column_dimensions[get_column_letter(first_col + i)].hidden = True
    bottom = top + len(data)
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.y_axis.title = "Điểm (LV: lĩnh vực, như bảng trên)"
    chart.add_data(
        Reference(ws, min_col=first_col + 1, max_col=first_col + 3, min_row=top, max_row=bottom),
        titles_from_data=True,
    )
    chart.set_categories(Reference(ws, min_col=first_col, min_row=top + 1, max_row=bottom))
    for series, colour in zip(chart.series, _COLOURS, strict=True):
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    chart.x_axis.scaling.orientation = "maxMin"  # area 1 at the top, as in the table
    chart.y_axis.scaling.min = 0
    chart.y_axis.crosses = "max"  # the points' axis below the bars
    # NOTE: openpyxl leaves `delete` unset, which recent Excel reads as a deleted axis
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.gapWidth = 40
    chart.legend.position = "b"
    chart.visible_cells_only = False  # the figures are in hidden columns
    chart.width, chart.height = width * _CM_PER_CHAR - 0.6, CHART_CM
    ws.add_chart(chart, f"A{anchor}")
    rows = int(CHART_CM / _ROW_CM) + 1
    for r in range(anchor - 1, anchor + rows):
        ws.row_dimensions[r].height = 15
    return rows
