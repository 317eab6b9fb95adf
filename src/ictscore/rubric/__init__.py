"""The rubric: its model, its scoring methods, its checks and the bundled rubrics.

The first stage: nothing here imports sheets, grading or reports. The modules, in the order
they build on each other: slots.py (a leaf's input cells, what scoring gives back), methods.py
(how a leaf is scored), rules.py (the cross-field rules, on plain data), compiled.py (a rubric
worked out for one group: `GroupPlan`), model.py (the pydantic models, `Rubric`), lint.py
(checking rubric text: located `Finding`s), load.py (reading files, the bundled rubrics).
"""

from ictscore.issues import Finding
from ictscore.rubric.compiled import GroupPlan, PlannedCriterion
from ictscore.rubric.lint import RubricCheck, check_rubric_text
from ictscore.rubric.load import (
    bundled_rubric_ids,
    bundled_rubric_path,
    check_rubric,
    load_rubric,
    parse_rubric,
)
from ictscore.rubric.model import Band, Criterion, Group, Node, Rubric, Unranked

__all__ = [
    "Band",
    "Criterion",
    "Finding",
    "Group",
    "GroupPlan",
    "Node",
    "PlannedCriterion",
    "Rubric",
    "RubricCheck",
    "Unranked",
    "bundled_rubric_ids",
    "bundled_rubric_path",
    "check_rubric",
    "check_rubric_text",
    "load_rubric",
    "parse_rubric",
]
