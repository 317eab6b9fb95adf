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
