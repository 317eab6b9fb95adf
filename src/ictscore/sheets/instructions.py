"""The instructions sheet of a blank score sheet: how to fill it in, in Vietnamese, written for
the kinds of input the unit's sheet has (percentages, ratios, counts, normalised criteria) and
the rubric's rounding and bands.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from ictscore.numbers import vn_number
from ictscore.roster import Unit
from ictscore.rubric.methods import Normalised
from ictscore.rubric.model import Rubric
from ictscore.sheets.printing import set_page


def write_instructions(ws: Worksheet, rubric: Rubric, unit: Unit) -> None:
    """Write the instructions for `unit`'s sheet into `ws` (one column of wrapped lines)."""
    ws.column_dimensions["A"].width = 110
    lines = [
        ("HƯỚNG DẪN ĐIỀN BẢNG ĐIỂM", Font(bold=True, size=14)),
        (f"{rubric.title} ({rubric.issuer})", Font(italic=True)),
        (f"Đơn vị: {unit.name} (mã {unit.code})", Font(bold=True)),
        ("", Font()),
        ('1. Chỉ nhập vào các ô màu vàng ở trang "Bảng điểm"; các ô khác đã được khóa.', Font()),
        (
            "2. Mỗi ô nhập có ghi chú khi chọn ô, nêu cần nhập gì (điểm tự chấm, Có/Không, một "
            "mức trong danh sách, số liệu hoặc tỷ lệ phần trăm) và cách tính điểm; cột "
            '"Cách tính điểm, minh chứng cần có" ghi đầy đủ cách tính của từng tiêu chí.',
            Font(),
        ),
        ("3. " + _data_rules(rubric, unit), Font()),
        (
            '4. Ghi số hiệu, ngày, trích yếu văn bản làm minh chứng ở cột "Minh chứng, ghi chú".',
            Font(),
        ),
        (
            '5. Cột "Điểm (tự tính)" và tổng điểm chỉ để tham khảo; '
            f"{rubric.issuer} tính lại toàn bộ điểm từ số liệu đã nhập.",
            Font(),
        ),
        (
            f"6. Điểm được làm tròn đến {rubric.precision} chữ số thập phân."
            + (
                " Xếp loại theo tổng điểm: " + "; ".join(_band_text(rubric)) + "."
                if rubric.bands
                else ""
            ),
            Font(),
        ),
        (
            "7. Không đổi tên, thêm, xóa hay sắp xếp lại các trang và các dòng tiêu chí; không "
            "sửa mã tiêu chí, nội dung và điểm tối đa.",
            Font(),
        ),
        (
            "8. Có thể lưu tệp dưới dạng .xlsx (Excel hoặc LibreOffice). Kiểm tra trước khi gửi: "
            "ictscore check <tệp>.",
            Font(),
        ),
    ]
    for row, (text, font) in enumerate(lines, start=1):
        cell = ws.cell(row, 1, text)
        cell.font = font
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    set_page(ws, landscape=False)


def _data_rules(rubric: Rubric, unit: Unit) -> str:
    """Instruction 3: how to type figures, for the kinds of input this unit's sheet has."""
    slots = [
        (c.criterion.method, s)
        for c in rubric.plan(unit.group).criteria
        if c.criterion.method is not None
        for s in c.criterion.method.slots(c.max)
    ]
    parts = ["Số liệu là số thực tế của đơn vị (không phải điểm); điểm được tính từ số liệu."]
    if any(s.percent for _, s in slots):
        parts.append("Tỷ lệ phần trăm nhập dạng 85% (không nhập 85 thay cho 85%).")
    if any(s.key == "fraction" for _, s in slots):
        parts.append("Tỷ lệ dạng số thập phân nhập từ 0 đến 1 (ví dụ 0,85).")
    if any(s.key == "denominator" for _, s in slots):
        parts.append("Với tỷ lệ nhập tử số và mẫu số, mẫu số phải lớn hơn 0.")
    if any(s.integer for _, s in slots):
        parts.append("Số lượng (số cuộc họp, số phần mềm…) là số nguyên.")
    if any(isinstance(m, Normalised) for m, _ in slots):
        parts.append(
            "Tiêu chí so với đơn vị cao nhất trong khối: Sở tính điểm khi tổng hợp, nên ô điểm "
            "của tiêu chí đó và tổng điểm tạm tính trong bảng chưa gồm điểm này."
        )
    return " ".join(parts)


def _band_text(rubric: Rubric) -> list[str]:
    """["Tốt: từ 100 điểm", "Khá: từ 95 đến dưới 100 điểm", …, "Yếu: dưới 90 điểm"]."""
    out: list[str] = []
    upper = None
    for band in rubric.bands:
        if band.min is None:
            assert upper is not None
            out.append(f"{band.label}: dưới {vn_number(upper)} điểm")
        elif upper is None:
            out.append(f"{band.label}: từ {vn_number(band.min)} điểm trở lên")
        else:
            out.append(f"{band.label}: từ {vn_number(band.min)} đến dưới {vn_number(upper)} điểm")
        upper = band.min
    return out
