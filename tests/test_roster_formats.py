"""Rosters as Vietnamese offices save them: `;` separators, Windows-1258 or UTF-16 text,
Vietnamese headers in any order, and .xlsx/.ods workbooks; read through the CLI as a user
passes them to --units."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import openpyxl
import pytest

from ictscore import load_units
from ictscore.errors import UnitsError
from tests.conftest import EXAMPLES, Run

ROWS = [
    ("28249", "Phường 5", "xa", "815"),
    ("815", "Thành phố Mỹ Tho", "huyen", ""),
]
EXPECTED = [
    ("28249", "Phường 5", "xa", "815", "Thành phố Mỹ Tho"),
    ("815", "Thành phố Mỹ Tho", "huyen", None, None),
]


def _got(path: Path) -> list[tuple[str, str, str, str | None, str | None]]:
    return [(u.code, u.name, u.group, u.parent, u.parent_name) for u in load_units(path).units]


def _text(header: str, sep: str) -> str:
    return "\r\n".join([header, *(sep.join(row) for row in ROWS)]) + "\r\n"


@pytest.mark.parametrize(
    ("header", "sep", "encoding"),
    [
        ("code;name;group;parent", ";", "utf-8-sig"),  # Excel "CSV UTF-8", Vietnamese settings
        ("Mã đơn vị;Tên đơn vị;Nhóm;Đơn vị cấp trên", ";", "cp1258"),  # Excel "CSV"
        ("Mã\tTên\tKhối\tĐơn vị cấp trên", "\t", "utf-16"),  # Excel "Unicode text"
        ("  MÃ ĐƠN  VỊ ,tên đơn vị,NHÓM,Đơn vị cấp trên", ",", "utf-8"),
    ],
    ids=["semicolons", "windows-1258", "utf-16-tabs", "vietnamese-headers-any-case"],
)
def test_text_rosters_as_excel_saves_them(tmp_path: Path, header: str, sep: str, encoding: str):
    path = tmp_path / "units.csv"
    text = _text(header, sep)
    path.write_bytes(_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    assert _got(path) == EXPECTED


def _cp1258(text: str) -> bytes:
    """Text as Windows-1258 stores it: the letters it has (â, ơ, đ …) with the tone marks as
    combining characters ("ường" is "ươ" + "̀" + "ng"); the names read back are NFC."""
    from itertools import combinations

    out = bytearray()
    for ch in text:
        base, *marks = unicodedata.normalize("NFD", ch)
        for keep in (c for n in range(len(marks), -1, -1) for c in combinations(marks, n)):
            head = unicodedata.normalize("NFC", base + "".join(keep))
            rest = "".join(m for m in marks if m not in keep)
            try:
                out += head.encode("cp1258") + rest.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
    assert out.decode("cp1258") != text  # some tone marks are apart, as Excel writes them
    return bytes(out)


def test_columns_in_another_order_and_no_parent_column(tmp_path: Path):
    path = tmp_path / "units.csv"
    path.write_text("Tên đơn vị,Nhóm,Mã\nSở Y tế,so-nganh,so-y-te\n", encoding="utf-8")
    assert _got(path) == [("so-y-te", "Sở Y tế", "so-nganh", None, None)]


def test_columns_without_a_header_are_ignored(tmp_path: Path):
    path = tmp_path / "units.csv"
    path.write_text("Mã;Tên;Nhóm;;\nx1;Xã Một;xa;;\nx2;Xã Hai;xa;ghi chú;\n", encoding="utf-8")
    assert [u.code for u in load_units(path).units] == ["x1", "x2"]


def test_a_header_named_twice_is_refused(tmp_path: Path):
    path = tmp_path / "units.csv"
    path.write_text("Mã,code,name,group\n1,2,x,y\n", encoding="utf-8")
    with pytest.raises(UnitsError, match="expected the header code,name,group,parent"):
        load_units(path)


@pytest.mark.parametrize("suffix", [".xlsx", ".ods"])
def test_workbook_rosters_are_read(tmp_path: Path, suffix: str):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã đơn vị", "Tên đơn vị", "Nhóm", "Đơn vị cấp trên"])
    ws.append([28249, "Phường 5", "xa", 815])  # codes typed as numbers, as Excel keeps them
    ws.append([815, "Thành phố Mỹ Tho", "huyen", None])
    path = tmp_path / f"units{suffix}"
    if suffix == ".xlsx":
        wb.save(path)
    else:
        path.write_bytes(_ods([[c.value for c in row] for row in ws.iter_rows()]))
    assert _got(path) == EXPECTED


def _ods(rows: list[list[object]]) -> bytes:
    """A minimal OpenDocument spreadsheet (as LibreOffice saves one, reduced to its parts)."""
    import io
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value: object) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, int):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return (
            f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
            "</text:p></table:table-cell>"
        )

    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return out.getvalue()


def test_a_workbook_roster_through_the_cli(run: Run, tmp_path: Path):
    import csv
    import json

    rows = list(csv.reader((EXAMPLES / "units.csv").read_text(encoding="utf-8").splitlines()))
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    path = tmp_path / "units.xlsx"
    wb.save(path)
    result = run("grade", EXAMPLES / "sheets", "--units", path, "-q", "-f", "json")
    assert result.exit_code == 1, result.stderr  # the examples have errors: the report is out
    statuses = [u["status"] for u in json.loads(result.stdout)["units"]]
    assert (statuses.count("graded"), statuses.count("missing")) == (32, 176)  # 208 units


def test_a_hostile_workbook_roster_is_checked_before_it_is_read(tmp_path: Path):
    from tests.data.make_bad import far_cell, rezip_sheet, template

    path = tmp_path / "units.xlsx"
    path.write_bytes(rezip_sheet(template(), far_cell(b'<x:c r="XFD1000000">')))
    with pytest.raises(UnitsError, match="has cells up to row 1000000"):
        load_units(path)
