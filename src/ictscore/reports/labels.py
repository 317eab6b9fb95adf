"""The Vietnamese labels the report writers share: unit statuses, column headers, the marks
written in cells ("KXH", "KAD"), the headings of the appraisal and reference tables, and the
maximum of a group as a phrase (`max_text`).

The terminal, plain-text, workbook, page and feedback writers read their shared words here, so
no writer imports another for a label. A label only one writer uses stays in that writer.
"""

from __future__ import annotations

from typing import Final

from ictscore.grading.results import Status
from ictscore.numbers import vn_number
from ictscore.rubric.model import Rubric

STATUS_LABELS: Final = {
    Status.GRADED: "Đã chấm",
    Status.INVALID: "Không hợp lệ",
    Status.MISSING: "Chưa nộp",
}
OTHER_GROUPS_LABEL: Final = "Đơn vị ngoài các nhóm của bảng điểm"

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


def max_text(rubric: Rubric, group_id: str) -> str:
    """ "tối đa 100 điểm (+10 thưởng, −5 trừ)", with the scale when totals are rescaled."""
    text = f"tối đa {vn_number(rubric.published_max(group_id))} điểm"
    extra = []
    if bonus := rubric.bonus_max(group_id):
        extra.append(f"+{vn_number(bonus)} thưởng")
    if penalty := rubric.penalty_max(group_id):
        extra.append(f"−{vn_number(penalty)} trừ")
    if rubric.not_applicable == "rescale":
        extra.append("quy đổi")
    return text + (f" ({', '.join(extra)})" if extra else "")
