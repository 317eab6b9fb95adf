"""Last year's results, as a unit's profile shows them beside this year's (`grade --previous`).

Read from the JSON contract ("ictscore-report/1", loaded and checked by `compare.load_results`):
each graded unit of last year by its code, with its total, band, rank (and how many were ranked
in its group), and its points per area. An area is matched by its id when last year's file
gives it the same title (a rubric that renumbered its areas is not compared area by area).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


@dataclass(frozen=True)
class LastYear:
    """One unit's result last year."""

    year: int | None
    group: str
    total: Decimal | None
    band: str | None
    """The band's label ("Khá"), as last year's file gives it."""
    rank: int | None
    ranked: int
    """Graded units of its group last year (the denominator of "3/14")."""
    areas: Mapping[str, Decimal]
    """Area id → points, for the areas whose title matches this year's."""


def last_year(data: Mapping[str, Any], area_titles: Mapping[str, str]) -> dict[str, LastYear]:
    """Unit code → its result in `data` (a loaded results file), for its graded units;
    `area_titles`: this year's area id → title, to match areas by."""
    rubric = data.get("rubric") or {}
    year = rubric.get("year") if isinstance(rubric.get("year"), int) else None
    titles = {
        str(a.get("id")): _folded(str(a.get("title", "")))
        for a in data.get("areas") or []
        if isinstance(a, Mapping)
    }
    same = {
        aid
        for aid, title in area_titles.items()
        if aid in titles and (not titles[aid] or titles[aid] == _folded(title))
    }
    graded: dict[str, int] = {}
    for u in data.get("units") or []:
        if u.get("status") == "graded":
            graded[str(u.get("group"))] = graded.get(str(u.get("group")), 0) + 1
    out: dict[str, LastYear] = {}
    for u in data.get("units") or []:
        if u.get("status") != "graded":
            continue
        group = str(u.get("group"))
        values = {**(u.get("points") or {}), **(u.get("subtotals") or {})}
        areas = {aid: d for aid in same if (d := _decimal(values.get(aid))) is not None}
        out[str(u["code"])] = LastYear(
            year=year,
            group=group,
            total=_decimal(u.get("total")),
            band=u.get("band_label"),
            rank=u.get("rank") if isinstance(u.get("rank"), int) else None,
            ranked=graded.get(group, 0),
            areas=areas,
        )
    return out


def _folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
