"""What each finding of the audit says, in Vietnamese (NFC), with its figure and threshold."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from ictscore.numbers import vn_number

KINDS = {
    "same": "Không phân loại được",
    "dominant": "Chi phối xếp hạng",
    "pair": "Đo cùng một nội dung",
    "unreached": "Không đơn vị nào đạt điểm",
    "rounding": "Phụ thuộc làm tròn",
    "appraisal": "Phụ thuộc một lần thẩm định",
}
"""The name of each kind of flag and of each reason a unit is on a boundary."""


def num(x: float, digits: int = 2) -> str:
    """0.925 → "0,93"; 100.0 → "100"; 1234.5 → "1.234,5"."""
    return vn_number(Decimal(repr(round(float(x), digits) + 0.0)))  # + 0.0: no "-0"


def total_text(value: float, precision: int | None) -> str:
    """A published total with every decimal of the rubric's precision, as the other reports
    print it: 101.3 → "101,30"."""
    digits = 2 if precision is None else int(precision)
    return vn_number(Decimal(f"{value:.{digits}f}"), digits)


def pct(share: float) -> str:
    """0.925 → "92,5%"."""
    return num(share * 100, 1) + "%"


def fixed(x: float, digits: int = 2) -> str:
    """A figure in a table's column, with all its decimals, so that the column's commas line
    up: 3.2 → "3,20"; 0.9 → "0,90"; -0.001 → "0,00" (prose says `num`: "3,2")."""
    return vn_number(Decimal(f"{round(float(x), digits) + 0.0:.{digits}f}"), digits)


def fixed_pct(share: float) -> str:
    """A share in a table's column: 0.925 → "92,5%"; 1.0 → "100,0%"; 0.0 → "0,0%"."""
    return fixed(share * 100, 1) + "%"


def criterion_figures(row: Mapping[str, Any]) -> list[str]:
    """A criterion's figures as the audit's tables show them, in their columns' order: mean,
    spread, share at the maximum, share at zero, correlation with the total, share of the
    total's variance ("" where there is none)."""
    shown: list[tuple[str, Callable[[float], str]]] = [
        ("mean", fixed),
        ("spread", fixed),
        ("at_max", fixed_pct),
        ("at_zero", fixed_pct),
        ("corr_total", fixed),
        ("variance_share", fixed_pct),
    ]
    return ["" if row[key] is None else show(row[key]) for key, show in shown]


def flag_text(flag: Mapping[str, Any]) -> str:
    kind, ids, figure, limit = flag["kind"], flag["criteria"], flag["figure"], flag["threshold"]
    if kind == "same":
        return (
            f"Không phân loại được: {pct(figure)} đơn vị cùng đạt {num(flag['value'])} điểm "
            f"(ngưỡng {pct(limit)}); tiêu chí này gần như không làm thay đổi thứ hạng."
        )
    if kind == "dominant":
        return (
            f"Chi phối xếp hạng: chiếm {pct(figure)} độ biến thiên của tổng điểm "
            f"(ngưỡng {pct(limit)}); thứ hạng phần lớn do tiêu chí này quyết định."
        )
    if kind == "pair":
        return (
            f"Đo cùng một nội dung: điểm tiêu chí {ids[0]} và {ids[1]} tương quan "
            f"{num(figure)} (ngưỡng {num(limit)}); có thể gộp hoặc bỏ bớt một tiêu chí."
        )
    return (
        f"Không đơn vị nào đạt điểm: mọi đơn vị 0 trên {num(limit)} điểm; "
        "yêu cầu có thể quá cao, chưa phù hợp thực tế hoặc cách tính cần xem lại."
    )


def copy_text(pair: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    parts = []
    if pair["matching"]:
        parts.append(
            f"trùng {pair['matching']}/{pair['distinctive']} số liệu riêng ({pct(pair['share'])}; "
            f"ngưỡng {options['min_inputs']} số liệu và {pct(options['min_share'])})"
        )
    if pair["evidence"]:
        parts.append(f"trùng {len(pair['evidence'])} văn bản minh chứng")
    return "Hai bảng điểm giống nhau: " + "; ".join(parts) + "; đề nghị Hội đồng thẩm định xem lại."


def outlier_text(o: Mapping[str, Any], z: float) -> str:
    return (
        f"Giá trị {num(o['value'])} cách xa nhóm: trung vị {num(o['median'])}, độ lệch tuyệt đối "
        f"trung vị {num(o['mad'])}, z = {num(o['z'])} (ngưỡng {num(z)}); kiểm tra lại số liệu."
    )


def boundary_text(b: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    if b["why"] == "rounding":
        side = "trên" if b["gap"] >= 0 else "dưới"
        band = labels.get(b["threshold_band"], b["threshold_band"])
        return (
            f"Phụ thuộc làm tròn: tổng {num(b['total'])} {side} ngưỡng {num(b['threshold'])} "
            f"của loại {band} {num(abs(b['gap']), 4)} điểm (biên {num(b['margin'], 4)})."
        )
    other = labels.get(b["band_without"] or "", b["band_without"] or "không xếp loại")
    return (
        f"Phụ thuộc một lần thẩm định: tiêu chí {b['criterion']} từ {num(b['self_points'])} còn "
        f"{num(b['appraised_points'])} điểm; nếu giữ điểm tự chấm, tổng {num(b['total_without'])} "
        f"và xếp loại {other}."
    )
