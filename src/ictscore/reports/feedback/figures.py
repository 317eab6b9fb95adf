"""What a unit's profile compares it with, worked out once per group (`feedback.peers`): the
group's graded units, each criterion's mean, each area's mean and best, and each unit's rank
among the units of its district."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class AreaFigures:
    """One area of the rubric in a group: its maximum, and its points' mean and best over the
    group's graded units."""

    id: str
    title: str
    kind: str
    """"base", "bonus" or "penalty"."""
    max: Decimal
    mean: Decimal | None
    best: Decimal | None


@dataclass(frozen=True)
class Peers:
    """What a graded unit's feedback compares it with. Made once per group, not once per
    unit."""

    graded: int
    means: Mapping[str, Decimal]
    """Leaf criterion id → its mean points over the group's graded units."""
    areas: tuple[AreaFigures, ...] = ()
    mean: Decimal | None = None
    """The group's mean total."""
    best: Decimal | None = None
    """The group's highest total."""
    district: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """Unit code → (its rank among the ranked units of its district, how many there are), for
    units of a group whose units have a parent (communes)."""
