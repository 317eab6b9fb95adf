"""Year on year as a written summary: the Vietnamese paragraphs an official pastes into a report
(the province's mean, each group's mean, the units per band, the units that rose or fell a
band), from a `compare.Comparison`. Figures with a decimal comma (94,85), units named with
their district. Pure text: the CLI prints it after the tables, alone with `compare --summary`,
and the JSON carries it as `summary`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from ictscore.numbers import vn_number
from ictscore.reports.compare import BandCount, Comparison, GroupChange, UnitChange

TITLE = "Nhận xét"


def _points(value: Decimal) -> str:
    return f"{vn_number(value, 2)} điểm"


def _moved(diff: Decimal) -> str:
    """ "tăng 1,90 điểm", "giảm 0,25 điểm", "không đổi"."""
    if diff == 0:
        return "không đổi"
    return f"{'tăng' if diff > 0 else 'giảm'} {_points(abs(diff))}"


def province_sentence(c: Comparison) -> str:
    this, last = c.this_phrase, c.last_phrase
    if c.this_mean is None:
        return f"{this.capitalize()} chưa có đơn vị nào được chấm điểm."
    head = f"Điểm trung bình toàn tỉnh {this} đạt {_points(c.this_mean)}"
    if c.last_mean is None:
        return f"{head}; {last} không có số liệu để so sánh."
    return f"{head}, {_moved(c.this_mean - c.last_mean)} so với {last} ({_points(c.last_mean)})."


def group_sentence(c: Comparison) -> str:
    """ "Theo nhóm: Cơ quan ngành dọc đạt 94,29 điểm (tăng 2,79 điểm); …"."""
    parts = [_group_part(g, c.last_phrase) for g in c.groups if g.this_mean is not None]
    if not parts:
        return ""
    last = c.last_phrase
    return f"Điểm trung bình theo nhóm (so với {last}): {'; '.join(parts)}."


def _group_part(g: GroupChange, last: str) -> str:
    assert g.this_mean is not None
    if g.change is None:
        return f"{g.label} đạt {_points(g.this_mean)} (chưa có số liệu {last})"
    return f"{g.label} đạt {_points(g.this_mean)} ({_moved(g.change)})"


def band_sentence(c: Comparison) -> str:
    """ "Về xếp loại, năm 2020 có 10 đơn vị loại Tốt (năm 2019: 8), …"."""
    shown = [b for b in c.bands if b.this or b.last]
    if not shown:
        return ""
    parts = [_band_part(b, c.last_phrase) for b in shown]
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} và {parts[-1]}"
    return f"Về xếp loại, {c.this_phrase} có {listed}."


def _band_part(b: BandCount, last: str) -> str:
    return f"{b.this} đơn vị xếp loại {b.label} ({last}: {b.last})"


def movers_sentences(c: Comparison) -> list[str]:
    """Who rose a band, who fell one: grouped by the move ("Từ Khá lên Tốt: …; …")."""
    rose = [u for u in c.units if u.band_step is not None and u.band_step > 0]
    fell = [u for u in c.units if u.band_step is not None and u.band_step < 0]
    order = [b.label for b in c.bands]
    return [
        _movers(rose, "tăng", "lên", order),
        _movers(fell, "giảm", "xuống", order),
    ]


def _movers(units: Sequence[UnitChange], word: str, direction: str, bands: list[str]) -> str:
    """ "Có 3 đơn vị tăng bậc xếp loại. Từ Khá lên Tốt: A; B. Từ Yếu lên Khá: C.": the moves
    by the band reached, the best first, then by the band left; names separated by semicolons
    (a name may hold a comma)."""
    if not units:
        return f"Không có đơn vị nào {word} bậc xếp loại."
    by_move: dict[tuple[str, str], list[str]] = {}
    for u in units:
        assert u.last_band is not None and u.this_band is not None
        by_move.setdefault((u.last_band, u.this_band), []).append(u.display_name)

    def rank(move: tuple[str, str]) -> tuple[int, int]:
        old, new = move
        at = {b: i for i, b in enumerate(bands)}
        return (at.get(new, len(at)), at.get(old, len(at)))

    moves = [
        f"Từ {old} {direction} {new}: {'; '.join(by_move[(old, new)])}."
        for old, new in sorted(by_move, key=rank)
    ]
    return " ".join([f"Có {len(units)} đơn vị {word} bậc xếp loại.", *moves])


def summary_paragraphs(c: Comparison) -> list[str]:
    """The written summary, one paragraph a list item."""
    order = {g.id: i for i, g in enumerate(c.groups)}
    ordered = sorted(
        c.units, key=lambda u: (order.get(u.group, len(order)), u.this_rank or 0, u.code)
    )
    c = dataclasses.replace(c, units=tuple(ordered))  # movers named group by group, by rank
    paragraphs = [
        province_sentence(c),
        group_sentence(c),
        band_sentence(c),
        *movers_sentences(c),
    ]
    return [p for p in paragraphs if p]


def summary_text(c: Comparison) -> str:
    """The summary as plain text: paragraphs separated by a blank line, ending in a newline."""
    return "\n\n".join(summary_paragraphs(c)) + "\n"
