"""The .xlsx reader: each part a score sheet needs unpacked once, checked and read from those bytes.

A score sheet as Excel, LibreOffice and openpyxl save it is read here in pure Python (zlib and
re: no native code, so no worker process is needed to survive it). The zip's directory has been
checked already, without unpacking anything (`filecheck.inspect_file`, shallow). Then only the
parts the reader needs are unpacked, each once: the workbook and its relationships (the sheets'
names and parts), the document properties (the keywords ictscore's own outputs carry), the
shared strings, the styles (which cells show a date), the score sheet and the hidden record.
Each part is checked from the same bytes as it is unpacked: its prolog declares no document type
or entity (`unsafe-xml`); a worksheet's cells lie within the limits (`too-large`, found by the
scan that reads them). The other parts are never unpacked.

The scan reads the form those programs write: unprefixed elements, a cell's attributes `r`, `s`,
`t` in that order, plain text runs. Anything else (comments, CDATA, namespace prefixes, rich
text, a number shown as a date, a cell out of order, an escape such as `_x000B_`, text whose
leading or trailing spaces a reader may trim) is not guessed at: `Declined` is raised, and the
file is read by python-calamine after every check of `inspect_file` (deep), in an isolated
worker. What this reader returns is what python-calamine returns for the same sheet
(`to_python(skip_empty_area=False)`); tests/test_xlsx_reader.py checks that on every workbook
both read.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import Any, Final, TypeVar, cast

from ictscore.errors import WorkbookError
from ictscore.issues import CellRef, IssueCode
from ictscore.messages import Msg
from ictscore.sheets import filecheck, layout
from ictscore.sheets.xlsx_cells import Grid, scan
from ictscore.sheets.xlsx_parts import Declined as Declined
from ictscore.sheets.xlsx_parts import plain_root, plain_text, sst, strict_attrs

_WORKSHEET_TYPE: Final = "/worksheet"
"""How a worksheet relationship's Type ends (transitional and strict)."""


class Book:
    """A zipped workbook opened once: its parts unpacked on demand, each once, each checked."""

    def __init__(self, archive: zipfile.ZipFile, where: CellRef, data: bytes = b"") -> None:
        """`data`: the archive's bytes (a zip in memory), to unpack the usual parts from them
        directly (`unpacked`); without it, every part is read through `zipfile`."""
        self._archive = archive
        self._where = where
        self._data = data
        self._names = {info.filename: info for info in archive.infolist()}
        self._sheets: dict[str, str] | None = None
        self._strings: list[str | None] | None = None
        self._dates: list[bool] | None = None

    def part(self, name: str) -> bytes | None:
        """The part, unpacked and its prolog checked; None if the archive has none."""
        info = self._names.get(name)
        if info is None:
            return None
        fail = self._fail
        data = unpacked(self._data, info)
        if data is None:  # anything unusual: zipfile reads it, and says what is wrong
            with filecheck.damaged(info, fail):
                data = self._archive.read(info)
        if filecheck.declares_entities(data):
            raise fail(
                Msg(
                    "part {part} declares XML entities (an XML attack, or a file not written "
                    "by a spreadsheet application): not read",
                    part=name,
                ),
                IssueCode.UNSAFE_XML,
            )
        return data

    def _fail(self, message: Msg, code: IssueCode = IssueCode.UNREADABLE_FILE) -> WorkbookError:
        return WorkbookError(self._where, message, code=code)

    @property
    def sheet_names(self) -> list[str]:
        """The worksheets' names, in the workbook's order."""
        return list(self._sheet_parts())

    def _sheet_parts(self) -> dict[str, str]:
        if self._sheets is None:
            book, rels = self._need("xl/workbook.xml"), self._need("xl/_rels/workbook.xml.rels")
            self._sheets = _cached(_sheets, book, rels)
        return self._sheets

    def _need(self, name: str) -> bytes:
        data = self.part(name)
        if data is None:
            raise Declined(f"no part {name}")
        return data

    def keywords(self) -> bytes:
        """The document properties' keywords element's text, raw ("" if none)."""
        core = self.part("docProps/core.xml") if "docProps/core.xml" in self._names else None
        if core is None:
            return b""
        found = layout.KEYWORDS_TAG.search(core[: layout.KEYWORDS_READ])  # as reader does
        return found.group(1) if found else b""

    def grid(self, sheet: str, max_rows: int = filecheck.MAX_ROWS) -> Grid:
        """The cells of the sheet named `sheet` (one of `sheet_names`)."""
        part = self._sheet_parts()[sheet]
        xml = self._need(part)
        return scan(xml, part, self._shared_strings, self._date_styles, self._fail, max_rows)

    def _shared_strings(self) -> list[str | None]:
        if self._strings is None:
            xml = self.part("xl/sharedStrings.xml")
            self._strings = [] if xml is None else sst(xml)
        return self._strings

    def _date_styles(self) -> list[bool]:
        if self._dates is None:
            xml = self.part("xl/styles.xml")
            self._dates = [] if xml is None else _cached(styles, xml)
        return self._dates


def unpacked(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """The member `info` of the zip `data`, unpacked straight from its bytes, when all is as
    `zipfile.ZipFile.read` expects of it; None for anything else, which zipfile then reads and
    answers (a damaged part, a name that differs, encryption, another method, a bad CRC).

    Returned only when zipfile would return the very same bytes: the same checks of the local
    header (where the directory puts it, which zipfile cannot seek to when that is before the
    file's start; its signature, its name as the directory has it, flag bits, no overlap with
    the next entry), the same compressed bytes, at most the size the directory gives unpacked
    (a bound on memory), all of it there, a deflated stream ending exactly there (zipfile
    unpacks all of its compressed bytes: damage after the size it keeps is still an error) and
    its CRC-32 right. About 0.1 ms a sheet less than zipfile's file object, buffers and CRC
    updates (benchmarks/README.md)."""
    at, size = info.header_offset, info.file_size
    if (
        info.flag_bits & _UNUSUAL_FLAGS
        or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        or not 0 < size <= filecheck.MAX_UNZIPPED_BYTES  # 0: no limit to zlib; zipfile reads it
        or at < 0  # a directory that claims more than the file holds: zipfile cannot seek there
        or at + _HEADER_SIZE > len(data)
        or data[at : at + 4] != _LOCAL_HEADER
    ):
        return None
    (flags,) = struct.unpack_from("<H", data, at + 6)
    name_size, extra_size = struct.unpack_from("<HH", data, at + 26)
    start = at + _HEADER_SIZE + name_size + extra_size
    end = start + info.compress_size
    bound = getattr(info, "_end_offset", None)  # the next entry (zipfile's own overlap check)
    if end > len(data) or (bound is not None and end > bound):
        return None
    name = data[at + _HEADER_SIZE : at + _HEADER_SIZE + name_size]
    try:
        if name.decode("utf-8" if flags & _UTF8_NAME else "cp437") != info.orig_filename:
            return None
    except UnicodeDecodeError:
        return None
    raw = memoryview(data)[start:end]
    if info.compress_type == zipfile.ZIP_STORED:
        out = bytes(raw[:size])
    else:
        stream = zlib.decompressobj(-15)
        try:
            out = stream.decompress(raw, size + 1)
        except zlib.error:
            return None
        if not stream.eof:  # more than the size, cut short, or not read to its end
            return None
    if len(out) != size or zlib.crc32(out) != info.CRC:
        return None
    return out


_LOCAL_HEADER: Final = b"PK\x03\x04"
_HEADER_SIZE: Final = 30
_UNUSUAL_FLAGS: Final = 0x01 | 0x20 | 0x40
"""Encrypted, compressed patched data, strong encryption: zipfile refuses them."""
_UTF8_NAME: Final = 0x800


# --- workbook.xml and its relationships -----------------------------------------------------------

_SHEET_TAG: Final = re.compile(rb"<sheet\s[^<>]*>")
_REL_TAG: Final = re.compile(rb"<Relationship\s[^<>]*>")
_PREFIXED_SHEET: Final = re.compile(rb"<[A-Za-z_][\w.-]*:sheet\b")
_PREFIXED_REL: Final = re.compile(rb"<[A-Za-z_][\w.-]*:Relationship\b")


_SHEET_ATTRIBUTES: Final = frozenset({b"name", b"sheetId", b"state", b"r:id"})


_CACHE: dict[tuple[Any, ...], Any] = {}
_CACHE_SIZE: Final = 32
T = TypeVar("T")


def _cached(read: Callable[..., T], *parts: bytes) -> T:
    """`read(*parts)`, remembered by the parts' bytes: the workbook and styles parts of the
    sheets made from one template are the same bytes, read once per process. (A Declined is
    not remembered: it is raised again, the part read again.)"""
    key = (read, *parts)
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        found = _CACHE[key] = read(*parts)
    return cast(T, found)


def _sheets(book: bytes, rels_xml: bytes) -> dict[str, str]:
    """Sheet name → its part (workbook.xml's sheets, through their relationships)."""
    rels = _relationships(rels_xml)
    plain_root(book, b"workbook")
    if _PREFIXED_SHEET.search(book):
        raise Declined("sheets with a namespace prefix")
    start, end = book.find(b"<sheets>"), book.find(b"</sheets>")
    if start < 0 or end < start or book.count(b"<sheets") != 1:
        raise Declined("the sheets in another form")
    tags = _SHEET_TAG.findall(book, start, end)
    if len(tags) != len(_SHEET_TAG.findall(book)):  # readers differ on a sheet elsewhere
        raise Declined("a sheet element outside the sheets")
    out: dict[str, str] = {}
    for tag in tags:
        attrs = strict_attrs(tag)
        if any(k not in _SHEET_ATTRIBUTES and not k.startswith(b"xmlns:") for k in attrs):
            raise Declined("a sheet with other attributes")  # another reader takes another id
        name, rid = attrs.get(b"name"), attrs.get(b"r:id")
        if name is None or rid is None or _ascii(rid) not in rels:
            raise Declined("a sheet without a name or relationship")
        kind, target = rels[_ascii(rid)]
        if not kind.endswith(_WORKSHEET_TYPE):
            raise Declined("a sheet that is not a worksheet")
        shown = plain_text(name)
        if shown in out:
            raise Declined("two sheets of one name")
        out[shown] = target
    if not out:
        raise Declined("no sheets")
    return out


def _ascii(raw: bytes) -> str:
    """An identifier or a relationship type (ASCII); declined otherwise."""
    if not raw.isascii():
        raise Declined("an identifier that is not ASCII")
    return raw.decode("ascii")


def _relationships(xml: bytes) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, part)."""
    plain_root(xml, b"Relationships")
    if _PREFIXED_REL.search(xml):
        raise Declined("relationships with a namespace prefix")
    out: dict[str, tuple[str, str]] = {}
    for tag in _REL_TAG.findall(xml):
        attrs = strict_attrs(tag)
        rid, kind, target = attrs.get(b"Id"), attrs.get(b"Type"), attrs.get(b"Target")
        if rid is None or kind is None or target is None or b"TargetMode" in attrs:
            raise Declined("a relationship in another form")
        path = plain_text(target)
        out[_ascii(rid)] = (_ascii(kind), path[1:] if path.startswith("/") else f"xl/{path}")
    return out


# --- styles ---------------------------------------------------------------------------------------

_XF: Final = re.compile(rb"<xf[\s/>][^<>]*")
_NUM_FMT: Final = re.compile(rb"<numFmt[\s/>][^<>]*")
_NUMBER_FORMATS: Final = frozenset({*range(0, 14), *range(37, 45), 48, 49})
"""Built-in number formats that show no date or time (General, 0.00, 0%, # ?/?, accounting,
@): any other built-in id may be a date or time, and a reader turns its numbers into dates."""
_PLAIN_CODE: Final = re.compile(
    r'(?:[0#?.,%@ ;()+-]|E[+-]|e[+-]|"[^"\\_]*"|\[(?:Red|Black|Blue|Green|White|Yellow|Cyan|'
    r"Magenta|Color[0-9]{1,2}|[<>=]{1,2}-?[0-9.]{1,12})\])*+",
    re.IGNORECASE,
)
"""A number format code that plainly shows a number: digit placeholders, separators, percent,
an exponent, text in quotes, colours and conditions. Any other code (a letter, a backslash or
underscore escape, an elapsed time [h], A/P, a locale) may show a date or time to a reader."""
_STYLE_PREFIXED: Final = re.compile(rb"</?[A-Za-z_][\w.-]*:(?:styleSheet|numFmts?|cellXfs|xf)\b")


def styles(xml: bytes) -> list[bool]:
    """For each cell style (cellXfs, by index): whether a number in it may be shown as a date
    or time (conservatively: any format that is not plainly a number). Declined for styles
    written in another form (prefixes, attributes otherwise than name="value", no cellXfs)."""
    plain_root(xml, b"styleSheet")
    if _STYLE_PREFIXED.search(xml) or xml.count(b"<cellXfs") != 1:
        raise Declined("styles in another form")
    start = xml.find(b"<cellXfs")
    block = xml.find(b"<numFmts>") if b"<numFmts>" in xml else xml.find(b"<numFmts ")
    end = xml.find(b"</numFmts>", block) if block >= 0 else -1
    formats = _NUM_FMT.findall(xml, block, end) if 0 <= block < end < start else []
    if len(formats) != xml.count(b"<numFmt ") + xml.count(b"<numFmt/"):
        raise Declined("a number format outside the number formats, or after the styles")
    custom: dict[int, bool] = {}
    for tag in formats:
        attrs = strict_attrs(tag)
        number, code = attrs.get(b"numFmtId"), attrs.get(b"formatCode")
        if number is None or code is None or not number.isdigit() or len(number) > 6:
            raise Declined("a number format in another form")
        text = plain_text(code)
        custom[int(number)] = text.lower() != "general" and _PLAIN_CODE.fullmatch(text) is None
    out: list[bool] = []
    for tag in _XF.findall(xml, start, xml.find(b"</cellXfs>", start)):
        number = strict_attrs(tag).get(b"numFmtId", b"0")
        if not number.isdigit() or len(number) > 6:
            raise Declined("a cell style in another form")
        n = int(number)
        out.append(custom.get(n, n not in _NUMBER_FORMATS))
    return out
