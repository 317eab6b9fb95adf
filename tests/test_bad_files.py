"""Broken and hostile submissions (tests/data/bad, made by tests/data/make_bad.py): one clear,
located error each, the batch goes on, exit code 1, and no input is touched."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, Run
from tests.data.make_bad import AMPLIFIED, EXPECTED, make_all, make_amplified

BAD = ROOT / "tests" / "data" / "bad"
BAD_AMPLIFIED = ROOT / "tests" / "data" / "bad-amplified"


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and modification time (links: of the link itself)."""
    return {
        p.name: (p.read_bytes() if p.is_file() else b"", os.lstat(p).st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def _bad_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "bad"
    shutil.copytree(BAD, folder)
    outside = tmp_path / "elsewhere.xlsx"
    shutil.copy(EXAMPLES / "sheets" / "28249-phuong-5.xlsx", outside)
    (folder / "99-link-outside.xlsx").symlink_to(outside)
    return folder


@pytest.fixture
def bad_folder(tmp_path: Path) -> Path:
    return _bad_copy(tmp_path)


EXPECTED_ALL = {**EXPECTED, "99-link-outside.xlsx": ("link-not-followed", "outside the folder")}


@dataclass(frozen=True)
class _Graded:
    exit_code: int
    stderr: str
    found: dict[str, list[tuple[str, str]]]
    graded: dict[str, str]
    """The files graded as a unit's sheet (whatever their issues) → the unit's name."""
    touched: bool


@pytest.fixture(scope="module")
def graded_bad(tmp_path_factory: pytest.TempPathFactory) -> _Graded:
    """The bad folder graded once, for every file's test."""
    folder = _bad_copy(tmp_path_factory.mktemp("graded-bad"))
    before = _snapshot(folder)
    result = Run()("grade", folder, "--rubric", "tiengiang-2020", "--format", "json")
    found: dict[str, list[tuple[str, str]]] = {}
    graded: dict[str, str] = {}
    if result.exit_code == 1:
        data = json.loads(result.stdout)
        for issue in [*data["issues"], *(i for u in data["units"] for i in u["issues"])]:
            name = Path(issue["file"]).name
            found.setdefault(name, []).append((issue["code"], issue["message"]))
        graded = {Path(u["file"]).name: u["name"] for u in data["units"]}
    return _Graded(result.exit_code, result.stderr, found, graded, _snapshot(folder) != before)


def test_the_bad_folder_is_graded_with_errors_and_nothing_touched(graded_bad: _Graded):
    assert graded_bad.exit_code == 1, graded_bad.stderr
    assert "Traceback" not in graded_bad.stderr
    assert sorted(graded_bad.found) == sorted(k for k, v in EXPECTED_ALL.items() if v)
    assert not graded_bad.touched  # nothing written, nothing touched


@pytest.mark.parametrize("name", sorted(EXPECTED_ALL))
def test_each_bad_file_gets_one_clear_located_error(graded_bad: _Graded, name: str):
    expected = EXPECTED_ALL[name]
    if expected is None:  # a hostile file that is a valid sheet all the same
        assert name in graded_bad.graded and name not in graded_bad.found
        return
    code, fragment = expected
    ((got_code, message),) = graded_bad.found[name]  # exactly one issue per file
    assert (got_code, fragment in message) == (code, True), (name, message)


def test_control_characters_are_graded_and_kept_exact_in_json(graded_bad: _Graded):
    """BEL and ESC in the unit's name (Excel's `_x0007__x001B_`) come back as the characters
    they are: JSON keeps them exact (the writers clean them where they write text)."""
    assert graded_bad.graded["27-control-characters.xlsx"] == "Phường 3 \x07\x1b[2J"
    ((code, message),) = graded_bad.found["27-control-characters.xlsx"]
    assert code == "not-a-number" and "12\x07" in message


def test_the_bad_files_are_what_the_script_makes(tmp_path: Path):
    make_all(tmp_path)
    make_amplified(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*EXPECTED, AMPLIFIED])
    assert (tmp_path / AMPLIFIED).read_bytes() == (BAD_AMPLIFIED / AMPLIFIED).read_bytes()
    for name in EXPECTED:
        if name == "07-password-protected.xlsx":  # encryption salts are random
            assert (tmp_path / name).read_bytes()[:8] == (BAD / name).read_bytes()[:8]
            continue
        assert (tmp_path / name).read_bytes() == (BAD / name).read_bytes(), (
            f"{name} differs: run python tests/data/make_bad.py"
        )


def test_amplification_is_capped(tmp_path: Path):
    """One 45 KB sheet with a 32,000-character id on each of 4,943 rows: a bounded number of
    issues, each quoting the value cut short (it gave 4,943 errors quoting the id twice, and
    four such files a 1.9 GB JSON). The cap is the grading's; this test holds it to it."""
    folder = tmp_path / "amplified"
    folder.mkdir()
    shutil.copy(BAD_AMPLIFIED / AMPLIFIED, folder)
    result = Run()("grade", folder, "--rubric", "tiengiang-2020", "--format", "json")
    assert result.exit_code == 1, result.stderr[-2000:]
    assert len(result.stdout) < 200_000
    data = json.loads(result.stdout)
    issues = [*data["issues"], *(i for u in data["units"] for i in u["issues"])]
    assert 1 <= len(issues) <= 60
    assert max(len(json.dumps(i, ensure_ascii=False)) for i in issues) < 2_000
    assert all(len(i["message"]) < 1_000 for i in issues)


def test_inputs_are_unchanged_by_grade_check_and_template(run: Run, tmp_path: Path):
    sheets = tmp_path / "sheets"
    shutil.copytree(EXAMPLES / "sheets", sheets)
    units = tmp_path / "units.csv"
    shutil.copy(EXAMPLES / "units.csv", units)
    before = {**_snapshot(sheets), "units.csv": _snapshot(tmp_path)["units.csv"]}
    assert run("grade", sheets, "--units", units, "-o", tmp_path / "r.xlsx").exit_code == 1
    assert run("check", sheets / "28249-phuong-5.xlsx").exit_code == 0
    made = run(
        "template",
        "--rubric",
        "tiengiang-2020",
        "--units",
        units,
        "--unit",
        "28249",
        "--out",
        tmp_path / "new",
    )
    assert made.exit_code == 0
    after = {**_snapshot(sheets), "units.csv": _snapshot(tmp_path)["units.csv"]}
    assert after == before


def test_a_crashing_reader_leaves_no_noise_on_stderr(bad_folder: Path):
    """As a user runs it: only the issues and the summary, no panic text or crash dump."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "ictscore", "grade", str(bad_folder), "--rubric", "tiengiang-2020"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert "graded" in lines[-1] and "error(s)" in lines[-1]
    assert all(line.startswith(("error[", "warning[")) for line in lines[:-1]), lines
    assert "panicked" not in done.stderr and "memory allocation" not in done.stderr


@pytest.mark.parametrize(
    "before",
    [
        b"",
        b"<!-- <a " + b"x" * 6000 + b" -->",
        b"<!-- " + b"y" * 70000 + b" -->",
        b'<?xml version="1.0"?><?pi <a fake root?>',
        b"<?pi <a " + b"z" * 6000 + b"?>",
    ],
    ids=[
        "plain",
        "a-long-comment-with-a-tag",
        "a-comment-past-64-KiB",
        "a-processing-instruction-with-a-tag",
        "a-long-processing-instruction",
    ],
)
def test_entity_declarations_are_found_after_a_long_comment(before: bytes):
    """The prolog check reads a part's first bytes only, and more while the prolog may go on
    (no root element yet, or a comment still open): a DOCTYPE after a long comment is found."""
    import io
    import zipfile

    from ictscore.errors import WorkbookError
    from ictscore.issues import CellRef
    from ictscore.sheets.filecheck import inspect_file

    good = (EXAMPLES / "sheets" / "28249-phuong-5.xlsx").read_bytes()
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/styles.xml":
                data = before + b'<!DOCTYPE s [<!ENTITY e "e">]>' + data
            target.writestr(name, data)
    with pytest.raises(WorkbookError) as caught:
        inspect_file(out.getvalue(), CellRef("t.xlsx"))
    assert caught.value.code == "unsafe-xml" and "xl/styles.xml" in caught.value.message


def test_a_zip_with_a_part_twice_is_refused():
    """Readers disagree on which copy they read (the checks could see one, the reader the
    other): such a file is refused, whichever copy is hostile."""
    import io
    import warnings
    import zipfile

    from ictscore.errors import WorkbookError
    from ictscore.issues import CellRef
    from ictscore.sheets.filecheck import inspect_file

    good = (EXAMPLES / "sheets" / "28249-phuong-5.xlsx").read_bytes()
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            target.writestr("xl/styles.xml", b'<!DOCTYPE s [<!ENTITY e "e">]><styleSheet/>')
            for name in source.namelist():
                target.writestr(name, source.read(name))
    with pytest.raises(WorkbookError) as caught:
        inspect_file(out.getvalue(), CellRef("t.xlsx"))
    assert caught.value.code == "unreadable-file"
    assert "two parts named xl/styles.xml" in caught.value.message
