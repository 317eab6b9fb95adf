"""A part unpacked straight from a zip's bytes (`xlsx.unpacked`) is what zipfile reads, or None.

The reader unpacks the parts of a usual .xlsx itself, without zipfile's file objects; anything
unusual (a damaged part, a bad CRC, a name that differs, encryption, another method, entries that
overlap) must be left to zipfile, which reads it and answers exactly as before.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ictscore.sheets import reader
from ictscore.sheets.xlsx import unpacked
from tests.conftest import EXAMPLES, ROOT

WORKBOOKS = sorted(
    p
    for folder in (EXAMPLES, ROOT / "tests" / "data")
    for p in folder.rglob("*")
    if p.suffix in {".xlsx", ".xlsm"}
)


def _zipfile_reads(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """What zipfile reads of `info` (None: it raises)."""
    try:
        return archive.read(info)
    except Exception:  # noqa: BLE001 - any refusal: the fast path must refuse too
        return None


def _agree(data: bytes) -> int:
    """Checks every member of the zip `data`; returns how many were unpacked directly."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - not a zip any more: nothing to compare
        return 0
    direct = 0
    with archive:
        for info in archive.infolist():
            ours = unpacked(data, info)
            if ours is None:
                continue
            assert ours == _zipfile_reads(archive, info), info.filename
            direct += 1
    return direct


def test_the_workbooks_shipped_and_tested_unpack_as_zipfile_reads_them() -> None:
    assert len(WORKBOOKS) > 20
    for path in WORKBOOKS:
        _agree(path.read_bytes())


@pytest.mark.parametrize("path", sorted((EXAMPLES / "sheets").glob("*.xlsx"))[:5], ids=str)
def test_a_usual_workbook_is_unpacked_without_zipfile(path: Path) -> None:
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = len(archive.infolist())
    assert _agree(data) == members  # every part (none is empty in a sheet ictscore writes)


def _small_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.xml", b"<a>" + b"x" * 300 + b"</a>", zipfile.ZIP_DEFLATED)
        archive.writestr("b.xml", b"<b>plain</b>", zipfile.ZIP_STORED)
        archive.writestr("c.xml", "<c>Tiền Giang</c>" * 20, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


SMALL = _small_zip()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SMALL) - 1), st.integers(0, 255)), max_size=4))
def test_a_damaged_zip_is_unpacked_as_zipfile_reads_it_or_left_to_zipfile(
    changes: list[tuple[int, int]],
) -> None:
    data = bytearray(SMALL)
    for at, byte in changes:
        data[at] = byte
    _agree(bytes(data))


def _patched(data: bytes, name: bytes, offset: int, fmt: str, value: int) -> bytes:
    """`data` with a field of the central directory's entry for `name` changed."""
    at = data.index(b"PK\x01\x02")
    while data[at + 46 : at + 46 + len(name)] != name:
        at = data.index(b"PK\x01\x02", at + 4)
    out = bytearray(data)
    struct.pack_into(fmt, out, at + offset, value)
    return bytes(out)


@pytest.mark.parametrize(
    ("field", "offset", "fmt", "value"),
    [
        ("size claimed larger", 24, "<L", 1_000),
        ("size claimed smaller", 24, "<L", 10),
        ("wrong CRC", 16, "<L", 12345),
        ("encrypted", 8, "<H", 0x01),
        ("another method", 10, "<H", 12),
        ("empty", 24, "<L", 0),
    ],
)
def test_a_member_whose_directory_entry_is_not_usual_is_left_to_zipfile(
    field: str, offset: int, fmt: str, value: int
) -> None:
    data = _patched(SMALL, b"a.xml", offset, fmt, value)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("a.xml")
    assert unpacked(data, info) is None, field
    assert unpacked(SMALL, zipfile.ZipFile(io.BytesIO(SMALL)).getinfo("a.xml")) is not None


def test_a_local_name_that_differs_is_left_to_zipfile() -> None:
    data = SMALL
    at = data.index(b"a.xml")  # the first: the local header's name
    data = data[:at] + b"z" + data[at + 1 :]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("a.xml")
        with pytest.raises(zipfile.BadZipFile):
            archive.read(info)
    assert unpacked(data, info) is None


def test_a_damaged_part_is_answered_as_before() -> None:
    """The fast path gives no answer of its own: the corrupt part of tests/data/bad is still
    named as damaged (zipfile's message)."""
    from ictscore.errors import WorkbookError

    with pytest.raises(WorkbookError) as caught:
        reader.read_workbook(ROOT / "tests" / "data" / "bad" / "06-corrupt-part.xlsx")
    assert "damaged" in caught.value.message.render("en")
