"""The roster CSV and the file names made from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ictscore.errors import UnitsError
from ictscore.roster import Unit, ascii_slug, load_units, sheet_file_name
from tests.conftest import EXAMPLES


def test_the_208_units_of_tien_giang():
    roster = load_units(EXAMPLES / "units.csv")
    assert len(roster.units) == 208
    groups = [u.group for u in roster.units]
    assert {g: groups.count(g) for g in set(groups)} == {
        "nganh-doc": 5,
        "so-nganh": 19,
        "huyen": 11,
        "xa": 173,
    }
    commune = roster.get("28249")
    assert commune is not None and commune.display_name == "Phường 5 (Thành phố Mỹ Tho)"


def test_roster_problems_are_all_reported_with_lines(tmp_path: Path):
    path = tmp_path / "units.csv"
    path.write_text(
        "\ufeffcode,name,group,parent\n"  # a BOM, as Excel writes
        "a/b,Xã Một,xa,\n"
        "x2,,xa,999\n"
        "x3,Xã Ba,,\n"
        "x3,Xã Bốn,xa,\n"
        "x5,too,many,fields,here\n",
        encoding="utf-8",
    )
    with pytest.raises(UnitsError) as info:
        load_units(path)
    assert info.value.problems == [
        f"{path}:2: code 'a/b' must be 1-64 letters, digits, '-' or '_', starting with a letter "
        "or digit",
        f"{path}:3: unit 'x2' has no name",
        f"{path}:4: unit 'x3' has no group",
        f"{path}:5: duplicate code 'x3' (first on line 4)",
        f"{path}:6: expected 4 fields, found 5",
        f"{path}: unit 'x2': parent '999' is not in the file",
    ]


def test_roster_problems_are_findings_with_line_and_message(tmp_path: Path):
    from ictscore.issues import Severity
    from ictscore.roster import Roster

    path = tmp_path / "units.csv"
    path.write_text("code,name,group,parent\nx1,,xa,\nx2,Hai,xa,x9\n", encoding="utf-8")
    with pytest.raises(UnitsError) as info:
        load_units(path)
    assert [(f.severity, f.source, f.line, f.message) for f in info.value.findings] == [
        (Severity.ERROR, str(path), 2, "unit 'x1' has no name"),
        (Severity.ERROR, str(path), None, "unit 'x2': parent 'x9' is not in the file"),
    ]
    with pytest.raises(UnitsError) as info:
        Roster((Unit("a", "A", "zz"),), "u.csv").check_groups(["xa"])
    assert info.value.problems == ["u.csv: unit a: group 'zz' is not in the rubric (groups: xa)"]


def test_roster_header_and_encoding(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("ma,ten\n", encoding="utf-8")
    with pytest.raises(UnitsError, match="expected the header code,name,group,parent"):
        load_units(bad)
    binary = tmp_path / "binary.csv"  # 0x81 is no character of Windows-1258 either
    binary.write_bytes(b"code,name,group,parent\nx,Xa\x81,xa,\n")
    with pytest.raises(UnitsError, match='not UTF-8, UTF-16 or Windows-1258 text .*"CSV UTF-8"'):
        load_units(binary)


def test_quoted_names_with_line_breaks_and_crlf(tmp_path: Path):
    path = tmp_path / "units.csv"
    path.write_bytes('code,name,group,parent\r\nx1,"Đơn vị\r\nmột",xa,\r\nx1,Hai,xa,\r\n'.encode())
    with pytest.raises(UnitsError) as info:
        load_units(path)
    assert info.value.problems == [f"{path}:4: duplicate code 'x1' (first on line 2)"]
    path.write_bytes('code,name,group,parent\r\nx1,"Đơn vị\r\nmột",xa,\r\n'.encode())
    (unit,) = load_units(path).units
    assert unit.name == "Đơn vị một"


def test_names_are_nfc_whatever_the_file_uses(tmp_path: Path):
    import unicodedata

    path = tmp_path / "nfd.csv"
    path.write_text(
        unicodedata.normalize("NFD", "code,name,group,parent\nx1,Xã Tân Mỹ,xa,\n"), encoding="utf-8"
    )
    (unit,) = load_units(path).units
    assert unit.name == unicodedata.normalize("NFC", "Xã Tân Mỹ")


def test_file_names_are_ascii_and_safe_on_windows():
    assert ascii_slug("Xã Đạo Thạnh") == "xa-dao-thanh"
    assert ascii_slug("Sở Lao động - Thương binh và Xã hội") == "so-lao-dong-thuong-binh-va-xa-hoi"
    assert sheet_file_name(Unit("28282", "Xã Đạo Thạnh", "xa")) == "28282-xa-dao-thanh.xlsx"
    assert sheet_file_name(Unit("con", "", "xa")) == "con_.xlsx"
    assert sheet_file_name(Unit("x", "???", "xa")) == "x.xlsx"
    assert len(ascii_slug("Văn phòng " * 20)) <= 48


@given(st.text(max_size=40), st.text(max_size=80))
def test_sheet_file_names_are_safe_everywhere(code: str, name: str):
    file_name = sheet_file_name(Unit(code or "x", name, "xa"))
    stem = file_name.removesuffix(".xlsx")
    assert file_name.isascii() and file_name.endswith(".xlsx") and stem
    assert not any(ch in file_name for ch in '/\\:*?"<>|') and file_name.isprintable()
    assert stem.split(".")[0].lower() not in {"con", "prn", "aux", "nul", "com1", "lpt1"}
    assert not stem.startswith(".") and len(file_name) <= 120
