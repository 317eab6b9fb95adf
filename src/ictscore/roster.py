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
            f"{self.source}: unit {u.code}: group {u.group!r} is not in the rubric "
            f"(groups: {', '.join(known)})"
            for u in self.units
            if u.group not in known
        ]
        if problems:
            raise UnitsError(self.source, problems)


def load_units(path: str | Path) -> Roster:
    """Read a roster CSV (UTF-8, with or without BOM). Raises UnitsError with every problem."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnitsError(
            source,
            [
                f"{source}: cannot read: not UTF-8 text (byte {exc.start}); "
                'in Excel, save it as "CSV UTF-8"'
            ],
        ) from exc
    except OSError as exc:
        raise UnitsError(source, [f"{source}: cannot read: {exc.strerror or exc}"]) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []  # (the line a record starts on, its fields)
    try:
        start = 1
        for row in reader:  # a quoted name may span lines, so count them as the reader does
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise UnitsError(source, [f"{source}:{reader.line_num}: {exc}"]) from exc
    if not rows or tuple(h.strip().lower() for h in rows[0][1]) != COLUMNS:
        found = ",".join(rows[0][1]) if rows else "an empty file"
        raise UnitsError(
            source, [f"{source}:1: expected the header {','.join(COLUMNS)}, found {found}"]
        )
    problems: list[str] = []
    raw: list[tuple[str, str, str, str]] = []
    seen: dict[str, int] = {}
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(COLUMNS):
            problems.append(f"{source}:{line}: expected {len(COLUMNS)} fields, found {len(row)}")
            continue
        code, name, group, parent = (unicodedata.normalize("NFC", c.strip()) for c in row)
        name = " ".join(name.split())  # a line break or double space inside a quoted name
        if not CODE_PATTERN.match(code):
            problems.append(
                f"{source}:{line}: code {code!r} must be 1-64 letters, digits, "
                "'-' or '_', starting with a letter or digit"
            )
        elif code in seen:
            problems.append(
                f"{source}:{line}: duplicate code {code!r} (first on line {seen[code]})"
            )
        else:
            seen[code] = line
        if not name:
            problems.append(f"{source}:{line}: unit {code!r} has no name")
        if not group:
            problems.append(f"{source}:{line}: unit {code!r} has no group")
        raw.append((code, name, group, parent))
    names = {code: name for code, name, _, _ in raw}
    for code, _, _, parent in raw:
        if parent and parent not in names:
            problems.append(f"{source}: unit {code!r}: parent {parent!r} is not in the file")
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
