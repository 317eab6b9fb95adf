"""Finding sheets in a folder and choosing the rubric to grade them with."""

from __future__ import annotations

from pathlib import Path

import pytest

from ictscore.batch import find_sheets
from ictscore.errors import IctscoreError
from tests.conftest import SMALL_RUBRIC, SO_UNIT, XA_UNIT, Run


def test_find_sheets_skips_lock_and_hidden_files_and_reports_the_rest(tmp_path: Path):
    for name in (
        "b.xlsx",
        "a.XLSM",
        "~$a.xlsx",
        ".hidden.xlsx",
        "old.xls",
        "calc.ods",
        "draft.xltx",
        "notes.pdf",
        "export.csv",
        "rubric.yaml",
        "sub/c.xlsx",
        ".git/d.xlsx",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    sheets, issues = find_sheets(tmp_path)
    assert [p.name for p in sheets] == ["a.XLSM", "b.xlsx", "calc.ods", "old.xls"]
    (tmp_path / "gone.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.xlsx"
    outside.write_bytes(b"")
    (tmp_path / "out.xlsx").symlink_to(outside)
    (tmp_path / "in.xlsx").symlink_to(tmp_path / "b.xlsx")
    (tmp_path / "linked-dir").symlink_to(tmp_path / "sub")
    (tmp_path / "loop.xlsx").symlink_to(tmp_path / "loop.xlsx")
    sheets, issues = find_sheets(tmp_path)
    assert [p.name for p in sheets] == ["a.XLSM", "b.xlsx", "calc.ods", "old.xls"]
    assert [(i.code, i.severity.value, Path(str(i.where)).name) for i in issues] == [
        ("unsupported-format", "error", "draft.xltx"),
        ("not-a-sheet", "warning", "export.csv"),
        ("not-a-sheet", "error", "gone.xlsx"),
        ("link-not-followed", "warning", "linked-dir"),
        ("not-a-sheet", "error", "loop.xlsx"),
        ("not-a-sheet", "warning", "notes.pdf"),
        ("link-not-followed", "error", "out.xlsx"),
        ("subfolder-not-read", "warning", "sub"),
        ("link-not-followed", "warning", "in.xlsx"),  # b.xlsx is read once
    ]
    assert "a CSV file" in issues[1].message and "broken link" in issues[2].message
    sheets, _ = find_sheets(tmp_path, follow_links=True)
    assert "out.xlsx" in [p.name for p in sheets]
    sheets, _ = find_sheets(tmp_path, recursive=True)
    assert [p.relative_to(tmp_path).as_posix() for p in sheets] == [
        "a.XLSM",
        "b.xlsx",
        "calc.ods",
        "old.xls",
        "sub/c.xlsx",
    ]
    with pytest.raises(IctscoreError, match="not a folder"):
        find_sheets(tmp_path / "b.xlsx")


def test_grade_uses_rubric_yaml_beside_the_sheets(run: Run, make_sheet, tmp_path: Path):
    folder = tmp_path / "sheets"
    make_sheet(SO_UNIT, folder=folder)
    make_sheet(XA_UNIT, folder=folder)
    unknown = run("grade", folder)
    assert unknown.exit_code == 2 and "not bundled" in unknown.stderr
    (folder / "rubric.yaml").write_text(SMALL_RUBRIC, encoding="utf-8")
    result = run("grade", folder, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert "rubric.yaml" not in result.stderr  # the rubric itself is not reported as a stray file


def test_a_template_format_in_the_folder_is_an_error_not_silence(
    run: Run, make_sheet, tmp_path: Path
):
    folder = tmp_path / "sheets"
    make_sheet(SO_UNIT, folder=folder)
    (folder / "so-b.xltx").write_bytes(b"PK\x03\x04")
    (folder / "rubric.yaml").write_text(SMALL_RUBRIC, encoding="utf-8")
    result = run("grade", folder)
    assert result.exit_code == 1
    assert f"error[unsupported-format] {folder / 'so-b.xltx'}: .xltx files are not read" in (
        result.stderr
    )
