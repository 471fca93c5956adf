"""Opening the database: one writer at a time, readers in between, the schema created or brought
up to date by every write connection.

DuckDB lets one process hold the file for writing and nobody else in, not even readers. So:
- a run-level lock file (`<db>.lock`, flock) keeps a second writer out and tells it who is writing;
- the DuckDB file is opened for writing only while a batch is stored, so readers get in between;
- every open retries briefly and then raises `DatabaseBusy` with a message a person can act on.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipeline.errors import DatabaseBusy, ForeignDatabase
from pipeline.store import readonly
from schemas.ddl import column_type, quote, schema_ddl
from schemas.records import SCHEMA_VERSION, TABLES


def _lock_info(db: Path) -> str:
    try:
        info = json.loads(Path(f"{db}.lock").read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another process has it open"
    return f"{info.get('command', 'a writer')} running since {info.get('started_at', '?')}, pid {info.get('pid', '?')}"


@contextlib.contextmanager
def writer_lock(db: Path, command: str, wait: float = 5.0) -> Iterator[None]:
    """Hold the run-level write lock of `db` for the duration of a run (ingest, watch, reprocess)."""
    db.parent.mkdir(parents=True, exist_ok=True)
    fh = open(f"{db}.lock", "a+", encoding="utf-8")
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                fh.close()
                raise DatabaseBusy(db, _lock_info(db), "try again when it has finished")
            time.sleep(0.2)
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"pid": os.getpid(), "command": command,
                             "started_at": dt.datetime.now().isoformat(timespec="seconds")}))
        fh.flush()
        yield
    finally:
        fh.seek(0)
        fh.truncate()
        fh.flush()
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def writer_running(db: Path) -> bool:
    """Whether a run (ingest, watch, reprocess) holds the write lock of `db` now. Read-only: the lock
    file is opened for reading, never created; a run killed (kill -9, a power cut) holds nothing, so
    its `running` record is stale (the next run marks it interrupted)."""
    try:
        fh = open(f"{db}.lock", encoding="utf-8")
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: say nothing wrong about it
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False


def _is_lock_error(exc: Exception) -> bool:
    return "lock" in str(exc).lower()


# How long a write connection waits for readers to let go (a notebook's connect(), an `obligations
# sql`) before the run stops with DatabaseBusy naming them; while it waits it says so every 30 s.
WRITER_WAIT = 600.0
_SAY_EVERY = 30.0
log = logging.getLogger("policy_obligations.store")


def _holder_pid(exc: Exception) -> int | None:
    """The process DuckDB names as holding the file ("Conflicting lock is held in … (PID 123)")."""
    m = re.search(r"\(PID (\d+)\)", str(exc))
    return int(m.group(1)) if m else None


def describe_process(pid: int | None) -> str:
    """pid and command line of a process, as far as this user may see it."""
    if pid is None:
        return "another process"
    if pid == os.getpid():
        return f"this process itself, pid {pid} (a read connection it holds open: close it)"
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        cmd = ""
    return f"pid {pid}" + (f" ({cmd[:160]})" if cmd else "")


def _holder(db: Path, exc: Exception, read_only: bool) -> str:
    """Who holds the file: for a reader, the writer of the run-level lock (what it runs, since when);
    for a writer — which holds that lock itself — the reader DuckDB names, never the writer."""
    pid = _holder_pid(exc)
    if read_only:
        info = _lock_info(db)
        return info if pid is None or f"pid {pid}" in info else describe_process(pid)
    return f"a reader, {describe_process(pid)}"


def connect(db: Path, read_only: bool = False, wait: float = 10.0) -> duckdb.DuckDBPyConnection:
    """Open the database, retrying while another process holds it; DatabaseBusy after `wait` seconds
    naming who holds it. A writer waiting says so (logger policy_obligations.store) every 30 s."""
    db = Path(db)
    if read_only and not db.exists():
        raise FileNotFoundError(f"no database at {db}: run `obligations ingest` first")
    if not read_only:
        db.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    said = None
    while True:
        try:
            if read_only:  # the database and nothing else (readonly.py)
                return duckdb.connect(str(db), read_only=True, config=readonly.CONFIG)
            return duckdb.connect(str(db))
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise
            who = _holder(db, exc, read_only)
            waited = time.monotonic() - started
            if waited >= wait:
                raise DatabaseBusy(db, who, "try again when it has closed the database"
                                   if not read_only else "try again shortly") from None
            if not read_only and (said is None or waited - said >= _SAY_EVERY):
                said = waited
                log.warning("database %s is held by %s: waiting for it to close the database (up to %.0f s "
                            "more)", db, who, wait - waited)
            time.sleep(0.25)


@functools.cache
def schema_digest() -> str:
    """Digest of the tables' DDL and the views' SQL this version creates."""
    from pipeline.store import texts, views
    digest = hashlib.sha256(schema_ddl().encode())
    digest.update(texts.view_sql(["<shards>"]).encode())
    for name, sql in views.VIEWS.items():
        digest.update(f"\0{name}\0{sql}".encode())
    return digest.hexdigest()[:16]


def _schema_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database records this version's schema digest, has every table of it and a view of
    the texts that binds (a table dropped by hand is re-created, empty, by init_schema, and the view
    over the text shards there are: else every document would fail to store)."""
    try:
        row = con.execute("SELECT value FROM schema_meta WHERE key = 'schema_digest'").fetchone()
    except duckdb.CatalogException:  # a new database
        return False
    if row is None or row[0] != schema_digest():
        return False
    have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                      "WHERE table_catalog = current_database()").fetchall()}
    from pipeline.store import texts
    return all((model.__stored_in__ or model.__table__) in have for model in TABLES) and texts.view_readable(con)


def init_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables, add columns that newer records have (schema changes are additive only),
    then the views. Skipped when the database records this version's schema digest: every write
    connection calls this, and re-creating the views each batch was 5 % of an ingest."""
    if _schema_current(con):
        return
    from pipeline.store import texts, views  # views are SQL over the tables; created after them
    con.execute(schema_ddl())
    texts.migrate(con)  # a file from before the texts were stored apart
    for model in TABLES:
        table = model.__stored_in__ or model.__table__
        have = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                          "WHERE table_name = ?", [table]).fetchall()}
        for name, f in model.model_fields.items():
            if name not in have and name not in model.__apart__:
                sql_type, _ = column_type(f.annotation)
                con.execute(f"ALTER TABLE {table} ADD COLUMN {quote(name)} {sql_type}")
    con.execute("INSERT OR REPLACE INTO schema_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    texts.create_view(con)
    views.create(con)
    con.execute("INSERT OR REPLACE INTO schema_meta VALUES ('schema_digest', ?)", [schema_digest()])


def _foreign(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database holds tables but not this project's (a DuckDB file of something else)."""
    n_tables = con.execute("SELECT count(*) FROM information_schema.tables "
                           "WHERE table_catalog = current_database()").fetchone()[0]
    return n_tables > 0 and not readonly.is_obligations_database(con)


@contextlib.contextmanager
def open_for_writing(db: Path, wait: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A write connection for one step of a run; waits up to WRITER_WAIT for readers to let go.
    ForeignDatabase when `db` holds another program's tables: no table of ours is added to them."""
    con = connect(db, read_only=False, wait=WRITER_WAIT if wait is None else wait)
    try:
        if not _schema_current(con) and _foreign(con):
            raise ForeignDatabase(db)
        init_schema(con)
        yield con
    finally:
        con.close()
