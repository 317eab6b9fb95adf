"""Ranks and bands under uncertainty: a seeded Monte Carlo over the criteria's weights.

Each run draws one factor per criterion of the group, uniformly in [1 − w, 1 + w] (`weights`, 0.2
for ±20%), and re-scores every unit as `grading.scoring.total_up` does: each leaf's published
points times its factor, added up (or the best taken) through the rubric's tree, each capped
parent stopped at its cap, base + bonus − penalty, never below 0 unless the rubric allows it
(`frame.Tree`). Points scored against the group's best are taken as published (the best unit is
not re-chosen), and a rescaled base keeps its published maximum. With no perturbation it gives
back the published totals exactly. A frame without a tree moves the published total linearly
(total + Σ sign·(factor − 1)·points). total' is
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

from ictscore.audit.frame import GroupFrame, Parent, Tree

CHUNK = 100
"""Runs re-scored at a time: the memory is runs × units for the ranks, not more."""
CELLS = 4_000_000
"""Leaf values (runs × units × leaves) held at a time when re-scoring through the tree."""


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
        if frame.tree is None:
            moved = base + factors @ points.T
        else:
            moved = _rescore(frame.tree, points * signs, factors)
        totals = _round_half_up(moved, precision)
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


def _rescore(
    tree: Tree, points: npt.NDArray[np.float64], factors: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """The totals (runs × units) of `points` (units × leaves, as published) under `factors`
    (runs × leaves, each a weight's change: 0.1 for +10%), through the rubric's tree."""
    runs, units = factors.shape[0], points.shape[0]
    step = max(1, CELLS // max(1, units * points.shape[1]))
    out = np.empty((runs, units), dtype=np.float64)
    for start in range(0, runs, step):
        part = factors[start : start + step]
        leaves = (1.0 + part)[:, None, :] * points[None, :, :]
        out[start : start + step] = _total(tree, leaves)
    return out


def _total(tree: Tree, leaves: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    values: list[npt.NDArray[np.float64]] = []
    for node in tree.nodes:
        if not isinstance(node, Parent):
            values.append(leaves[:, :, node])
            continue
        children = np.stack([values[c] for c in node.children]) if node.children else None
        if children is None:
            value = np.zeros(leaves.shape[:2])
        elif node.combine == "best_of":
            value = children.max(axis=0)
        else:
            value = children.sum(axis=0)
        values.append(value if node.cap is None else np.minimum(value, node.cap))
    kinds = {"base": np.zeros(leaves.shape[:2]), "bonus": np.zeros(leaves.shape[:2])}
    kinds["penalty"] = np.zeros(leaves.shape[:2])
    for position, kind in tree.areas:
        kinds[kind] = kinds[kind] + values[position]
    base = kinds["base"]
    if tree.rescale_to is not None and tree.base_max:
        base = base * tree.rescale_to / tree.base_max
    total = base + kinds["bonus"] - kinds["penalty"]
    return total if tree.negative_total else np.maximum(total, 0.0)
