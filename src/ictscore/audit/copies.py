"""Sheets that look copied: pairs of units of a group that typed the same inputs, or the same
evidence texts.

An input (a criterion's slot: a numerator, an answer, a count…) of a unit *counts* when it is not
blank, not 0, and its value is not one that more than `common_share` of the group's units typed
(at least 2 units): a "Có" most units answer, or a maximum most reach, is no sign of copying. Two
units *match* on the inputs that count for both with the same value. A pair is listed when it
matches on at least `min_inputs` inputs that are at least `min_share` of the inputs that count
for the unit that has fewer; or when it shares at least `min_evidence` evidence texts (the same
criterion, the same text once spaces and case are evened out, `min_text` characters or more,
held by no more than `rare_share` of the group's units and `rare_max` units, at least 2: a text
every unit copied from the same instruction is no sign).

A group of thousands is not compared pair by pair: the candidates are the pairs that share, on
some run of `band` consecutive inputs, the same values (an index from those values to units;
runs whose values more than `bucket_max` units share are skipped as common patterns), and the
pairs that share an evidence text.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from ictscore.audit.frame import GroupFrame, Unit


@dataclass(frozen=True)
class CopyOptions:
    min_inputs: int = 8
    min_share: float = 0.8
    common_share: float = 0.5
    min_evidence: int = 2
    min_text: int = 12
    rare_share: float = 0.1
    rare_max: int = 10
    band: int = 3
    bucket_max: int = 50


Key = tuple[str, str, Hashable]
"""(criterion, slot, value as compared)."""
Slot = tuple[str, str]


def _same(value: Any) -> Hashable | None:
    """The value as two sheets are compared: numbers as numbers, text with spaces and case
    evened out; None for a blank or a 0."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if value == 0 else round(float(value), 9)
    text = " ".join(str(value).split()).casefold()
    return text or None


def _input_keys(unit: Unit) -> dict[Key, str]:
    keys: dict[Key, str] = {}
    for cid, slots in unit.inputs.items():
        for slot, entry in slots.items():
            value = _same(entry.get("value") if isinstance(entry, Mapping) else entry)
            if value is not None:
                cell = entry.get("cell") if isinstance(entry, Mapping) else None
                keys[(cid, slot, value)] = str(cell or "")
    return keys


def _evidence_keys(unit: Unit, min_text: int) -> dict[Key, str]:
    keys: dict[Key, str] = {}
    for cid, text in unit.evidence.items():
        same = " ".join(text.split()).casefold()
        if len(same) >= min_text:
            keys[(cid, "evidence", same)] = text
    return keys


def _candidates(counted: list[set[Key]], band: int, bucket_max: int) -> set[tuple[int, int]]:
    """The pairs (by index) that share the values of some run of `band` consecutive slots."""
    slots = sorted({(c, s) for keys in counted for c, s, _ in keys})
    runs = [slots[i : i + band] for i in range(0, len(slots), band)]
    buckets: dict[tuple[int, tuple[Hashable, ...]], list[int]] = defaultdict(list)
    for unit, keys in enumerate(counted):
        values: dict[Slot, Hashable] = {(c, s): v for c, s, v in keys}
        for r, run in enumerate(runs):
            held = tuple(values.get(slot) for slot in run)
            if sum(v is not None for v in held) >= min(2, len(run)):
                buckets[(r, held)].append(unit)
    pairs: set[tuple[int, int]] = set()
    for holders in buckets.values():
        if 2 <= len(holders) <= bucket_max:
            pairs.update(combinations(holders, 2))
    return pairs


def _shared_texts(keyed: list[dict[Key, str]], cap: int) -> dict[tuple[int, int], list[Key]]:
    """The pairs of units (by index) and the rare evidence texts they share."""
    index: dict[Key, list[int]] = defaultdict(list)
    for i, keys in enumerate(keyed):
        for key in keys:
            index[key].append(i)
    pairs: dict[tuple[int, int], list[Key]] = defaultdict(list)
    for key, holders in index.items():
        if 2 <= len(holders) <= cap:
            for pair in combinations(holders, 2):
                pairs[pair].append(key)
    return pairs


def copied_pairs(frame: GroupFrame, options: CopyOptions) -> list[dict[str, Any]]:
    """The pairs of the group that look copied, the closest first, each with what matched."""
    units = frame.units
    inputs = [_input_keys(u) for u in units]
    held = Counter(key for keys in inputs for key in keys)
    common = max(2, math.floor(options.common_share * len(units)))
    counted = [{k for k in keys if held[k] <= common} for keys in inputs]
    evidence = [_evidence_keys(u, options.min_text) for u in units]
    rare = max(2, min(options.rare_max, math.floor(options.rare_share * len(units))))
    same_evidence = _shared_texts(evidence, rare)
    candidates = _candidates(counted, options.band, options.bucket_max) | set(same_evidence)
    found: list[dict[str, Any]] = []
    for i, j in sorted(candidates):
        order = {key: n for n, key in enumerate(inputs[i])}  # the sheet's order
        keys = sorted(counted[i] & counted[j], key=order.__getitem__)
        texts = same_evidence.get((i, j), [])
        fewer = min(len(counted[i]), len(counted[j]))
        share = len(keys) / fewer if fewer else 0.0
        by_inputs = len(keys) >= options.min_inputs and share >= options.min_share
        if not by_inputs and len(texts) < options.min_evidence:
            continue
        a, b = units[i], units[j]
        found.append(
            {
                "units": [a.code, b.code],
                "names": [a.name, b.name],
                "files": [a.file, b.file],
                "matching": len(keys),
                "distinctive": fewer,
                "share": round(share, 4),
                "cells": [
                    {
                        "criterion": c,
                        "input": s,
                        "cell": inputs[i][(c, s, v)],
                        "other_cell": inputs[j][(c, s, v)],
                        "value": _shown(v),
                    }
                    for c, s, v in keys
                ],
                "evidence": [{"criterion": c, "text": evidence[i][(c, s, v)]} for c, s, v in texts],
            }
        )
    found.sort(key=lambda p: (-int(p["matching"]) - len(p["evidence"]), list(p["units"])))
    return found


def _shown(value: Hashable) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
