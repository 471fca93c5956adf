"""The harness of `make bench`: every measured command is a process of its own, timed from
outside (wall and CPU time from wait4, the largest resident set, the tree's summed RSS sampled
every 0.1 s), run several times and summarised by medians."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = ROOT / ".venv" / "bin"
PYTHON = BIN / "python"
RESULTS = BENCH / "results"
# appended, not put first: in the measured processes PYTHONPATH points at the snapshot and must win
for _p in (ROOT, BENCH):
    if str(_p) not in sys.path:
        sys.path.append(str(_p))


_PAGE = os.sysconf("SC_PAGE_SIZE")
_PR_SET_CHILD_SUBREAPER = 36
MEASURED_ENV: dict[str, str] = {}  # set by Bench.snapshot: PYTHONPATH of the snapshot


@dataclass
class Sample:
    wall_s: float
    cpu_s: float
    maxrss_mb: float  # the largest single process of the tree
    peak_tree_mb: float  # the largest sum over the tree, sampled
    returncode: int
    peak_main_mb: float = 0.0  # the measured process itself (the writer, for an ingest), sampled
    peak_child_mb: float = 0.0  # its largest descendant (an extraction worker), sampled
    stdout: str = field(repr=False, default="")


def _rss(pid: int) -> int:
    """Resident set of a process in bytes, from /proc (0 when it has gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _descendants(pid: int) -> list[int]:
    """Every process below `pid`, from the parent ids in /proc/*/stat (Linux; no psutil needed)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])  # the name may hold spaces and brackets
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], list(children.get(pid, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _tree_rss(pid: int) -> tuple[int, int, int]:
    """(RSS of the process, largest RSS among its descendants, sum over the tree) in bytes."""
    own = _rss(pid)
    rss = [_rss(p) for p in _descendants(pid)]
    return own, max(rss, default=0), own + sum(rss)


def _become_subreaper() -> bool:
    """Have the processes a measured command leaves behind (the workers' fork server, its workers)
    reparented to this process rather than to init (Linux), so that their CPU time can be counted."""
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _reap_leftovers(timeout: float = 30.0) -> tuple[float, int]:
    """(CPU seconds, largest RSS in KB) of the measured command's processes that outlived it: the
    fork server exits when the command has gone, and its rusage holds the workers it reaped."""
    cpu, maxrss = 0.0, 0
    deadline = time.monotonic() + timeout
    while True:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:  # none left
            break
        if pid == 0:
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
            continue
        cpu += usage.ru_utime + usage.ru_stime
        maxrss = max(maxrss, usage.ru_maxrss)
    return cpu, maxrss


def _cwd() -> Path:
    """Where a measured process runs: in the snapshot of the code when there is one (bench/steps.py).
    A process started with `python -c` (multiprocessing's fork server) has its working folder first
    on sys.path, before PYTHONPATH: run in the checkout, the workers imported the checkout's code."""
    return Path(MEASURED_ENV.get("PYTHONPATH") or ROOT)


def measure(cmd: list[str], env: dict | None = None, log: Path | None = None) -> Sample:
    """Run `cmd` to its end: wall and CPU time, peak memory. Raises when it fails. The CPU time is
    the whole tree's: the command's and its children's (from wait4), and that of the processes
    that outlived it (the workers' fork server and its workers, reaped here as a subreaper)."""
    _become_subreaper()
    stderr = open(log, "ab") if log else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=_cwd(), env={**os.environ, **MEASURED_ENV, **(env or {})},
                                stdout=subprocess.PIPE, stderr=stderr)
        peak = [0, 0, 0]  # main, largest child, tree
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                peak[:] = [max(a, b) for a, b in zip(peak, _tree_rss(proc.pid))]

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        left_cpu, left_maxrss = _reap_leftovers()
    finally:
        if log:
            stderr.close()
    sample_ = Sample(wall, usage.ru_utime + usage.ru_stime + left_cpu, max(usage.ru_maxrss, left_maxrss) / 1024,
                     peak[2] / 2**20,
                     proc.returncode, stdout=out.decode("utf-8", "replace"), peak_main_mb=peak[0] / 2**20,
                     peak_child_mb=peak[1] / 2**20)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd[:4]))} … exited {proc.returncode}; see {log}")
    return sample_


def repeat(cmd: list[str], runs: int, before=None, env: dict | None = None, label: str = "") -> list[Sample]:
    samples = []
    for k in range(runs):
        if before:
            before()
        s = measure(cmd, env, RESULTS / "bench.log")
        samples.append(s)
        say(f"    {label} run {k + 1}/{runs}: {s.wall_s:.1f} s wall, {s.cpu_s:.1f} s CPU, "
            f"{s.peak_tree_mb:.0f} MB peak")
    return samples


def med(samples: list[Sample], attr: str) -> float:
    return statistics.median(getattr(s, attr) for s in samples)


def summary(samples: list[Sample]) -> dict:
    return {"runs": len(samples), "wall_s": med(samples, "wall_s"), "cpu_s": med(samples, "cpu_s"),
            "maxrss_mb": max(s.maxrss_mb for s in samples), "peak_tree_mb": max(s.peak_tree_mb for s in samples),
            "wall_all": [round(s.wall_s, 2) for s in samples], "cpu_all": [round(s.cpu_s, 2) for s in samples]}


def inner(samples: list[Sample]) -> dict:
    """The JSON the measured helper printed, median per key."""
    rows = [json.loads(s.stdout.strip().splitlines()[-1]) for s in samples]
    return {k: statistics.median(r[k] for r in rows) if isinstance(rows[0][k], (int, float)) else rows[0][k]
            for k in rows[0]}


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
