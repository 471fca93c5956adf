"""The documents' texts: kept apart from the rest of a document's row, in tables of a bounded size,
and read through the view `documents`, which keeps the public schema (docs/SCHEMA.md; the scorer
and the analysts read `documents.text`).

    document_records          every column of DocumentRecord but `text` (schemas.ddl)
    document_texts_0001 …  (doc_id, text), filled in turn: the shards
    documents              the view joining them, columns in DocumentRecord's order

Why: DuckDB's checkpoint rewrites, whole, every row group that a write changed, and a write
connection checkpoints when it closes — once per stored batch. The texts of a few thousand
documents are one row group (122,880 rows), so storing 32 documents re-read and re-compressed every
text stored before them: the writer's peak grew with the corpus (+56 MB from 500 to 2,000 documents
for one batch; docs/PERFORMANCE.md). A table of texts of its own grows the same way (measured), so
the texts go to shards: a new one is started when the last holds SHARD_CHARS characters, and a
checkpoint rewrites one shard at most. Shards are never merged; replaced documents leave theirs.
"""
from __future__ import annotations

import re

import duckdb
import pyarrow as pa

from schemas.ddl import quote
from schemas.records import DocumentRecord

# characters of text a shard takes before the next is started. Rewriting a shard at a checkpoint
# costs about three times its UTF-8 bytes (~3 a character) of memory: +20 MB for 2.15 million
# characters, measured. 2,000 documents of the bench corpus (8.6 million characters) fill 5 shards.
SHARD_CHARS = 2_000_000
PREFIX = "document_texts_"
_SHARD = re.compile(rf"^{PREFIX}(\d{{4,}})$")
META = DocumentRecord.__stored_in__
VIEW = DocumentRecord.__table__


def shards(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The shard tables, oldest first."""
    rows = con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                       "AND schema_name = 'main' AND starts_with(table_name, ?)", [PREFIX]).fetchall()
    return sorted((r[0] for r in rows if _SHARD.match(r[0])), key=lambda n: int(_SHARD.match(n).group(1)))


def _union(names: list[str], columns: str) -> str:
    """One SELECT of `columns` over the shards `names`, as a UNION ALL."""
    return " UNION ALL ".join(f"SELECT {columns} FROM {n}" for n in names)


def view_sql(names: list[str]) -> str:
    """The `documents` view over document_records and the shards `names`."""
    columns = ", ".join("t.text" if c == "text" else f"m.{quote(c)}" for c in DocumentRecord.model_fields)
    return f"SELECT {columns} FROM {META} AS m LEFT JOIN ({_union(names, 'doc_id, text')}) AS t ON t.doc_id = m.doc_id"


def _create_shard(con: duckdb.DuckDBPyConnection, number: int) -> str:
    name = f"{PREFIX}{number:04d}"
    con.execute(f"CREATE TABLE IF NOT EXISTS {name} (doc_id VARCHAR NOT NULL, text VARCHAR NOT NULL)")
    return name


def held_sql(con: duckdb.DuckDBPyConnection) -> str:
    """SQL for the doc_ids whose text a shard holds: their doc_id columns only, no text read (a run
    asks this of every stored document when it starts)."""
    return _union(shards(con), "doc_id") or "SELECT NULL::VARCHAR AS doc_id WHERE false"


def view_readable(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the view `documents` binds: a shard dropped by hand leaves it naming a table that is
    gone, and every read and write of documents fails until create_view re-creates it over the
    shards there are (the texts of that shard are lost: their documents are read again, read.py)."""
    try:
        con.execute(f"SELECT doc_id FROM {VIEW} WHERE false").fetchall()
    except (duckdb.CatalogException, duckdb.BinderException):
        return False
    return True


def create_view(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the view `documents` over the shards there are (a first one when there is none)."""
    names = shards(con) or [_create_shard(con, 1)]
    con.execute(f"CREATE OR REPLACE VIEW {VIEW} AS {view_sql(names)}")


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """A database written before the texts were kept apart: its `documents` table becomes
    document_records (created empty before this) and a first shard, in one transaction."""
    kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_schema = 'main' "
                       "AND table_name = ?", [VIEW]).fetchone()
    if not kind or kind[0] != "BASE TABLE":
        return
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"INSERT INTO {META} BY NAME SELECT * EXCLUDE (text) FROM {VIEW} ORDER BY rowid")
        first = _create_shard(con, 1)
        con.execute(f"INSERT INTO {first} SELECT doc_id, text FROM {VIEW} ORDER BY rowid")
        con.execute(f"DROP TABLE {VIEW}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _shard_for_writing(con: duckdb.DuckDBPyConnection) -> str:
    """The last shard, or a new one (and the view over it) when the last is full. The characters a
    shard holds are read from document_records.n_chars: the texts themselves stay unread."""
    names = shards(con)
    if not names:
        create_view(con)
        names = shards(con)
    last = names[-1]
    held = con.execute(f"SELECT coalesce(sum(m.n_chars), 0) FROM {last} AS t JOIN {META} AS m "
                       "ON m.doc_id = t.doc_id").fetchone()[0]
    if held < SHARD_CHARS:
        return last
    new = _create_shard(con, int(_SHARD.match(last).group(1)) + 1)
    create_view(con)
    return new


def store(con: duckdb.DuckDBPyConnection, texts: list[tuple[str, str]]) -> None:
    """Store (doc_id, text) pairs in the shard being filled (inside the caller's transaction)."""
    if not texts:
        return
    tbl = pa.table({"doc_id": pa.array([d for d, _ in texts], pa.string()),  # noqa: F841
                    "text": pa.array([t for _, t in texts], pa.string())})
    con.execute(f"INSERT INTO {_shard_for_writing(con)} SELECT doc_id, text FROM tbl")


def delete(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> None:
    """Delete the texts of `doc_ids`, whichever shard holds them."""
    if not doc_ids:
        return
    for name in shards(con):
        con.execute(f"DELETE FROM {name} WHERE doc_id IN (SELECT unnest(?))", [doc_ids])
