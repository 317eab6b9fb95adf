"""Feedback to each unit (`grade --feedback DIR`), and one grade run writing the workbook, the
web page and the feedback together."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl

from tests.conftest import EXAMPLES, Run


def _summary(path: Path) -> dict[str, str]:
    """The profile's label → value pairs: its problems (place → message) and its scorecard
    (each box's label above its value)."""
    ws = openpyxl.load_workbook(path)["Phản hồi"]
    rows = list(ws.iter_rows(max_col=6, values_only=True))
    pairs = {str(r[0]): str(r[1]) for r in rows if r[0] and r[1]}
    for above, below in zip(rows, rows[1:], strict=False):
        if above[0] == "Tổng điểm":
            pairs.update({str(a): str(b) for a, b in zip(above, below, strict=True) if a})
    return pairs


def test_one_run_writes_workbook_page_and_feedback(run: Run, tmp_path: Path):
    sheets = tmp_path / "sheets"
    shutil.copytree(EXAMPLES / "sheets", sheets)
    before = {p.name: p.read_bytes() for p in sheets.iterdir()}
    out = tmp_path / "out"
    result = run(
        "grade",
        sheets,
        "-f",
        "json",
        "-q",
        "-o",
        out / "ket-qua.xlsx",
        "-o",
        out / "ket-qua.html",
        "--feedback",
        out / "phan-hoi",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (out / "ket-qua.xlsx").is_file() and (out / "ket-qua.html").is_file()
    files = sorted(p.name for p in (out / "phan-hoi").iterdir())
    assert len(files) == 32 and "28249-phan-hoi.xlsx" in files
    unit = next(u for u in data["units"] if u["code"] == "28249")
    summary = _summary(out / "phan-hoi" / "28249-phan-hoi.xlsx")
    assert summary["Tổng điểm"] == f"{unit['total']:.2f}".replace(".", ",")
    assert summary["Xếp loại"] == unit["band_label"] and summary["Hạng trong nhóm"] == "1/14"
    ws = openpyxl.load_workbook(out / "phan-hoi" / "28249-phan-hoi.xlsx")["Phản hồi"]
    rows = [r for r in ws.iter_rows(values_only=True) if any(r)]
    start = next(
        i for i, r in enumerate(rows) if r[0] == "Tiêu chí mất nhiều điểm nhất so với điểm tối đa"
    )
    lost = [r for r in rows[start + 2 : start + 7] if r[0] and r[0][0].isdigit()]
    gaps = [float(str(r[4]).replace(",", ".")) for r in lost]
    assert gaps == sorted(gaps, reverse=True) and gaps  # the largest losses first
    assert {p.name: p.read_bytes() for p in sheets.iterdir()} == before  # originals untouched
    refused = run("grade", sheets, "--feedback", sheets / "phan-hoi")
    assert refused.exit_code == 2 and "inside the graded folder" in refused.stderr
    again = run("grade", sheets, "-q", "--feedback", out / "phan-hoi")
    assert again.exit_code == 2 and "holds feedback files already" in again.stderr


def test_problem_cells_are_marked_in_vietnamese(run: Run, tmp_path: Path):
    result = run(
        "grade", EXAMPLES / "mistakes", "--rubric", "tiengiang-2020", "-q", "--feedback", tmp_path
    )
    assert result.exit_code == 1
    wb = openpyxl.load_workbook(tmp_path / "28291-phan-hoi.xlsx")
    assert wb.sheetnames[:2] == ["Phản hồi", "Bảng điểm"]
    cell = wb["Bảng điểm"]["E9"]
    assert cell.value == "khoảng 20" and cell.fill.fgColor.rgb == "00FFC7CE"
    assert cell.comment is not None and cell.comment.text.startswith("Cần nhập một số.")
    summary = _summary(tmp_path / "28291-phan-hoi.xlsx")
    assert summary["E9"].startswith("Cần nhập một số.")
    texts = [c for r in wb["Phản hồi"].iter_rows(values_only=True) for c in r if c]
    assert "Mã đơn vị: 28291 · Nhóm: UBND cấp xã · Trạng thái: Không hợp lệ" in texts
    page = wb["Phản hồi"].page_setup
    assert (page.fitToWidth, page.fitToHeight, int(page.paperSize)) == (1, 1, 9)  # one A4 page


def test_a_unit_with_two_sheets_gets_each_problem_where_it_is(
    run: Run, make_sheet, small_rubric, tmp_path: Path
):
    """The copy is of the first sheet: a problem in the second is listed with its file and
    cell, and never marked on the first sheet's cell of the same address."""
    from tests.conftest import SMALL_RUBRIC, SO_UNIT, cell_of, full_values

    values = full_values(SO_UNIT)
    first = make_sheet(values=values, name="a.xlsx")
    second = make_sheet(values={**values, "3.1": {"points": 99}}, name="b.xlsx")
    address = cell_of(second, "ic_3_1_points")
    rubric = tmp_path / "small.yaml"
    rubric.write_text(SMALL_RUBRIC, encoding="utf-8")
    out = tmp_path / "fb"
    result = run("grade", first.parent, "--rubric", rubric, "-q", "--feedback", out)
    assert result.exit_code == 1
    (written,) = sorted(out.iterdir())
    wb = openpyxl.load_workbook(written)
    assert wb["Bảng điểm"][address].comment is None  # a.xlsx's cell holds a good value
    assert wb["Bảng điểm"][address].value == 4
    summary = _summary(written)
    assert summary[f"b.xlsx!{address}"].startswith("Giá trị vượt quá mức tối đa cho phép.")


def test_feedback_names_do_not_collide():
    from ictscore.grading.results import Status, UnitResult
    from ictscore.reports.feedback import feedback_name
    from ictscore.roster import Unit

    taken: set[str] = set()
    names = [
        feedback_name(UnitResult.of(Unit(code, code, "so"), Status.GRADED), taken)
        for code in ("A.1", "a-1", "A 1", "b")
    ]
    assert names == [
        "a-1-phan-hoi.xlsx",
        "a-1-2-phan-hoi.xlsx",
        "a-1-3-phan-hoi.xlsx",
        "b-phan-hoi.xlsx",
    ]


def test_summary_sheet_prints_on_one_portrait_page(run: Run, tmp_path: Path):
    """ "Phản hồi" prints on one A4 page: its columns A to F, wrapped text in rows given a
    height, the title and section headings across the page."""
    from openpyxl.utils import get_column_letter

    from ictscore.sheets.printing import line_height, text_lines

    result = run("grade", EXAMPLES / "sheets", "-q", "--feedback", tmp_path / "fb")
    assert result.exit_code == 0, result.stderr
    ws = openpyxl.load_workbook(tmp_path / "fb" / "28249-phan-hoi.xlsx")["Phản hồi"]
    setup = ws.page_setup
    assert (int(setup.paperSize), setup.orientation, setup.fitToHeight) == (9, "portrait", 1)
    assert ws.print_area.endswith(f"$A$1:$F${ws.max_row}")
    assert "&P" in ws.oddFooter.center.text
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A1:F1", "A2:F2"} <= merged
    assert any(ws[m.split(":")[0]].value.startswith("Tiêu chí") for m in merged)
    tall = 0
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, str) and cell.alignment.wrap_text:
                span = next((m for m in ws.merged_cells.ranges if cell.coordinate in m), None)
                width = sum(
                    ws.column_dimensions[get_column_letter(c)].width
                    for c in (range(span.min_col, span.max_col + 1) if span else [cell.column])
                )
                lines = text_lines(cell.value, width, cell.font.sz or 11, bool(cell.font.b))
                height = ws.row_dimensions[cell.row].height
                assert height is not None and height >= lines * line_height(cell.font.sz or 11)
                tall += lines > 1
    assert tall  # the criteria's long titles take two lines


def test_feedback_copies_no_sheet_whose_other_parts_fail_the_file_check(run: Run, tmp_path: Path):
    """Grading unpacks only the parts it reads, so a hostile part elsewhere (here an entity in
    the theme) does not stop the grade; but openpyxl, which copies the sheet into the feedback,
    parses every part: that sheet's feedback is the profile alone."""
    import io
    import zipfile

    sheets = tmp_path / "sheets"
    sheets.mkdir()
    source = zipfile.ZipFile(EXAMPLES / "sheets" / "28249-phuong-5.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/theme/theme1.xml":
                data = b'<!DOCTYPE t [<!ENTITY a "a">]>' + data
            target.writestr(info, data)
    (sheets / "28249.xlsx").write_bytes(out.getvalue())
    result = run("grade", sheets, "-q", "--feedback", tmp_path / "fb")
    assert result.exit_code == 0, result.stderr
    names = openpyxl.load_workbook(tmp_path / "fb" / "28249-phan-hoi.xlsx").sheetnames
    assert names == ["Phản hồi"]
