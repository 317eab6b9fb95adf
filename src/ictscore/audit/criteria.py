"""Does each criterion discriminate between the units of a group, does one dominate, do two
measure the same thing, does any unit reach it.

Per criterion c of a group of n graded units, with x the unit's points and T its total:

- mean and spread (the population standard deviation);
- at_max, at_zero: the share of units at the criterion's maximum, and at 0;
- corr_total: Pearson's correlation of x with T (None when either does not vary);
- variance_share: sign·cov(x, T) / var(T), the criterion's part of the total's variance (the
  shares add up to 1 when the total is the sum of the points; a penalty's sign is −1).

The flags, each with the figure it measured and the threshold it was held to:

- same: the share of units at the criterion's most common value is at least `same_share` (a
  penalty most units do not incur is not flagged);
- dominant: variance_share is at least `dominant_share`;
- pair: two criteria whose points correlate at `pair_corr` or more (in absolute value), in
  a group of at least `pair_min_units` units;
- unreached: no unit scores any point on the criterion (a penalty no unit incurs is not
  flagged).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ictscore.audit.frame import GroupFrame

_EPS = 1e-9


@dataclass(frozen=True)
class CriteriaOptions:
    same_share: float = 0.9
    dominant_share: float = 0.5
    pair_corr: float = 0.95
    min_units: int = 3
    """Fewer graded units than this: no flag (the figures are still given)."""
    pair_min_units: int = 10
    """Fewer graded units than this: no pair (a correlation over a handful of units is chance)."""


def mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def covariance(xs: Sequence[float], ys: Sequence[float]) -> float:
    if not xs:
        return 0.0
    mx, my = mean(xs), mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / len(xs)


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    vx, vy = covariance(xs, xs), covariance(ys, ys)
    if vx <= _EPS or vy <= _EPS:
        return None
    return max(-1.0, min(1.0, covariance(xs, ys) / math.sqrt(vx * vy)))


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def criteria_measures(frame: GroupFrame) -> list[dict[str, Any]]:
    """One row per criterion of the group: its figures."""
    totals = frame.totals()
    var_total = covariance(totals, totals)
    n = len(frame.units)
    rows = []
    for c in frame.criteria:
        xs = frame.column(c.id)
        share = c.sign * covariance(xs, totals) / var_total if var_total > _EPS else None
        rows.append(
            {
                "id": c.id,
                "title": c.title,
                "max": c.max,
                "kind": c.kind,
                "mean": _r(mean(xs)),
                "spread": _r(math.sqrt(covariance(xs, xs))),
                "best": max(xs) if xs else None,
                "at_max": _r(sum(x >= c.max - _EPS for x in xs) / n) if n else None,
                "at_zero": _r(sum(abs(x) <= _EPS for x in xs) / n) if n else None,
                "corr_total": _r(correlation(xs, totals)),
                "variance_share": _r(share),
            }
        )
    return rows


def criteria_flags(
    frame: GroupFrame, rows: Sequence[dict[str, Any]], options: CriteriaOptions
) -> list[dict[str, Any]]:
    """The flags on the group's criteria (none when it has fewer than `min_units` units)."""
    if len(frame.units) < options.min_units:
        return []
    flags: list[dict[str, Any]] = []
    for c, row in zip(frame.criteria, rows, strict=True):
        xs = frame.column(c.id)
        if c.kind == "penalty" and max(xs) <= _EPS:
            continue  # no unit penalised: as it should be
        value, count = Counter(round(x, 6) for x in xs).most_common(1)[0]
        modal = count / len(xs)
        if max(xs) <= _EPS:
            flags.append(_flag("unreached", [c.id], 0.0, c.max))
        elif modal >= options.same_share and not (c.kind == "penalty" and value == 0):
            flags.append(_flag("same", [c.id], round(modal, 4), options.same_share, value=value))
        share = row["variance_share"]
        if share is not None and share >= options.dominant_share:
            flags.append(_flag("dominant", [c.id], share, options.dominant_share))
    if len(frame.units) >= options.pair_min_units:
        flags.extend(_pairs(frame, options.pair_corr))
    return flags


def _pairs(frame: GroupFrame, threshold: float) -> list[dict[str, Any]]:
    columns = [(c.id, frame.column(c.id)) for c in frame.criteria]
    found = []
    for i, (a, xs) in enumerate(columns):
        for b, ys in columns[i + 1 :]:
            r = correlation(xs, ys)
            if r is not None and abs(r) >= threshold:
                found.append(_flag("pair", [a, b], round(r, 4), threshold))
    return found


def _flag(
    kind: str, criteria: list[str], figure: float, threshold: float, value: float | None = None
) -> dict[str, Any]:
    flag: dict[str, Any] = {
        "kind": kind,
        "criteria": criteria,
        "figure": figure,
        "threshold": threshold,
    }
    if value is not None:
        flag["value"] = value
    return flag
