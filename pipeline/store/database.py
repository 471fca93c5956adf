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
import os
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipeline.errors import DatabaseBusy
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


def _is_lock_error(exc: Exception) -> bool:
    return "lock" in str(exc).lower()


def connect(db: Path, read_only: bool = False, wait: float = 10.0) -> duckdb.DuckDBPyConnection:
    """Open the database, retrying while another process holds it; DatabaseBusy after `wait` seconds."""
    db = Path(db)
    if read_only and not db.exists():
        raise FileNotFoundError(f"no database at {db}: run `obligations ingest` first")
    if not read_only:
        db.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        try:
            if read_only:  # the database and nothing else (readonly.py)
                return duckdb.connect(str(db), read_only=True, config=readonly.CONFIG)
            return duckdb.connect(str(db))
        except duckdb.IOException as exc:
            if not _is_lock_error(exc) or time.monotonic() >= deadline:
                if _is_lock_error(exc):
                    raise DatabaseBusy(db, _lock_info(db)) from None
                raise
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
    try:
        row = con.execute("SELECT value FROM schema_meta WHERE key = 'schema_digest'").fetchone()
    except duckdb.CatalogException:  # a new database
        return False
    return row is not None and row[0] == schema_digest()


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


@contextlib.contextmanager
def open_for_writing(db: Path, wait: float = 30.0) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(db, read_only=False, wait=wait)
    try:
        init_schema(con)
        yield con
    finally:
        con.close()
