"""The annex to the decision (`grade -o ket-qua.docx`, reports/annex.py): run as a user runs it,
opened with python-docx (page, margins, fonts, headings, one table per group with every graded
unit's row), and printed by LibreOffice to PDF, whose text (pdftotext) shows each group's table
whole, its header repeated on every page it spans.

The expected rows come from the JSON report of the same run, not from the annex's code."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table

from ictscore.grading.pipeline import GradeOptions, grade_folder
from ictscore.grading.results import Report, Status
from ictscore.reports.export import write_report
from ictscore.rubric.load import load_rubric
from tests.conftest import EXAMPLES, Run

FONT = "Times New Roman"
GROUP_HEADINGS = ["I. CƠ QUAN NGÀNH DỌC", "II. SỞ, BAN, NGÀNH TỈNH", "III. UBND CẤP HUYỆN"]
HEADER = ["STT", "Đơn vị", "Tổng điểm", "Xếp loại", "Hạng"]


def _grade(run: Run, tmp_path: Path, *more: str | Path, roster: bool = True) -> dict[str, Any]:
    """`grade examples/sheets [--units …] -f json -o annex.docx MORE…`: the JSON report of the
    run that wrote the annex."""
    units = ["--units", EXAMPLES / "units.csv"] if roster else []
    out = tmp_path / "ket-qua.docx"
    result = run("grade", EXAMPLES / "sheets", *units, "-q", "-f", "json", "-o", out, *more)
    assert result.exit_code == (1 if roster else 0), result.stderr
    assert out.exists()
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _open(tmp_path: Path) -> DocxDocument:
    return docx.Document(str(tmp_path / "ket-qua.docx"))


def _vn(total: float) -> str:
    return f"{total:.2f}".replace(".", ",")


def _expected_rows(report: dict[str, Any], group: str) -> list[list[str]]:
    """STT, the unit with its district, total, band, rank (and the rank within the district):
    the graded units of `group` in the report's order."""
    rows = []
    graded = [u for u in report["units"] if u["group"] == group and u["status"] == "graded"]
    for i, u in enumerate(graded, start=1):
        name = f"{u['name']} ({u['parent_name']})" if u["parent_name"] else u["name"]
        row = [str(i), name, _vn(u["total"]), u["band_label"], str(u["rank"])]
        if group == "xa":
            row.append(str(u["parent_rank"]))
        rows.append(row)
    return rows


def _texts(table: Table) -> list[list[str]]:
    return [[" ".join(c.text.split()) for c in row.cells] for row in table.rows]


def _mm(length: int | None) -> float:
    assert length is not None
    return length / Mm(1)


# --- the page ----------------------------------------------------------------------------------


def test_the_annex_is_a4_portrait_with_the_decrees_margins_and_numbers_from_page_2(
    run: Run, tmp_path: Path
):
    _grade(run, tmp_path)
    doc = _open(tmp_path)
    (section,) = doc.sections
    assert round(_mm(section.page_width)) == 210 and round(_mm(section.page_height)) == 297
    # Nghị định 30/2020/NĐ-CP: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm
    assert 20 <= round(_mm(section.top_margin)) <= 25
    assert 20 <= round(_mm(section.bottom_margin)) <= 25
    assert 30 <= round(_mm(section.left_margin)) <= 35
    assert 15 <= round(_mm(section.right_margin)) <= 20
    # the page number: centred in the header, a PAGE field, not on the first page
    assert section.different_first_page_header_footer
    assert not section.first_page_header.is_linked_to_previous
    assert [p.text for p in section.first_page_header.paragraphs] == [""]
    (number,) = section.header.paragraphs
    assert number.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    assert [i.text.strip() for i in number._p.iter(qn("w:instrText"))] == ["PAGE"]


def _effective_size(paragraph: Any, run: Any) -> Pt:
    if run.font.size is not None:
        return run.font.size
    style = paragraph.style
    while style is not None:
        if style.font.size is not None:
            return style.font.size
        style = style.base_style
    raise AssertionError(f"no size for {run.text!r}")


def test_every_text_is_times_new_roman_14_and_13_in_the_tables(run: Run, tmp_path: Path):
    _grade(run, tmp_path)
    doc = _open(tmp_path)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    assert defaults is not None
    (fonts,) = defaults.iter(qn("w:rFonts"))
    # every script named, and no theme font: where present, a theme font wins in Word
    assert dict(fonts.attrib) == {qn(f"w:{k}"): FONT for k in ("ascii", "hAnsi", "eastAsia", "cs")}
    used = {p.style.name for p in doc.paragraphs}
    used |= {
        p.style.name for t in doc.tables for r in t.rows for c in r.cells for p in c.paragraphs
    }
    assert used == {"Normal", "Annex Table"}
    assert doc.styles["Annex Table"].base_style.name == "Normal"
    (normal,) = doc.styles["Normal"].element.iter(qn("w:rFonts"))
    assert dict(normal.attrib) == dict(fonts.attrib)
    assert doc.styles["Annex Table"].font.name in (None, FONT)
    assert all(r.font.name is None for p in doc.paragraphs for r in p.runs)
    body = {_effective_size(p, r) for p in doc.paragraphs for r in p.runs}
    assert body == {Pt(14)}
    cells = {
        _effective_size(p, r)
        for t in doc.tables
        for row in t.rows
        for c in row.cells
        for p in c.paragraphs
        for r in p.runs
    }
    assert cells == {Pt(13)}


# --- the headings ------------------------------------------------------------------------------


def test_the_heading_leaves_dots_for_the_decision_when_none_is_given(run: Run, tmp_path: Path):
    _grade(run, tmp_path)
    heading, title, attached = _open(tmp_path).paragraphs[:3]
    centre = docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    assert heading.text == "PHỤ LỤC"
    assert heading.alignment == centre and all(r.bold for r in heading.runs)
    assert title.text.split("\n") == [
        "KẾT QUẢ CHẤM ĐIỂM, XẾP LOẠI",
        "THI ĐUA ỨNG DỤNG CÔNG NGHỆ THÔNG TIN TRONG CÁC CƠ QUAN NHÀ NƯỚC TỈNH TIỀN GIANG NĂM 2020",
    ]
    assert title.alignment == centre and all(r.bold for r in title.runs)
    assert attached.text.split("\n") == [
        "(Kèm theo Quyết định số …/QĐ-UBND ngày … tháng … năm …",
        "của Ủy ban nhân dân tỉnh Tiền Giang)",
    ]
    assert attached.alignment == centre and all(r.italic for r in attached.runs)


def test_the_decision_issuer_and_date_given_fill_the_heading(run: Run, tmp_path: Path):
    _grade(
        run,
        tmp_path,
        "--decision",
        "125/QĐ-UBND",
        "--decision-date",
        "2021-01-15",
        "--issuer",
        "Ủy ban nhân dân tỉnh Tiền Giang",
    )
    attached = _open(tmp_path).paragraphs[2]
    assert attached.text == (
        "(Kèm theo Quyết định số 125/QĐ-UBND ngày 15 tháng 01 năm 2021\n"
        "của Ủy ban nhân dân tỉnh Tiền Giang)"
    )
    (tmp_path / "ket-qua.docx").unlink()
    _grade(run, tmp_path, "--decision", "Quyết định số 7/QĐ-UBND")
    assert (
        _open(tmp_path)
        .paragraphs[2]
        .text.startswith("(Kèm theo Quyết định số 7/QĐ-UBND ngày … tháng … năm …")
    )


# --- the tables --------------------------------------------------------------------------------


def test_one_table_per_group_with_every_graded_units_row(run: Run, tmp_path: Path):
    report = _grade(run, tmp_path)
    doc = _open(tmp_path)
    headings = [p.text for p in doc.paragraphs if re.match(r"^[IVX]+\. ", p.text)]
    assert headings == [*GROUP_HEADINGS, "IV. UBND CẤP XÃ"]
    assert len(doc.tables) == 4
    for table, group in zip(doc.tables, ["nganh-doc", "so-nganh", "huyen", "xa"], strict=True):
        rows = _texts(table)
        header = HEADER + (["Hạng (cấp trên)"] if group == "xa" else [])
        assert rows[0] == header, group
        assert rows[1:] == _expected_rows(report, group), group
        assert all(c.bold for c in table.rows[0].cells[0].paragraphs[0].runs)
    communes = _texts(doc.tables[3])
    assert communes[1] == ["1", "Phường 5 (Thành phố Mỹ Tho)", "104,69", "Tốt", "1", "1"]
    assert ["12", "Thị trấn Cái Bè (Huyện Cái Bè)", "90,04", "Trung bình", "12", "1"] in communes


def test_the_header_row_repeats_and_no_row_is_split_across_pages(run: Run, tmp_path: Path):
    _grade(run, tmp_path)
    for table in _open(tmp_path).tables:
        rows = [r._tr for r in table.rows]
        assert [tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None for tr in rows] == [
            True
        ] + [False] * (len(rows) - 1)
        assert all(tr.find(qn("w:trPr")).find(qn("w:cantSplit")) is not None for tr in rows)
        widths = [_mm(c.width) for c in table.columns]
        assert round(sum(widths)) == 165  # the page between the margins: 210 − 30 − 15


def test_band_counts_and_the_units_that_sent_nothing_follow_each_table(run: Run, tmp_path: Path):
    report = _grade(run, tmp_path)
    texts = [p.text for p in _open(tmp_path).paragraphs]
    assert (
        "Kết quả xếp loại: Tốt 2 đơn vị (40%); Khá 1 đơn vị (20%); Trung bình 0 đơn vị; "
        + ("Yếu 2 đơn vị (40%).")
        in texts
    )
    assert (
        "Thang điểm: tối đa 100 điểm (+10 thưởng, −5 trừ). Số đơn vị: 19, trong đó 8 đơn vị "
        "được chấm điểm, 11 đơn vị chưa gửi bảng điểm." in texts
    )
    missing = [u for u in report["units"] if u["status"] == "missing"]
    assert len(missing) == 176
    sent_nothing = [t for t in texts if t.startswith("Đơn vị chưa gửi bảng điểm")]
    assert [re.match(r".*\((\d+)\):", t).group(1) for t in sent_nothing] == ["11", "6", "159"]
    # the communes under their districts, one line each: "- Thành phố Mỹ Tho (15): Phường 7; …"
    districts = {
        m.group(1): m.group(3).split("; ")
        for t in texts
        if (m := re.match(r"^- (.+) \((\d+)\): (.*)\.$", t))
    }
    for u in missing:
        if u["parent_name"]:
            assert u["name"] in districts[u["parent_name"]], u["code"]
        else:
            assert any(u["name"] in t for t in sent_nothing), u["code"]
    assert sum(len(v) for v in districts.values()) == 159


def test_without_a_roster_the_units_that_sent_nothing_are_not_listed(run: Run, tmp_path: Path):
    _grade(run, tmp_path, roster=False)
    texts = [p.text for p in _open(tmp_path).paragraphs]
    assert not [t for t in texts if "chưa gửi" in t]
    assert (
        "Thang điểm: tối đa 100 điểm (+10 thưởng, −5 trừ). Số đơn vị gửi bảng điểm: 8, "
        + ("đều được chấm điểm.")
        in texts
    )


def test_invalid_sheets_are_listed_and_no_empty_table_is_drawn(run: Run, tmp_path: Path):
    out = tmp_path / "ket-qua.docx"
    result = run("grade", EXAMPLES / "mistakes", "--rubric", "tiengiang-2020", "-q", "-o", out)
    assert result.exit_code == 1, result.stderr
    doc = _open(tmp_path)
    texts = [p.text for p in doc.paragraphs]
    assert doc.tables == []
    assert texts.count("Không có đơn vị nào được chấm điểm.") == 3
    assert (
        "Đơn vị có bảng điểm không hợp lệ, không được xếp loại, xếp hạng (2): Huyện Cái Bè; "
        "Huyện Cai Lậy." in texts
    )


def test_unranked_units_control_characters_and_units_outside_the_groups(tmp_path: Path):
    rubric = load_rubric("tiengiang-2020")
    report = grade_folder(EXAMPLES / "sheets", GradeOptions())
    units = list(report.units)
    first = next(i for i, u in enumerate(units) if u.group == "nganh-doc")
    units[first] = dataclasses.replace(
        units[first], name="Cục\x0bThuế\x1b tỉnh", rank=None, unranked="lý do an ninh"
    )
    outside = next(i for i, u in enumerate(units) if u.group == "huyen")
    units[outside] = dataclasses.replace(units[outside], group="khac")
    write_report(dataclasses.replace(report, units=tuple(units)), rubric, tmp_path / "a.docx")
    doc = docx.Document(str(tmp_path / "a.docx"))
    assert _texts(doc.tables[0])[1][1:] == ["Cục Thuế� tỉnh", "102,79", "Tốt", "KXH"]
    texts = [p.text for p in doc.paragraphs]
    assert "KXH: không xếp hạng — Cục\nThuế\ufffd tỉnh: lý do an ninh." in texts
    assert "V. ĐƠN VỊ NGOÀI CÁC NHÓM CỦA BẢNG ĐIỂM" in texts  # numbered after the four groups
    assert f"- {units[outside].name} (khac): Đã chấm." in texts


# --- printed by LibreOffice ------------------------------------------------------------------

needs_office = pytest.mark.skipif(  # lowriter comes with Writer: Calc alone cannot open a .docx
    shutil.which("soffice") is None
    or shutil.which("lowriter") is None
    or shutil.which("pdftotext") is None,
    reason="needs LibreOffice (soffice, with Writer) and poppler-utils (pdftotext)",
)


def _pdf_pages(docx_path: Path, tmp_path: Path) -> list[str]:
    """The annex printed to PDF by LibreOffice (which must open it: no repair, no refusal), the
    text of each page in the order drawn (a wrapped cell's lines follow each other)."""
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    pdf = tmp_path / (docx_path.stem + ".pdf")
    assert pdf.exists(), f"{result.stdout}{result.stderr} (is libreoffice-writer installed?)"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def _header(group: str) -> str:
    return " ".join(HEADER + (["Hạng (cấp trên)"] if group == "xa" else []))


def _row_text(row: list[str]) -> str:
    return " ".join(" ".join(row).split())


@needs_office
def test_libreoffice_prints_each_groups_table_whole(run: Run, tmp_path: Path):
    report = _grade(run, tmp_path)
    pages = _pdf_pages(tmp_path / "ket-qua.docx", tmp_path)
    text = " ".join(pages)
    assert text.startswith("PHỤ LỤC KẾT QUẢ CHẤM ĐIỂM, XẾP LOẠI")
    assert not re.match(r"^\d", pages[0])  # no page number on the first page
    starts = [text.index(h) for h in [*GROUP_HEADINGS, "IV. UBND CẤP XÃ"]]
    for i, group in enumerate(["nganh-doc", "so-nganh", "huyen", "xa"]):
        section = text[starts[i] : starts[i + 1] if i + 1 < len(starts) else len(text)]
        at = section.index(_header(group))
        for row in _expected_rows(report, group):  # every row, whole, in order
            at = section.index(_row_text(row), at) + 1
        assert section.index("Kết quả xếp loại:") > at
    for number, page in enumerate(pages[1:], start=2):
        assert page.startswith(f"{number} "), page[:40]  # centred at the top from page 2


@needs_office
def test_a_table_across_pages_repeats_its_header_on_each(tmp_path: Path):
    """98 graded communes: their table spans pages; each page it continues on starts with its
    header, and every row is there once, whole."""
    rubric = load_rubric("tiengiang-2020")
    report = grade_folder(EXAMPLES / "sheets", GradeOptions())
    report = _with_communes(report, copies=6)
    write_report(report, rubric, tmp_path / "xa.docx")
    pages = _pdf_pages(tmp_path / "xa.docx", tmp_path)
    graded = [u for u in report.units if u.group == "xa"]
    rows = [
        _row_text([str(i), f"{u.name} ({u.parent_name})"]) for i, u in enumerate(graded, start=1)
    ]
    on = [[r for r in rows if r + " " in p] for p in pages]  # the rows each page holds
    spanned = [i for i, found in enumerate(on) if found]
    assert len(spanned) >= 2
    assert sum(len(found) for found in on) == len(rows)
    for i in spanned:
        first = pages[i].index(on[i][0] + " ")
        assert pages[i].rfind(_header("xa"), 0, first) >= 0, f"page {i + 1}: no header"


def _with_communes(report: Report, copies: int) -> Report:
    """The report with every graded commune there `copies` times (new codes and names)."""
    extra = [
        dataclasses.replace(u, code=f"{u.code}-{k}", name=f"{u.name} {k}")
        for k in range(1, copies + 1)
        for u in report.units
        if u.group == "xa" and u.status is Status.GRADED
    ]
    return dataclasses.replace(report, units=(*report.units, *extra))


def test_rows_are_copied_not_built_cell_by_cell(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """python-docx takes about 1 ms a cell (10,000 units took 100 s): each table asks it for two
    rows (the header and the one every unit's row copies), whatever the number of units."""
    from docx.table import Table as DocxTable

    from ictscore.reports.annex import build_annex

    calls = []
    add_row = DocxTable.add_row
    monkeypatch.setattr(DocxTable, "add_row", lambda self: calls.append(1) or add_row(self))
    report = _with_communes(grade_folder(EXAMPLES / "sheets", GradeOptions()), copies=20)
    doc = build_annex(report, load_rubric("tiengiang-2020"))
    assert len(calls) == 2 * len(doc.tables) == 8
    assert len(doc.tables[3].rows) == 1 + 14 * 21


def test_a_rubric_without_bands_or_a_province_issuer_gets_its_own_title_and_signer():
    from ictscore.reports.annex import annex_title, attachment_line
    from ictscore.reports.publication import Publication

    hcm = load_rubric("hcm-sgd-truong-hoc")  # no bands; issued in Thành phố Hồ Chí Minh
    assert annex_title(hcm) == "KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG ĐÁNH GIÁ CÔNG NGHỆ THÔNG TIN NĂM 2021"
    assert attachment_line(hcm, Publication()) == (
        "(Kèm theo Quyết định số …/QĐ-UBND ngày … tháng … năm … "
        "của Ủy ban nhân dân Thành phố Hồ Chí Minh)"
    )
    department = Publication(issuer="Sở Giáo dục và Đào tạo")  # not the People's Committee
    assert attachment_line(hcm, department).startswith("(Kèm theo Quyết định số …/QĐ-… ngày")
