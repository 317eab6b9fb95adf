"""A row read before is not read again (sheets/xlsx_cells.py, `_ROWS`): what `scan` returns,
and what it raises, are those of a first reading, wherever the row is placed and whatever the
part's shared strings and styles."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from ictscore.errors import WorkbookError
from ictscore.issues import CellRef, IssueCode
from ictscore.sheets import xlsx_cells, xlsx_parts

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _part(rows: list[str]) -> bytes:
    return f'<worksheet xmlns="{_MAIN}"><sheetData>{"".join(rows)}</sheetData></worksheet>'.encode()


def _fail(message: Any, code: IssueCode = IssueCode.UNREADABLE_FILE) -> WorkbookError:
    return WorkbookError(CellRef("f.xlsx"), message, code=code)


def _table(found: list[Any] | None, what: str, asked: list[str]) -> Callable[[], list[Any]]:
    """A part's table as `scan` asks for it (None: reading it fails), each call logged."""

    def read() -> list[Any]:
        asked.append(what)
        if found is None:
            raise _fail(f"the {what} cannot be read")
        return found

    return read


def _read(
    xml: bytes, strings: list[str | None] | None, dates: list[bool] | None, max_rows: int
) -> tuple[Any, ...]:
    """What `scan` gives: the rows and formulas, or what it raised, and which tables it read."""
    asked: list[str] = []
    try:
        grid = xlsx_cells.scan(
            xml,
            "xl/worksheets/sheet1.xml",
            _table(strings, "strings", asked),
            _table(dates, "styles", asked),
            _fail,
            max_rows,
        )
        found: tuple[Any, ...] = ("read", grid.rows, grid.formulas)
    except xlsx_parts.Declined:
        found = ("declined",)
    except WorkbookError as exc:
        found = ("refused", exc.code, str(exc))
    return (*found, asked)


@contextmanager
def _memory(size: int = xlsx_cells._ROWS_SIZE) -> Iterator[dict[bytes, Any]]:
    """`scan` with rows remembered afresh, at most `size` (0: none remembered, every row
    read)."""
    rows: dict[bytes, Any] = {}
    with (
        mock.patch.object(xlsx_cells, "_ROWS", rows),
        mock.patch.object(xlsx_cells, "_SIGHTED", set()),
        mock.patch.object(xlsx_cells, "_ROWS_SIZE", size),
        mock.patch.object(xlsx_cells, "_ROW_BYTES", xlsx_cells._ROW_BYTES if size else -1),
    ):
        yield rows


_ROW = st.sampled_from(
    [  # rows as programs write them, and rows that are refused or declined wherever they are
        '<row r="{r}"><c r="A{r}" t="s"><v>1</v></c><c r="B{r}" s="1"><v>5</v></c></row>',
        '<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>a &amp; b</t></is></c>'
        '<c r="C{r}"><f>SUM(B1:B2)</f><v></v></c></row>',
        '<row r="{r}"><c r="A{r}" s="2"><v>1.5</v></c><c r="B{r}" t="s"><v>3</v></c></row>',
        '<row r="{r}" spans="1:8"><c r="A{r}" s="1"/><c r="B{r}" s="1"/></row>',
        '<row r="{r}"><c r="B{r}"><v>1</v></c><c r="C{r}"><v>2</v></c></row>',
        '<row r="{r}"><c r="C{r}"><v>1</v></c><c r="A{r}"><v>2</v></c></row>',
        '<row r="{r}"><c r="A{r}" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>',
        '<row r="{r}"><c r="A0{r}"><v>7</v></c><c r="B{r}"><v>8</v></c></row>',
        '<row r="{r}"><c r="A{r}" t="b"><v>1</v></c>'
        '<c r="D{r}" t="str"><f>A1</f><v>x</v></c></row>',
        '<row r="{r}"><c r="E{r}"><v>3</v></c></row>',
        '<row r="{r}"><c r="A{r}"></c><c r="B{r}" s="2"></c></row>',
        '<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>cộng {r}</t></is></c></row>',
        '<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>',
        '<row r="{r}"/>',
    ]
)


_STRINGS = st.sampled_from([["a", "b", "c", "d"]] * 4 + [["a"], [None, None], None])
_DATES = st.sampled_from([[False, False, False]] * 4 + [[False, False, True], [], None])
_MAX_ROWS = st.sampled_from([999, 999, 2])


@settings(max_examples=400)
@given(st.data())
def test_a_row_read_before_reads_as_the_first_time(data: st.DataObject) -> None:
    """Parts made of a few rows, the same bytes in one part and another (as the sheets made
    from one template): in and out of order, a row continued, beyond the limits, with shared
    strings and styles that exist or not, with tables that cannot be read. Read in turn three
    times (a row is remembered the second time it is read, and taken from memory after; in a
    memory of two rows too, forgotten again and again), each part gives, each time, what it
    gives when no row is remembered: the same rows and formulas, or the same refusal, with the
    tables read in the same order."""
    rows = data.draw(st.lists(st.tuples(_ROW, st.integers(1, 3)), min_size=1, max_size=5))
    made = st.lists(st.sampled_from([row.format(r=r) for row, r in rows]), max_size=6)
    part = st.tuples(made.map(_part), _STRINGS, _DATES, _MAX_ROWS)
    parts = data.draw(st.lists(part, min_size=2, max_size=4))
    with _memory(size=0) as none:
        first = [_read(*part) for part in parts]
    assert not none
    with _memory(size=data.draw(st.sampled_from([xlsx_cells._ROWS_SIZE, 2]))) as remembered:
        for _ in range(3):
            assert [_read(*part) for part in parts] == first
    if any(
        found[0] == "read" and b"<c " in part[0] for found, part in zip(first, parts, strict=True)
    ):
        assert remembered  # rows were taken from memory


def test_a_row_is_remembered_the_second_time_its_bytes_are_read() -> None:
    """A row is remembered when its bytes come again (rows that differ from sheet to sheet are
    never kept), and then read from memory: its shared strings looked up in each part's own
    table, its place checked against the rows before it."""
    label = '<row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3"><v>10</v></c></row>'
    xml = _part([label])
    with _memory() as remembered:
        assert _read(xml, ["x", "y"], [], 999)[:2] == ("read", [[], [], ["y", 10.0]])
        assert not remembered
        assert _read(xml, ["x", "y"], [], 999)[:2] == ("read", [[], [], ["y", 10.0]])
        assert remembered == {  # the row, and the part's end (no cell: nothing to do there)
            label.removesuffix("</row>").encode(): mock.ANY,
            b"": None,
        }
        assert _read(xml, ["p", "q"], [], 999)[:2] == ("read", [[], [], ["q", 10.0]])
        assert _read(xml, ["p"], [], 999)[:1] == ("declined",)  # no string 1 in this table
        after = _part(['<row r="5"><c r="A5"><v>1</v></c></row>', label])
        assert _read(after, ["x", "y"], [], 999)[:1] == ("declined",)  # row 3 after row 5
        refused = _read(xml, ["x", "y"], [], 2)
        assert refused[:2] == ("refused", IssueCode.TOO_LARGE)
        text = _part(['<row r="1"><c r="A1" t="inlineStr"><is><t>a &amp; b</t></is></c></row>'])
        for _ in range(3):  # decoded with the part's other texts, remembered or not
            assert _read(text, [], [], 999)[1] == [["a & b"]]


def test_a_row_continued_is_not_remembered_and_a_row_remembered_sets_the_order() -> None:
    """A row's cells continued under a second row tag are read where they are (never
    remembered: what they add to depends on the row before); and the cells after a row taken
    from memory are checked against its last cell, as after a row read."""
    begun = '<row r="2"><c r="A2"><v>1</v></c></row>'
    continued = '<row r="2"><c r="E2"><v>5</v></c></row>'
    middle = '<row r="5"><c r="A5"><v>1</v></c><c r="C5"><v>3</v></c></row>'
    with _memory():
        for _ in range(2):
            assert _read(_part([begun, continued]), [], [], 999)[1] == [[], [1.0, "", "", "", 5.0]]
        assert _read(_part([continued]), [], [], 999)[1] == [[], ["", "", "", "", 5.0]]
        assert _read(_part([begun]), [], [], 999)[1] == [[], [1.0]]  # as remembered, alone
        for _ in range(2):
            _read(_part([middle]), [], [], 999)  # remembered
        back = _part(
            ['<row r="3"><c r="A3"><v>1</v></c></row>', middle, continued.replace("2", "3")]
        )
        assert _read(back, [], [], 999)[:1] == ("declined",)  # row 3 after row 5


def test_rows_remembered_are_few_small_and_narrow() -> None:
    """What is remembered is bounded: at most `_ROWS_SIZE` rows (forgotten all at once when
    full), each at most `_ROW_BYTES` long with cells within the first `_ROW_COLUMNS` columns
    (a wide row would be a long list)."""
    rows = [f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 6)]
    wide = '<row r="6"><c r="BM6"><v>1</v></c></row>'
    long = '<row r="7"><c r="A7" t="inlineStr"><is><t>' + "x" * 5000 + "</t></is></c></row>"
    xml = _part([*rows, wide, long])
    with _memory(size=3) as remembered:
        for _ in range(3):
            _read(xml, [], [], 999)
            assert len(remembered) <= 3  # when full, forgotten before the next is kept
    with _memory() as remembered:
        for _ in range(3):
            _read(xml, [], [], 999)
        assert len(remembered) == 6  # rows 1 to 5, and the part's end
        assert all(b"BM6" not in row and b"A7" not in row for row in remembered)


_WITH_ROW_END = st.sampled_from(
    [  # "</row>" wherever a token could hold it, if a token could: texts, formulas, attributes
        '<c r="A{r}" t="inlineStr"><is><t>a</row>b</t></is></c>',
        '<c r="A{r}"><f>"</row>"</f><v>1</v></c>',
        '<c r="A{r}" t="str"><f>A1</f><v></row></v></c>',
        '<row r="{r}" x="</row>">',
        '<row r="{r}">',
        "</row>",
        '<c r="B{r}"><v>2</v></c>',
        "<!--</row>-->",
        "<![CDATA[</row>]]>",
        '<c r="C{r}" s="1"/>',
    ]
)


@given(st.lists(st.tuples(_WITH_ROW_END, st.integers(1, 3)), max_size=10))
def test_no_token_but_a_rows_end_holds_a_rows_end(pieces: list[tuple[str, int]]) -> None:
    """What `scan` splitting at `</row>` rests on: in any content, each token `_TOKENS` finds
    that holds `</row>` is that row's end and nothing more (a text or an attribute holding
    `</row>` is no token of the form read: a `<` begins a token of its own, declined)."""
    region = "".join(piece.format(r=r) for piece, r in pieces).encode()
    for token in xlsx_cells._TOKENS.finditer(region):
        assert b"</row>" not in token[0] or token[0] == b"</row>", token[0]


def test_a_part_given_as_a_bytearray_reads_as_bytes() -> None:
    """A part in a bytearray (not hashable) is read as the same bytes, remembered rows and all."""
    xml = _part(['<row r="1"><c r="A1"><v>1</v></c></row>'])
    with _memory():
        bytes_read = _read(xml, [], [], 999)
        assert [_read(bytearray(xml), [], [], 999) for _ in range(3)] == [bytes_read] * 3
