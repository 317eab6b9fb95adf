"""The feedback as a unit prints it: the profile ("Phản hồi") on exactly one A4 page with every
title, heading and criterion name whole and no text overprinting other text, and the copy of
the unit's sheet showing what grading read ("x" as Có, "2,5" as 2.5) and the points it gave.

LibreOffice prints the workbooks to PDF once for the module; pdftotext reads them. The tests
skip, saying why, where soffice or pdftotext are not installed (CI installs both).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import EXAMPLES, SMALL_RUBRIC, SO_UNIT, Run, full_values
from tests.test_layout_print import _overprinted, _words

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="needs LibreOffice (soffice) and poppler-utils (pdftotext) to print to PDF",
)

HEADINGS = (
    "PHẢN HỒI KẾT QUẢ CHẤM ĐIỂM",
    "Điểm theo lĩnh vực",
    "Tiêu chí mất nhiều điểm nhất so với điểm tối đa",
    "Tiêu chí thấp hơn điểm trung bình của nhóm",
)


def _pdf(out: Path, *books: Path) -> None:
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{out / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, books),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )


def _pages(pdf: Path, layout: bool = False) -> list[str]:
    mode = ["-layout"] if layout else ["-raw"]
    text = subprocess.run(
        ["pdftotext", *mode, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [re.sub(r"\s*Trang \d+ / \d+\s*", " ", p) for p in text.split("\f")[:-1]]


def _flat(text: str) -> str:
    return " ".join(text.split())


class Printed:
    """The examples graded with last year's results (edited), a unit of the mistakes, and a
    sheet with "x" and "2,5" typed; their feedback printed to PDF."""

    def __init__(self, out: Path, make_sheet) -> None:  # type: ignore[no-untyped-def]
        run = Run()
        previous = out / "2019.json"
        assert run("grade", EXAMPLES / "sheets", "-q", "-o", previous).exit_code == 0
        data = json.loads(previous.read_text(encoding="utf-8"))
        data["rubric"]["year"] = 2019
        for unit in data["units"]:
            if unit["code"] == "28249":
                unit.update(total=unit["total"] - 5, rank=3, band_label="Khá")
        previous.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        fb = out / "fb"
        result = run("grade", EXAMPLES / "sheets", "-q", "--feedback", fb, "--previous", previous)
        assert result.exit_code == 0, result.stderr
        bad = out / "bad"
        run("grade", EXAMPLES / "mistakes", "--rubric", "tiengiang-2020", "-q", "--feedback", bad)
        values = full_values(SO_UNIT)
        values["1.2"] = {"answer": "x"}
        values["2.2.a"] = {"points": "2,5"}
        sheet = make_sheet(values=values, folder=out / "typed")
        rubric = out / "small.yaml"
        rubric.write_text(SMALL_RUBRIC, encoding="utf-8")
        typed = out / "typed-fb"
        assert run("grade", sheet.parent, "-r", rubric, "-q", "--feedback", typed).exit_code == 0
        self.books = {
            "best": fb / "28249-phan-hoi.xlsx",
            "dept": fb / "cuc-thue-phan-hoi.xlsx",
            "invalid": bad / "28291-phan-hoi.xlsx",
            "typed": typed / "so-a-phan-hoi.xlsx",
        }
        _pdf(out, *self.books.values())
        self.pdfs = {k: out / f"{v.stem}.pdf" for k, v in self.books.items()}


@pytest.fixture(scope="module")
def printed(tmp_path_factory, small_rubric) -> Printed:  # type: ignore[no-untyped-def]
    from ictscore.sheets.fill import fill_workbook
    from ictscore.sheets.template import build_template

    def make_sheet(values, folder):  # type: ignore[no-untyped-def]
        wb = build_template(small_rubric, SO_UNIT)
        fill_workbook(wb, values)
        folder.mkdir(parents=True)
        wb.save(folder / "so-a.xlsx")
        return folder / "so-a.xlsx"

    return Printed(tmp_path_factory.mktemp("feedback-print"), make_sheet)


def _profile_texts(book: Path) -> list[str]:
    ws = openpyxl.load_workbook(book)["Phản hồi"]
    return [str(c) for r in ws.iter_rows(max_col=8, values_only=True) for c in r if c]


@pytest.mark.parametrize("which", ["best", "dept", "invalid", "typed"])
def test_profile_is_one_page_with_its_titles_whole(printed: Printed, which: str):
    pages = _pages(printed.pdfs[which])
    first, rest = _flat(pages[0]), [_flat(p) for p in pages[1:]]
    assert first.startswith("PHẢN HỒI KẾT QUẢ CHẤM ĐIỂM")
    headings = HEADINGS if which != "invalid" else (HEADINGS[0], "Các vấn đề cần khắc phục")
    for heading in headings:
        assert heading in first, heading
    for page in rest:  # the profile does not run on: the next page is the unit's own sheet
        assert not any(h in page for h in HEADINGS), page[:80]
    # every criterion and area named on the profile prints whole, on its first page
    named = [t for t in _profile_texts(printed.books[which]) if re.match(r"\d+(\.\w+)*\.? \S", t)]
    assert named or which == "invalid"
    for text in named:
        assert _flat(text) in first, text
    assert _overprinted(_words(printed.pdfs[which])[0]) == []


def test_profile_with_last_year_prints_the_change(printed: Printed):
    first = _flat(_pages(printed.pdfs["best"])[0])
    assert "Phường 5 (Thành phố Mỹ Tho)" in first
    for text in ("Năm 2019: 99,69", "Tăng 5,00 điểm", "Năm 2019: Khá", "Lên loại", "Tăng 2 bậc"):
        assert text in first, text
    assert "Hạng trong Thành phố Mỹ Tho" in first


def test_copy_prints_the_values_as_graded(printed: Printed):
    """The copy of the sheet: "x" printed as Có and worth 20 points, "2,5" as 2.5 worth 2.50;
    no 0.00 on either row."""
    pages = _pages(printed.pdfs["typed"], layout=True)
    copy = next(p for p in pages if "Cách tính điểm" in p and "Triển khai phần mềm" in p)
    rows = {line.split()[0]: line.split() for line in copy.splitlines() if line.strip()}
    assert "Có" in rows["1.2"] and rows["1.2"][-1] == "20.00"
    assert "2.5" in rows["2.2.a"] and rows["2.2.a"][-1] == "2.50"
