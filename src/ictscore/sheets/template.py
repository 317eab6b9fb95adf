"""build_template(rubric, unit) → openpyxl Workbook: the blank, protected score sheet of a unit.

The caller saves it (see `save_workbook` in export.py for an atomic save). The layout follows
layout.py; the formulas are for the unit's eyes only — grading recomputes everything.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ictscore.errors import UsageError
from ictscore.numbers import excel_number_format, plain, vn_number
from ictscore.roster import Unit
from ictscore.rubric.compiled import GroupPlan, PlannedCriterion
from ictscore.rubric.methods import Levels, Slot, SlotKind
from ictscore.rubric.model import Rubric
from ictscore.sheets import layout
from ictscore.sheets.instructions import write_instructions
from ictscore.sheets.printing import set_page
from ictscore.text import xml_safe
from ictscore.version import __version__

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="top", wrap_text=True)
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_AREA_FILL = PatternFill("solid", fgColor="E2EFDA")
_UNLOCKED = Protection(locked=False)


def build_template(rubric: Rubric, unit: Unit, password: str | None = None) -> Workbook:
    """The score sheet of `unit`: the criteria of its group; inputs unlocked, the rest locked.
    Raises UsageError when the unit's group is not one of the rubric's."""
    if rubric.group(unit.group) is None:
        raise UsageError(f"unit {unit.code}: group {unit.group!r} is not in rubric {rubric.id}")
    unit = _writable(unit)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = layout.SCORE_SHEET
    instructions = wb.create_sheet(layout.INSTRUCTIONS_SHEET)
    meta = wb.create_sheet(layout.META_SHEET)
    write_record(meta, meta_values(rubric, unit))
    _write_score_sheet(wb, ws, rubric, unit, _Lists(meta))
    write_instructions(instructions, rubric, unit)
    for sheet in (ws, wb[layout.INSTRUCTIONS_SHEET]):
        _protect(sheet, password)
    wb.security = WorkbookProtection(lockStructure=True)
    if password:
        wb.security.workbookPassword = password
    wb.active = 0
    return wb


def _writable(unit: Unit) -> Unit:
    """The unit as a workbook can hold it: a control character in a name (a BEL, an ESC, a Word
    line break) cleaned (text.xml_safe). Codes are plain by the roster's rule."""
    parent_name = xml_safe(unit.parent_name) if unit.parent_name else unit.parent_name
    return dataclasses.replace(unit, name=xml_safe(unit.name), parent_name=parent_name)


def meta_values(rubric: Rubric, unit: Unit) -> dict[str, str]:
    """What the hidden meta sheet records (layout.META_KEYS)."""
    return {
        "format": layout.META_FORMAT,
        "layout_version": layout.LAYOUT_VERSION,
        "rubric_id": rubric.id,
        "rubric_version": rubric.version,
        "rubric_hash": rubric.content_hash,
        "unit_code": unit.code,
        "unit_name": unit.name,
        "unit_group": unit.group,
        "unit_parent": unit.parent or "",
        "unit_parent_name": unit.parent_name or "",
        "unit_token": layout.unit_token(rubric.id, rubric.version, unit.code),
        "generator": f"ictscore {__version__}",
    }


def write_record(ws: Worksheet, values: Mapping[str, str]) -> None:
    """Write the hidden record of a workbook ictscore makes (a key and a value per row, in the
    very hidden layout.META_SHEET): the score sheet's (`meta_values`) or the appraisal form's.
    `reader.read_record` reads it back."""
    for row, (key, value) in enumerate(values.items(), start=1):
        ws.cell(row, 1, key)
        cell = ws.cell(row, 2, xml_safe(value))
        cell.data_type = "s"  # a unit name like "=HYPERLINK(…)" is text, never a formula
        cell.number_format = "@"
    ws.sheet_state = "veryHidden"


class _Lists:
    """Writes the choices of `listed` slots (level texts and their points) into columns of the
    meta sheet, from column D on, one pair of columns per slot: drop-downs and formulas refer to
    them, as long texts do not fit inside a formula or a validation rule."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.next_col = 4

    def add(self, labels: tuple[str, ...], worths: tuple[Decimal, ...]) -> tuple[str, str]:
        """The absolute ranges of the labels and of their worths."""
        col = self.next_col
        self.next_col += 2
        for row, (label, worth) in enumerate(zip(labels, worths, strict=True), start=1):
            self.ws.cell(row, col, label).number_format = "@"
            self.ws.cell(row, col + 1, float(worth))
        quoted = "'" + self.ws.title.replace("'", "''") + "'"
        a, b, n = get_column_letter(col), get_column_letter(col + 1), len(labels)
        return f"{quoted}!${a}$1:${a}${n}", f"{quoted}!${b}$1:${b}${n}"


def _protect(ws: Worksheet, password: str | None) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # allowed: resizing columns and rows
    ws.protection.formatRows = False
    if password:
        ws.protection.password = password


def _write_score_sheet(
    wb: Workbook, ws: Worksheet, rubric: Rubric, unit: Unit, lists: _Lists
) -> None:
    group = rubric.group(unit.group)
    assert group is not None
    plan = rubric.plan(unit.group)
    for col, width in layout.COLUMN_WIDTHS.items():
        ws.column_dimensions[col].width = width
    last_col = layout.COL_EVIDENCE
    base, bonus = plan.base_max, plan.bonus_max
    published, penalty = plan.published_max, plan.penalty_max
    maxima = f"Điểm tối đa: {vn_number(base)} điểm"
    if published != base:
        maxima += f", quy đổi về thang {vn_number(published)} điểm"
    if bonus:
        maxima += f"; điểm thưởng tối đa {vn_number(bonus)} điểm"
    if penalty:
        maxima += f"; điểm trừ tối đa {vn_number(penalty)} điểm"
    heading = [
        (rubric.title.upper(), Font(bold=True, size=14)),
        (f"Năm {rubric.year} — {rubric.issuer}", Font(italic=True)),
        (f"Đơn vị: {unit.name}", Font(bold=True, size=12)),
        (
            f"Mã đơn vị: {unit.code}    Nhóm: {group.label}"
            + (f"    Thuộc: {unit.parent_name}" if unit.parent_name else ""),
            Font(),
        ),
        (maxima, Font()),
    ]
    for row, (text, font) in enumerate(heading, start=1):
        cell = ws.cell(row, 1, text)
        cell.font = font
        ws.merge_cells(f"A{row}:{last_col}{row}")
    header_row = len(heading) + 2
    for col, text in layout.HEADERS.items():
        cell = ws[f"{col}{header_row}"]
        cell.value = text
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTER
        cell.border = _BORDER
    ws.row_dimensions[header_row].height = 32

    row_of = {c.id: header_row + 1 + i for i, c in enumerate(plan.criteria)}
    for entry in plan.criteria:
        _write_criterion_row(wb, ws, plan, entry, row_of, lists)

    total_row = header_row + len(plan.criteria) + 1
    _summary_row(ws, total_row, layout.TOTAL_LABEL, _total_formula(plan, row_of), plan.precision)
    ws[f"{layout.COL_MAX}{total_row}"] = float(published + bonus)
    _define(wb, layout.TOTAL_NAME, ws, f"{layout.COL_POINTS}{total_row}")
    if rubric.bands:  # a rubric without bands classifies nothing: no band row
        total_ref = f"ROUND({layout.COL_POINTS}{total_row},{rubric.precision})"
        _summary_row(
            ws, total_row + 1, layout.BAND_LABEL, _band_formula(rubric, total_ref), rubric.precision
        )

    sign_row = total_row + 3
    ws[f"{layout.COL_POINTS}{sign_row}"] = "……, ngày …… tháng …… năm ……"
    for col, role, hint in (
        (layout.COL_TITLE, "NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"),
        (layout.COL_POINTS, "THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)"),
    ):
        ws[f"{col}{sign_row + 1}"] = role
        ws[f"{col}{sign_row + 1}"].font = Font(bold=True)
        ws[f"{col}{sign_row + 2}"] = hint
        ws[f"{col}{sign_row + 2}"].font = Font(italic=True)
        for r in (sign_row + 1, sign_row + 2):
            ws[f"{col}{r}"].alignment = Alignment(horizontal="center")

    ws.freeze_panes = f"A{header_row + 1}"
    set_page(
        ws,
        header_rows=(header_row, header_row),
        print_area=f"A1:{last_col}{sign_row + 6}",
        centred=True,
        side_margin=0.4,
    )
    ws.oddFooter.center.text = "Trang &P / &N"
    ws.oddFooter.left.text = f"{unit.code} — {rubric.id} {rubric.version}"


def _total_formula(plan: GroupPlan, row_of: dict[str, int]) -> str:
    """Base areas (rescaled where the rubric says so) + bonus − penalty, not below 0."""

    def rows(kind: str) -> list[int]:
        return [row_of[a] for a in plan.areas if plan.by_id[a].kind == kind]

    def cells(kind: str) -> str:
        return ",".join(f"{layout.COL_POINTS}{row}" for row in rows(kind))

    formula = f"SUM({cells('base')})"
    if plan.rescale_to is not None:
        base_max = "+".join(f"{layout.COL_MAX}{row}" for row in rows("base"))
        formula = f"{formula}*{plan.rescale_to}/({base_max})"
    if bonus := cells("bonus"):
        formula += f"+SUM({bonus})"
    if penalty := cells("penalty"):
        formula += f"-SUM({penalty})"
    if not plan.negative_total:
        formula = f"MAX(0,{formula})"
    return f"=ROUND({formula},{plan.precision})"


def _write_criterion_row(
    wb: Workbook,
    ws: Worksheet,
    plan: GroupPlan,
    entry: PlannedCriterion,
    row_of: dict[str, int],
    lists: _Lists,
) -> None:
    c = entry.criterion
    row = row_of[c.id]
    max_points = entry.max
    cells: dict[str, Any] = {
        layout.COL_ID: c.id,
        layout.COL_TITLE: ("    " * entry.depth) + c.title,
        layout.COL_MAX: float(max_points),
    }
    rule_parts = []
    if c.method is not None:
        rule_parts.append(c.method.describe(max_points))
    else:
        rule_parts.append(_parent_rule(entry))
    if c.guidance:
        rule_parts.append(c.guidance)
    cells[layout.COL_RULE] = "\n".join(rule_parts)
    for col, value in cells.items():
        ws[f"{col}{row}"] = value
        if isinstance(value, str):
            ws[f"{col}{row}"].data_type = "s"  # text from the rubric, never a formula
    ws[f"{layout.COL_ID}{row}"].number_format = "@"
    # NOTE: spreadsheet applications do not grow rows for wrapped text in a file they did not
    # lay out, so the height is set from the longest wrapped text (14 points a line).
    lines = max(
        _wrapped_lines(str(cells[col]), layout.COLUMN_WIDTHS[col])
        for col in (layout.COL_TITLE, layout.COL_RULE)
    )
    ws.row_dimensions[row].height = 14 * lines + 3

    points_cell = f"{layout.COL_POINTS}{row}"
    used: set[str] = set()
    if c.method is not None:
        slots = c.method.slots(max_points)
        refs = {s.key: f"{col}{row}" for s, col in zip(slots, layout.INPUT_COLUMNS, strict=False)}
        for slot, col in zip(slots, layout.INPUT_COLUMNS, strict=False):
            listed = None
            if slot.listed and isinstance(c.method, Levels):
                worths = tuple(level.worth(max_points) for level in c.method.levels)
                listed = lists.add(slot.choices, worths)
                refs["labels"], refs["worths"] = listed
            _write_input(wb, ws, c.id, slot, f"{col}{row}", listed, c.method.describe(max_points))
            used.add(col)
        ws[points_cell] = c.method.formula(refs, max_points, plan.precision)
        ev = ws[f"{layout.COL_EVIDENCE}{row}"]
        ev.protection = _UNLOCKED
        ev.fill = _INPUT_FILL
        _define(wb, layout.evidence_name(c.id), ws, f"{layout.COL_EVIDENCE}{row}")
    else:
        kids = ",".join(f"{layout.COL_POINTS}{row_of[k]}" for k in entry.children)
        combined = f"MAX({kids})" if entry.combine == "best_of" else f"SUM({kids})"
        if entry.cap is not None:
            combined = f"MIN({combined},{entry.cap})"
        ws[points_cell] = "=" + combined
    ws[points_cell].number_format = excel_number_format(plan.precision)
    _define(wb, layout.points_name(c.id), ws, points_cell)

    for col in layout.HEADERS:
        cell = ws[f"{col}{row}"]
        cell.border = _BORDER
        cell.alignment = (
            _CENTER if col in (layout.COL_ID, layout.COL_MAX, layout.COL_POINTS) else _WRAP
        )
        if c.children:
            cell.font = Font(bold=True)
            if col not in used:
                cell.fill = _AREA_FILL
        elif col in layout.INPUT_COLUMNS and col not in used:
            cell.fill = _LOCKED_FILL


def _wrapped_lines(text: str, width: int) -> int:
    """How many lines `text` takes in a column `width` characters wide (an estimate)."""
    per_line = max(1, int(width * 1.25))  # an 11-point font fits about 1.25 characters a unit
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def _parent_rule(entry: PlannedCriterion) -> str:
    if entry.combine == "best_of":
        text = "Tính điểm cho trường hợp có điểm cao nhất."
    else:
        text = "Tổng điểm các tiêu chí thành phần"
        if entry.cap is not None:
            text += f", tối đa {vn_number(entry.max)} điểm"
        text += "."
    kind = entry.criterion.kind  # its own: a part of a bonus area is not announced as a bonus
    if kind == "bonus":
        text = "Điểm thưởng, cộng vào tổng điểm. " + text
    elif kind == "penalty":
        text = "Điểm trừ, trừ vào tổng điểm. " + text
    return text


def _write_input(
    wb: Workbook,
    ws: Worksheet,
    criterion_id: str,
    slot: Slot,
    ref: str,
    listed: tuple[str, str] | None = None,
    scoring: str = "",
) -> None:
    """An unlocked input cell with its data validation and an input message that states what to
    type and how it is scored (`scoring`, the method's rule)."""
    cell = ws[ref]
    cell.protection = _UNLOCKED
    cell.fill = _INPUT_FILL
    if slot.percent:
        cell.number_format = "0.00%"
    prompt_title = f"Tiêu chí {criterion_id}"[:32]
    if slot.kind is SlotKind.CHOICE:
        source = listed[0] if listed else '"' + ",".join(slot.choices) + '"'
        dv = DataValidation(type="list", formula1=source, allow_blank=True)
        if listed:
            rule = "Chọn một mức trong danh sách."
            cell.alignment = _WRAP
        else:
            rule = f"Chọn {' hoặc '.join(slot.choices)}."
    else:
        lo = slot.minimum if slot.minimum is not None else Decimal(0)
        if slot.maximum is not None:
            dv = DataValidation(
                type="decimal",
                operator="between",
                formula1=plain(lo),
                formula2=plain(slot.maximum),
                allow_blank=True,
            )
            if slot.percent:
                rule = f"Nhập tỷ lệ phần trăm từ 0% đến {vn_number(slot.maximum * 100)}%."
            else:
                rule = f"Nhập số từ {vn_number(lo)} đến {vn_number(slot.maximum)}."
        else:
            dv = DataValidation(
                type="whole" if slot.integer else "decimal",
                operator="greaterThanOrEqual",
                formula1=plain(lo),
                allow_blank=True,
            )
            if slot.integer:
                rule = "Nhập số nguyên không âm."
            elif slot.percent:
                rule = "Nhập tỷ lệ phần trăm (ví dụ 85%)."
            else:
                rule = f"Nhập số không âm (từ {vn_number(lo)} trở lên)."
    prompt = f"{slot.label}: {rule}"
    if scoring and scoring not in prompt:
        prompt += f"\n{scoring}"
    if len(prompt) > 250:  # Excel's limit for an input message is 255 characters
        prompt = prompt[:249] + "…"
    dv.promptTitle = prompt_title
    dv.prompt = prompt
    dv.showInputMessage = True
    dv.errorTitle = "Giá trị không hợp lệ"[:32]
    dv.error = f"Tiêu chí {criterion_id}: {rule}"[:250]
    dv.showErrorMessage = True
    dv.errorStyle = "stop"
    ws.add_data_validation(dv)
    dv.add(ref)
    _define(wb, layout.input_name(criterion_id, slot.key), ws, ref)


def _summary_row(ws: Worksheet, row: int, label: str, formula: str, precision: int) -> None:
    ws[f"{layout.COL_TITLE}{row}"] = label
    ws[f"{layout.COL_POINTS}{row}"] = formula
    ws[f"{layout.COL_POINTS}{row}"].number_format = excel_number_format(precision)
    for col in layout.HEADERS:
        cell = ws[f"{col}{row}"]
        cell.font = Font(bold=True)
        cell.border = _BORDER
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTER if col != layout.COL_TITLE else _WRAP


def _band_formula(rubric: Rubric, total_ref: str) -> str:
    """=IF(t>=100,"Tốt",IF(t>=95,"Khá",…,"Yếu")) on the total as published."""

    def text(label: str) -> str:
        return '"' + label.replace('"', '""') + '"'  # a quote inside an Excel string is doubled

    formula = text(rubric.bands[-1].label)
    for band in reversed(rubric.bands[:-1]):
        assert band.min is not None
        formula = f"IF({total_ref}>={plain(band.min)},{text(band.label)},{formula})"
    return "=" + formula


def _define(wb: Workbook, name: str, ws: Worksheet, ref: str) -> None:
    col = "".join(ch for ch in ref if ch.isalpha())
    row = ref[len(col) :]
    quoted = "'" + ws.title.replace("'", "''") + "'"
    wb.defined_names[name] = DefinedName(name, attr_text=f"{quoted}!${col}${row}")
