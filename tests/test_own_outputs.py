"""ictscore's own outputs left in the graded folder are recognised and named, never taken for a
damaged score sheet (and never skipped in silence)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import SMALL_RUBRIC, Run


def test_a_results_workbook_left_in_the_folder_is_named(run: Run, make_sheet: Any, tmp_path: Path):
    rubric = tmp_path / "small.yaml"
    rubric.write_text(SMALL_RUBRIC, encoding="utf-8")
    sheet = make_sheet()
    folder = sheet.parent
    results = tmp_path / "results.xlsx"
    first = run("grade", folder, "-r", rubric, "-o", results, "-q")
    assert first.exit_code == 0, first.stderr
    shutil.copy(results, folder / "ket-qua.xlsx")
    again = run("grade", folder, "-r", rubric, "-f", "json", "-q")
    data = json.loads(again.stdout)
    (issue,) = [i for i in data["issues"] if i["file"].endswith("ket-qua.xlsx")]
    assert issue["code"] == "results-workbook", issue
    assert "results workbook" in issue["message"] and "move it out" in issue["message"]
    assert "Bảng điểm" not in issue["message"]  # not a list of twelve sheet names
    assert [u["status"] for u in data["units"]] == ["graded"]


def _rubric(tmp_path: Path) -> Path:
    rubric = tmp_path / "small.yaml"
    rubric.write_text(SMALL_RUBRIC, encoding="utf-8")
    return rubric


def _feedback_of(run: Run, folder: Path, rubric: Path, tmp_path: Path) -> Path:
    """The feedback workbook `grade --feedback` writes for the folder's one unit."""
    out = tmp_path / "phan-hoi"
    first = run("grade", folder, "-r", rubric, "--feedback", out, "-q")
    assert first.exit_code == 0, first.stderr
    (written,) = out.iterdir()
    return written


def _grade_json(run: Run, folder: Path, rubric: Path) -> tuple[int, dict[str, Any]]:
    result = run("grade", folder, "-r", rubric, "-f", "json", "-q")
    return result.exit_code, json.loads(result.stdout)


def test_a_feedback_workbook_alone_in_the_folder_is_named_not_graded(
    run: Run, make_sheet: Any, tmp_path: Path
):
    rubric = _rubric(tmp_path)
    sheet = make_sheet()
    feedback = _feedback_of(run, sheet.parent, rubric, tmp_path)
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(feedback, alone / feedback.name)
    code, data = _grade_json(run, alone, rubric)
    assert code == 1
    assert data["units"] == []
    (issue,) = data["issues"]
    assert issue["file"].endswith(feedback.name)
    assert issue["code"] == "own-output", issue
    assert "feedback workbook" in issue["message"] and "move it out" in issue["message"]


def test_a_feedback_workbook_next_to_the_sheet_does_not_knock_the_unit_out(
    run: Run, make_sheet: Any, tmp_path: Path
):
    rubric = _rubric(tmp_path)
    sheet = make_sheet()
    feedback = _feedback_of(run, sheet.parent, rubric, tmp_path)
    shutil.copy(feedback, sheet.parent / feedback.name)
    code, data = _grade_json(run, sheet.parent, rubric)
    assert [(u["status"], u["file"], u["issues"]) for u in data["units"]] == [
        ("graded", str(sheet), [])
    ]
    assert [(i["code"], Path(i["file"]).name) for i in data["issues"]] == [
        ("own-output", feedback.name)
    ]
    assert code == 1  # an error in the folder, as a results workbook left there is


def test_an_appraisal_form_in_the_folder_is_named(run: Run, make_sheet: Any, tmp_path: Path):
    rubric = _rubric(tmp_path)
    sheet = make_sheet()
    form = tmp_path / "tham-dinh.xlsx"
    made = run("appraisal", sheet.parent, "-r", rubric, "--out", form)
    assert made.exit_code == 0, made.stderr
    shutil.copy(form, sheet.parent / form.name)  # the form left next to the sheets
    code, data = _grade_json(run, sheet.parent, rubric)
    assert [u["status"] for u in data["units"]] == ["graded"]
    (issue,) = data["issues"]
    assert issue["file"].endswith("tham-dinh.xlsx")
    assert issue["code"] == "own-output", issue
    assert "appraisal form" in issue["message"] and "--appraisal" in issue["message"]
    assert "renamed or deleted" not in issue["message"]


def test_own_outputs_are_named_in_vietnamese(run: Run, make_sheet: Any, tmp_path: Path):
    rubric = _rubric(tmp_path)
    sheet = make_sheet()
    feedback = _feedback_of(run, sheet.parent, rubric, tmp_path)
    shutil.copy(feedback, sheet.parent / feedback.name)
    result = run("grade", sheet.parent, "-r", rubric, "--lang", "vi")
    assert "phản hồi" in result.stderr, result.stderr


def test_the_writers_mark_their_outputs_and_the_marker_is_enough(
    run: Run, make_sheet: Any, tmp_path: Path
):
    """The marker in the document keywords recognises a feedback workbook whose profile sheet
    was renamed; the sheet names the reader knows are the writers' own."""
    import openpyxl

    from ictscore.grading import appraisal_form
    from ictscore.reports.feedback import profile
    from ictscore.sheets import layout

    assert profile.SHEET == layout.FEEDBACK_FIRST_SHEET
    assert appraisal_form.SHEET == layout.APPRAISAL_SHEET
    rubric = _rubric(tmp_path)
    sheet = make_sheet()
    feedback = _feedback_of(run, sheet.parent, rubric, tmp_path)
    wb = openpyxl.load_workbook(feedback)
    assert wb.properties.keywords == "ictscore-feedback"
    wb.worksheets[0].title = "Hồ sơ"
    wb.save(sheet.parent / feedback.name)
    code, data = _grade_json(run, sheet.parent, rubric)
    assert [u["status"] for u in data["units"]] == ["graded"]
    assert [i["code"] for i in data["issues"]] == ["own-output"]
