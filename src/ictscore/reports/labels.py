"""The Vietnamese labels the report writers share: unit statuses, column headers, the marks
written in cells ("KXH", "KAD"), the headings of the appraisal and reference tables, and the
maximum of a group as a phrase (`max_text`), and the one band palette (`band_colour`).

The terminal, plain-text, workbook, page and feedback writers read their shared words here, so
no writer imports another for a label. A label only one writer uses stays in that writer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final

from rich.markup import escape

from ictscore.grading.results import Status
from ictscore.numbers import vn_number
from ictscore.rubric.model import Rubric
from ictscore.text import terminal_safe

STATUS_LABELS: Final = {
    Status.GRADED: "Đã chấm",
    Status.INVALID: "Không hợp lệ",
    Status.MISSING: "Chưa nộp",
}
OTHER_GROUPS_LABEL: Final = "Đơn vị ngoài các nhóm của bảng điểm"
NOT_COUNTED: Final = "—"
"""The count of units that sent nothing, when there is no roster to know them by."""
NO_ROSTER_NOTE: Final = "Không có danh sách đơn vị (--units) nên không đếm được đơn vị chưa nộp."

# --- column headers --------------------------------------------------------------------------
RANK: Final = "Hạng"
PARENT_RANK: Final = "Hạng (cấp trên)"
CODE: Final = "Mã"
UNIT: Final = "Đơn vị"
UNIT_NAME: Final = "Tên đơn vị"
PARENT: Final = "Thuộc"
GROUP: Final = "Nhóm"
STATUS: Final = "Trạng thái"
FILE: Final = "Tệp"
CRITERION: Final = "Tiêu chí"
SELF_SCORE: Final = "Tự chấm"
APPRAISED: Final = "Thẩm định"
DIFFERENCE: Final = "Chênh lệch"
APPRAISAL_DIFFERENCE: Final = "Chênh lệch thẩm định"
RAW_TOTAL: Final = "Chưa quy đổi"
TOTAL: Final = "Tổng"
TOTAL_POINTS: Final = "Tổng điểm"
BAND: Final = "Xếp loại"
NOTE: Final = "Ghi chú"
BLOCK: Final = "Khối"
BEST_VALUE: Final = "Giá trị cao nhất"
BEST_UNITS: Final = "Đơn vị đạt"
MEAN: Final = "Điểm trung bình"
HIGHEST: Final = "Cao nhất"
LOWEST: Final = "Thấp nhất"

# --- marks and phrases in cells --------------------------------------------------------------
UNRANKED_MARK: Final = "KXH"
"""Không xếp hạng: scored, but the rubric keeps the unit out of the ranking."""
UNRANKED: Final = "Không xếp hạng"
NOT_APPLICABLE_MARK: Final = "KAD"
"""Không áp dụng: the appraisal marks the criterion not applicable."""
NOT_APPLICABLE: Final = "Không áp dụng"
NO_REASON: Final = "(chưa ghi lý do)"
APPRAISED_VALUE: Final = "Số liệu thẩm định"
NO_BEST_UNIT: Final = "(mọi đơn vị bằng 0: 0 điểm)"
AREAS: Final = "Lĩnh vực"
PENALTY_SUFFIX: Final = " (−)"
"""After a penalty area's id in a column header."""

# --- table titles ----------------------------------------------------------------------------
APPRAISAL_TITLE: Final = "Thẩm định: điểm khác điểm tự chấm"
REFERENCES_TITLE: Final = "Tiêu chí so với đơn vị cao nhất trong khối"


def holders(codes: Sequence[str], names: Mapping[str, str]) -> list[str]:
    """Who holds a figure (the highest total, the lowest): one unit by its name; tied units each
    by its name and code, to be shown one a line (names may hold commas: "Sở Văn hóa, Thể thao
    và Du lịch")."""
    if len(codes) == 1:
        return [names.get(codes[0], codes[0])]
    return [f"{names.get(c, c)} ({c})" for c in codes]


def markup_safe(text: object) -> str:
    """Text from names, files or typed values as rich markup that shows it on one line, as it
    is: control characters as escapes (`text.terminal_safe`), [brackets] as brackets."""
    return escape(terminal_safe(str(text)))


def figure_text(value: Decimal | None, precision: int) -> str:
    """A figure as the reports write it ("102,79"), or "—" for none."""
    return "—" if value is None else vn_number(value, precision)


def max_text(rubric: Rubric, group_id: str, skip: frozenset[str] = frozenset()) -> str:
    """ "tối đa 100 điểm (+10 thưởng, −5 trừ)", with the scale when totals are rescaled; `skip`:
    a unit's criteria marked not applicable, for its own maximum."""
    plan = rubric.plan(group_id)
    text = f"tối đa {vn_number(plan.unit_published_max(skip))} điểm"
    extra = []
    if bonus := plan.unit_bonus_max(skip):
        extra.append(f"+{vn_number(bonus)} thưởng")
    if penalty := plan.unit_penalty_max(skip):
        extra.append(f"−{vn_number(penalty)} trừ")
    if rubric.not_applicable == "rescale":
        extra.append("quy đổi")
    return text + (f" ({', '.join(extra)})" if extra else "")


# --- the band palette -----------------------------------------------------------------------
_BAND_COLOURS: Final = {
    "green": "#2e7d32",
    "bright_green": "#43a047",
    "cyan": "#0277bd",
    "bright_cyan": "#0288d1",
    "blue": "#1565c0",
    "bright_blue": "#1e88e5",
    "yellow": "#f9a825",
    "bright_yellow": "#fbc02d",
    "orange": "#ef6c00",
    "magenta": "#ad1457",
    "bright_magenta": "#d81b60",
    "red": "#c62828",
    "bright_red": "#e53935",
    "white": "#90a4ae",
    "black": "#263238",
    "default": "#546e7a",
}
_PALETTE: Final = ("#2e7d32", "#0277bd", "#f9a825", "#c62828", "#6a1b9a", "#00838f", "#5d4037")
"""For bands without a known colour: distinct colours by their position, best first."""


def band_colour(rubric: Rubric, band_id: str | None) -> str:
    """The one colour of a band (#rrggbb) on the page, in the workbook and on the terminal: the
    rubric's colour name for it, else a distinct colour by its position (best first)."""
    for i, band in enumerate(rubric.bands):
        if band.id == band_id:
            known = _BAND_COLOURS.get(band.color)
            return known if known and band.color != "default" else _PALETTE[i % len(_PALETTE)]
    return _BAND_COLOURS["default"]
