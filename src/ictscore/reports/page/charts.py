"""The page's charts, as HTML bars (no SVG: their text stays at reading size on a phone and
wraps or clips instead of overlapping), each carrying its own names and figures:

- `bands_chart`: per group, the graded units by band as one stacked bar, the count in each
  segment wide enough for it and every count and share written under the bar;
- `totals_chart`: per group, one labelled bar per graded unit (rank and name, the total at the
  bar's end, the band's colour, the band thresholds as vertical marks); the list grows with the
  group, and for a large group it is folded under a distribution of the totals
  (`distribution_chart`: units per range of points, split by band), which stays readable at
  any size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape

from ictscore.grading.results import Status, UnitResult
from ictscore.numbers import vn_number
from ictscore.reports import labels
from ictscore.reports.summary import GroupSummary
from ictscore.rubric.model import Rubric

LARGE_GROUP = 40
"""A group with more graded units than this gets the distribution first, its bars folded."""

_STEPS = (Decimal("0.5"), Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
_MAX_BINS = 12


def ink(colour: str) -> str:
    """Text colour readable on a `#rrggbb` background: dark on light colours, white on dark."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#1d2733" if 0.299 * r + 0.587 * g + 0.114 * b > 160 else "#fff"


def _share(count: int, of: int) -> str:
    return f"{vn_number(Decimal(count) * 100 / of, 0)}%" if of else "—"


def bands_chart(rubric: Rubric, summaries: Sequence[GroupSummary]) -> str:
    """Per group, one stacked bar of its graded units by band, with the counts and shares."""
    rows = []
    for s in summaries:
        segments, counts = [], []
        for b in s.bands:
            colour = labels.band_colour(rubric, b.band)
            counts.append(
                f'<span class="item"><span class="swatch" style="background:{colour}"></span>'
                f"{escape(b.label)} <b>{b.count}</b> ({_share(b.count, b.of)})</span>"
            )
            if not s.graded or not b.count:
                continue
            share = Decimal(b.count) * 100 / s.graded
            text = str(b.count) if share >= 8 else ""  # a narrow segment: the count is below
            segments.append(
                f'<span class="seg" style="width:{share:.3f}%;background:{colour};'
                f'color:{ink(colour)}" title="{escape(b.label)}: {b.count}/{b.of}">{text}</span>'
            )
        rows.append(
            f'<div class="stackrow"><div class="blabel" title="{escape(s.label)}">'
            f'{escape(s.label)} <span class="muted">({s.graded})</span></div>'
            f'<div class="stack">{"".join(segments)}</div>'
            f'<div class="counts">{"".join(counts)}</div></div>'
        )
    return (
        '<figure class="chart bands" id="xep-loai"><figcaption>Xếp loại theo nhóm '
        '<span class="muted">(số đơn vị đã chấm, tỉ lệ)</span></figcaption>'
        + "".join(rows)
        + "</figure>"
    )


def _graded(members: Sequence[UnitResult]) -> list[UnitResult]:
    return sorted(
        (u for u in members if u.status is Status.GRADED and u.total is not None),
        key=lambda u: (u.rank is None, u.rank or 0, -(u.total or 0), u.code),
    )


def totals_chart(rubric: Rubric, group_id: str, members: Sequence[UnitResult]) -> str:
    """The group's totals as labelled bars, its distribution first when the group is large."""
    graded = _graded(members)
    if not graded:
        return ""
    totals = [u.total or Decimal(0) for u in graded]
    bounds = [b.min for b in rubric.bands if b.min is not None]
    top = max(totals + bounds)
    # the axis starts near the lowest figure (in tens), so that differences show; it says so
    floor = max(Decimal(0), (min(totals + bounds) - 5) // 10 * 10)
    span = top - floor if top > floor else Decimal(1)

    def at(value: Decimal) -> Decimal:
        return (max(value, floor) - floor) / span

    bars = []
    for u in graded:
        assert u.total is not None
        colour = labels.band_colour(rubric, u.band)
        rank = labels.UNRANKED_MARK if u.unranked else str(u.rank or "")
        name = f"{rank}. {u.display_name}"
        total = vn_number(u.total, rubric.precision)
        bars.append(
            f'<li><span class="blabel" title="{escape(name)}">{escape(name)}</span>'
            f'<span class="track"><span class="bar" style="--p:{at(u.total):.4f};'
            f'background:{colour}"></span><span class="val">{total}</span></span></li>'
        )
    marks = ", ".join(
        f"linear-gradient(to right, transparent calc((100% - var(--room)) * {at(b):.4f}), "
        f"#1d2733 calc((100% - var(--room)) * {at(b):.4f}), "
        f"#1d2733 calc((100% - var(--room)) * {at(b):.4f} + 1px), "
        f"transparent calc((100% - var(--room)) * {at(b):.4f} + 1px))"
        for b in bounds
    )
    # room at the bar's end for its figure: the longest one, about 0.52 rem a character (rem, not
    # em: the marks, the bars and the axis's figures are set in different sizes)
    room = f"{0.52 * max(len(vn_number(t, rubric.precision)) for t in totals) + 0.7:.2f}rem"
    large = len(graded) > LARGE_GROUP
    title = (
        f'Tổng điểm từng đơn vị <span class="muted">({len(graded)} đơn vị đã chấm, '
        "theo thứ hạng)</span>"
    )
    note = _totals_note(rubric, floor)
    chart = (
        f'<details class="chart totals" id="bieu-do-{escape(group_id)}" style="--room:{room}"'
        f"{'' if large else ' open'}>"
        f"<summary>{title}</summary>"
        f"{_axis(floor, bounds, at)}"
        f'<ol class="bars" style="--marks:{marks or "none"}">{"".join(bars)}</ol>'
        f'<p class="note">{note}</p></details>'
    )
    if large:
        chart = distribution_chart(rubric, graded) + chart
    return chart


def _axis(floor: Decimal, bounds: list[Decimal], at: Callable[[Decimal], Decimal]) -> str:
    """The figures over the bars: where the axis starts, and each band threshold."""
    ticks = [f'<span class="tick first" style="left:0">{vn_number(floor)}</span>']
    last = Decimal(0)
    for b in sorted(bounds):
        pos = at(b)
        if pos - last < Decimal("0.08"):  # too close to the previous figure to be read apart
            continue
        last = pos
        ticks.append(
            f'<span class="tick" style="left:calc((100% - var(--room)) * {pos:.4f})">'
            f"{vn_number(b)}</span>"
        )
    return (
        '<div class="axis" aria-hidden="true"><span class="spacer"></span>'
        f'<div class="ticks">{"".join(ticks)}</div></div>'
    )


def _totals_note(rubric: Rubric, floor: Decimal) -> str:
    thresholds = " · ".join(
        f'<span class="swatch" style="background:{labels.band_colour(rubric, b.id)}"></span>'
        f"{escape(b.label)} từ {vn_number(b.min)}"
        for b in rubric.bands
        if b.min is not None
    )
    mins = [b.min for b in rubric.bands if b.min is not None]
    for b in rubric.bands:
        if b.min is None and mins:
            thresholds += (
                f' · <span class="swatch" style="background:{labels.band_colour(rubric, b.id)}">'
                f"</span>{escape(b.label)} dưới {vn_number(min(mins))}"
            )
    parts = [f"Trục điểm bắt đầu từ {vn_number(floor)}."]
    if thresholds:
        parts.insert(0, f"Vạch dọc: mức xếp loại — {thresholds}.")
    return " ".join(parts)


def _step(low: Decimal, high: Decimal) -> Decimal:
    for step in _STEPS:
        if (high - low) / step < _MAX_BINS:
            return step
    bins = ((high - low) / _STEPS[-1] / _MAX_BINS).to_integral_value(rounding="ROUND_CEILING")
    return _STEPS[-1] * bins


def distribution_chart(rubric: Rubric, graded: Sequence[UnitResult]) -> str:
    """Units per range of totals (from one figure to below the next), each split by band."""
    totals = [u.total or Decimal(0) for u in graded]
    step = _step(min(totals), max(totals))
    start = min(totals) // step * step
    bins: list[list[UnitResult]] = []
    while start + len(bins) * step <= max(totals):
        bins.append([])
    for u in graded:
        bins[int(((u.total or Decimal(0)) - start) // step)].append(u)
    most = max(len(b) for b in bins)
    order = {b.id: i for i, b in enumerate(rubric.bands)}
    rows = []
    for i in reversed(range(len(bins))):
        units = bins[i]
        low = start + i * step
        label = f"{vn_number(low)} – {vn_number(low + step)}"
        parts = []
        for band_id in sorted({u.band for u in units}, key=lambda b: order.get(b or "", 99)):
            n = sum(1 for u in units if u.band == band_id)
            colour = labels.band_colour(rubric, band_id)
            band = rubric.band(band_id)
            parts.append(
                f'<span style="width:{n * 100 / len(units):.3f}%;background:{colour}" '
                f'title="{escape(band.label if band else "")}: {n}"></span>'
            )
        rows.append(
            f'<li><span class="blabel">{label}</span><span class="track">'
            f'<span class="bar" style="--p:{len(units) / most:.4f}">{"".join(parts)}</span>'
            f'<span class="val">{len(units)}</span></span></li>'
        )
    return (
        f'<figure class="chart distribution"><figcaption>Phân bố tổng điểm <span class="muted">'
        f"({len(graded)} đơn vị đã chấm: số đơn vị theo khoảng điểm, từ mức đầu đến dưới mức "
        f'sau)</span></figcaption><ol class="bars">{"".join(rows)}</ol></figure>'
    )
