"""The publication details of a set of results: who publishes them and under which decision.

An official publishes the ranking with a decision (quyết định công bố kết quả) of the People's
Committee or the Department. The page and the results workbook carry these details at their
head when they are given (`grade --issuer … --decision … --decision-date …`); the issuer
defaults to the rubric's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ictscore.rubric.model import Rubric


@dataclass(frozen=True)
class Publication:
    issuer: str | None = None
    """Who publishes the results; None: the rubric's issuer."""
    decision: str | None = None
    """The decision the results are attached to, as written on it ("Quyết định số 12/QĐ-UBND")."""
    date: dt.date | None = None
    """The decision's date."""

    def issuer_of(self, rubric: Rubric) -> str:
        return self.issuer or rubric.issuer

    def decision_line(self) -> str | None:
        """ "Kèm theo Quyết định số 12/QĐ-UBND ngày 15 tháng 01 năm 2021", or None when no
        decision is given."""
        if not self.decision and self.date is None:
            return None
        parts = ["Kèm theo", self.decision or "quyết định"]
        if self.date is not None:
            parts.append(f"ngày {self.date:%d} tháng {self.date:%m} năm {self.date:%Y}")
        return " ".join(parts)
