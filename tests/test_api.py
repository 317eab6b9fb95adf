"""The public library API: every name in `ictscore.__all__` is there, and a library user grades
a folder with one call and gets what the command line prints."""

from __future__ import annotations

import importlib
import io
from pathlib import Path

import pytest

import ictscore
from tests.conftest import EXAMPLES, Run


@pytest.mark.parametrize("name", ictscore.__all__)
def test_every_public_name_is_importable(name: str):
    assert getattr(ictscore, name) is not None
    exec(f"from ictscore import {name}", {})  # noqa: S102 - the import a user writes


def test_the_public_names_are_documented_in_the_module_docstring():
    doc = ictscore.__doc__ or ""
    missing = [n for n in ictscore.__all__ if n != "__version__" and f"`{n}" not in doc]
    assert missing == []


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'grade'"):
        ictscore.grade  # noqa: B018


def test_one_call_grades_a_folder_as_the_command_line_does(run: Run):
    from ictscore import GradeOptions, grade_folder, write_json

    report = grade_folder(EXAMPLES / "sheets", GradeOptions(jobs=2))
    assert report.rubric is not None and report.rubric.id == "tiengiang-2020"
    out = io.StringIO()
    write_json(report, report.rubric, out)
    cli = run("grade", EXAMPLES / "sheets", "--format", "json", "-q")
    assert cli.exit_code == 0
    assert out.getvalue() == cli.stdout
    assert grade_folder(EXAMPLES / "sheets") == report  # the options have defaults


def test_the_library_takes_a_rubric_and_a_roster_as_objects(tiengiang):
    from ictscore import GradeOptions, Status, grade_folder, load_units

    roster = load_units(EXAMPLES / "units.csv")
    by_path = grade_folder(
        EXAMPLES / "sheets", GradeOptions(rubric="tiengiang-2020", units=EXAMPLES / "units.csv")
    )
    by_object = grade_folder(EXAMPLES / "sheets", GradeOptions(rubric=tiengiang, units=roster))
    assert by_path == by_object
    assert {u.status for u in by_object.units} <= {Status.GRADED, Status.MISSING}


def test_progress_is_told_done_and_total():
    from ictscore import GradeOptions, grade_folder

    seen: list[tuple[int, int]] = []
    report = grade_folder(
        EXAMPLES / "sheets", GradeOptions(jobs=1, progress=lambda d, t: seen.append((d, t)))
    )
    total = len(report.units)
    assert seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_grade_file_returns_the_issue_of_a_file_that_is_not_a_sheet(tmp_path: Path):
    from ictscore import Issue, Report, grade_file

    notes = tmp_path / "notes.txt"
    notes.write_text("hello", encoding="utf-8")
    issue = grade_file(notes)
    assert isinstance(issue, Issue) and issue.code == "not-a-sheet"
    sheet = sorted((EXAMPLES / "sheets").glob("*.xlsx"))[0]
    report = grade_file(sheet)
    assert isinstance(report, Report) and len(report.units) == 1


def test_the_folder_errors_are_typed(tmp_path: Path):
    from ictscore import FolderError, grade_folder

    with pytest.raises(FolderError, match="no score sheets found"):
        grade_folder(tmp_path)
    with pytest.raises(FolderError, match="not a folder"):
        grade_folder(tmp_path / "nowhere")


def test_the_stage_modules_the_pipeline_names_exist():
    for stage in ("discovery", "rubric_choice", "workers", "units", "groups", "pipeline"):
        importlib.import_module(f"ictscore.grading.{stage}")


def test_the_options_are_frozen():
    import dataclasses

    from ictscore import GradeOptions

    options = GradeOptions(jobs=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.jobs = 2  # type: ignore[misc]
    assert dataclasses.replace(options, recursive=True).jobs == 1


def test_a_sheet_and_the_appraisal_form_are_judged_against_the_rubric_alike(tiengiang):
    from ictscore.grading.units import rubric_mismatch

    made = {
        "rubric_id": tiengiang.id,
        "rubric_version": tiengiang.version,
        "rubric_hash": tiengiang.content_hash,
    }
    assert rubric_mismatch(made, tiengiang) is None
    assert rubric_mismatch({**made, "rubric_hash": "x"}, tiengiang) == "content"
    assert rubric_mismatch({**made, "rubric_version": "1"}, tiengiang) == "version"
    assert rubric_mismatch({**made, "rubric_id": "other"}, tiengiang) == "rubric"
    assert rubric_mismatch({}, tiengiang) == "rubric"


def test_one_call_checks_a_sheet_as_the_command_line_does(run: Run):
    from ictscore import GradeOptions, Report, grade_file, write_json

    sheet = EXAMPLES / "sheets" / "28249-phuong-5.xlsx"
    report = grade_file(sheet, GradeOptions(units=EXAMPLES / "units.csv", self_check=True))
    assert isinstance(report, Report) and report.rubric is not None
    out = io.StringIO()
    write_json(report, report.rubric, out)
    cli = run("check", sheet, "--units", EXAMPLES / "units.csv", "--format", "json")
    assert cli.exit_code == 0
    assert out.getvalue() == cli.stdout
