"""The annex (phụ lục) an official attaches to the decision announcing the results: a Word
document (.docx) in the format of Nghị định 30/2020/NĐ-CP on administrative documents.

A4 portrait; margins top and bottom 20 mm, left 30 mm, right 15 mm; Times New Roman, 14 pt for
the text and 13 pt in the tables; "PHỤ LỤC" bold and centred, the title in bold capitals, the
line "(Kèm theo Quyết định số …/QĐ-UBND ngày … tháng … năm … của …)" in italics with a short rule
under it; page numbers centred in the top margin from page 2. Then, group by group: its heading
and scale, one table of its graded units in the report's order (STT, the unit with its district
for communes, total, band, rank; the header row repeated on every page, no row split across
pages), the band counts, the units that sent nothing (with a roster) and those whose sheet was
invalid. The decision's number, date and issuer come from `grade --decision --decision-date
--issuer`; where one is not given, dots are left for the official to fill in.

Built with python-docx on its default template, every style the document uses set to Times New
Roman (theme fonts removed, so that Word and LibreOffice agree). Each table's unit rows are
copies of one row python-docx made, their texts put in: a 10,000-unit annex in about a second.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from ictscore.grading.results import Report, Status, UnitResult
from ictscore.numbers import vn_number
from ictscore.reports import labels
from ictscore.reports.labels import figure_text
from ictscore.reports.publication import Publication
from ictscore.reports.summary import GroupSummary, summarise
from ictscore.reports.tables import RankedTable, Row, build_tables, figure
from ictscore.rubric.model import Rubric
from ictscore.text import xml_safe

FONT: Final = "Times New Roman"
TEXT_SIZE: Final = Pt(14)
TABLE_SIZE: Final = Pt(13)
PAGE_WIDTH: Final = Mm(210)
PAGE_HEIGHT: Final = Mm(297)
MARGINS: Final = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
"""Nghị định 30/2020/NĐ-CP, Phụ lục I: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm."""
CELL_MARGIN: Final = Mm(1.2)
"""Left and right inside each table cell (Word's default is 1.9 mm)."""
HEADER_DISTANCE: Final = Mm(10)
"""The page number sits in the top margin."""
DOTS: Final = "…"
"""Where the official fills in what was not given (the decision's number, its date)."""

HEADING: Final = "PHỤ LỤC"
STT: Final = "STT"
MISSING_TITLE: Final = "Đơn vị chưa gửi bảng điểm"
INVALID_TITLE: Final = "Đơn vị có bảng điểm không hợp lệ, không được xếp loại, xếp hạng"
OTHERS_TITLE: Final = labels.OTHER_GROUPS_LABEL
NO_GRADED: Final = "Không có đơn vị nào được chấm điểm."

_ROMAN: Final = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_RUBRIC_PREFIX: Final = re.compile(r"^\s*(bảng điểm|bộ tiêu chí)\s+", re.IGNORECASE)
_PROVINCE: Final = re.compile(r"\b(tỉnh|thành phố)\s+(\S.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class _Col:
    id: str
    label: str
    width: Length
    align: WD_ALIGN_PARAGRAPH


_LEFT: Final = WD_ALIGN_PARAGRAPH.LEFT
_CENTER: Final = WD_ALIGN_PARAGRAPH.CENTER
_RIGHT: Final = WD_ALIGN_PARAGRAPH.RIGHT


def _columns(parent_rank: bool) -> tuple[_Col, ...]:
    """The table's columns, 165 mm in all: the page's width between the margins. "STT",
    "Hạng" and "Trung bình" fit their columns in Times New Roman 13 pt with the cells' margins
    (CELL_MARGIN), the headers also in DejaVu Serif (LibreOffice's stand-in where Times New
    Roman is not installed)."""
    unit = Mm(74) if parent_rank else Mm(91)
    cols = [
        _Col("stt", STT, Mm(13), _CENTER),
        _Col("unit", labels.UNIT, unit, _LEFT),
        _Col("total", labels.TOTAL_POINTS, Mm(19), _RIGHT),
        _Col("band", labels.BAND, Mm(24), _CENTER),
        _Col("rank", labels.RANK, Mm(18), _CENTER),
    ]
    if parent_rank:
        cols.append(_Col("parent_rank", labels.PARENT_RANK, Mm(17), _CENTER))
    return tuple(cols)


def build_annex(
    report: Report, rubric: Rubric, publication: Publication | None = None
) -> DocxDocument:
    """The annex as a python-docx Document (the caller saves it)."""
    publication = publication or Publication()
    doc = Document()
    _set_up(doc, rubric, publication)
    _head(doc, rubric, publication)
    tables = build_tables(report, rubric)
    summaries = {s.group: s for s in summarise(report, rubric)}
    shown = [t for t in tables.groups if t.rows]
    for i, ranked in enumerate(shown):
        _group_section(doc, rubric, ranked, summaries[ranked.group.id], _roman(i), report.rostered)
    if tables.others:
        _others(doc, tables.others, _roman(len(shown)))
    return doc


# --- the title block ---------------------------------------------------------------------------


def annex_title(rubric: Rubric) -> str:
    """ "KẾT QUẢ CHẤM ĐIỂM, XẾP LOẠI THI ĐUA … NĂM 2020": what the rubric scores, its year."""
    return " ".join(_title_lines(rubric))


def _title_lines(rubric: Rubric) -> tuple[str, str]:
    """The title as printed: "KẾT QUẢ CHẤM ĐIỂM, XẾP LOẠI", then what was scored (wrapping on
    its own, never leaving "NĂM 2020" alone on a line after a full one)."""
    subject = _RUBRIC_PREFIX.sub("", rubric.title).strip()
    if str(rubric.year) not in subject:
        subject += f" năm {rubric.year}"
    verb = "XẾP LOẠI" if rubric.bands else "XẾP HẠNG"
    return f"KẾT QUẢ CHẤM ĐIỂM, {verb}", subject.upper()


def attachment_line(rubric: Rubric, publication: Publication) -> str:
    """ "(Kèm theo Quyết định số 12/QĐ-UBND ngày 15 tháng 01 năm 2021 của Ủy ban nhân dân tỉnh
    Tiền Giang)", with dots for what was not given."""
    decision = (publication.decision or "").strip()
    if not decision:
        decision = f"Quyết định số {DOTS}/QĐ-UBND"
    elif not decision.lower().startswith("quyết định"):
        decision = f"Quyết định số {decision}"
    date = publication.date
    when = (
        f"ngày {date:%d} tháng {date:%m} năm {date:%Y}"
        if date is not None
        else f"ngày {DOTS} tháng {DOTS} năm {DOTS}"
    )
    return f"(Kèm theo {decision} {when} của {signer(rubric, publication)})"


def signer(rubric: Rubric, publication: Publication) -> str:
    """Who issues the decision: `--issuer`, else the People's Committee of the province named
    in the rubric's issuer ("Sở … tỉnh Tiền Giang" → "Ủy ban nhân dân tỉnh Tiền Giang"), else
    the People's Committee with dots for the province."""
    if publication.issuer:
        return publication.issuer.strip()
    found = _PROVINCE.search(rubric.issuer.strip())
    if found:
        return f"Ủy ban nhân dân {found.group(1)} {found.group(2)}"
    return f"Ủy ban nhân dân tỉnh {DOTS}"


def _head(doc: DocxDocument, rubric: Rubric, publication: Publication) -> None:
    _para(doc, HEADING, bold=True, align=_CENTER, after=0, keep=True)
    title = "\n".join(xml_safe(line) for line in _title_lines(rubric))
    _para(doc, title, bold=True, align=_CENTER, after=0, keep=True)
    # NOTE: "của <issuer>)" on a line of its own, as decisions print it, rather than wherever
    # the line happens to wrap ("của Ủy ban nhân | dân tỉnh")
    line = xml_safe(attachment_line(rubric, publication))
    at = line.rfind(" của ")
    if at > 0:
        line = line[:at] + "\n" + line[at + 1 :]
    _para(doc, line, italic=True, align=_CENTER, after=0)
    rule = _para(doc, "", align=_CENTER, after=12)
    _short_rule(rule)


def _short_rule(paragraph: Paragraph) -> None:
    """The short line under the title block: the paragraph's bottom border, indented to about a
    third of the width."""
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm(57)
    fmt.line_spacing = Pt(4)
    border = OxmlElement("w:pBdr")
    line = {"val": "single", "sz": "6", "space": "1", "color": "000000"}
    bottom = OxmlElement("w:bottom", {qn(f"w:{k}"): v for k, v in line.items()})
    border.append(bottom)
    p_pr = paragraph._p.get_or_add_pPr()
    p_pr.insert_element_before(border, *_AFTER_PBDR)


_AFTER_PBDR: Final = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
"""What follows w:pBdr in a paragraph's properties (the schema fixes the order)."""


# --- a group ---------------------------------------------------------------------------------


def _group_section(
    doc: DocxDocument,
    rubric: Rubric,
    ranked: RankedTable,
    summary: GroupSummary,
    number: str,
    rostered: bool,
) -> None:
    _para(doc, f"{number}. {xml_safe(ranked.group.label).upper()}", bold=True, before=12, keep=True)
    _para(doc, _scale_line(ranked, summary, rostered), keep=True, after=6)
    graded = [r for r in ranked.rows if r.graded]
    if graded:
        parent_rank = ranked.has("parent_rank")
        _units_table(doc, rubric, graded, _columns(parent_rank))
        if rubric.bands:
            _para(doc, _bands_line(summary), before=6)
        unranked = [r.unit for r in graded if r.unranked]
        if unranked:
            _para(doc, _unranked_line(unranked))
    else:
        _para(doc, NO_GRADED)
    invalid = [r.unit for r in ranked.rows if r.unit.status is Status.INVALID]
    missing = [r.unit for r in ranked.rows if r.unit.status is Status.MISSING]
    if missing:
        _names_list(doc, MISSING_TITLE, missing)
    if invalid:
        _names_list(doc, INVALID_TITLE, invalid)


def _scale_line(ranked: RankedTable, summary: GroupSummary, rostered: bool) -> str:
    """ "Thang điểm: tối đa 100 điểm (+10 thưởng, −5 trừ). Số đơn vị: 16, trong đó 5 đơn vị được
    chấm điểm, 11 đơn vị chưa gửi bảng điểm." """
    scale = f"Thang điểm: {ranked.max_text}."
    counted = "Số đơn vị" if rostered else "Số đơn vị gửi bảng điểm"
    if summary.graded == len(ranked.rows):
        return f"{scale} {counted}: {summary.graded}, đều được chấm điểm."
    counts = [f"{summary.graded} đơn vị được chấm điểm"]
    if summary.invalid:
        counts.append(f"{summary.invalid} đơn vị có bảng điểm không hợp lệ")
    if summary.missing:
        counts.append(f"{summary.missing} đơn vị chưa gửi bảng điểm")
    return f"{scale} {counted}: {len(ranked.rows)}, trong đó {', '.join(counts)}."


def _bands_line(summary: GroupSummary) -> str:
    """ "Kết quả xếp loại: Tốt 2 đơn vị (40%); Khá 1 đơn vị (20%); Trung bình 0 đơn vị; …" """
    parts = []
    for b in summary.bands:
        share = f" ({vn_number(b.share, 0)}%)" if b.count and b.share is not None else ""
        parts.append(f"{xml_safe(b.label)} {b.count} đơn vị{share}")
    return "Kết quả xếp loại: " + "; ".join(parts) + "."


def _unranked_line(units: Sequence[UnitResult]) -> str:
    reasons = "; ".join(f"{xml_safe(u.display_name)}: {xml_safe(u.unranked or '')}" for u in units)
    return f"{labels.UNRANKED_MARK}: {labels.UNRANKED.lower()} — {reasons}."


def _names_list(doc: DocxDocument, title: str, units: Sequence[UnitResult]) -> None:
    """ "Đơn vị chưa gửi bảng điểm (11): A; B; C." in one paragraph, the names in the report's
    order; units under a parent (communes) one paragraph per parent, in the order the parents
    first appear: "- Thành phố Mỹ Tho (13): Phường 7; Phường 3; …"."""
    by_parent: dict[str, list[str]] = {}
    loose: list[str] = []
    for u in units:
        name = xml_safe(u.name)
        if u.parent_name:
            by_parent.setdefault(xml_safe(u.parent_name), []).append(name)
        else:
            loose.append(name)
    paragraph = _para(doc, "", before=6, align=_LEFT, keep=bool(by_parent) and not loose)
    _run(paragraph, f"{title} ({len(units)}):", italic=True)
    if loose:
        _run(paragraph, " " + "; ".join(loose) + ".")
    for parent, names in by_parent.items():
        item = _para(doc, f"- {parent} ({len(names)}): " + "; ".join(names) + ".", align=_LEFT)
        item.paragraph_format.left_indent = Mm(5)
        item.paragraph_format.first_line_indent = -Mm(5)


def _others(doc: DocxDocument, units: Sequence[UnitResult], number: str) -> None:
    _para(doc, f"{number}. {OTHERS_TITLE.upper()}", bold=True, before=12, keep=True)
    for u in units:
        status = labels.STATUS_LABELS[u.status]
        _para(doc, f"- {xml_safe(u.display_name)} ({xml_safe(u.group)}): {status}.")


# --- the table -------------------------------------------------------------------------------


def _units_table(
    doc: DocxDocument, rubric: Rubric, rows: Sequence[Row], columns: tuple[_Col, ...]
) -> Table:
    table: Table = doc.add_table(rows=0, cols=len(columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for col, spec in zip(table.columns, columns, strict=True):
        col.width = spec.width
    _cell_margins(table)
    _add_row(table, columns, [c.label for c in columns], header=True)
    # NOTE: python-docx takes about 1 ms a cell; one row is made with it, and every unit's row
    # is a copy of that one with its texts put in (a 10,000-unit annex in seconds, not minutes)
    proto = _add_row(table, columns, ["-"] * len(columns))
    tbl = table._tbl
    tbl.remove(proto)
    for i, row in enumerate(rows, start=1):
        tr = copy.deepcopy(proto)
        texts = [_cell_text(rubric, row, c.id, i) for c in columns]
        for t, text in zip(list(tr.iter(qn("w:t"))), texts, strict=True):
            _set_text(t, text)
        tbl.append(tr)
    return table


def _set_text(t: Any, text: str) -> None:
    """The text of a copied cell's w:t: a line break for each newline (a name may hold one), the
    spaces kept."""
    first, *more = text.split("\n")
    t.text = first
    if first != first.strip():
        t.set(qn("xml:space"), "preserve")
    for line in reversed(more):
        t.addnext(OxmlElement("w:t", {qn("xml:space"): "preserve"}))
        t.getnext().text = line
        t.addnext(OxmlElement("w:br"))


def _cell_margins(table: Table) -> None:
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        attrs = {qn("w:w"): str(CELL_MARGIN.twips), qn("w:type"): "dxa"}
        margins.append(OxmlElement(f"w:{side}", attrs))
    table._tbl.tblPr.insert_element_before(
        margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"
    )


def _cell_text(rubric: Rubric, row: Row, column: str, number: int) -> str:
    cells = row.cells
    match column:
        case "stt":
            return str(number)
        case "unit":
            return _unit_text(row.unit)
        case "total":
            return figure_text(figure(cells["total"]), rubric.precision)
        case "band":
            return xml_safe(str(cells["band"] or ""))
        case "rank" | "parent_rank":
            value = cells[column]
            if row.unranked:
                return labels.UNRANKED_MARK
            return "" if value is None else str(value)
    raise ValueError(column)  # pragma: no cover - the columns are fixed above


def _add_row(
    table: Table, columns: tuple[_Col, ...], texts: Sequence[str], header: bool = False
) -> Any:
    """One row (its w:tr): never split across pages; the header row repeated at the top of each
    page."""
    row = table.add_row()  # type: ignore[no-untyped-call]
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))
    for cell, spec, text in zip(row.cells, columns, texts, strict=True):
        _fill(cell, spec, text, header)
    return row._tr


def _fill(cell: _Cell, spec: _Col, text: str, header: bool) -> None:
    cell.width = spec.width
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    # NOTE: by id: `paragraph.style = name` looks the name up among the template's hundreds of
    # styles, for every cell (a 10,000-unit annex took 100 s)
    paragraph._p.get_or_add_pPr().style = _TABLE_STYLE_ID
    paragraph.alignment = _CENTER if header else spec.align
    if text:
        paragraph.add_run(text).bold = header or None


# --- document set-up -------------------------------------------------------------------------

_TABLE_STYLE: Final = "Annex Table"
"""The paragraph style of the tables' text: Times New Roman 13, little spacing."""
_TABLE_STYLE_ID: Final = "AnnexTable"


def _set_up(doc: DocxDocument, rubric: Rubric, publication: Publication) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.header_distance = section.footer_distance = HEADER_DISTANCE
    section.different_first_page_header_footer = True  # no number on the first page
    section.first_page_header.is_linked_to_previous = False
    number = section.header.paragraphs[0]
    number.alignment = _CENTER
    _page_field(number)
    _fonts(doc)
    props = doc.core_properties
    props.title = xml_safe(f"Phụ lục — {annex_title(rubric)}")
    props.author = xml_safe(publication.issuer_of(rubric))
    props.subject = xml_safe(rubric.title)
    props.last_modified_by = "ictscore"
    props.language = "vi-VN"
    props.comments = f"Bảng điểm {xml_safe(rubric.id)}, phiên bản {xml_safe(rubric.version)}"


def _fonts(doc: DocxDocument) -> None:
    """Times New Roman everywhere: the document's defaults, Normal (14 pt, single spacing), the
    header, the table style, and the paragraph style of the tables' text (13 pt)."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        for fonts in defaults.iter(qn("w:rFonts")):
            _only(fonts)
        for lang in defaults.iter(qn("w:lang")):
            lang.set(qn("w:val"), "vi-VN")
    for name in ("Normal", "Header", "Table Grid"):
        style = doc.styles[name]
        style.font.name = FONT
        _only(style.element.get_or_add_rPr().get_or_add_rFonts())
    normal = doc.styles["Normal"]
    normal.font.size = TEXT_SIZE
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(3), 1.0
    table_text = doc.styles.add_style(_TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.style_id = _TABLE_STYLE_ID
    table_text.base_style = normal
    table_text.font.size = TABLE_SIZE
    table_fmt = table_text.paragraph_format
    table_fmt.space_before = table_fmt.space_after = Pt(2)


def _only(fonts: object) -> None:
    """A w:rFonts naming Times New Roman for every script, its theme fonts removed (a theme
    font, where present, wins over the named one)."""
    element = fonts  # an lxml element
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        element.attrib.pop(qn(f"w:{attr}"), None)  # type: ignore[attr-defined]
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        element.set(qn(f"w:{attr}"), FONT)  # type: ignore[attr-defined]


def _page_field(paragraph: Paragraph) -> None:
    """A PAGE field: the page's number, as Word and LibreOffice update it."""

    def char(kind: str) -> None:
        paragraph.add_run()._r.append(OxmlElement("w:fldChar", {qn("w:fldCharType"): kind}))

    char("begin")
    instr = OxmlElement("w:instrText", {qn("xml:space"): "preserve"})
    instr.text = " PAGE "
    paragraph.add_run()._r.append(instr)
    char("separate")
    paragraph.add_run("2")  # the number shown until the field is updated
    char("end")


def _para(
    doc: DocxDocument,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    before: float = 0,
    after: float = 3,
    keep: bool = False,
) -> Paragraph:
    paragraph = doc.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if keep:
        fmt.keep_with_next = True
    if text:
        _run(paragraph, text, bold=bold, italic=italic)
    return paragraph


def _run(paragraph: Paragraph, text: str, *, bold: bool = False, italic: bool = False) -> None:
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.italic = italic or None


NBSP: Final = "\u00a0"


def _unit_text(unit: UnitResult) -> str:
    """The unit's name and, for a commune, its district in brackets held together by no-break
    spaces: a name too long for its cell wraps before "(Huyện Gò Công Tây)", not inside it."""
    if not unit.parent_name:
        return xml_safe(unit.name)
    return f"{xml_safe(unit.name)} ({NBSP.join(xml_safe(unit.parent_name).split())})"


def _roman(i: int) -> str:
    return _ROMAN[i] if i < len(_ROMAN) else str(i + 1)
