"""build_results_workbook(report, rubric) → an openpyxl Workbook: a summary, a ranked sheet per
group (from reports.tables), a criteria matrix per group, the appraisal's changes and the
issues, in Vietnamese, laid out to print on A4. The caller saves it (files.save_workbook).

One module per kind of sheet: `summary_sheet`, `group_sheet` (with `charts`), `matrix`, `lists`;
`common` holds what they share."""

from __future__ import annotations

from openpyxl import Workbook

from ictscore.grading.results import Report, Status
from ictscore.numbers import excel_number_format
from ictscore.reports.publication import Publication
from ictscore.reports.summary import summarise
from ictscore.reports.tables import build_tables
from ictscore.reports.workbook.group_sheet import group_sheet
from ictscore.reports.workbook.lists import (
    appraisal_sheet,
    issues_sheet,
    missing_sheet,
    others_sheet,
    references_sheet,
)
from ictscore.reports.workbook.matrix import matrix_sheet
from ictscore.reports.workbook.summary_sheet import summary_sheet
from ictscore.rubric.model import Rubric
from ictscore.sheets import layout

__all__ = ["build_results_workbook"]


def build_results_workbook(
    report: Report, rubric: Rubric, publication: Publication | None = None
) -> Workbook:
    """The results workbook, in Vietnamese, ready to attach to the decision: a summary sheet,
    a ranked sheet per group (with its chart), a criteria matrix per group, units outside the
    rubric's groups, units that sent nothing, the appraisal's cuts, who set each normalisation
    reference, and every issue."""
    wb = Workbook()
    wb.properties.keywords = layout.RESULTS_KEYWORD  # how it is told, left in a folder
    first = wb.active
    assert first is not None
    wb.remove(first)
    number_format = excel_number_format(rubric.precision)
    tables = build_tables(report, rubric)
    summary_sheet(wb, report, rubric, summarise(report, rubric), publication or Publication())
    for ranked in tables.groups:
        group_sheet(wb, rubric, ranked, number_format)
    for group in rubric.groups:
        matrix_sheet(wb, report, rubric, group.id, number_format)
    if tables.others:  # sheets made for a group this rubric does not have: listed, never hidden
        others_sheet(wb, tables.others)
    if tables.changes:
        appraisal_sheet(wb, tables.changes)
    if report.references:
        references_sheet(wb, report, rubric)
    missing = [u for u in report.units if u.status is Status.MISSING]
    if missing:
        missing_sheet(wb, rubric, missing)
    issues_sheet(wb, report)
    return wb
