"""`ictscore compare` as an official reads it: two results files made by grading the examples
(this year) and by editing their totals and bands (last year); the units named with their
district, one table per group in the rubric's order, the headline once, the CSV, no trailing
spaces, a terminal 80 columns wide, and the written summary's sentences and figures."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import pty
import re
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from ictscore.reports.compare import compare
from ictscore.reports.compare_text import summary_paragraphs
from ictscore.reports.compare_view import _unit_cells, _unit_columns, comparison_tables, fit
from tests.conftest import EXAMPLES, ROOT, Run

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


@pytest.fixture(scope="module")
def this_year() -> dict:
    result = Run()(
        "grade", EXAMPLES / "sheets", "--units", EXAMPLES / "units.csv", "-f", "json", "-q"
    )
    assert result.exit_code == 1  # units of the roster sent nothing
    return json.loads(result.stdout)


def _band(data: dict, total: float) -> dict:
    return next(b for b in data["bands"] if b["min"] is None or total >= b["min"])


def _last_year(this: dict) -> dict:
    """Last year: every graded total 1 point lower, but Phường 5 (Mỹ Tho) was Khá at 97 (it rose
    a band) and Sở Tư pháp was Tốt at 100.5 (it fell one); bands and ranks worked out again."""
    last = copy.deepcopy(this)
    last["rubric"]["year"] = 2019
    special = {"28249": 97.0, "so-tu-phap": 100.5}
    graded = [u for u in last["units"] if u["status"] == "graded"]
    for u in graded:
        u["total"] = special.get(u["code"], round(u["total"] - 1, 2))
        band = _band(last, u["total"])
        u["band"], u["band_label"] = band["id"], band["label"]
    for group in {u["group"] for u in graded}:
        ordered = sorted((u for u in graded if u["group"] == group), key=lambda u: -u["total"])
        for rank, u in enumerate(ordered, start=1):
            u["rank"] = rank
    return last


@pytest.fixture(scope="module")
def files(this_year: dict, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("years")
    last, this = folder / "ket-qua-2019.json", folder / "ket-qua-2020.json"
    last.write_text(json.dumps(_last_year(this_year), ensure_ascii=False), encoding="utf-8")
    this.write_text(json.dumps(this_year, ensure_ascii=False), encoding="utf-8")
    return last, this


def _vn(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP):.2f}".replace(".", ",")


def test_names_carry_their_district(files: tuple[Path, Path], run: Run):
    out = run("compare", *files).stdout
    assert "Phường 5 (Thành phố Mỹ Tho)" in out
    # three communes called Phường 2, each told apart by its district
    districts = set(re.findall(r"Phường 2 \(([^)]+)\)", out))
    assert {"Thị xã Gò Công", "Thị xã Cai Lậy"} <= districts
    assert not re.search(r"Phường 2 {2,}", out)  # never bare


def test_one_table_per_group_in_the_rubric_s_order(
    files: tuple[Path, Path], run: Run, this_year: dict
):
    lines = run("compare", *files).stdout.splitlines()
    titles = [
        next(i for i, line in enumerate(lines) if line.startswith(f"{g['label']} ("))
        for g in this_year["groups"]
    ]
    assert titles == sorted(titles) and len(titles) == 4
    sections = dict(zip([g["id"] for g in this_year["groups"]], titles, strict=True))

    def section(text: str) -> str:
        row = next(i for i, line in enumerate(lines) if text in line)
        return max((g for g, start in sections.items() if start < row), key=sections.get)

    assert section("Phường 5 (Thành phố Mỹ Tho)") == "xa"
    assert section("Sở Nội vụ") == "so-nganh"
    assert section("Thành phố Mỹ Tho   ") == "huyen"
    assert section("Cục Thuế tỉnh Tiền Giang") == "nganh-doc"
    assert lines[titles[0]] == "Cơ quan ngành dọc (5 đơn vị)"


def test_the_headline_is_printed_once(files: tuple[Path, Path], run: Run):
    for args in ([], ["-f", "json"], ["-f", "csv"]):
        result = run("compare", *files, *args)
        assert result.exit_code == 0
        both = result.stdout + result.stderr
        assert result.stderr == "", args
        assert both.count("điểm trung bình toàn tỉnh tăng") <= 1, args
    table = run("compare", *files).stdout
    assert table.splitlines()[0].startswith("Năm 2020, điểm trung bình toàn tỉnh tăng ")
    assert "((" not in table and "))" not in table


def test_csv_one_row_per_unit(files: tuple[Path, Path], run: Run, this_year: dict):
    result = run("compare", *files, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(this_year["units"])
    assert list(rows[0]) == [
        "group",
        "group_label",
        "code",
        "name",
        "parent",
        "parent_name",
        "status",
        "last_total",
        "this_total",
        "change",
        "last_band",
        "this_band",
        "band_step",
        "last_rank",
        "this_rank",
        "rank_change",
    ]
    by_code = {r["code"]: r for r in rows}
    p5 = by_code["28249"]
    assert (p5["name"], p5["parent"], p5["parent_name"], p5["group_label"]) == (
        "Phường 5",
        "815",
        "Thành phố Mỹ Tho",
        "UBND cấp xã",
    )
    assert (p5["last_total"], p5["this_total"], p5["change"]) == ("97", "104.69", "7.69")
    assert (p5["last_band"], p5["this_band"], p5["band_step"]) == ("Khá", "Tốt", "1")
    assert by_code["so-tu-phap"]["band_step"] == "-1"
    assert int(p5["rank_change"]) == int(p5["last_rank"]) - int(p5["this_rank"])
    assert [r["group"] for r in rows] == sorted(
        (r["group"] for r in rows), key=[g["id"] for g in this_year["groups"]].index
    )


@pytest.mark.parametrize(
    "args",
    [[], ["-f", "csv"], ["-f", "json"], ["--summary"]],
    ids=["table", "csv", "json", "summary"],
)
def test_no_line_ends_with_a_space(files: tuple[Path, Path], run: Run, args: list[str]):
    out = run("compare", *files, *args).stdout
    assert out.endswith("\n")
    assert [line for line in out.splitlines() if line != line.rstrip()] == []


def on_terminal(columns: int, *args: str | Path) -> list[str]:
    """The lines a terminal `columns` wide shows for `ictscore ARGS`, stderr too (colours
    removed, trailing spaces kept)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "50", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ictscore", *map(str, args)],
        stdout=follower,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(leader)
    return ANSI.sub("", b"".join(chunks).decode("utf-8")).replace("\r", "").split("\n")


@pytest.mark.parametrize("columns", [80, 120])
def test_on_a_terminal_every_line_fits(files: tuple[Path, Path], columns: int, this_year: dict):
    lines = on_terminal(columns, "compare", *files)
    assert max(len(line) for line in lines) <= columns
    assert [line for line in lines if line.endswith(" ")] == []
    text = "\n".join(lines)
    assert text.count("điểm trung bình toàn tỉnh tăng") == 1
    for u in this_year["units"]:
        if u["status"] != "graded":
            continue
        total = _vn(Decimal(str(u["total"])))
        first = u["name"].split()[0]  # the name starts on its row; it may wrap after
        rows = [line for line in lines if f" {total} " in line and f" {first} " in f" {line}"]
        assert len(rows) >= 1, u["code"]
        assert any(re.search(rf"→ +{u['rank']}$", row) for row in rows), rows
    if columns == 80:
        assert "Không hiện cột Mã (cần cửa sổ rộng" in text and "đang có 80" in text
        assert "28249" not in text
    else:
        assert "cuc-thue" in text


def test_the_written_summary(files: tuple[Path, Path], run: Run, this_year: dict):
    result = run("compare", *files, "--summary")
    assert result.exit_code == 0 and result.stderr == ""
    paragraphs = result.stdout.rstrip("\n").split("\n\n")
    totals = [Decimal(str(u["total"])) for u in this_year["units"] if u["status"] == "graded"]
    mean = sum(totals) / len(totals)
    assert paragraphs[0].startswith(
        f"Điểm trung bình toàn tỉnh năm 2020 đạt {_vn(mean)} điểm, tăng "
    )
    assert paragraphs[0].endswith("so với năm 2019 (" + paragraphs[0].split("(")[-1])
    xa = [
        Decimal(str(u["total"]))
        for u in this_year["units"]
        if u["status"] == "graded" and u["group"] == "xa"
    ]
    assert f"UBND cấp xã đạt {_vn(sum(xa) / len(xa))} điểm (tăng " in paragraphs[1]
    assert paragraphs[2].startswith("Về xếp loại, năm 2020 có ")
    assert re.search(r"\d+ đơn vị xếp loại Tốt \(năm 2019: \d+\)", paragraphs[2])
    rose, fell = paragraphs[3], paragraphs[4]
    assert re.match(r"Có \d+ đơn vị tăng bậc xếp loại\. Từ ", rose)
    assert "Từ Khá lên Tốt: " in rose and "Phường 5 (Thành phố Mỹ Tho)" in rose
    assert fell == "Có 1 đơn vị giảm bậc xếp loại. Từ Tốt xuống Khá: Sở Tư pháp."
    # the same text closes the table, under its title
    table = run("compare", *files).stdout
    assert table.rstrip("\n").endswith(result.stdout.rstrip("\n"))
    assert "\nNhận xét\n" in table


def test_summary_takes_no_format(files: tuple[Path, Path], run: Run):
    result = run("compare", *files, "--summary", "--format", "json")
    assert result.exit_code == 2 and "--summary prints the text alone" in result.stderr


def test_the_json_carries_districts_bands_and_the_summary(files: tuple[Path, Path], run: Run):
    data = json.loads(run("compare", *files, "-f", "json").stdout)
    unit = next(u for u in data["units"] if u["code"] == "28249")
    assert unit["parent_name"] == "Thành phố Mỹ Tho" and unit["band_step"] == 1
    assert [g["id"] for g in data["groups"]] == ["nganh-doc", "so-nganh", "huyen", "xa"]
    assert [b["label"] for b in data["bands"]] == ["Tốt", "Khá", "Trung bình", "Yếu"]
    assert sum(b["this"] for b in data["bands"]) == 32
    assert data["summary"][0].startswith("Điểm trung bình toàn tỉnh năm 2020 đạt ")


def test_without_last_year_s_figures_the_summary_says_so(this_year: dict):
    last = copy.deepcopy(this_year)
    last["rubric"]["year"] = 2019
    for u in last["units"]:
        u.update(status="missing", total=None, rank=None)
    paragraphs = summary_paragraphs(compare(last, this_year))
    assert paragraphs[0].endswith("; năm 2019 không có số liệu để so sánh.")
    assert "(chưa có số liệu năm 2019)" in paragraphs[1]
    assert paragraphs[-2:] == [
        "Không có đơn vị nào tăng bậc xếp loại.",
        "Không có đơn vị nào giảm bậc xếp loại.",
    ]


def test_a_narrow_terminal_drops_the_code_then_last_year(this_year: dict):
    c = compare(_last_year(this_year), this_year)
    columns = _unit_columns(c)
    xa = [u for u in c.units if u.group == "xa" and u.this_total is not None]
    cells = [_unit_cells(u, (2, 2)) for u in xa]
    assert fit(columns, cells, 200).hidden == ()
    assert fit(columns, cells, 80).hidden == ("code",)
    narrow = fit(columns, cells, 60)
    assert narrow.hidden == ("code", "last") and narrow.tight
    assert sum(narrow.widths.values()) + 2 * len(narrow.widths) + 1 <= 60
    # and the plain text (files, pipes) keeps every column
    assert comparison_tables(c) is not None
