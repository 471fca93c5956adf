"""DuckDB storage: schema from the pydantic records, one transaction per batch (each document whole
or not at all), one writer.

DuckDB lets one process hold the file for writing and nobody else in, not even readers. So:
- a run-level lock file (`<db>.lock`, flock) keeps a second writer out and tells it who is writing;
- the DuckDB file is opened for writing only while a batch is stored, so readers get in between;
- every open retries briefly and then raises `DatabaseBusy` with a message a person can act on.

The views (views.py) are SQL over the tables. The bottom floor of `pipeline` with readers: it may
import the base modules (errors, settings) and schemas, nothing else of the project; report, runs,
flows and cli import it.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import hashlib
import json
import os
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.errors import DatabaseBusy
from schemas.ddl import column_type, quote, schema_ddl
from schemas.records import DOCUMENT_TABLES, SCHEMA_VERSION, TABLES, IngestErrorRecord, IngestRunRecord, Record

DEFAULT_DB = Path("outputs/policy.duckdb")
_ARROW = {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(),
          "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us")}


def arrow_schema(model: type[Record]) -> pa.Schema:
    fields = []
    for name, f in model.model_fields.items():
        sql_type, _ = column_type(f.annotation)
        if sql_type.endswith("[]"):
            fields.append(pa.field(name, pa.list_(_ARROW[sql_type[:-2]])))
        else:
            fields.append(pa.field(name, _ARROW[sql_type]))
    return pa.schema(fields)


_SCHEMAS = {m.__table__: arrow_schema(m) for m in TABLES}


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
                raise DatabaseBusy(f"database {db} is busy ({_lock_info(db)}); try again when it has finished")
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
            return duckdb.connect(str(db), read_only=read_only)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc) or time.monotonic() >= deadline:
                if _is_lock_error(exc):
                    raise DatabaseBusy(f"database {db} is busy ({_lock_info(db)}); try again shortly") from None
                raise
            time.sleep(0.25)


@functools.cache
def schema_digest() -> str:
    """Digest of the tables' DDL and the views' SQL this version creates."""
    from pipeline.store import views
    digest = hashlib.sha256(schema_ddl().encode())
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
    con.execute(schema_ddl())
    for model in TABLES:
        have = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                          "WHERE table_name = ?", [model.__table__]).fetchall()}
        for name, f in model.model_fields.items():
            if name not in have:
                sql_type, _ = column_type(f.annotation)
                con.execute(f"ALTER TABLE {model.__table__} ADD COLUMN {quote(name)} {sql_type}")
    con.execute("INSERT OR REPLACE INTO schema_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    from pipeline.store import views  # views are SQL over the tables; created after them
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


def insert(con: duckdb.DuckDBPyConnection, table: str, records: list[Record]) -> None:
    """Bulk insert through Arrow (executemany is ~100x slower in DuckDB)."""
    if not records:
        return
    tbl = pa.Table.from_pylist([r.model_dump() for r in records], schema=_SCHEMAS[table])  # noqa: F841
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM tbl")


def delete_documents(con: duckdb.DuckDBPyConnection, doc_ids: Iterable[str]) -> None:
    ids = list(dict.fromkeys(doc_ids))
    if not ids:
        return
    for model in (*DOCUMENT_TABLES[::-1],):
        con.execute(f"DELETE FROM {model.__table__} WHERE doc_id IN (SELECT unnest(?))", [ids])
    con.execute("DELETE FROM documents WHERE doc_id IN (SELECT unnest(?))", [ids])


class DuplicateKey(duckdb.ConstraintException):
    """A document's rows repeat a key (an extractor bug): the document is refused, as DuckDB refuses
    a row that breaks a PRIMARY KEY constraint."""


_KEYS = {m.__table__: m.__key__ for m in TABLES}


def check_keys(rows: dict[str, list[Record]]) -> None:
    """Raise DuplicateKey when a table's rows of one document repeat a key. The document tables have
    no PRIMARY KEY constraint in the database (schemas/ddl.py says why); every id there hashes the
    doc_id, so keys unique within a document are unique in the database."""
    for table, records in rows.items():
        key = _KEYS[table]
        seen = set()
        for r in records:
            k = tuple(getattr(r, c) for c in key)
            if k in seen:
                raise DuplicateKey(f'Duplicate key "{", ".join(f"{c}: {v}" for c, v in zip(key, k))}" '
                                   f"in the rows of {table}")
            seen.add(k)


def store_document(con: duckdb.DuckDBPyConnection, rows: dict[str, list[Record]], replaces: Iterable[str],
                   stored_before: bool = True) -> None:
    """Store one document's rows in one transaction, replacing `replaces` and, when it was
    `stored_before` (the default: safe), its own old rows. A new document skips the deletes."""
    check_keys(rows)
    doc_id = rows["documents"][0].doc_id
    old = [*([doc_id] if stored_before else []), *replaces]
    con.execute("BEGIN TRANSACTION")
    try:
        delete_documents(con, old)
        for table, records in rows.items():
            insert(con, table, records)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def store_documents(con: duckdb.DuckDBPyConnection,
                    documents: list[tuple[dict[str, list[Record]], list[str], bool]]) -> list[duckdb.Error | None]:
    """Store several documents — each (rows, replaces, stored_before) as for `store_document`, with
    distinct doc_ids — in one transaction: one DELETE and one Arrow insert per table for all of them
    (a statement per table per document was a fifth of an ingest). Each document is still stored
    whole or not at all. When the batch fails, it is rolled back and every document stored in its own
    transaction, so one document whose rows break a key keeps none of the others out. Returns, per
    document, None when stored or the error that kept it out."""
    if not documents:
        return []
    try:
        for rows, _, _ in documents:
            check_keys(rows)
    except DuplicateKey:
        return _store_one_by_one(con, documents)
    con.execute("BEGIN TRANSACTION")
    try:
        delete_documents(con, [d for rows, replaces, before in documents
                               for d in ([rows["documents"][0].doc_id] if before else []) + list(replaces)])
        by_table: dict[str, list[Record]] = {}
        for rows, _, _ in documents:
            for table, records in rows.items():
                by_table.setdefault(table, []).extend(records)
        for table, records in by_table.items():
            insert(con, table, records)
        con.execute("COMMIT")
        return [None] * len(documents)
    except BaseException as exc:
        con.execute("ROLLBACK")
        if not isinstance(exc, duckdb.Error):
            raise
    return _store_one_by_one(con, documents)


def _store_one_by_one(con: duckdb.DuckDBPyConnection,
                      documents: list[tuple[dict[str, list[Record]], list[str], bool]]) -> list[duckdb.Error | None]:
    results: list[duckdb.Error | None] = []
    for rows, replaces, before in documents:
        try:
            store_document(con, rows, replaces, stored_before=before)
            results.append(None)
        except duckdb.Error as exc:
            results.append(exc)
    return results


def known_documents(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, str], dict[str, str]]:
    """({doc_id: pipeline_version}, {source_path: doc_id}) of what is stored."""
    rows = con.execute("SELECT doc_id, pipeline_version, source_path FROM documents").fetchall()
    return {d: v for d, v, _ in rows}, {p: d for d, _, p in rows}


def failed_before(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(path, content hash) of files that failed for what their bytes are: not retried while the bytes
    stay the same. Failures that depend on something else are retried: a file that vanished, an
    extractor or store bug (fixed by a new pipeline version), a limit (the settings may change)."""
    rows = con.execute("SELECT DISTINCT path, content_sha256 FROM ingest_errors WHERE content_sha256 IS NOT NULL "
                       "AND kind NOT IN ('vanished', 'extraction_error', 'store_error', 'too_large', "
                       "'decompression_limit')").fetchall()
    return {(p, h) for p, h in rows}


def record_error(con: duckdb.DuckDBPyConnection, error: IngestErrorRecord) -> None:
    con.execute("DELETE FROM ingest_errors WHERE run_id = ? AND path = ?", [error.run_id, error.path])
    insert(con, "ingest_errors", [error])


def save_run(con: duckdb.DuckDBPyConnection, run: IngestRunRecord) -> None:
    con.execute("DELETE FROM ingest_runs WHERE run_id = ?", [run.run_id])
    insert(con, "ingest_runs", [run])


def _compact(s: str | None) -> str:
    return re.sub(r"[\s　]+", "", s or "")


def link_annexes(con: duckdb.DuckDBPyConnection) -> int:
    """Give each stored annex (附件2 …) its parent when the parent is stored: the parent lists the
    annex's title among its annex titles. The annex inherits jurisdiction, issuers and issued date
    where it has none. Returns the number of annexes linked."""
    annexes = con.execute("SELECT doc_id, title FROM documents WHERE annex_label IS NOT NULL "
                          "AND parent_doc_id IS NULL AND title IS NOT NULL").fetchall()
    if not annexes:
        return 0
    parents = con.execute("SELECT doc_id, annex_titles FROM documents WHERE len(annex_titles) > 0").fetchall()
    linked = 0
    for doc_id, title in annexes:
        t = _compact(title)
        for parent_id, titles in parents:
            if parent_id != doc_id and any(_compact(x) and (_compact(x) == t or _compact(x) in t or t in _compact(x))
                                           for x in titles):
                con.execute(
                    """UPDATE documents AS a SET parent_doc_id = p.doc_id,
                           jurisdiction = coalesce(a.jurisdiction, p.jurisdiction),
                           issuers = CASE WHEN len(a.issuers) = 0 THEN p.issuers ELSE a.issuers END,
                           issued_date = coalesce(a.issued_date, p.issued_date)
                       FROM documents AS p WHERE a.doc_id = ? AND p.doc_id = ?""", [doc_id, parent_id])
                linked += 1
                break
    return linked
