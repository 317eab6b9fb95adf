"""The audit as a workbook (`ictscore audit --output audit.xlsx`), in the style of the results
workbook: a sheet per finding (criteria, flags, ranks, boundary, copied sheets, outliers), every
group in it with a column naming the group, headers and widths from `common`, figures as numbers
(shares as percentages), texts in Vietnamese."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ictscore.audit.texts import KINDS, num, pct
from ictscore.reports.workbook.common import cell_text, finish, header

PCT = "0.0%"
Row = Callable[[Mapping[str, Any]], list[Any]]


def _sheet(
    wb: Workbook,
    title: str,
    note: str,
    heads: Sequence[tuple[str, float, str | None]],
    rows: list[list[Any]],
    wrap: Sequence[int] = (),
) -> Worksheet:
    ws = wb.create_sheet(title)
    ws.append([cell_text(title)])
    ws.append([cell_text(note)])
    ws.append([h for h, _, _ in heads])
    header(ws, 3)
    for row in rows:
        ws.append([cell_text(v) for v in row])
    for col, (_, _, fmt) in enumerate(heads, start=1):
        if fmt:
            for (cell,) in ws.iter_rows(min_row=4, min_col=col, max_col=col):
                cell.number_format = fmt
    finish(ws, [w for _, w, _ in heads], wrap=wrap)
    return ws


def _rows(result: Mapping[str, Any], key: str, row: Row) -> list[list[Any]]:
    return [[g["label"], *row(item)] for g in result["groups"] for item in g[key]]


def build_audit_workbook(result: Mapping[str, Any]) -> Workbook:
    """The workbook of `audit.run.audit`'s result."""
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    group = ("Nhóm", 22.0, None)
    _sheet(
        wb,
        "Tiêu chí",
        "Độ phân loại của từng tiêu chí: TB, độ lệch chuẩn, tỷ lệ đạt tối đa, tỷ lệ bằng 0, "
        "tương quan với tổng điểm, phần phương sai của tổng điểm (docs/audit.md).",
        [
            group,
            ("Tiêu chí", 10, None),
            ("Tên", 40, None),
            ("Tối đa", 8, None),
            ("TB", 8, "0.00"),
            ("ĐLC", 8, "0.00"),
            ("% tối đa", 9, PCT),
            ("% bằng 0", 9, PCT),
            ("r", 8, "0.00"),
            ("% phương sai", 11, PCT),
        ],
        _rows(
            result,
            "criteria",
            lambda c: [
                c["id"],
                c["title"],
                c["max"],
                c["mean"],
                c["spread"],
                c["at_max"],
                c["at_zero"],
                c["corr_total"],
                c["variance_share"],
            ],
        ),
        wrap=(3,),
    )
    _sheet(
        wb,
        "Cảnh báo",
        "Mỗi cảnh báo nêu số đo được và ngưỡng đã dùng.",
        [
            group,
            ("Loại", 11, None),
            ("Tiêu chí", 14, None),
            ("Số đo", 9, None),
            ("Ngưỡng", 9, None),
            ("Giải thích", 80, None),
        ],
        _rows(
            result,
            "flags",
            lambda f: [
                KINDS[f["kind"]],
                ", ".join(f["criteria"]),
                f["figure"],
                f["threshold"],
                f["text"],
            ],
        ),
        wrap=(6,),
    )
    mc = result["settings"]["monte_carlo"]
    _sheet(
        wb,
        "Thứ hạng",
        f"{num(mc['runs'])} lần mô phỏng, trọng số ±{pct(mc['weights'])}, hạt giống {mc['seed']}: "
        "hạng trung vị, khoảng 5–95%, tỷ lệ số lần đổi loại.",
        [
            group,
            ("Mã", 10, None),
            ("Đơn vị", 34, None),
            ("Xếp hạng trong", 22, None),
            ("Tổng", 9, "0.00"),
            ("Loại", 12, None),
            ("Hạng", 7, None),
            ("Trung vị", 9, None),
            ("Hạng 5%", 9, None),
            ("Hạng 95%", 9, None),
            ("% đổi loại", 10, PCT),
        ],
        _rows(
            result,
            "ranks",
            lambda r: [
                r["unit"],
                r["name"],
                r["ranked_within"],
                r["total"],
                _band(result, r["band"]),
                r["rank"],
                r["median_rank"],
                r["low"],
                r["high"],
                r["band_changes"],
            ],
        ),
        wrap=(3,),
    )
    _sheet(
        wb,
        "Sát ngưỡng",
        "Đơn vị có xếp loại phụ thuộc làm tròn hoặc một lần thẩm định.",
        [
            group,
            ("Mã", 10, None),
            ("Đơn vị", 34, None),
            ("Tổng", 9, "0.00"),
            ("Lý do", 11, None),
            ("Giải thích", 80, None),
        ],
        _rows(
            result,
            "boundary",
            lambda b: [b["unit"], b["name"], b["total"], KINDS[b["why"]], b["text"]],
        ),
        wrap=(3, 6),
    )
    _sheet(
        wb,
        "Giống nhau",
        "Bảng điểm giống nhau, mỗi dòng một ô trùng (hoặc một minh chứng trùng), để Hội đồng "
        "thẩm định xem lại.",
        [
            group,
            ("Đơn vị 1", 30, None),
            ("Đơn vị 2", 30, None),
            ("Tiêu chí", 9, None),
            ("Ô trùng / minh chứng", 14, None),
            ("Ô của đơn vị 2", 12, None),
            ("Giá trị", 40, None),
        ],
        _copy_rows(result),
        wrap=(2, 3, 7),
    )
    _sheet(
        wb,
        "Bất thường",
        "Số liệu cách xa nhóm: |z| lớn hơn ngưỡng, z = 0,6745·(x − trung vị) / MAD.",
        [
            group,
            ("Đơn vị", 30, None),
            ("Tệp", 40, None),
            ("Ô", 7, None),
            ("Tiêu chí", 9, None),
            ("Số liệu", 12, None),
            ("Giá trị", 10, None),
            ("Trung vị", 10, None),
            ("z", 8, "0.00"),
        ],
        _rows(
            result,
            "outliers",
            lambda o: [
                o["name"],
                o["file"],
                o["cell"],
                o["criterion"],
                o["input"],
                o["value"],
                o["median"],
                o["z"],
            ],
        ),
        wrap=(2, 3),
    )
    return wb


def _band(result: Mapping[str, Any], band: str | None) -> str:
    return next((b["label"] for b in result["bands"] if b["id"] == band), band or "")


def _copy_rows(result: Mapping[str, Any]) -> list[list[Any]]:
    rows = []
    for g in result["groups"]:
        for pair in g["copies"]:
            a, b = (f"{n} ({c})" for n, c in zip(pair["names"], pair["units"], strict=True))
            for c in pair["cells"]:
                rows.append(
                    [g["label"], a, b, c["criterion"], c["cell"], c["other_cell"], c["value"]]
                )
            for e in pair["evidence"]:
                rows.append([g["label"], a, b, e["criterion"], "minh chứng", "", e["text"]])
    return rows
