"""build_results_workbook(report, rubric) → an openpyxl Workbook: a summary, a ranked sheet per
group (from reports.tables), a criteria matrix per group, the appraisal's changes and the
issues, in Vietnamese. The caller saves it (files.save_workbook)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import NumFmt
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.marker import DataPoint
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ictscore.grading.results import Report, Status, UnitResult
from ictscore.i18n import explain
from ictscore.numbers import excel_number_format, vn_number
from ictscore.reports import labels
from ictscore.reports.files import safe_text
from ictscore.reports.publication import Publication
from ictscore.reports.summary import BandCount, GroupSummary, criterion_means, summarise
from ictscore.reports.tables import (
    AppraisalChange,
    Column,
    Kind,
    RankedTable,
    Row,
    build_tables,
    figure,
)
from ictscore.rubric.model import Rubric
from ictscore.sheets.printing import (
    PAGE_NUMBERS,
    break_columns,
    centre_rows,
    fit_rows,
    keep_together,
    set_page,
    title_row,
)

_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_BAND_FILLS = {"green": "C6EFCE", "cyan": "DDEBF7", "yellow": "FFEB9C", "red": "FFC7CE"}


def build_results_workbook(
    report: Report, rubric: Rubric, publication: Publication | None = None
) -> Workbook:
    """The results workbook, in Vietnamese, ready to attach to the decision: a summary sheet,
    a ranked sheet per group (with its chart), a criteria matrix per group, units outside the
    rubric's groups, units that sent nothing, the appraisal's cuts, who set each normalisation
    reference, and every issue."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    number_format = excel_number_format(rubric.precision)
    tables = build_tables(report, rubric)
    _summary_sheet(wb, report, rubric, summarise(report, rubric), publication or Publication())
    for ranked in tables.groups:
        _group_sheet(wb, rubric, ranked, number_format)
    for group in rubric.groups:
        _matrix_sheet(wb, report, rubric, group.id, number_format)
    if tables.others:  # sheets made for a group this rubric does not have: listed, never hidden
        _others_sheet(wb, tables.others)
    if tables.changes:
        _appraisal_sheet(wb, tables.changes)
    if report.references:
        _references_sheet(wb, report, rubric)
    missing = [u for u in report.units if u.status is Status.MISSING]
    if missing:
        _missing_sheet(wb, rubric, missing)
    _issues_sheet(wb, report)
    return wb


def _others_sheet(wb: Workbook, others: Sequence[UnitResult]) -> None:
    ws = wb.create_sheet(_sheet_title("Ngoài các nhóm", wb))
    ws.append([labels.OTHER_GROUPS_LABEL])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    ws.append([labels.CODE, labels.UNIT_NAME, labels.GROUP, labels.STATUS, labels.FILE])
    for u in others:
        ws.append(
            [
                safe_text(v)
                for v in (u.code, u.name, u.group, labels.STATUS_LABELS[u.status], u.file or "")
            ]
        )
    _finish(ws, [12, 40, 16, 14, 36])


def _appraisal_sheet(wb: Workbook, changes: Sequence[AppraisalChange]) -> None:
    ws = wb.create_sheet(labels.APPRAISED)
    ws.append(
        [
            labels.CODE,
            labels.UNIT_NAME,
            labels.CRITERION,
            labels.SELF_SCORE,
            labels.APPRAISED,
            labels.DIFFERENCE,
            labels.NOTE,
        ]
    )
    _header(ws, 1)
    for c in changes:
        diff = c.difference
        note = (f"{labels.NOT_APPLICABLE}: {c.not_applicable}. " if c.not_applicable else "") + (
            c.note or (labels.NO_REASON if diff else "")
        )
        if c.value is not None:
            note = f"{labels.APPRAISED_VALUE}: {vn_number(c.value)}. {note}"
        ws.append(
            [
                safe_text(v)
                for v in (
                    c.unit.code,
                    c.unit.name,
                    c.criterion,
                    _float(c.self_points),
                    labels.NOT_APPLICABLE_MARK if c.not_applicable else _float(c.points),
                    _float(diff),
                    note.strip(),
                )
            ]
        )
    _finish(ws, [12, 36, 10, 10, 10, 10, 70], header_row=1)


def _references_sheet(wb: Workbook, report: Report, rubric: Rubric) -> None:
    ws = wb.create_sheet("Giá trị cao nhất khối")
    ws.append([labels.BLOCK, labels.CRITERION, labels.BEST_VALUE, labels.BEST_UNITS])
    _header(ws, 1)
    for ref in report.references:
        found = rubric.group(ref.group)
        ws.append(
            [
                safe_text(v)
                for v in (
                    found.label if found else ref.group,
                    ref.criterion,
                    float(ref.best),
                    ", ".join(ref.units) or labels.NO_BEST_UNIT,
                )
            ]
        )
    _finish(ws, [24, 10, 16, 60], header_row=1)


def _missing_sheet(wb: Workbook, rubric: Rubric, missing: Sequence[UnitResult]) -> None:
    ws = wb.create_sheet(labels.STATUS_LABELS[Status.MISSING])
    ws.append([labels.CODE, labels.UNIT_NAME, labels.GROUP, labels.PARENT])
    _header(ws, 1)
    for u in missing:
        known = rubric.group(u.group)
        label = known.label if known else u.group
        ws.append([safe_text(v) for v in (u.code, u.name, label, u.parent_name or "")])
    _finish(ws, [12, 40, 24, 30], header_row=1)


def _issues_sheet(wb: Workbook, report: Report) -> None:
    ws = wb.create_sheet("Vấn đề")
    ws.append(["Vị trí", "Mức độ", "Mã lỗi", labels.UNIT, "Nội dung"])
    _header(ws, 1)
    located = [*((i, "") for i in report.issues)]
    located += [(i, u.code) for u in report.units for i in u.issues]
    for issue, code in located:
        ws.append(
            [
                safe_text(v)
                for v in (
                    str(issue.where or ""),
                    _severity(issue.severity.value),
                    issue.code,
                    code,
                    explain(issue, "vi"),
                )
            ]
        )
    _finish(ws, [50, 10, 22, 14, 90], header_row=1)


def _header(ws: Worksheet, row: int) -> None:
    for cell in ws[row]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _units_text(units: tuple[str, ...], report_units: dict[str, UnitResult]) -> str:
    return ", ".join(report_units[c].display_name if c in report_units else c for c in units)


_LABEL_WIDTH = 24
_GROUP_WIDTH = 18
_CM_PER_CHAR = 0.2
"""A column's width on paper per character unit, rounded up (about 7 px at 96 dpi)."""


def _summary_sheet(
    wb: Workbook,
    report: Report,
    rubric: Rubric,
    summaries: list[GroupSummary],
    publication: Publication,
) -> None:
    """One column per group, one row per figure: counts, mean, highest and lowest (and who),
    spread, each band as "19/20 (95%)"; the chart of the bands per group below. Laid out to
    print on one A4 page (portrait up to four groups)."""
    ws = wb.create_sheet("Tổng hợp")
    last = 1 + len(summaries)
    decision = publication.decision_line()
    title_row(ws, f"{rubric.title}", last)
    ws.append(
        [
            f"Tổng hợp kết quả theo nhóm — {publication.issuer_of(rubric)}, năm {rubric.year}"
            + (f" — {decision}" if decision else "")
        ]
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.append(["Chỉ tiêu", *(s.label for s in summaries)])
    _header(ws, 3)
    names = {u.code: u for u in report.units}
    number_format = excel_number_format(rubric.precision)
    figures: list[tuple[str, list[Any], str | None]] = [
        ("Điểm tối đa", [_float(s.max) for s in summaries], number_format),
        *(
            (label, [(s.graded, s.invalid, s.missing)[i] for s in summaries], "0")
            for i, label in enumerate(labels.STATUS_LABELS.values())
        ),
        (labels.MEAN, [_float(s.mean) for s in summaries], number_format),
        ("TB so với tối đa (%)", [_float(s.mean_share) for s in summaries], "0.0"),
        (labels.HIGHEST, [_float(s.highest) for s in summaries], number_format),
        ("Đơn vị cao nhất", [_units_text(s.highest_units, names) for s in summaries], "@"),
        (labels.LOWEST, [_float(s.lowest) for s in summaries], number_format),
        ("Đơn vị thấp nhất", [_units_text(s.lowest_units, names) for s in summaries], "@"),
        (labels.DIFFERENCE, [_float(s.spread) for s in summaries], number_format),
        *(
            (f"{labels.BAND} {band.label}", [_share_text(s.bands[i]) for s in summaries], None)
            for i, band in enumerate(rubric.bands)
        ),
    ]
    for label, values, fmt in figures:
        ws.append([label, *(safe_text(v) for v in values)])
        r = ws.max_row
        ws.cell(r, 1).font = Font(bold=True)
        for col in range(2, last + 1):  # figures read from the right, names from the left
            cell = ws.cell(r, col)
            cell.number_format = fmt or "General"
            cell.alignment = Alignment(wrap_text=True, horizontal=None if fmt == "@" else "right")
    shown = ws.max_row
    widths = [_LABEL_WIDTH, *([_GROUP_WIDTH] * len(summaries))]
    below = 0
    if rubric.bands and summaries:
        below = _bands_chart(ws, rubric, summaries, shown, sum(widths))
    _finish(
        ws,
        widths,
        landscape=sum(widths) > 100,
        pages_high=1,
        last_row=shown + below,
        filtered=False,
    )


def _share_text(b: BandCount) -> str:
    return f"{b.count}/{b.of} ({vn_number(b.share, 0)}%)" if b.share is not None else ""


def _bands_chart(
    ws: Worksheet, rubric: Rubric, summaries: list[GroupSummary], shown: int, width: float
) -> int:
    """The units of each band per group, a series per band in its colour, with the counts on
    the bars; the counts themselves in hidden rows under the table. The rows it covers."""
    first = shown + 1
    for band in rubric.bands:
        counts = [next(b.count for b in s.bands if b.band == band.id) for s in summaries]
        ws.append([band.label, *counts])  # the legend's name of the series
        ws.row_dimensions[ws.max_row].hidden = True
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = "Số đơn vị theo xếp loại"
    chart.y_axis.title = "Số đơn vị"
    data = Reference(ws, min_col=1, max_col=1 + len(summaries), min_row=first, max_row=ws.max_row)
    chart.add_data(data, titles_from_data=True, from_rows=True)
    chart.set_categories(Reference(ws, min_col=2, max_col=1 + len(summaries), min_row=3))
    for series, band in zip(chart.series, rubric.bands, strict=True):
        _fill(series, labels.band_colour(rubric, band.id))
    chart.dataLabels = DataLabelList(
        showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False
    )
    top = max((b.count for s in summaries for b in s.bands), default=0)
    _count_axis(chart, top)
    chart.visible_cells_only = False  # the counts are in hidden rows
    chart.legend.position = "b"
    chart.height, chart.width = 8.5, max(12.0, width * _CM_PER_CHAR - 0.5)
    anchor = ws.max_row + 2
    ws.add_chart(chart, f"A{anchor}")
    return int(anchor - shown + math.ceil(chart.height / 0.53) + 1)


def _count_axis(chart: BarChart, top: int) -> None:
    """Counts on the value axis: from 0, whole numbers, at most about ten steps."""
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 10**9) if top <= 10 * s)
    chart.y_axis.scaling.min = 0
    chart.y_axis.majorUnit = step
    chart.y_axis.numFmt = NumFmt(formatCode="0", sourceLinked=False)
    _axes_shown(chart)


def _axes_shown(chart: BarChart) -> None:
    # NOTE: openpyxl leaves `delete` unset, which recent Excel reads as a deleted axis
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _fill(series: Any, colour: str) -> None:
    series.graphicalProperties.solidFill = colour.lstrip("#").upper()
    series.graphicalProperties.line.solidFill = colour.lstrip("#").upper()


def _tint(colour: str, keep: float = 0.3) -> str:
    """The band colour lightened for a cell's fill, so that black text on it reads."""
    rgb = [int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(255 - (255 - c) * keep):02X}" for c in rgb)


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


def _group_sheet(wb: Workbook, rubric: Rubric, ranked: RankedTable, number_format: str) -> None:
    """The ranked table of one group, and a chart of its totals with the band thresholds. The
    file column stays in the sheet, right of the print area."""
    ws = wb.create_sheet(_sheet_title(ranked.group.label, wb))
    columns = [c for c in ranked.columns if c.id in _GROUP_SHEET_COLUMNS or c.kind is Kind.AREA]
    columns.sort(key=lambda c: c.id == "file")  # last: outside the print area
    printed = len(columns) - 1
    title_row(ws, f"{rubric.title} — {ranked.group.label}", printed)
    ws.append(["Điểm " + ranked.max_text])
    ws.append([_heading(c) for c in columns])
    _header(ws, 3)
    numeric = [i for i, c in enumerate(columns, start=1) if c.numeric]
    wrapped = [i for i, c in enumerate(columns, start=1) if c.id in _WRAPPED]
    band_col = next(i for i, c in enumerate(columns, start=1) if c.id == "band")
    for r, row in enumerate(ranked.rows, start=4):  # counted: ws.max_row scans every cell
        ws.append([safe_text(_value(row, c)) for c in columns])
        for col in numeric:
            ws.cell(r, col).number_format = number_format
        for col in wrapped:
            ws.cell(r, col).alignment = Alignment(wrap_text=True, vertical="top")
        if row.band is not None:
            colour = _tint(labels.band_colour(rubric, row.band.id))
            ws.cell(r, band_col).fill = PatternFill("solid", fgColor=colour)
    widths = [_width(c, ranked) for c in columns]
    total_col = next(i for i, c in enumerate(columns, start=1) if c.id == "total")
    code_col = next(i for i, c in enumerate(columns, start=1) if c.id == "code")
    below = _CHART_ROWS if any(r.graded for r in ranked.rows) else 0
    _finish(ws, widths, print_cols=printed, last_row=3 + len(ranked.rows) + below)
    _totals_chart(ws, rubric, ranked, (total_col, code_col), sum(widths[:printed]))


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
    return _float(figure(value)) if column.numeric else value


_CHART_HEIGHT = 9.0
"""The totals chart's height, in cm."""
_CHART_ROWS = 3 + math.ceil(_CHART_HEIGHT / 0.53) + 1
"""The rows under the table that the totals chart covers (rows of 15 points), with the gap."""


def _totals_chart(
    ws: Worksheet, rubric: Rubric, ranked: RankedTable, cols: tuple[int, int], width: float
) -> None:
    """Totals per graded unit as columns in their band's colour, each band's lower bound as a
    line in that colour; as wide as the printed table, below it (`_CHART_ROWS`), on one page."""
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
    chart.set_categories(Reference(ws, min_col=code_col, min_row=first, max_row=last))
    (bars,) = chart.series
    _fill(bars, labels.band_colour(rubric, None))
    for i, row in enumerate(rows):
        if row.band is not None:
            point = DataPoint(idx=i)
            _fill(point, labels.band_colour(rubric, row.band.id))
            bars.dPt.append(point)
    chart.gapWidth = 40
    bounds = [b for b in rubric.bands if b.min is not None]
    if bounds:
        helper = ws.max_column + 2  # hidden columns: the thresholds, one per band, per row
        lines = LineChart()
        for i, band in enumerate(bounds):
            col = helper + i
            ws.cell(3, col, f"Ngưỡng {band.label}")
            for r in range(first, last + 1):
                ws.cell(r, col, float(band.min or 0))
            ws.column_dimensions[get_column_letter(col)].hidden = True
            lines.add_data(
                Reference(ws, min_col=col, min_row=3, max_row=last), titles_from_data=True
            )
            series = lines.series[-1]
            series.graphicalProperties.line.solidFill = labels.band_colour(rubric, band.id)[1:]
            series.graphicalProperties.line.dashStyle = "dash"
            series.marker.symbol = "none"
            series.smooth = False
        chart += lines
    _axes_shown(chart)
    chart.legend.position = "b"
    chart.visible_cells_only = False  # the threshold columns are hidden
    chart.height = _CHART_HEIGHT
    chart.width = max(12.0, min(width * _CM_PER_CHAR - 1, 10 + len(rows) * 0.9))
    anchor = 3 + len(ranked.rows) + 3
    ws.add_chart(chart, f"B{anchor}")  # below every row of the table
    keep_together(ws, anchor, chart.height / 2.54 * 72, width)


_MATRIX_WIDTH = 11


def _matrix_sheet(
    wb: Workbook, report: Report, rubric: Rubric, group_id: str, number_format: str
) -> None:
    """Units × criteria points of one group, with each criterion's mean achievement, so that
    weak criteria across the province stand out. Printed area by area: a page break after each
    area's columns, the code and name repeated on every page."""
    group = rubric.group(group_id)
    assert group is not None
    means = criterion_means(report, rubric, group_id)
    graded = [u for u in report.units if u.group == group_id and u.status is Status.GRADED]
    if not graded or not means:
        return
    ws = wb.create_sheet(_sheet_title(f"Tiêu chí - {group.label}", wb))
    title_row(ws, f"Điểm từng tiêu chí — {group.label}", 2)  # within the repeated columns
    titles = {n.criterion.id: n.criterion.title for n in rubric.walk()}
    ws.append(["", labels.CRITERION, *(titles[m.criterion] for m in means)])
    ws.append(
        [
            labels.CODE,
            labels.UNIT_NAME,
            *(f"{m.criterion} (tối đa {vn_number(m.max)})" for m in means),
        ]
    )
    _header(ws, 3)
    for cell in ws[2]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(italic=True, size=9)
    # NOTE: rows are counted here: ws.max_row scans every cell, once a cell made it quadratic
    for r, u in enumerate(graded, start=4):
        ws.append(
            [
                safe_text(u.code),
                safe_text(u.name),
                *(_float(u.points.get(m.criterion)) for m in means),
            ]
        )
        ws.cell(r, 2).alignment = Alignment(wrap_text=True, vertical="top")
        for col in range(3, 3 + len(means)):
            ws.cell(r, col).number_format = number_format
    r = 4 + len(graded)
    ws.append(["", "Trung bình", *(_float(m.mean) for m in means)])
    for col in range(3, 3 + len(means)):
        ws.cell(r, col).number_format = number_format
        ws.cell(r, col).font = Font(bold=True)
    ws.append(["", "Tỷ lệ đạt (%)", *(_float(m.share) for m in means)])
    for i, m in enumerate(means):
        cell = ws.cell(r + 1, 3 + i)
        cell.number_format = "0.0"
        cell.font = Font(bold=True)
        if m.share < 60 and rubric.area_kind(m.criterion) != "penalty":  # weak across the group
            cell.fill = PatternFill("solid", fgColor=_BAND_FILLS["red"])
    code_width = max(6, min(14, max(len(u.code) for u in graded) * 1.1 + 2))
    name_width = max(16, min(28, max(len(u.name) for u in graded) * 1.1 + 2))
    _finish(ws, [code_width, name_width, *([_MATRIX_WIDTH] * len(means))], filtered=False)
    ws.freeze_panes = "C4"
    # whole areas side by side on a printed page, the code and name repeated on every page
    areas = {n.criterion.id: n.area.id for n in rubric.walk()}
    runs: list[int] = [1]  # how many criteria each area has, in order
    for before, m in zip(means, means[1:], strict=False):
        if areas[m.criterion] == areas[before.criterion]:
            runs[-1] += 1
        else:
            runs.append(1)
    scale = break_columns(ws, 3, runs, code_width + name_width)
    set_page(
        ws,
        header_rows=(2, 3),
        header_cols="A:B",
        print_area=f"A1:{get_column_letter(2 + len(means))}{ws.max_row}",
        scale=scale,
        side_margin=0.5,
        footer=PAGE_NUMBERS,
    )


def _severity(value: str) -> str:
    return {"error": "Lỗi", "warning": "Cảnh báo"}.get(value, value)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _sheet_title(label: str, wb: Workbook | None = None) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters, no leading or trailing
    apostrophe, and unique in `wb` ignoring case ("… (2)" when it would repeat)."""
    title = re.sub(r"[\[\]:*?/\\]", "-", label).strip("'")[:31].rstrip() or "Sheet"
    taken = {name.casefold() for name in (wb.sheetnames if wb is not None else [])}
    n, candidate = 2, title
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate = title[: 31 - len(suffix)].rstrip() + suffix
        n += 1
    return candidate


def _finish(
    ws: Worksheet,
    widths: Sequence[float],
    header_row: int = 3,
    *,
    print_cols: int | None = None,
    last_row: int | None = None,
    landscape: bool = True,
    pages_high: int = 0,
    filtered: bool = True,
) -> None:
    """Column widths, row heights for the wrapped text, frozen headers, a filter, and the page:
    A4, the first `print_cols` columns (all by default) down to `last_row` (the charts below
    the table included), the header row repeated, page numbers in the footer."""
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
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
