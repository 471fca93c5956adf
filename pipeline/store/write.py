"""Writing: a batch of documents in one transaction (each document whole or not at all), the
run records and the errors; the documents' rows go through Arrow, a run's or an error's single row
by parameters."""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable

import duckdb
import pyarrow as pa

from pipeline.errors import DuplicateKey, StoreError
from pipeline.store import texts
from schemas.ddl import column_type, quote
from schemas.records import DOCUMENT_TABLES, TABLES, IngestErrorRecord, IngestRunRecord, Record

# one document to store: (its rows by table, the doc_ids it replaces, whether it was stored before)
StoredRows = tuple[dict[str, list[Record]], list[str], bool]

_ARROW = {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(),
          "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us")}


def arrow_schema(model: type[Record]) -> pa.Schema:
    """The columns of the model's base table (documents: every one but the text, pipeline/store/texts.py)."""
    fields = []
    for name, f in model.model_fields.items():
        if name in model.__apart__:
            continue
        sql_type, _ = column_type(f.annotation)
        if sql_type.endswith("[]"):
            fields.append(pa.field(name, pa.list_(_ARROW[sql_type[:-2]])))
        else:
            fields.append(pa.field(name, _ARROW[sql_type]))
    return pa.schema(fields)


_MODELS = {m.__table__: m for m in TABLES}
_SCHEMAS = {m.__table__: arrow_schema(m) for m in TABLES}


def insert(con: duckdb.DuckDBPyConnection, table: str, records: list[Record]) -> None:
    """Bulk insert through Arrow (executemany is ~100x slower in DuckDB). The documents' texts go to
    a table of their own (pipeline/store/texts.py), the rest of their rows to document_meta."""
    if not records:
        return
    model = _MODELS[table]
    if model.__apart__:
        texts.store(con, [(r.doc_id, r.text) for r in records])
    exclude = set(model.__apart__) or None
    tbl = pa.Table.from_pylist([r.model_dump(exclude=exclude) for r in records], schema=_SCHEMAS[table])  # noqa: F841
    con.execute(f"INSERT INTO {model.__stored_in__ or table} BY NAME SELECT * FROM tbl")


def skip_pandas_probe() -> None:
    """For a process that stores rows and hands pyarrow no pandas object (the ingest command): pyarrow
    imports pandas at the first array it builds only to ask whether the data is a pandas object, 0.5-0.7 s
    of CPU (a quarter of the writer's on 80 text documents). With pandas hidden during that first
    probe, pyarrow takes it as absent for its implicit checks; an explicit conversion (Table.to_pandas)
    still imports it when asked. A no-op when pandas is imported already."""
    if "pandas" in sys.modules:
        return
    sys.meta_path.insert(0, _NoPandas)
    try:
        pa.array([], pa.string())
    finally:
        sys.meta_path.remove(_NoPandas)


class _NoPandas:
    """An import finder that answers `import pandas` with ModuleNotFoundError."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "pandas":
            raise ModuleNotFoundError("pandas is not imported by the writer", name=name)
        return None


def insert_row(con: duckdb.DuckDBPyConnection, table: str, record: Record) -> None:
    """One row, by parameters. For the single rows of runs and errors: pyarrow imports pandas (when
    installed) at the first array it builds, 0.4-1 s that a run storing no document need not pay."""
    data = record.model_dump()
    columns = ", ".join(quote(c) for c in data)
    con.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(data))})", list(data.values()))


def delete_documents(con: duckdb.DuckDBPyConnection, doc_ids: Iterable[str]) -> None:
    ids = list(dict.fromkeys(doc_ids))
    if not ids:
        return
    for model in (*DOCUMENT_TABLES[::-1],):
        con.execute(f"DELETE FROM {model.__table__} WHERE doc_id IN (SELECT unnest(?))", [ids])
    texts.delete(con, ids)
    con.execute(f"DELETE FROM {texts.META} WHERE doc_id IN (SELECT unnest(?))", [ids])


_KEYS = {m.__table__: m.__key__ for m in TABLES}


def _source_path(rows: dict[str, list[Record]]) -> str:
    return rows["documents"][0].source_path


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
                raise DuplicateKey(_source_path(rows), table, dict(zip(key, k)))
            seen.add(k)


def store_document(con: duckdb.DuckDBPyConnection, rows: dict[str, list[Record]], replaces: Iterable[str],
                   stored_before: bool = True) -> None:
    """Store one document's rows in one transaction, replacing `replaces` and, when it was
    `stored_before` (the default: safe), its own old rows. A new document skips the deletes.
    Raises DuplicateKey, or the database's error for rows it refuses."""
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
        _rollback(con)
        raise


def store_documents(con: duckdb.DuckDBPyConnection, documents: list[StoredRows]) -> list[StoreError | None]:
    """Store several documents — each (rows, replaces, stored_before) as for `store_document`, with
    distinct doc_ids — in one transaction: one DELETE and one Arrow insert per table for all of them
    (a statement per table per document was a fifth of an ingest). Each document is still stored
    whole or not at all. When the batch fails, it is rolled back and every document stored in its own
    transaction, so one document whose rows break a key keeps none of the others out. Returns, per
    document, None when stored or the StoreError that kept it out."""
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
        _rollback(con)
        if not isinstance(exc, duckdb.Error) or machine_failure(exc):
            raise
    return _store_one_by_one(con, documents)


def machine_failure(exc: BaseException) -> bool:
    """The machine's failure, not a document's — a full disk, an I/O error, no memory, a commit
    that could not be written: the run stops, rather than record every document as failed."""
    return isinstance(exc, (duckdb.IOException, duckdb.OutOfMemoryException)) or (
        isinstance(exc, duckdb.TransactionException) and "Failed to commit" in str(exc))


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back, if there is still something to roll back: a COMMIT that failed (a full disk) has
    ended the transaction already, and the error to report is the COMMIT's."""
    with contextlib.suppress(duckdb.TransactionException):
        con.execute("ROLLBACK")


def _store_one_by_one(con: duckdb.DuckDBPyConnection, documents: list[StoredRows]) -> list[StoreError | None]:
    results: list[StoreError | None] = []
    for rows, replaces, before in documents:
        try:
            store_document(con, rows, replaces, stored_before=before)
            results.append(None)
        except StoreError as exc:
            results.append(exc)
        except duckdb.Error as exc:
            if machine_failure(exc):
                raise
            results.append(StoreError.from_database(_source_path(rows), exc))
    return results


def remove_document(con: duckdb.DuckDBPyConnection, doc_id: str) -> None:
    """Delete a stored document, in one transaction: its file now holds the bytes of another stored
    document and no listed file holds its own (runs/ingest.py)."""
    con.execute("BEGIN TRANSACTION")
    try:
        delete_documents(con, [doc_id])
        con.execute("COMMIT")
    except BaseException:
        _rollback(con)
        raise


def move_document(con: duckdb.DuckDBPyConnection, doc_id: str, path: str) -> None:
    """Give a stored document another source path: a file with the same bytes, when the one it
    was stored under was edited, renamed or deleted (runs/ingest.py)."""
    con.execute(f"UPDATE {texts.META} SET source_path = ? WHERE doc_id = ?", [path, doc_id])


def record_error(con: duckdb.DuckDBPyConnection, error: IngestErrorRecord) -> None:
    con.execute("DELETE FROM ingest_errors WHERE run_id = ? AND path = ?", [error.run_id, error.path])
    insert_row(con, "ingest_errors", error)


def save_run(con: duckdb.DuckDBPyConnection, run: IngestRunRecord) -> None:
    con.execute("DELETE FROM ingest_runs WHERE run_id = ?", [run.run_id])
    insert_row(con, "ingest_runs", run)


def mark_interrupted_runs(con: duckdb.DuckDBPyConnection) -> None:
    """Runs still 'running' when a new run starts were killed (the writer lock says none is running)."""
    con.execute("UPDATE ingest_runs SET status = 'interrupted' WHERE status = 'running'")


def link_annex(con: duckdb.DuckDBPyConnection, annex_id: str, parent_id: str) -> None:
    """Make `parent_id` the parent of the annex `annex_id`; the annex inherits the parent's
    jurisdiction, issuers and issued date where it has none."""
    con.execute(
        f"""UPDATE {texts.META} AS a SET parent_doc_id = p.doc_id,
               jurisdiction = coalesce(a.jurisdiction, p.jurisdiction),
               issuers = CASE WHEN len(a.issuers) = 0 THEN p.issuers ELSE a.issuers END,
               issued_date = coalesce(a.issued_date, p.issued_date)
           FROM {texts.META} AS p WHERE a.doc_id = ? AND p.doc_id = ?""", [annex_id, parent_id])
