"""The audit as a web page (`ictscore audit --output audit.html`), in the style of the results
page (its style sheet, no network): per group, the criteria's figures, the flags, the ranks under
uncertainty, the units on a boundary, the sheets that look copied and the outlying inputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any, Final

from ictscore.audit.texts import criterion_figures, fixed, fixed_pct, num, pct, total_text
from ictscore.reports.page.style import CSS, PHONE_WIDTH
from ictscore.text import xml_safe

TITLE = "Kiểm định bảng tiêu chí và xếp hạng"


def _e(value: object) -> str:
    return escape(str(value if value is not None else ""))


def _table(heads: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    """A table; on a phone each row a card, every cell but the first after its column's name
    (`_PHONE`)."""
    head = "".join(
        f"<th{' class=num' if i in numeric else ''}>{_e(h)}</th>" for i, h in enumerate(heads)
    )
    labels = [f' data-label="{_e(h)}"' for h in heads]
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if i in numeric else ''}{labels[i]}>{c}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll audit">{table}</div>'


_PHONE: Final = (
    ".audit th { white-space: nowrap; }\n"
    "@media (max-width: "
    + str(PHONE_WIDTH)
    + """px) {
  .scroll.audit { border: 0; overflow: visible; }
  .audit table, .audit tbody { display: block; }
  .audit thead { display: none; }
  .audit tr { display: grid; grid-template-columns: repeat(auto-fill, minmax(8.5rem, 1fr));
    border: 1px solid var(--frame); border-radius: 6px; margin-bottom: .45rem; padding: .3rem; }
  .audit td { border: 0; padding: .1rem .3rem; text-align: left; white-space: normal;
    min-width: 0; overflow-wrap: anywhere; }
  .audit td:not(.num) { grid-column: 1 / -1; }
  .audit td:first-child { font-weight: 600; }
  .audit td + td::before { content: attr(data-label) ": "; color: var(--muted); }
  .audit td:empty { display: none; }
}
"""
)
"""The audit's tables: their heads on one line ("Tiêu chí" above ids as short as 1.1); on a
phone a card a row, its figures in a grid of labelled cells (the criteria table has nine
columns; as a table, its figures would lie beyond the screen)."""


def _list(title: str, items: Sequence[str]) -> str:
    if not items:
        return ""
    return f"<h3>{_e(title)}</h3><ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def build_audit_html(result: Mapping[str, Any]) -> str:
    rubric = result["rubric"]
    mc = result["settings"]["monte_carlo"]
    labels = {b["id"]: b["label"] for b in result["bands"]}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(TITLE)}</title><style>{CSS}{_PHONE}</style></head><body>",
        f'<header class="masthead"><h1>{_e(TITLE)}</h1>',
        f'<p class="meta">{_e(rubric.get("title") or rubric.get("id"))}</p>',
        f'<p class="meta">{num(mc["runs"])} lần mô phỏng, trọng số mỗi tiêu chí thay đổi '
        f"±{_e(pct(mc['weights']))}, hạt giống {mc['seed']}. Cách đọc từng số đo: docs/audit.md."
        "</p></header>",
    ]
    for g in result["groups"]:
        parts.append(_group(g, labels, rubric.get("precision")))
    parts.append("</body></html>")
    return xml_safe("\n".join(parts) + "\n")


def _group(g: Mapping[str, Any], labels: Mapping[str, str], precision: int | None = None) -> str:
    parts = [f'<section id="{_e(g["id"])}"><h2>{_e(g["label"])} ({g["units"]} đơn vị)</h2>']
    if not g["units"]:
        return parts[0] + "<p>Không có đơn vị nào được chấm.</p></section>"
    parts.append("<h3>Tiêu chí</h3>")
    parts.append(
        _table(
            ["Tiêu chí", "Tên", "Tối đa", "TB", "ĐLC", "% tối đa", "% bằng 0", "r", "% phương sai"],
            [
                [
                    _e(c["id"]),
                    _e(c["title"]),
                    num(c["max"]),
                    *map(_e, criterion_figures(c)),
                ]
                for c in g["criteria"]
            ],
            set(range(2, 9)),
        )
    )
    parts.append(
        _list(
            "Cảnh báo về tiêu chí",
            [f"<b>{_e(', '.join(f['criteria']))}</b>: {_e(f['text'])}" for f in g["flags"]],
        )
    )
    if g["ranks"]:
        parts.append("<h3>Thứ hạng khi trọng số thay đổi</h3>")
        rows = sorted(g["ranks"], key=lambda r: (r["ranked_within"] or "", r["rank"] or 10**9))
        parts.append(
            _table(
                [
                    "Đơn vị",
                    "Xếp hạng trong",
                    "Tổng",
                    "Loại",
                    "Hạng",
                    "Trung vị",
                    "5–95%",
                    "% đổi loại",
                ],
                [
                    [
                        _e(r["name"]),
                        _e(r["ranked_within"]),
                        total_text(r["total"], precision),
                        _e(labels.get(r["band"], r["band"])),
                        _e(r["rank"]),
                        _e(r["median_rank"]),
                        _e(r["low"] if r["low"] == r["high"] else f"{r['low']}–{r['high']}"),
                        fixed_pct(r["band_changes"]),
                    ]
                    for r in rows
                ],
                {2, 4, 5, 6, 7},
            )
        )
    parts.append(
        _list(
            "Đơn vị sát ngưỡng xếp loại",
            [f"<b>{_e(b['name'])}</b> ({_e(b['unit'])}): {_e(b['text'])}" for b in g["boundary"]],
        )
    )
    parts.append(_list("Bảng điểm giống nhau", [_pair(p) for p in g["copies"]]))
    if g["outliers"]:
        parts.append("<h3>Số liệu bất thường</h3>")
        parts.append(
            _table(
                ["Đơn vị", "Tệp", "Ô", "Tiêu chí", "Giá trị", "Trung vị", "z"],
                [
                    [
                        _e(o["name"]),
                        _e(o["file"]),
                        _e(o["cell"]),
                        _e(f"{o['criterion']} {o['input']}"),
                        num(o["value"]),
                        num(o["median"]),
                        fixed(o["z"]),
                    ]
                    for o in g["outliers"]
                ],
                {4, 5, 6},
            )
        )
    parts.append("</section>")
    return "\n".join(p for p in parts if p)


def _pair(p: Mapping[str, Any]) -> str:
    names = " và ".join(f"{_e(n)} ({_e(c)})" for n, c in zip(p["names"], p["units"], strict=True))
    cells = ", ".join(f"{_e(c['criterion'])} {_e(c['cell'])}={_e(c['value'])}" for c in p["cells"])
    texts = "; ".join(f"{_e(e['criterion'])}: “{_e(e['text'])}”" for e in p["evidence"])
    more = (f"<br>Ô trùng: {cells}" if cells else "") + (
        f"<br>Minh chứng trùng: {texts}" if texts else ""
    )
    return f"<b>{names}</b>: {_e(p['text'])}{more}"
