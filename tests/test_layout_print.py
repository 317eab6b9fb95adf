"""The results workbook and a feedback workbook on A4 paper, as LibreOffice prints them: layout
facts read from the PDF (pdftotext) and from the workbook's page setup, not only the figures.

LibreOffice converts both workbooks once for the module (about ten seconds); the tests skip,
saying why, where soffice or pdftotext are not installed (CI installs both).
"""

from __future__ import annotations

import math
import re
import shutil
import statistics
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string, get_column_letter

from tests.conftest import grade_examples

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="needs LibreOffice (soffice) and poppler-utils (pdftotext) to print to PDF",
)

GROUPS = ("Cơ quan ngành dọc", "Sở, ban, ngành tỉnh", "UBND cấp huyện", "UBND cấp xã")


class Printed:
    """The graded examples: the report (JSON), the workbooks, and their PDFs as text."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.report = grade_examples("-o", out / "results.xlsx", "--feedback", out / "fb")
        self.feedback = out / "fb" / "28249-phan-hoi.xlsx"  # the best commune
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{out / 'profile'}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                str(out / "results.xlsx"),
                str(self.feedback),
            ],
            check=True,
            capture_output=True,
            timeout=240,
        )
        self.results_pdf = out / "results.pdf"
        self.feedback_pdf = out / "28249-phan-hoi.pdf"
        self.pages = _pages(self.results_pdf)

    def workbook(self) -> openpyxl.Workbook:
        return openpyxl.load_workbook(self.out / "results.xlsx")


def _pages(pdf: Path, raw: bool = True) -> list[str]:
    """The text of each page; raw: in the order drawn, so a wrapped cell's lines follow each
    other."""
    mode = ["-raw"] if raw else ["-layout"]
    text = subprocess.run(
        ["pdftotext", *mode, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    # the footer ("Trang 2 / 44") is drawn first: left out
    return [re.sub(r"^\s*Trang \d+ / \d+\s*", "", p) for p in text.split("\f")[:-1]]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words with their boxes (x0, y0, x1, y1, word)."""
    return [words for _, words in _sized_words(pdf)]


def _sized_words(pdf: Path) -> list[tuple[float, list[tuple[float, float, float, float, str]]]]:
    """Each page's width and words with their boxes."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        width = float(re.match(r'width="([\d.]+)"', page).group(1))
        pages.append(
            (
                width,
                [
                    (float(a), float(b), float(c), float(d), w)
                    for a, b, c, d, w in re.findall(
                        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<',
                        page,
                    )
                ],
            )
        )
    return pages


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Printed:
    return Printed(tmp_path_factory.mktemp("printed"))


def _group_pages(printed: Printed, label: str) -> list[str]:
    title = _flat(f"năm 2020 — {label}")
    return [p for p in printed.pages if title in _flat(p)]


def test_the_summary_prints_on_one_page(printed):
    first, second = printed.pages[0], printed.pages[1]
    assert "Tổng hợp kết quả theo nhóm" in first and "Số đơn vị theo xếp loại" in first
    assert "Xếp loại Yếu" in first  # its last row, and the chart, on the first page
    assert "Chỉ tiêu" not in second and "Cơ quan ngành dọc" in _flat(second)[:200]
    ws = printed.workbook()["Tổng hợp"]
    assert ws.page_setup.fitToHeight == 1 and ws.page_setup.orientation == "portrait"


def test_pages_print_at_a_readable_scale(printed):
    """The summary fills its page rather than sitting small in a corner: its words are drawn
    at about 9 points or more (a word's box is about 1.2 times its type size); the group
    tables and their charts, fitted to the page width, at about 7 points or more."""
    pages = _words(printed.results_pdf)
    assert statistics.median(w[3] - w[1] for w in pages[0]) >= 10.5
    for n, page in enumerate(pages[1:8], start=2):
        assert statistics.median(w[3] - w[1] for w in page) >= 8.0, n


def test_every_header_prints_in_full(printed):
    wb = printed.workbook()
    summary = _flat(printed.pages[0])
    ws = wb["Tổng hợp"]
    headers = [c.value for c in ws[3]] + [
        ws.cell(r, 1).value for r in range(4, ws.max_row + 1) if not ws.row_dimensions[r].hidden
    ]
    for header in headers:
        assert _flat(header) in summary, header
    for label in GROUPS:
        ws = wb[label]
        pages = [_flat(p) for p in _group_pages(printed, label)]
        assert pages, label
        printed_cols = column_index_from_string(_print_area(ws)[1])
        for cell in ws[3][:printed_cols]:
            assert all(_flat(cell.value) in page for page in pages), (label, cell.value)


def test_every_graded_unit_total_prints(printed):
    for label, group in zip(GROUPS, ("doc", "so", "huyen", "xa"), strict=True):
        text = " ".join(_flat(p) for p in _group_pages(printed, label))
        for u in printed.report["units"]:
            if u["group"] == group and u["status"] == "graded":
                total = f"{u['total']:.2f}"
                assert total in text or total.replace(".", ",") in text, (u["code"], total)


def test_file_paths_are_outside_the_print_area(printed):
    wb = printed.workbook()
    for label in GROUPS:
        ws = wb[label]
        header = [c.value for c in ws[3]]
        file_col = header.index("Tệp") + 1
        assert column_index_from_string(_print_area(ws)[1]) < file_col, label
        assert ws.cell(4, file_col).value  # still in the sheet
        assert ws.print_title_rows.replace("$", "") == "3:3"
    text = " ".join(_flat(p) for label in GROUPS for p in _group_pages(printed, label))
    assert "examples/sheets" not in text and ".xlsx" not in text


def _print_area(ws) -> tuple[str, str]:
    """The print area's first and last column letters."""
    (area,) = ws.print_area if isinstance(ws.print_area, list) else [ws.print_area]
    first, last = re.findall(r"\$?([A-Z]+)\$?\d+", area.split("!")[-1])
    return first, last


def test_no_cell_is_too_narrow_for_its_figure(printed):
    assert not any("###" in p for p in printed.pages)


def _overprinted(page: list[tuple[float, float, float, float, str]]) -> list[tuple[str, str]]:
    """Words whose boxes overlap by more than a quarter of the smaller one."""
    found = []
    boxes = sorted(page, key=lambda w: w[1])
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if b[1] >= a[3]:
                break
            w = min(a[2], b[2]) - max(a[0], b[0])
            h = min(a[3], b[3]) - max(a[1], b[1])
            smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
            if w > 0 and h > 0 and w * h > 0.25 * smaller:
                found.append((a[4], b[4]))
    return found


def test_no_text_overprints_other_text(printed):
    """Wrapped headers, long names and area titles stay inside rows tall enough for them."""
    for n, page in enumerate(_words(printed.results_pdf), start=1):
        assert _overprinted(page) == [], n
    # the feedback's first page, "Phản hồi" (the unit's own sheets follow as the template
    # prints them)
    assert _overprinted(_words(printed.feedback_pdf)[0]) == []


def test_no_text_runs_past_the_printed_columns(printed):
    """Text too long for its cell wraps: nothing reaches into the side margins, where a cell's
    overflow would be cut off at the print area's edge."""
    for n, (width, words) in enumerate(_sized_words(printed.results_pdf), start=1):
        margin = 0.5 * 72 - 4  # set_page's side margins, less a little
        outside = [w[4] for w in words if w[0] < margin or w[2] > width - margin]
        assert outside == [], n


def test_criteria_matrix_prints_whole_areas_with_the_units_on_every_page(printed):
    wb = printed.workbook()
    ws = wb["Tiêu chí - UBND cấp xã"]
    ids = [str(c.value).split(" ")[0] for c in ws[3][2:]]
    pages = [_flat(p) for p in printed.pages if "Điểm từng tiêu chí — UBND cấp xã" in _flat(p)]
    assert len(pages) > 1 and ws.print_title_cols.replace("$", "") == "A:B"
    where: dict[str, int] = {}
    for cid in ids:
        (page,) = [i for i, p in enumerate(pages) if f" {cid} (tối đa " in f" {p}"]
        where[cid] = page
    for cid in ids:  # an area's criteria on one page
        area = cid.split(".")[0]
        assert {where[c] for c in ids if c.split(".")[0] == area} == {where[cid]}, cid
    for page in pages:  # the code and name of every graded commune on every page
        assert "Tên đơn vị" in page and "Phường 5" in page
    assert [b.id for b in ws.col_breaks.brk] and ws.sheet_properties.pageSetUpPr.fitToPage is False


def test_wrapped_rows_have_explicit_heights(printed):
    """Every row with wrapped text is given a height at least as tall as its text needs, by a
    plain count: 0.8 width unit a character (LibreOffice fits 33 to 37 characters on a line 30
    wide), a line of 1.2 times the font size."""
    books = [printed.workbook(), openpyxl.load_workbook(printed.feedback)]
    checked = 0
    for wb in books:
        for ws in wb.worksheets if wb is books[0] else [wb["Phản hồi"]]:
            merged = {
                m.start_cell.coordinate: sum(
                    ws.column_dimensions[get_column_letter(c)].width or 8.43
                    for c in range(m.min_col, m.max_col + 1)
                )
                for m in ws.merged_cells.ranges
            }
            for row in ws.iter_rows():
                for cell in row:
                    if not (cell.alignment.wrap_text and cell.value not in (None, "")):
                        continue
                    width = merged.get(cell.coordinate) or (
                        ws.column_dimensions[cell.column_letter].width or 8.43
                    )
                    text = str(cell.value)
                    lines = math.ceil(len(text) * 0.8 / max(1.0, width))
                    height = ws.row_dimensions[cell.row].height
                    assert height is not None, (ws.title, cell.coordinate)
                    assert height >= lines * 1.2 * (cell.font.sz or 11), (ws.title, cell.coordinate)
                    checked += 1
    assert checked > 100


def test_every_sheet_prints_on_a4_with_page_numbers(printed):
    for ws in printed.workbook().worksheets:
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        assert "&P" in (ws.oddFooter.center.text or ""), ws.title
        assert ws.print_area, ws.title


def test_feedback_first_page_is_whole(printed):
    first = _flat(_pages(printed.feedback_pdf)[0])
    assert first.startswith("PHẢN HỒI KẾT QUẢ CHẤM ĐIỂM")
    assert "104.69" in first or "104,69" in first
    assert "Tiêu chí thấp hơn điểm trung bình của nhóm" in first
    ws = openpyxl.load_workbook(printed.feedback)["Phản hồi"]
    assert ws.page_setup.fitToHeight == 1 and _print_area(ws) == ("A", "F")
