"""The CSV for Excel (`--csv-excel`, issue 13): what a Vietnamese Excel opens on a double-click
(UTF-8 with a BOM, `;` between fields, decimal commas, CRLF), the same rows as the script CSV,
which stays as it was."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, Run


def _excel_number(text: str) -> str:
    """A script CSV field as the Excel variant writes it: a decimal's point becomes a comma."""
    try:
        Decimal(text)
    except ArithmeticError:
        return text
    return text.replace(".", ",")


def test_csv_for_excel_has_the_script_csvs_rows(run: Run, tmp_path: Path):
    args = ["grade", EXAMPLES / "sheets", "--units", EXAMPLES / "units.csv", "-q"]
    script = run(*args, "-f", "csv", "-o", tmp_path / "script.csv")
    excel = run(*args, "-f", "csv", "--csv-excel", "-o", tmp_path / "excel.csv")
    assert script.exit_code == excel.exit_code == 1, excel.stderr
    # the script CSV as it was (tests/test_golden.py holds its bytes): UTF-8, ",", LF
    plain = (tmp_path / "script.csv").read_bytes()
    assert plain == script.stdout.encode("utf-8")
    assert not plain.startswith(b"\xef\xbb\xbf") and b"\r\n" not in plain
    data = (tmp_path / "excel.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel reads the diacritics
    assert data.count(b"\r\n") == plain.count(b"\n")  # CRLF, one per row
    assert excel.stdout_bytes == data  # stdout holds the same variant
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    expected = [[_excel_number(v) for v in row] for row in csv.reader(io.StringIO(plain.decode()))]
    assert rows == expected
    header = rows[0]
    totals = [r[header.index("total")] for r in rows[1:] if r[header.index("total")]]
    assert totals and all("," in t or t.isdigit() for t in totals)
    assert any("," in t for t in totals)  # decimal commas, e.g. "86,55"
    codes = [r[header.index("code")] for r in rows[1:]]
    assert "so-tt-tt" in codes  # text is never touched


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_libreoffice_in_vietnamese_opens_it_in_columns(run: Run, tmp_path: Path):
    result = run("grade", EXAMPLES / "sheets", "-q", "--csv-excel", "-o", tmp_path / "r.csv")
    assert result.exit_code == 0, result.stderr
    profile = tmp_path / "profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--infilter=CSV:59,34,76,1,,1066",  # ';', '"', UTF-8, line 1; locale vi-VN
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "r.csv"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    import openpyxl

    ws = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    header = [c.value for c in ws[1]]
    assert header[:4] == ["group", "rank", "parent_rank", "code"]
    total = header.index("total") + 1
    assert all(isinstance(ws.cell(r, total).value, int | float) for r in range(2, ws.max_row + 1))
