"""The shipped examples are exactly what examples/make_examples.py makes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl

from tests.conftest import EXAMPLES


def _cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_examples_are_reproducible(tmp_path: Path):
    subprocess.run(
        [sys.executable, str(EXAMPLES / "make_examples.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for folder in ("sheets", "mistakes"):
        made = sorted(p.name for p in (tmp_path / folder).iterdir())
        shipped = sorted(p.name for p in (EXAMPLES / folder).iterdir())
        assert made == shipped
        for name in made:
            assert _cells(tmp_path / folder / name) == _cells(EXAMPLES / folder / name), name


def test_examples_cover_every_group_and_band():
    import json

    from typer.testing import CliRunner

    from ictscore.cli import app

    result = CliRunner().invoke(app, ["grade", str(EXAMPLES / "sheets"), "-f", "json"])
    data = json.loads(result.stdout)
    assert len(data["units"]) >= 30
    assert {u["group"] for u in data["units"]} == {"nganh-doc", "so-nganh", "huyen", "xa"}
    assert {u["band"] for u in data["units"]} == {"tot", "kha", "trung-binh", "yeu"}
