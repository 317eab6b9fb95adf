"""Writing outputs safely.

- `check_writable`, before any work: the folder an output goes into is a folder ictscore may
  write into (a temporary file is created and removed in it, or in its nearest existing
  ancestor if it is still to be made), so that an unwritable output is found before grading,
  not after the other outputs were written.
- `atomic_write`: every file through a temporary file beside the target, then put in place.
  With `overwrite` it is renamed over the target (`os.replace`). Without, the target is created
  as a hard link to the temporary file (`os.link`), which fails if a file of that name appeared
  meanwhile (another run writing the same output): that file is left as it is and the run is
  refused. Where hard links are not supported (FAT and exFAT drives, some network shares), the
  file is renamed into place after a last check: on Windows `os.rename` itself refuses an
  existing target; elsewhere a file appearing in the moment between check and rename would be
  replaced, a window of microseconds instead of the whole write.
- `safe_text`: text a spreadsheet program would run as a formula kept as text.

A run that is interrupted (Ctrl-C, SIGTERM: the CLI turns both into exceptions) leaves no
temporary file: it is removed in a `finally`.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ictscore.errors import ExportError

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NO_HARD_LINKS = frozenset(
    {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}
)
"""What os.link raises where the file system has no hard links (vfat answers EPERM)."""


def safe_text(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is prefixed with ' so it stays text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def check_writable(path: Path, folder: bool = False) -> None:
    """Raise ExportError unless ictscore can write `path` (a file; with `folder`, a folder to
    write files into): its folder, or the nearest ancestor that exists, must be a folder in
    which a file can be created. Creates nothing that stays."""
    target = path if folder else path.parent
    existing = target
    try:
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            raise ExportError(f"{path}: cannot write: {existing} is not a folder")
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    try:
        fd, probe = tempfile.mkstemp(prefix=".ictscore-", suffix=".tmp", dir=existing)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {_cannot_create(existing, exc)}") from exc


def _cannot_create(folder: Path, exc: OSError) -> str:
    """Why no file can be made in `folder`, which exists: the reason the system gives, except
    "No such file or directory" (what /proc and other virtual folders answer), which would
    deny the folder that is there."""
    said = f"no file can be created in {folder}"
    if exc.errno == errno.ENOENT or not exc.strerror:
        return said
    return f"{said} ({exc.strerror})"


def atomic_write(path: Path, write: Callable[[Path], None], overwrite: bool = False) -> None:
    """Call `write(tmp)` on a temporary file beside `path`, then put it in place (see the
    module docstring).

    Raises ExportError if `path` exists (before or after the write) and not `overwrite`, or on
    any OS error; a failed or interrupted write leaves no temporary file and does not touch an
    existing `path`.
    """
    if path.exists() and not overwrite:
        raise exists_error(path)
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {exc}") from exc
    tmp = Path(tmp_name)
    try:
        os.close(fd)
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        # NOTE: mkstemp creates the file readable by its owner only; an output is an ordinary
        # file (a results page is published), so give it the permissions the umask gives
        os.chmod(tmp, 0o666 & ~_umask())
        if overwrite:
            os.replace(tmp, path)
        else:
            _place_new(tmp, path)
    except FileExistsError as exc:
        raise exists_error(path) from exc
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)


def _place_new(tmp: Path, path: Path) -> None:
    """`tmp` becomes `path`, which must not exist: FileExistsError if it does."""
    try:
        os.link(tmp, path)  # EEXIST if a file of that name appeared during the write
        return
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
    if sys.platform != "win32" and path.exists():
        raise FileExistsError(errno.EEXIST, "File exists", str(path))
    os.rename(tmp, path)  # Windows: refuses an existing target


def exists_error(path: Path) -> ExportError:
    """The refusal to overwrite an output the user did not say may go."""
    return ExportError(f"{path}: already exists (use --force to overwrite)")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: Path, text: str, overwrite: bool = False) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8", newline="")

    atomic_write(path, write, overwrite)


def save_workbook(wb: Any, path: Path, overwrite: bool = False) -> None:
    """Save an openpyxl Workbook atomically."""
    atomic_write(path, lambda tmp: wb.save(tmp), overwrite)
