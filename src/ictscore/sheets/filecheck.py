"""What a submitted file really is, checked before any spreadsheet parser sees it.

Units send what their office software produces, and a shared folder can hold anything. Before a
file reaches the native reader (python-calamine, whose allocation failures abort the process
rather than raise), `inspect_file` reads its bytes once and either names what it is (a workbook
format calamine reads) or raises WorkbookError with a plain answer: empty, a PDF or an image
renamed .xlsx, a Word document, a damaged or truncated zip, a password-protected workbook, a zip
bomb, a file above the size limits. The limits are documented in docs/sheet-format.md.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final, Literal

from ictscore.errors import WorkbookError
from ictscore.issues import CellRef, IssueCode
from ictscore.messages import Msg

MAX_FILE_BYTES: Final = 20 * 1024 * 1024
"""A score sheet is ~50 KB; 20 MiB leaves room for pasted pictures and still bounds memory."""
MAX_UNZIPPED_BYTES: Final = 100 * 1024 * 1024
"""The sum of a zipped workbook's parts, uncompressed (a zip bomb stops here, unread)."""
MAX_PART_RATIO: Final = 100
"""A part larger than 1 MiB may be at most this many times its compressed size."""
MAX_ZIP_ENTRIES: Final = 10_000
MAX_ROWS: Final = 5_000
"""Rows of the score sheet (a template has ~60)."""
MAX_COLUMNS: Final = 200

Kind = Literal["xlsx", "xls", "ods", "xlsb"]

_OLE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP: Final = b"PK\x03\x04"
_EMPTY_ZIP: Final = b"PK\x05\x06"


def too_large(size: int) -> Msg:
    """The answer for a file of `size` bytes, above MAX_FILE_BYTES."""
    return Msg(
        "the file is {size} MiB, above the limit of {limit} MiB for a score sheet",
        size=Decimal(f"{size / 1024 / 1024:.1f}"),
        limit=MAX_FILE_BYTES // 1024 // 1024,
    )


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


@dataclass(frozen=True)
class Inspected:
    """A file that looks like a workbook: its bytes (read once) and its format."""

    data: bytes
    kind: Kind
    parts: Mapping[str, bytes] = field(default_factory=dict)
    """Zip parts read whole by the checks (the sheets, small parts), for the reader to reuse."""
    archive: zipfile.ZipFile | None = field(default=None, compare=False)
    """An .xlsx checked `deep=False`: its zip, open, nothing unpacked (for sheets/xlsx.py);
    None when every check was made."""


def inspect_file(
    data: bytes, where: CellRef, max_rows: int = MAX_ROWS, deep: bool = True
) -> Inspected:
    """The workbook format of `data`, or WorkbookError saying what the file is instead.
    `max_rows`: the row limit of its sheets (a score sheet's, by default).

    `deep=False`, for an .xlsx (or .xlsm): only the checks the zip's directory answers (parts
    named once, their number, sizes and ratios), nothing unpacked; the archive is left open in
    `Inspected.archive` for sheets/xlsx.py, which checks each part it unpacks (prolog, extent).
    Every other format gets every check, as with `deep=True` (the default: every part's prolog,
    every sheet's extent), which must precede any other parser."""

    def fail(message: Msg, code: IssueCode = IssueCode.UNREADABLE_FILE) -> WorkbookError:
        return WorkbookError(where, message, code=code)

    if not data:
        raise fail(Msg("the file is empty (0 bytes): it was not saved, or the upload failed"))
    if len(data) > MAX_FILE_BYTES:
        raise fail(too_large(len(data)), IssueCode.TOO_LARGE)
    if data.startswith(_ZIP) or data.startswith(_EMPTY_ZIP):
        try:
            if not deep:
                shallow = _shallow(data, fail)
                if shallow is not None:
                    return shallow
            return Inspected(data, *_zip_kind(data, fail, max_rows))
        except WorkbookError:
            raise
        except Exception as exc:  # noqa: BLE001 - any other failure of the zip reader
            detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
            raise fail(
                Msg(
                    "the file is damaged (its zip structure cannot be read): ask the unit to "
                    "save it again ({detail})",
                    detail=detail,
                )
            ) from exc
    if data.startswith(_OLE):
        if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
            raise fail(
                Msg(
                    "the workbook is password-protected (encrypted): ictscore cannot open it; "
                    "ask the unit to remove the password to open (File → Info → Protect "
                    "Workbook) and send it again"
                ),
                IssueCode.ENCRYPTED,
            )
        if _utf16("WordDocument") in data:
            raise fail(
                Msg("a Word document (.doc), not a spreadsheet"), IssueCode.NOT_A_SPREADSHEET
            )
        if _utf16("PowerPoint Document") in data:
            raise fail(
                Msg("a PowerPoint file (.ppt), not a spreadsheet"), IssueCode.NOT_A_SPREADSHEET
            )
        if _utf16("Workbook") in data or _utf16("Book") in data:
            return Inspected(data, "xls")
        raise fail(
            Msg("an Office file that is damaged, or not an Excel workbook"),
            IssueCode.NOT_A_SPREADSHEET,
        )
    raise fail(Msg("not a spreadsheet: {what}", what=_what(data)), IssueCode.NOT_A_SPREADSHEET)


def _what(data: bytes) -> Msg:
    """A plain description of a file that is no workbook."""
    head = data[:512]
    signatures: list[tuple[bytes, Msg]] = [
        (b"%PDF", Msg("a PDF document")),
        (b"\xff\xd8\xff", Msg("a JPEG image")),
        (b"\x89PNG", Msg("a PNG image")),
        (b"GIF8", Msg("a GIF image")),
        (b"{\\rtf", Msg("an RTF document")),
        (b"Rar!", Msg("a RAR archive")),
        (b"7z\xbc\xaf", Msg("a 7-Zip archive")),
    ]
    for magic, what in signatures:
        if head.startswith(magic):
            return what
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<html", b"<!doctype html")) or b"<table" in text:
        return Msg("an HTML page (some programs export web pages named .xls): save it as .xlsx")
    if text.startswith(b"<?xml"):
        return Msg("an XML file (an Excel 2003 XML spreadsheet?): save it as .xlsx")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return Msg("an unknown binary file")
    return Msg("a text file (a CSV?): open it and save it as .xlsx")


_EXTENT_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])")
"""A row or cell start tag, with any namespace prefix (`<x:c`): the tag's end is found apart."""
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
"""The `r` attribute, either quote, spaces around `=` (`r="B7"`, `r = 'B7'`)."""
_REF_PARTS = re.compile(rb"\s*([A-Za-z]*)([0-9]*)\s*")
_HUGE: Final = 10**9


def extent(xml: bytes) -> tuple[int, int]:
    """The last row and column a sheet part's cells reach, as a reader places them: by their
    `r` attributes, and where a row or cell has none, one after the one before.

    One pass, linear whatever the part holds: each tag's end is searched once from its start,
    and the next tag is looked for after it."""
    rows = columns = row = column = 0
    done = 0
    for tag in _EXTENT_TAG.finditer(xml):
        if tag.start() < done:
            continue  # inside the tag just read (no `<` is allowed there in well-formed XML)
        end = xml.find(b">", tag.end())
        if end < 0:
            end = len(xml)
        done = end + 1
        attr = _R_ATTR.search(xml, tag.end(), end)
        value = (attr[1] if attr[1] is not None else attr[2]) if attr else None
        at_column, at_row = _ref_parts(value)
        if tag[1] == b"row":
            row, column = at_row or row + 1, 0
        else:
            row, column = at_row or row, at_column or column + 1
        rows, columns = max(rows, row), max(columns, column)
    return rows, columns


def _ref_parts(value: bytes | None) -> tuple[int, int]:
    """A reference's column and row numbers (0 when it has none): "B7" → (2, 7); far beyond
    any limit for absurd lengths."""
    found = _REF_PARTS.fullmatch(value) if value is not None else None
    if found is None:
        return 0, 0
    letters, digits = found[1], found[2]
    column = _HUGE if len(letters) > 4 else column_number(letters.upper())
    row = _HUGE if len(digits) > 9 else int(digits or 0)
    return column, row


def _check_extent(
    archive: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    fail: Callable[..., WorkbookError],
    max_rows: int,
) -> dict[str, bytes]:
    """A cell far down or far right makes a reader allocate the whole grid: refuse any sheet
    with a cell beyond the limits before a reader sees it. Returns the sheet parts read."""
    read: dict[str, bytes] = {}
    for info in infos:
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        if info.file_size > MAX_UNZIPPED_BYTES:
            continue  # refused by the size checks
        read[info.filename] = xml = archive.read(info)
        rows, columns = extent(xml)
        if rows > max_rows or columns > MAX_COLUMNS:
            raise fail(beyond_limits(info.filename, rows, columns, max_rows), IssueCode.TOO_LARGE)
    return read


def beyond_limits(part: str, rows: int, columns: int, max_rows: int) -> Msg:
    """The answer for a sheet part whose cells reach beyond the limits."""
    return Msg(
        "sheet part {part} has cells up to row {rows}, column {columns}: above the limits "
        "({max_rows} rows, {max_columns} columns)",
        part=part,
        rows=rows,
        columns=columns,
        max_rows=max_rows,
        max_columns=MAX_COLUMNS,
    )


def column_number(letters: bytes) -> int:
    """b"A" → 1, b"AA" → 27 (upper-case letters)."""
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


_PROLOG_LIMIT = 64 * 1024


def _declares_entities(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    fail: Callable[..., WorkbookError],
    read: dict[str, bytes],
) -> bool:
    """Whether the part's prolog (all before its root element, where a DTD can only be)
    declares a document type or entities. Most prologs end in the first few hundred bytes; a
    part with no root element in its first 64 KiB is read whole (the size checks bound it).
    `read`: parts read already; a part read whole here is added to it."""
    with damaged(info, fail):
        if info.filename in read:
            head = read[info.filename][:_PROLOG_LIMIT]
        else:
            whole = info.filename in _KEEP and info.file_size < _PROLOG_LIMIT
            with archive.open(info) as part:
                head = part.read(_PROLOG_LIMIT if whole else _FIRST_READ)
                if len(head) == _FIRST_READ and (
                    root_at(head) is None
                    or head.rfind(b"<!--") > head.rfind(b"-->")
                    or head.rfind(b"<?") > head.rfind(b"?>")
                ):  # no root yet, or a comment or instruction still open: the prolog goes on
                    head += part.read(_PROLOG_LIMIT - _FIRST_READ)
            if whole:
                read[info.filename] = head
    if root_at(head) is None and len(head) == _PROLOG_LIMIT:
        with damaged(info, fail):
            head = read.get(info.filename) or archive.read(info)
    return declares_entities(head)


@contextmanager
def damaged(info: zipfile.ZipInfo, fail: Callable[..., WorkbookError]) -> Iterator[None]:
    """A part that does not unpack: WorkbookError naming it."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise fail(
            Msg(
                "part {part} is damaged ({detail}): ask the unit to save the file again",
                part=info.filename,
                detail=str(exc),
            )
        ) from exc


_FIRST_READ = 4096
_KEEP = frozenset({"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "docProps/core.xml"})
"""Small parts the reader needs whole (read once, here): the sheets' parts, and the document
properties where ictscore's writers mark their own outputs."""


def root_at(head: bytes) -> int | None:
    """Where the root element starts in `head` (comments and processing instructions before
    it skipped), if it does.

    NOTE: a scan with str.find, each byte looked at once. The regular expression it replaces
    (`<!--.*?-->|<[?].*?[?]>`) searched to the end of `head` from every unclosed `<?`: 64 KiB
    of `<?` took 12 s, in every such part of every file."""
    at = 0
    while (at := head.find(b"<", at)) >= 0:
        for start, end in _SKIP:
            if head.startswith(start, at):
                close = head.find(end, at + len(start))
                if close < 0:
                    return None  # the prolog goes on past `head`
                at = close + len(end)
                break
        else:
            if _NAME_START.match(head, at + 1):
                return at
            at += 1
    return None


_SKIP: Final = ((b"<!--", b"-->"), (b"<?", b"?>"))
_NAME_START = re.compile(rb"[A-Za-z_]")


def _open_zip(data: bytes, fail: Callable[..., WorkbookError]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise fail(
            Msg(
                "the file is damaged or truncated (an incomplete zip archive): ask the unit to "
                "save it again ({detail})",
                detail=str(exc),
            )
        ) from exc


def _shallow(data: bytes, fail: Callable[..., WorkbookError]) -> Inspected | None:
    """An .xlsx checked from its directory alone, its archive open; None for any other zip
    (checked deep)."""
    archive = _open_zip(data, fail)
    infos = archive.infolist()
    _check_parts(infos, fail)
    if not any(info.filename == "xl/workbook.xml" for info in infos):
        archive.close()
        return None
    return Inspected(data, "xlsx", archive=archive)


def declares_entities(part: bytes) -> bool:
    """Whether an unpacked part's prolog (all before its root element) declares a document
    type or entities."""
    root = root_at(part)
    prolog = part if root is None else part[:root]
    return b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog


def _zip_kind(
    data: bytes, fail: Callable[..., WorkbookError], max_rows: int
) -> tuple[Kind, dict[str, bytes]]:
    archive = _open_zip(data, fail)
    with archive:
        infos = archive.infolist()
        _check_parts(infos, fail)
        read = _check_extent(archive, infos, fail, max_rows)
        names = {info.filename for info in infos}
        mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
        for info in infos:  # XML attacks: entity declarations (billion laughs, external files)
            if info.filename.endswith((".xml", ".rels")) and _declares_entities(
                archive, info, fail, read
            ):
                raise fail(
                    Msg(
                        "part {part} declares XML entities (an XML attack, or a file not "
                        "written by a spreadsheet application): not read",
                        part=info.filename,
                    ),
                    IssueCode.UNSAFE_XML,
                )
    return _package_kind(names, mimetype, fail), read


def _check_parts(infos: list[zipfile.ZipInfo], fail: Callable[..., WorkbookError]) -> None:
    """The archive's directory: no part twice, not too many parts, nothing that unpacks to far
    more than it is (a zip bomb)."""
    names_seen: set[str] = set()
    for info in infos:  # no spreadsheet program writes a part twice; readers differ on it
        name = info.filename.replace("\\", "/").casefold()  # a twin by case or separator too
        if name in names_seen:
            raise fail(
                Msg(
                    "the zip archive holds two parts named {part} (no spreadsheet "
                    "application writes that): not read; ask the unit to save it again",
                    part=info.filename,
                )
            )
        names_seen.add(name)
    if len(infos) > MAX_ZIP_ENTRIES:
        raise fail(
            Msg(
                "the archive holds {count} parts, above the limit of {limit}",
                count=len(infos),
                limit=MAX_ZIP_ENTRIES,
            ),
            IssueCode.TOO_LARGE,
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_PART_RATIO * max(
            info.compress_size, 1
        ):
            raise fail(
                Msg(
                    "part {part} would unpack from {packed} bytes to {size} (a zip bomb?): "
                    "not read",
                    part=info.filename,
                    packed=info.compress_size,
                    size=info.file_size,
                ),
                IssueCode.TOO_LARGE,
            )
    if total > MAX_UNZIPPED_BYTES:
        raise fail(
            Msg(
                "the workbook unpacks to {size} MiB, above the limit of {limit} MiB (a zip "
                "bomb?): not read",
                size=round(total / 1024 / 1024),
                limit=MAX_UNZIPPED_BYTES // 1024 // 1024,
            ),
            IssueCode.TOO_LARGE,
        )


def _package_kind(names: set[str], mimetype: bytes, fail: Callable[..., WorkbookError]) -> Kind:
    """What a safe zip archive holds, by its parts: a workbook of some kind, or refused."""
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return "ods"
    if "word/document.xml" in names:
        raise fail(Msg("a Word document (.docx), not a spreadsheet"), IssueCode.NOT_A_SPREADSHEET)
    if "ppt/presentation.xml" in names:
        raise fail(Msg("a PowerPoint file (.pptx), not a spreadsheet"), IssueCode.NOT_A_SPREADSHEET)
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise fail(
            Msg(
                "an OpenDocument file of another kind ({kind}), not a spreadsheet",
                kind=mimetype.decode(errors="replace"),
            ),
            IssueCode.NOT_A_SPREADSHEET,
        )
    raise fail(Msg("a zip archive, but not a workbook"), IssueCode.NOT_A_SPREADSHEET)
