"""Watch an inbox folder: each cycle lists it, waits until files have stopped growing, ingests the
new and changed ones (by content hash, through `run_ingest`) and records the cycle in ingest_runs.

What is *not* done here, because `run_ingest` already does it: unchanged bytes are skipped by their
hash, a file that changed at a known path replaces its old document, and a file that failed
deterministically before (same path, same bytes) is skipped instead of being recorded again.
What this module adds is the part a folder fed by other programs needs: a file still being copied
in is left for the next cycle instead of being read half-written, and a loop that survives a
busy database. A file is taken only when its size and mtime held across the settle interval and no
process holds it open for writing (open_writers.py: a writer pausing longer than the interval); a
writer that reopens the file later is caught by the run itself (ingest.Known.changed): the bytes
read must be those hashed before reading, and the file must not have moved by the time it is stored.

No Prefect and no "now" in here: the loop and the clock are parameters, so tests drive them.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import DatabaseBusy, printable
from pipeline.runs import ingest
from pipeline.runs.discover import list_documents
from pipeline.runs.open_writers import held_for_writing
from pipeline.settings import DEFAULT_DB

log = logging.getLogger("policy_obligations.watch")


@dataclass(frozen=True)
class Settle:
    """How long to wait for a file that is still being written into the inbox."""

    # seconds between two looks at a file: equal size and mtime twice in a row means "written"
    interval: float = 2.0
    # a file still changing after this long is left for the next cycle (not an error)
    max_wait: float = 60.0
    # a stat that fails with an I/O error (a network share hiccup) is retried this many times
    stat_retries: int = 3


@dataclass
class Readiness:
    ready: list[str] = field(default_factory=list)  # stable: safe to read
    waiting: list[str] = field(default_factory=list)  # still growing, or empty (being created)
    vanished: list[str] = field(default_factory=list)  # removed while we watched: nothing to do


def file_signature(path: str, retries: int = 3, sleep: Callable[[float], None] = time.sleep) -> tuple[int, int]:
    """(size, mtime in ns) of a file. FileNotFoundError passes through at once (the file is gone,
    retrying cannot help); other OSErrors are retried `retries` times with a short back-off, since
    on network shares they are often transient, and re-raised after that."""
    for attempt in range(retries + 1):
        try:
            st = Path(path).stat()
            return st.st_size, st.st_mtime_ns
        except FileNotFoundError:
            raise
        except OSError:
            if attempt == retries:
                raise
            sleep(0.1 * (attempt + 1))
    raise AssertionError("unreachable")  # the loop returns or raises


def wait_until_stable(paths: list[str], settle: Settle = Settle(), sleep: Callable[[float], None] = time.sleep,
                      clock: Callable[[], float] = time.monotonic) -> Readiness:
    """Split `paths` into files whose size and mtime did not change over `settle.interval`, files
    still changing after `settle.max_wait` (or empty: a writer has created but not yet filled them),
    and files that disappeared. Looks at all files together, so a cycle waits `interval` once, not
    once per file."""
    out = Readiness()
    if not paths:
        return out
    deadline = clock() + settle.max_wait
    previous: dict[str, tuple[int, int]] = {}
    pending = list(paths)
    unreadable: list[str] = []
    first = True
    while pending:
        current: dict[str, tuple[int, int]] = {}
        for p in pending:
            try:
                current[p] = file_signature(p, settle.stat_retries, sleep)
            except FileNotFoundError:
                out.vanished.append(p)
            except OSError as exc:  # still failing after the retries: try again next cycle
                log.warning("cannot stat %s (%s): left for the next cycle", p, exc)
                unreadable.append(p)
        still = []
        for p, sig in current.items():
            if first or previous.get(p) != sig:
                still.append(p)
            elif sig[0] == 0:
                out.waiting.append(p)  # created but not filled yet; an empty file is no document
            else:
                out.ready.append(p)
        previous, pending, first = current, still, False
        if not pending:
            break
        if clock() >= deadline:
            out.waiting.extend(pending)
            break
        sleep(settle.interval)
    out.waiting.extend(unreadable)
    # still open for writing: a writer that paused longer than the interval is not done
    held = held_for_writing(out.ready)
    if held:
        out.ready = [p for p in out.ready if p not in held]
        out.waiting.extend(held)
    out.ready.sort()
    out.waiting.sort()
    return out


@dataclass
class CycleSummary:
    """One watch cycle: what was ready, what waits for the next cycle, and the ingest run (its
    counts and run_id, as in ingest_runs); `busy` holds the message when another writer had the
    database and the cycle was skipped, `error` what ended a cycle that could not run (in a loop:
    the next cycle tries again)."""

    inbox: str
    db: str
    waiting: list[str] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)
    run: ingest.RunSummary | None = None
    busy: str = ""
    error: str = ""

    def as_dict(self) -> dict:
        return {"inbox": self.inbox, "db": self.db, "waiting": self.waiting, "vanished": self.vanished,
                "busy": self.busy, "error": self.error, "run": self.run.as_dict() if self.run else {}}


def watch_cycle(inbox: Path, db: Path = DEFAULT_DB, *, settle: Settle = Settle(), workers: int = 1,
                batch_size: int = 32, limits=None, follow_symlinks: bool = False,
                extract: Callable = ingest.extract_batch, store_fn: Callable = ingest.store_batch,
                sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                ) -> CycleSummary:
    """One cycle over `inbox`. Never raises for a bad file; returns with `busy` set when another
    process holds the database (after run_ingest's short wait); FileNotFoundError when the inbox
    itself is missing."""
    inbox, db = Path(inbox), Path(db)
    if not inbox.is_dir():
        raise FileNotFoundError(f"no inbox folder at {inbox}")
    listing = list_documents([inbox], follow_symlinks=follow_symlinks)
    readiness = wait_until_stable(listing.files, settle, sleep=sleep, clock=clock)
    summary = CycleSummary(str(inbox.absolute()), str(db), waiting=readiness.waiting, vanished=readiness.vanished)
    # The whole inbox when every file is ready, so the run records one path; otherwise exactly the
    # ready files (the waiting ones must not be read half-written).
    paths = [str(inbox)] if not readiness.waiting and not readiness.vanished else readiness.ready
    for attempt in range(2):
        try:
            summary.run = ingest.run_ingest(paths, db, workers=workers, batch_size=batch_size, limits=limits,
                                            follow_symlinks=follow_symlinks, extract=extract, store_fn=store_fn,
                                            command="watch")
            # written to while it was read, though it had held still over the settle interval
            summary.waiting = sorted({*summary.waiting, *summary.run.changing})
            break
        except DatabaseBusy as exc:
            summary.busy = str(exc)
            break
        except FileNotFoundError:
            # a ready file was removed between the stability check and run_ingest's own listing,
            # before anything was stored: once more without it
            gone = [p for p in paths if not Path(p).exists()]
            if attempt or not gone or str(inbox) in gone:
                raise
            summary.vanished = sorted({*summary.vanished, *gone})
            paths = [p for p in paths if p not in gone]
    return summary


def watch_loop(inbox: Path, db: Path = DEFAULT_DB, *, interval: float = 300.0, cycles: int | None = None,
               stop: threading.Event | None = None, report: Callable[[CycleSummary], None] = lambda s: None,
               **cycle_options) -> int:
    """Run cycles until `stop` is set or `cycles` have run, `interval` seconds between the end of one
    cycle and the start of the next. A busy database skips that cycle (reported) and the loop goes
    on; so does a cycle that fails for any other reason (the inbox unmounted, a disk error): it is
    logged with its traceback, reported with `error` set, and the next cycle tries again. Returns
    the number of cycles run. Ctrl-C (KeyboardInterrupt) passes through: the run being
    stored is left 'running' and the next run marks it 'interrupted'; a batch is stored in one
    transaction, so no document is half-stored."""
    stop = stop or threading.Event()
    n = 0
    while not stop.is_set():
        try:
            summary = watch_cycle(inbox, db, **cycle_options)
        except Exception as exc:  # one cycle, never the loop: a watcher must outlive a bad moment
            log.exception("watch cycle over %s failed", printable(inbox))
            summary = CycleSummary(printable(Path(inbox).absolute()), str(db),
                                   error=f"{type(exc).__name__}: {exc}")
        report(summary)
        n += 1
        if cycles is not None and n >= cycles:
            break
        stop.wait(interval)
    return n
