"""build_results_workbook(report, rubric) → an openpyxl Workbook: a ranked sheet per group and a
sheet of issues, in Vietnamese. The caller saves it (export.save_workbook)."""

from __future__ import annotations

import re
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
from ictscore.reports.export import OTHER_GROUPS_LABEL, STATUS_LABELS, safe_text
from ictscore.reports.summary import GroupSummary, criterion_means, summarise
from ictscore.reports.terminal import max_text
from ictscore.rubric.model import Rubric
from ictscore.sheets.printing import set_page

_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_BAND_FILLS = {"green": "C6EFCE", "cyan": "DDEBF7", "yellow": "FFEB9C", "red": "FFC7CE"}


def build_results_workbook(report: Report, rubric: Rubric) -> Workbook:
    """The results workbook, in Vietnamese, ready to attach to the decision: a summary sheet,
    a ranked sheet per group (with its chart), a criteria matrix per group, units outside the
    rubric's groups, units that sent nothing, the appraisal's cuts, who set each normalisation
    reference, and every issue."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    number_format = excel_number_format(rubric.precision)
    _summary_sheet(wb, report, rubric, summarise(report, rubric))
    for group in rubric.groups:
        _group_sheet(wb, report, rubric, group.id, number_format)
    for group in rubric.groups:
        _matrix_sheet(wb, report, rubric, group.id, number_format)
    others = [u for u in report.units if rubric.group(u.group) is None]
    if others:  # sheets made for a group this rubric does not have: listed, never hidden
        ws = wb.create_sheet(_sheet_title("Ngoài các nhóm", wb))
        ws.append([OTHER_GROUPS_LABEL])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([])
        ws.append(["Mã", "Tên đơn vị", "Nhóm", "Trạng thái", "Tệp"])
        for u in others:
            ws.append(
                [
                    safe_text(v)
                    for v in (u.code, u.name, u.group, STATUS_LABELS[u.status], u.file or "")
                ]
            )
        _finish(ws, [12, 40, 16, 14, 36])
    cuts = [
        (u, cid, a)
        for u in report.units
        for cid, a in u.appraisal.items()
        if a.not_applicable
        or a.value is not None
        or a.note
        or u.points.get(cid) != u.self_points.get(cid)
    ]
    if cuts:
        ws = wb.create_sheet("Thẩm định")
        ws.append(["Mã", "Tên đơn vị", "Tiêu chí", "Tự chấm", "Thẩm định", "Chênh lệch", "Ghi chú"])
        _header(ws, 1)
        for u, cid, a in cuts:
            own, final = u.self_points.get(cid), u.points.get(cid)
            diff = final - own if final is not None and own is not None else None
            note = (f"Không áp dụng: {a.not_applicable}. " if a.not_applicable else "") + (
                a.note or ("(chưa ghi lý do)" if diff else "")
            )
            if a.value is not None:
                note = f"Số liệu thẩm định: {vn_number(a.value)}. {note}"
            ws.append(
                [
                    safe_text(v)
                    for v in (
                        u.code,
                        u.name,
                        cid,
                        _float(own),
                        "KAD" if a.not_applicable else _float(final),
                        _float(diff),
                        note.strip(),
                    )
                ]
            )
        _finish(ws, [12, 36, 10, 10, 10, 10, 70], header_row=1)
    if report.references:
        ws = wb.create_sheet("Giá trị cao nhất khối")
        ws.append(["Khối", "Tiêu chí", "Giá trị cao nhất", "Đơn vị đạt"])
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
                        ", ".join(ref.units) or "(mọi đơn vị bằng 0: 0 điểm)",
                    )
                ]
            )
        _finish(ws, [24, 10, 16, 60], header_row=1)
    missing = [u for u in report.units if u.status is Status.MISSING]
    if missing:
        ws = wb.create_sheet("Chưa nộp")
        ws.append(["Mã", "Tên đơn vị", "Nhóm", "Thuộc"])
        _header(ws, 1)
        for u in missing:
            known = rubric.group(u.group)
            label = known.label if known else u.group
            ws.append([safe_text(v) for v in (u.code, u.name, label, u.parent_name or "")])
        _finish(ws, [12, 40, 24, 30], header_row=1)
    ws = wb.create_sheet("Vấn đề")
    ws.append(["Vị trí", "Mức độ", "Mã lỗi", "Đơn vị", "Nội dung"])
    _header(ws, 1)
    for issue in report.issues:
        ws.append(
            [
                safe_text(v)
                for v in (
                    str(issue.where or ""),
                    _severity(issue.severity.value),
                    issue.code,
                    "",
                    explain(issue, "vi"),
                )
            ]
        )
    for u in report.units:
        for issue in u.issues:
            ws.append(
                [
                    safe_text(v)
                    for v in (
                        str(issue.where or ""),
                        _severity(issue.severity.value),
                        issue.code,
                        u.code,
                        explain(issue, "vi"),
                    )
                ]
            )
    _finish(ws, [50, 10, 22, 14, 90], header_row=1)
    return wb


def _header(ws: Worksheet, row: int) -> None:
    for cell in ws[row]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _units_text(units: tuple[str, ...], report_units: dict[str, UnitResult]) -> str:
    return ", ".join(report_units[c].display_name if c in report_units else c for c in units)


def _summary_sheet(
    wb: Workbook, report: Report, rubric: Rubric, summaries: list[GroupSummary]
) -> None:
    """Per group: counts, mean, highest and lowest (and who), spread, mean as a share of the
    maximum, and each band as "19/20 (95%)"; a chart of the bands per group."""
    ws = wb.create_sheet("Tổng hợp")
    ws.append([f"{rubric.title}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"Tổng hợp kết quả theo nhóm — {rubric.issuer}, năm {rubric.year}"])
    headers = [
        "Nhóm",
        "Điểm tối đa",
        "Đã chấm",
        "Không hợp lệ",
        "Chưa nộp",
        "Điểm trung bình",
        "TB so với tối đa (%)",
        "Cao nhất",
        "Đơn vị cao nhất",
        "Thấp nhất",
        "Đơn vị thấp nhất",
        "Chênh lệch",
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


def _group_sheet(
    wb: Workbook, report: Report, rubric: Rubric, group_id: str, number_format: str
) -> None:
    """The ranked table of one group, and a chart of its totals with the band thresholds."""
    group = rubric.group(group_id)
    assert group is not None
    ws = wb.create_sheet(_sheet_title(group.label, wb))
    areas = [a for a in rubric.criteria if rubric.max_for(a, group_id) > 0]
    members = [u for u in report.units if u.group == group_id]
    by_parent = group.rank_within == "parent"
    appraised = any(u.self_total is not None and u.self_total != u.total for u in members)
    rescaled = any(u.raw_total is not None and u.raw_total != u.total for u in members)
    numeric = [
        *(f"{a.id}. {a.title}" for a in areas),
        *(["Tự chấm", "Chênh lệch thẩm định"] if appraised else []),
        *(["Chưa quy đổi"] if rescaled else []),
        "Tổng điểm",
    ]
    headers = [
        "Hạng",
        *(["Hạng (cấp trên)"] if by_parent else []),
        "Mã",
        "Tên đơn vị",
        "Thuộc",
        *numeric,
        "Xếp loại",
        "Trạng thái",
        "Tệp",
    ]
    ws.append([f"{rubric.title} — {group.label}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["Điểm " + max_text(rubric, group_id)])
    ws.append(headers)
    _header(ws, 3)
    first_num = 5 + (1 if by_parent else 0)
    total_col = first_num + len(numeric) - 1
    for u in members:
        band = rubric.band(u.band)
        graded = u.status is Status.GRADED
        values: list[Decimal | None] = [
            u.subtotals.get(a.id, u.points.get(a.id)) if graded else None for a in areas
        ]
        if appraised:
            diff = (
                u.total - u.self_total if u.total is not None and u.self_total is not None else None
            )
            values += [u.self_total, diff]
        if rescaled:
            values.append(u.raw_total)
        values.append(u.total)
        row: list[Any] = [
            "KXH" if u.unranked else u.rank,
            *([u.parent_rank] if by_parent else []),
            u.code,
            u.name,
            u.parent_name or "",
            *(_float(v) for v in values),
            band.label if band else "",
            STATUS_LABELS[u.status],
            u.file or "",
        ]
        ws.append([safe_text(v) for v in row])
        r = ws.max_row
        for col in range(first_num, total_col + 1):
            ws.cell(r, col).number_format = number_format
        if band and band.color in _BAND_FILLS:
            fill = PatternFill("solid", fgColor=_BAND_FILLS[band.color])
            ws.cell(r, total_col + 1).fill = fill
    widths = [6, *([8] if by_parent else []), 12, 36, 22, *([11] * len(numeric)), 12, 14, 36]
    _finish(ws, widths)
    _totals_chart(ws, rubric, members, total_col, first_num - 3)


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
    ws.append(["", "Tiêu chí", *(titles[m.criterion] for m in means)])
    ws.append(["Mã", "Tên đơn vị", *(f"{m.criterion} (tối đa {vn_number(m.max)})" for m in means)])
    _header(ws, 3)
    for cell in ws[2]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(italic=True, size=9)
    for u in graded:
        ws.append(
            [
                safe_text(u.code),
                safe_text(u.name),
                *(_float(u.points.get(m.criterion)) for m in means),
            ]
        )
        for col in range(3, 3 + len(means)):
            ws.cell(ws.max_row, col).number_format = number_format
    ws.append(["", "Trung bình", *(_float(m.mean) for m in means)])
    for col in range(3, 3 + len(means)):
        ws.cell(ws.max_row, col).number_format = number_format
        ws.cell(ws.max_row, col).font = Font(bold=True)
    ws.append(["", "Tỷ lệ đạt (%)", *(_float(m.share) for m in means)])
    for i, m in enumerate(means):
        cell = ws.cell(ws.max_row, 3 + i)
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
