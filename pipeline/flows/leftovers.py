"""Nothing a command started outlives it, however the command ends.

Extraction workers see to that themselves (runs/workers.py). Prefect's ephemeral API server does
not: Prefect stops it at a normal exit only (atexit), so `kill` or `kill -9` of `obligations ingest`
left a uvicorn process of about 200 MB running for good. `reap_when_gone()` starts a watchdog that
blocks on a pipe this process holds open; when the pipe closes (this process has exited, kill -9
included) it ends every process that carries this run's mark in its environment — every process
started after the call inherits it — first with SIGTERM, then SIGKILL. The watchdog reads
`/proc/<pid>/environ`, so it sees only processes of the same user (Linux; elsewhere a no-op).
"""
from __future__ import annotations

import os
import secrets
import subprocess
import sys

MARK = "POLICY_OBLIGATIONS_RUN"
_watchdog: subprocess.Popen | None = None  # held, so that it is not collected (and warned about) mid-run

_WATCHDOG = r"""
import os, signal, sys, time
mark, fd = ("%s=" + sys.argv[1]).encode(), int(sys.argv[2])
while os.read(fd, 4096):
    pass
me = os.getpid()

def marked():
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != me:
            try:
                with open(f"/proc/{entry}/environ", "rb") as fh:
                    if mark in fh.read().split(b"\0"):
                        found.append(int(entry))
            except OSError:
                pass
    return found

for sig in (signal.SIGTERM, signal.SIGKILL):
    for pid in marked():
        try:
            os.kill(pid, sig)
        except OSError:
            pass
    deadline = time.monotonic() + 5
    while marked() and time.monotonic() < deadline:
        time.sleep(0.2)
""" % MARK


def reap_when_gone() -> None:
    """Start the watchdog (module doc) for this process; a second call does nothing. A mark inherited
    from the process that started this one is replaced: that process's watchdog ends this one, and
    this one's watchdog what this one starts."""
    global _watchdog
    if not sys.platform.startswith("linux") or _watchdog is not None:
        return
    token = secrets.token_hex(8)
    read_end, write_end = os.pipe()  # the write end stays here, never inherited (PEP 446)
    _watchdog = subprocess.Popen([sys.executable, "-c", _WATCHDOG, token, str(read_end)], pass_fds=(read_end,),
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True,  # out of the terminal's group: Ctrl-C leaves it be
                                 env={k: v for k, v in os.environ.items() if k != MARK})
    os.close(read_end)
    os.environ[MARK] = token
