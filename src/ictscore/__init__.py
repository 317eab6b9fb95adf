"""ictscore: score sheets for ICT-application emulation competitions.

rubric (YAML) → blank score sheets (one per unit) → graded, classified and ranked results.

The public API (`__all__`); heavy modules (openpyxl) are imported only when a name is used:

- Grading: `grade_folder(folder, options) -> Report`, with a frozen `GradeOptions`, grades a
  folder in one call, as `ictscore grade` does; `grade_file(path, options) -> Report | Issue`
  one sheet, as `ictscore check`; `grade_sheets(rubric, sheets, roster)` sheets already read with
  `read_workbook`; `find_sheets(folder)` the files `grade_folder` would grade.
- Results: `Report` (its `units`, `issues`, `ok`, and the `rubric` it was graded with),
  `UnitResult`, `Status`, `Issue`, `IssueCode`, `CellRef`.
- Writing: `write_report(report, rubric, path)` (.json, .csv, .xlsx, .html), `write_json` and
  `to_csv`: the same output as `ictscore grade --output` and `--format json|csv`.
- Inputs: `load_rubric`, `parse_rubric`, `Rubric`; `load_units`, `Roster`, `Unit`;
  `build_template` and `fill_workbook` (blank and filled sheets); `classify`, `rank_units`.
- Errors: `IctscoreError` and its kinds `RubricError`, `UnitsError`, `WorkbookError`,
  `ExportError`, `FolderError`, `RubricChoiceError`, `AppraisalFormError`, `UsageError`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ictscore.version import __version__

_EXPORTS = {
    "grade_folder": "ictscore.grading.pipeline",
    "grade_file": "ictscore.grading.pipeline",
    "grade_sheets": "ictscore.grading.pipeline",
    "GradeOptions": "ictscore.grading.pipeline",
    "find_sheets": "ictscore.grading.discovery",
    "Report": "ictscore.grading.results",
    "UnitResult": "ictscore.grading.results",
    "Status": "ictscore.grading.results",
    "Issue": "ictscore.issues",
    "IssueCode": "ictscore.issues",
    "CellRef": "ictscore.issues",
    "write_report": "ictscore.reports.export",
    "write_json": "ictscore.reports.export",
    "to_csv": "ictscore.reports.export",
    "load_rubric": "ictscore.rubric.load",
    "parse_rubric": "ictscore.rubric.load",
    "Rubric": "ictscore.rubric.model",
    "load_units": "ictscore.sheets.roster_book",
    "Roster": "ictscore.roster",
    "Unit": "ictscore.roster",
    "build_template": "ictscore.sheets.template",
    "fill_workbook": "ictscore.sheets.fill",
    "read_workbook": "ictscore.sheets.reader",
    "classify": "ictscore.grading.scoring",
    "rank_units": "ictscore.grading.scoring",
    "IctscoreError": "ictscore.errors",
    "RubricError": "ictscore.errors",
    "UnitsError": "ictscore.errors",
    "WorkbookError": "ictscore.errors",
    "ExportError": "ictscore.errors",
    "FolderError": "ictscore.errors",
    "RubricChoiceError": "ictscore.errors",
    "AppraisalFormError": "ictscore.errors",
    "UsageError": "ictscore.errors",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:
    from ictscore.errors import (
        AppraisalFormError,
        ExportError,
        FolderError,
        IctscoreError,
        RubricChoiceError,
        RubricError,
        UnitsError,
        UsageError,
        WorkbookError,
    )
    from ictscore.grading.discovery import find_sheets
    from ictscore.grading.pipeline import GradeOptions, grade_file, grade_folder, grade_sheets
    from ictscore.grading.results import Report, Status, UnitResult
    from ictscore.grading.scoring import classify, rank_units
    from ictscore.issues import CellRef, Issue, IssueCode
    from ictscore.reports.export import to_csv, write_json, write_report
    from ictscore.roster import Roster, Unit
    from ictscore.rubric.load import load_rubric, parse_rubric
    from ictscore.rubric.model import Rubric
    from ictscore.sheets.fill import fill_workbook
    from ictscore.sheets.reader import read_workbook
    from ictscore.sheets.roster_book import load_units
    from ictscore.sheets.template import build_template


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ictscore' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
