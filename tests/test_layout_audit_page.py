"""The audit page (`ictscore audit -o audit.html`) laid out in headless Chromium, on a laptop
(1366 × 768) and a phone (390 × 844), the examples' 32 units audited. Layout facts, measured
with getBoundingClientRect: the page never scrolls sideways; every figure of every table lies
inside the window: on a laptop under column heads of one line, on the phone in a card a row
with its column's name before it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import grade_examples
from tests.test_layout_page import CHROMIUM, DRIVER, _open

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None, reason="chromium and chromedriver are not installed"
)


@pytest.fixture(scope="module")
def audit_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from ictscore.cli import app

    folder = tmp_path_factory.mktemp("audit-page")
    results = folder / "ket-qua.json"
    results.write_text(json.dumps(grade_examples(), ensure_ascii=False), encoding="utf-8")
    page = folder / "audit.html"
    done = CliRunner().invoke(app, ["audit", str(results), "--runs", "50", "-o", str(page)])
    assert done.exit_code == 0, done.output
    return page


_FIGURES = """
var out = [];
document.querySelectorAll(".scroll td.num").forEach(function (cell) {
  if (!cell.textContent.trim()) { return; }
  var box = cell.getBoundingClientRect();
  var label = getComputedStyle(cell, "::before").content;
  out.push([box.left, box.right, box.width, cell.getAttribute("data-label"), label]);
});
return [document.documentElement.scrollWidth, innerWidth, out];
"""


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_every_figure_of_the_audit_is_on_screen(browser: Any, audit_page: Path, size: str):
    _open(browser, audit_page, size)
    scroll_width, width, figures = browser.execute_script(_FIGURES)
    assert scroll_width <= width  # the page never scrolls sideways
    assert len(figures) > 1000  # 4 groups' criteria, ranks and outliers
    outside = [f for f in figures if f[0] < 0 or f[1] > width or f[2] <= 0]
    assert outside == [], outside[:5]
    if size == "phone":  # a card a row: each figure after its column's name
        unlabelled = [f for f in figures if f[3] not in f[4]]
        assert unlabelled == [], unlabelled[:5]
    else:  # a table: the names are the column heads, each on one line
        assert all(f[4] in ("none", "normal") for f in figures)
        lines = browser.execute_script(_HEAD_LINES)
        assert len(lines) > 20 and {n for _, n in lines} == {1}, [h for h in lines if h[1] != 1]


_HEAD_LINES = """
return Array.from(document.querySelectorAll(".scroll th")).map(function (th) {
  var range = document.createRange();
  range.selectNodeContents(th);
  return [th.textContent, range.getClientRects().length];
});
"""
