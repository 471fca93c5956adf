"""Opening a document file: only a regular file, and every failure as a DocumentError.

A folder fed by other programs holds more than documents. A FIFO named `x.txt` blocks the first
`open()` for ever; a socket or a device has no end; a file name in GBK bytes (unzipped from a
Chinese archive) cannot be stored or printed; a file may be unreadable (permissions) or vanish.
Listing (runs/discover.py) refuses what it can see from the name and `stat()`; this module makes
the same checks when the file is opened, since the file may have been replaced in between.
"""
from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from pipeline.errors import BadFileName, DocumentError, NotARegularFile, ReadError, Vanished

_KIND = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
         stat.S_IFBLK: "a block device", stat.S_IFDIR: "a folder"}


def what_it_is(mode: int) -> str:
    return _KIND.get(stat.S_IFMT(mode), "not a regular file")


def check_name(path: str | Path) -> None:
    """Raise BadFileName when the path holds bytes that are not UTF-8 (kept by Python as lone
    surrogates), saying how the name reads in GB18030, which is what such names nearly always are."""
    raw = os.fsencode(path)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            hint = f" (read as GBK/GB18030: {raw.decode('gb18030')!r})"
        except UnicodeDecodeError:
            hint = ""
        raise BadFileName(path, f"the file name is not UTF-8{hint}; rename it to UTF-8 (e.g. "
                                "`convmv -f gbk -t utf-8 -r --notest FOLDER`) and ingest again") from None


def check_regular(path: str | Path, st: os.stat_result) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise NotARegularFile(path, f"{what_it_is(st.st_mode)}, not a regular file: not read")


def os_error(path: str | Path, exc: OSError) -> DocumentError:
    """The DocumentError for an OSError met while reading `path`."""
    if isinstance(exc, FileNotFoundError):
        return Vanished(path, "the file disappeared before it could be read")
    if isinstance(exc, IsADirectoryError):
        return NotARegularFile(path, "a folder, not a file")
    if isinstance(exc, PermissionError):
        return ReadError(path, "permission denied")
    return ReadError(path, f"cannot be read: {exc.strerror or type(exc).__name__}")


@contextlib.contextmanager
def open_regular(path: str | Path) -> Iterator[BinaryIO]:
    """Open `path` for reading in binary, only if it is a regular file. O_NONBLOCK makes opening a
    FIFO return at once instead of waiting for a writer; the type is then checked on the open
    descriptor (no window between the check and the open). OSErrors become DocumentErrors."""
    check_name(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise os_error(path, exc) from None
    try:
        check_regular(path, os.fstat(fd))
        os.set_blocking(fd, True)
        fh = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with fh:
        try:
            yield fh
        except OSError as exc:
            raise os_error(path, exc) from None
