"""Year on year: two results files (the JSON contract, "ictscore-report/1") compared.

Pure functions over the loaded JSON (`load_results` reads a file). Units are matched by code:
the change in total, band and rank; units new this year or gone (merged communes). Criteria are
matched by id when both years used the same rubric, through a mapping (old id → new id) when the
rubric changed, and not at all otherwise (the comparison says so). The headline is the change in
the province's mean total, which the plan sets out to raise.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ictscore.errors import IctscoreError
from ictscore.numbers import round_half_up

FORMAT = "ictscore-report/1"


def load_results(path: Path) -> dict[str, Any]:
    """A results file written by `ictscore grade --output x.json` (or `--format json`)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IctscoreError(f"{path}: cannot read the results file: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise IctscoreError(
            f'{path}: not an ictscore results file (expected "format": "{FORMAT}"; '
            "write one with `ictscore grade DIR --output results.json`)"
        )
    return data


def load_mapping(path: Path) -> dict[str, str]:
    """Old criterion id → new id, from a two-column CSV (`old,new`) or a YAML mapping."""
    import csv

    import yaml

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise IctscoreError(f"{path}: cannot read the mapping: {exc}") from exc
    if path.suffix.lower() == ".csv":
        rows = [r for r in csv.reader(text.splitlines()) if r and any(c.strip() for c in r)]
        if rows and [c.strip().lower() for c in rows[0][:2]] == ["old", "new"]:
            rows = rows[1:]
        bad = [i for i, r in enumerate(rows, start=2) if len(r) < 2 or not r[0].strip()]
        if bad:
            raise IctscoreError(f"{path}:{bad[0]}: expected two columns: old id, new id")
        return {r[0].strip(): r[1].strip() for r in rows}
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise IctscoreError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise IctscoreError(f"{path}: expected a mapping of old criterion id: new criterion id")
    return {str(k): str(v) for k, v in data.items() if v is not None}


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class UnitChange:
    code: str
    name: str
    group: str
    last_total: Decimal | None
    this_total: Decimal | None
    last_band: str | None
    this_band: str | None
    last_rank: int | None
    this_rank: int | None

    @property
    def change(self) -> Decimal | None:
        if self.last_total is None or self.this_total is None:
            return None
        return self.this_total - self.last_total

    @property
    def status(self) -> str:
        """new, gone, or both (graded or not)."""
        if self.last_total is None and self.this_total is None:
            return "not graded"
        if self.last_total is None:
            return "new"
        if self.this_total is None:
            return "gone"
        return "both"


@dataclass(frozen=True)
class CriterionChange:
    criterion: str
    """This year's id."""
    last_id: str
    last_mean: Decimal
    this_mean: Decimal

    @property
    def change(self) -> Decimal:
        return self.this_mean - self.last_mean


@dataclass(frozen=True)
class Comparison:
    last_year: int | None
    this_year: int | None
    last_mean: Decimal | None
    this_mean: Decimal | None
    group_means: tuple[tuple[str, Decimal | None, Decimal | None], ...]
    """(group label, last mean, this mean), for the groups of this year's results."""
    units: tuple[UnitChange, ...]
    criteria: tuple[CriterionChange, ...]
    criteria_note: str
    """How criteria were matched, or why they were not compared."""

    @property
    def headline(self) -> str:
        """The change in the province's mean total, in Vietnamese."""
        from ictscore.numbers import vn_number

        if self.last_mean is None or self.this_mean is None:
            return "Không đủ số liệu để so sánh điểm trung bình toàn tỉnh."
        diff = self.this_mean - self.last_mean
        word = "tăng" if diff > 0 else "giảm" if diff < 0 else "không đổi"
        years = f" ({self.last_year} → {self.this_year})" if self.last_year else ""
        return (
            f"Điểm trung bình toàn tỉnh {word}{years}: {vn_number(self.last_mean, 2)} → "
            f"{vn_number(self.this_mean, 2)} ({'+' if diff > 0 else ''}{vn_number(diff, 2)} điểm)."
        )


def _graded(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [u for u in data["units"] if u.get("status") == "graded" and u.get("total") is not None]


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return round_half_up(sum(values, Decimal(0)) / len(values), 2)


def compare(
    last: Mapping[str, Any], this: Mapping[str, Any], mapping: Mapping[str, str] | None = None
) -> Comparison:
    """Compare two years' results (see the module docstring)."""
    last_units = {u["code"]: u for u in last["units"]}
    this_units = {u["code"]: u for u in this["units"]}
    changes: list[UnitChange] = []
    for code in sorted(set(last_units) | set(this_units)):
        old, new = last_units.get(code), this_units.get(code)
        ref = new or old
        assert ref is not None

        def graded(u: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
            return u if u is not None and u.get("status") == "graded" else None

        o, n = graded(old), graded(new)
        changes.append(
            UnitChange(
                code=code,
                name=ref.get("name", code),
                group=ref.get("group", ""),
                last_total=_dec(o["total"]) if o else None,
                this_total=_dec(n["total"]) if n else None,
                last_band=o.get("band_label") if o else None,
                this_band=n.get("band_label") if n else None,
                last_rank=o.get("rank") if o else None,
                this_rank=n.get("rank") if n else None,
            )
        )
    same_rubric = (last["rubric"].get("id"), last["rubric"].get("version")) == (
        this["rubric"].get("id"),
        this["rubric"].get("version"),
    )
    if mapping is not None:
        pairs = {new: old for old, new in mapping.items()}
        note = f"criteria matched through the mapping ({len(mapping)} ids)"
    elif same_rubric:
        pairs = None
        note = "criteria matched by id (the same rubric and version both years)"
    else:
        pairs = {}
        note = (
            f"the rubric changed ({last['rubric'].get('id')} {last['rubric'].get('version')} → "
            f"{this['rubric'].get('id')} {this['rubric'].get('version')}) and no mapping was "
            "given (--mapping old,new): only totals are compared"
        )
    criteria: list[CriterionChange] = []
    if pairs != {}:
        last_points = _points_by_criterion(last)
        this_points = _points_by_criterion(this)
        for cid, values in this_points.items():
            old_id = cid if pairs is None else pairs.get(cid)
            if old_id is None or old_id not in last_points:
                continue
            last_mean, this_mean = _mean(last_points[old_id]), _mean(values)
            assert last_mean is not None and this_mean is not None
            criteria.append(CriterionChange(cid, old_id, last_mean, this_mean))
    labels = {g["id"]: g["label"] for g in this["groups"]}
    group_means = tuple(
        (
            labels[g],
            _mean([_total(u) for u in _graded(last) if u["group"] == g]),
            _mean([_total(u) for u in _graded(this) if u["group"] == g]),
        )
        for g in labels
    )
    return Comparison(
        last_year=last["rubric"].get("year"),
        this_year=this["rubric"].get("year"),
        last_mean=_mean([_total(u) for u in _graded(last)]),
        this_mean=_mean([_total(u) for u in _graded(this)]),
        group_means=group_means,
        units=tuple(changes),
        criteria=tuple(criteria),
        criteria_note=note,
    )


def _total(unit: Mapping[str, Any]) -> Decimal:
    value = _dec(unit["total"])
    assert value is not None
    return value


def _points_by_criterion(data: Mapping[str, Any]) -> dict[str, list[Decimal]]:
    out: dict[str, list[Decimal]] = {}
    for u in _graded(data):
        for cid, points in (u.get("points") or {}).items():
            if points is not None:
                out.setdefault(cid, []).append(Decimal(str(points)))
    return out


def comparison_dict(c: Comparison) -> dict[str, Any]:
    """The comparison as JSON-ready data ("ictscore-compare/1")."""

    def num(v: Decimal | None) -> float | int | None:
        if v is None:
            return None
        return int(v) if v == v.to_integral_value() else float(v)

    return {
        "format": "ictscore-compare/1",
        "headline": c.headline,
        "years": [c.last_year, c.this_year],
        "mean": {"last": num(c.last_mean), "this": num(c.this_mean)},
        "groups": [
            {"label": label, "last_mean": num(a), "this_mean": num(b)}
            for label, a, b in c.group_means
        ],
        "units": [
            {
                "code": u.code,
                "name": u.name,
                "group": u.group,
                "status": u.status,
                "last_total": num(u.last_total),
                "this_total": num(u.this_total),
                "change": num(u.change),
                "last_band": u.last_band,
                "this_band": u.this_band,
                "last_rank": u.last_rank,
                "this_rank": u.this_rank,
            }
            for u in c.units
        ],
        "criteria_note": c.criteria_note,
        "criteria": [
            {
                "criterion": k.criterion,
                "last_id": k.last_id,
                "last_mean": num(k.last_mean),
                "this_mean": num(k.this_mean),
                "change": num(k.change),
            }
            for k in c.criteria
        ],
    }
