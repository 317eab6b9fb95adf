"""Rubric and roster inputs are bounded: regular files only (a pipe never blocks, a device is
never read), of bounded size, with bounded alias expansion and a bounded number of units; and
rubric errors say what is wrong in the project's words, with file and line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ictscore.errors import RubricError, UnitsError
from ictscore.roster import load_units
from ictscore.rubric.load import load_rubric
from tests.conftest import EXAMPLES, Run

BUNDLED = Path(__file__).resolve().parents[1] / "src" / "ictscore" / "rubric" / "bundled"
PYDANTIC_WORDS = ("Input should", "Extra inputs", "Value error", "Field required", "Input tag")


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)  # nobody writes to it: a reader that waits for one waits forever
    return path


def test_a_pipe_as_rubric_is_refused_without_waiting(run: Run, fifo: Path, tmp_path: Path):
    result = run("template", "--rubric", fifo, "--units", EXAMPLES / "units.csv", "-o", tmp_path)
    assert result.exit_code == 2
    assert f"{fifo}: not a regular file (a pipe, a device or a socket)" in result.stderr


def test_a_pipe_as_roster_is_refused_without_waiting(fifo: Path):
    with pytest.raises(UnitsError, match="not a regular file"):
        load_units(fifo)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_pipe_as_appraisal_form_or_compare_input_is_refused_without_waiting(
    run: Run, tmp_path: Path, suffix: str
):
    """The other files a user names: the appraisal form (`grade --appraisal`), the results and
    the criterion mapping of `compare`."""
    from ictscore.errors import AppraisalFormError
    from ictscore.grading.appraisal_form import read_appraisal

    pipe = tmp_path / f"form{suffix}"
    os.mkfifo(pipe)
    with pytest.raises(AppraisalFormError, match="not a regular file"):
        read_appraisal(pipe)
    json_pipe = tmp_path / "last.json"
    if not json_pipe.exists():
        os.mkfifo(json_pipe)
    result = run("compare", json_pipe, json_pipe)
    assert result.exit_code == 2 and "not a regular file" in result.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_never_read(run: Run):
    result = run("rubric", "check", "/dev/zero")
    assert result.exit_code == 2
    assert "/dev/zero: not a regular file" in result.stderr
    with pytest.raises(UnitsError, match="not a regular file"):
        load_units("/dev/zero")


def test_a_rubric_over_1_mib_is_refused(tmp_path: Path):
    big = tmp_path / "big.yaml"
    big.write_bytes((BUNDLED / "tiengiang-2020.yaml").read_bytes() + b"#" * (1024 * 1024))
    with pytest.raises(
        RubricError, match=r"the file is 1\.02 MiB, above the limit of 1 MiB for a rubric"
    ):
        load_rubric(big)


def test_a_roster_over_20_mib_is_refused(tmp_path: Path):
    big = tmp_path / "units.csv"
    with big.open("wb") as out:
        out.write(b"code,name,group,parent\n")
        out.truncate(20 * 1024 * 1024 + 1)
    with pytest.raises(UnitsError, match="above the limit of 20 MiB for a roster"):
        load_units(big)


def test_a_roster_of_more_units_than_the_country_has_communes_is_refused(tmp_path: Path):
    many = tmp_path / "units.csv"
    rows = "".join(f"u{i},Đơn vị {i},xa,\n" for i in range(50_001))
    many.write_text("code,name,group,parent\n" + rows, encoding="utf-8")
    with pytest.raises(UnitsError, match="more than 50,000 units"):
        load_units(many)


def test_an_alias_bomb_in_the_criteria_is_refused_at_once(tmp_path: Path):
    """8 levels of 10 aliases: 10^8 criteria for whoever walks them (68 s, then MemoryError)."""
    text = (BUNDLED / "hcm-sgd-truong-hoc.yaml").read_text(encoding="utf-8")
    bomb = "x0: &a0 {id: '9', title: t, max: 1, method: {type: direct}}\n" + "".join(
        f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9)
    )
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb + text.replace("criteria:\n", "criteria:\n  - *a8\n", 1), "utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    (problem,) = info.value.problems
    assert "stands for more than 100,000 values once its aliases (*name) are expanded" in problem


def test_an_anchor_used_a_few_times_still_works(tmp_path: Path):
    text = (BUNDLED / "hcm-sgd-truong-hoc.yaml").read_text(encoding="utf-8")
    text = text.replace("method: {type: direct}", "method: &direct {type: direct}", 1)
    text = text.replace("method: {type: direct}", "method: *direct")
    path = tmp_path / "anchored.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_rubric(path).id == "hcm-sgd-truong-hoc"


def test_a_misspelt_rubric_id_gets_the_bundled_one_suggested(run: Run):
    result = run("grade", EXAMPLES / "sheets", "--rubric", "tiengiang-2021")
    assert result.exit_code == 2
    assert "Errno" not in result.stderr
    assert "tiengiang-2021: no such file, and no bundled rubric of that id" in result.stderr
    assert "did you mean tiengiang-2020?" in result.stderr
    assert "hcm-sgd-truong-hoc, tiengiang-2020" in result.stderr


def test_schema_errors_are_said_in_the_projects_words_with_file_and_line(run: Run, tmp_path: Path):
    text = (BUNDLED / "hcm-sgd-truong-hoc.yaml").read_text(encoding="utf-8")
    text = text.replace("parent_max: cap  #", "parent_max: xml  #", 1)
    text = text.replace('    label: "Mầm non"\n', '    label: "Mầm non"\n    colour: red\n', 1)
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("rubric", "check", path)
    assert result.exit_code == 1  # rubric check: done, and the rubric has errors
    assert (
        f"{path}:27: error: parent_max: 'xml' is not allowed here: expected 'equal' or 'cap'"
        in (result.stdout + result.stderr)
    )
    assert f"{path}:48: error: groups[0].colour: unknown key 'colour'" in (
        result.stdout + result.stderr
    )
    assert not [w for w in PYDANTIC_WORDS if w in result.stdout + result.stderr]
