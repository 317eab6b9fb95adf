"""Figures about a graded batch, per group: counts, mean, highest and lowest (and who), spread,
band counts, and each criterion's mean achievement. Pure: a Report in, frozen figures out; the
results workbook (and any other view) only lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ictscore.grading.results import Report, Status, UnitResult
from ictscore.grading.scoring import publish
from ictscore.rubric.model import Rubric


@dataclass(frozen=True)
class BandCount:
    band: str
    label: str
    count: int
    of: int
    """Graded units of the group (the denominator of "19/20 đơn vị")."""

    @property
    def share(self) -> Decimal | None:
        return None if not self.of else Decimal(self.count) * 100 / self.of


@dataclass(frozen=True)
class GroupSummary:
    group: str
    label: str
    max: Decimal
    """The group's published maximum (base, or the rescaled scale), bonus aside."""
    graded: int
    invalid: int
    missing: int
    mean: Decimal | None
    highest: Decimal | None
    highest_units: tuple[str, ...]
    lowest: Decimal | None
    lowest_units: tuple[str, ...]
    bands: tuple[BandCount, ...]

    @property
    def spread(self) -> Decimal | None:
        if self.highest is None or self.lowest is None:
            return None
        return self.highest - self.lowest

    @property
    def mean_share(self) -> Decimal | None:
        """The mean as a percentage of the maximum."""
        return None if self.mean is None or not self.max else self.mean * 100 / self.max


def summarise(report: Report, rubric: Rubric) -> list[GroupSummary]:
    """One summary per group of the rubric, in its order (groups without units included)."""
    out: list[GroupSummary] = []
    for group in rubric.groups:
        units = [u for u in report.units if u.group == group.id]
        graded = [u for u in units if u.status is Status.GRADED and u.total is not None]
        totals = [u.total for u in graded if u.total is not None]
        highest = max(totals, default=None)
        lowest = min(totals, default=None)
        out.append(
            GroupSummary(
                group=group.id,
                label=group.label,
                max=rubric.plan(group.id).published_max,
                graded=len(graded),
                invalid=sum(1 for u in units if u.status is Status.INVALID),
                missing=sum(1 for u in units if u.status is Status.MISSING),
                mean=publish(sum(totals, Decimal(0)) / len(totals), rubric) if totals else None,
                highest=highest,
                highest_units=_holders(graded, highest),
                lowest=lowest,
                lowest_units=_holders(graded, lowest),
                bands=tuple(
                    BandCount(b.id, b.label, sum(1 for u in graded if u.band == b.id), len(graded))
                    for b in rubric.bands
                ),
            )
        )
    return out


def _holders(units: list[UnitResult], total: Decimal | None) -> tuple[str, ...]:
    return tuple(u.code for u in units if total is not None and u.total == total)


@dataclass(frozen=True)
class CriterionMean:
    criterion: str
    max: Decimal
    mean: Decimal
    """Mean points over the group's graded units (a criterion marked not applicable for a unit
    leaves that unit out)."""

    @property
    def share(self) -> Decimal:
        """Mean achievement: the mean as a percentage of the maximum."""
        return self.mean * 100 / self.max if self.max else Decimal(0)


def criterion_means(report: Report, rubric: Rubric, group: str) -> list[CriterionMean]:
    """Each leaf criterion of the group, in rubric order, with its mean over graded units."""
    graded = [u for u in report.units if u.group == group and u.status is Status.GRADED]
    out: list[CriterionMean] = []
    for entry in rubric.plan(group).criteria:
        if not entry.is_leaf:
            continue
        values = [u.points[entry.id] for u in graded if entry.id in u.points]
        if values:
            mean = publish(sum(values, Decimal(0)) / len(values), rubric)
            out.append(CriterionMean(entry.id, entry.max, mean))
    return out
