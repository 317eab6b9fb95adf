"""Finding sheets in a folder and choosing the rubric to grade them with."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ictscore.errors import IctscoreError
from ictscore.grading.discovery import find_sheets
from tests.conftest import EXAMPLES, SMALL_RUBRIC, SO_UNIT, XA_UNIT, Run


def test_find_sheets_skips_lock_and_hidden_files_and_reports_the_rest(tmp_path: Path):
    for name in (
        "b.xlsx",
        "a.XLSM",
        "~$a.xlsx",
        ".hidden.xlsx",
        "old.xls",
        "calc.ods",
        "draft.xltx",
        "notes.pdf",
        "export.csv",
        "rubric.yaml",
        "sub/c.xlsx",
        ".git/d.xlsx",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    sheets, issues = find_sheets(tmp_path)
    assert [p.name for p in sheets] == ["a.XLSM", "b.xlsx", "calc.ods", "old.xls"]
    (tmp_path / "gone.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.xlsx"
    outside.write_bytes(b"")
    (tmp_path / "out.xlsx").symlink_to(outside)
    (tmp_path / "in.xlsx").symlink_to(tmp_path / "b.xlsx")
    (tmp_path / "linked-dir").symlink_to(tmp_path / "sub")
    (tmp_path / "loop.xlsx").symlink_to(tmp_path / "loop.xlsx")
    sheets, issues = find_sheets(tmp_path)
    assert [p.name for p in sheets] == ["a.XLSM", "b.xlsx", "calc.ods", "old.xls"]
    assert [(i.code, i.severity.value, Path(str(i.where)).name) for i in issues] == [
        ("unsupported-format", "error", "draft.xltx"),
        ("not-a-sheet", "warning", "export.csv"),
        ("not-a-sheet", "error", "gone.xlsx"),
        ("link-not-followed", "warning", "linked-dir"),
        ("not-a-sheet", "error", "loop.xlsx"),
        ("not-a-sheet", "warning", "notes.pdf"),
        ("link-not-followed", "error", "out.xlsx"),
        ("subfolder-not-read", "warning", "sub"),
        ("link-not-followed", "warning", "in.xlsx"),  # b.xlsx is read once
    ]
    assert "a CSV file" in issues[1].message and "broken link" in issues[2].message
    sheets, _ = find_sheets(tmp_path, follow_links=True)
    assert "out.xlsx" in [p.name for p in sheets]
    sheets, _ = find_sheets(tmp_path, recursive=True)
    assert [p.relative_to(tmp_path).as_posix() for p in sheets] == [
        "a.XLSM",
        "b.xlsx",
        "calc.ods",
        "old.xls",
        "sub/c.xlsx",
    ]
    with pytest.raises(IctscoreError, match="not a folder"):
        find_sheets(tmp_path / "b.xlsx")


def test_grade_uses_rubric_yaml_beside_the_sheets(run: Run, make_sheet, tmp_path: Path):
    folder = tmp_path / "sheets"
    make_sheet(SO_UNIT, folder=folder)
    make_sheet(XA_UNIT, folder=folder)
    unknown = run("grade", folder)
    assert unknown.exit_code == 2 and "not bundled" in unknown.stderr
    (folder / "rubric.yaml").write_text(SMALL_RUBRIC, encoding="utf-8")
    result = run("grade", folder, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert "rubric.yaml" not in result.stderr  # the rubric itself is not reported as a stray file


def test_a_template_format_in_the_folder_is_an_error_not_silence(
    run: Run, make_sheet, tmp_path: Path
):
    folder = tmp_path / "sheets"
    make_sheet(SO_UNIT, folder=folder)
    (folder / "so-b.xltx").write_bytes(b"PK\x03\x04")
    (folder / "rubric.yaml").write_text(SMALL_RUBRIC, encoding="utf-8")
    result = run("grade", folder)
    assert result.exit_code == 1
    assert f"error[unsupported-format] {folder / 'so-b.xltx'}: .xltx files are not read" in (
        result.stderr
    )


def test_jobs_change_nothing_but_the_speed(run: Run, tmp_path: Path):
    """Good sheets mixed with hostile files (one panics the reader, one aborts its process):
    one worker, two or three give the same report, in the same order, and the files sharing a
    chunk with the one that kills its worker are graded all the same."""
    import json
    import shutil

    from tests.conftest import EXAMPLES, ROOT

    bad_files = [  # not the two that are sheets of example units (they would be duplicates)
        p
        for p in sorted((ROOT / "tests" / "data" / "bad").iterdir())
        if not p.name.startswith(("14-", "17-", "26-"))  # 26: a valid sheet, no issue
    ]
    folder = tmp_path / "mixed"
    shutil.copytree(EXAMPLES / "sheets", folder)
    for bad in bad_files:
        shutil.copy(bad, folder / bad.name)
    reports = []
    for jobs in ("1", "2", "3"):
        result = run("grade", folder, "-r", "tiengiang-2020", "-f", "json", "-q", "--jobs", jobs)
        assert result.exit_code == 1, result.stderr
        reports.append(json.loads(result.stdout))
    assert reports[0] == reports[1] == reports[2]
    units = reports[0]["units"]
    assert sum(u["status"] == "graded" for u in units) == 32
    per_file: dict[str, int] = {}
    for issue in [*reports[0]["issues"], *(i for u in units for i in u["issues"])]:
        per_file[Path(issue["file"]).name] = per_file.get(Path(issue["file"]).name, 0) + 1
    assert per_file["20-xls-reader-aborts.xls"] == 1 and per_file["19-xls-reader-panics.xls"] == 1
    assert set(per_file) == {bad.name for bad in bad_files}  # one issue each, none for the rest


def test_jobs_must_be_at_least_one(run: Run):
    from tests.conftest import EXAMPLES

    result = run("grade", EXAMPLES / "sheets", "--jobs", "0")
    assert result.exit_code == 2 and "--jobs" in result.stderr


def test_grading_in_workers_gives_the_report_of_grading_in_process(tiengiang):
    """grade_files (each sheet read and graded in a worker, results compacted) then assemble
    gives the same Report as grade_sheets on sheets read beforehand."""
    from ictscore.grading.groups import assemble
    from ictscore.grading.pipeline import grade_sheets
    from ictscore.grading.workers import grade_files, read_sheets
    from ictscore.roster import load_units
    from tests.conftest import EXAMPLES

    paths = sorted((EXAMPLES / "sheets").glob("*.xlsx"))
    roster = load_units(EXAMPLES / "units.csv")
    outcomes, made, _ = grade_files(paths, tiengiang, roster, jobs=2)
    assert made == {("tiengiang-2020", tiengiang.version): 32}
    in_workers = assemble(tiengiang, outcomes, roster)
    in_process = grade_sheets(tiengiang, read_sheets(paths), roster)
    assert in_workers == in_process
    graded = [u for u in in_workers.units if u.inputs]
    assert len(graded) == 32
    unit = graded[0]
    assert unit.inputs == {cid: dict(slots) for cid, slots in unit.inputs.items()}
    # what thousands of results repeat is held once
    other = graded[1]
    some = next(iter(unit.inputs))
    assert next(k for k in other.inputs if k == some) is some


def test_the_json_is_written_a_unit_at_a_time_one_per_line(tiengiang):
    import dataclasses
    import io
    import json

    from ictscore.grading.pipeline import grade_sheets
    from ictscore.grading.workers import read_sheets
    from ictscore.reports.export import report_dict, write_json
    from tests.conftest import EXAMPLES

    report = grade_sheets(tiengiang, read_sheets(sorted((EXAMPLES / "mistakes").iterdir())))
    for r in (
        report,
        dataclasses.replace(report, units=report.units[:1]),
        dataclasses.replace(report, units=()),
    ):
        buf = io.StringIO()
        write_json(r, tiengiang, buf)
        text = buf.getvalue()
        assert json.loads(text) == json.loads(json.dumps(report_dict(r, tiengiang)))
        unit_lines = [line for line in text.splitlines() if line.startswith('    {"code": ')]
        assert len(unit_lines) == len(r.units)  # one line per unit
        assert text.endswith("}\n") and '\n  "summary": {\n' in text


def test_the_roster_checks_give_the_same_report_in_workers_and_in_process(
    tiengiang, tmp_path: Path, monkeypatch
):
    """The roster is applied where results are gathered (workers never hold it): a unit not
    listed, a unit listed in another group, a sheet made from an older rubric, a sheet that
    lost its record, and good sheets give the same Report either way. The roster may be given
    as a file, loaded once the workers run."""
    import shutil

    from ictscore.grading import workers
    from ictscore.grading.groups import assemble
    from ictscore.grading.pipeline import grade_sheets
    from ictscore.grading.workers import grade_files, read_sheets
    from ictscore.roster import load_units
    from tests.conftest import EXAMPLES

    lines = (EXAMPLES / "units.csv").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("kbnn,")]  # a unit not listed
    kept = [
        line.replace(",so-nganh,", ",huyen,") if line.startswith("so-y-te,") else line
        for line in kept
    ]  # a unit listed in another group
    (tmp_path / "units.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    roster = load_units(tmp_path / "units.csv")
    folder = tmp_path / "sheets"
    shutil.copytree(EXAMPLES / "sheets", folder)
    shutil.copy(EXAMPLES / "mistakes" / "06-old-rubric-version-820.xlsx", folder)
    paths = sorted(folder.iterdir())
    calls: list[object] = []

    def load(units, rubric):
        calls.append(units)
        return roster

    monkeypatch.setattr(workers, "load_roster", load)
    outcomes, _, loaded = grade_files(paths, tiengiang, tmp_path / "units.csv", jobs=2)
    assert calls == [tmp_path / "units.csv"] and loaded is roster
    in_workers = assemble(tiengiang, outcomes, roster)
    in_process = grade_sheets(tiengiang, read_sheets(paths), roster)
    assert in_workers == in_process
    codes = {u.code: u for u in in_workers.units}
    assert [i.code for i in codes["kbnn"].issues] == ["unknown-unit"]
    assert [i.code for i in codes["so-y-te"].issues] == ["group-mismatch"]
    assert codes["so-y-te"].group == "huyen"  # the roster's word
    assert [i.code for i in codes["820"].issues] == ["wrong-rubric-version"]


def test_an_old_sheet_first_still_gets_the_mixed_rubrics_answer(run: Run, tmp_path: Path):
    """The rubric is picked from the first sheet that records one; when that sheet is from an
    older version, the answer still names every rubric the folder holds."""
    import shutil

    from tests.conftest import EXAMPLES

    folder = tmp_path / "mixed"
    shutil.copytree(EXAMPLES / "sheets", folder)
    shutil.copy(EXAMPLES / "mistakes" / "06-old-rubric-version-820.xlsx", folder / "00-old.xlsx")
    result = run("grade", folder, "-q")
    assert result.exit_code == 2
    assert "made from different rubrics" in result.stderr
    assert "2020.2 (32 sheets)" in result.stderr and "2019.2 (1 sheet)" in result.stderr


def test_a_bug_in_grading_is_not_blamed_on_the_file(tiengiang, monkeypatch):
    """An error in ictscore's own grading code, in a worker, is raised where the results are
    gathered (as in process), not reported as a damaged workbook."""
    from ictscore.grading import workers
    from tests.conftest import EXAMPLES

    def broken(rubric, sheet):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(workers, "grade_unit", broken)  # workers are forked after this
    first = sorted((EXAMPLES / "sheets").glob("*.xlsx"))[0]
    with pytest.raises(RuntimeError, match="ZeroDivisionError: a bug") as caught:
        workers.grade_files([first], tiengiang, jobs=1)
    head = str(caught.value).splitlines()[0]  # the one line the CLI shows: names the file
    assert head == f"ictscore failed while grading {first}: ZeroDivisionError: a bug"


def _deep(base: Path, names: list[str], leaf: str, data: bytes) -> None:
    """Folders `names`, one inside the next, below `base`, and a file `leaf` at the bottom:
    made through directory descriptors, so past PATH_MAX too."""
    fd = os.open(base, os.O_RDONLY)
    try:
        for name in names:
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        out = os.open(leaf, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, data)
        os.close(out)
    finally:
        os.close(fd)


def _remove_deep(base: Path, names: list[str], leaf: str) -> None:
    """Undo `_deep` without recursion (shutil.rmtree would recurse past Python's limit)."""
    fds = [os.open(base, os.O_RDONLY)]
    for name in names:
        fds.append(os.open(name, os.O_RDONLY, dir_fd=fds[-1]))
    os.unlink(leaf, dir_fd=fds[-1])
    for name in reversed(names):
        os.close(fds.pop())
        os.rmdir(name, dir_fd=fds[-1])
    os.close(fds.pop())


@pytest.mark.parametrize(
    ("names", "graded", "exit_code"),
    [
        (["d"] * 1100, 2, 0),  # deeper than Python's recursion limit: every sheet graded
        (["n" * 200] * 25, 1, 1),  # a path over 4,096 characters: the folder is an error
    ],
    ids=["1100-levels", "past-PATH_MAX"],
)
def test_recursive_on_very_deep_folders(
    run: Run, make_sheet, tmp_path: Path, names: list[str], graded: int, exit_code: int
):
    from tests.conftest import SMALL_RUBRIC, XA_UNIT

    top = make_sheet()
    bottom = make_sheet(XA_UNIT, folder=tmp_path / "other")
    rubric = tmp_path / "small.yaml"
    rubric.write_text(SMALL_RUBRIC, encoding="utf-8")
    _deep(top.parent, names, bottom.name, bottom.read_bytes())
    try:
        result = run("grade", top.parent, "--recursive", "-r", rubric, "-f", "json", "-q")
        assert result.exit_code == exit_code, result.stderr
        report = json.loads(result.stdout)
        assert sum(u["status"] == "graded" for u in report["units"]) == graded
        if exit_code:  # the folder ictscore could not open is said, located, not skipped
            errors = [i for i in report["issues"] if i["severity"] == "error"]
            (issue,) = errors
            assert issue["code"] == "not-a-sheet"
            assert issue["message"] == (
                "a folder that cannot be opened (File name too long): its files are not read"
            )
            assert issue["file"].startswith(str(top.parent / names[0]))
    finally:
        _remove_deep(top.parent, names, bottom.name)


def test_a_graded_folder_past_path_max_is_a_clean_refusal(run: Run, tmp_path: Path):
    names = ["n" * 200] * 25
    _deep(tmp_path, names, "x.xlsx", b"")
    try:
        result = run("grade", tmp_path.joinpath(*names), "--recursive")
        assert result.exit_code == 2
        assert "cannot read the folder" in result.stderr and "File name too long" in result.stderr
    finally:
        _remove_deep(tmp_path, names, "x.xlsx")


def _abort_on_crash(path: str) -> str:
    """A task for the workers: `crash` kills its worker as a native reader crash would."""
    if path == "crash":
        os.abort()
    return path.upper()


def test_one_crashing_file_costs_only_the_files_in_flight(monkeypatch):
    """After a worker dies, only the files of the chunks in flight are done again one at a time;
    the files not started go back to a pool in chunks. Counted by the files sent to pools of one
    worker (the pools that find the file at fault), never by timing."""
    from concurrent.futures import ProcessPoolExecutor

    from ictscore.errors import WorkbookError
    from ictscore.grading import workers

    alone: list[int] = []
    pools: list[int] = []

    class Counted(ProcessPoolExecutor):
        def __init__(self, max_workers: int, **kwargs: object) -> None:
            pools.append(max_workers)
            self._alone = max_workers == 1
            super().__init__(max_workers, **kwargs)  # type: ignore[arg-type]

        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
            if self._alone:
                alone.append(len(args[1]))  # _run_chunk(task, paths, …)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(workers, "ProcessPoolExecutor", Counted)
    paths = [f"f{i:04}" for i in range(600)]
    paths[300] = "crash"
    results = workers.run_isolated(paths, _abort_on_crash, workers=2)
    assert [r for r in results if isinstance(r, WorkbookError)] == [results[300]]
    assert str(results[300].where) == "crash" and "crashed the reader" in str(results[300])
    assert results[:300] + results[301:] == [p.upper() for p in paths if p != "crash"]
    in_flight = 2 * workers.CHUNK  # at most a chunk per worker
    assert 1 <= sum(alone) <= in_flight, (sum(alone), pools)
    assert pools.count(1) <= 2  # the pool of suspects, made again once after the crash


@pytest.mark.parametrize(
    ("files", "size", "count"), [(10_000, 64, 2), (200, 25, 2), (130, 64, 2), (5, 1, 2), (0, 1, 2)]
)
def test_files_go_in_order_in_chunks_that_shrink_at_the_end(files: int, size: int, count: int):
    """Every file once, in order; no chunk above `size`; the last `count` chunks' worth in
    quarter chunks, so that no worker sits idle while another does a whole last chunk."""
    from ictscore.grading.workers import _chunks

    chunks = _chunks(list(range(files)), size, count)
    assert [i for chunk in chunks for i in chunk] == list(range(files))
    assert all(1 <= len(chunk) <= size for chunk in chunks)
    tail = [c for c in chunks if c[0] >= files - count * size]
    assert sum(map(len, tail)) == min(files, count * size)
    assert all(len(c) <= max(1, size // 4) for c in tail)


def _collecting(path: str) -> bool:
    """A task for the workers: whether the cycle collector runs where the file is done."""
    import gc

    return gc.isenabled()


@pytest.mark.parametrize("command", ["grade", "appraisal"])
def test_the_cycle_collector_is_paused_for_the_batch_and_on_in_the_workers(
    command: str, monkeypatch, run, tmp_path: Path
):
    """`grade` (and any command that grades a folder: cli.app.graded_folder) pauses Python's
    cycle collector while the batch's results are gathered and reported (cli.app.batch_held),
    and turns it back on after; the worker processes, forked meanwhile, collect as usual."""
    import gc

    from ictscore.grading import pipeline, workers

    seen: dict[str, object] = {}
    real = pipeline.grade_folder

    def grade_folder(folder: Path, options: object) -> object:
        seen["grading"] = gc.isenabled()
        seen["workers"] = workers.run_isolated(["a", "b", "c"] * 20, _collecting, workers=2)
        return real(folder, options)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "grade_folder", grade_folder)
    assert gc.isenabled()
    more = ["-o", str(tmp_path / "form.xlsx")] if command == "appraisal" else ["-q"]
    result = run(command, EXAMPLES / "sheets", *more)
    assert result.exit_code in (0, 1), result.stderr
    assert seen["grading"] is False
    assert seen["workers"] == [True] * 60
    assert gc.isenabled()


_NAMES = ["b.xlsx", "A.xlsx", "a1.xlsx", "C.xlsx", "_x.xlsx", "Đà Lạt.xlsx", "10.xlsx", "9.xlsx"]


def test_find_sheets_lists_files_in_the_order_of_their_paths(tmp_path: Path):
    """The sheets come in the order of their paths, as this system sorts them (with case on
    POSIX), whatever order the folder lists them in."""
    for name in _NAMES:
        (tmp_path / name).write_bytes(b"")
    sheets, issues = find_sheets(tmp_path)
    assert not issues
    assert sheets == sorted(tmp_path / name for name in _NAMES)


def test_find_sheets_sorts_without_case_where_paths_do(tmp_path: Path, monkeypatch):
    """Where paths compare without case (Windows), so do the sheets' names: the order is the
    one of Windows paths (the folder's listing is sorted with os.path.normcase)."""
    import ntpath
    from pathlib import PureWindowsPath

    from ictscore.grading import discovery

    for name in _NAMES:
        (tmp_path / name).write_bytes(b"")
    monkeypatch.setattr(discovery.os.path, "normcase", ntpath.normcase)
    sheets, _ = find_sheets(tmp_path)
    expected = sorted(PureWindowsPath("f") / name for name in _NAMES)
    assert [p.name for p in sheets] == [p.name for p in expected]


def test_a_folder_that_cannot_be_entered_has_each_file_looked_at(tmp_path: Path, monkeypatch):
    """A folder that can be listed but not entered (mode r--): its listing's word that a file
    is regular is not taken, each file is looked at in full, and one that cannot be opened is
    an error, not a sheet. (Root enters any folder: the folder's mode is stood in for.)"""
    from ictscore.grading import discovery

    (tmp_path / "a.xlsx").write_bytes(b"")
    real_access = os.access
    monkeypatch.setattr(
        discovery.os,
        "access",
        lambda p, mode: False if Path(p) == tmp_path else real_access(p, mode),
    )

    def refused(path: Path, *_: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(discovery, "_judge", refused)
    sheets, issues = find_sheets(tmp_path)
    assert sheets == []
    assert [i.code for i in issues] == ["not-a-sheet"]
    assert "Permission denied" in str(issues[0].message)
