"""The parts of an .xlsx, read from their unpacked bytes: text, shared strings, tags, cells.

sheets/xlsx.py unpacks the parts (each once) and hands them here. Each reader takes the form
that Excel, LibreOffice and openpyxl write, and declines (`Declined`) any other, so that a file
in an unusual form is read by python-calamine instead of being guessed at: see xlsx.py.
`scan` reads a worksheet's cells as python-calamine's to_python(skip_empty_area=False) gives
them, checking their extent (`too-large`) and finding the formulas without a usable result.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from xml.etree import ElementTree

from ictscore.errors import WorkbookError
from ictscore.issues import IssueCode
from ictscore.sheets import filecheck


class Declined(Exception):
    """The file is in a form this reader does not read exactly: python-calamine reads it."""


@dataclass(frozen=True, slots=True)
class Grid:
    """A worksheet's cell values, as python-calamine's to_python(skip_empty_area=False) gives
    them (rows from row 1, "" for an empty cell; a row may end early: what is missing is
    empty), and its formulas without a usable saved result (cell → "" when none was saved, or
    the error text)."""

    rows: list[list[Any]]
    formulas: dict[str, str]


_MAIN_NS: Final = (
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
    b'xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"',
)


def plain_root(xml: bytes, root: bytes, body: bool = True) -> int:
    """Where the part's root element starts; declined if it is not the unprefixed element
    `root`, or (`body`) if anything but elements, attributes and text follows the prolog. (The
    large parts, a worksheet's cells and the shared strings, are checked item by item instead.)"""
    at = filecheck.root_at(xml)
    if at is None or not xml.startswith(b"<" + root, at):
        raise Declined(f"root is not <{root.decode()}>")
    if body and (xml.find(b"<!", at) >= 0 or xml.find(b"<?", at) >= 0 or b"\r" in xml):
        raise Declined("comment, CDATA, instruction or CR in the body")
    return at


# --- text -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Escaped:
    """A text with entities or character references, decoded with the others of its part
    (`unescape`): one parse for the part, not one per text."""

    raw: bytes
    preserve: bool


def xml_text(raw: bytes, preserve: bool = True) -> str | _Escaped:
    """XML text as a reader gives it, UTF-8 decoded; `_Escaped` when it holds an entity or a
    character reference (`unescape` decodes it). Declined for what readers differ on (an
    `_xHHHH_` escape, a carriage return, bad UTF-8) and, unless `preserve`, for edge spaces."""
    if b"_x" in raw and _ESCAPE.search(raw):
        raise Declined("an _xHHHH_ escape")
    if b"\r" in raw:
        raise Declined("a carriage return (readers differ on it)")
    if b"&" in raw:
        return _Escaped(raw, preserve)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Declined("not UTF-8") from exc
    return text if preserve else _untrimmed(text)


def _untrimmed(text: str) -> str:
    """Without xml:space="preserve", readers trim a run's edges (and not all alike): a run
    that has spaces to trim is declined."""
    if _trimmable(text):
        raise Declined("a text run whose edge spaces a reader trims")
    return text


def _trimmable(text: str) -> bool:
    return bool(text) and (text[0] in " \t\n\r" or text[-1] in " \t\n\r")  # edge spaces


def unescape(texts: list[_Escaped]) -> list[str]:
    """The texts decoded, entities and character references replaced. Declined for an unknown
    entity, a reference to a character XML forbids, or an `_xHHHH_` escape written with
    references.

    A sheet that openpyxl writes (ictscore's template, or a sheet filled by a script) has a
    reference for each Vietnamese letter, thousands a sheet, and the same titles sheet after
    sheet: a text decoded once is remembered (`_DECODED`), and the others are decoded in one
    XML parse (expat, through ElementTree: the texts hold no `<`, so no markup)."""
    known = [_DECODED.get(t.raw) for t in texts]
    new = [t.raw for t, d in zip(texts, known, strict=True) if d is None]
    fresh = dict(zip(new, _parse_texts(new), strict=True)) if new else {}
    if fresh:
        if len(_DECODED) + len(fresh) > _DECODED_SIZE:
            _DECODED.clear()
        _DECODED.update(fresh)
    out = []
    for t, d in zip(texts, known, strict=True):
        text = fresh[t.raw] if d is None else d
        out.append(text if t.preserve else _untrimmed(text))
    return out


_DECODED: dict[bytes, str] = {}
"""Texts with references → their decoding (only texts that decode: a Declined is not kept)."""
_DECODED_SIZE: Final = 8192


def _parse_texts(raws: list[bytes]) -> list[str]:
    wrapped = b"<x><t>" + b"</t><t>".join(raws) + b"</t></x>"
    try:
        root = ElementTree.fromstring(wrapped)
    except ElementTree.ParseError as exc:
        raise Declined("an unknown entity or character") from exc
    decoded = [t.text or "" for t in root]
    if len(decoded) != len(raws):
        raise Declined("text in another form")
    if any("_x" in d and _ESCAPE_TEXT.search(d) for d in decoded):
        raise Declined("an _xHHHH_ escape, written with character references")
    return decoded


def plain_text(raw: bytes) -> str:
    """`xml_text`, decoded at once (for the few texts outside the cells)."""
    text = xml_text(raw)
    return unescape([text])[0] if isinstance(text, _Escaped) else text


_ESCAPE: Final = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_ESCAPE_TEXT: Final = re.compile(r"_x[0-9A-Fa-f]{4}_")


# --- shared strings -------------------------------------------------------------------------------


def sst(xml: bytes) -> list[str | None]:
    """The shared strings; None for one in a form not read here (rich text, phonetic runs,
    an escape): a cell that uses it is declined.

    Every `<si` of the part is an item's start (no comment, CDATA or instruction can hold one
    here), so the items found in order are the table's, indexes included."""
    tag = _SST_TAG.match(xml, plain_root(xml, b"sst", body=False))
    if tag is None:  # an attribute's value holds < or >: where the items begin is not plain
        raise Declined("shared strings in another form")
    start = tag.end()
    if tag[1]:  # <sst …/>: no items
        if xml[start:].strip():
            raise Declined("shared strings in another form")
        return []
    plain = _plain_items(xml, start)
    if plain is not None:
        return plain
    if (
        xml.find(b"<!", start) >= 0
        or xml.find(b"<?", start) >= 0
        or xml.find(b"xmlns", start) >= 0
        or _PREFIXED.search(xml, start) is not None
    ):  # then a `<si` might not be an item, or an item not a `<si`
        raise Declined("shared strings in another form")
    _items_in_order(xml, start)
    out: list[str | None] = []
    escaped: list[tuple[int, _Escaped]] = []
    for preserve, raw, other in _SI.findall(xml, start):
        text: str | _Escaped | None = None
        if not other:
            try:
                text = xml_text(raw, bool(preserve))
            except Declined:
                text = None
        if isinstance(text, _Escaped):
            escaped.append((len(out), text))
            text = None
        out.append(text)
    if escaped:
        try:
            for (i, _), text in zip(escaped, unescape([e for _, e in escaped]), strict=True):
                out[i] = text
        except Declined:  # one of them: each alone, to know which
            for i, e in escaped:
                out[i] = _alone(e)
    return out


def _plain_items(xml: bytes, start: int) -> list[str | None] | None:
    """The shared strings when every item is one plain run (as Excel and LibreOffice write text
    without formatting), read at once: the items found must cover all that lies between the
    root's tags (so nothing else is there: no comment, CDATA, instruction, prefix or namespace),
    and their texts are decoded together. None when any item is in another form, or any text is
    one that `xml_text` declines: then each item is read alone, to say which."""
    end = xml.rfind(b"</sst>")
    if end < start or xml[end + 6 :].strip():
        return None
    body = xml[start:end]
    items = _PLAIN_ITEM.findall(body)
    if (  # the items found cover the whole body: nothing else is in it
        sum(len(raw) for _, raw in items)
        + _PLAIN_ITEM_SIZE * len(items)
        + _PRESERVE_SIZE * sum(1 for keep, _ in items if keep)
        != len(body)
        or b"\r" in body
        or (b"_x" in body and _ESCAPE.search(body))
    ):
        return None
    try:
        out: list[str | None] = [raw.decode() for _, raw in items]
        if b"&" in body:  # the texts with entities or references, decoded together
            escaped = [i for i, (_, raw) in enumerate(items) if b"&" in raw]
            texts = unescape([_Escaped(items[i][1], bool(items[i][0])) for i in escaped])
            for i, decoded in zip(escaped, texts, strict=True):
                out[i] = decoded
    except (Declined, UnicodeDecodeError):
        return None
    for (keep, _), text in zip(items, out, strict=True):
        if not keep and _trimmable(text or ""):
            return None  # a run whose edge spaces a reader trims: each item alone says which
    return out


_SST_TAG: Final = re.compile(rb'<sst(?:\s+[\w:.-]+="[^"<>]*")*\s*(/)?>')
"""The table's start tag, its attributes written name="value" (no < or > in a value): the
items begin where it ends."""
_PLAIN_ITEM: Final = re.compile(rb'<si><t( xml:space="preserve")?>([^<]*)</t></si>')
"""One plain item: groups 1 preserve, 2 its text. Its length is its text's and these:"""
_PLAIN_ITEM_SIZE: Final = len(b"<si><t></t></si>")
_PRESERVE_SIZE: Final = len(b' xml:space="preserve"')


def _items_in_order(xml: bytes, start: int) -> None:
    """Declined unless the items follow one another (none inside another, none after the table,
    no other element named si…): then the n-th `<si` is the n-th item, as readers count."""
    first, last = xml.find(b"<si", start), xml.rfind(b"</si>")
    if first < 0:
        return
    pieces = xml[first:last].split(b"</si>")
    if (
        xml.count(b"<si") != len(pieces)
        or xml.count(b"<si>") + xml.count(b"<si ") != len(pieces)
        or any(p.count(b"<si") != 1 or not p.startswith(b"<si") for p in pieces)
        or xml[last + 5 :].strip() != b"</sst>"
    ):
        raise Declined("shared strings in another form")


def _alone(text: _Escaped) -> str | None:
    try:
        return unescape([text])[0]
    except Declined:
        return None


_PREFIXED: Final = re.compile(rb"</?[A-Za-z_][\w.-]*:")
_SI: Final = re.compile(
    rb'<si><t( xml:space="preserve")?>([^<\r]*)</t></si>|<si><t\s*/></si>|(<si)[\s>]'
)
"""A shared string written plainly: groups 1 preserve, 2 its text; any other item: group 3."""


_ATTR: Final = re.compile(rb'\s([\w.:-]+)="([^"<>]*)"')
_STRICT_TAG: Final = re.compile(rb'<[\w:]+(?: [\w:.-]+="[^"<>]*")*+ ?/?>?')


def strict_attrs(tag: bytes) -> dict[bytes, bytes]:
    """A start tag's attributes (the tag with or without its `>`), declined unless each is
    written name="value": no `=` or `>` in a value, no bare name, no single quotes, no spaces
    around `=`."""
    attrs = dict(_ATTR.findall(tag))
    if tag.count(b"=") != len(attrs) or _STRICT_TAG.fullmatch(tag) is None:
        raise Declined("attributes in another form")
    return attrs


# --- worksheets -----------------------------------------------------------------------------------

_CELL_START: Final = (
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,6})")?+(?: t="([a-zA-Z]{1,9})")?+'
)
_CELL_CONTENT: Final = (
    rb">(<f(?=[\s/>])(?:[^<>/]|/(?!>))*+(?:/>|>[^<\r]*+</f>))?+"
    rb"(<v>([^<\r]*+)</v>|<v\s*+/>)?+"
    rb'(<is>(?:<t( xml:space="preserve")?+>([^<\r]*+)</t>|<t\s*+/>)</is>)?+'
    rb"</c>"
)
"""Possessive throughout (`*+`, `?+`): nothing is matched in two ways, so no match backtracks
(and each part of a cell can be matched in only one way: the two patterns below agree)."""
_ROW_TAGS: Final = rb'<row(?: r="[1-9][0-9]{0,6}")?+(?: (?!r=)[\w:.-]+="[^"<>]*")*+\s*+/?>|</row>'
_TOKENS: Final = re.compile(
    _CELL_START + rb"(?:(\s*+/>)|" + _CELL_CONTENT + b")|" + _ROW_TAGS + rb"|([\s\S])"
)
"""sheetData's content, token by token: a cell (groups 1 column, 2 row, 3 style, 4 type; 5 set
if it holds nothing, `<c r="A1" s="2"/>`; 6 the formula, 7 the value element, 8 its text, 9 the
inline string element, 10 its preserve attribute, 11 its text), a row's tag (no group set), or
group 12: a character that begins none of them (anything else: a comment, CDATA, an
instruction, a prefixed element, a carriage return), and the part is declined. What findall
takes at each place is what `_SHEET_DATA_FORM` takes there: one pass both checks and reads."""
_SHEET_DATA_FORM: Final = re.compile(
    rb"(?:"
    + re.sub(rb"\((?!\?)", b"(?:", _CELL_START + rb"(?:\s*+/>|" + _CELL_CONTENT + b")")
    + b"|"
    + _ROW_TAGS
    + rb")*+"
)
"""sheetData's content, all of it, in the form above (asked only before refusing a part)."""
_NUMBER: Final = re.compile(rb"-?+(?:[0-9]++(?:\.[0-9]*+)?+|\.[0-9]++)(?:[eE][-+]?+[0-9]++)?+")
"""A number as readers parse it ("12", "-0.5", ".5", "5.", "1E+20"); possessive: linear."""
_SHEET_DATA: Final = re.compile(rb"<sheetData\s*(/)?>")
_COLUMNS: Final = {
    (a + b).encode(): i
    for i, (a, b) in enumerate(
        ((x, y) for x in ["", *map(chr, range(65, 91))] for y in map(chr, range(65, 91))), 1
    )
}
"""A column's letters → its number, A to ZZ (beyond: computed)."""


def scan(  # noqa: C901 - one pass over every cell, its steps inlined for speed
    xml: bytes,
    part: str,
    strings: Callable[[], list[str | None]],
    dates: Callable[[], list[bool]],
    fail: Callable[..., WorkbookError],
    max_rows: int,
) -> Grid:
    """A worksheet part's cells. Its sheetData is read token by token (`_TOKENS`, possessive:
    linear), in one pass that checks that it is all in the form read here, reads the cells that
    hold something (a value or a formula), and checks their order and their extent (refused
    beyond the limits, if in that form). A cell that holds nothing is no reader's concern; text
    that is not UTF-8 raises UnicodeDecodeError, which sends the file to python-calamine as a
    refusal does (reader.read_workbook)."""
    region = _sheet_data(xml)
    try:
        if _FAR.search(region) is not None:  # even a cell that holds nothing: as filecheck measures
            rows, columns = filecheck.extent(xml)
            if rows > max_rows or columns > filecheck.MAX_COLUMNS:
                raise _too_far(fail, part, xml, max_rows)
        grid: list[list[Any]] = []
        formulas: dict[str, str] = {}
        last_row, last_column = -1, 0  # -1: the first cell starts a row, even a row 0
        line: list[Any] = []
        table: list[str | None] | None = None
        shows_dates: list[bool] | None = None
        escaped: list[tuple[int, int, _Escaped]] = []
        plain_styles: set[bytes] = set()
        last_digits, row = b"", 0
        column_of, max_columns = _COLUMNS, filecheck.MAX_COLUMNS
        for (
            letters, digits, style, kind, closed, formula, v, saved, inline, preserve, text, other
        ) in _TOKENS.findall(region):  # fmt: skip
            if not letters:  # a row's tag, or what begins no token
                if other:
                    raise Declined("sheetData in another form")
                continue
            if closed:  # a cell that holds nothing
                continue
            column = column_of.get(letters) or filecheck.column_number(letters)
            if digits != last_digits:  # a row's number is read once (its cells follow one another)
                row = int(digits)
                if row != last_row:
                    if row < last_row:
                        raise Declined("a cell out of order")
                    if row > max_rows:
                        raise _too_far(fail, part, xml, max_rows)
                    if row == 0:
                        raise Declined("a cell in row 0")
                    last_row, last_column = row, 0
                elif column <= last_column:  # the same row written otherwise ("01")
                    raise Declined("a cell out of order")
                last_digits = digits
            elif column <= last_column:
                raise Declined("a cell out of order")
            last_column = column
            if column > max_columns:
                raise _too_far(fail, part, xml, max_rows)
            if inline and (kind != b"inlineStr" or v):
                raise Declined("an inline string outside an inline string cell, or with a value")
            if formula and (kind == b"e" or not saved.strip()):  # as reader._formula_problems
                key = (letters + digits).decode()
                formulas[key] = saved.decode("utf-8", "replace") if saved.strip() else ""
            if kind == b"s":
                if table is None:
                    table = strings()
                value: Any = _shared(saved, table)
            elif not kind or kind == b"n":
                if not saved:
                    if inline:
                        raise Declined("inline text in a number cell")
                    continue  # no value: counted nowhere
                if style not in plain_styles:
                    if shows_dates is None:
                        shows_dates = dates()
                    plain_styles.add(_plain_style(style, shows_dates))
                value = float(saved) if saved.isdigit() and len(saved) < 400 else _number(saved)
            elif kind == b"inlineStr" and inline and not v and b"_x" not in text:
                if b"&" in text:  # the common text cells, as xml_text would read them
                    value = _Escaped(text, bool(preserve))
                    escaped.append((row, column, value))
                else:
                    value = text.decode()
                    if not preserve:
                        _untrimmed(value)
            else:
                value = _other(kind, v, saved, inline, preserve, text)
                if value is _EMPTY:
                    continue
                if type(value) is _Escaped:
                    escaped.append((row, column, value))
            if len(grid) < row:
                grid.extend([] for _ in range(row - len(grid)))
                line = grid[-1]
            if len(line) < column - 1:
                line.extend([""] * (column - 1 - len(line)))
            line.append(value)
        if escaped:  # the texts with entities or references, decoded together
            for (row, column, _), decoded in zip(
                escaped, unescape([e for _, _, e in escaped]), strict=True
            ):
                grid[row - 1][column - 1] = decoded
        return Grid(grid, formulas)

    except WorkbookError:  # said only of a part in the form read here: others are declined
        if _SHEET_DATA_FORM.fullmatch(region) is None:
            raise Declined("sheetData in another form") from None
        raise


def _sheet_data(xml: bytes) -> bytes:
    """A worksheet's sheetData content (declined when the part is not as programs write it)."""
    root = plain_root(xml, b"worksheet", body=False)
    head = xml[root : xml.find(b">", root)]
    if not any(ns in head for ns in _MAIN_NS):
        raise Declined("not the spreadsheetml namespace")
    opened = _SHEET_DATA.search(xml)
    if opened is None or xml.find(b"<sheetData", opened.end()) >= 0 or b":sheetData" in xml:
        raise Declined("no sheetData, or two, or a prefixed one")
    if opened[1]:
        return b""
    end = xml.find(b"</sheetData>", opened.end())
    if end < 0:
        raise Declined("sheetData not closed")
    region = xml[opened.end() : end]
    if b"xmlns" in region:
        raise Declined("a namespace declared in sheetData")
    for low, high in ((root, opened.start()), (end, len(xml))):
        # around the cells: no comment, CDATA or instruction (it could hold cells), and no
        # formula (the other reader's formula scan would see it)
        if _AROUND.search(xml, low, high) is not None:
            raise Declined("markup around the cells that readers take otherwise")
    return region


_AROUND: Final = re.compile(rb"<(?:[!?]|(?:[A-Za-z_][\w.-]*:)?f[\s>/])")
_FAR: Final = re.compile(rb'<c r="(?:[A-Z]{2,3}[0-9]|[A-Z][0-9]{4})|<row r="[0-9]{4}')
"""A cell beyond column Z or row 999, or such a row: then the part's extent is measured."""


def _too_far(fail: Callable[..., WorkbookError], part: str, xml: bytes, max_rows: int) -> Exception:
    """The part's cells reach beyond the limits: refused, saying how far they reach (all of
    them measured, as filecheck measures them)."""
    rows, columns = filecheck.extent(xml)
    return fail(filecheck.beyond_limits(part, rows, columns, max_rows), IssueCode.TOO_LARGE)


_EMPTY: Final = object()
"""A cell that holds no value (a reader counts it nowhere)."""


def _shared(saved: bytes, table: list[str | None]) -> str:
    if not saved.isdigit() or len(saved) > 9:
        raise Declined("a shared string reference in another form")
    index = int(saved)
    text = table[index] if index < len(table) else None
    if text is None:
        raise Declined("a shared string in another form, or none")
    return text


def _number(saved: bytes) -> float:
    if len(saved) > 400 or _NUMBER.fullmatch(saved) is None:
        raise Declined("a number in another form")
    return float(saved)


def _plain_style(style: bytes, shows_dates: list[bool]) -> bytes:
    """`style`, if a number in it is shown as a number; declined if as a date or time, or if
    the style is unknown."""
    index = int(style or 0)
    if shows_dates[index] if index < len(shows_dates) else (index or shows_dates):
        raise Declined("a number in a date or time format, or an unknown style")
    return style


def _other(kind: bytes, v: bytes, saved: bytes, inline: bytes, preserve: bytes, text: bytes) -> Any:
    """The value of a cell of type str, inlineStr, b or e (`_EMPTY`: none)."""
    if kind == b"str":
        return xml_text(saved) if v else _EMPTY
    if kind == b"inlineStr":
        if v:
            raise Declined("a saved value in an inline string cell")
        return xml_text(text, bool(preserve)) if inline else _EMPTY
    if kind == b"b" and saved in (b"0", b"1"):
        return saved == b"1"
    if kind == b"e":
        return "" if v else _EMPTY
    raise Declined("a cell of another type, or a boolean in another form")
