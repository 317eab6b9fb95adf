"""A small sheet cannot make a large report: the issues of one kind per file are capped (the
first ones, then one issue counting the rest) and a quoted value is cut (text.clip)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

from ictscore.issues import ISSUES_PER_CODE
from tests.conftest import ROOT, SMALL_RUBRIC, Run

ODS = ROOT / "tests" / "data" / "valid" / "28249-phuong-5.ods"

LONG_ID = "x" * 32_000


def _flood(wb: Any) -> None:
    ws = wb["Bảng điểm"]
    for row in range(57, 5001):
        ws.cell(row, 1).value = LONG_ID


def _shared(path: Path) -> None:
    """The long id held once, as a shared string (as Excel saves it: the file stays small);
    openpyxl writes it inline in every cell."""
    with zipfile.ZipFile(path) as old:
        parts = {name: old.read(name) for name in old.namelist()}
    inline = f'<c r="A(\\d+)" t="inlineStr"><is><t>{LONG_ID}</t></is></c>'.encode()
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = re.sub(inline, rb'<c r="A\1" t="s"><v>0</v></c>', sheet)
    parts["xl/sharedStrings.xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>{LONG_ID}</t></si></sst>'
    ).encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            new.writestr(name, data)


def test_a_flood_of_long_unknown_ids_gives_a_bounded_report(
    run: Run, make_sheet: Any, tmp_path: Path
):
    rubric = tmp_path / "small.yaml"
    rubric.write_text(SMALL_RUBRIC, encoding="utf-8")
    sheet = make_sheet(edit=_flood)
    _shared(sheet)
    assert sheet.stat().st_size < 100_000  # a small file
    result = run("grade", sheet.parent, "-r", rubric, "-f", "json", "-q")
    assert result.exit_code == 1, result.stderr
    assert len(result.stdout) < 100_000
    data = json.loads(result.stdout)
    assert not data["issues"], [i["message"][:300] for i in data["issues"]]
    (unit,) = data["units"]
    unknown = [i for i in unit["issues"] if i["code"] == "unknown-criterion"]
    assert len(unknown) == ISSUES_PER_CODE + 1
    assert "and 4924 more unknown-criterion issues" in unknown[-1]["message"], unknown[-1]
    assert "4924" in unknown[-1]["message_vi"], unknown[-1]
    for issue in unit["issues"]:
        assert len(issue["message"]) < 300 and len(issue["message_vi"]) < 300, issue
        assert issue["criterion"] is None or len(issue["criterion"]) <= 100
    assert "(32,000 characters)" in unknown[0]["message"]


def _flood_ods(path: Path) -> None:
    """The example sheet saved by LibreOffice, its rows 59–5000 holding the long id: one row
    element repeated (table:number-rows-repeated), so the file stays about 50 KB."""
    with zipfile.ZipFile(ODS) as old:
        infos = old.infolist()
        parts = {info.filename: old.read(info) for info in infos}
    content = parts["content.xml"].decode()
    scores = content.index('table:name="Bảng điểm"')
    trailing = content.index('<table:table-row table:style-name="ro1" table:number-rows', scores)
    end = content.index("</table:table-row>", trailing) + len("</table:table-row>")
    flood = (
        '<table:table-row table:style-name="ro1" table:number-rows-repeated="4942">'
        f'<table:table-cell office:value-type="string"><text:p>{LONG_ID}</text:p>'
        "</table:table-cell></table:table-row>"
    )
    parts["content.xml"] = (content[:trailing] + flood + content[end:]).encode()
    with zipfile.ZipFile(path, "w") as new:
        for info in infos:
            new.writestr(info, parts[info.filename], compress_type=info.compress_type)


def test_the_same_flood_in_an_ods(run: Run, tmp_path: Path):
    folder = tmp_path / "ods"
    folder.mkdir()
    sheet = folder / "28249.ods"
    _flood_ods(sheet)
    assert sheet.stat().st_size < 100_000
    result = run("grade", folder, "-r", "tiengiang-2020", "-f", "json", "-q")
    assert len(result.stdout) < 100_000
    data = json.loads(result.stdout)
    assert not data["issues"], [i["message"][:300] for i in data["issues"]]
    (unit,) = data["units"]
    unknown = [i for i in unit["issues"] if i["code"] == "unknown-criterion"]
    assert len(unknown) == ISSUES_PER_CODE + 1
    assert "and 4922 more unknown-criterion issues" in unknown[-1]["message"], unknown[-1]
    assert all(len(i["message_vi"]) < 300 for i in unit["issues"])


def test_an_appraisal_form_flood_is_capped_too(run: Run, make_sheet: Any, tmp_path: Path):
    """The form is one file read where results are gathered: its issues are capped alike."""
    rubric = tmp_path / "small.yaml"
    rubric.write_text(SMALL_RUBRIC, encoding="utf-8")
    sheet = make_sheet()
    form = tmp_path / "tham-dinh.csv"
    rows = "".join(f"zz{n}-{'x' * 2000},1.1,1,,\n" for n in range(300))
    header = "Mã đơn vị,Mã tiêu chí,Thẩm định,Không áp dụng (lý do),Ghi chú thẩm định\n"
    form.write_text(header + rows, encoding="utf-8")
    result = run("grade", sheet.parent, "-r", rubric, "--appraisal", form, "-f", "json", "-q")
    data = json.loads(result.stdout)
    unknown = [i for i in data["issues"] if i["code"] == "unknown-unit"]
    assert len(unknown) == ISSUES_PER_CODE + 1
    assert "and 280 more unknown-unit issues" in unknown[-1]["message"]
    assert len(result.stdout) < 100_000


def test_the_summary_counts_what_the_cap_left_out(run: Run):
    """21 issues are listed for the flooded sheet, but the summary counts all 4,943 (it said
    "21 error(s)")."""
    from tests.conftest import ROOT

    folder = ROOT / "tests" / "data" / "bad-amplified"
    result = run("grade", folder, "-r", "tiengiang-2020", "-f", "json", "-q")
    data = json.loads(result.stdout)
    ((unit),) = data["units"]
    listed = unit["issues"]
    closing = [i for i in listed if "not_listed" in i]
    assert len(closing) == 1 and closing[0]["not_listed"] > 4900
    total = len(listed) - 1 + closing[0]["not_listed"]
    assert data["summary"]["errors"] + data["summary"]["warnings"] == total
    assert f"{data['summary']['errors']} error(s)" in result.stderr
