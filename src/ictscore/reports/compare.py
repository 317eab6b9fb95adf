"""Year on year: two results files (the JSON contract, "ictscore-report/1") compared.

Pure functions over the loaded JSON (`load_results` reads a file). Units are matched by code:
the change in total, band and rank; units new this year or gone (merged communes). Criteria are
matched by id when both years used the same rubric, through a mapping (old id → new id) when the
rubric changed, and not at all otherwise (the comparison says so). The headline is the change in
the province's mean total, which the plan sets out to raise.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from ictscore.errors import IctscoreError
from ictscore.numbers import round_half_up
from ictscore.yamlfile import load_yaml

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
    try:
        assert isinstance(data["rubric"], dict) and isinstance(data["groups"], list)
        for unit in data["units"]:
            assert isinstance(unit["code"], str) and isinstance(unit["group"], str)
            if unit.get("total") is not None:
                Decimal(str(unit["total"]))
            for value in (unit.get("points") or {}).values():
                if value is not None:
                    Decimal(str(value))
    except (KeyError, TypeError, AssertionError, ArithmeticError) as exc:
        raise IctscoreError(
            f"{path}: a damaged results file (missing or malformed {exc or 'field'}): write it "
            "again with `ictscore grade DIR --output results.json`"
        ) from exc
    return data


def load_mapping(path: Path) -> dict[str, str]:
    """Old criterion id → new id, from a two-column CSV (`old,new`) or a YAML mapping."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise IctscoreError(f"{path}: cannot read the mapping: {exc}") from exc
    pairs: list[tuple[int, str, str]] = []
    if path.suffix.lower() == ".csv":
        for line, row in enumerate(csv.reader(text.splitlines()), start=1):
            if not row or not any(c.strip() for c in row):
                continue
            if not pairs and [c.strip().lower() for c in row[:2]] == ["old", "new"]:
                continue
            if len(row) < 2 or not row[0].strip() or not row[1].strip():
                raise IctscoreError(f"{path}:{line}: expected two columns: old id, new id")
            pairs.append((line, row[0].strip(), row[1].strip()))
    else:
        try:  # every scalar as text: 3.10 stays "3.10", not the number 3.1; no key twice
            data = load_yaml(text, text_scalars=True, duplicate="old id {key} is mapped twice")
        except yaml.YAMLError as exc:
            raise IctscoreError(f"{path}: not valid YAML: {exc}") from exc
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise IctscoreError(f"{path}: expected a mapping of old criterion id: new criterion id")
        pairs = [(0, str(k).strip(), v.strip()) for k, v in data.items()]
    mapping: dict[str, str] = {}
    targets: dict[str, str] = {}
    for line, old, new in pairs:
        where = f"{path}:{line}" if line else str(path)
        if not old or not new:
            raise IctscoreError(f"{where}: expected an old id and a new id")
        if old in mapping:
            raise IctscoreError(f"{where}: old id {old} is mapped twice")
        if new in targets:
            raise IctscoreError(
                f"{where}: new id {new} is mapped from both {targets[new]} and {old}: one old "
                "criterion per new one"
            )
        mapping[old], targets[new] = new, old
    return mapping


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
    last_status: str | None = None
    """graded, invalid or missing last year; None: not in last year's results."""
    this_status: str | None = None

    @property
    def change(self) -> Decimal | None:
        if self.last_total is None or self.this_total is None:
            return None
        return self.this_total - self.last_total

    @property
    def status(self) -> str:
        """new (not in last year's results), gone (not in this year's), both (graded both
        years), or not graded (in both results, but not graded in one of them)."""
        if self.last_status is None:
            return "new"
        if self.this_status is None:
            return "gone"
        if self.last_total is None or self.this_total is None:
            return "not graded"
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
    group_order: tuple[str, ...] = ()
    """Group ids in the order of this year's rubric."""

    @property
    def headline(self) -> str:
        """The change in the province's mean total, in Vietnamese."""
        from ictscore.numbers import vn_number

        if self.last_mean is None or self.this_mean is None:
            return "Không đủ số liệu để so sánh điểm trung bình toàn tỉnh."
        diff = self.this_mean - self.last_mean
        this_year = f"Năm {self.this_year}, đ" if self.this_year else "Đ"
        last_year = f"năm {self.last_year}" if self.last_year else "năm trước"
        last, now = vn_number(self.last_mean, 2), vn_number(self.this_mean, 2)
        if diff == 0:
            return f"{this_year}iểm trung bình toàn tỉnh không đổi so với {last_year} ({now})."
        word, direction = ("tăng", "lên") if diff > 0 else ("giảm", "xuống")
        return (
            f"{this_year}iểm trung bình toàn tỉnh {word} {vn_number(abs(diff), 2)} điểm so với "
            f"{last_year} (từ {last} {direction} {now})."
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
                last_status=old.get("status") if old else None,
                this_status=new.get("status") if new else None,
            )
        )
    same_rubric = (last["rubric"].get("id"), last["rubric"].get("version")) == (
        this["rubric"].get("id"),
        this["rubric"].get("version"),
    )
    if mapping is not None:
        last_ids, this_ids = set(_points_by_criterion(last)), set(_points_by_criterion(this))
        pairs = {cid: cid for cid in last_ids & this_ids if cid not in mapping}
        pairs.update({new: old for old, new in mapping.items()})
        unknown = sorted(
            {o for o in mapping if o not in last_ids}
            | {n for n in mapping.values() if n not in this_ids}
        )
        note = f"criteria matched through the mapping ({len(mapping)} ids; the others by id)"
        if unknown:
            note += f"; ids in the mapping but not in the results: {', '.join(unknown)}"
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
        group_order=tuple(labels),
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
