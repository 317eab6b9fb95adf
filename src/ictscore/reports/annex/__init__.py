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

What the annex says is here; how Word lays it out (page, fonts, tables) is in `word.py`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Mm

from ictscore.grading.results import Report, Status, UnitResult
from ictscore.numbers import vn_number
from ictscore.reports import labels
from ictscore.reports.annex import word
from ictscore.reports.annex.word import CENTER, LEFT, RIGHT, Col, para, run
from ictscore.reports.labels import figure_text
from ictscore.reports.publication import Publication
from ictscore.reports.summary import GroupSummary, summarise
from ictscore.reports.tables import RankedTable, Row, build_tables, figure
from ictscore.rubric.model import Rubric
from ictscore.text import xml_safe

__all__ = ["annex_title", "attachment_line", "build_annex", "signer"]

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


def _columns(parent_rank: bool) -> tuple[Col, ...]:
    """The table's columns, 165 mm in all: the page's width between the margins. "STT",
    "Hạng" and "Trung bình" fit their columns in Times New Roman 13 pt with the cells' margins
    (CELL_MARGIN), the headers also in DejaVu Serif (LibreOffice's stand-in where Times New
    Roman is not installed)."""
    unit = Mm(74) if parent_rank else Mm(91)
    cols = [
        Col("stt", STT, Mm(13), CENTER),
        Col("unit", labels.UNIT, unit, LEFT),
        Col("total", labels.TOTAL_POINTS, Mm(19), RIGHT),
        Col("band", labels.BAND, Mm(24), CENTER),
        Col("rank", labels.RANK, Mm(18), CENTER),
    ]
    if parent_rank:
        cols.append(Col("parent_rank", labels.PARENT_RANK, Mm(17), CENTER))
    return tuple(cols)


def build_annex(
    report: Report, rubric: Rubric, publication: Publication | None = None
) -> DocxDocument:
    """The annex as a python-docx Document (the caller saves it)."""
    publication = publication or Publication()
    doc = Document()
    word.set_up(
        doc,
        title=xml_safe(f"Phụ lục — {annex_title(rubric)}"),
        author=xml_safe(publication.issuer_of(rubric)),
        subject=xml_safe(rubric.title),
        comments=f"Bảng điểm {xml_safe(rubric.id)}, phiên bản {xml_safe(rubric.version)}",
    )
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
    Tiền Giang)", with dots for what was not given (the number's suffix too, unless the
    People's Committee issues it: "…/QĐ-UBND")."""
    issuer = signer(rubric, publication)
    decision = (publication.decision or "").strip()
    if not decision:
        suffix = "UBND" if issuer.lower().startswith(("ủy ban nhân dân", "ubnd")) else DOTS
        decision = f"Quyết định số {DOTS}/QĐ-{suffix}"
    elif not decision.lower().startswith("quyết định"):
        decision = f"Quyết định số {decision}"
    date = publication.date
    when = (
        f"ngày {date:%d} tháng {date:%m} năm {date:%Y}"
        if date is not None
        else f"ngày {DOTS} tháng {DOTS} năm {DOTS}"
    )
    return f"(Kèm theo {decision} {when} của {issuer})"


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
    para(doc, HEADING, bold=True, align=CENTER, after=0, keep=True)
    title = "\n".join(xml_safe(line) for line in _title_lines(rubric))
    para(doc, title, bold=True, align=CENTER, after=0, keep=True)
    # NOTE: "của <issuer>)" on a line of its own, as decisions print it, rather than wherever
    # the line happens to wrap ("của Ủy ban nhân | dân tỉnh")
    line = xml_safe(attachment_line(rubric, publication))
    at = line.rfind(" của ")
    if at > 0:
        line = line[:at] + "\n" + line[at + 1 :]
    para(doc, line, italic=True, align=CENTER, after=0)
    rule = para(doc, "", align=CENTER, after=12)
    word.short_rule(rule)


# --- a group ---------------------------------------------------------------------------------


def _group_section(
    doc: DocxDocument,
    rubric: Rubric,
    ranked: RankedTable,
    summary: GroupSummary,
    number: str,
    rostered: bool,
) -> None:
    para(doc, f"{number}. {xml_safe(ranked.group.label).upper()}", bold=True, before=12, keep=True)
    para(doc, _scale_line(ranked, summary, rostered), keep=True, after=6)
    graded = [r for r in ranked.rows if r.graded]
    if graded:
        parent_rank = ranked.has("parent_rank")
        columns = _columns(parent_rank)
        word.table(
            doc,
            columns,
            ([_cell_text(rubric, r, c.id, i) for c in columns] for i, r in enumerate(graded, 1)),
        )
        if rubric.bands:
            para(doc, _bands_line(summary), before=6)
        unranked = [r.unit for r in graded if r.unranked]
        if unranked:
            para(doc, _unranked_line(unranked))
    else:
        para(doc, NO_GRADED)
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
    paragraph = para(doc, "", before=6, align=LEFT, keep=bool(by_parent) and not loose)
    run(paragraph, f"{title} ({len(units)}):", italic=True)
    if loose:
        run(paragraph, " " + "; ".join(loose) + ".")
    for parent, names in by_parent.items():
        item = para(doc, f"- {parent} ({len(names)}): " + "; ".join(names) + ".", align=LEFT)
        item.paragraph_format.left_indent = Mm(5)
        item.paragraph_format.first_line_indent = -Mm(5)


def _others(doc: DocxDocument, units: Sequence[UnitResult], number: str) -> None:
    para(doc, f"{number}. {OTHERS_TITLE.upper()}", bold=True, before=12, keep=True)
    for u in units:
        status = labels.STATUS_LABELS[u.status]
        para(doc, f"- {xml_safe(u.display_name)} ({xml_safe(u.group)}): {status}.")


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


NBSP: Final = "\u00a0"


def _unit_text(unit: UnitResult) -> str:
    """The unit's name and, for a commune, its district in brackets held together by no-break
    spaces: a name too long for its cell wraps before "(Huyện Gò Công Tây)", not inside it."""
    if not unit.parent_name:
        return xml_safe(unit.name)
    return f"{xml_safe(unit.name)} ({NBSP.join(xml_safe(unit.parent_name).split())})"


def _roman(i: int) -> str:
    return _ROMAN[i] if i < len(_ROMAN) else str(i + 1)
