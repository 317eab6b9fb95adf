"""Rich renderables built from a Report. Returns them; never prints (cli.py does)."""

from __future__ import annotations

from decimal import Decimal

from rich import box
from rich.console import Group as RichGroup
from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ictscore.grading.results import Report, Status, UnitResult
from ictscore.i18n import SEVERITY, SUMMARY, Lang, explain, t
from ictscore.issues import Issue
from ictscore.numbers import vn_number
from ictscore.reports.compare import Comparison
from ictscore.reports.export import OTHER_GROUPS_LABEL, STATUS_LABELS
from ictscore.rubric.methods import Count, Levels, Normalised, Ratio, Thresholds, YesNo
from ictscore.rubric.model import Criterion, Rubric


def _n(value: Decimal | None, precision: int) -> str:
    return "—" if value is None else vn_number(value, precision)


def area_legend(rubric: Rubric) -> Text:
    text = Text("Lĩnh vực: ", style="bold")
    for i, area in enumerate(rubric.criteria):
        if i:
            text.append(" · ")
        text.append(f"{area.id} ", style="bold")
        text.append(area.title)
    return text


def group_table(report: Report, rubric: Rubric, group_id: str) -> Table | None:
    """The ranked table of one group, with band counts in the caption; None if it has no units."""
    group = rubric.group(group_id)
    units = [u for u in report.units if u.group == group_id]
    if group is None or not units:
        return None
    p = rubric.precision
    areas = [a for a in rubric.criteria if rubric.max_for(a, group_id) > 0]
    table = Table(
        title=f"{group.label} — {max_text(rubric, group_id)}",
        box=box.SIMPLE_HEAD,
        title_justify="left",
        title_style="bold",
        caption_justify="left",
    )
    by_parent = group.rank_within == "parent"
    appraised = any(u.self_total is not None and u.self_total != u.total for u in units)
    rescaled = any(u.raw_total is not None and u.raw_total != u.total for u in units)
    table.add_column("Hạng", justify="right", no_wrap=True)
    if by_parent:
        table.add_column("Hạng (cấp trên)", justify="right", no_wrap=True)
    table.add_column("Mã", no_wrap=True)
    table.add_column("Đơn vị", min_width=20, ratio=1)
    for area in areas:
        table.add_column(area.id + (" (−)" if area.kind == "penalty" else ""), justify="right")
    if appraised:
        table.add_column("Tự chấm", justify="right", no_wrap=True)
    if rescaled:
        table.add_column("Chưa quy đổi", justify="right", no_wrap=True)
    table.add_column("Tổng", justify="right", style="bold", no_wrap=True)
    if rubric.bands:
        table.add_column("Xếp loại", no_wrap=True)
    for u in units:
        cells: list[RenderableType] = [_rank(u)]
        if by_parent:
            cells.append(str(u.parent_rank) if u.parent_rank else "—")
        cells += [escape(u.code), escape(u.display_name)]
        graded = u.status is Status.GRADED
        cells += [_n(u.subtotals.get(a.id, u.points.get(a.id)), p) if graded else "" for a in areas]
        if appraised:
            cells.append(_n(u.self_total, p) if graded else "")
        if rescaled:
            cells.append(_n(u.raw_total, p) if graded else "")
        cells.append(_n(u.total, p) if graded else "—")
        if rubric.bands:
            band = rubric.band(u.band)
            if graded and band is not None:
                cells.append(Text(band.label, style=f"bold {band.color}"))
            elif not graded:
                cells.append(Text(STATUS_LABELS[u.status], style="red"))
            else:
                cells.append("")
        table.add_row(*cells)
    counts = [f"{b.label}: {sum(1 for u in units if u.band == b.id)}" for b in rubric.bands]
    others = [
        f"{label}: {n}"
        for s, label in STATUS_LABELS.items()
        if s is not Status.GRADED and (n := sum(1 for u in units if u.status is s))
    ]
    unranked = [f"{u.code}: {u.unranked}" for u in units if u.unranked]
    if unranked:
        others.append("Không xếp hạng — " + "; ".join(unranked))
    table.caption = "  ".join([" · ".join(counts), *others]).strip()
    return table


def _rank(u: UnitResult) -> str:
    if u.status is Status.GRADED and u.unranked:
        return "KXH"  # không xếp hạng
    return str(u.rank) if u.rank else "—"


def max_text(rubric: Rubric, group_id: str) -> str:
    """ "tối đa 100 điểm (+10 thưởng, −5 trừ)", with the scale when totals are rescaled."""
    text = f"tối đa {vn_number(rubric.published_max(group_id))} điểm"
    extra = []
    if bonus := rubric.bonus_max(group_id):
        extra.append(f"+{vn_number(bonus)} thưởng")
    if penalty := rubric.penalty_max(group_id):
        extra.append(f"−{vn_number(penalty)} trừ")
    if rubric.not_applicable == "rescale":
        extra.append("quy đổi")
    return text + (f" ({', '.join(extra)})" if extra else "")


def appraisal_table(report: Report, rubric: Rubric) -> Table | None:
    """Every criterion where the appraisal differs from the self-score, or marks it not
    applicable, with the council's note; None when there is none."""
    table = Table(
        title="Thẩm định: điểm khác điểm tự chấm",
        box=box.SIMPLE_HEAD,
        title_justify="left",
        title_style="bold",
    )
    for header in ("Mã", "Đơn vị", "Tiêu chí"):
        table.add_column(header)
    for header in ("Tự chấm", "Thẩm định", "Chênh lệch"):
        table.add_column(header, justify="right")
    table.add_column("Ghi chú")
    p = rubric.precision
    for u in report.units:
        for cid, entry in u.appraisal.items():
            own = u.self_points.get(cid)
            if entry.not_applicable:
                table.add_row(
                    escape(u.code),
                    escape(u.name),
                    cid,
                    _n(own, p),
                    "KAD",
                    "",
                    escape(
                        f"Không áp dụng: {entry.not_applicable}"
                        + (f". {entry.note}" if entry.note else "")
                    ),
                )
                continue
            final = u.points.get(cid)
            if final == own and entry.value is None and not entry.note:
                continue  # appraised, but nothing changed and nothing said
            diff = final - own if final is not None and own is not None else None
            note = entry.note or ("(chưa ghi lý do)" if diff else "")
            if entry.value is not None:
                note = f"Số liệu thẩm định: {vn_number(entry.value)}. {note}".strip()
            table.add_row(
                escape(u.code),
                escape(u.name),
                cid,
                _n(own, p),
                _n(final, p),
                _n(diff, p),
                escape(note),
            )
    return table if table.row_count else None


def references_table(report: Report, rubric: Rubric) -> Table | None:
    """For criteria normalised against the best unit of the group: who set the reference."""
    if not report.references:
        return None
    table = Table(
        title="Tiêu chí so với đơn vị cao nhất trong khối",
        box=box.SIMPLE_HEAD,
        title_justify="left",
        title_style="bold",
    )
    for header in ("Khối", "Tiêu chí", "Giá trị cao nhất", "Đơn vị đạt"):
        table.add_column(header)
    for ref in report.references:
        group = rubric.group(ref.group)
        table.add_row(
            escape(group.label if group else ref.group),
            ref.criterion,
            vn_number(ref.best),
            escape(", ".join(ref.units) or "(mọi đơn vị bằng 0: 0 điểm)"),
        )
    return table


def report_tables(report: Report, rubric: Rubric) -> RenderableType:
    parts: list[RenderableType] = [
        Text(f"{rubric.title} ({rubric.id} {rubric.version})", style="bold"),
        area_legend(rubric),
    ]
    for g in rubric.groups:
        table = group_table(report, rubric, g.id)
        if table is not None:
            parts.append(table)
    others = [u for u in report.units if rubric.group(u.group) is None]
    if others:  # sheets made for a group this rubric does not have: listed, never hidden
        table = Table(
            title=f"{OTHER_GROUPS_LABEL} ({len(others)})",
            box=box.SIMPLE_HEAD,
            title_justify="left",
            title_style="bold red",
        )
        for header in ("Mã", "Đơn vị", "Nhóm", "Trạng thái"):
            table.add_column(header)
        for u in others:
            table.add_row(
                escape(u.code),
                escape(u.display_name),
                escape(u.group or "?"),
                Text(STATUS_LABELS[u.status], style="red"),
            )
        parts.append(table)
    for extra in (references_table(report, rubric), appraisal_table(report, rubric)):
        if extra is not None:
            parts.append(extra)
    return RichGroup(*parts)


def rubric_table(rubric: Rubric, group: str | None = None) -> RenderableType:
    """The criteria tree, indented, with each group's maximum (or one group's) and the method."""
    groups = [g for g in rubric.groups if group is None or g.id == group]
    table = Table(
        title=f"{rubric.title} ({rubric.id} {rubric.version})",
        box=box.SIMPLE_HEAD,
        title_justify="left",
        title_style="bold",
    )
    table.add_column("Mã", no_wrap=True)
    table.add_column("Tiêu chí", ratio=1, min_width=30)
    for g in groups:
        table.add_column(g.id, justify="right", no_wrap=True)
    table.add_column("Cách tính", max_width=28)
    for node in rubric.walk():
        c = node.criterion
        maxima = [rubric.max_for(c, g.id) for g in groups]
        if not any(maxima):
            continue
        style = "bold" if c.children else ""
        title = "  " * node.depth + c.title
        table.add_row(
            Text(c.id, style=style),
            Text(title, style=style),
            *(vn_number(m) if m else "—" for m in maxima),
            method_summary(rubric, c),
        )
    table.add_section()
    rows = [("Tổng điểm cơ bản", [rubric.base_max(g.id) for g in groups])]
    if rubric.not_applicable == "rescale":
        rows.append(("Quy đổi về thang", [rubric.published_max(g.id) for g in groups]))
    rows.append(("Điểm thưởng tối đa", [rubric.bonus_max(g.id) for g in groups]))
    rows.append(("Điểm trừ tối đa", [rubric.penalty_max(g.id) for g in groups]))
    for label, values in rows:
        if any(values):
            table.add_row("", Text(label, style="bold"), *(vn_number(v) for v in values), "")
    bands = "; ".join(
        f"{b.label}" + (f" ≥ {vn_number(b.min)}" if b.min is not None else "") for b in rubric.bands
    )
    table.caption = ("Xếp loại: " + bands if bands else "Không xếp loại") + (
        f". Nhóm: {', '.join(f'{g.id} = {g.label}' for g in groups)}"
    )
    table.caption_justify = "left"
    return table


def method_summary(rubric: Rubric, c: Criterion) -> str:
    """A short description of how a criterion is scored (for `rubric show`)."""
    m = c.method
    if m is None:
        text = "tốt nhất trong các trường hợp" if c.combine == "best_of" else "tổng"
        if rubric.is_capped(c):
            text += f", tối đa {vn_number(c.max or Decimal(0))}"
        return {"bonus": "thưởng: ", "penalty": "trừ: "}.get(c.kind, "") + text
    if isinstance(m, Ratio):
        return f"tỷ lệ × tối đa ({m.input})"
    if isinstance(m, Thresholds):
        return "ngưỡng: " + ", ".join(
            f"≥{vn_number(t.min)}{'%' if m.input == 'percent' else ''}→{vn_number(t.points)}"
            for t in m.tiers
        )
    if isinstance(m, Levels):
        return f"chọn mức ({len(m.levels)} mức)"
    if isinstance(m, Count):
        cap = m.cap if m.cap is not None else c.max
        return f"số lượng × {vn_number(m.per_item)}, tối đa {vn_number(cap or Decimal(0))}"
    if isinstance(m, Normalised):
        return "so với đơn vị cao nhất khối"
    if isinstance(m, YesNo):
        return "có/không"
    return "tự chấm"


def issue_text(issue: Issue, lang: Lang = "en") -> Text:
    """`error[code] file:Sheet!Cell: message`; in Vietnamese the label and a plain explanation
    come first (the code and the location stay as they are, for searching)."""
    style = "red" if issue.is_error else "yellow"
    label = t(SEVERITY[issue.severity.value], lang)
    text = Text()
    text.append(f"{label}[{issue.code}] ", style=style)
    where = f"{issue.where}: " if issue.where else ""
    text.append(where + explain(issue, lang))
    return text


def summary_text(report: Report, lang: Lang = "en") -> Text:
    n = {s: sum(1 for u in report.units if u.status is s) for s in Status}
    issues = report.all_issues
    errors = sum(1 for i in issues if i.is_error)
    warnings = len(issues) - errors
    text = Text(
        t(SUMMARY, lang).format(
            graded=n[Status.GRADED],
            invalid=n[Status.INVALID],
            missing=n[Status.MISSING],
            errors=errors,
            warnings=warnings,
        )
    )
    text.stylize("green" if report.ok else "red")
    return text


def comparison_tables(c: Comparison) -> RenderableType:
    """The year-on-year comparison: the headline first, then groups, units and criteria."""
    parts: list[RenderableType] = [Text(c.headline, style="bold")]
    groups = Table(title="Điểm trung bình theo nhóm", box=box.SIMPLE_HEAD, title_justify="left")
    for header in ("Nhóm", "Năm trước", "Năm nay", "Thay đổi"):
        groups.add_column(header, justify="left" if header == "Nhóm" else "right")
    for label, a, b in c.group_means:
        diff = b - a if a is not None and b is not None else None
        groups.add_row(escape(label), _n(a, 2), _n(b, 2), _signed(diff))
    parts.append(groups)
    units = Table(title="Từng đơn vị", box=box.SIMPLE_HEAD, title_justify="left")
    for header in ("Mã", "Đơn vị", "Năm trước", "Năm nay", "Thay đổi", "Xếp loại", "Hạng"):
        units.add_column(header)
    order = {g: i for i, g in enumerate(c.group_order)}
    moved = {"both": 0, "new": 1, "not graded": 2, "gone": 3}
    # the rubric's groups in order; in each, changes from the largest rise, then new, not
    # graded and gone units
    for u in sorted(
        c.units,
        key=lambda u: (order.get(u.group, len(order)), moved[u.status], -(u.change or 0), u.code),
    ):
        band = (
            f"{u.last_band or '—'} → {u.this_band or '—'}"
            if u.last_band != u.this_band
            else u.this_band or ""
        )
        rank = f"{u.last_rank or '—'} → {u.this_rank or '—'}"
        status = {"new": "mới", "gone": "không còn", "not graded": "chưa chấm"}.get(u.status)
        units.add_row(
            escape(u.code),
            escape(u.name),
            _n(u.last_total, 2),
            _n(u.this_total, 2),
            _signed(u.change) if status is None else status,
            escape(band),
            rank,
        )
    parts.append(units)
    if c.criteria:
        crit = Table(
            title="Điểm trung bình từng tiêu chí", box=box.SIMPLE_HEAD, title_justify="left"
        )
        for header in ("Tiêu chí", "Năm trước", "Năm nay", "Thay đổi"):
            crit.add_column(header, justify="left" if header == "Tiêu chí" else "right")
        for k in sorted(c.criteria, key=lambda k: k.change):
            label = k.criterion if k.last_id == k.criterion else f"{k.last_id} → {k.criterion}"
            crit.add_row(label, _n(k.last_mean, 2), _n(k.this_mean, 2), _signed(k.change))
        parts.append(crit)
    parts.append(Text(c.criteria_note, style="italic"))
    return RichGroup(*parts)


def _signed(value: Decimal | None) -> str:
    if value is None:
        return ""
    return ("+" if value > 0 else "") + vn_number(value, 2)
