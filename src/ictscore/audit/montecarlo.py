"""Ranks and bands under uncertainty: a seeded Monte Carlo over the criteria's weights.

Each run draws one factor per criterion of the group, uniformly in [1 − w, 1 + w] (`weights`, 0.2
for ±20%), and re-scores every unit: total' = total + Σ sign·(factor − 1)·points (a penalty's
sign is −1). This is a documented simplification of `grading.scoring`: it perturbs the published
total linearly and does not re-apply the caps of parents and areas nor the normalisation against
the group's best; with no perturbation it gives back the published totals exactly. total' is
rounded half up to the rubric's precision, classified in the first band whose min it reaches
(`>=`, as `scoring.classify`), and ranked within the units ranked together (the group, or the
parent) with equal totals sharing a rank (the rubric's tie-breaks are not re-applied).

Per unit: the median rank and its 5–95% interval over the runs, and the share of runs whose band
differs from the band of its published total.

This module is the only one importing numpy, so that `grade` never loads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ictscore.audit.frame import GroupFrame

CHUNK = 100
"""Runs re-scored at a time: the memory is runs × units for the ranks, not more."""


@dataclass(frozen=True)
class MonteCarloOptions:
    runs: int = 1000
    seed: int = 0
    weights: float = 0.2


def _round_half_up(x: npt.NDArray[np.float64], precision: int) -> npt.NDArray[np.float64]:
    scale = 10.0**precision
    return np.floor(x * scale + 0.5 + 1e-7) / scale


def band_index(
    totals: npt.NDArray[np.float64], mins: Sequence[float | None]
) -> npt.NDArray[np.int16]:
    """The index of the first band (highest first) whose min each total reaches."""
    index = np.full(totals.shape, len(mins) - 1, dtype=np.int16)
    for i in range(len(mins) - 1, -1, -1):
        low = mins[i]
        if low is not None:
            index[totals >= low - 1e-9] = i
    return index


def _ranks(totals: npt.NDArray[np.float64], keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int32]:
    """Competition ranks (1 + the number of higher totals) of each row, within each key."""
    runs, n = totals.shape
    ranks = np.empty((runs, n), dtype=np.int32)
    for key in np.unique(keys):
        cols = np.flatnonzero(keys == key)
        block = -totals[:, cols]
        ordered = np.sort(block, axis=1)
        for r in range(runs):
            ranks[r, cols] = np.searchsorted(ordered[r], block[r], side="left") + 1
    return ranks


def simulate(
    frame: GroupFrame, mins: Sequence[float | None], precision: int, options: MonteCarloOptions
) -> list[dict[str, Any]]:
    """Per unit of the group: its published rank (within its parent when the group is ranked
    by parent: `ranked_within` names it), the median rank and 5–95% interval over the
    runs, and the share of runs in which its band changes."""
    n = len(frame.units)
    if n == 0 or options.runs <= 0:
        return []
    signs = np.array([c.sign for c in frame.criteria], dtype=np.float64)
    points = (
        np.array(
            [[(u.points.get(c.id) or 0.0) for c in frame.criteria] for u in frame.units],
            dtype=np.float64,
        ).reshape(n, len(frame.criteria))
        * signs
    )
    base = np.array(frame.totals(), dtype=np.float64)
    codes = sorted({u.rank_key for u in frame.units})
    keys = np.array([codes.index(u.rank_key) for u in frame.units], dtype=np.int64)
    published = band_index(_round_half_up(base, precision), mins)
    rng = np.random.default_rng(options.seed)
    ranks = np.empty((options.runs, n), dtype=np.int32)
    changed = np.zeros(n, dtype=np.int64)
    for start in range(0, options.runs, CHUNK):
        size = min(CHUNK, options.runs - start)
        factors = rng.uniform(-options.weights, options.weights, (size, len(frame.criteria)))
        totals = _round_half_up(base + factors @ points.T, precision)
        ranks[start : start + size] = _ranks(totals, keys)
        changed += (band_index(totals, mins) != published).sum(axis=0)
    low = np.percentile(ranks, 5, axis=0, method="lower")
    mid = np.percentile(ranks, 50, axis=0, method="lower")
    high = np.percentile(ranks, 95, axis=0, method="higher")
    return [
        {
            "unit": u.code,
            "name": u.name,
            "total": u.total,
            "band": u.band,
            "rank": u.rank,
            "ranked_within": u.parent_name,
            "median_rank": int(mid[i]),
            "low": int(low[i]),
            "high": int(high[i]),
            "band_changes": round(float(changed[i]) / options.runs, 4),
        }
        for i, u in enumerate(frame.units)
    ]
