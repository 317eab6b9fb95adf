"""Sheets that look copied: pairs of units of a group that typed the same distinctive inputs,
or the same evidence texts.

An input (a criterion's slot: a numerator, an answer, a count…) of a unit is *distinctive* when
it is not blank, not 0, and its value is held by at most `rare_share` of the group's units (at
least 2): a "Có" most units answer, or a maximum many reach, is no sign of copying. Two units
*match* on the distinctive inputs they share (same slot, same value). A pair is listed when it
matches on at least `min_inputs` inputs that are at least `min_share` of the distinctive inputs
of the unit that has fewer, or when it shares at least `min_evidence` evidence texts (the same
criterion, the same text after spaces and case are evened out, `min_text` characters or more,
held by no other unit of the group beyond `rare_share`).

Only units sharing a distinctive value are ever compared (an index from value to units), so a
group of thousands is not compared pair by pair.
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
    rare_share: float = 0.1
    min_evidence: int = 2
    min_text: int = 12


Key = tuple[str, str, Hashable]
"""(criterion, slot, value as compared)."""


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


def _shared(keyed: list[dict[Key, str]], cap: int) -> dict[tuple[int, int], list[Key]]:
    """The pairs of units (by index) and the rare keys they share."""
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


def _distinctive(keyed: list[dict[Key, str]], cap: int) -> list[int]:
    """How many distinctive inputs each unit has."""
    held = Counter(key for keys in keyed for key in keys)
    return [sum(1 for key in keys if held[key] <= cap) for keys in keyed]


def copied_pairs(frame: GroupFrame, options: CopyOptions) -> list[dict[str, Any]]:
    """The pairs of the group that look copied, the closest first, each with what matched."""
    units = frame.units
    cap = max(2, math.floor(options.rare_share * len(units)))
    inputs = [_input_keys(u) for u in units]
    evidence = [_evidence_keys(u, options.min_text) for u in units]
    counts = _distinctive(inputs, cap)
    same_inputs = _shared(inputs, cap)
    same_evidence = _shared(evidence, cap)
    found: list[dict[str, Any]] = []
    for i, j in sorted(set(same_inputs) | set(same_evidence)):
        keys = same_inputs.get((i, j), [])
        texts = same_evidence.get((i, j), [])
        fewer = min(counts[i], counts[j])
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
    found.sort(key=lambda p: (-p["matching"] - len(p["evidence"]), p["units"]))
    return found


def _shown(value: Hashable) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
