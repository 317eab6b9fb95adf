"""Input values far outside their group: the robust z-score of Iglewicz and Hoaglin.

For each numeric input (a criterion's slot) of a group, over the units that typed a number:
M = the median, MAD = the median of |x − M|, and z = 0.6745·(x − M) / MAD. A value is listed when
|z| exceeds `z` (3.5 by default). A slot with fewer than `min_units` numbers (8), or a MAD of 0
(most units typed the same number), gives no outlier: the rule cannot measure a spread there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import median
from typing import Any

from ictscore.audit.frame import GroupFrame


@dataclass(frozen=True)
class OutlierOptions:
    z: float = 3.5
    min_units: int = 8


def outliers(frame: GroupFrame, options: OutlierOptions) -> list[dict[str, Any]]:
    """The group's outlying inputs, the farthest first, located by file and cell."""
    values: dict[tuple[str, str], list[tuple[float, int, str]]] = defaultdict(list)
    for i, unit in enumerate(frame.units):
        for cid, slots in unit.inputs.items():
            for slot, entry in slots.items():
                value = entry.get("value") if isinstance(entry, dict) else None
                if isinstance(value, int | float) and not isinstance(value, bool):
                    values[(cid, slot)].append((float(value), i, str(entry.get("cell") or "")))
    found: list[dict[str, Any]] = []
    for (cid, slot), rows in values.items():
        if len(rows) < options.min_units:
            continue
        m = median(x for x, _, _ in rows)
        mad = median(abs(x - m) for x, _, _ in rows)
        if mad == 0:
            continue
        for x, i, cell in rows:
            z = 0.6745 * (x - m) / mad
            if abs(z) > options.z:
                unit = frame.units[i]
                found.append(
                    {
                        "unit": unit.code,
                        "name": unit.name,
                        "file": unit.file,
                        "cell": cell,
                        "criterion": cid,
                        "input": slot,
                        "value": _plain(x),
                        "median": _plain(m),
                        "mad": _plain(mad),
                        "z": round(z, 2),
                    }
                )
    found.sort(key=lambda o: (-abs(o["z"]), o["unit"], o["criterion"]))
    return found


def _plain(x: float) -> float | int:
    return int(x) if x.is_integer() else round(x, 6)
