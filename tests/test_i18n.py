"""The message catalogue (gettext): complete, compiled from its source, and used by `--lang vi`
and by the feedback to units."""

from __future__ import annotations

import ast
import io
import re
import unicodedata
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from ictscore.i18n import EXPLANATIONS, SUMMARY, t
from tests.conftest import EXAMPLES, ROOT, Run

LOCALE = ROOT / "src" / "ictscore" / "locale" / "vi" / "LC_MESSAGES"


def _codes_in_src() -> set[str]:
    """Every issue code the code can raise (literal first arguments of Issue/Note/WorkbookError
    codes, and the (code, text) problems)."""
    codes: set[str] = set()
    for path in (ROOT / "src" / "ictscore").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in ("Issue", "Note") and node.args:
                    first = node.args[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        codes.add(first.value)
                for kw in node.keywords:
                    if kw.arg == "code" and isinstance(kw.value, ast.Constant):
                        codes.add(str(kw.value.value))
                if (
                    name == "fail"
                    and len(node.args) == 2
                    and isinstance(node.args[1], ast.Constant)
                ):
                    codes.add(str(node.args[1].value))
            if isinstance(node, ast.Tuple) and len(node.elts) == 2:
                first = node.elts[0]
                second = node.elts[1]
                if (
                    isinstance(first, ast.Constant)
                    and isinstance(first.value, str)
                    and re.fullmatch(r"[a-z]+(-[a-z]+)+", first.value)
                    and isinstance(second, ast.JoinedStr | ast.Constant)
                ):
                    codes.add(first.value)  # a (code, message) problem
    return codes


def test_every_issue_code_is_explained_and_translated():
    missing = _codes_in_src() - set(EXPLANATIONS)
    assert missing == set()
    with (LOCALE / "ictscore.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id: m.string for m in catalog if m.id}
    for code, english in EXPLANATIONS.items():
        vietnamese = translated.get(english)
        assert vietnamese and vietnamese != english, code
        assert unicodedata.is_normalized("NFC", vietnamese), code
    assert "{graded}" in translated[SUMMARY] and "{warnings}" in translated[SUMMARY]


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
    assert t(EXPLANATIONS["not-a-number"], "vi") == "Cần nhập một số."


def test_lang_vi_prints_issues_and_summary_in_vietnamese(run: Run):
    folder = EXAMPLES / "mistakes"
    vi = run("grade", folder, "--rubric", "tiengiang-2020", "--lang", "vi")
    en = run("grade", folder, "--rubric", "tiengiang-2020")
    assert vi.exit_code == en.exit_code == 1
    assert "lỗi[not-a-number] " in vi.stderr and "Cần nhập một số. (criterion 1.1:" in vi.stderr
    assert vi.stderr.strip().endswith("0 đã chấm, 7 không hợp lệ, 0 chưa nộp; 8 lỗi, 0 cảnh báo")
    assert "error[not-a-number] " in en.stderr and "0 graded, 7 invalid" in en.stderr
    assert vi.stdout == en.stdout  # the tables are Vietnamese either way
    check = run("check", folder / "02-text-in-number-28291.xlsx", "--lang", "vi")
    assert "lỗi[not-a-number]" in check.stderr


def test_feedback_uses_the_catalogue(run: Run, tmp_path: Path):
    import openpyxl

    run("grade", EXAMPLES / "mistakes", "--rubric", "tiengiang-2020", "-q", "--feedback", tmp_path)
    cell = openpyxl.load_workbook(tmp_path / "819-phan-hoi.xlsx")["Bảng điểm"]["F9"]
    assert cell.comment is not None
    assert cell.comment.text.startswith(t(EXPLANATIONS["zero-denominator"], "vi"))
