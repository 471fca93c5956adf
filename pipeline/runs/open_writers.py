"""Which files some process holds open for writing (Linux, through /proc).

A writer that pauses longer than the settle interval (a slow network copy, a program that writes
a report in bursts) leaves a file whose size and mtime hold still while it is half-written; the
hash check of the run only catches a writer that moves while the file is being read. The one sign
that a pause is not the end is the writer's open file: on Linux /proc/PID/fd lists every open file
and /proc/PID/fdinfo/FD its access mode. Processes of other users are not visible to an
unprivileged reader (their /proc/PID/fd cannot be listed): such a writer is not seen, and the
settle interval and the hash check are what is left (docs/WATCH.md). Elsewhere than Linux this
finds nothing.
"""
from __future__ import annotations

import os
from pathlib import Path

_PROC = Path("/proc")
_O_ACCMODE = 0o3
_O_RDONLY = 0o0


def _write_mode(fdinfo: Path) -> bool:
    try:
        for line in fdinfo.read_text().splitlines():
            if line.startswith("flags:"):
                return int(line.split()[1], 8) & _O_ACCMODE != _O_RDONLY
    except (OSError, ValueError, IndexError):
        pass
    return False


def held_for_writing(paths: list[str]) -> set[str]:
    """The members of `paths` that a process (this one included) has open for writing."""
    if not paths or not _PROC.is_dir():
        return set()
    wanted: dict[str, str] = {}
    for p in paths:
        try:
            wanted[os.path.realpath(p)] = p
        except OSError:
            continue
    held: set[str] = set()
    for pid in os.listdir(_PROC):
        if not pid.isdigit():
            continue
        fd_dir = _PROC / pid / "fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:  # gone, or another user's process
            continue
        for fd in fds:
            try:
                target = os.readlink(fd_dir / fd)
            except OSError:
                continue
            if target in wanted and wanted[target] not in held and _write_mode(_PROC / pid / "fdinfo" / fd):
                held.add(wanted[target])
    return held
