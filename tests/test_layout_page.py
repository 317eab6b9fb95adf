"""The results page laid out in headless Chromium, as its readers see it: a 208-unit page (the
real group sizes 5, 19, 11 and 173, made in code) on a laptop (1366 × 768), a tablet (800 ×
1280) and a phone (390 × 844). Layout facts, measured with getBoundingClientRect:

- every ranked row keeps its rank, name, total and band inside the window, and the page never
  scrolls sideways (nor does the summary, and at 1366 px no group's table either); on the
  tablet, with each table's areas scrolled to their end, the key columns are still in view;
- the labels and figures of every chart neither overlap nor get cut, and each bar shows its
  unit's total; the band chart writes every group's counts;
- the areas' legend is written once.

Screenshots of the commune group are kept in artifacts/.
"""

from __future__ import annotations

import itertools
import random
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ictscore.grading.results import Report, Status, UnitResult
from ictscore.grading.scoring import classify
from ictscore.numbers import vn_number
from ictscore.reports.page import build_html
from ictscore.reports.publication import Publication
from ictscore.rubric.load import bundled_rubric_path, load_rubric
from ictscore.rubric.model import Rubric
from tests.conftest import ROOT

ARTIFACTS = ROOT / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
SIZES = {"laptop": (1366, 768, False), "tablet": (800, 1280, True), "phone": (390, 844, True)}
"""Width, height (CSS px), mobile. On the tablet the areas do not fit: they scroll sideways
inside the table's box, under the pinned key columns."""
LONG_NAME = "Văn phòng Đoàn đại biểu Quốc hội, Hội đồng nhân dân và Ủy ban nhân dân tỉnh"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None, reason="chromium and chromedriver are not installed"
)


def _units(rubric: Rubric) -> list[UnitResult]:
    """208 units in the real group sizes: graded with spread totals, a few not graded."""
    rng = random.Random(12)
    areas = [a.id for a in rubric.criteria]
    units: list[UnitResult] = []
    sizes = {"nganh-doc": 5, "so-nganh": 19, "huyen": 11, "xa": 173}
    for group, size in sizes.items():
        graded: list[UnitResult] = []
        others: list[UnitResult] = []
        for i in range(1, size + 1):
            code = f"{group[:2]}{i:05d}"
            parent = f"Huyện Gò Công Tây {i % 11 + 1}" if group == "xa" else None
            name = {
                "nganh-doc": f"Kho bạc Nhà nước khu vực {i}",
                "so-nganh": LONG_NAME if i == 7 else f"Sở Tài nguyên và Môi trường {i}",
                "huyen": f"UBND huyện Chợ Gạo {i}",
                "xa": f"Thị trấn Mỹ Phước {i}" if i % 3 else f"Xã Long Hưng {i}",
            }[group]
            if i in (size, size - 1) and group != "nganh-doc":  # the last two sent nothing
                status = Status.MISSING if i == size else Status.INVALID
                others.append(UnitResult(code, name, group, status, parent, parent_name=parent))
                continue
            total = Decimal(rng.randint(7000, 10990)) / 100
            parts = [Decimal(rng.randint(0, 2000)) / 100 for _ in areas]
            band = classify(total, rubric.bands)
            graded.append(
                UnitResult(
                    code,
                    name,
                    group,
                    Status.GRADED,
                    parent,
                    parent_name=parent,
                    total=total,
                    band=band.id if band else None,
                    subtotals=dict(zip(areas, parts, strict=True)),
                )  # fmt: skip
            )
        units += _ranked(graded) + others  # as the report lists them: ranked, then the rest
    return units


def _ranked(graded: list[UnitResult]) -> list[UnitResult]:
    from dataclasses import replace

    order = sorted(graded, key=lambda u: -(u.total or 0))
    rank = {u.code: 1 + sum(1 for v in order if (v.total or 0) > (u.total or 0)) for u in order}
    within: dict[str | None, list[UnitResult]] = {}
    for u in order:
        within.setdefault(u.parent, []).append(u)
    parent_rank = {
        u.code: 1 + sum(1 for v in same if (v.total or 0) > (u.total or 0))
        for same in within.values()
        for u in same
    }
    return [
        replace(u, rank=rank[u.code], parent_rank=parent_rank[u.code] if u.parent else None)
        for u in order
    ]


@pytest.fixture(scope="module")
def big_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Report, Rubric]:
    path = bundled_rubric_path("tiengiang-2020")
    assert path is not None
    rubric = load_rubric(path)
    report = Report(rubric.id, rubric.version, "", tuple(_units(rubric)), rubric=rubric)
    out = tmp_path_factory.mktemp("layout") / "results.html"
    publication = Publication("UBND tỉnh Tiền Giang", "Quyết định số 12/QĐ-UBND")
    out.write_text(build_html(report, rubric, publication), encoding="utf-8")
    return out, report, rubric


def _open(driver: Any, page: Path, size: str) -> None:
    width, height, mobile = SIZES[size]
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    driver.get(page.as_uri())
    assert driver.execute_script("return innerWidth") == width


_KEY_CELLS = """
var out = [];
document.querySelectorAll("table.units").forEach(function (table) {
  Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
    var cells = {};
    ["rank", "unit", "total", "rating"].forEach(function (c) {
      var cell = row.querySelector("td." + c), box = cell.getBoundingClientRect();
      cells[c] = [box.left, box.right, box.width, cell.textContent.trim()];
    });
    out.push([table.id, row.cells[0].getAttribute("data-sort"), cells]);
  });
});
return out;
"""


@pytest.mark.parametrize("size", SIZES)
def test_rank_name_total_and_band_stay_on_screen(browser, big_page, size):
    page, report, rubric = big_page
    _open(browser, page, size)
    width = SIZES[size][0]
    if size == "tablet":  # the areas scrolled to their end: the key columns stay where they were
        scrolled = browser.execute_script(
            "return Array.from(document.querySelectorAll('table.units'))"
            ".map(t => { var box = t.parentNode; box.scrollLeft = box.scrollWidth; "
            "return box.scrollLeft; })"
        )
        assert min(scrolled) > 100  # each group's table did scroll sideways
    rows = browser.execute_script(_KEY_CELLS)
    assert len(rows) == len(report.units) == 208
    ranked = [r for r in rows if r[1]]
    assert len(ranked) == 202  # every unit graded, two per group (bar the first) not
    for table, _, cells in ranked:
        for column, (left, right, cell_width, text) in cells.items():
            assert cell_width > 0 and text, (table, column, text)
            assert left >= 0 and right <= width, (size, table, column, text, left, right)
    totals = {u.code: vn_number(u.total, 2) for u in report.units if u.total is not None}
    shown = {cells["total"][3] for _, _, cells in ranked}
    assert shown == set(totals.values())
    page_width, inner = browser.execute_script(
        "return [document.documentElement.scrollWidth, innerWidth]"
    )
    assert page_width <= inner == width  # the page never scrolls sideways
    # nor does the summary (cards on a phone), nor on a laptop any group's table: its areas
    # fit beside the key columns
    tables = "#tong-hop" + (", table.units" if size == "laptop" else "")
    boxes = browser.execute_script(
        f"return Array.from(document.querySelectorAll('{tables}'))"
        ".map(t => [t.id, t.scrollWidth, t.parentNode.clientWidth])"
    )
    assert len(boxes) == (5 if size == "laptop" else 1)
    assert [b for b in boxes if b[1] > b[2]] == []
    ARTIFACTS.mkdir(exist_ok=True)
    browser.execute_script("document.getElementById('bang-xa').scrollIntoView()")
    assert browser.save_screenshot(str(ARTIFACTS / f"results-page-208-{size}.png"))


_CHART_TEXTS = """
document.querySelectorAll("details").forEach(function (d) { d.open = true; });
var out = [];
document.querySelectorAll("figure.chart, details.chart").forEach(function (chart, i) {
  chart.querySelectorAll(".blabel, .val, .tick, .seg, .counts .item").forEach(function (e) {
    if (!e.textContent.trim()) { return; }
    var b = e.getBoundingClientRect();
    out.push([i, e.className, e.textContent.trim(), b.left, b.top, b.right, b.bottom,
              e.scrollWidth > e.clientWidth + 1]);
  });
});
return out;
"""


def _overlap(a: list[Any], b: list[Any]) -> bool:
    return a[3] < b[5] - 0.5 and b[3] < a[5] - 0.5 and a[4] < b[6] - 0.5 and b[4] < a[6] - 0.5


@pytest.mark.parametrize("size", SIZES)
def test_chart_labels_neither_overlap_nor_get_cut(browser, big_page, size):
    page, report, _ = big_page
    _open(browser, page, size)
    texts = browser.execute_script(_CHART_TEXTS)
    width = SIZES[size][0]
    for text in texts:
        assert not text[7], f"cut: {text}"
        assert text[3] >= 0 and text[5] <= width, f"off screen: {text}"
    for _, chart in itertools.groupby(texts, key=lambda t: t[0]):
        boxes = list(chart)
        clashes = [(a[2], b[2]) for a, b in itertools.combinations(boxes, 2) if _overlap(a, b)]
        assert clashes == [], (size, clashes[:5])
    # each bar carries its unit's name and total
    values = [t[2] for t in texts if t[1] == "val"]
    labels = [t[2] for t in texts if t[1] == "blabel"]
    graded = [u for u in report.units if u.status is Status.GRADED]
    assert sorted(v for v in values if "," in v) == sorted(vn_number(u.total, 2) for u in graded)
    assert {f"{u.rank}. {u.display_name}" for u in graded} <= set(labels)


def test_the_band_chart_writes_the_counts_and_the_legend_is_once(big_page):
    page, report, rubric = big_page
    html = page.read_text(encoding="utf-8")
    chart = html[html.index('id="xep-loai"') : html.index("</figure>", html.index('id="xep-loai"'))]
    for group in rubric.groups:
        graded = [u for u in report.units if u.group == group.id and u.status is Status.GRADED]
        for band in rubric.bands:
            n = sum(1 for u in graded if u.band == band.id)
            share = vn_number(Decimal(n * 100) / len(graded), 0)
            assert f"{band.label} <b>{n}</b> ({share}%)" in chart, (group.id, band.id)
    assert html.count('class="areas-legend"') == 1  # once, not per group
    for area in rubric.criteria:
        assert len(re.findall(f"</b> <span>{re.escape(area.title)} ", html)) == 1, area.id
