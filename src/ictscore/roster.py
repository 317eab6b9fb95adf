"""The roster of units (`code,name,group,parent` CSV) and safe file names for them."""

from __future__ import annotations

import csv
import io
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ictscore.errors import UnitsError
from ictscore.issues import ERROR, Finding

COLUMNS = ("code", "name", "group", "parent")
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
    """Read a roster CSV (UTF-8, with or without BOM). Raises UnitsError with every problem."""
    source = str(path)
    rows = _read_rows(path, source)
    problems: list[Finding] = []
    raw: list[tuple[str, str, str, str]] = []
    seen: dict[str, int] = {}
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(COLUMNS):
            problems.append(
                _finding(source, line, f"expected {len(COLUMNS)} fields, found {len(row)}")
            )
            continue
        fields = _fields(row)
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


def _finding(source: str, line: int | None, message: str) -> Finding:
    return Finding(ERROR, source, line, "", message)


def _read_rows(path: str | Path, source: str) -> list[tuple[int, list[str]]]:
    """The records of the file, each with the line it starts on, the header checked."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        message = (
            f'cannot read: not UTF-8 text (byte {exc.start}); in Excel, save it as "CSV UTF-8"'
        )
        raise UnitsError(source, [_finding(source, None, message)]) from exc
    except OSError as exc:
        message = f"cannot read: {exc.strerror or exc}"
        raise UnitsError(source, [_finding(source, None, message)]) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []  # (the line a record starts on, its fields)
    try:
        start = 1
        for row in reader:  # a quoted name may span lines, so count them as the reader does
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise UnitsError(source, [_finding(source, reader.line_num, str(exc))]) from exc
    if not rows or tuple(h.strip().lower() for h in rows[0][1]) != COLUMNS:
        found = ",".join(rows[0][1]) if rows else "an empty file"
        message = f"expected the header {','.join(COLUMNS)}, found {found}"
        raise UnitsError(source, [_finding(source, 1, message)])
    return rows


def _fields(row: list[str]) -> tuple[str, str, str, str]:
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
