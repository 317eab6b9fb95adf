"""The audit as people read it (`ictscore audit`): per group, the criteria's figures and flags,
the ranks under uncertainty, the units on a boundary, the sheets that look copied and the
outlying inputs, as rich renderables (fitted to a terminal's width, or whole for files and pipes
through plain.py), from the dict of `audit.run.audit` (which is also the JSON)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

from rich import box
from rich.console import Group as RichGroup
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from ictscore.audit.texts import criterion_figures, fixed, fixed_pct, num, pct, total_text
from ictscore.reports.labels import markup_safe
from ictscore.text import terminal_safe

TITLE = "Kiểm định bảng tiêu chí và xếp hạng"
MAX_CELLS = 12
"""Matching cells listed per copied pair on the terminal (the JSON lists them all)."""


def _t(text: object) -> str:
    """Text from a file as one line of a terminal shows it (for Text, which reads no markup)."""
    return terminal_safe(str(text))


def _table(title: str, caption: str | None = None) -> Table:
    return Table(
        title=title,
        caption=caption,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        title_style="bold",
        caption_justify="left",
        padding=(0, 1),
    )


def audit_tables(result: Mapping[str, Any], terminal: bool = False) -> RenderableType:
    """Everything `audit` prints, group by group in the rubric's order. `terminal`: laid out by
    rich (which puts no blank line after a table's caption; plain.py does)."""
    gap: list[RenderableType] = [Text("")] if terminal else []
    rubric = result["rubric"]
    head = f"{TITLE}: {rubric.get('title') or rubric.get('id')}"
    parts: list[RenderableType] = [Text(_t(head), style="bold"), Text(_settings(result))]
    labels = {b["id"]: b["label"] for b in result["bands"]}
    for group in result["groups"]:
        parts += [Text(""), Text(_t(f"{group['label']} ({group['units']} đơn vị)"), style="bold")]
        if not group["units"]:
            parts.append(Text("Không có đơn vị nào được chấm."))
            continue
        parts += [_criteria_table(group), *gap]
        parts += _bullets("Cảnh báo về tiêu chí", group["flags"], _flag_line)
        if group["ranks"]:
            mc, precision = result["settings"]["monte_carlo"], result["rubric"].get("precision")
            parts += [_ranks_table(group, labels, mc, precision), *gap]
        parts += _bullets("Đơn vị sát ngưỡng xếp loại", group["boundary"], _unit_line)
        parts += _bullets("Bảng điểm giống nhau", group["copies"], _copy_line)
        if group["outliers"]:
            parts += [_outliers_table(group), *gap]
    return RichGroup(*parts)


def _settings(result: Mapping[str, Any]) -> str:
    s = result["settings"]
    mc = s["monte_carlo"]
    runs = (
        f"{num(mc['runs'])} lần mô phỏng, trọng số mỗi tiêu chí thay đổi ±{pct(mc['weights'])}, "
        f"hạt giống {mc['seed']}"
        if mc["runs"]
        else "không mô phỏng"
    )
    return _t(f"{runs}; biên làm tròn {num(s['rounding_margin'], 4)} điểm.")


def _criteria_table(group: Mapping[str, Any]) -> Table:
    table = _table(
        "Tiêu chí",
        "TB: điểm trung bình; ĐLC: độ lệch chuẩn; r: tương quan với tổng điểm; "
        "% phương sai: phần độ biến thiên của tổng điểm do tiêu chí tạo ra.",
    )
    for label in ("Tiêu chí", "Tối đa", "TB", "ĐLC", "% tối đa", "% bằng 0", "r", "% phương sai"):
        table.add_column(label, justify="left" if label == "Tiêu chí" else "right")
    for row in group["criteria"]:
        table.add_row(markup_safe(row["id"]), num(row["max"]), *criterion_figures(row))
    return table


def _bullets(title: str, items: Sequence[Mapping[str, Any]], line: Any) -> list[RenderableType]:
    if not items:
        return []
    parts: list[RenderableType] = [Text(title, style="bold")]
    parts += [Text(_t(line(item))) for item in items]
    parts.append(Text(""))
    return parts


def _flag_line(flag: Mapping[str, Any]) -> str:
    return f"- {', '.join(flag['criteria'])}: {flag['text']}"


def _unit_line(b: Mapping[str, Any]) -> str:
    return f"- {b['name']} ({b['unit']}): {b['text']}"


def _copy_line(pair: Mapping[str, Any]) -> str:
    names = " và ".join(f"{n} ({c})" for n, c in zip(pair["names"], pair["units"], strict=True))
    cells = [f"{c['criterion']} {c['cell']}={_value(c['value'])}" for c in pair["cells"]]
    more = f", … ({len(cells) - MAX_CELLS} ô nữa)" if len(cells) > MAX_CELLS else ""
    shown = f" Ô trùng: {', '.join(cells[:MAX_CELLS])}{more}." if cells else ""
    texts = [e["criterion"] for e in pair["evidence"]]
    said = f" Minh chứng trùng ở tiêu chí {', '.join(texts)}." if texts else ""
    return f"- {names}: {pair['text']}{shown}{said}"


def _value(value: object) -> str:
    return num(value) if isinstance(value, int | float) else f"“{value}”"


def _ranks_table(
    group: Mapping[str, Any],
    labels: Mapping[str, str],
    mc: Mapping[str, Any],
    precision: int | None = None,
) -> Table:
    table = _table(
        "Thứ hạng khi trọng số thay đổi",
        f"Khoảng 5–95%: 90% số lần mô phỏng cho thứ hạng trong khoảng này; % đổi loại: tỷ lệ "
        f"số lần xếp loại khác loại hiện tại (trọng số ±{pct(mc['weights'])}).",
    )
    for label in ("Đơn vị", "Tổng", "Loại", "Hạng", "Trung vị", "5–95%", "% đổi loại"):
        table.add_column(label, justify="left" if label in ("Đơn vị", "Loại") else "right")
    rows = sorted(
        group["ranks"], key=lambda r: (r["ranked_within"] or "", r["rank"] or 10**9, r["unit"])
    )
    for r in rows:
        span = str(r["low"]) if r["low"] == r["high"] else f"{r['low']}–{r['high']}"
        table.add_row(
            markup_safe(r["name"] + (f" ({r['ranked_within']})" if r["ranked_within"] else "")),
            total_text(r["total"], precision),
            markup_safe(labels.get(r["band"], r["band"] or "")),
            str(r["rank"] or ""),
            str(r["median_rank"]),
            span,
            fixed_pct(r["band_changes"]),
        )
    return table


def _outliers_table(group: Mapping[str, Any]) -> Table:
    table = _table(
        "Số liệu bất thường",
        "z: độ lệch so với trung vị của nhóm, chia cho độ lệch tuyệt đối trung vị (×0,6745).",
    )
    table.add_column("Đơn vị, tệp!ô", overflow="fold")
    table.add_column("Tiêu chí")
    for label in ("Giá trị", "Trung vị", "z"):
        table.add_column(label, justify="right")
    for o in group["outliers"]:
        table.add_row(
            markup_safe(o["name"]) + "\n" + markup_safe(f"{PurePath(o['file']).name}!{o['cell']}"),
            markup_safe(f"{o['criterion']} {o['input']}"),
            num(o["value"]),
            num(o["median"]),
            fixed(o["z"]),
        )
    return table
