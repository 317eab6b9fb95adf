"""`rubric show`: the criteria tree of a rubric with each group's maxima and how each criterion
is scored, as a rich Table, in Vietnamese or in English (the rubric's own titles and labels
stay as written). The words are gettext ids (English) translated in the catalogue."""

from __future__ import annotations

from decimal import Decimal

from rich import box
from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ictscore.i18n import N_, Lang, t
from ictscore.numbers import vn_number
from ictscore.rubric.methods import Count, Levels, Normalised, Ratio, Thresholds, YesNo
from ictscore.rubric.model import Criterion, Rubric
from ictscore.text import terminal_safe

_CODE = N_("Code")
_CRITERION = N_("Criterion")
_METHOD = N_("Method")
_BASE_MAX = N_("Base maximum")
_RESCALED = N_("Rescaled to")
_BONUS_MAX = N_("Bonus at most")
_PENALTY_MAX = N_("Penalty at most")
_BANDS = N_("Bands: {bands}")
_NO_BANDS = N_("No bands")
_GROUPS = N_("Groups: {groups}")

_SUM = N_("sum")
_BEST_OF = N_("best of the cases")
_AT_MOST = N_("{text}, at most {max}")
_BONUS = N_("bonus: {text}")
_PENALTY = N_("penalty: {text}")
_RATIO = N_("ratio × max ({input})")
_RATIO_INPUTS = {
    "counts": N_("counts"),
    "percent": N_("percent"),
    "fraction": N_("fraction"),
}
_THRESHOLDS = N_("thresholds: {tiers}")
_LEVELS = N_("choose a level ({n} levels)")
_COUNT = N_("count × {per_item}, at most {cap}")
_NORMALISED = N_("against the group's best")
_YES_NO = N_("yes/no")
_DIRECT = N_("self-scored")


_CRITERION_MIN = 30
_METHOD_MAX = 28


def rubric_table(
    rubric: Rubric, group: str | None = None, lang: Lang = "vi", width: int | None = None
) -> RenderableType:
    """The criteria tree, indented, with each group's maximum (or one group's) and the method.

    `width`: a terminal's. When the method column does not fit beside the criteria, each
    method goes under its criterion's title, and the title is a line of its own above the
    table (rich would otherwise drop the method column and crop the title)."""
    groups = [g for g in rubric.groups if group is None or g.id == group]
    heading = terminal_safe(f"{rubric.title} ({rubric.id} {rubric.version})")
    columns = [
        max(cell_len(t(_CODE, lang)), *(len(n.criterion.id) for n in rubric.walk())),
        _CRITERION_MIN,
        *(max(cell_len(g.id), 3) for g in groups),
        _METHOD_MAX,
    ]
    inline = width is not None and sum(columns) + 3 * len(columns) + 1 > width
    table = Table(
        title=heading if width is None else None,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        title_style="bold",
    )
    table.add_column(t(_CODE, lang), no_wrap=True)
    table.add_column(t(_CRITERION, lang), ratio=1, min_width=_CRITERION_MIN)
    for g in groups:
        table.add_column(g.id, justify="right", no_wrap=True)
    if not inline:
        table.add_column(t(_METHOD, lang), max_width=_METHOD_MAX)
    plans = [rubric.plan(g.id) for g in groups]
    for node in rubric.walk():
        c = node.criterion
        maxima = [p.max_of(c.id) for p in plans]
        if not any(maxima):
            continue
        style = "bold" if c.children else ""
        method = terminal_safe(method_summary(rubric, c, lang))
        name = terminal_safe(c.title)
        title: RenderableType = Text("  " * node.depth + name, style=style)
        if width is not None:  # on a terminal: wrapped lines keep the indent
            text = Text(name, style=style)
            if inline:
                text.append(f"\n→ {method}", style="dim")
            title = Padding(text, (0, 0, 0, 2 * node.depth))
        table.add_row(
            Text(c.id, style=style),
            title,
            *(vn_number(m) if m else "—" for m in maxima),
            *(() if inline else (method,)),
        )
    table.add_section()
    rows = [(_BASE_MAX, [p.base_max for p in plans])]
    if rubric.not_applicable == "rescale":
        rows.append((_RESCALED, [p.published_max for p in plans]))
    rows.append((_BONUS_MAX, [p.bonus_max for p in plans]))
    rows.append((_PENALTY_MAX, [p.penalty_max for p in plans]))
    for label, values in rows:
        if any(values):
            bold = Text(t(label, lang), style="bold")
            table.add_row("", bold, *(vn_number(v) for v in values), *(() if inline else ("",)))
    bands = "; ".join(
        f"{b.label}" + (f" ≥ {vn_number(b.min)}" if b.min is not None else "") for b in rubric.bands
    )
    named = ", ".join(f"{g.id} = {g.label}" for g in groups)
    table.caption = terminal_safe(
        (t(_BANDS, lang).format(bands=bands) if bands else t(_NO_BANDS, lang))
        + f". {t(_GROUPS, lang).format(groups=named)}"
    )
    table.caption_justify = "left"
    return table if width is None else Group(Text(heading, style="bold"), table)


def method_summary(rubric: Rubric, c: Criterion, lang: Lang = "vi") -> str:
    """A short description of how a criterion is scored (for `rubric show`)."""
    m = c.method
    if m is None:
        text = t(_BEST_OF if c.combine == "best_of" else _SUM, lang)
        if rubric.is_capped(c):
            text = t(_AT_MOST, lang).format(text=text, max=vn_number(c.max or Decimal(0)))
        kind = {"bonus": _BONUS, "penalty": _PENALTY}.get(c.kind)
        return t(kind, lang).format(text=text) if kind else text
    if isinstance(m, Ratio):
        return t(_RATIO, lang).format(input=t(_RATIO_INPUTS[m.input], lang))
    if isinstance(m, Thresholds):
        unit = "%" if m.input == "percent" else ""
        tiers = ", ".join(f"≥{vn_number(x.min)}{unit}→{vn_number(x.points)}" for x in m.tiers)
        return t(_THRESHOLDS, lang).format(tiers=tiers)
    if isinstance(m, Levels):
        return t(_LEVELS, lang).format(n=len(m.levels))
    if isinstance(m, Count):
        cap = m.cap if m.cap is not None else c.max
        return t(_COUNT, lang).format(
            per_item=vn_number(m.per_item), cap=vn_number(cap or Decimal(0))
        )
    if isinstance(m, Normalised):
        return t(_NORMALISED, lang)
    if isinstance(m, YesNo):
        return t(_YES_NO, lang)
    return t(_DIRECT, lang)
