"""ictscore: score sheets for ICT-application emulation competitions.

rubric (YAML) → blank score sheets (one per unit) → graded, classified and ranked results.
The public API is re-exported here; heavy modules (openpyxl) are imported only when used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_rubric": "ictscore.rubric",
    "parse_rubric": "ictscore.rubric",
    "Rubric": "ictscore.rubric",
    "load_units": "ictscore.units",
    "Roster": "ictscore.units",
    "Unit": "ictscore.units",
    "build_template": "ictscore.template",
    "read_workbook": "ictscore.reader",
    "evaluate_sheet": "ictscore.validate",
    "grade_sheets": "ictscore.batch",
    "read_sheets": "ictscore.batch",
    "resolve_rubric": "ictscore.batch",
    "fill_workbook": "ictscore.fill",
    "find_sheets": "ictscore.batch",
    "classify": "ictscore.scoring",
    "rank_units": "ictscore.scoring",
    "Report": "ictscore.results",
    "Issue": "ictscore.results",
    "UnitResult": "ictscore.results",
    "IctscoreError": "ictscore.errors",
    "RubricError": "ictscore.errors",
    "UnitsError": "ictscore.errors",
    "WorkbookError": "ictscore.errors",
    "ExportError": "ictscore.errors",
    "CellRef": "ictscore.errors",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:
    from ictscore.batch import find_sheets, grade_sheets, read_sheets, resolve_rubric
    from ictscore.errors import (
        CellRef,
        ExportError,
        IctscoreError,
        RubricError,
        UnitsError,
        WorkbookError,
    )
    from ictscore.fill import fill_workbook
    from ictscore.reader import read_workbook
    from ictscore.results import Issue, Report, UnitResult
    from ictscore.rubric import Rubric, load_rubric, parse_rubric
    from ictscore.scoring import classify, rank_units
    from ictscore.template import build_template
    from ictscore.units import Roster, Unit, load_units
    from ictscore.validate import evaluate_sheet


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ictscore' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
