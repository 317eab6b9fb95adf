"""The score-sheet contract, shared by the template writer and the reader (docs/sheet-format.md).

Rows are found by the criterion id in the id column and columns by their header text, so the
reader does not depend on fixed row numbers. Every input cell also gets a workbook-level defined
name (`input_name`) so another program can fill a template without knowing the layout.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Final, Literal

LAYOUT_VERSION: Final = "1"
"""Bumped when the contract below changes incompatibly."""

SCORE_SHEET: Final = "Bảng điểm"
INSTRUCTIONS_SHEET: Final = "Hướng dẫn"
META_SHEET: Final = "_ictscore"
"""A very hidden sheet of key/value pairs (column A key, column B value) that records what made
the workbook: see META_KEYS."""

RESULTS_FIRST_SHEET: Final = "Tổng hợp"
RESULTS_LAST_SHEET: Final = "Vấn đề"
"""The first and last sheets of every results workbook `ictscore grade -o results.xlsx` writes
(reports/workbook: the summary, and the issues): how such a workbook left in the graded folder
is recognised."""


FEEDBACK_FIRST_SHEET: Final = "Phản hồi"
"""The first sheet of a unit's feedback workbook (`grade --feedback`: the unit's profile,
reports/feedback/profile.py), before the copy of the unit's own sheet."""
APPRAISAL_SHEET: Final = "Thẩm định"
"""The sheet of the appraisal council's form (`ictscore appraisal`, grading/appraisal_form.py)."""

OwnOutput = Literal["results", "feedback", "appraisal-form"]
"""ictscore's own outputs that a graded folder may be left holding."""
RESULTS_KEYWORD: Final = "ictscore-results"
FEEDBACK_KEYWORD: Final = "ictscore-feedback"
APPRAISAL_FORM_KEYWORD: Final = "ictscore-appraisal-form"
KEYWORDS_TAG: Final = re.compile(rb"<cp:keywords(?:\s[^>]*)?>([^<]{0,500})</cp:keywords>")
"""The keywords of docProps/core.xml, looked for in its first KEYWORDS_READ bytes (both readers
alike)."""
KEYWORDS_READ: Final = 16_384
OWN_OUTPUT_KEYWORDS: Final[dict[str, OwnOutput]] = {
    RESULTS_KEYWORD: "results",
    FEEDBACK_KEYWORD: "feedback",
    APPRAISAL_FORM_KEYWORD: "appraisal-form",
}
"""The marker each writer puts in its workbook's document properties (keywords)."""


def is_results_workbook(sheet_names: list[str]) -> bool:
    """Whether a workbook with these sheets is ictscore's results workbook."""
    return (
        len(sheet_names) >= 2
        and sheet_names[0] == RESULTS_FIRST_SHEET
        and sheet_names[-1] == RESULTS_LAST_SHEET
    )


def own_output(sheet_names: list[str], keywords: str = "") -> OwnOutput | None:
    """Which of ictscore's own outputs a workbook is, by the marker in its document keywords
    (`keywords`) or else by its sheets; None for a score sheet (or anything else). A feedback
    workbook holds a copy of the unit's sheet, hidden record included: its first sheet, the
    profile, tells it apart."""
    for word in keywords.replace(";", ",").replace(" ", ",").split(","):
        if word in OWN_OUTPUT_KEYWORDS:
            return OWN_OUTPUT_KEYWORDS[word]
    if SCORE_SHEET in sheet_names:
        return "feedback" if sheet_names[0] == FEEDBACK_FIRST_SHEET else None
    if is_results_workbook(sheet_names):
        return "results"
    if APPRAISAL_SHEET in sheet_names:
        return "appraisal-form"
    return None


META_KEYS: Final = (
    "format",  # always "ictscore-sheet"
    "layout_version",
    "rubric_id",
    "rubric_version",
    "rubric_hash",
    "unit_code",
    "unit_name",
    "unit_group",
    "unit_parent",
    "unit_parent_name",
    "unit_token",  # unit_token(rubric_id, rubric_version, unit_code)
    "generator",  # "ictscore x.y.z"
)
META_FORMAT: Final = "ictscore-sheet"
TOKEN_KEY: Final = b"ictscore-sheet-token-v1"


def unit_token(rubric_id: str, rubric_version: str, unit_code: str) -> str:
    """The token of a unit's template: the first 16 hex digits of HMAC-SHA256 with the public
    key TOKEN_KEY over "rubric id, newline, version, newline, unit code" (UTF-8).

    A consistency check, not a signature: the key is public, so anyone can compute a token. It
    tells a record edited to claim another unit (or copied from another template) from the
    template made for that unit, which is what resolves a duplicate unit (groups.py)."""
    message = "\n".join((rubric_id, rubric_version, unit_code)).encode()
    return hmac.new(TOKEN_KEY, message, hashlib.sha256).hexdigest()[:16]


# Columns of the score sheet, by role. The header text identifies each column when reading.
COL_ID: Final = "A"
COL_TITLE: Final = "B"
COL_RULE: Final = "C"
COL_MAX: Final = "D"
COL_INPUT_1: Final = "E"
COL_INPUT_2: Final = "F"
COL_POINTS: Final = "G"
COL_EVIDENCE: Final = "H"
INPUT_COLUMNS: Final = (COL_INPUT_1, COL_INPUT_2)
"""A criterion's input slots fill these columns in order; a method has at most this many."""

HEADERS: Final = {
    COL_ID: "Mã tiêu chí",
    COL_TITLE: "Tiêu chí",
    COL_RULE: "Cách tính điểm, minh chứng cần có",
    COL_MAX: "Điểm tối đa",
    COL_INPUT_1: "Số liệu / điểm tự chấm",
    COL_INPUT_2: "Số liệu (2)",
    COL_POINTS: "Điểm (tự tính)",
    COL_EVIDENCE: "Minh chứng, ghi chú",
}
COLUMN_WIDTHS: Final = {
    COL_ID: 9,
    COL_TITLE: 48,
    COL_RULE: 40,
    COL_MAX: 9,
    COL_INPUT_1: 14,
    COL_INPUT_2: 14,
    COL_POINTS: 11,
    COL_EVIDENCE: 34,
}

FIRST_HEADER_SCAN_ROWS: Final = 40
"""The reader looks for the header row within this many rows from the top."""
TOTAL_LABEL: Final = "TỔNG ĐIỂM"
"""The title-column text of the total row (the sheet's own total, compared, never trusted)."""
BAND_LABEL: Final = "Xếp loại (tạm tính)"


def name_stem(criterion_id: str) -> str:
    """The defined-name stem of a criterion: "1.2.a" → "ic_1_2_a"."""
    return "ic_" + criterion_id.replace(".", "_")


def input_name(criterion_id: str, slot: str) -> str:
    """Defined name of an input cell: ("1.2", "numerator") → "ic_1_2_numerator"."""
    return f"{name_stem(criterion_id)}_{slot}"


def evidence_name(criterion_id: str) -> str:
    return f"{name_stem(criterion_id)}_evidence"


def points_name(criterion_id: str) -> str:
    """Defined name of a criterion's live points formula cell (display only): "sc_1_2"."""
    return "sc_" + criterion_id.replace(".", "_")


TOTAL_NAME: Final = "sc__total"
"""Defined name of the live total formula cell (a double underscore: no criterion id makes it)."""
