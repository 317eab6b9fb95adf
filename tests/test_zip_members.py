"""A part unpacked straight from a zip's bytes (`xlsx.unpacked`) is what zipfile reads, or None.

The reader unpacks the parts of a usual .xlsx itself, without zipfile's file objects; anything
unusual (a damaged part, a bad CRC, a name that differs, encryption, another method, entries that
overlap) must be left to zipfile, which reads it and answers exactly as before.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ictscore.errors import WorkbookError
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


def _left_to_zipfile(data: bytes, error: type[Exception]) -> zipfile.ZipInfo:
    """zipfile refuses the part a.xml of `data` (raising `error`): the fast path leaves it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("a.xml")
        with pytest.raises(error):
            archive.read(info)
    assert unpacked(data, info) is None
    return info


def test_a_local_name_that_differs_is_left_to_zipfile() -> None:
    at = SMALL.index(b"a.xml")  # the first: the local header's name
    _left_to_zipfile(SMALL[:at] + b"z" + SMALL[at + 1 :], zipfile.BadZipFile)


def test_a_damaged_part_is_answered_as_before() -> None:
    """The fast path gives no answer of its own: the corrupt part of tests/data/bad is still
    named as damaged (zipfile's message)."""
    with pytest.raises(WorkbookError) as caught:
        reader.read_workbook(ROOT / "tests" / "data" / "bad" / "06-corrupt-part.xlsx")
    assert "damaged" in caught.value.message.render("en")


# --- found by an adversarial review of the fast path (each read otherwise, or raised, before) ---


def _one_member(name: bytes, stream: bytes, size: int, crc: int, method: int = 8) -> bytes:
    """A zip of one member whose directory says `size` and `crc` for the compressed `stream`."""
    local = struct.pack(
        "<4sHHHHHLLLHH", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(stream), size,
        len(name), 0,
    )  # fmt: skip
    central = struct.pack(
        "<4sHHHHHHLLLHHHHHLL", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(stream),
        size, len(name), 0, 0, 0, 0, 0, 0,
    )  # fmt: skip
    body = local + name + stream
    end = struct.pack("<4sHHHHLLH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(name),
                      len(body), 0)  # fmt: skip
    return body + central + name + end


def test_damage_after_the_size_the_directory_gives_is_left_to_zipfile() -> None:
    """zipfile unpacks all of a member's compressed bytes: a stream whose first `file_size`
    bytes are right (and their CRC) but which is damaged further on is an error there."""
    kept = b"<a>hello</a>"
    head = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = head.compress(kept) + head.flush(zlib.Z_FULL_FLUSH)
    more = zlib.compressobj(0, zlib.DEFLATED, -15)
    stream += more.compress(b"Y" * 100) + more.flush(zlib.Z_FULL_FLUSH) + b"\x07"  # bad block
    _left_to_zipfile(_one_member(b"a.xml", stream, len(kept), zlib.crc32(kept)), zlib.error)


def test_a_stream_that_goes_on_past_the_size_is_left_to_zipfile() -> None:
    whole = b"<a>" + b"x" * 500 + b"</a>"
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = packer.compress(whole) + packer.flush()
    data = _one_member(b"a.xml", stream, 12, zlib.crc32(whole[:12]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("a.xml")
        assert archive.read(info) == whole[:12]  # zipfile keeps the size it was told
    assert unpacked(data, info) is None  # the same bytes, but left to zipfile: it says so
    exact = _one_member(b"a.xml", stream, len(whole), zlib.crc32(whole))
    with zipfile.ZipFile(io.BytesIO(exact)) as archive:
        assert unpacked(exact, archive.getinfo("a.xml")) == whole


@pytest.mark.parametrize("after", [28, 7])
def test_a_directory_placed_beyond_the_file_is_left_to_zipfile(after: int) -> None:
    """An end record claiming its directory `after` bytes further on than it is makes zipfile
    shift every local header as far back: the first part's before the file's start, a negative
    offset zipfile cannot seek to. The fast path must not take that offset from the end of the
    bytes, where a local header's signature may wait (and its fields lie beyond the end)."""
    data = bytearray(SMALL + b"PK\x03\x04" + b"\0" * (after - 4))
    end = data.rindex(b"PK\x05\x06")
    (offset,) = struct.unpack_from("<L", data, end + 16)
    struct.pack_into("<L", data, end + 16, offset + after)
    info = _left_to_zipfile(bytes(data), ValueError)  # "negative seek value"
    assert info.header_offset == -after  # the first part: now before the file's start
    assert _agree(bytes(data)) == 0  # the other parts land on other bytes: zipfile refuses them


def test_a_workbook_with_its_directory_claimed_beyond_the_file_is_refused(
    tmp_path: Path,
) -> None:
    """End to end: one sheet's parts, another sheet's directory, an end record placing that
    directory further on, and the other sheet's parts after it. zipfile reads nothing of it;
    neither does ictscore, which calls it damaged (it read the other sheet's parts before)."""
    sheets = sorted((EXAMPLES / "sheets").glob("*.xlsx"))
    first, second = sheets[0].read_bytes(), sheets[1].read_bytes()

    def split(zipped: bytes) -> tuple[bytes, bytes, bytearray]:
        end = zipped.rindex(b"PK\x05\x06")
        size, offset = struct.unpack_from("<LL", zipped, end + 12)
        return zipped[:offset], zipped[offset:end], bytearray(zipped[end : end + 22])

    parts_a, _, _ = split(first)
    parts_b, directory_b, end_b = split(second)
    struct.pack_into("<L", end_b, 16, len(parts_a) + len(parts_b) + 1)
    forged = tmp_path / "forged.xlsx"
    forged.write_bytes(parts_a + directory_b + bytes(end_b) + parts_b + b"\0")
    with pytest.raises(WorkbookError) as caught:
        reader.read_workbook(forged)
    assert "damaged" in caught.value.message.render("en")


def test_a_size_beyond_any_limit_is_left_to_zipfile() -> None:
    """A zip64 size of 2**63 (zlib takes no such limit) never raises here."""
    whole = b"<a>hello</a>" * 10
    stream = zlib.compress(whole, 9)[2:-4]
    name = b"a.xml"
    local = struct.pack(
        "<4sHHHHHLLLHH", b"PK\x03\x04", 45, 0, 8, 0, 0x21, zlib.crc32(whole), len(stream),
        len(whole), len(name), 0,
    )  # fmt: skip
    extra = struct.pack("<HHQ", 1, 8, 2**63)
    central = struct.pack(
        "<4sHHHHHHLLLHHHHHLL", b"PK\x01\x02", 45, 45, 0, 8, 0, 0x21, zlib.crc32(whole),
        len(stream), 0xFFFFFFFF, len(name), len(extra), 0, 0, 0, 0, 0,
    )  # fmt: skip
    body = local + name + stream
    directory = central + name + extra
    end = struct.pack("<4sHHHHLLH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(body), 0)
    data = body + directory + end
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("a.xml")
    assert info.file_size == 2**63
    assert unpacked(data, info) is None
