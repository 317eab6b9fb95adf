"""Make tests/data/bad: one file of each kind of broken or hostile submission.

    python tests/data/make_bad.py            # rewrites tests/data/bad and bad-amplified
    python tests/data/make_bad.py --out DIR  # writes DIR and DIR-amplified instead

`EXPECTED` says, for each file, the one issue `ictscore grade` must report: its code and a part
of its message. tests/test_bad_files.py grades the folder and checks exactly that, plus a link to
a file outside the folder, made at test time (git would not keep it pointing outside).
Everything is deterministic except the encrypted workbook (encryption salts are random).

The amplification sheet (`AMPLIFIED`: thousands of issues from 45 KB) is kept apart, in
tests/data/bad-amplified, so that grading the bad folder stays cheap: it has its own test.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

from ictscore.roster import Unit
from ictscore.rubric.load import load_rubric
from ictscore.sheets import layout
from ictscore.sheets.fill import fill_workbook
from ictscore.sheets.template import build_template

HERE = Path(__file__).resolve().parent
RUBRIC = "tiengiang-2020"
UNIT = Unit("28249", "Phường 5", "xa", "815", "Thành phố Mỹ Tho")
OLD_UNIT = Unit("28252", "Phường 4", "xa", "815", "Thành phố Mỹ Tho")
MACRO_UNIT = Unit("28294", "Phường 3", "xa", "816", "Thị xã Gò Công")
FAR_UNIT = Unit("28297", "Phường 2", "xa", "816", "Thị xã Gò Công")
PI_UNIT = Unit("28255", "Phường 7", "xa", "815", "Thành phố Mỹ Tho")
CONTROL_UNIT = Unit("28258", "Phường 3 @CTRL@", "xa", "815", "Thành phố Mỹ Tho")
AMPLIFIED_UNIT = Unit("28261", "Phường 1", "xa", "815", "Thành phố Mỹ Tho")
FIXED = (2020, 12, 1, 8, 0, 0)

# file → (issue code, a part of its message), or None: graded without any issue
EXPECTED: dict[str, tuple[str, str] | None] = {
    "01-empty.xlsx": ("unreadable-file", "the file is empty (0 bytes)"),
    "02-pdf-renamed.xlsx": ("not-a-spreadsheet", "not a spreadsheet: a PDF document"),
    "03-jpeg-renamed.xlsx": ("not-a-spreadsheet", "not a spreadsheet: a JPEG image"),
    "04-word-document.xlsx": ("not-a-spreadsheet", "a Word document (.docx), not a spreadsheet"),
    "05-truncated.xlsx": ("unreadable-file", "damaged or truncated (an incomplete zip archive)"),
    "06-corrupt-part.xlsx": ("unreadable-file", "is damaged"),
    "07-password-protected.xlsx": ("encrypted", "password-protected (encrypted)"),
    "08-zip-bomb.xlsx": ("too-large", "(a zip bomb?): not read"),
    "09-oversized-sheet.xlsx": ("too-large", "above the limits (5000 rows"),
    "10-billion-laughs.xlsx": ("unsafe-xml", "declares XML entities (an XML attack"),
    "11-external-entity.xlsx": ("unsafe-xml", "declares XML entities (an XML attack"),
    "12-sheet-renamed.xlsx": ("missing-sheet", 'no sheet "Bảng điểm" (found: Sheet1'),
    "13-sheet-deleted.xlsx": ("missing-sheet", 'no sheet "Bảng điểm" (found: Hướng dẫn'),
    "14-old-rubric-version.xlsx": ("wrong-rubric-version", "version 2019.2"),
    "15-text-file.xlsx": ("not-a-spreadsheet", "a text file (a CSV?)"),
    "16-html-saved-as.xls": ("not-a-spreadsheet", "an HTML page"),
    # a macro-enabled workbook whose macro is never run: graded, with one value error to report
    "17-with-macro.xlsm": ("not-a-number", 'found text "=cmd|'),
    "18-one-byte-deleted.xlsx": ("unreadable-file", "is damaged"),
    # one byte changed in a LibreOffice .xls: the native reader panics on it …
    "19-xls-reader-panics.xls": ("unreadable-file", "the reader failed: PanicException"),
    # … or asks for 900 GB and aborts its process: only a worker process dies
    "20-xls-reader-aborts.xls": ("unreadable-file", "reading it crashed the reader"),
    "21-far-away-cell.xlsx": ("too-large", "has cells up to row 1048576, column 16384"),
    # the far cell spelled as other programs may write it: a namespace prefix, single quotes,
    # spaces around `=`, or no reference at all (a row's `r` places its cells)
    "22-far-cell-prefixed.xlsx": ("too-large", "up to row 1000000, column 16384"),
    "23-far-cell-single-quotes.xlsx": ("too-large", "up to row 1000000, column 16384"),
    "24-far-cell-spaced-attribute.xlsx": ("too-large", "up to row 1000000, column 16384"),
    "25-far-row-no-cell-refs.xlsx": ("too-large", "up to row 1000000, column 8"),
    # a valid sheet with 30 extra parts of 20 KB of `<?` (once a quadratic scan): graded
    "26-instruction-starts.xlsx": None,
    # control characters in the unit's name and in typed values (BEL, ESC, Word's manual line
    # break `_x000B_`), as Excel stores them: graded; the BEL typed in a number is reported
    "27-control-characters.xlsx": ("not-a-number", "12"),
}
AMPLIFIED = "28-amplification.xlsx"
"""A filled sheet whose rows 58-5000 each hold a 32,000-character criterion id (~45 KB), in
tests/data/bad-amplified: tested on its own (test_bad_files.py::test_amplification_is_capped)."""
VALID_XLS = HERE / "valid" / "28249-phuong-5.xls"
"""The example sheet 28249 saved by LibreOffice as .xls (soffice --convert-to xls)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "bad")
    out: Path = parser.parse_args().out
    apart = out.with_name(f"{out.name}-amplified")
    for folder in (out, apart):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    make_all(out)
    make_amplified(apart)
    print(f"wrote {len(EXPECTED)} files to {out}, {AMPLIFIED} to {apart}", file=sys.stderr)


def template(unit: Unit = UNIT) -> bytes:
    """A filled score sheet for `unit`, byte-identical on every run."""
    return _template(unit=unit)


def _template(version: str | None = None, unit: Unit = UNIT) -> bytes:
    rubric = load_rubric(RUBRIC)
    if version is not None:
        rubric = rubric.model_copy(update={"version": version})
    wb = build_template(rubric, unit)
    fill_workbook(wb, _values(rubric))
    return _save(wb)


def _values(rubric: Any) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {}
    for node in rubric.nodes_for(UNIT.group):
        c = node.criterion
        if c.method is None:
            continue
        slots = c.method.slots(rubric.max_for(c, UNIT.group))
        values[c.id] = {s.key: (s.choices[0] if s.choices else 1) for s in slots}
    return values


def _save(wb: Any) -> bytes:
    wb.properties.created = wb.properties.modified = __import__("datetime").datetime(*FIXED)
    buf = io.BytesIO()
    wb.save(buf)
    return _rezip(buf.getvalue(), {})


def _rezip(data: bytes, replace: dict[str, bytes], extra: dict[str, bytes] | None = None) -> bytes:
    """The zip with parts replaced or added, fixed timestamps (byte-identical reruns)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            info = zipfile.ZipInfo(name, FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            body = replace.get(name, src.read(name))
            if name == "docProps/core.xml":  # openpyxl stamps the time of saving
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2020-12-01T08:00:00Z\g<2>",
                    body,
                )
            dst.writestr(info, body)
        for name, body in (extra or {}).items():
            info = zipfile.ZipInfo(name, FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, body)
    return out.getvalue()


def _sheet_xml(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")


def rezip_sheet(data: bytes, sheet: bytes) -> bytes:
    """The workbook with its score sheet's XML replaced."""
    return _rezip(data, {"xl/worksheets/sheet1.xml": sheet})


def extra_parts(data: bytes, parts: dict[str, bytes]) -> bytes:
    """The workbook with parts added."""
    return _rezip(data, {}, parts)


_MAIN_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def prefixed(sheet: bytes) -> bytes:
    """The sheet XML with its elements in a prefixed namespace (`<x:c>`), as some programs
    write it (readers accept it)."""
    sheet = sheet.replace(_MAIN_NS, _MAIN_NS.replace(b"xmlns=", b"xmlns:x="))
    return re.sub(rb"<(/?)([A-Za-z_][\w.-]*)(?=[\s/>])", rb"<\1x:\2", sheet)


def far_cell(cell: bytes, unit: Unit = FAR_UNIT) -> bytes:
    """The score sheet's XML for `unit` with one more row: `cell` (a cell's start tag, or a
    whole row if it starts with a row tag), at row 1000000. A prefixed tag (`<x:c`) makes the
    whole sheet prefixed."""
    sheet = _sheet_xml(_template(unit=unit))
    x = b"x:" if cell.startswith(b"<x:") else b""
    if x:
        sheet = prefixed(sheet)
    row = (
        cell
        if b"row" in cell
        else b"<%srow r='1000000'>%s<%sv>1</%sv></%sc></%srow>" % (x, cell, x, x, x, x)
    )
    return sheet.replace(b"</%ssheetData>" % x, row + b"</%ssheetData>" % x)


def make_all(out: Path) -> None:
    good = _template()
    files: dict[str, bytes] = {}
    files["01-empty.xlsx"] = b""
    files["02-pdf-renamed.xlsx"] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    files["03-jpeg-renamed.xlsx"] = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)
    files["04-word-document.xlsx"] = _docx()
    files["05-truncated.xlsx"] = good[: len(good) // 2]
    files["06-corrupt-part.xlsx"] = _corrupt(good)
    files["08-zip-bomb.xlsx"] = _rezip(good, {}, {"xl/media/bomb.bin": bytes(150 * 1024 * 1024)})
    files["09-oversized-sheet.xlsx"] = _oversized()
    sheet = _sheet_xml(good)
    laughs = b'<!DOCTYPE worksheet [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    files["10-billion-laughs.xlsx"] = _rezip(
        good,
        {"xl/worksheets/sheet1.xml": laughs + b"]>\n" + sheet.replace(b"<t>", b"<t>&lol9;", 1)},
    )
    xxe = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    files["11-external-entity.xlsx"] = _rezip(
        good, {"xl/worksheets/sheet1.xml": xxe + sheet.replace(b"<t>", b"<t>&xxe;", 1)}
    )
    files["12-sheet-renamed.xlsx"] = _edited(
        lambda wb: setattr(wb.worksheets[0], "title", "Sheet1")
    )
    files["13-sheet-deleted.xlsx"] = _edited(lambda wb: wb.remove(wb[layout.SCORE_SHEET]))
    files["14-old-rubric-version.xlsx"] = _template("2019.2", OLD_UNIT)
    files["15-text-file.xlsx"] = "Mã đơn vị;Điểm\n28249;95,5\n".encode()
    files["16-html-saved-as.xls"] = (
        b"<html><body><table><tr><td>M\xc3\xa3</td><td>95</td></tr></table></body></html>\n"
    )
    files["17-with-macro.xlsm"] = _with_macro()
    files["18-one-byte-deleted.xlsx"] = good[:8000] + good[8001:]
    files["19-xls-reader-panics.xls"] = _flipped(VALID_XLS.read_bytes(), 6295, 0x66)
    files["20-xls-reader-aborts.xls"] = _flipped(VALID_XLS.read_bytes(), 32147, 0x53)
    files["21-far-away-cell.xlsx"] = _edited(
        lambda wb: wb[layout.SCORE_SHEET].cell(1048576, 16384, "x"), FAR_UNIT
    )
    files.update(_hostile_spellings())
    files["26-instruction-starts.xlsx"] = extra_parts(
        _template(unit=PI_UNIT), {f"xl/extra{i}.xml": b"<?" * 10_000 for i in range(30)}
    )
    files["27-control-characters.xlsx"] = _control_characters()
    for name, data in files.items():
        (out / name).write_bytes(data)
    _encrypted(good, out / "07-password-protected.xlsx")


def make_amplified(out: Path) -> None:
    """Write the amplification sheet into `out`."""
    (out / AMPLIFIED).write_bytes(_amplified())


def _hostile_spellings() -> dict[str, bytes]:
    """The far cell of 21 as other programs may spell it, each for its own unit."""
    units = [Unit(f"2830{i}", f"Xã {i}", "xa", "816", "Thị xã Gò Công") for i in range(4)]
    far = {
        "22-far-cell-prefixed.xlsx": b'<x:c r="XFD1000000">',
        "23-far-cell-single-quotes.xlsx": b"<c r='XFD1000000'>",
        "24-far-cell-spaced-attribute.xlsx": b'<c t="n" r = "XFD1000000" >',
        "25-far-row-no-cell-refs.xlsx": b'<row r="1000000"><c><v>1</v></c><c/><c/></row>',
    }
    return {
        name: rezip_sheet(_template(unit=unit), far_cell(cell, unit))
        for (name, cell), unit in zip(far.items(), units, strict=True)
    }


def _control_characters() -> bytes:
    """Text as Excel stores the control characters pasted into it (`_x0007_`): BEL and ESC in
    the unit's name, Word's manual line break in a note, BEL after a typed number."""
    rubric = load_rubric(RUBRIC)
    wb = build_template(rubric, CONTROL_UNIT)
    values = _values(rubric)
    first = next(iter(values))
    slot = next(iter(values[first]))
    values[first][slot] = "12@BEL@"
    fill_workbook(wb, values)
    ws = wb[layout.SCORE_SHEET]
    ws.cell(ws.max_row, 8, "Xem tờ trình@VT@số 12")
    data = _save(wb)
    swaps = {b"@CTRL@": b"_x0007__x001B_[2J", b"@BEL@": b"_x0007_", b"@VT@": b"_x000B_"}
    archive = zipfile.ZipFile(io.BytesIO(data))
    replace = {}
    for name in archive.namelist():
        body = archive.read(name)
        for old, new in swaps.items():
            body = body.replace(old, new)
        replace[name] = body
    return _rezip(data, replace)


def _amplified() -> bytes:
    """A filled sheet whose rows 58-5000 each hold the same 32,000-character criterion id (one
    shared string: ~45 KB), an unknown criterion on every row."""
    data = _template(unit=AMPLIFIED_UNIT)
    archive = zipfile.ZipFile(io.BytesIO(data))
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>' % (r, r) for r in range(58, 5001)
    )
    sheet = _sheet_xml(data).replace(b"</sheetData>", rows + b"</sheetData>")
    strings = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>' + b"9" * 32_000 + b"</t></si></sst>"
    )
    types = archive.read("[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    rels = archive.read("xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    return _rezip(
        data,
        {
            "xl/worksheets/sheet1.xml": sheet,
            "[Content_Types].xml": types,
            "xl/_rels/workbook.xml.rels": rels,
        },
        {"xl/sharedStrings.xml": strings},
    )


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "word/document.xml": '<?xml version="1.0"?><document>Báo cáo</document>'.encode(),
        }.items():
            z.writestr(zipfile.ZipInfo(name, FIXED), body)
    return out.getvalue()


def _corrupt(good: bytes) -> bytes:
    """The sheet part's compressed bytes overwritten: the zip opens, the part does not inflate."""
    archive = zipfile.ZipFile(io.BytesIO(good))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(good)
    data[start : start + 64] = b"\xff" * 64
    return bytes(data)


def _oversized() -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(_template()))
    ws = wb[layout.SCORE_SHEET]
    for row in range(100, 6100):
        ws.cell(row, 8, "x")
    return _save(wb)


def _flipped(data: bytes, at: int, value: int) -> bytes:
    out = bytearray(data)
    out[at] = value
    return bytes(out)


def _edited(change: Any, unit: Unit = UNIT) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(_template(unit=unit)))
    change(wb)
    return _save(wb)


def _with_macro() -> bytes:
    """A valid sheet saved as .xlsm with a (fake) VBA project, and in an input cell, text that a
    careless program would run: it is data, read and reported, never run."""
    wb = openpyxl.load_workbook(io.BytesIO(_template(unit=MACRO_UNIT)))
    ws = wb[layout.SCORE_SHEET]
    (sheet, ref), *_ = list(wb.defined_names[layout.input_name("1.1", "numerator")].destinations)
    ws[ref.replace("$", "")].value = "=cmd|' /C calc'!A0"
    ws[ref.replace("$", "")].data_type = "s"  # typed as text, as a unit's paste would be
    data = _save(wb)
    return _rezip(data, {}, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not a real VBA project"})


def _encrypted(good: bytes, target: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(good)).encrypt("matkhau", out)
    target.write_bytes(out.getvalue())


if __name__ == "__main__":
    main()
