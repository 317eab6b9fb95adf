"""The results page (--output results.html): its content, and in headless Chromium: it loads
with no console error, its tables sort, it fits a phone. A screenshot is kept in artifacts/."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import ROOT, grade_examples

ARTIFACTS = ROOT / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("html") / "results.html"
    return grade_examples("-o", out), out  # 176 units sent nothing: listed, not ranked


class _Tables(HTMLParser):
    """Each table's rows as lists of cell texts, by table id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.external: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href"):
            if (a.get(key) or "").startswith(("http:", "https:", "//")):
                self.external.append(a[key] or "")
        if tag == "table":
            self._table = a.get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_the_page_holds_every_unit_and_needs_no_network(page):
    data, path = page
    html = path.read_text(encoding="utf-8")
    parser = _Tables()
    parser.feed(html)
    assert parser.external == [] and "<script src" not in html and "@import" not in html
    # the band chart once, and per group with graded units a chart of its totals
    assert html.count('id="xep-loai"') == 1
    graded_groups = {u["group"] for u in data["units"] if u["status"] == "graded"}
    assert html.count('class="chart totals"') == len(graded_groups) == 4
    for group in data["groups"]:
        header, *rows = parser.tables[f"bang-{group['id']}"]
        units = [u for u in data["units"] if u["group"] == group["id"]]
        assert len(rows) == len(units)
        total = header.index("Tổng điểm")
        for row, unit in zip(rows, units, strict=True):
            assert row[header.index("Mã")] == unit["code"]
            shown = f"{unit['total']:.2f}".replace(".", ",") if unit["total"] is not None else "—"
            assert row[total] == shown
    summary = parser.tables["tong-hop"]
    assert summary[4][0] == "UBND cấp xã" and summary[4][1] == "14"
    assert re.search(r'<html lang="vi">', html) and 'name="viewport"' in html


@pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None, reason="chromium and chromedriver are not installed"
)
def test_the_page_in_a_browser(page):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    _, path = page
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu"):
        options.add_argument(arg)
    phone = {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2}}
    options.add_experimental_option("mobileEmulation", phone)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER or ""), options=options)
    try:
        driver.get(path.as_uri())
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
        table = driver.find_element(By.ID, "bang-xa")
        header = [th.text.replace("↕", "").strip() for th in table.find_elements(By.TAG_NAME, "th")]
        column = next(i for i, h in enumerate(header) if h.startswith("Tổng điểm"))

        def totals() -> list[str]:
            script = (
                "return Array.from(arguments[0].tBodies[0].rows)"
                ".map(r => r.cells[arguments[1]].getAttribute('data-sort'))"
            )
            return list(driver.execute_script(script, table, column))

        def check(reverse: bool) -> None:
            values = totals()
            figures = [float(v) for v in values if v]
            assert figures == sorted(figures, reverse=reverse)
            assert values[len(figures) :] == [""] * (len(values) - len(figures))  # "—" last

        heading = table.find_elements(By.TAG_NAME, "th")[column]
        driver.execute_script("arguments[0].scrollIntoView()", heading)
        heading.click()
        check(reverse=False)
        heading.click()
        check(reverse=True)
        # a phone's width: the page itself does not scroll sideways, the tables do
        page_width, screen = driver.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert screen == 390 and page_width <= screen
        ARTIFACTS.mkdir(exist_ok=True)
        assert driver.save_screenshot(str(ARTIFACTS / "results-page-phone.png"))
    finally:
        driver.quit()
    assert (ARTIFACTS / "results-page-phone.png").stat().st_size > 10_000


def test_a_rubric_without_bands_and_a_large_group() -> None:
    """No band chart, no band colours; a group of more than 40 graded units gets the
    distribution of its totals, its labelled bars folded under it; units outside the rubric's
    groups are listed."""
    from decimal import Decimal

    from ictscore.grading.results import Report, Status, UnitResult
    from ictscore.reports.page import build_html
    from ictscore.rubric.load import bundled_rubric_path, load_rubric

    path = bundled_rubric_path("hcm-sgd-truong-hoc")
    assert path is not None
    rubric = load_rubric(path)
    assert not rubric.bands
    units = [
        UnitResult(
            f"t{i:02d}",
            f"Trường {i}",
            "mam-non",
            Status.GRADED,
            total=Decimal(50 + i),
            rank=50 - i,
            subtotals={"1": Decimal(20)},
        )  # fmt: skip
        for i in range(50)
    ]
    units.append(UnitResult("x", "Trường X", "khac", Status.MISSING))
    html = build_html(Report(rubric.id, rubric.version, "", tuple(units), rubric=rubric), rubric)
    assert 'id="xep-loai"' not in html
    assert '<th class="sortable key last-key">Trạng thái</th>' in html
    assert html.count('class="chart distribution"') == 1
    assert re.search(r'<details class="chart totals" id="bieu-do-mam-non" style="[^"]*">', html)
    assert "Trục điểm bắt đầu từ 40." in html and "Vạch dọc" not in html
    assert html.count('<li><span class="blabel">') == 10  # 50 … 99.99 by steps of 5
    assert '<section id="ngoai-nhom">' in html and "Trường X" in html
