"""The message catalogue (gettext): complete, compiled from its source, and used by `--lang vi`
and by the feedback to units."""

from __future__ import annotations

import ast
import io
import json
import pickle
import re
import string
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from ictscore.errors import WorkbookError
from ictscore.i18n import SUMMARY, t
from ictscore.issues import CellRef, IssueCode
from ictscore.messages import Msg, Percent, render
from tests.conftest import EXAMPLES, ROOT, Run

LOCALE = ROOT / "src" / "ictscore" / "locale" / "vi" / "LC_MESSAGES"


def test_every_issue_code_is_declared_once_explained_and_translated():
    """IssueCode is the one list of codes: each has a plain explanation translated in the
    catalogue, and the source names codes only through it (no code typed as a bare string)."""
    with (LOCALE / "ictscore.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id: m.string for m in catalog if m.id}
    for code in IssueCode:
        vietnamese = translated.get(code.explanation)
        assert vietnamese and vietnamese != code.explanation, code
        assert unicodedata.is_normalized("NFC", vietnamese), code
    assert "{graded}" in translated[SUMMARY] and "{warnings}" in translated[SUMMARY]
    declared = {c.value for c in IssueCode}
    for path in (ROOT / "src" / "ictscore").rglob("*.py"):
        if path.name == "issues.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in declared:
                pytest.fail(f"{path.name}:{node.lineno}: code {node.value!r} as a string")


def test_the_issue_codes_documented_are_the_declared_ones_with_their_severity():
    text = (ROOT / "docs" / "sheet-format.md").read_text(encoding="utf-8")
    section = text[text.index("\n## Issue codes") :]
    rows = dict(re.findall(r"^\| `([a-z]+(?:-[a-z]+)*)` \| ([a-z ,/]+?) \|", section, flags=re.M))
    assert set(rows) == {c.value for c in IssueCode}
    for code in IssueCode:  # None: "an error, or a warning", as the file or the rubric says
        assert rows[code] == (code.severity.value if code.severity else rows[code]), code
        assert (code.severity is None) == (", or " in rows[code]), code


def test_the_shipped_mo_is_compiled_from_the_po():
    """Same messages (the header says which Babel compiled it, so bytes may differ)."""

    def messages(catalog: object) -> dict[str, str]:
        return {m.id: m.string for m in catalog if m.id}  # type: ignore[attr-defined]

    with (LOCALE / "ictscore.po").open("rb") as fh:
        source = read_po(fh)
    with (LOCALE / "ictscore.mo").open("rb") as fh:
        shipped = read_mo(fh)
    assert messages(shipped) == messages(source), (
        "run: pybabel compile -d src/ictscore/locale -D ictscore"
    )
    compiled = io.BytesIO()
    write_mo(compiled, source)  # and it compiles
    assert compiled.getvalue()
    assert t(IssueCode.NOT_A_NUMBER.explanation, "vi") == "Cần nhập một số."


def test_lang_vi_prints_issues_and_summary_in_vietnamese(run: Run):
    folder = EXAMPLES / "mistakes"
    vi = run("grade", folder, "--rubric", "tiengiang-2020", "--lang", "vi")
    en = run("grade", folder, "--rubric", "tiengiang-2020")
    assert vi.exit_code == en.exit_code == 1
    assert "lỗi[not-a-number] " in vi.stderr
    # the precise message is Vietnamese too, with the unit's own text quoted as typed
    assert (
        "Cần nhập một số. (tiêu chí 1.1: Số CBCCVC được trang bị máy tính: cần một số từ 0 trở "
        'lên, nhưng ô ghi chữ "khoảng 20")'
    ) in vi.stderr
    assert vi.stderr.strip().endswith(
        "0 đã chấm, 7 không hợp lệ; 8 lỗi, 0 cảnh báo; không có danh sách đơn vị (--units) nên "
        "không đếm được đơn vị chưa nộp"
    )
    assert "error[not-a-number] " in en.stderr and "0 graded, 7 invalid" in en.stderr
    assert vi.stdout == en.stdout  # the tables are Vietnamese either way
    check = run("check", folder / "02-text-in-number-28291.xlsx", "--lang", "vi")
    assert "lỗi[not-a-number]" in check.stdout  # in the unit's card, after its points


def test_feedback_uses_the_catalogue(run: Run, tmp_path: Path):
    import openpyxl

    run("grade", EXAMPLES / "mistakes", "--rubric", "tiengiang-2020", "-q", "--feedback", tmp_path)
    cell = openpyxl.load_workbook(tmp_path / "819-phan-hoi.xlsx")["Bảng điểm"]["F9"]
    assert cell.comment is not None
    assert cell.comment.text.startswith(t(IssueCode.ZERO_DENOMINATOR.explanation, "vi"))


def _templates_in_src() -> dict[str, str]:
    """Every catalogue id in the source: Msg("…") and N_("…") literals (as pybabel extracts
    them), with the file they are in."""
    from babel.messages.extract import extract_from_dir

    found: dict[str, str] = {}
    for filename, _, message, _, _ in extract_from_dir(
        str(ROOT / "src" / "ictscore"), keywords={"Msg": None, "N_": None}
    ):
        assert isinstance(message, str), (filename, message)
        found[message] = filename
    return found


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_template_is_translated_with_the_same_placeholders():
    templates = _templates_in_src()
    assert len(templates) > 150  # the extraction sees the messages (a wrong keyword finds none)
    with (LOCALE / "ictscore.po").open("rb") as fh:
        translated = {m.id: m.string for m in read_po(fh) if m.id}
    for english, filename in templates.items():
        vietnamese = translated.get(english)
        assert vietnamese, f"{filename}: no translation for {english!r}"
        assert _fields(vietnamese) == _fields(english), english
        assert unicodedata.is_normalized("NFC", vietnamese), english


def test_a_message_renders_in_either_language_and_survives_pickling():
    inner = Msg(
        "expected {what}, found {found}",
        what=Msg("a number from {low} to {high}", low=Decimal(0), high=Decimal("2.5")),
        found=Decimal("9.5"),
    )
    message = Msg("criterion {id}: {text}", id="1.2", text=inner)
    assert message == "criterion 1.2: expected a number from 0 to 2.5, found 9.5"
    assert message.render("vi") == "tiêu chí 1.2: cần một số từ 0 đến 2,5, nhưng ô ghi 9,5"
    assert (
        Msg(
            "{found} is below the minimum {minimum}",
            found=Percent(Decimal("-0.125")),
            minimum=Percent(Decimal(0)),
        ).render("vi")
        == "-12,5% nhỏ hơn mức tối thiểu 0%"
    )
    error = pickle.loads(pickle.dumps(WorkbookError(CellRef("a.xlsx"), message, "not-a-number")))
    assert isinstance(error.message, Msg) and error.message.render("vi") == message.render("vi")
    assert (
        render("plain text, not from the catalogue", "vi") == "plain text, not from the catalogue"
    )


_ENGLISH = re.compile(r"\b(the|is|are|was|not|expected|found|above|below|cannot|file|sheet|read)\b")


def _english_words(text: str) -> list[str]:
    """English words in `text`, leaving out what is quoted, paths and file names, and a
    reader's own technical detail (an ASCII-only aside in brackets: "(File is not a zip file)")."""
    text = re.sub(r'"[^"]*"|\S*[/.]\S*|`[^`]*`|\([\x20-\x7e]*\)', " ", text)
    return _ENGLISH.findall(text)


def test_messages_for_units_are_vietnamese_through_and_through(run: Run, tmp_path: Path):
    """Every issue the mistakes and the hostile files raise, as a unit or clerk reads it in
    Vietnamese (JSON message_vi, the workbook's Vấn đề sheet, the feedback comments)."""
    import openpyxl

    seen: dict[str, str] = {}
    for folder, extra in ((EXAMPLES / "mistakes", ()), (ROOT / "tests" / "data" / "bad", ())):
        out = tmp_path / f"{folder.name}.json"
        run("grade", folder, "--rubric", "tiengiang-2020", "-q", "-o", out, *extra)
        report = json.loads(out.read_text(encoding="utf-8"))
        issues = report["issues"] + [i for u in report["units"] for i in u["issues"]]
        assert len(issues) >= 8
        for issue in issues:
            seen[issue["code"]] = issue["message_vi"]
            assert _english_words(issue["message_vi"]) == [], issue
            assert issue["message"] != issue["message_vi"]
    assert {"not-a-number", "zero-denominator", "encrypted", "too-large", "unsafe-xml"} <= set(seen)

    book = tmp_path / "results.xlsx"
    run(
        "grade",
        EXAMPLES / "mistakes",
        "--rubric",
        "tiengiang-2020",
        "-q",
        "-o",
        book,
        "--feedback",
        tmp_path / "fb",
    )
    rows = list(openpyxl.load_workbook(book)["Vấn đề"].iter_rows(min_row=2, values_only=True))
    texts = {row[2]: row[4] for row in rows}
    assert texts["above-maximum"] == (
        "Giá trị vượt quá mức tối đa cho phép. (tiêu chí 2.4: Điểm tự chấm: 5 vượt quá mức tối "
        "đa 3)"
    )
    comment = openpyxl.load_workbook(tmp_path / "fb" / "819-phan-hoi.xlsx")["Bảng điểm"][
        "F9"
    ].comment
    assert comment is not None
    assert comment.text == (
        "Mẫu số bằng 0: tỷ lệ không xác định. (tiêu chí 1.1: mẫu số (Tổng số CBCCVC của đơn vị) "
        "bằng 0; không tính được tỷ lệ)"
    )


def test_rubric_show_speaks_the_language_asked(run: Run):
    """Vietnamese by default (the rubric's titles are), English on request: the headings and
    how each criterion is scored."""
    vi = run("rubric", "show", "tiengiang-2020", "--group", "xa")
    en = run("rubric", "show", "tiengiang-2020", "--group", "xa", "--lang", "en")
    assert vi.exit_code == en.exit_code == 0
    assert vi.stdout == run("rubric", "show", "tiengiang-2020", "-g", "xa", "--lang", "vi").stdout
    for words in ("Cách tính", "tỷ lệ × tối đa (tử/mẫu số)", "có/không", "Tổng điểm cơ bản"):
        assert words in vi.stdout
    assert not re.search(r"\b(counts|percent|ratio|yes/no|sum)\b", vi.stdout)
    for words in ("Method", "ratio × max (counts)", "yes/no", "Base maximum", "Bands: Tốt"):
        assert words in en.stdout
    assert "Hạ tầng kỹ thuật công nghệ thông tin" in en.stdout  # the rubric's own words


def test_check_notes_provisional_points_in_the_language_asked(run: Run):
    sheet = EXAMPLES / "sheets" / "28249-phuong-5.xlsx"
    vi = run("check", sheet, "--lang", "vi", "--format", "json")
    assert "Lưu ý: tiêu chí 1.2 được chấm so với đơn vị cao nhất trong khối" in vi.stderr
    assert "Note:" not in vi.stderr
    card = run("check", sheet, "--lang", "vi")  # the card marks the points and says why
    assert "5,00 *" in card.stdout and "* Tạm tính:" in card.stdout


def test_what_was_written_is_said_in_the_language_asked(run: Run, tmp_path: Path):
    out = tmp_path / "r.json"
    vi = run("grade", EXAMPLES / "sheets", "--lang", "vi", "-q", "-o", out)
    assert vi.stderr.splitlines()[-1] == f"Đã ghi {out}"
    en = run("grade", EXAMPLES / "sheets", "-q", "-o", out, "--force")
    assert en.stderr.splitlines()[-1] == f"Wrote {out}"
