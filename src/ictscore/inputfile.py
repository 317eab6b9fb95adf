"""Reading an input file the user names (a rubric, a roster): a regular file, of bounded size.

A path can name a pipe (which blocks a reader forever), a device (`/dev/zero` never ends) or a
file far larger than any rubric or roster. `read_input` opens without blocking, asks the open
file what it is, and reads at most `limit` bytes: anything else is an `InputFileError` whose
message says why, in plain words, for the caller to place in its own error.

Foundation level: imports nothing from ictscore.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class InputFileError(Exception):
    """The file cannot be read as an input: the message says why."""


def read_input(path: str | Path, limit: int, what: str) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them; `what` names the kind
    of file in messages ("rubric"). Raises InputFileError."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)  # NOTE: O_NONBLOCK: opening a pipe does not wait for a writer
    except OSError as exc:
        raise InputFileError(f"cannot read: {exc.strerror or exc}") from exc
    try:
        mode = os.fstat(fd)
        if stat.S_ISDIR(mode.st_mode):
            raise InputFileError(f"a folder, not a {what} file")
        if not stat.S_ISREG(mode.st_mode):
            raise InputFileError(
                f"not a regular file (a pipe, a device or a socket): a {what} is read from a file"
            )
        if mode.st_size > limit:
            raise InputFileError(_too_large(mode.st_size, limit, what))
        with os.fdopen(fd, "rb", closefd=False) as file:
            data = file.read(limit + 1)
    except OSError as exc:
        raise InputFileError(f"cannot read: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew while being read
        raise InputFileError(_too_large(len(data), limit, what))
    return data


def _too_large(size: int, limit: int, what: str) -> str:
    return f"the file is {_size(size)}, above the limit of {_size(limit)} for a {what}"


def _size(size: int) -> str:
    """1.02 MiB, 20 MiB, 12.5 KiB."""
    number, unit = (size / 1024, "KiB") if size < 1024 * 1024 else (size / 1024 / 1024, "MiB")
    return f"{f'{number:.2f}'.rstrip('0').rstrip('.')} {unit}"
