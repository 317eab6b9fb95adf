"""The run's lifecycle: what a crash exits with, signals, and outputs checked before grading and
written without replacing a file that appeared meanwhile."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ictscore.cli import app
from tests.conftest import EXAMPLES, ROOT, SMALL_RUBRIC

BUG_LINE = "This is a bug; run again with --debug for the details."


def _broken_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    from ictscore.grading import pipeline

    def broken(folder: Path, options: object) -> None:
        raise ZeroDivisionError("a bug \x1b[2J here")

    monkeypatch.setattr(pipeline, "grade_folder", broken)


def test_a_bug_exits_3_with_one_message_and_no_traceback(monkeypatch, tmp_path: Path):
    _broken_pipeline(monkeypatch)
    result = CliRunner().invoke(app, ["grade", str(EXAMPLES / "sheets")])
    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines() == [
        "ictscore: internal error (ZeroDivisionError: a bug \\x1b[2J here). " + BUG_LINE
    ]
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_debug_shows_the_traceback(monkeypatch, tmp_path: Path):
    _broken_pipeline(monkeypatch)
    result = CliRunner().invoke(app, ["--debug", "grade", str(EXAMPLES / "sheets")])
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert 'raise ZeroDivisionError("a bug' in result.stderr
    assert "internal error (ZeroDivisionError" in result.stderr


def test_the_exit_codes_are_documented():
    text = " ".join(CliRunner().invoke(app, ["--help"], env={"COLUMNS": "100"}).stdout.split())
    assert "· 3 a bug in ictscore" in text and "130 interrupted" in text and "143" in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Exit codes", 1)[1].split("\n## ", 1)[0]
    assert "| 3 |" in table and "| 130 |" in table and "| 143 |" in table and "--debug" in table
    assert "| 141 |" in table and "141 the output pipe closed early" in text


def _python(*args: str, env: dict[str, str] | None = None, **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        **kw,  # type: ignore[call-overload]
    )


def test_a_bug_in_a_real_run_exits_3_without_traceback(tmp_path: Path):
    """As a user runs it (a subprocess): an exception from deep inside becomes exit 3."""
    code = (
        "import ictscore.grading.pipeline as p\n"
        "def broken(*a, **k): raise KeyError('x')\n"
        "p.grade_folder = broken\n"
        "import sys; from ictscore.cli import main; sys.argv[0] = 'ictscore'; main()\n"
    )
    proc = _python("-c", code, "grade", str(EXAMPLES / "sheets"))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3, err
    assert err.strip() == f"ictscore: internal error (KeyError: 'x'). {BUG_LINE}"
    assert "Traceback" not in err


def test_a_pipe_closed_early_exits_141_quietly(tmp_path: Path):
    """`ictscore grade … -f json | head -c 10`: the reader goes away before the end. The run
    stops as SIGPIPE would stop it (141), with no message and no traceback, not 1 ("done, with
    errors")."""
    read, write = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ictscore", "grade", str(EXAMPLES / "sheets"), "-f", "json"],
        stdout=write,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(write)
    with os.fdopen(read, "rb") as reader:
        assert reader.read(10).startswith(b"{")
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 141, err
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err


def test_names_and_paths_never_act_on_the_terminal_nor_forge_lines(run, make_sheet, tmp_path):
    """A refusal quoting a path, and the `Wrote …` lines, show control characters as escapes."""
    forged = tmp_path / "x\nerror[not-a-sheet]: forged"
    result = run("grade", forged)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "x\\nerror[not-a-sheet]: forged: not a folder" in result.stderr
    make_sheet()
    rubric = tmp_path / "small.yaml"
    rubric.write_text(SMALL_RUBRIC, encoding="utf-8")
    out = tmp_path / "out\x1b[2J"
    result = run(
        "grade",
        tmp_path / "sheets",
        "-r",
        rubric,
        "-q",
        "-o",
        out / "r\x07.json",
        "--feedback",
        out,
    )
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "out\\x1b[2J/r\\x07.json" in result.stderr
    assert "feedback workbook(s) to " in result.stderr and "out\\x1b[2J" in result.stderr
    units = tmp_path / "units.csv"
    units.write_text("code,name,group,parent\nso-a,Sở Thử,so,\n", encoding="utf-8")
    result = run("template", "-r", rubric, "-u", units, "-o", tmp_path / "t\x1bc")
    assert result.exit_code == 0, result.stderr
    assert "t\\x1bc" in result.stderr and "\x1b" not in result.stderr


def _graded_folder(make_sheet, tmp_path: Path) -> tuple[Path, Path]:
    make_sheet()
    rubric = tmp_path / "small.yaml"
    rubric.write_text(SMALL_RUBRIC, encoding="utf-8")
    return tmp_path / "sheets", rubric


def test_an_unwritable_output_is_refused_before_grading(run, make_sheet, tmp_path: Path):
    """`-o afile/out.json` (a path under a regular file: unwritable even for root) is refused
    before any sheet is read, and no other output is written."""
    sheets, rubric = _graded_folder(make_sheet, tmp_path)
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    bad = tmp_path / "afile" / "out.json"
    result = run("grade", sheets, "-r", rubric, "-o", tmp_path / "ok.json", "-o", bad)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {bad}: cannot write")
    assert result.stdout == ""  # nothing graded
    assert not (tmp_path / "ok.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "sheets", "small.yaml"]
    for args in (
        ["grade", sheets, "-r", rubric, "--feedback", tmp_path / "afile" / "fb"],
        ["appraisal", sheets, "-r", rubric, "--out", tmp_path / "afile" / "form.xlsx"],
    ):
        result = run(*args)
        assert result.exit_code == 2
        assert "afile" in result.stderr and "cannot write" in result.stderr
        assert result.stdout == ""
    units = tmp_path / "units.csv"
    units.write_text("code,name,group,parent\nso-a,Sở Thử,so,\n", encoding="utf-8")
    result = run("template", "-r", rubric, "-u", units, "-o", tmp_path / "afile" / "t")
    assert result.exit_code == 2 and "cannot write" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_output_folder_is_refused_before_grading(run, make_sheet, tmp_path: Path):
    sheets, rubric = _graded_folder(make_sheet, tmp_path)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        result = run("grade", sheets, "-r", rubric, "-o", tmp_path / "ok.json", "-o", ro / "r.json")
    finally:
        ro.chmod(0o700)
    assert result.exit_code == 2 and "cannot write" in result.stderr
    assert not (tmp_path / "ok.json").exists()


def test_an_output_that_appears_meanwhile_is_not_replaced(
    run, make_sheet, tmp_path: Path, monkeypatch
):
    """Two runs writing the same -o: the one that finishes second fails (exit 2, naming the
    file) and leaves the other's file as it was."""
    from ictscore.reports import export

    sheets, rubric = _graded_folder(make_sheet, tmp_path)
    target = tmp_path / "results.json"
    write_json = export.write_json

    def other_run_first(*args: object, **kwargs: object) -> None:
        target.write_text("the other run's results", encoding="utf-8")
        write_json(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(export, "write_json", other_run_first)
    result = run("grade", sheets, "-r", rubric, "-q", "-o", target)
    assert result.exit_code == 2, result.stderr
    assert f"Error: {target}: already exists (use --force to overwrite)" in result.stderr
    assert target.read_text(encoding="utf-8") == "the other run's results"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    result = run("grade", sheets, "-r", rubric, "-q", "-o", target, "--force")
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8").startswith("{")


SLOW_RUN = """\
import sys, time
from ictscore.grading import workers
from ictscore.reports import export
grade_unit, write_json = workers.grade_unit, export.write_json
def slow_grade(rubric, sheet):  # forked into the workers: each sheet takes a while
    time.sleep(0.5)
    return grade_unit(rubric, sheet)
def slow_write(*args, **kwargs):  # the output is written, then the run lingers over it
    write_json(*args, **kwargs)
    time.sleep(60)
workers.grade_unit = slow_grade if sys.argv[1] == "grading" else grade_unit
if sys.argv[1] == "grading":  # in worker processes, however small the batch
    workers.IN_PROCESS_FILES = 0
export.write_json = slow_write if sys.argv[1] == "writing" else write_json
from ictscore.cli import main
sys.argv[0:2] = ["ictscore"]
main()
"""


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kill(pids: set[int]) -> None:
    """Clean up after a failure: no worker outlives the test (a pid still running this test's
    script, not one reused since)."""
    for pid in pids:
        with contextlib.suppress(OSError):
            if b"slow_grade" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGKILL)


def _wait_for(condition: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"]
)
def test_a_signal_while_grading_stops_the_workers_too(tmp_path: Path, signum: int, code: int):
    out = tmp_path / "out"
    args = ["grading", "grade", EXAMPLES / "sheets", "-r", "tiengiang-2020", "-q", "-j", "2"]
    proc = _python("-c", SLOW_RUN, *map(str, args), "-o", str(out / "r.json"))
    workers: set[int] = set()
    try:
        _wait_for(lambda: len(_children(proc.pid)) >= 2)
        time.sleep(0.5)  # the workers are grading
        workers = _children(proc.pid)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
        _kill(workers)
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert err.strip().endswith("terminated (SIGTERM)" if code == 143 else "interrupted")
    try:
        _wait_for(lambda: not any(_alive(w) for w in workers), 5)
    finally:
        _kill(workers)
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_a_run_terminated_while_writing_leaves_no_temporary_file(tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    args = ["writing", "grade", EXAMPLES / "sheets", "-r", "tiengiang-2020", "-q"]
    proc = _python("-c", SLOW_RUN, *map(str, args), "-o", str(out / "r.json"))
    try:
        _wait_for(lambda: any(out.iterdir()))  # the temporary file is written
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 143, err
    assert list(out.iterdir()) == []


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_run_killed_outright(tmp_path: Path):
    args = ["grading", "grade", EXAMPLES / "sheets", "-r", "tiengiang-2020", "-q", "-j", "2"]
    proc = _python("-c", SLOW_RUN, *map(str, args))
    workers: set[int] = set()
    try:
        _wait_for(lambda: len(_children(proc.pid)) >= 2)
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        _wait_for(lambda: not any(_alive(w) for w in workers), 5)
    finally:
        proc.kill()
        _kill(workers)
        proc.communicate(timeout=10)  # the pipes close once no worker holds them
