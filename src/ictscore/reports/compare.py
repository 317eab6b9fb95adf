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
from pydantic import BaseModel, ConfigDict, ValidationError

from ictscore.errors import ResultsFileError
from ictscore.inputfile import InputFileError, read_input
from ictscore.messages import N_, Msg
from ictscore.numbers import round_half_up, vn_number
from ictscore.text import clip
from ictscore.yamlfile import load_yaml

FORMAT = "ictscore-report/1"
MAX_RESULTS_BYTES = 512 * 1024 * 1024
"""A results file of 10,000 units is about 40 MB; a larger file is not one of ictscore's."""
MAX_MAPPING_BYTES = 1024 * 1024
NOT_UTF8_RESULTS = N_(
    "{path}: not UTF-8 text: is this a results file written by `ictscore grade -o results.json`?"
)
NOT_UTF8_MAPPING = N_(
    "{path}: not UTF-8 text (byte {byte}): save the mapping as UTF-8 (a CSV old,new, or YAML)"
)


def load_results(path: Path) -> dict[str, Any]:
    """A results file written by `ictscore grade --output x.json` (or `--format json`), checked
    against the part of the contract `compare` reads (`_ResultsFile`)."""
    try:
        data = json.loads(read_input(path, MAX_RESULTS_BYTES, "results").decode("utf-8"))
    except UnicodeDecodeError as exc:  # not Python's words ("'utf-8' codec can't decode …")
        raise ResultsFileError(Msg(NOT_UTF8_RESULTS, path=str(path))) from exc
    except (InputFileError, json.JSONDecodeError) as exc:
        raise ResultsFileError(f"{path}: cannot read the results file: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ResultsFileError(
            f'{path}: not an ictscore results file (expected "format": "{FORMAT}"; '
            "write one with `ictscore grade DIR --output results.json`)"
        )
    try:
        _ResultsFile.model_validate(data)
    except ValidationError as exc:
        problems = exc.errors(include_url=False)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ResultsFileError(
            f"{path}: a damaged results file: {_problem(problems[0])}{more}; write it again "
            "with `ictscore grade DIR --output results.json`"
        ) from None
    return data


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Rubric(_Part):
    id: str | None = None
    version: str | None = None
    year: int | None = None


class _Group(_Part):
    id: str
    label: str


class _Band(_Part):
    id: str
    label: str


class _Unit(_Part):
    code: str
    group: str
    name: str | None = None
    parent: str | None = None
    parent_name: str | None = None
    band: str | None = None
    status: str | None = None
    total: Decimal | None = None
    band_label: str | None = None
    rank: int | None = None
    points: dict[str, Decimal | None] | None = None


class _ResultsFile(_Part):
    """What `compare` reads of a results file; the rest of the contract is not its concern."""

    rubric: _Rubric
    groups: list[_Group]
    bands: list[_Band] = []
    units: list[_Unit]


_EXPECTED = {
    "string": "should be text",
    "int": "should be a whole number",
    "decimal": "should be a number",
    "dict": "should be a mapping ({…})",
    "model": "should be a mapping ({…})",
    "list": "should be a list ([…])",
}


def _problem(error: Mapping[str, Any]) -> str:
    """One validation error in the project's words: `units[3].total: should be a number, found
    "abc"`."""
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
    where = where.lstrip(".")
    kind = str(error["type"])
    if kind == "missing":
        return f"{where}: missing"
    said = next((v for k, v in _EXPECTED.items() if kind.startswith(k)), "is malformed")
    found = json.dumps(error.get("input"), ensure_ascii=False, default=str)
    return f"{where}: {said}, found {clip(found, 40)}"


def load_mapping(path: Path) -> dict[str, str]:
    """Old criterion id → new id, from a two-column CSV (`old,new`) or a YAML mapping."""
    try:
        text = read_input(path, MAX_MAPPING_BYTES, "mapping").decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResultsFileError(Msg(NOT_UTF8_MAPPING, path=str(path), byte=exc.start)) from exc
    except InputFileError as exc:
        raise ResultsFileError(f"{path}: cannot read the mapping: {exc}") from exc
    read = _csv_pairs if path.suffix.lower() == ".csv" else _yaml_pairs
    pairs = read(path, text)
    mapping: dict[str, str] = {}
    targets: dict[str, str] = {}
    for line, old, new in pairs:
        where = f"{path}:{line}" if line else str(path)
        if not old or not new:
            raise ResultsFileError(f"{where}: expected an old id and a new id")
        if old in mapping:
            raise ResultsFileError(f"{where}: old id {old} is mapped twice")
        if new in targets:
            raise ResultsFileError(
                f"{where}: new id {new} is mapped from both {targets[new]} and {old}: one old "
                "criterion per new one"
            )
        mapping[old], targets[new] = new, old
    return mapping


def _csv_pairs(path: Path, text: str) -> list[tuple[int, str, str]]:
    """(line, old id, new id) of each row; a header `old,new` and blank rows skipped."""
    pairs: list[tuple[int, str, str]] = []
    for line, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or not any(c.strip() for c in row):
            continue
        if not pairs and [c.strip().lower() for c in row[:2]] == ["old", "new"]:
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise ResultsFileError(f"{path}:{line}: expected two columns: old id, new id")
        pairs.append((line, row[0].strip(), row[1].strip()))
    return pairs


def _yaml_pairs(path: Path, text: str) -> list[tuple[int, str, str]]:
    """(0, old id, new id) of each key of a YAML mapping (its lines are not kept)."""
    try:  # every scalar as text: 3.10 stays "3.10", not the number 3.1; no key twice
        data = load_yaml(text, text_scalars=True, duplicate="old id {key} is mapped twice")
    except yaml.YAMLError as exc:
        raise ResultsFileError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ResultsFileError(f"{path}: expected a mapping of old criterion id: new criterion id")
    return [(0, str(k).strip(), v.strip()) for k, v in data.items()]


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
    parent_name: str | None = None
    """The district (or other parent) the unit belongs to, from the results file."""
    parent: str | None = None
    """That district's code, from the results file."""
    band_step: int | None = None
    """Bands climbed since last year (1: one band higher, -1: one lower, 0: the same band);
    None unless the unit was banded both years in bands this year's rubric knows."""

    @property
    def display_name(self) -> str:
        """The name with its district: "Phường 2 (Thành phố Mỹ Tho)"."""
        return f"{self.name} ({self.parent_name})" if self.parent_name else self.name

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
class GroupChange:
    """A group of this year's rubric (or a group only last year had): its means and its units'
    bands each year."""

    id: str
    label: str
    last_mean: Decimal | None
    this_mean: Decimal | None
    bands: tuple[BandCount, ...] = ()

    @property
    def change(self) -> Decimal | None:
        if self.last_mean is None or self.this_mean is None:
            return None
        return self.this_mean - self.last_mean


@dataclass(frozen=True)
class BandCount:
    """How many graded units were in a band each year (matched by the band's label)."""

    label: str
    last: int
    this: int


@dataclass(frozen=True)
class Comparison:
    last_year: int | None
    this_year: int | None
    last_mean: Decimal | None
    this_mean: Decimal | None
    groups: tuple[GroupChange, ...]
    """This year's groups in the rubric's order, then any group only last year had."""
    units: tuple[UnitChange, ...]
    criteria: tuple[CriterionChange, ...]
    criteria_note: str
    """How criteria were matched, or why they were not compared (English, for the JSON)."""
    bands: tuple[BandCount, ...] = ()
    """Every graded unit of the province by band, this year's bands from the best down."""
    criteria_note_vi: str = ""
    """The note in Vietnamese, under the tables."""

    @property
    def years_differ(self) -> bool:
        """Both files know their year and the years differ. Otherwise (the same year, before
        and after the appraisal, say; or a year unknown) the two are told apart as the earlier
        and the later grading, never by a year that would name both."""
        return (
            self.last_year is not None
            and self.this_year is not None
            and self.last_year != self.this_year
        )

    @property
    def column_labels(self) -> tuple[str, str]:
        """The headers of the two figures: ("Năm 2019", "Năm 2020"), or ("Trước", "Sau")."""
        if self.years_differ:
            return f"Năm {self.last_year}", f"Năm {self.this_year}"
        return "Trước", "Sau"

    @property
    def last_phrase(self) -> str:
        """The earlier file in a sentence: "năm 2019", or "lần chấm trước"."""
        return f"năm {self.last_year}" if self.years_differ else "lần chấm trước"

    @property
    def this_phrase(self) -> str:
        """The later file in a sentence: "năm 2020", or "lần chấm này" (its year unknown)."""
        return f"năm {self.this_year}" if self.this_year else "lần chấm này"

    @property
    def both_phrase(self) -> str:
        """ "cả hai năm", or "cả hai lần chấm"."""
        return "cả hai năm" if self.years_differ else "cả hai lần chấm"

    @property
    def group_order(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.groups)

    @property
    def headline(self) -> str:
        """The change in the province's mean total, in Vietnamese."""
        if self.last_mean is None or self.this_mean is None:
            return "Không đủ số liệu để so sánh điểm trung bình toàn tỉnh."
        diff = self.this_mean - self.last_mean
        this_year = f"Năm {self.this_year}, đ" if self.this_year else "Đ"
        last_year = self.last_phrase
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
    pairs, note, note_vi = _criterion_pairs(last, this, mapping)
    labels = {g["id"]: g["label"] for g in this["groups"]}
    for g in last["groups"]:  # a group only last year had: after this year's
        labels.setdefault(g["id"], g["label"])
    band_labels = _band_labels(last, this)
    return Comparison(
        last_year=last["rubric"].get("year"),
        this_year=this["rubric"].get("year"),
        last_mean=_mean([_total(u) for u in _graded(last)]),
        this_mean=_mean([_total(u) for u in _graded(this)]),
        groups=tuple(
            _group_change(last, this, g, label, band_labels) for g, label in labels.items()
        ),
        units=_unit_changes(last, this),
        criteria=_criterion_changes(last, this, pairs),
        criteria_note=note,
        criteria_note_vi=note_vi,
        bands=_band_counts(_graded(last), _graded(this), band_labels),
    )


def _band_labels(last: Mapping[str, Any], this: Mapping[str, Any]) -> list[str]:
    """The bands' labels, best first: this year's, then any only last year had."""
    out = [b["label"] for b in this.get("bands", [])]
    out += [b["label"] for b in last.get("bands", []) if b["label"] not in out]
    return out


def _band_counts(
    last: list[Mapping[str, Any]], this: list[Mapping[str, Any]], labels: list[str]
) -> tuple[BandCount, ...]:
    def count(units: list[Mapping[str, Any]], label: str) -> int:
        return sum(1 for u in units if u.get("band_label") == label)

    return tuple(BandCount(b, count(last, b), count(this, b)) for b in labels)


def _unit_changes(last: Mapping[str, Any], this: Mapping[str, Any]) -> tuple[UnitChange, ...]:
    """Every unit of either year, by code: its total, band and rank each year."""
    last_units = {u["code"]: u for u in last["units"]}
    this_units = {u["code"]: u for u in this["units"]}
    order = [b["label"] for b in this.get("bands", [])]
    return tuple(
        _unit_change(code, last_units.get(code), this_units.get(code), order)
        for code in sorted(set(last_units) | set(this_units))
    )


def _unit_change(
    code: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    bands: list[str],
) -> UnitChange:
    ref = new or old
    assert ref is not None
    o, n = _if_graded(old), _if_graded(new)
    last_band = o.get("band_label") if o else None
    this_band = n.get("band_label") if n else None
    step = None
    if last_band in bands and this_band in bands:
        step = bands.index(last_band) - bands.index(this_band)
    return UnitChange(
        code=code,
        name=ref.get("name") or code,
        group=ref.get("group", ""),
        last_total=_dec(o["total"]) if o else None,
        this_total=_dec(n["total"]) if n else None,
        last_band=last_band,
        this_band=this_band,
        last_rank=o.get("rank") if o else None,
        this_rank=n.get("rank") if n else None,
        last_status=old.get("status") if old else None,
        this_status=new.get("status") if new else None,
        parent_name=ref.get("parent_name") or (old or {}).get("parent_name") or None,
        parent=ref.get("parent") or (old or {}).get("parent") or None,
        band_step=step,
    )


def _if_graded(unit: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    return unit if unit is not None and unit.get("status") == "graded" else None


def _criterion_pairs(
    last: Mapping[str, Any], this: Mapping[str, Any], mapping: Mapping[str, str] | None
) -> tuple[dict[str, str] | None, str, str]:
    """How criteria are matched: this year's id → last year's (None: by id, both years having
    the same rubric; empty: not at all), and a note saying so, in English and Vietnamese."""
    if mapping is not None:
        last_ids, this_ids = set(_points_by_criterion(last)), set(_points_by_criterion(this))
        pairs = {cid: cid for cid in last_ids & this_ids if cid not in mapping}
        pairs.update({new: old for old, new in mapping.items()})
        unknown = sorted(
            {o for o in mapping if o not in last_ids}
            | {n for n in mapping.values() if n not in this_ids}
        )
        note = f"criteria matched through the mapping ({len(mapping)} ids; the others by id)"
        vi = f"Tiêu chí đối chiếu theo bảng chuyển mã ({len(mapping)} mã; các mã khác theo mã)"
        if unknown:
            note += f"; ids in the mapping but not in the results: {', '.join(unknown)}"
            vi += f"; mã có trong bảng chuyển mã nhưng không có trong kết quả: {', '.join(unknown)}"
        return pairs, note, vi + "."
    old_rubric, new_rubric = last["rubric"], this["rubric"]
    old_key = (old_rubric.get("id"), old_rubric.get("version"))
    new_key = (new_rubric.get("id"), new_rubric.get("version"))
    if old_key == new_key:
        years = (old_rubric.get("year"), new_rubric.get("year"))
        differ = None not in years and years[0] != years[1]
        return (
            None,
            "criteria matched by id (the same rubric and version "
            f"{'both years' if differ else 'in both files'})",
            f"Tiêu chí đối chiếu theo mã ({'cả hai năm' if differ else 'cả hai lần chấm'} cùng "
            "bảng điểm, cùng phiên bản).",
        )
    change = f"{old_key[0]} {old_key[1]} → {new_key[0]} {new_key[1]}"
    return (
        {},
        f"the rubric changed ({change}) and no mapping was given (--mapping old,new): only "
        "totals are compared",
        f"Bảng điểm đã thay đổi ({change}) và không có bảng chuyển mã (--mapping, tệp CSV hai "
        "cột old,new): chỉ so sánh tổng điểm, không so sánh từng tiêu chí.",
    )


def _criterion_changes(
    last: Mapping[str, Any], this: Mapping[str, Any], pairs: dict[str, str] | None
) -> tuple[CriterionChange, ...]:
    """The change in each matched criterion's mean points, in this year's order."""
    if pairs == {}:
        return ()
    last_points = _points_by_criterion(last)
    out: list[CriterionChange] = []
    for cid, values in _points_by_criterion(this).items():
        old_id = cid if pairs is None else pairs.get(cid)
        if old_id is None or old_id not in last_points:
            continue
        last_mean, this_mean = _mean(last_points[old_id]), _mean(values)
        assert last_mean is not None and this_mean is not None
        out.append(CriterionChange(cid, old_id, last_mean, this_mean))
    return tuple(out)


def _group_change(
    last: Mapping[str, Any],
    this: Mapping[str, Any],
    group: str,
    label: str,
    band_labels: list[str],
) -> GroupChange:
    old = [u for u in _graded(last) if u["group"] == group]
    new = [u for u in _graded(this) if u["group"] == group]
    return GroupChange(
        id=group,
        label=label,
        last_mean=_mean([_total(u) for u in old]),
        this_mean=_mean([_total(u) for u in new]),
        bands=_band_counts(old, new, band_labels),
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
