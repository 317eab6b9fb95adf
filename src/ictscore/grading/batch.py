"""Former home of the grading pipeline, now split by stage (discovery, rubric_choice, workers,
units, groups, pipeline): these names are kept for the callers not yet moved to those modules.

TODO(#11): remove once tests/test_plain.py, tests/test_real_rubrics.py and
benchmarks/profile_stages.py import from the stage modules.
"""

from __future__ import annotations

from ictscore.grading.discovery import find_sheets, name_issue
from ictscore.grading.groups import assemble, settle
from ictscore.grading.pipeline import grade_sheets
from ictscore.grading.rubric_choice import check_made, pick_rubric, resolve_rubric
from ictscore.grading.units import grade_sheet
from ictscore.grading.workers import compact, grade_files, read_sheets

__all__ = [
    "assemble",
    "check_made",
    "compact",
    "find_sheets",
    "grade_files",
    "grade_sheet",
    "grade_sheets",
    "name_issue",
    "pick_rubric",
    "read_sheets",
    "resolve_rubric",
    "settle",
]
