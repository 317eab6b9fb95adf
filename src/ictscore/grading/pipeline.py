"""The grading pipeline: the one way to grade, for the CLI (`grade`, `check`, `appraisal`) and
the library alike.

`grade_folder(folder, options)` runs the stages in order: read the appraisal form, find the
sheets (discovery.py), choose the rubric (rubric_choice.py) and check the form against it,
read and grade every sheet in worker processes, loading the roster once they run (workers.py,
units.py), then the group pass (groups.py) into a Report. `grade_file` does one sheet, read once
and graded in process; `grade_sheets` grades sheets already read. All end in `groups.assemble`.
Nothing here prints: progress and the rubric's warnings go to the callbacks in GradeOptions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ictscore.errors import AppraisalFormError, FolderError, UsageError, WorkbookError
from ictscore.grading.appraisal import form_problem
from ictscore.grading.appraisal_form import AppraisalSheet, read_appraisal
from ictscore.grading.discovery import find_sheets, name_issue
from ictscore.grading.groups import assemble
from ictscore.grading.results import Report
from ictscore.grading.rubric_choice import check_made, pick_rubric, resolve_rubric
from ictscore.grading.units import grade_sheet
from ictscore.grading.workers import Advance, grade_files, read_sheets
from ictscore.issues import Finding, Issue
from ictscore.roster import Roster
from ictscore.rubric.model import Rubric
from ictscore.sheets.reader import SheetData
from ictscore.sheets.roster_book import load_units

Progress = Callable[[int, int], None]
"""Told (sheets done, sheets in all) as the sheets are graded."""


@dataclass(frozen=True)
class GradeOptions:
    """What to grade with, and how: everything `grade_folder` and `grade_file` need besides the
    folder or file."""

    rubric: str | Path | Rubric | None = None
    """A rubric file, the id of a bundled rubric, a Rubric, or None: the rubric.yaml beside the
    sheets, else the bundled rubric the sheets record."""
    units: Path | Roster | None = None
    """The roster (a CSV file or a Roster): units without a sheet are reported missing, and each
    sheet's unit must be listed in the group it was made for."""
    appraisal: Path | None = None
    """The appraisal council's form (.xlsx or .csv): appraised points replace self-scores."""
    recursive: bool = False
    """Also grade the sheets in subfolders."""
    follow_links: bool = False
    """Read links to files outside the folder."""
    jobs: int | None = None
    """Worker processes that read and grade the sheets (None: one per core)."""
    self_check: bool = False
    """A unit checks its own sheets: a required appraisal is not asked for."""
    progress: Progress | None = None
    """Told (done, total) as the sheets are graded."""
    warn: Callable[[Finding], None] | None = None
    """Told each warning about the rubric as it is loaded."""


def grade_folder(folder: Path, options: GradeOptions | None = None) -> Report:
    """Every score sheet of `folder` graded, classified and ranked within its group.

    One bad sheet becomes issues in the Report, never an exception. Raises an IctscoreError
    when grading cannot start: the folder cannot be listed or holds no sheet (FolderError), the
    rubric cannot be chosen (RubricChoiceError) or read (RubricError), the roster is invalid
    (UnitsError), the appraisal form cannot be used (AppraisalFormError)."""
    options = options or GradeOptions()
    form = _read_form(options.appraisal)
    paths, skipped = find_sheets(folder, options.recursive, options.follow_links)
    if not paths and options.units is None:
        others = "; ".join(str(i) for i in skipped[:3]) + ("; …" if len(skipped) > 3 else "")
        raise FolderError(
            f"{folder}: no score sheets found (.xlsx, .xlsm, .xls, .ods, .xlsb)"
            + (f" (other files: {others})" if skipped else "")
        )
    if isinstance(options.rubric, Rubric):
        rubric, from_sheets = options.rubric, False
    else:
        explicit = str(options.rubric) if options.rubric is not None else None
        rubric, from_sheets = pick_rubric(explicit, paths, folder, options.warn, options.jobs)
    _check_form(rubric, form, options.appraisal)  # before any sheet is graded
    files = [str(p) for p in paths]  # a str is a fifth of a Path: workers fork with less
    del paths
    graded = grade_files(
        files, rubric, options.units, options.jobs, _advance(options.progress, len(files))
    )
    if from_sheets:
        check_made(graded.made, folder)
    return assemble(rubric, graded.outcomes, graded.roster, skipped, form, options.self_check)


def grade_file(path: Path, options: GradeOptions | None = None) -> Report | Issue:
    """One sheet graded as `grade_folder` grades it (the rubric it records, or
    `options.rubric`), read once. Returns the Issue that says why the file is not a score
    sheet (its name, or its content) when it is not one. With a roster, the sheet's unit is
    checked against it, and no other unit is missing."""
    options = options or GradeOptions()
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    named = name_issue(path)
    if named is not None:  # as `grade` would answer for this file
        return named
    (sheet,) = read_sheets([path])
    if isinstance(sheet, Issue):  # not a score sheet at all: its one issue is the answer
        return sheet
    if isinstance(options.rubric, Rubric):
        rubric = options.rubric
    else:
        explicit = str(options.rubric) if options.rubric is not None else None
        rubric = resolve_rubric(explicit, [sheet], path.parent, options.warn)
    roster = None
    if options.units is not None:  # the sheet's unit alone
        full = options.units if isinstance(options.units, Roster) else load_units(options.units)
        listed = full.get(sheet.meta.get("unit_code", ""))
        roster = Roster((listed,) if listed else (), full.source)
    form = _read_form(options.appraisal)
    _check_form(rubric, form, options.appraisal)
    return grade_sheets(rubric, [sheet], roster, (), form, options.self_check)


def grade_sheets(
    rubric: Rubric,
    sheets: Sequence[SheetData | Issue],
    roster: Roster | None = None,
    issues: Sequence[Issue] = (),
    appraisal: AppraisalSheet | None = None,
    self_check: bool = False,
) -> Report:
    """Sheets already read (`read_workbook`), graded in process as `grade_folder` grades them in
    its workers: each sheet for its unit (`units.grade_sheet`), then the group pass.

    `sheets` may hold Issues for files that could not be read; they and `issues` become the
    report's batch-level issues. With a roster, units without a sheet are listed as missing.
    `self_check`: a unit checks its own sheet (a required appraisal is not asked for).
    """
    outcomes = [s if isinstance(s, Issue) else grade_sheet(rubric, s, roster) for s in sheets]
    return assemble(rubric, outcomes, roster, issues, appraisal, self_check)


def _read_form(path: Path | None) -> AppraisalSheet | None:
    if path is None:
        return None
    try:
        return read_appraisal(path)
    except WorkbookError as exc:  # the file check's refusal, located
        raise AppraisalFormError(str(exc)) from exc


def _check_form(rubric: Rubric, form: AppraisalSheet | None, path: Path | None) -> None:
    """Raises AppraisalFormError if the form was made for other criteria than the rubric's."""
    if form is not None and (problem := form_problem(rubric, form)) is not None:
        raise AppraisalFormError(f"{path}: {problem}: make it again with `ictscore appraisal`")


def _advance(progress: Progress | None, total: int) -> Advance | None:
    """The workers' count of files done (how many more) as `progress(done, total)`, told
    (0, total) first."""
    if progress is None:
        return None
    done = 0
    progress(done, total)

    def advance(more: int) -> None:
        nonlocal done
        done += more
        progress(done, total)

    return advance
