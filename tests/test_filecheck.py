"""The file check on hostile sheet XML: scans that stay linear whatever the bytes, and the extent
check that sees cells however their tags and attributes are spelled."""

from __future__ import annotations

import pytest

from ictscore.errors import WorkbookError
from ictscore.issues import CellRef
from ictscore.sheets.filecheck import extent, inspect_file, root_at
from tests.data.make_bad import extra_parts, far_cell, rezip_sheet, template


def test_the_prolog_scan_is_linear_on_unclosed_instructions():
    # NOTE: the former pattern (`<!--.*?-->|<[?].*?[?]>`) took 12 s on 64 KiB of `<?` and
    # would not finish on 1 MB in the life of this test; no time is asserted here.
    assert root_at(b"<?" * 500_000) is None
    assert root_at(b"<!--" * 250_000) is None
    assert root_at(b"<?" * 1000 + b"?><!-- <a -->\n<root/>") == len(
        b"<?" * 1000 + b"?><!-- <a -->\n"
    )
    assert root_at(b'<?xml version="1.0"?><!DOCTYPE x><x/>') == len(
        b'<?xml version="1.0"?><!DOCTYPE x>'
    )


@pytest.mark.parametrize("size", [20_000, 70_000])
def test_a_valid_sheet_with_parts_full_of_instruction_starts_is_read(size: int):
    """Thirty extra parts of `<?` each (20 KB: 26 s to check before; 70 KB, past the 64 KiB a
    prolog was allowed: refused as declaring entities): a workbook all the same."""
    parts = {f"xl/extra{i}.xml": b"<?" * (size // 2) for i in range(30)}
    data = extra_parts(template(), parts)
    assert inspect_file(data, CellRef("t.xlsx")).kind == "xlsx"


@pytest.mark.parametrize(
    ("cell", "rows", "columns"),
    [
        (b'<c r="XFD1000000"/>', 1_000_000, 16384),
        (b'<x:c r="XFD1000000"/>', 1_000_000, 16384),
        (b"<c r='XFD1000000'/>", 1_000_000, 16384),
        (b'<c t="s" r = "XFD1000000" />', 1_000_000, 16384),
        (b'<c\nr\n=\n"H6000"/>', 6000, 8),
        (b'<c r="A99999999999"/>', 10**9, 1),
        (b'<x:row r="1000000"><x:c t="s"><x:v>0</x:v></x:c></x:row>', 1_000_000, 1),
        (b"<row><c/><c/><c/></row>" * 3, 3, 3),
        (b'<row r="7"><c r="B7"/><c/></row><row><c/></row>', 8, 3),
        (b"<c <c <c " * 20_000, 0, 1),
    ],
    ids=[
        "plain",
        "prefixed",
        "single-quotes",
        "spaces-around-equals",
        "line-breaks",
        "too-many-digits",
        "row-without-cell-refs",
        "no-refs-at-all",
        "refs-then-none",
        "unclosed-tags",
    ],
)
def test_the_extent_is_found_however_cells_are_spelled(cell: bytes, rows: int, columns: int):
    found = extent(b'<worksheet xmlns:x="m"><sheetData>' + cell + b"</sheetData></worksheet>")
    assert found == (rows, columns)


@pytest.mark.parametrize(
    "cell",
    [b'<x:c r="XFD1000000">', b"<c r='XFD1000000'>", b'<c r = "XFD1000000">'],
    ids=["prefixed", "single-quotes", "spaces-around-equals"],
)
def test_a_far_cell_is_refused_before_the_reader_sees_it(cell: bytes):
    with pytest.raises(WorkbookError) as caught:
        inspect_file(rezip_sheet(template(), far_cell(cell)), CellRef("t.xlsx"))
    assert caught.value.code == "too-large"
    assert "up to row 1000000, column 16384" in caught.value.message


@pytest.mark.parametrize("x", [b"", b"x:"], ids=["plain", "prefixed"])
def test_the_formula_scan_reads_prefixed_tags_and_any_attribute_spelling(x: bytes):
    """The scan behind formula-without-value and formula-error sees `<x:f>` in `<x:c r = '…'>`
    as it sees `<f>` in `<c r="…">`."""
    from ictscore.sheets.filecheck import Inspected
    from ictscore.sheets.reader import _formula_problems

    book = (
        b'<workbook><sheets><sheet name="B&#7843;ng &#273;i&#7875;m" r:id="rId1"/>'
        b"</sheets></workbook>"
    )
    rels = (
        b'<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'
    )
    sheet = (
        b"<%(x)sworksheet><%(x)ssheetData><%(x)srow r='2'>"
        b"<%(x)sc r = 'A2'><%(x)sf>SUM(B2:C2)</%(x)sf></%(x)sc>"
        b"<%(x)sc t='e' r='B2'><%(x)sf>1/0</%(x)sf><%(x)sv>#DIV/0!</%(x)sv></%(x)sc>"
        b'<%(x)sc r="C2"><%(x)sf>1+1</%(x)sf><%(x)sv>2</%(x)sv></%(x)sc>'
        b"</%(x)srow></%(x)ssheetData></%(x)sworksheet>"
    ) % {b"x": x}
    parts = {
        "xl/workbook.xml": book,
        "xl/_rels/workbook.xml.rels": rels,
        "xl/worksheets/sheet1.xml": sheet,
    }
    assert _formula_problems(Inspected(b"", "xlsx", parts)) == {"A2": "", "B2": "#DIV/0!"}
