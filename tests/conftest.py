"""Shared fixtures: a small rubric built in code, filled sheets in tmp_path, a CLI runner."""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from ictscore.cli import app
from ictscore.roster import Unit
from ictscore.rubric.load import load_rubric, parse_rubric
from ictscore.rubric.model import Rubric
from ictscore.sheets.fill import fill_workbook
from ictscore.sheets.template import build_template

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

SMALL_RUBRIC = textwrap.dedent(
    """\
    id: small
    version: "1"
    title: "Bảng điểm thử nghiệm"
    year: 2020
    issuer: "Sở Thông tin và Truyền thông"
    precision: 2
    groups:
      - {id: so, label: "Sở, ngành"}
      - {id: xa, label: "UBND cấp xã"}
    bands:
      - {id: tot, label: "Tốt", min: 100}
      - {id: kha, label: "Khá", min: 95}
      - {id: tb, label: "Trung bình", min: 90}
      - {id: yeu, label: "Yếu"}
    criteria:
      - id: "1"
        title: "Hạ tầng kỹ thuật"
        children:
          - id: "1.1"
            title: "Tỷ lệ CBCC được trang bị máy tính"
            max: 30
            method: {type: ratio, numerator: "Số CBCC có máy tính", denominator: "Tổng số CBCC"}
          - id: "1.2"
            title: "Kết nối mạng truyền số liệu chuyên dùng"
            max: 20
            groups: [so]
            method: {type: yes_no}
          - id: "1.3"
            title: "Kết nối Internet tại bộ phận một cửa"
            max: 20
            groups: [xa]
            method: {type: yes_no, points: 20}
      - id: "2"
        title: "Ứng dụng CNTT"
        max: 50
        children:
          - id: "2.1"
            title: "Tỷ lệ văn bản điện tử"
            max: 25
            method: {type: ratio, input: percent, label: "Tỷ lệ văn bản gửi điện tử"}
          - id: "2.2"
            title: "Phần mềm quản lý văn bản"
            max: 25
            children:
              - {id: "2.2.a", title: "Triển khai phần mềm", max: 15, method: {type: direct}}
              - {id: "2.2.b", title: "Ký số văn bản", max: 10, method: {type: yes_no, points: 10}}
      - id: "3"
        title: "Điểm thưởng"
        kind: bonus
        children:
          - {id: "3.1", title: "Sáng kiến được công nhận", max: 10, method: {type: direct}}
    """
)

SO_UNIT = Unit("so-a", "Sở Thử nghiệm", "so")
XA_UNIT = Unit("10001", "Xã Thử Nghiệm", "xa", "900", "Huyện Thử")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden from the current output"
    )


@pytest.fixture(scope="session")
def small_rubric() -> Rubric:
    return parse_rubric(SMALL_RUBRIC, "small.yaml")


@pytest.fixture(scope="session")
def tiengiang() -> Rubric:
    return load_rubric("tiengiang-2020")


def full_values(unit: Unit) -> dict[str, dict[str, Any]]:
    """Valid inputs for every leaf of the small rubric, for the unit's group."""
    values: dict[str, dict[str, Any]] = {
        "1.1": {"numerator": 17, "denominator": 20},  # 17/20 × 30 = 25.5
        "2.1": {"percent": 0.9},  # 0.9 × 25 = 22.5
        "2.2.a": {"points": 12.5},
        "2.2.b": {"answer": "Có"},  # 10
        "3.1": {"points": 4},
    }
    values["1.2" if unit.group == "so" else "1.3"] = {"answer": "Có"}  # 20
    return values  # total 25.5 + 20 + 22.5 + 12.5 + 10 + 4 = 94.5


@pytest.fixture
def make_sheet(small_rubric: Rubric, tmp_path: Path) -> Callable[..., Path]:
    """make_sheet(unit, values, name=None, rubric=None, edit=None) → path of a filled .xlsx."""

    def make(
        unit: Unit = SO_UNIT,
        values: Mapping[str, Mapping[str, Any]] | None = None,
        name: str | None = None,
        rubric: Rubric | None = None,
        edit: Callable[[Any], None] | None = None,
        folder: Path | None = None,
    ) -> Path:
        wb = build_template(rubric or small_rubric, unit)
        fill_workbook(wb, full_values(unit) if values is None else values)
        if edit is not None:
            edit(wb)
        target = (folder or tmp_path / "sheets") / (name or f"{unit.code}.xlsx")
        target.parent.mkdir(parents=True, exist_ok=True)
        wb.save(target)
        return target

    return make


def cell_of(path_or_wb: Any, defined_name: str) -> str:
    wb = openpyxl.load_workbook(path_or_wb) if isinstance(path_or_wb, str | Path) else path_or_wb
    ((_, ref),) = list(wb.defined_names[defined_name].destinations)
    return str(ref.replace("$", ""))


class Run:
    """The CLI as a user runs it: exit code, stdout and stderr apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str | Path) -> Any:
        result = self.runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        return result


@pytest.fixture(scope="module")
def browser() -> Any:
    """Headless Chromium through its driver (tests/test_layout_*.py skip without them)."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or ""
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or ""), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def run() -> Run:
    return Run()


def grade_examples(*more: str | Path) -> dict[str, Any]:
    """`ictscore grade examples/sheets --units examples/units.csv -f json -q MORE…`, as a user
    runs it: its JSON report. Exit code 1: 176 units of the roster sent nothing."""
    result = Run()(
        "grade", EXAMPLES / "sheets", "--units", EXAMPLES / "units.csv", "-f", "json", "-q", *more
    )
    assert result.exit_code == 1, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report
