"""A group's criteria matrix: units × criteria points with each criterion's mean, printed
area by area."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ictscore.grading.results import Report, Status
from ictscore.numbers import vn_number
from ictscore.reports import labels
from ictscore.reports.summary import criterion_means
from ictscore.reports.workbook.common import (
    WEAK_FILL,
    as_float,
    cell_text,
    finish,
    header,
    sheet_title,
)
from ictscore.rubric.model import Rubric
from ictscore.sheets.printing import (
    PAGE_NUMBERS,
    break_columns,
    set_page,
    title_row,
)

_MATRIX_WIDTH = 11


def matrix_sheet(
    wb: Workbook, report: Report, rubric: Rubric, group_id: str, number_format: str
) -> None:
    """Units × criteria points of one group, with each criterion's mean achievement, so that
    weak criteria across the province stand out. Printed area by area: each page holds whole
    areas (column breaks between them), the code and name repeated on every page.

    NOTE: split, not transposed: a group can have 173 units (columns, transposed) but its
    criteria fall into about nine areas, the rubric's own chapters, each a page wide at most."""
    group = rubric.group(group_id)
    assert group is not None
    means = criterion_means(report, rubric, group_id)
    graded = [u for u in report.units if u.group == group_id and u.status is Status.GRADED]
    if not graded or not means:
        return
    ws = wb.create_sheet(sheet_title(f"Tiêu chí - {group.label}", wb))
    title_row(
        ws, cell_text(f"Điểm từng tiêu chí — {group.label}"), 2
    )  # within the repeated columns
    titles = {n.criterion.id: n.criterion.title for n in rubric.walk()}
    ws.append(["", labels.CRITERION, *(cell_text(titles[m.criterion]) for m in means)])
    ws.append(
        [
            labels.CODE,
            labels.UNIT_NAME,
            *(f"{m.criterion} (tối đa {vn_number(m.max)})" for m in means),
        ]
    )
    header(ws, 3)
    for cell in ws[2]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(italic=True, size=9)
    # NOTE: rows are counted here: ws.max_row scans every cell, once a cell made it quadratic
    for r, u in enumerate(graded, start=4):
        ws.append(
            [
                cell_text(u.code),
                cell_text(u.name),
                *(as_float(u.points.get(m.criterion)) for m in means),
            ]
        )
        ws.cell(r, 2).alignment = Alignment(wrap_text=True, vertical="top")
        for col in range(3, 3 + len(means)):
            ws.cell(r, col).number_format = number_format
    r = 4 + len(graded)
    ws.append(["", "Trung bình", *(as_float(m.mean) for m in means)])
    for col in range(3, 3 + len(means)):
        ws.cell(r, col).number_format = number_format
        ws.cell(r, col).font = Font(bold=True)
    ws.append(["", "Tỷ lệ đạt (%)", *(as_float(m.share) for m in means)])
    for i, m in enumerate(means):
        cell = ws.cell(r + 1, 3 + i)
        cell.number_format = "0.0"
        cell.font = Font(bold=True)
        if m.share < 60 and rubric.area_kind(m.criterion) != "penalty":  # weak across the group
            cell.fill = WEAK_FILL
    code_width = max(6, min(14, max(len(u.code) for u in graded) * 1.1 + 2))
    name_width = max(16, min(28, max(len(u.name) for u in graded) * 1.1 + 2))
    finish(ws, [code_width, name_width, *([_MATRIX_WIDTH] * len(means))], filtered=False)
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
