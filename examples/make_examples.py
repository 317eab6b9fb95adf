"""Make the example sheets: templates from `ictscore template`, filled with deterministic values.

    python examples/make_examples.py            # rewrites examples/sheets and examples/mistakes
    python examples/make_examples.py --out DIR  # writes DIR/sheets and DIR/mistakes instead

- sheets/: 32 correctly filled sheets covering the four groups of the bundled rubric
  tiengiang-2020 (every band occurs; two communes tie). `ictscore grade examples/sheets` exits 0.
- mistakes/: the typical mistakes units make, one per file (see MISTAKES below); grading them with
  `--rubric tiengiang-2020` reports each with its location and exits 1.

Values come from a random generator seeded by the unit code, so the same sheets come out every run
(and the files are byte-identical: fixed document dates and zip timestamps).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

from ictscore.roster import Unit, load_units
from ictscore.rubric.load import load_rubric
from ictscore.rubric.methods import NO, YES, Thresholds
from ictscore.rubric.model import Rubric
from ictscore.sheets import layout
from ictscore.sheets.fill import fill_workbook
from ictscore.sheets.template import build_template

HERE = Path(__file__).resolve().parent
RUBRIC = "tiengiang-2020"
FIXED_TIME = dt.datetime(2020, 12, 1, 8, 0, 0)

# Units with example sheets: all vertical-line agencies, 8 departments, 5 districts, 14 communes.
SHEET_UNITS = [
    "cuc-thue",
    "kbnn",
    "bhxh",
    "nhnn-cn",
    "cong-an-tinh",
    "so-noi-vu",
    "so-tu-phap",
    "so-kh-dt",
    "so-tai-chinh",
    "so-cong-thuong",
    "so-tt-tt",
    "so-gtvt",
    "so-y-te",
    "815",
    "816",
    "818",
    "822",
    "825",
    "28249",
    "28252",
    "28294",
    "28297",
    "28435",
    "28436",
    "28321",
    "28324",
    "28360",
    "28363",
    "28519",
    "28522",
    "28651",
    "28702",
]
TIED = ("28360", "28363")  # the second gets the first one's values: a shared rank


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder for sheets/ and mistakes/")
    args = parser.parse_args()
    make(args.out)


def make(out: Path) -> None:
    rubric = load_rubric(RUBRIC)
    roster = load_units(HERE / "units.csv")
    with tempfile.TemporaryDirectory() as tmp:
        templates = Path(tmp)
        codes = [*SHEET_UNITS, *(code for code, *_ in MISTAKES)]
        args = [
            sys.executable,
            "-m",
            "ictscore",
            "template",
            "--rubric",
            RUBRIC,
            "--units",
            str(HERE / "units.csv"),
            "--out",
            str(templates),
        ]
        for code in dict.fromkeys(codes):
            args += ["--unit", code]
        subprocess.run(args, check=True, capture_output=True)
        for folder in ("sheets", "mistakes"):
            shutil.rmtree(out / folder, ignore_errors=True)
            (out / folder).mkdir(parents=True)
        values_of: dict[str, dict[str, dict[str, Any]]] = {}
        for code in SHEET_UNITS:
            unit = roster.get(code)
            assert unit is not None, code
            values = values_of[TIED[0]] if code == TIED[1] else unit_values(rubric, unit)
            values_of[code] = values
            template = _template_of(templates, code)
            wb = openpyxl.load_workbook(template)
            fill_workbook(wb, values, _evidence(values))
            _save(wb, out / "sheets" / template.name)
        for code, name, mistake in MISTAKES:
            unit = roster.get(code)
            assert unit is not None, code
            wb = (
                openpyxl.load_workbook(_template_of(templates, code))
                if mistake != "old-version"
                else _old_version_template(rubric, unit)
            )
            values = unit_values(rubric, unit)
            fill_workbook(wb, values)
            target = out / "mistakes" / name
            _MAKE[mistake](wb, rubric, unit)
            _save(wb, target)
            if mistake == "duplicate":
                _save(openpyxl.load_workbook(target), target.with_name(name.replace("-1", "-2")))


def _template_of(folder: Path, code: str) -> Path:
    (path,) = folder.glob(f"{code}-*.xlsx")
    return path


def unit_values(rubric: Rubric, unit: Unit) -> dict[str, dict[str, Any]]:
    """Plausible, valid inputs for every leaf of the unit's group, seeded by its code."""
    rng = random.Random(f"ictscore-example-{unit.code}")
    quality = rng.uniform(0.72, 1.0)
    values: dict[str, dict[str, Any]] = {}
    for node in rubric.nodes_for(unit.group):
        c = node.criterion
        if c.method is None:
            continue
        q = min(1.0, max(0.0, quality + rng.uniform(-0.15, 0.12)))
        if node.area.kind == "bonus":
            q = max(0.0, quality - 0.35) * 2.5
        penalty = node.area.kind == "penalty"
        slot_values: dict[str, Any] = {}
        for slot in c.method.slots(rubric.max_for(c, unit.group)):
            if penalty:  # few units are penalised, and by little
                bad = rng.random() < 0.15
                slot_values[slot.key] = (YES if bad else NO) if slot.key == "answer" else int(bad)
                continue
            if slot.key == "points":
                assert slot.maximum is not None
                top = float(slot.maximum)
                slot_values["points"] = min(top, round(top * min(q, 1.0) * 2) / 2)
            elif slot.key == "answer":
                slot_values["answer"] = YES if rng.random() < min(q, 0.97) else NO
            elif slot.key == "denominator":
                slot_values["denominator"] = rng.randint(12, 240)
            elif slot.key == "numerator":
                slot_values["numerator"] = 0  # set below, once the denominator is known
            elif slot.key == "percent":
                slot_values["percent"] = round(min(1.0, q), 2)
            elif slot.key == "level":  # the levels are listed best first
                slot_values["level"] = slot.choices[0 if q > 0.8 else 1 if q > 0.5 else 2]
            elif slot.key == "count":
                slot_values["count"] = round(q * 5)
            elif slot.key == "value" and isinstance(c.method, Thresholds):
                top = float(c.method.tiers[0].min)
                slot_values["value"] = round(top * q * 1.2)
            elif slot.key == "value":  # normalised: bandwidth per person, Mbps
                slot_values["value"] = round(0.5 + 7.5 * q * q, 2)
        if "denominator" in slot_values:
            den = slot_values["denominator"]
            slot_values["numerator"] = min(den, round(den * min(q, 1.0)))
        values[c.id] = slot_values
    return values


def _evidence(values: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Evidence notes on the criteria answered Có, as units cite documents."""
    return {
        cid: f"Văn bản số {10 + i}/QĐ-UBND ngày {1 + i % 27}/{1 + i % 12}/2020"
        for i, (cid, v) in enumerate(values.items())
        if v.get("answer") == YES
    }


def _first_leaf(rubric: Rubric, unit: Unit, key: str) -> str:
    """The id of the first leaf of the unit's group whose method has an input `key`."""
    for node in rubric.nodes_for(unit.group):
        c = node.criterion
        if c.method and any(s.key == key for s in c.method.slots(rubric.max_for(c, unit.group))):
            return c.id
    raise LookupError(key)


def _above_max(wb: Any, rubric: Rubric, unit: Unit) -> None:
    cid = _first_leaf(rubric, unit, "points")
    criterion = rubric.criterion(cid)
    assert criterion is not None and criterion.max is not None
    fill_workbook(wb, {cid: {"points": float(criterion.max) + 2}})


def _text_in_number(wb: Any, rubric: Rubric, unit: Unit) -> None:
    fill_workbook(wb, {_first_leaf(rubric, unit, "numerator"): {"numerator": "khoảng 20"}})


def _missing_value(wb: Any, rubric: Rubric, unit: Unit) -> None:
    fill_workbook(wb, {_first_leaf(rubric, unit, "answer"): {"answer": None}})


def _zero_denominator(wb: Any, rubric: Rubric, unit: Unit) -> None:
    cid = _first_leaf(rubric, unit, "denominator")
    fill_workbook(wb, {cid: {"numerator": 0, "denominator": 0}})


def _changed_max(wb: Any, rubric: Rubric, unit: Unit) -> None:
    """A unit unprotects the sheet and raises a maximum (the fixed cells were tampered with)."""
    cid = _first_leaf(rubric, unit, "points")
    ws = wb[layout.SCORE_SHEET]
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == cid:
            ws[f"{layout.COL_MAX}{row[0].row}"] = 10
            return
    raise LookupError(cid)


def _nothing(wb: Any, rubric: Rubric, unit: Unit) -> None:
    return None


def _old_version_template(rubric: Rubric, unit: Unit) -> Any:
    """The template of last year's draft: same rubric id, another version."""
    return build_template(rubric.model_copy(update={"version": "2019.2"}), unit)


_MAKE = {
    "above-max": _above_max,
    "text-in-number": _text_in_number,
    "missing-value": _missing_value,
    "zero-denominator": _zero_denominator,
    "changed-max": _changed_max,
    "old-version": _nothing,
    "duplicate": _nothing,
}

# (unit code, file name, mistake); the expected issue codes are checked by tests/test_examples.py
MISTAKES = [
    ("so-xay-dung", "01-above-max-so-xay-dung.xlsx", "above-max"),
    ("28291", "02-text-in-number-28291.xlsx", "text-in-number"),
    ("28438", "03-missing-value-28438.xlsx", "missing-value"),
    ("819", "04-zero-denominator-819.xlsx", "zero-denominator"),
    ("so-tn-mt", "05-changed-max-so-tn-mt.xlsx", "changed-max"),
    ("820", "06-old-rubric-version-820.xlsx", "old-version"),
    ("28594", "07-duplicate-unit-28594-1.xlsx", "duplicate"),
]


def _save(wb: Any, path: Path) -> None:
    """Save with fixed document dates and zip timestamps, so reruns give identical bytes."""
    wb.properties.created = FIXED_TIME
    wb.properties.lastModifiedBy = "ictscore examples"
    wb.save(path)  # NOTE: openpyxl stamps `modified` with the time of saving; reset it below
    data = {}
    with zipfile.ZipFile(path) as zin:
        for info in zin.infolist():
            data[info.filename] = zin.read(info.filename)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    data["docProps/core.xml"] = re.sub(
        rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
        rb"\g<1>" + stamp + rb"\g<2>",
        data["docProps/core.xml"],
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, content in data.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, content)


if __name__ == "__main__":
    main()
