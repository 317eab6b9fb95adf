"""ictscore: score sheets for ICT-application emulation competitions.

rubric (YAML) → blank score sheets (one per unit) → graded, classified and ranked results.
The public API is re-exported here; heavy modules (openpyxl) are imported only when used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ictscore.version import __version__

_EXPORTS = {
    "load_rubric": "ictscore.rubric.model",
    "parse_rubric": "ictscore.rubric.model",
    "Rubric": "ictscore.rubric.model",
    "load_units": "ictscore.roster",
    "Roster": "ictscore.roster",
    "Unit": "ictscore.roster",
    "build_template": "ictscore.sheets.template",
    "read_workbook": "ictscore.sheets.reader",
    "evaluate_sheet": "ictscore.grading.validate",
    "grade_sheets": "ictscore.grading.batch",
    "read_sheets": "ictscore.grading.batch",
    "resolve_rubric": "ictscore.grading.batch",
    "fill_workbook": "ictscore.sheets.fill",
    "find_sheets": "ictscore.grading.batch",
    "classify": "ictscore.grading.scoring",
    "rank_units": "ictscore.grading.scoring",
    "Report": "ictscore.grading.results",
    "Issue": "ictscore.grading.results",
    "UnitResult": "ictscore.grading.results",
    "IctscoreError": "ictscore.errors",
    "RubricError": "ictscore.errors",
    "UnitsError": "ictscore.errors",
    "WorkbookError": "ictscore.errors",
    "ExportError": "ictscore.errors",
    "CellRef": "ictscore.errors",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:
    from ictscore.errors import (
        CellRef,
        ExportError,
        IctscoreError,
        RubricError,
        UnitsError,
        WorkbookError,
    )
    from ictscore.grading.batch import find_sheets, grade_sheets, read_sheets, resolve_rubric
    from ictscore.grading.results import Report, UnitResult
    from ictscore.grading.scoring import classify, rank_units
    from ictscore.grading.validate import evaluate_sheet
    from ictscore.issues import Issue
    from ictscore.roster import Roster, Unit, load_units
    from ictscore.rubric.model import Rubric, load_rubric, parse_rubric
    from ictscore.sheets.fill import fill_workbook
    from ictscore.sheets.reader import read_workbook
    from ictscore.sheets.template import build_template


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ictscore' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
