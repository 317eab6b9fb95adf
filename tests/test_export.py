"""Writing a report to a file (reports/export.py): the format by suffix, refusals before any
work, atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import openpyxl
import pytest

from ictscore.errors import ExportError
from ictscore.grading.pipeline import grade_sheets
from ictscore.grading.results import Report
from ictscore.grading.workers import read_sheets
from ictscore.reports import export
from ictscore.reports.data import to_csv, to_json
from ictscore.reports.page import build_html
from ictscore.rubric.model import Rubric
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def report(tiengiang: Rubric) -> Report:
    return grade_sheets(tiengiang, read_sheets(sorted((EXAMPLES / "sheets").glob("*.xlsx"))))


def test_the_suffix_chooses_the_format(report: Report, tiengiang: Rubric, tmp_path: Path):
    for suffix in export.REPORT_SUFFIXES:
        export.write_report(report, tiengiang, tmp_path / f"r{suffix.upper()}")
    assert (tmp_path / "r.JSON").read_text(encoding="utf-8") == to_json(report, tiengiang)
    assert json.loads((tmp_path / "r.JSON").read_text(encoding="utf-8"))["format"] == (
        export.REPORT_FORMAT
    )
    assert (tmp_path / "r.CSV").read_text(encoding="utf-8") == to_csv(report, tiengiang)
    assert (tmp_path / "r.HTML").read_text(encoding="utf-8") == build_html(report, tiengiang)
    assert openpyxl.load_workbook(tmp_path / "r.XLSX").sheetnames[0] == "Tổng hợp"
    assert docx.Document(str(tmp_path / "r.DOCX")).paragraphs[0].text == "PHỤ LỤC"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "r.CSV",
        "r.DOCX",
        "r.HTML",
        "r.JSON",
        "r.XLSX",
    ]


def test_refusals_come_before_any_work(report: Report, tiengiang: Rubric, tmp_path: Path):
    with pytest.raises(ExportError, match=r"unknown output type \.txt; use \.json, \.csv"):
        export.check_output(tmp_path / "r.txt")
    with pytest.raises(ExportError, match="unknown output type"):
        export.write_report(report, tiengiang, tmp_path / "r.txt")
    existing = tmp_path / "r.csv"
    existing.write_text("keep", encoding="utf-8")
    with pytest.raises(ExportError, match="already exists"):
        export.check_output(existing)
    with pytest.raises(ExportError, match="already exists"):
        export.write_report(report, tiengiang, existing)
    assert existing.read_text(encoding="utf-8") == "keep"
    export.check_output(existing, overwrite=True)
    with pytest.raises(ExportError, match="inside the folder being graded"):
        export.check_output(tmp_path / "out" / "r.json", sheets_folder=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]  # no temporary file left
