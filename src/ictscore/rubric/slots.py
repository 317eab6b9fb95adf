"""What a scoring method works with: the input cells of a leaf criterion (`Slot`) and what it
gives back (`MethodScore`, with `Note`s on the inputs). methods.py defines the methods; the
template draws the slots, the reader reads them and validation parses them generically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from ictscore.issues import IssueCode, Severity
from ictscore.messages import Msg


class SlotKind(StrEnum):
    """What an input cell holds."""

    NUMBER = "number"
    CHOICE = "choice"


@dataclass(frozen=True)
class Slot:
    """One input cell of a criterion."""

    key: str
    """Stable key, used in defined names and JSON (`points`, `numerator`, …)."""
    label: str
    """Vietnamese label shown to the unit (input message, instructions)."""
    kind: SlotKind
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    choices: tuple[str, ...] = ()
    percent: bool = False
    """The number is a fraction shown as a percentage (0.85 is 85%)."""
    is_points: bool = False
    """The number is itself the criterion's points (more decimals than published: a warning)."""
    integer: bool = False
    """The number counts things: a whole number."""
    listed: bool = False
    """The choices are long texts: the template lists them in cells for the drop-down."""


SlotValue = Decimal | str
"""A parsed input: a number, or the canonical text of a choice."""


@dataclass(frozen=True)
class Note:
    """A problem a method found in otherwise well-formed inputs (e.g. a zero denominator)."""

    code: IssueCode
    severity: Severity
    message: Msg
    slot: str


@dataclass(frozen=True)
class MethodScore:
    """The points a method gives, with any problems it noticed.

    A method scored against the other units of the group (`normalised`) gives `measure`, the
    value to compare, and `pending=True`: its points are set by the group pass (scoring.py).
    """

    points: Decimal
    notes: tuple[Note, ...] = field(default=())
    measure: Decimal | None = None
    pending: bool = False


YES = "Có"
NO = "Không"
