"""`ictscore audit` as a user runs it: on the examples' results file and on a folder, its JSON,
its table on a terminal 80 and 120 columns wide, its refusals; and `grade` never loads numpy."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, Run, grade_examples
from tests.test_layout_terminal import on_terminal


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audit") / "ket-qua.json"
    path.write_text(json.dumps(grade_examples(), ensure_ascii=False), encoding="utf-8")
    return path


def _json(run: Run, *args: str | Path) -> dict:
    result = run("audit", *args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_the_examples_audit_as_json(run: Run, results: Path) -> None:
    data = _json(run, results, "--runs", "200")
    assert data["format"] == "ictscore-audit/1"
    assert [g["id"] for g in data["groups"]] == ["nganh-doc", "so-nganh", "huyen", "xa"]
    assert data["settings"]["monte_carlo"] == {"runs": 200, "seed": 0, "weights": 0.2}
    xa = data["groups"][-1]
    assert xa["units"] == 14 and len(xa["ranks"]) == 14 and len(xa["criteria"]) > 20
    for flag in (f for g in data["groups"] for f in g["flags"]):
        assert flag["text"] and "ngưỡng" in flag["text"]
    for row in xa["ranks"]:
        assert row["low"] <= row["median_rank"] <= row["high"]


def test_the_same_seed_gives_the_same_output(run: Run, results: Path) -> None:
    one = run("audit", results, "--runs", "100", "--seed", "3", "-f", "json").stdout
    assert one == run("audit", results, "--runs", "100", "--seed", "3", "-f", "json").stdout
    assert one != run("audit", results, "--runs", "100", "--seed", "4", "-f", "json").stdout


def test_no_perturbation_gives_the_published_ranks(run: Run, results: Path) -> None:
    data = _json(run, results, "--runs", "20", "--weights", "0")
    for group in data["groups"]:
        for row in group["ranks"]:
            assert row["low"] == row["median_rank"] == row["high"]
            assert row["band_changes"] == 0
    ranked = [r for g in data["groups"][:3] for r in g["ranks"]]
    assert all(r["median_rank"] == r["rank"] for r in ranked)


def test_thresholds_are_options(run: Run, results: Path) -> None:
    strict = _json(run, results, "--runs", "0", "--same-share", "1.01", "--copy-inputs", "100")
    assert all(f["kind"] != "same" for g in strict["groups"] for f in g["flags"])
    assert all(g["copies"] == [] and g["ranks"] == [] for g in strict["groups"])
    assert strict["settings"]["criteria"]["same_share"] == 1.01


def test_a_folder_is_graded_on_the_fly(run: Run, results: Path) -> None:
    on_the_fly = _json(run, EXAMPLES / "sheets", "-u", EXAMPLES / "units.csv", "--runs", "50")
    from_file = _json(run, results, "--runs", "50")
    assert on_the_fly["groups"] == from_file["groups"]


def test_refusals(run: Run, results: Path, tmp_path: Path) -> None:
    data = json.loads(results.read_text(encoding="utf-8"))
    data["rubric"]["id"] = "not-shipped"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data), encoding="utf-8")
    result = run("audit", other)
    assert result.exit_code == 2 and "--rubric FILE" in result.stderr
    shipped = ROOT / "src" / "ictscore" / "rubric" / "bundled" / "tiengiang-2020.yaml"
    assert run("audit", other, "--rubric", shipped, "--runs", "0").exit_code == 0
    data["rubric"].update(id="tiengiang-2020", hash="0" * 64)
    other.write_text(json.dumps(data), encoding="utf-8")
    result = run("audit", other)
    assert result.exit_code == 2 and "another version" in result.stderr
    result = run("audit", results, "-f", "csv")
    assert result.exit_code == 2 and "csv" in result.stderr
    result = run("audit", tmp_path / "none.json")
    assert result.exit_code == 2


@pytest.mark.parametrize("columns", [80, 120])
def test_the_table_fits_the_terminal(results: Path, columns: int) -> None:
    lines = on_terminal(columns, "audit", results, "--runs", "100")
    assert any("Thứ hạng khi trọng số thay đổi" in line for line in lines)
    assert any("Bảng điểm giống nhau" in line for line in lines)
    assert [line for line in lines if len(line) > columns] == []
    assert [line for line in lines if line != line.rstrip()] == []


@pytest.mark.parametrize("columns", [80, 120])
def test_the_figures_line_up_on_their_commas(results: Path, columns: int) -> None:
    """In the criteria and ranks tables every figure of a column carries the same decimals
    (5,86 above 3,20, not 3,2; 40,0% above 0,0%), so that their commas and units line up: a
    reader scans a column, not a cell."""
    lines = on_terminal(columns, "audit", results, "--runs", "100")
    figures = re.compile(r"-?\d+,(\d\d|\d%)$")
    criteria = [line.split() for line in lines if re.match(r"  \d+(\.\d+)*(\.[a-z])? ", line)]
    assert len(criteria) > 60
    for cells in criteria:  # id, max, mean, spread, % at max, % at zero, [r], % of variance
        assert all(figures.match(c) for c in cells[2:]), cells
    commas = {line.index(",", line.index("   ")) for line in lines if re.match(r"  1\.1 ", line)}
    assert len(commas) == 1  # the means' commas in one column, group after group
    shares = [line.split()[-1] for line in lines if re.search(r"(Tốt|Khá|Yếu|bình) .*%$", line)]
    assert len(shares) == 32 and all(re.fullmatch(r"\d+,\d%", c) for c in shares), shares


def test_the_page_shows_the_figures_with_the_same_decimals(run: Run, results: Path, tmp_path):
    page = tmp_path / "audit.html"
    assert run("audit", results, "--runs", "50", "-o", page).exit_code == 0
    html = page.read_text(encoding="utf-8")
    criteria = html.split("<h3>Tiêu chí</h3>")[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", criteria.split("<tbody>")[1])
    for row in rows:
        cells = re.findall(r"<td class=num>(.*?)</td>", row)[1:]  # after the maximum
        assert all(re.fullmatch(r"(-?\d+,(\d\d|\d%))?", c) for c in cells), cells


def _blocked(*args: str) -> subprocess.CompletedProcess[str]:
    """`ictscore ARGS` in a Python where numpy cannot be imported."""
    code = (
        "import sys\n"
        "sys.modules['numpy'] = None  # import numpy raises ImportError\n"
        "from ictscore.cli import main\n"
        f"sys.argv = ['ictscore', *{list(args)!r}]\n"
        "main()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_grade_never_imports_numpy() -> None:
    """No module `grade` runs imports numpy: it grades where numpy cannot be imported. (openpyxl
    imports numpy itself when it is installed, and does without it: that is not ictscore's.)"""
    done = _blocked("grade", str(EXAMPLES / "sheets"), "-q", "-f", "json")
    assert done.returncode == 0, done.stderr[-800:]
    assert len(json.loads(done.stdout)["units"]) == 32
    without_mc = _blocked("audit", str(EXAMPLES / "sheets"), "--runs", "0", "-f", "json")
    assert without_mc.returncode == 0, without_mc.stderr[-800:]
    needs = _blocked("audit", str(EXAMPLES / "sheets"), "--runs", "10", "-f", "json")
    assert needs.returncode == 2, needs.stderr[-800:]
    assert "pip install 'ictscore[audit]'" in needs.stderr and "Traceback" not in needs.stderr


def test_the_audit_as_a_workbook_and_a_page(run: Run, results: Path, tmp_path: Path) -> None:
    import openpyxl

    book, page = tmp_path / "audit.xlsx", tmp_path / "audit.html"
    result = run("audit", results, "--runs", "50", "-o", book, "-o", page)
    assert result.exit_code == 0, result.stderr
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == [
        "Tiêu chí",
        "Cảnh báo",
        "Thứ hạng",
        "Sát ngưỡng",
        "Giống nhau",
        "Bất thường",
    ]
    copied = [[c.value for c in row] for row in wb["Giống nhau"].iter_rows(min_row=4)]
    assert copied and all("28360" in r[1] and "28363" in r[2] for r in copied)
    ranks = wb["Thứ hạng"]
    assert ranks.max_row - 3 == 32 and ranks.cell(4, 11).number_format == "0.0%"
    html = page.read_text(encoding="utf-8")
    assert "Bảng điểm giống nhau" in html and "Thị trấn Cái Bè" in html
    assert "<script" not in html and "http" not in html.split("</style>")[1]
    again = run("audit", results, "--runs", "0", "-o", book)
    assert again.exit_code == 2 and "--force" in again.stderr
    assert run("audit", results, "--runs", "0", "-o", book, "--force").exit_code == 0
    assert run("audit", results, "-o", tmp_path / "audit.pdf").exit_code == 2


def test_a_band_hanging_on_one_appraisal_cut_is_listed(run: Run, tmp_path: Path) -> None:
    """The council cuts 28249's 1.1 from 7 points to 0: 97.69, Khá; keeping its self-score alone
    would have left it Tốt."""
    form = tmp_path / "tham-dinh.csv"
    form.write_text(
        "Mã đơn vị,Mã tiêu chí,Thẩm định,Không áp dụng (lý do),Ghi chú thẩm định\n"
        "28249,1.1,0,,Không có danh sách máy tính\n",
        encoding="utf-8",
    )
    graded = tmp_path / "ket-qua.json"
    result = run("grade", EXAMPLES / "sheets", "-q", "-a", form, "-o", graded)
    assert result.exit_code == 0, result.stderr
    data = _json(run, graded, "--runs", "0")
    [edge] = [b for g in data["groups"] for b in g["boundary"] if b["why"] == "appraisal"]
    assert (edge["unit"], edge["criterion"], edge["band"], edge["band_without"]) == (
        "28249",
        "1.1",
        "kha",
        "tot",
    )
    assert edge["self_points"] == 7 and edge["appraised_points"] == 0
    assert "Phụ thuộc một lần thẩm định" in edge["text"] and "xếp loại Tốt" in edge["text"]


def test_totals_print_as_the_other_reports_print_them(run: Run, results: Path) -> None:
    """Every decimal of the rubric's precision: Công an tỉnh's 101,30, not 101,3."""
    result = run("audit", results, "--runs", "20")
    assert result.exit_code == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "Công an tỉnh Tiền Giang" in line)
    assert "101,30" in row.split()


def test_an_output_inside_the_audited_folder_is_refused(run: Run, tmp_path: Path) -> None:
    """As for grade: a workbook written among the sheets would be read as one next time."""
    import shutil

    folder = tmp_path / "sheets"
    shutil.copytree(EXAMPLES / "sheets", folder)
    result = run("audit", folder, "--runs", "0", "-o", folder / "audit.xlsx")
    assert result.exit_code == 2
    assert "inside the folder being graded" in result.stderr
    assert not (folder / "audit.xlsx").exists()
