"""The pure-Python .xlsx reader (sheets/xlsx.py) reads what python-calamine reads, or declines.

Every workbook both can read gives the same SheetData through either (`read_workbook` against
`_read_native`, which runs python-calamine after every file check); cells of every kind written
by openpyxl give the same grid; a file in any form the reader does not take is declined and read
by python-calamine, with the same result as before.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ictscore.errors import WorkbookError
from ictscore.grading import workers
from ictscore.issues import CellRef, IssueCode
from ictscore.sheets import layout, reader, xlsx, xlsx_cells, xlsx_parts
from ictscore.sheets.filecheck import inspect_file
from tests.conftest import EXAMPLES, ROOT

DATA = ROOT / "tests" / "data"
WORKBOOKS = sorted(
    [
        *EXAMPLES.glob("sheets/*.xlsx"),
        *(DATA / "valid").glob("*.xlsx"),
        *(DATA / "bad").glob("*.xls[xm]"),
    ]
)
LIBREOFFICE = DATA / "valid" / "28249-phuong-5-libreoffice.xlsx"
"""examples/sheets/28249-phuong-5.xlsx saved by LibreOffice 7.4 (shared strings, cached
formula results, t="str" cells), as most units' files are."""


def _native(path: Path) -> Any:
    """What python-calamine gives, after every check: the SheetData, or the error's code."""
    try:
        data = path.read_bytes()
        return reader._read_native(str(path), inspect_file(data, CellRef(str(path))))
    except WorkbookError as exc:
        return exc.code


def _fast(path: Path) -> Any:
    """What read_workbook gives without native code; None when the file needs it."""
    try:
        return reader.read_workbook(path, str(path), native=False)
    except reader.NativeNeeded:
        return None
    except WorkbookError as exc:
        return exc.code


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_both_readers_give_the_same_sheet(path: Path) -> None:
    fast = _fast(path)
    if path.parent.name != "bad":
        assert fast is not None, "a sheet as programs write it is read without native code"
    if fast is None:
        return  # declined: read by python-calamine alone, as before
    assert fast == _native(path)


def test_a_sheet_as_ictscore_writes_it_today_is_read_without_native_code(make_sheet: Any) -> None:
    """openpyxl writes otherwise with lxml installed (a namespace declared on each sheet
    element, every non-ASCII letter as a reference): the template, filled, is still read here."""
    path = make_sheet()
    assert b"<sheet xmlns:r=" in zipfile.ZipFile(path).read(BOOK)  # the form it tests
    fast = _fast(path)
    assert isinstance(fast, reader.SheetData)
    assert fast == _native(path)


def test_a_libreoffice_file_is_read_without_native_code() -> None:
    sheet = _fast(LIBREOFFICE)
    assert isinstance(sheet, reader.SheetData)
    assert sheet.meta["unit_code"] == "28249"
    assert len(sheet.rows) > 30 and sheet.total is not None


def _grid_by_calamine(data: bytes, name: str) -> list[list[Any]]:
    wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        return _trimmed(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
    finally:
        wb.close()


def _grid_by_xlsx(data: bytes, name: str) -> list[list[Any]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return _trimmed(xlsx.Book(archive, CellRef("x")).grid(name).rows)


def _trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows without their trailing empty cells, and no trailing empty row: where a grid ends
    is no value (the readers' grids differ only there)."""
    out = [list(r) for r in rows]
    for r in out:
        while r and r[-1] == "":
            r.pop()
    while out and not out[-1]:
        out.pop()
    return out


_TEXT = st.lists(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
        st.sampled_from([" ", "\t", "\n", "&", "<", ">", '"', "'", "_x000B_", "&amp;"]),
    ),
    max_size=12,
).map("".join)
_VALUES = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(-(10**15), 10**15),
    _TEXT,
    st.booleans(),
    st.sampled_from(["=1/0", "=1+1", '="a"', "=NA()"]),
    st.dates(dt.date(1950, 1, 1), dt.date(2050, 1, 1)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.tuples(st.integers(1, 12), st.integers(1, 9)), _VALUES, max_size=25))
def test_any_cells_openpyxl_writes_read_as_calamine_reads_them(cells: dict[Any, Any]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for (row, column), value in cells.items():
        ws.cell(row, column).value = value
        if isinstance(value, str) and not value.startswith("="):
            ws.cell(row, column).data_type = "s"  # text, never a formula
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    try:
        mine = _grid_by_xlsx(data, "S")
    except xlsx.Declined as declined:
        event(f"declined: {declined}")
        return  # read by python-calamine instead
    event("read")
    assert mine == _grid_by_calamine(data, "S")


# --- files in another form are declined, then read by python-calamine as before ---------------


def _with_sheet_xml(path: Path, change: Any) -> bytes:
    """The workbook at `path` with its score sheet's XML changed by `change(xml) -> xml`."""
    source = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(info, data)
    return out.getvalue()


def _first(old: str, new: str) -> Any:
    def change(xml: bytes) -> bytes:
        assert old.encode() in xml
        return xml.replace(old.encode(), new.encode(), 1)

    return change


EXAMPLE = EXAMPLES / "sheets" / "28249-phuong-5.xlsx"
ODD_FORMS = {
    "a comment among the cells": (EXAMPLE, _first("<row ", "<!-- a note --><row ")),
    "a CDATA section": (EXAMPLE, _first("<t>Mã", "<t><![CDATA[M]]>ã")),
    "a namespace prefix": (
        EXAMPLE,
        lambda x: (
            x.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=", 1)
            .replace(b"</worksheet>", b"</x:worksheet>")
            .replace(b"<c ", b"<x:c ")
            .replace(b"</c>", b"</x:c>")
        ),
    ),
    "attributes in another order": (EXAMPLE, _first('<c r="A1" s="1"', '<c s="1" r="A1"')),
    "an _x000B_ escape": (EXAMPLE, _first("<t>Mã", "<t>_x000B_Mã")),
    "edge spaces a reader trims": (EXAMPLE, _first("<t>Mã", "<t> Mã")),
    "a date type": (LIBREOFFICE, _first('t="n"><v>', 't="d"><v>')),
}


def test_shared_formulas_as_excel_writes_them_are_read(tmp_path: Path) -> None:
    """Excel writes a formula shared down a column once, and `<f t="shared" si="0"/>` in the
    cells below (self-closing): read, as python-calamine reads them."""
    path = tmp_path / "shared.xlsx"
    path.write_bytes(
        _with_sheet_xml(
            LIBREOFFICE,
            lambda x: re.sub(rb'<f aca="false">[^<]*</f>', b'<f t="shared" si="0"/>', x),
        )
    )
    fast = _fast(path)
    assert isinstance(fast, reader.SheetData)
    assert fast == _native(path)


@pytest.mark.parametrize("name", ODD_FORMS)
def test_a_sheet_in_another_form_is_declined_and_read_by_calamine(
    name: str, tmp_path: Path
) -> None:
    source, change = ODD_FORMS[name]
    path = tmp_path / "odd.xlsx"
    path.write_bytes(_with_sheet_xml(source, change))
    assert _fast(path) is None  # declined: not guessed at
    sheet = reader.read_workbook(path, str(path))  # python-calamine, after every check
    assert sheet == _native(path)


def test_a_number_shown_as_a_date_is_declined(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb[layout.SCORE_SHEET]
    for row in ws.iter_rows(min_row=9, max_row=12):
        for cell in row:
            if isinstance(cell.value, int | float):
                cell.number_format = "dd/mm/yyyy"
    path = tmp_path / "dates.xlsx"
    wb.save(path)
    assert _fast(path) is None
    sheet = reader.read_workbook(path, str(path))
    assert any(isinstance(c.value, dt.date) for r in sheet.rows for c in (r.max, *r.inputs))


# --- files crafted to make the readers disagree (a review's findings): declined, or the same ---

E9 = '<c r="E9" s="13" t="n"><v>57</v></c>'
SHEET, STYLES, STRINGS, BOOK = (
    "xl/worksheets/sheet1.xml",
    "xl/styles.xml",
    "xl/sharedStrings.xml",
    "xl/workbook.xml",
)


def _replace(old: str, new: str) -> Any:
    def change(xml: bytes) -> bytes:
        assert old.encode() in xml, old
        return xml.replace(old.encode(), new.encode(), 1)

    return change


def _input_style(number_format: str, code: str | None = None) -> Any:
    """The input cells' style (the 14th cellXfs entry of the example) given `number_format`,
    and a custom format `code` for it."""

    def change(xml: bytes) -> bytes:
        start = xml.index(b"<cellXfs")
        tags = list(re.finditer(rb"<xf\b[^>]*>", xml[start:]))
        tag = tags[13]
        new = re.sub(rb'numFmtId="[0-9]+"', f"numFmtId={number_format}".encode(), tag[0])
        out = xml[: start + tag.start()] + new + xml[start + tag.end() :]
        if code is not None:
            out = out.replace(
                b"<fonts",
                f'<numFmts count="1"><numFmt numFmtId="10" formatCode="{code}"/></numFmts>'
                "<fonts".encode(),
                1,
            )
        return out

    return change


CRAFTED = {
    "a value and an inline string": (
        SHEET,
        _replace(E9, '<c r="E9" s="13"><v>5</v><is><t>7</t></is></c>'),
    ),
    "a boolean with an inline string": (
        SHEET,
        _replace(E9, '<c r="E9" s="13" t="b"><v>1</v><is><t>7</t></is></c>'),
    ),
    "a formula string with an inline string": (
        SHEET,
        _replace(E9, '<c r="E9" s="13" t="str"><is><t>7</t></is></c>'),
    ),
    "an error with an inline string": (
        SHEET,
        _replace(E9, '<c r="E9" s="13" t="e"><v>#N/A</v><is><t>7</t></is></c>'),
    ),
    "an escape behind a reference": (
        SHEET,
        _replace(E9, '<c r="E9" s="13" t="inlineStr"><is><t>&#95;x0035_</t></is></c>'),
    ),
    "a date style in single quotes": (STYLES, lambda x: _input_style("'14'")(x)),
    "a custom date code on a built-in id": (STYLES, _input_style('"10"', "dd/mm/yyyy")),
    "an elapsed time": (STYLES, _input_style('"10"', "[hhh]")),
    "A/P": (STYLES, _input_style('"10"', "0 A/P")),
    "a date code in references": (STYLES, _input_style('"10"', "&#100;&#100;")),
    "a cell in row 0": (
        SHEET,
        _replace(
            '<row r="1"',
            '<row r="0"><c r="A0" t="inlineStr"><is><t>&amp;</t></is></c></row><row r="1"',
        ),
    ),
    "a row numbered 8.5": (SHEET, _replace('<row r="1"', '<row r="8.5"/><row r="1"')),
    "a second score sheet": (
        BOOK,
        _replace(
            '<sheet name="_ictscore"',
            '<sheet name="Bảng điểm" sheetId="4" r:id="rId2" /><sheet name="_ictscore"',
        ),
    ),
    "a sheet element before the sheets": (
        BOOK,
        _replace(
            "<bookViews>",
            '<extLst><ext uri="u"><sheet name="Bảng điểm" sheetId="9" r:id="rId2"/></ext></extLst>'
            "<bookViews>",
        ),
    ),
    "a prefixed sheetData first": (
        SHEET,
        lambda x: x.replace(
            b"<worksheet ",
            b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ',
            1,
        ).replace(
            b"<sheetData>",
            b'<x:sheetData><x:row r="9"><x:c r="E9"><x:v>1</x:v></x:c></x:row></x:sheetData>'
            b"<sheetData>",
            1,
        ),
    ),
}
CRAFTED.update(
    {  # a second review's
        "a number format outside its block": (
            STYLES,
            lambda x: _input_style('"14"')(x).replace(
                b"</cellXfs>",
                b'</cellXfs><dxfs count="1"><dxf><numFmt numFmtId="14" formatCode="0.00"/>'
                b"</dxf></dxfs>",
                1,
            ),
        ),
        "an element named xf.x among the styles": (
            STYLES,
            lambda x: re.sub(
                rb"(<cellXfs[^>]*>)", rb'\1<xf.x numFmtId="0"/>', _input_style('"14"')(x), count=1
            ),
        ),
        "an attribute without a value": (
            BOOK,
            _replace('<sheet name="Bảng điểm"', '<sheet junk name="Bảng điểm"'),
        ),
        "relationships:id": (BOOK, _replace('r:id="rId1"', 'r:id="rId1" relationships:id="rId2"')),
        "the cells in a comment": (
            SHEET,
            lambda x: x.replace(b"<sheetData>", b"<!--<sheetData>", 1).replace(
                b"</sheetData>", b"</sheetData>-->", 1
            ),
        ),
        "a formula in a comment": (
            SHEET,
            _replace("</worksheet>", '<!-- <c r="F10"><f>1+1</f></c> --></worksheet>'),
        ),
        "an element named f.x in a cell": (SHEET, _replace(E9, '<c r="E9" s="13"><f.x/></c>')),
        "an empty cell beyond the limits": (
            SHEET,
            _replace("</sheetData>", '<row r="6000"><c r="A6000" s="1"/></row></sheetData>'),
        ),
    }
)
LIBREOFFICE_CRAFTED = {
    "a prefixed shared string": (
        STRINGS,
        lambda x: x.replace(
            b"<sst ",
            b'<sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ',
            1,
        ).replace(b"<si>", b"<x:si><x:t>p</x:t></x:si><si>", 1),
    ),
    "an escape behind a reference in a shared string": (
        STRINGS,
        lambda x: x.replace('preserve">Có</t>'.encode(), 'preserve">&#95;x0043_ó</t>'.encode()),
    ),
    "a number of 50,000 digits": (
        SHEET,
        lambda x: re.sub(
            rb'(<c r="E9"[^>]*><v>)[^<]*', lambda m: m[1] + b"1" * 50_000 + b"x", x, count=1
        ),
    ),
    "an element named si.x among the strings": (
        STRINGS,
        lambda x: x.replace(b"<si>", b"<si.x/><si>", 1),
    ),
    "a string after the table": (
        STRINGS,
        lambda x: x.replace(b"</sst>", b"</sst><si><t>z</t></si>"),
    ),
    "an item hidden in the table's attribute": (  # the tag's first > is in the value
        STRINGS,
        lambda x: (
            e := x.index(b">", x.index(b"<sst")),
            x[:e] + b' a="><si><t>Q"></t></si>' + x[e + 1 :],
        )[1],
    ),
    "a shared string index of 5,000 digits": (
        SHEET,
        lambda x: re.sub(
            rb'(<c r="A9"[^>]*t="s"><v>)[^<]*', lambda m: m[1] + b"1" * 5_000, x, count=1
        ),
    ),
}


@pytest.mark.parametrize(
    ("source", "name"),
    [(EXAMPLE, n) for n in CRAFTED] + [(LIBREOFFICE, n) for n in LIBREOFFICE_CRAFTED],
    ids=lambda v: v if isinstance(v, str) else v.stem,
)
def test_a_crafted_file_is_declined_or_read_the_same(
    source: Path, name: str, tmp_path: Path
) -> None:
    """Each of these once made the readers disagree (a value, a sheet, a crash or minutes of
    work): now the pure-Python reader declines it, or reads what python-calamine reads."""
    part, change = {**CRAFTED, **LIBREOFFICE_CRAFTED}[name]
    path = tmp_path / "crafted.xlsx"
    path.write_bytes(_with_part(source, part, change(zipfile.ZipFile(source).read(part))))
    fast = _fast(path)
    assert fast is None or fast == _native(path)


def test_a_twin_part_named_in_capitals_is_refused(tmp_path: Path) -> None:
    """python-calamine takes part names without case (`Sheet1.xml` is `sheet1.xml`) and the
    last of twins: such a zip is refused, as one holding a part twice."""
    out = io.BytesIO()
    with zipfile.ZipFile(EXAMPLE) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr(
            "xl/worksheets/Sheet1.xml", source.read(SHEET).replace(b"<v>57<", b"<v>99<")
        )
    path = tmp_path / "twins.xlsx"
    path.write_bytes(out.getvalue())
    assert _fast(path) is IssueCode.UNREADABLE_FILE == _native(path)


# --- what is unpacked, and checked ----------------------------------------------------------------


def _with_part(path: Path, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, data if info.filename == name else source.read(info))
    return out.getvalue()


def test_entities_in_a_part_the_reader_reads_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "styles.xlsx"
    styles = zipfile.ZipFile(EXAMPLE).read("xl/styles.xml")
    bomb = b'<!DOCTYPE styleSheet [<!ENTITY a "a">]>' + styles
    path.write_bytes(_with_part(EXAMPLE, "xl/styles.xml", bomb))
    with pytest.raises(WorkbookError) as caught:
        reader.read_workbook(path, str(path), native=False)
    assert caught.value.code is IssueCode.UNSAFE_XML
    assert "xl/styles.xml" in str(caught.value)


def test_a_part_the_reader_does_not_need_is_never_unpacked(tmp_path: Path) -> None:
    """The theme is no concern of a score sheet's: an entity declared there (or a damaged
    theme) is never unpacked, so never parsed by anything."""
    path = tmp_path / "theme.xlsx"
    hostile = b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "a">]><t>&a;</t>'
    path.write_bytes(_with_part(EXAMPLE, "xl/theme/theme1.xml", hostile))
    assert reader.read_workbook(path, "x", native=False) == reader.read_workbook(EXAMPLE, "x")


# --- in process, and in workers -------------------------------------------------------------


def test_a_small_batch_of_xlsx_starts_no_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a worker process was started")

    monkeypatch.setattr(workers, "ProcessPoolExecutor", no_pool)
    paths = sorted(EXAMPLES.glob("sheets/*.xlsx"))[: workers.IN_PROCESS_FILES]
    assert len(paths) == workers.IN_PROCESS_FILES
    read = workers.read_sheets(paths)
    assert all(isinstance(s, reader.SheetData) for s in read)


def test_a_file_that_needs_native_code_still_goes_to_a_worker() -> None:
    """An .xls among .xlsx files: the .xlsx are read here, the .xls in a worker (whose crash
    would cost that file alone); the results are in the order given."""
    xls, aborts = DATA / "valid" / "28249-phuong-5.xls", DATA / "bad" / "20-xls-reader-aborts.xls"
    paths = [EXAMPLE, xls, aborts]
    first, second, third = workers.read_sheets(paths)
    assert isinstance(first, reader.SheetData) and isinstance(second, reader.SheetData)
    assert second.meta["unit_code"] == first.meta["unit_code"]
    assert not isinstance(third, reader.SheetData)
    assert "crashed the reader" in str(third)


def _item_by_item(xml: bytes) -> Any:
    """The shared strings as `sst` reads them when the fast path is not taken."""
    saved = xlsx_parts._plain_items
    xlsx_parts._plain_items = lambda *_: None  # type: ignore[assignment]
    try:
        return xlsx_parts.sst(xml)
    except xlsx_parts.Declined:
        return "declined"
    finally:
        xlsx_parts._plain_items = saved


_STRINGS_CHANGES = {
    "as saved": lambda x: x,
    "a reference": lambda x: x.replace(b"</t></si>", b"&#7897;&amp;</t></si>", 2),
    "a space by reference at an edge, not preserved": lambda x: re.sub(
        rb"<si><t>([^<]*)</t>", rb"<si><t>\1&#32;</t>", x, count=1
    ),
    "a plain edge space, not preserved": lambda x: re.sub(
        rb"<si><t>([^<]*)</t>", rb"<si><t>\1 </t>", x, count=1
    ),
    "an escape": lambda x: x.replace(b"</t></si>", b"_x0041_</t></si>", 1),
    "an escape behind a reference": lambda x: x.replace(b"</t></si>", b"&#95;x0041_</t></si>", 1),
    "an unknown entity": lambda x: x.replace(b"</t></si>", b"&bogus;</t></si>", 1),
    "a forbidden character": lambda x: x.replace(b"</t></si>", b"&#1;</t></si>", 1),
    "bad UTF-8": lambda x: x.replace(b"</t></si>", b"\xff</t></si>", 1),
    "a CR": lambda x: x.replace("lề".encode(), "l\rề".encode()),
    "text between items": lambda x: x.replace(b"</si><si>", b"</si>x<si>", 1),
    "a line break between items": lambda x: x.replace(b"</si><si>", b"</si>\n<si>", 1),
    "a rich text item": lambda x: x.replace(b"<si><t>", b"<si><r><t>a</t></r><t>", 1),
    "an empty item": lambda x: x.replace(b"</si><si>", b"</si><si><t/></si><si>", 1),
    "a comment": lambda x: x.replace(b"</si><si>", b"</si><!-- <si><t>c</t></si> --><si>", 1),
    "something after the table": lambda x: x.replace(b"</sst>", b"</sst><si><t>z</t></si>"),
    "a > in the root's attribute": lambda x: x.replace(b"<sst ", b'<sst a=">" ', 1),
}


@pytest.mark.parametrize("change", list(_STRINGS_CHANGES))
def test_shared_strings_read_at_once_are_those_read_item_by_item(change: str) -> None:
    """The plain shared strings are read in one go (`_plain_items`): whatever the form, the
    result is the one of reading them an item at a time, or the fast path is not taken."""
    book = _plain_strings()
    xml = _STRINGS_CHANGES[change](book)
    assert xml != book or change == "as saved"
    try:
        fast: Any = xlsx_parts.sst(xml)
    except xlsx_parts.Declined:
        fast = "declined"
    assert fast == _item_by_item(xml)
    if change == "as saved":
        start = xlsx_parts._SST_TAG.match(xml, xml.index(b"<sst")).end()  # type: ignore[union-attr]
        assert xlsx_parts._plain_items(xml, start) == fast  # taken, and the same


_PRESERVE = ' xml:space="preserve"'


def _plain_strings() -> bytes:
    """A shared strings part in the plain form Excel writes: some items preserved."""
    items = [("Mã đơn vị", False), (" lề trái", True), ("Tổng cộng", False), ("a &amp; b", False)]
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" '
        b'uniqueCount="4">'
        + b"".join(
            f"<si><t{_PRESERVE if keep else ''}>{text}</t></si>".encode() for text, keep in items
        )
        + b"</sst>"
    )


_PIECES = st.one_of(
    st.text(alphabet=st.characters(blacklist_characters="<&\r"), max_size=6),
    st.sampled_from(["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&bogus;", "& ", "&#", "]]>"]),
    st.integers(min_value=0, max_value=0x11_0000).map(lambda n: f"&#{n};"),
    st.integers(min_value=0, max_value=0x11_0000).map(lambda n: f"&#x{n:X};"),
)


@given(st.lists(st.lists(_PIECES, max_size=5).map("".join), min_size=1, max_size=4))
@settings(max_examples=300, deadline=None)
def test_references_are_decoded_as_one_xml_parse_decodes_them(
    texts: list[str],
) -> None:
    """`unescape`, which remembers the texts it decoded (examples repeat texts), gives what one
    parse of the texts gives, and declines what it refuses."""
    from xml.etree import ElementTree

    raws = [t.encode("utf-8", "surrogatepass") for t in texts]
    try:
        root = ElementTree.fromstring(b"<x><t>" + b"</t><t>".join(raws) + b"</t></x>")
        expected: Any = [t.text or "" for t in root]
    except ElementTree.ParseError:
        expected = "declined"
    if expected != "declined" and any(re.search(r"_x[0-9A-Fa-f]{4}_", e) for e in expected):
        expected = "declined"  # an escape written with references: as the reader declines it
    try:
        found: Any = xlsx_parts.unescape([xlsx_parts._Escaped(r, True) for r in raws])
    except xlsx_parts.Declined:
        found = "declined"
    event("declined" if found == "declined" else "decoded")
    assert found == expected


def test_a_text_decoded_once_is_read_alike_the_next_time() -> None:
    """`unescape` remembers what it decoded: the next sheet's same text gives the same answer,
    edge spaces still declined where not preserved, and a text it declined declined again."""
    Escaped = xlsx_parts._Escaped
    spaced = "&#32;Tổng cộng".encode()
    assert xlsx_parts.unescape([Escaped(spaced, True)]) == [" Tổng cộng"]
    assert xlsx_parts.unescape([Escaped(spaced, True)]) == [" Tổng cộng"]
    with pytest.raises(xlsx_parts.Declined):
        xlsx_parts.unescape([Escaped(spaced, False)])
    for _ in range(2):
        with pytest.raises(xlsx_parts.Declined):
            xlsx_parts.unescape([Escaped(b"&#95;x0041_", True)])
    mixed = [Escaped(b"c&#7897;ng", True), Escaped(b"a &amp; b", False)]
    assert xlsx_parts.unescape(mixed) == ["cộng", "a & b"]
    assert xlsx_parts.unescape(list(reversed(mixed))) == ["a & b", "cộng"]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (b'<row><c r="A0"><v>1</v></c></row>', "declined"),
        (b'<row><c r="A00"><v>1</v></c></row>', "declined"),
        (b'<row><c r="A1"><v>1</v></c><c r="B0"><v>2</v></c></row>', "declined"),
        (b'<row><c r="B1"><v>1</v></c><c r="A01"><v>2</v></c></row>', "declined"),
        (b'<row><c r="A1"><v>1</v></c><c r="A01"><v>2</v></c></row>', "declined"),
        (b'<row><c r="A1"><v>1</v></c><c r="B01"><v>2</v></c></row>', [[1.0, 2.0]]),
        (
            b'<row r="2"><c r="A2"><v>1</v></c></row><row r="1"><c r="A1"><v>2</v></c></row>',
            "declined",
        ),
        (
            b'<row><c r="A1"><v>1</v></c></row><row><c r="C3"><v>3</v></c></row>',
            [[1.0], [], ["", "", 3.0]],
        ),
    ],
)
def test_cells_are_placed_by_their_reference_or_declined_out_of_order(
    cells: bytes, expected: Any
) -> None:
    """A cell's row and column come from its reference (a row number read once for the cells
    that follow it, "01" as 1); a cell before the one it follows, or in row 0, is declined."""
    xml = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + cells + b"</sheetData></worksheet>"
    )
    try:
        found: Any = xlsx_cells.scan(xml, "p", list, list, _no_failure, 999).rows
    except xlsx_parts.Declined:
        found = "declined"
    assert found == expected


def _no_failure(*_: Any) -> WorkbookError:
    raise AssertionError("no cell here is beyond the limits")


_TOKEN_PIECES = st.sampled_from(
    [  # cells and rows in the form read, and what is not (each a place a pass could go wrong)
        '<c r="{c}"><v>{n}</v></c>',
        '<c r="{c}" s="2"/>',
        '<c r="{c}" t="s"/>',
        '<c r="{c}" s="1" t="n" />',
        '<c r="{c}" t="inlineStr"><is><t>x{n}</t></is></c>',
        '<c r="{c}"><f>1+1</f><v>{n}</v></c>',
        '<c r="{c}"></c>',
        '<row r="{n}">',
        "<row>",
        '<row r="{n}" spans="1:3"/>',
        "</row>",
        "<!--{n}-->",
        "<![CDATA[{n}]]>",
        '<x:c r="{c}"><x:v>{n}</x:v></x:c>',
        "\r",
        " ",
        '<c r="{c}"><v>{n}</v></c >',
        '<c r="{c}" t="s"><v>0</v></c>',
        "<?pi {n}?>",
    ]
)


@given(st.lists(_TOKEN_PIECES, max_size=12))
def test_one_pass_declines_what_is_not_in_the_form_and_reads_the_rest(pieces: list[str]) -> None:
    """The scan checks the form as it reads (`_TOKENS`): a sheetData not wholly in the form
    (`_SHEET_DATA_FORM`) is declined wherever the odd piece is; one in the form is read cell for
    cell as a separate check and read would (here each cell a column further, so in order)."""
    region = "".join(p.format(c=f"{_letters(i + 1)}1", n=i) for i, p in enumerate(pieces))
    xml = f'<worksheet xmlns="{_MAIN}"><sheetData>{region}</sheetData></worksheet>'.encode()
    in_form = xlsx_cells._SHEET_DATA_FORM.fullmatch(region.encode()) is not None
    event(f"in the form: {in_form}")
    try:
        found: Any = xlsx_cells.scan(xml, "p", lambda: ["s"], list, _no_failure, 999).rows
    except xlsx_parts.Declined:
        found = "declined"
    if not in_form:
        assert found == "declined"
        return
    valued = re.compile(xlsx_cells._CELL_START + xlsx_cells._CELL_CONTENT)
    held = [m for m in valued.finditer(region.encode()) if m[7] or m[8]]  # a value, inline text
    assert found == ([_row(held)] if held else [])


def _row(cells: list[re.Match[bytes]]) -> list[Any]:
    """The row of `cells` (all in row 1) as the reader places them: each at its column."""
    row: list[Any] = []
    for m in cells:
        column = xlsx_cells._COLUMNS[m[1]]
        row.extend([""] * (column - 1 - len(row)))
        row.append("s" if m[4] == b"s" else m[10].decode() if m[8] else float(m[7]))
    return row


def _letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def test_a_part_out_of_the_form_is_declined_even_beyond_the_limits() -> None:
    """A cell beyond the limits is refused (`too-large`) only in a part in the form read here;
    in any other the part is declined, and python-calamine's reading (after every check) says
    what is wrong, as it did when the form was checked first."""
    far = b'<row r="9000"><c r="A9000"><v>1</v></c></row>'
    for odd in (b"<!--x-->", b"\r"):
        xml = b'<worksheet xmlns="%s"><sheetData>%s%s</sheetData></worksheet>' % (
            _MAIN.encode(),
            far,
            odd,
        )
        with pytest.raises(xlsx_parts.Declined):
            xlsx_cells.scan(xml, "p", list, list, _fail, 999)
    xml = b'<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>' % (_MAIN.encode(), far)
    with pytest.raises(WorkbookError) as raised:
        xlsx_cells.scan(xml, "p", list, list, _fail, 999)
    assert raised.value.code == IssueCode.TOO_LARGE


def _fail(message: Any, code: IssueCode = IssueCode.UNREADABLE_FILE) -> WorkbookError:
    return WorkbookError(CellRef("f.xlsx"), message, code=code)


def test_an_empty_table_of_shared_strings_is_read_as_one() -> None:
    """`<sst …/>` holds no string; anything after it is not read as one."""
    empty = b'<?xml version="1.0"?>\n<sst xmlns="%s" count="0" uniqueCount="0"/>' % _MAIN.encode()
    assert xlsx_parts.sst(empty) == []
    with pytest.raises(xlsx_parts.Declined):
        xlsx_parts.sst(empty + b"<si><t>x</t></si>")


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
