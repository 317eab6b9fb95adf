"""build_results_workbook(report, rubric) → an openpyxl Workbook: a summary, a ranked sheet per
group (from reports.tables), a criteria matrix per group, the appraisal's changes and the
issues, in Vietnamese. The caller saves it (files.save_workbook)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ictscore.grading.results import Report, Status, UnitResult
from ictscore.i18n import explain
from ictscore.numbers import excel_number_format, vn_number
from ictscore.reports import labels
from ictscore.reports.files import safe_text
from ictscore.reports.publication import Publication
from ictscore.reports.summary import GroupSummary, criterion_means, summarise
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
from ictscore.sheets.printing import set_page

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
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _units_text(units: tuple[str, ...], report_units: dict[str, UnitResult]) -> str:
    return ", ".join(report_units[c].display_name if c in report_units else c for c in units)


def _summary_sheet(
    wb: Workbook,
    report: Report,
    rubric: Rubric,
    summaries: list[GroupSummary],
    publication: Publication,
) -> None:
    """Per group: counts, mean, highest and lowest (and who), spread, mean as a share of the
    maximum, and each band as "19/20 (95%)"; a chart of the bands per group."""
    ws = wb.create_sheet("Tổng hợp")
    ws.append([f"{rubric.title}"])
    ws["A1"].font = Font(bold=True, size=13)
    decision = publication.decision_line()
    ws.append(
        [
            f"Tổng hợp kết quả theo nhóm — {publication.issuer_of(rubric)}, năm {rubric.year}"
            + (f" — {decision}" if decision else "")
        ]
    )
    headers = [
        labels.GROUP,
        "Điểm tối đa",
        *labels.STATUS_LABELS.values(),
        labels.MEAN,
        "TB so với tối đa (%)",
        labels.HIGHEST,
        "Đơn vị cao nhất",
        labels.LOWEST,
        "Đơn vị thấp nhất",
        labels.DIFFERENCE,
        *(f"Số đơn vị {b.label}" for b in rubric.bands),
        *(f"Tỷ lệ {b.label}" for b in rubric.bands),
    ]
    ws.append(headers)
    _header(ws, 3)
    names = {u.code: u for u in report.units}
    number_format = excel_number_format(rubric.precision)
    for s in summaries:
        row: list[Any] = [
            s.label,
            _float(s.max),
            s.graded,
            s.invalid,
            s.missing,
            _float(s.mean),
            _float(s.mean_share),
            _float(s.highest),
            _units_text(s.highest_units, names),
            _float(s.lowest),
            _units_text(s.lowest_units, names),
            _float(s.spread),
            *(b.count for b in s.bands),
            *(
                f"{b.count}/{b.of} ({vn_number(b.share, 0)}%)" if b.share is not None else ""
                for b in s.bands
            ),
        ]
        ws.append([safe_text(v) for v in row])
        r = ws.max_row
        for col in (2, 6, 8, 10, 12):
            ws.cell(r, col).number_format = number_format
        ws.cell(r, 7).number_format = "0.0"
    _finish(ws, [26, 10, 9, 11, 9, 12, 12, 10, 30, 10, 30, 10, *([10] * 2 * len(rubric.bands))])
    if rubric.bands and summaries:
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "clustered"
        chart.title = "Số đơn vị theo xếp loại"
        chart.y_axis.title = "Số đơn vị"
        first_band = 13
        data = Reference(
            ws,
            min_col=first_band,
            max_col=first_band + len(rubric.bands) - 1,
            min_row=3,
            max_row=3 + len(summaries),
        )
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=4, max_row=3 + len(summaries)))
        chart.height, chart.width = 8, 18
        ws.add_chart(chart, f"A{len(summaries) + 6}")


_WIDTHS = {
    "rank": 6,
    "parent_rank": 8,
    "code": 12,
    "name": 36,
    "parent": 22,
    "band": 12,
    "status": 14,
    "file": 36,
}
"""The group sheet's columns besides the figures (areas, self-score, raw total, total: 11)."""
_GROUP_SHEET_COLUMNS = frozenset(_WIDTHS) | {
    "self_total",
    "appraisal_difference",
    "raw_total",
    "total",
}


def _group_sheet(wb: Workbook, rubric: Rubric, ranked: RankedTable, number_format: str) -> None:
    """The ranked table of one group, and a chart of its totals with the band thresholds."""
    ws = wb.create_sheet(_sheet_title(ranked.group.label, wb))
    columns = [c for c in ranked.columns if c.id in _GROUP_SHEET_COLUMNS or c.kind is Kind.AREA]
    ws.append([f"{rubric.title} — {ranked.group.label}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["Điểm " + ranked.max_text])
    ws.append([_heading(c) for c in columns])
    _header(ws, 3)
    numeric = [i for i, c in enumerate(columns, start=1) if c.numeric]
    band_col = next(i for i, c in enumerate(columns, start=1) if c.id == "band")
    for r, row in enumerate(ranked.rows, start=4):  # counted: ws.max_row scans every cell
        ws.append([safe_text(_value(row, c)) for c in columns])
        for col in numeric:
            ws.cell(r, col).number_format = number_format
        if row.band and row.band.color in _BAND_FILLS:
            fill = PatternFill("solid", fgColor=_BAND_FILLS[row.band.color])
            ws.cell(r, band_col).fill = fill
    _finish(ws, [11 if c.numeric else _WIDTHS[c.id] for c in columns])
    total_col = next(i for i, c in enumerate(columns, start=1) if c.id == "total")
    code_col = next(i for i, c in enumerate(columns, start=1) if c.id == "code")
    _totals_chart(ws, rubric, ranked.units, total_col, code_col)


def _heading(column: Column) -> str:
    if column.kind is Kind.AREA:
        return f"{column.area}. {column.title}"
    return labels.TOTAL_POINTS if column.id == "total" else column.label


def _value(row: Row, column: Column) -> Any:
    value = row.cells.get(column.id)
    if column.id == "rank" and row.unranked:
        return labels.UNRANKED_MARK
    return _float(figure(value)) if column.numeric else value


def _totals_chart(
    ws: Worksheet, rubric: Rubric, members: list[UnitResult], total_col: int, code_col: int
) -> None:
    """Totals per graded unit as columns, each band's lower bound as a line."""
    graded = [u for u in members if u.status is Status.GRADED]
    if not graded:
        return
    # ranked and unranked graded units come first in the table (then invalid, then missing)
    first, last = 4, 3 + len(graded)
    chart = BarChart()
    chart.type = "col"
    chart.title = "Tổng điểm và ngưỡng xếp loại"
    chart.y_axis.title = "Điểm"
    chart.add_data(Reference(ws, min_col=total_col, min_row=3, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=code_col, min_row=first, max_row=last))
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
        chart += lines
    chart.visible_cells_only = False  # the threshold columns are hidden
    chart.height, chart.width = 9, max(16, min(40, len(graded) * 0.9))
    ws.add_chart(chart, f"B{3 + len(members) + 3}")  # below every row of the table


def _matrix_sheet(
    wb: Workbook, report: Report, rubric: Rubric, group_id: str, number_format: str
) -> None:
    """Units × criteria points of one group, with each criterion's mean achievement, so that
    weak criteria across the province stand out."""
    group = rubric.group(group_id)
    assert group is not None
    means = criterion_means(report, rubric, group_id)
    graded = [u for u in report.units if u.group == group_id and u.status is Status.GRADED]
    if not graded or not means:
        return
    ws = wb.create_sheet(_sheet_title(f"Tiêu chí - {group.label}", wb))
    ws.append([f"Điểm từng tiêu chí — {group.label}"])
    ws["A1"].font = Font(bold=True, size=13)
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
    ws.row_dimensions[2].height = 60
    _finish(ws, [12, 34, *([10] * len(means))])
    ws.freeze_panes = "C4"


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


def _finish(ws: Worksheet, widths: list[int], header_row: int = 3) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(header_row, i).column_letter].width = width
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    if ws.max_row > header_row:
        ws.auto_filter.ref = f"A{header_row}:{ws.cell(ws.max_row, ws.max_column).coordinate}"
    set_page(ws, header_rows=(header_row, header_row))
