"""The first sheet of a unit's feedback, "Phản hồi": the unit's profile on one A4 page, in the
manner of the provincial competitiveness and governance indices' province profiles (PCI, PAPI
"hồ sơ tỉnh").

From the top: the title and the rubric; the unit (with its district), its code, group and
status; a scorecard (total, band, rank in the group and in the district, and last year's with
the change); its points per area against the group's mean and best, as a table and a bar chart;
the criteria where it lost the most against the maximum and against the group's mean; where the
appraisal changed its self-score and why; and its problems to fix. Every wrapped row is given
its height (`printing.fit_rows`) and the page is set to print on one A4 page, portrait.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ictscore.grading.results import Status, UnitResult
from ictscore.issues import Issue
from ictscore.numbers import vn_number
from ictscore.reports import labels
from ictscore.reports.feedback.chart import AreaBars, area_chart
from ictscore.reports.feedback.figures import Peers
from ictscore.reports.feedback.previous import LastYear
from ictscore.reports.feedback.sheet_copy import vi_message
from ictscore.reports.tables import appraisal_changes, appraised
from ictscore.rubric.model import Rubric
from ictscore.sheets import layout
from ictscore.sheets.printing import PAGE_NUMBERS, fit_rows, set_page
from ictscore.text import xml_safe

SHEET = layout.FEEDBACK_FIRST_SHEET
TITLE = "PHẢN HỒI KẾT QUẢ CHẤM ĐIỂM"
AREAS_TITLE = "Điểm theo lĩnh vực"
LOST_TITLE = "Tiêu chí mất nhiều điểm nhất so với điểm tối đa"
BEHIND_TITLE = "Tiêu chí thấp hơn điểm trung bình của nhóm"
APPRAISAL_TITLE = "Kết quả thẩm định khác điểm tự chấm"
PROBLEMS_TITLE = "Các vấn đề cần khắc phục"
ALL_PROBLEMS_SHEET = "Các vấn đề"
SHOWN_PROBLEMS = 8
"""Problems listed on a graded unit's profile; more are listed on a sheet of their own."""
SHOWN_PROBLEMS_NOT_GRADED = 25
"""The same for a unit not graded, whose page holds its problems alone."""
SHOWN_CRITERIA = 5

_LABEL, _NAME, _FIGURE = 18.0, 26.0, 7.4
"""Column widths (character units): A (labels, the first half of a criterion's name), B (its
second half), C to H (figures). About 88 in all: A4 portrait at about 85 %."""
_KIND_WORD = {"bonus": "thưởng", "penalty": "trừ"}
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_BOX_FILL = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


class _Page:
    """The sheet as it is written, row after row, `last` columns wide."""

    def __init__(self, ws: Any, last: int) -> None:
        self.ws = ws
        self.last = last
        self.row = 0
        """The last row written."""

    def next_row(self) -> int:
        self.row += 1
        return self.row

    def line(self, text: str, *, size: float = 11, bold: bool = False, italic: bool = False) -> int:
        """A line of text across the page (merged A to the last column)."""
        r = self.next_row()
        self.ws.cell(r, 1, _text(text)).font = Font(size=size, bold=bold, italic=italic)
        self.ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=self.last)
        return r

    def gap(self, height: float = 8) -> None:
        r = self.next_row()
        self.ws.row_dimensions[r].height = height

    def heading(self, title: str) -> None:
        self.gap()
        self.line(title, size=12, bold=True)

    def table(
        self, header: Sequence[str], rows: Sequence[Sequence[Any]], spans: Sequence[int]
    ) -> None:
        """A table: `spans` gives how many columns each value covers (merged); figures right
        aligned. An empty table says so."""
        self.cells(header, spans, head=True)
        if not rows:
            self.line("(không có)", italic=True)
        for values in rows:
            self.cells(values, spans)

    def cells(self, values: Sequence[Any], spans: Sequence[int], head: bool = False) -> None:
        r, col = self.next_row(), 1
        for value, span in zip(values, spans, strict=True):
            cell = self.ws.cell(r, col, _text(value) if isinstance(value, str) else value)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # "-0,18" and "=…" stay text
            right = col > 2 and isinstance(value, str) and _figure_like(value)
            cell.alignment = Alignment(
                wrap_text=True,
                vertical="top" if not head else "center",
                horizontal="right" if right else ("center" if head else None),
                indent=1 if right else 0,
            )
            if head:
                cell.font = Font(bold=True)
            for c in range(col, col + span):
                self.ws.cell(r, c).border = _BOX
                if head:
                    self.ws.cell(r, c).fill = _HEAD_FILL
            if span > 1:
                self.ws.merge_cells(
                    start_row=r, start_column=col, end_row=r, end_column=col + span - 1
                )
            col += span


def write_profile(
    wb: Any,
    rubric: Rubric,
    unit: UnitResult,
    of_group: Peers | None,
    previous: LastYear | None = None,
) -> None:
    """The "Phản hồi" sheet, first in `wb`, for `unit`; `of_group` None for a unit not graded;
    `previous`: its result last year."""
    ws = wb.create_sheet(SHEET, 0)
    compare = previous is not None and of_group is not None
    last = 8 if compare else 6
    ws.column_dimensions["A"].width = _LABEL
    ws.column_dimensions["B"].width = _NAME if compare else _NAME + 2 * _FIGURE
    for col in range(3, last + 1):
        ws.column_dimensions[get_column_letter(col)].width = _FIGURE
    page = _Page(ws, last)
    _head(page, rubric, unit)
    if of_group is not None:
        _scorecard(page, rubric, unit, of_group, previous)
        _areas(page, rubric, unit, of_group, previous)
        _lost(page, rubric, unit, of_group)
        _appraisal(page, rubric, unit)
    _problems(wb, page, unit)
    for row in ws.iter_rows(max_col=last):
        for cell in row:
            if cell.alignment.wrap_text is not True and cell.value is not None:
                cell.alignment = Alignment(
                    wrap_text=True, vertical="top", horizontal=cell.alignment.horizontal
                )
    fit_rows(ws)
    set_page(
        ws,
        landscape=False,
        pages_high=1,
        print_area=f"A1:{get_column_letter(last)}{page.row}",
        side_margin=0.5,
        footer=PAGE_NUMBERS,
    )


def _head(page: _Page, rubric: Rubric, unit: UnitResult) -> None:
    """The title, the rubric, the unit with its district, its code, group and status."""
    page.line(TITLE, size=14, bold=True)
    page.line(rubric.title, italic=True)
    page.gap()
    page.line(unit.display_name, size=13, bold=True)
    group = rubric.group(unit.group)
    facts = [
        f"Mã đơn vị: {unit.code}",
        f"{labels.GROUP}: {group.label if group else unit.group}",
        f"{labels.STATUS}: {labels.STATUS_LABELS[unit.status]}",
    ]
    page.line(" · ".join(facts))
    if unit.status is not Status.GRADED:
        page.line(
            "Bảng điểm chưa được chấm vì còn lỗi: đơn vị sửa các vấn đề dưới đây rồi gửi lại.",
            italic=True,
        )


def _scorecard(
    page: _Page, rubric: Rubric, unit: UnitResult, of_group: Peers, previous: LastYear | None
) -> None:
    """Boxes side by side: the total, the band, the rank in the group and in the district; with
    last year's below them and the change."""
    p = rubric.precision
    band = rubric.band(unit.band)
    rank = labels.UNRANKED if unit.unranked else f"{unit.rank}/{of_group.graded}"
    boxes: list[tuple[str, str, list[str]]] = [
        (labels.TOTAL_POINTS, vn_number(unit.total or Decimal(0), p), []),
        (labels.BAND, band.label if band else "—", []),
        ("Hạng trong nhóm", rank, []),
    ]
    district = of_group.district.get(unit.code)
    if district is not None and unit.parent_name:
        boxes.append((f"Hạng trong {unit.parent_name}", f"{district[0]}/{district[1]}", []))
    if previous is not None:
        year = f"Năm {previous.year}" if previous.year else "Năm trước"
        boxes[0][2].extend(_total_change(previous, unit, p, year))
        boxes[1][2].extend(_band_change(previous, rubric, unit, year))
        boxes[2][2].extend(_rank_change(previous, unit, year))
    spans = _box_spans(len(boxes), page.last)
    page.gap()
    page.cells([b[0] for b in boxes], spans, head=True)
    r = page.row + 1
    page.cells([b[1] for b in boxes], spans)
    for cell in page.ws[r]:
        cell.font = Font(size=16, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if band is not None:
        colour = labels.band_colour(rubric, band.id).lstrip("#").upper()
        band_cell = page.ws.cell(r, 1 + spans[0])
        band_cell.fill = PatternFill("solid", fgColor=colour)
        band_cell.font = Font(size=16, bold=True, color="FFFFFF")
    if previous is not None:
        more = page.row + 1
        page.cells(["\n".join(b[2]) for b in boxes], spans)
        for cell in page.ws[more]:
            cell.alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
            cell.fill = _BOX_FILL
    notes = [
        f"Thang điểm: {labels.max_text(rubric, unit.group, frozenset(unit.not_applicable))}",
        f"Nhóm có {of_group.graded} đơn vị được chấm: điểm trung bình "
        f"{_fig(of_group.mean, p)}, cao nhất {_fig(of_group.best, p)}",
    ]
    if appraised(unit) and unit.self_total is not None:
        notes.append(
            f"Tổng điểm tự chấm {vn_number(unit.self_total, p)}; sau thẩm định "
            f"{vn_number(unit.total or Decimal(0), p)}"
        )
    page.line(". ".join(notes) + ".", italic=True)


def _box_spans(boxes: int, last: int) -> list[int]:
    """How many columns each scorecard box covers: A, B, then the figures' columns shared."""
    rest = last - 2
    tail = boxes - 2
    spans = [1, 1] + [rest // tail] * tail
    spans[-1] += rest - sum(spans[2:])
    return spans


def _total_change(previous: LastYear, unit: UnitResult, p: int, year: str) -> list[str]:
    if previous.total is None:
        return []
    lines = [f"{year}: {vn_number(previous.total, p)}"]
    if unit.total is not None:
        lines.append(_change(unit.total - previous.total, p, "điểm"))
    return lines


def _band_change(previous: LastYear, rubric: Rubric, unit: UnitResult, year: str) -> list[str]:
    if not previous.band:
        return []
    lines = [f"{year}: {previous.band}"]
    order = [b.label for b in rubric.bands]  # best first
    band = rubric.band(unit.band)
    if band is not None and previous.band in order:
        step = order.index(previous.band) - order.index(band.label)
        lines.append("Giữ nguyên" if not step else ("Lên" if step > 0 else "Xuống") + " loại")
    return lines


def _rank_change(previous: LastYear, unit: UnitResult, year: str) -> list[str]:
    if previous.rank is None:
        return []
    lines = [f"{year}: {previous.rank}/{previous.ranked}"]
    if unit.rank is not None and previous.group == unit.group:
        step = previous.rank - unit.rank
        lines.append(
            "Giữ nguyên hạng" if not step else f"{'Tăng' if step > 0 else 'Giảm'} {abs(step)} bậc"
        )
    return lines


def _change(delta: Decimal, p: int, what: str) -> str:
    if not delta:
        return "Không đổi"
    return f"{'Tăng' if delta > 0 else 'Giảm'} {vn_number(abs(delta), p)} {what}"


def _signed(value: Decimal, p: int) -> str:
    """ "+1,25", "−0,50", "0,00"."""
    text = vn_number(abs(value), p)
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else text


def _areas(
    page: _Page, rubric: Rubric, unit: UnitResult, of_group: Peers, previous: LastYear | None
) -> None:
    """The unit's points per area beside the group's mean and best (and last year's), then the
    same as a bar chart, its figures in hidden columns beyond the printed ones."""
    p = rubric.precision
    page.heading(AREAS_TITLE)
    header = ["Lĩnh vực", "Điểm đạt", "Tối đa", "TB nhóm", "Cao nhất nhóm"]
    if page.last == 8:
        year = f"Năm {previous.year}" if previous and previous.year else "Năm trước"
        header += [year, "Thay đổi"]
    rows: list[list[Any]] = []
    chart: list[AreaBars] = []
    plan, skip = rubric.plan(unit.group), frozenset(unit.not_applicable)
    for area in of_group.areas:
        points = unit.subtotals.get(area.id, unit.points.get(area.id))
        row: list[Any] = [
            f"{area.id}. {area.title}{_kind_note(area.kind, area.title)}",
            _fig(points, p),
            vn_number(plan.max_of(area.id, skip), p),  # without criteria not applicable
            _fig(area.mean, p),
            _fig(area.best, p),
        ]
        if page.last == 8:
            before = previous.areas.get(area.id) if previous else None
            row += [
                _fig(before, p),
                _signed(points - before, p) if points is not None and before is not None else "—",
            ]
        rows.append(row)
        if area.kind != "penalty" and points is not None:
            chart.append((area.id, points, area.mean, area.best))
    page.table(header, rows, [2] + [1] * (len(header) - 1))
    if chart:
        _chart(page, chart)


def _kind_note(kind: str, title: str) -> str:
    """ " (thưởng)" after a bonus area's title, " (trừ)" after a penalty's, unless it says so."""
    word = _KIND_WORD.get(kind)
    return f" ({word})" if word and word not in title.casefold() else ""


def _fig(value: Decimal | None, p: int) -> str:
    return labels.figure_text(value, p)


def _chart(page: _Page, data: list[AreaBars]) -> None:
    """The areas' bar chart under their table, as wide as the printed columns; the rows it
    covers are given a fixed height and the page goes on below it."""
    ws = page.ws
    width = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, page.last + 1))
    anchor = page.row + 2
    rows = area_chart(ws, data, first_col=page.last + 3, anchor=anchor, width=width)
    page.row = anchor + rows - 1


def _lost(page: _Page, rubric: Rubric, unit: UnitResult, of_group: Peers) -> None:
    """The criteria where the unit lost the most against the maximum, and against the group's
    mean (five each; penalties left out)."""
    p = rubric.precision
    plan = rubric.plan(unit.group)
    planned = plan.by_id
    leaves = [
        (cid, planned[cid].max, pts)
        for cid, pts in unit.points.items()
        if cid in planned and planned[cid].kind != "penalty"
    ]
    lost = [t for t in sorted(leaves, key=lambda t: (t[2] - t[1], t[0])) if t[2] < t[1]]
    means = of_group.means
    page.heading(LOST_TITLE)
    page.table(
        ["Tiêu chí", "Điểm đạt", "Tối đa", "Còn thiếu", "TB nhóm"],
        [
            [
                f"{cid} {planned[cid].criterion.title}",
                vn_number(pts, p),
                vn_number(mx, p),
                vn_number(mx - pts, p),
                _fig(means.get(cid), p),
            ]
            for cid, mx, pts in lost[:SHOWN_CRITERIA]
        ],
        [2, 1, 1, 1, 1],
    )
    behind = sorted(
        ((cid, pts, means[cid]) for cid, _, pts in leaves if cid in means and pts < means[cid]),
        key=lambda t: (t[1] - t[2], t[0]),
    )[:SHOWN_CRITERIA]
    page.heading(BEHIND_TITLE)
    page.table(
        ["Tiêu chí", "Điểm đạt", "TB nhóm", labels.DIFFERENCE],
        [
            [
                f"{cid} {planned[cid].criterion.title}",
                vn_number(pts, p),
                vn_number(mean, p),
                _signed(pts - mean, p),
            ]
            for cid, pts, mean in behind
        ],
        [2, 1, 1, 1],
    )


def _appraisal(page: _Page, rubric: Rubric, unit: UnitResult) -> None:
    """Where the appraisal changed the unit's points or marked a criterion not applicable, and
    why (the council's note)."""
    changed = [c for c in appraisal_changes([unit]) if c.changes_points]
    if not changed:
        return
    p = rubric.precision
    planned = rubric.plan(unit.group).by_id
    page.heading(APPRAISAL_TITLE)
    rows = []
    for c in changed:
        title = planned[c.criterion].criterion.title if c.criterion in planned else ""
        why = f"{labels.NOT_APPLICABLE}: {c.not_applicable}" if c.not_applicable else c.note
        rows.append(
            [
                f"{c.criterion} {title}",
                vn_number(c.self_points or Decimal(0), p),
                labels.NOT_APPLICABLE_MARK if c.not_applicable else _fig(c.points, p),
                _signed(c.difference, p) if c.difference is not None else "—",
                why or labels.NO_REASON,
            ]
        )
    spans = [2, 1, 1, 1, page.last - 5]
    page.table(
        [labels.CRITERION, labels.SELF_SCORE, labels.APPRAISED, "Thay đổi", "Lý do"], rows, spans
    )
    for row in page.ws.iter_rows(min_row=page.row - len(rows) + 1, max_row=page.row):
        row[5].alignment = Alignment(wrap_text=True, vertical="top")


def _problems(wb: Any, page: _Page, unit: UnitResult) -> None:
    """The unit's problems, in Vietnamese, where it finds them; past `SHOWN_PROBLEMS`, the rest
    on a sheet of their own, so that the profile stays one readable page."""
    if not unit.issues:
        return
    limit = SHOWN_PROBLEMS if unit.status is Status.GRADED else SHOWN_PROBLEMS_NOT_GRADED
    shown = unit.issues if len(unit.issues) <= limit + 1 else unit.issues[:limit]
    page.heading(PROBLEMS_TITLE)
    spans = [1, page.last - 1]
    page.table(["Vị trí", "Nội dung"], [[_place(i, unit), vi_message(i)] for i in shown], spans)
    if len(shown) < len(unit.issues):
        rest = len(unit.issues) - len(shown)
        page.line(
            f"… và {rest} vấn đề khác: xem toàn bộ ở trang “{ALL_PROBLEMS_SHEET}”.", italic=True
        )
        _all_problems(wb, unit)


def _all_problems(wb: Any, unit: UnitResult) -> None:
    ws = wb.create_sheet(ALL_PROBLEMS_SHEET, 1)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 70
    page = _Page(ws, 2)
    page.line(f"{PROBLEMS_TITLE}: {unit.display_name}", size=12, bold=True)
    page.table(
        ["Vị trí", "Nội dung"], [[_place(i, unit), vi_message(i)] for i in unit.issues], [1, 1]
    )
    fit_rows(ws)
    set_page(ws, landscape=False, header_rows=(2, 2), side_margin=0.5, footer=PAGE_NUMBERS)


def _place(issue: Issue, unit: UnitResult) -> str:
    """Where the issue is, as the unit finds it: the cell of its own file, or the other file's
    name and cell (a unit that sent two sheets)."""
    where = issue.where
    if where is None:
        return ""
    if where.file != unit.file:
        return f"{Path(where.file).name}!{where.cell}" if where.cell else Path(where.file).name
    return where.cell or ""


def _text(value: Any) -> Any:
    return xml_safe(value) if isinstance(value, str) else value


def _figure_like(text: str) -> bool:
    return bool(text) and (text[0].isdigit() or text[0] in "+−-—") and len(text) < 12
