"""Units whose band hangs on a hair: on rounding, or on a single cut of the appraisal council.

- rounding: the published total is within `margin` of a band's min (by default one step of the
  rubric's precision, 0.01 at 2 decimals): a rounding of its points one way or the other could
  have put it in the other band;
- appraisal: undoing one of the council's changes to one criterion alone (total + self points −
  appraised points, with a penalty's sign) would put the unit in another band.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ictscore.audit.frame import GroupFrame

_EPS = 1e-9


def classify(total: float, bands: Sequence[Mapping[str, Any]]) -> str | None:
    """The first band (highest first) whose min the total reaches (as `scoring.classify`)."""
    for band in bands:
        if band.get("min") is None or total >= float(band["min"]) - _EPS:
            return str(band["id"])
    return None


def boundary_units(
    frame: GroupFrame, bands: Sequence[Mapping[str, Any]], margin: float
) -> list[dict[str, Any]]:
    signs = {c.id: c.sign for c in frame.criteria}
    found: list[dict[str, Any]] = []
    for unit in frame.units:
        for band in bands:
            low = band.get("min")
            if low is None:
                continue
            gap = unit.total - float(low)
            if abs(gap) < margin - _EPS:
                found.append(
                    _entry(
                        unit.code,
                        unit.name,
                        unit.total,
                        unit.band,
                        "rounding",
                        threshold_band=str(band["id"]),
                        threshold=float(low),
                        gap=round(gap, 6),
                        margin=margin,
                    )
                )
        for cid in unit.appraisal:
            own, council = unit.self_points.get(cid), unit.points.get(cid)
            if own is None or council is None or abs(own - council) <= _EPS:
                continue
            undone = unit.total + signs.get(cid, 1) * (own - council)
            without = classify(undone, bands)
            if without != unit.band:
                found.append(
                    _entry(
                        unit.code,
                        unit.name,
                        unit.total,
                        unit.band,
                        "appraisal",
                        criterion=cid,
                        self_points=own,
                        appraised_points=council,
                        total_without=round(undone, 6),
                        band_without=without,
                    )
                )
    return found


def _entry(
    code: str, name: str, total: float, band: str | None, why: str, **more: Any
) -> dict[str, Any]:
    return {"unit": code, "name": name, "total": total, "band": band, "why": why, **more}
