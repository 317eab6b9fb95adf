"""The Word mechanics of the annex: the A4 page with the decree's margins and the page number at
the top from page 2, Times New Roman in every style (theme fonts removed, so that Word and
LibreOffice agree), paragraphs and runs, the short rule under the title, and tables whose header
row repeats and whose rows never split across pages.

A table's rows are copies of one row python-docx made, their texts put in: python-docx takes
about 1 ms a cell, and looked up a paragraph style by name among the template's hundreds in
every cell (10,000 units took 100 s; now about a second).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

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
TABLE_STYLE: Final = "Annex Table"
"""The paragraph style of the tables' text: Times New Roman 13, little spacing."""
TABLE_STYLE_ID: Final = "AnnexTable"

LEFT: Final = WD_ALIGN_PARAGRAPH.LEFT
CENTER: Final = WD_ALIGN_PARAGRAPH.CENTER
RIGHT: Final = WD_ALIGN_PARAGRAPH.RIGHT
JUSTIFY: Final = WD_ALIGN_PARAGRAPH.JUSTIFY


@dataclass(frozen=True)
class Col:
    id: str
    label: str
    width: Length
    align: WD_ALIGN_PARAGRAPH


def set_up(doc: DocxDocument, *, title: str, author: str, subject: str, comments: str) -> None:
    """The page, the page number, the fonts and the document's properties."""
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.header_distance = section.footer_distance = HEADER_DISTANCE
    section.different_first_page_header_footer = True  # no number on the first page
    section.first_page_header.is_linked_to_previous = False
    number = section.header.paragraphs[0]
    number.alignment = CENTER
    _page_field(number)
    _fonts(doc)
    props = doc.core_properties
    props.title, props.author, props.subject, props.comments = title, author, subject, comments
    props.last_modified_by = "ictscore"
    props.language = "vi-VN"


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
    table_text = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.style_id = TABLE_STYLE_ID
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


def para(
    doc: DocxDocument,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = JUSTIFY,
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
        run(paragraph, text, bold=bold, italic=italic)
    return paragraph


def run(paragraph: Paragraph, text: str, *, bold: bool = False, italic: bool = False) -> None:
    added = paragraph.add_run(text)
    added.bold = bold or None
    added.italic = italic or None


def short_rule(paragraph: Paragraph) -> None:
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


def table(doc: DocxDocument, columns: Sequence[Col], rows: Iterable[Sequence[str]]) -> Table:
    """A table as wide as its columns, centred, in the grid style: the header row (the columns'
    labels, bold, repeated at the top of every page), then one row per item of `rows`."""
    made: Table = doc.add_table(rows=0, cols=len(columns))
    made.style = doc.styles["Table Grid"]
    made.alignment = WD_TABLE_ALIGNMENT.CENTER
    made.autofit = False
    for col, spec in zip(made.columns, columns, strict=True):
        col.width = spec.width
    _cell_margins(made)
    _add_row(made, columns, [c.label for c in columns], header=True)
    proto = _add_row(made, columns, ["-"] * len(columns))
    tbl = made._tbl
    tbl.remove(proto)
    for texts in rows:
        tr = copy.deepcopy(proto)
        for t, text in zip(list(tr.iter(qn("w:t"))), texts, strict=True):
            _set_text(t, text)
        tbl.append(tr)
    return made


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


def _add_row(
    table: Table, columns: Sequence[Col], texts: Sequence[str], header: bool = False
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


def _fill(cell: _Cell, spec: Col, text: str, header: bool) -> None:
    cell.width = spec.width
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    # NOTE: by id: `paragraph.style = name` looks the name up among the template's hundreds of
    # styles, for every cell (a 10,000-unit annex took 100 s)
    paragraph._p.get_or_add_pPr().style = TABLE_STYLE_ID
    paragraph.alignment = CENTER if header else spec.align
    if text:
        paragraph.add_run(text).bold = header or None
