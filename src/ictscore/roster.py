"""The roster of units (`code,name,group,parent`) and safe file names for them.

A roster arrives as offices save it: CSV with `,` or `;` (Excel under Vietnamese regional
settings), tab-separated "Unicode text" (UTF-16), UTF-8 with or without a BOM, or Windows-1258;
headers in English or Vietnamese (`Mã đơn vị`, `Tên đơn vị`, `Nhóm`, `Đơn vị cấp trên`), in any
order. `load_units` reads such a text file; `parse_rows` turns records (from text, or from a
workbook: sheets/roster_book.py) into a `Roster`. Both are bounded (`MAX_ROSTER_BYTES`,
`MAX_UNITS`). docs/roster.md describes the file.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Final

from ictscore.errors import UnitsError
from ictscore.inputfile import InputFileError, read_input
from ictscore.issues import ERROR, Finding

COLUMNS = ("code", "name", "group", "parent")
MAX_ROSTER_BYTES: Final = 20 * 1024 * 1024
"""A roster of every commune of the country is about 1 MB."""
MAX_UNITS: Final = 50_000
"""Vietnam has about 10,600 communes: a roster of more units is not one."""
HEADERS: Final = {
    "code": ("code", "ma", "ma don vi", "ma dv"),
    "name": ("name", "ten", "ten don vi"),
    "group": ("group", "nhom", "khoi", "nhom don vi"),
    "parent": ("parent", "don vi cap tren", "ma don vi cap tren", "cap tren", "thuoc"),
}
"""The accepted headers of each column, compared without case, diacritics or extra spaces."""
_HEADER_OF = {alias: column for column, aliases in HEADERS.items() for alias in aliases}
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
Rows = list[tuple[int, list[str]]]
"""A roster's records, each with the line (or row) it starts on; the first is the header."""
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit taking part: a department, a district or a commune People's Committee."""

    code: str
    name: str
    group: str
    parent: str | None = None
    """The code of the unit it belongs to (a commune's district), if any."""
    parent_name: str | None = None

    @property
    def display_name(self) -> str:
        """The name, with its parent's where names repeat (Phường 1 exists in three cities)."""
        return f"{self.name} ({self.parent_name})" if self.parent_name else self.name


@dataclass(frozen=True)
class Roster:
    """The units expected to submit a sheet, in file order."""

    units: tuple[Unit, ...]
    source: str = "<units>"

    def get(self, code: str) -> Unit | None:
        return self._by_code.get(code)

    @cached_property
    def _by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in reversed(self.units)}  # the first of a code twice, as before

    def check_groups(self, group_ids: Iterable[str]) -> None:
        """Raise UnitsError if a unit's group is not one of the rubric's."""
        known = list(group_ids)
        problems = [
            _finding(
                self.source,
                None,
                f"unit {u.code}: group {u.group!r} is not in the rubric "
                f"(groups: {', '.join(known)})",
            )
            for u in self.units
            if u.group not in known
        ]
        if problems:
            raise UnitsError(self.source, problems)


def load_units(path: str | Path) -> Roster:
    """Read a roster text file (CSV or tab-separated; UTF-8, UTF-16 or Windows-1258). Raises
    UnitsError with every problem. A workbook roster is read by `ictscore.load_units`
    (sheets/roster_book.py), which calls this for text."""
    source = str(path)
    data = read_roster_file(path)
    if data.startswith(_WORKBOOK_MAGIC):
        message = "a workbook: read it with ictscore.load_units (sheets.roster_book)"
        raise UnitsError(source, [_finding(source, None, message)])
    return parse_rows(text_rows(data, source), source)


def read_roster_file(path: str | Path) -> bytes:
    """The bytes of a roster file: a regular file of at most MAX_ROSTER_BYTES. Raises
    UnitsError."""
    try:
        return read_input(path, MAX_ROSTER_BYTES, "roster")
    except InputFileError as exc:
        raise UnitsError(str(path), [_finding(str(path), None, str(exc))]) from exc


def parse_rows(rows: Rows, source: str) -> Roster:
    """The roster from its records (the first is the header). Raises UnitsError with every
    problem."""
    order = _header(rows, source)
    problems: list[Finding] = []
    raw: list[tuple[str, str, str, str]] = []
    seen: dict[str, int] = {}
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(order):
            problems.append(
                _finding(source, line, f"expected {len(order)} fields, found {len(row)}")
            )
            continue
        fields = _fields([row[order.index(c)] if c in order else "" for c in COLUMNS])
        problems.extend(_finding(source, line, p) for p in _row_problems(fields, line, seen))
        raw.append(fields)
    names = {code: name for code, name, _, _ in raw}
    for code, _, _, parent in raw:
        if parent and parent not in names:
            problems.append(
                _finding(source, None, f"unit {code!r}: parent {parent!r} is not in the file")
            )
    if problems:
        raise UnitsError(source, problems)
    intern = sys.intern  # groups and parents repeat on every row: one string each
    units = tuple(
        Unit(
            code,
            name,
            intern(group),
            intern(parent) if parent else None,
            names.get(parent) if parent else None,
        )
        for code, name, group, parent in raw
    )
    return Roster(units, source)


def _header(rows: Rows, source: str) -> list[str]:
    """The columns in the header's order (English or Vietnamese names; "" for a column without
    a header, ignored: Excel adds them after a stray cell); UnitsError unless it names code,
    name and group, each once, and nothing else."""
    cells = rows[0][1] if rows else []
    order = [_HEADER_OF.get(_folded(cell), "?") if cell.strip() else "" for cell in cells]
    named = [column for column in order if column]
    if "?" in named or len(set(named)) != len(named) or not {"code", "name", "group"} <= {*named}:
        found = ",".join(cells) if rows else "an empty file"
        message = (
            f"expected the header {','.join(COLUMNS)} (or Mã đơn vị, Tên đơn vị, Nhóm, "
            f"Đơn vị cấp trên), found {found}"
        )
        raise UnitsError(source, [_finding(source, 1, message)])
    return order


def _folded(text: str) -> str:
    """A header as compared: lowercase, no diacritics, single spaces ("Tên  Đơn vị" → "ten
    don vi")."""
    return " ".join(ascii_slug(text, 200).split("-"))


def _finding(source: str, line: int | None, message: str) -> Finding:
    return Finding(ERROR, source, line, "", message)


def text_rows(data: bytes, source: str) -> Rows:
    """The records of a roster text file, each with the line it starts on: the encoding and the
    separator found from the bytes and the header line; at most MAX_UNITS records."""
    text = _decoded(data, source)
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=header.count)  # a tie (none at all): ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: Rows = []
    try:
        start = 1
        for row in reader:  # a quoted name may span lines, so count them as the reader does
            rows.append((start, row))
            start = reader.line_num + 1
            if len(rows) > MAX_UNITS + 1:
                message = f"more than {MAX_UNITS:,} units: not a roster (the limit)"
                raise UnitsError(source, [_finding(source, start, message)])
    except csv.Error as exc:
        raise UnitsError(source, [_finding(source, reader.line_num, str(exc))]) from exc
    return rows


_BOMS: Final = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _decoded(data: bytes, source: str) -> str:
    """The text: by its byte-order mark (UTF-8, UTF-16), else UTF-8 if it is, else
    Windows-1258 (Excel's "CSV" under Vietnamese settings), made NFC (cp1258 writes tone marks
    as combining characters)."""
    try:
        for bom, encoding in _BOMS:
            if data.startswith(bom):
                return data.decode(encoding)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError as exc:
        message = (
            f"cannot read: not UTF-8, UTF-16 or Windows-1258 text (byte {exc.start}); in "
            'Excel, save it as "CSV UTF-8"'
        )
        raise UnitsError(source, [_finding(source, None, message)]) from exc


def _fields(row: Sequence[str]) -> tuple[str, str, str, str]:
    """code, name, group, parent: trimmed, NFC; a name's line breaks and double spaces as one."""
    code, name, group, parent = (unicodedata.normalize("NFC", c.strip()) for c in row)
    return code, " ".join(name.split()), group, parent


def _row_problems(fields: tuple[str, str, str, str], line: int, seen: dict[str, int]) -> list[str]:
    """What is wrong with one record; `seen` (code → its line) records its code."""
    code, name, group, _ = fields
    problems: list[str] = []
    if not CODE_PATTERN.match(code):
        problems.append(
            f"code {code!r} must be 1-64 letters, digits, "
            "'-' or '_', starting with a letter or digit"
        )
    elif code in seen:
        problems.append(f"duplicate code {code!r} (first on line {seen[code]})")
    else:
        seen[code] = line
    if not name:
        problems.append(f"unit {code!r} has no name")
    if not group:
        problems.append(f"unit {code!r} has no group")
    return problems


def ascii_slug(text: str, max_length: int = 48) -> str:
    """ASCII, lowercase, hyphen-separated: "Xã Tân Mỹ Chánh" → "xa-tan-my-chanh"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def sheet_file_name(unit: Unit) -> str:
    """A file name safe on Windows and POSIX: `<code>-<slug of name>.xlsx`."""
    code = re.sub(r"[^A-Za-z0-9_-]", "_", unit.code) or "unit"
    stem = "-".join(part for part in (code, ascii_slug(unit.name)) if part)
    if stem.lower() in _WINDOWS_RESERVED:
        stem = f"{stem}_"
    return f"{stem}.xlsx"
