"""Reading what is stored, for the runs: which files are known (by content hash and path), which
failed for what their bytes are, the stored documents a reprocess rebuilds, and the annexes still
without their parent."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from pipeline.store import texts

# the columns of `documents` a Document is rebuilt from (the rest is extraction output)
_DOCUMENT_COLUMNS = ("doc_id", "source_path", "format", "text", "encoding", "n_pages", "ocr", "ingested_at",
                     "pipeline_version")


def known_documents(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, str], dict[str, str]]:
    """({doc_id: pipeline_version}, {source_path: doc_id}) of what is stored. A document whose text
    was lost (its shard dropped by hand: texts.view_readable) has no version, so that its file, still
    listed, is read and stored again."""
    rows = con.execute(f"SELECT m.doc_id, CASE WHEN t.doc_id IS NULL THEN NULL ELSE m.pipeline_version END, "
                       f"m.source_path FROM {texts.META} AS m LEFT JOIN ({texts.held_sql(con)}) AS t "
                       "ON t.doc_id = m.doc_id").fetchall()
    return {d: v for d, v, _ in rows}, {p: d for d, _, p in rows}


def failed_before(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(path, content hash) of files that failed for what their bytes are: not retried while the bytes
    stay the same. Failures that depend on something else are retried: a file that vanished, an
    extractor or store bug (fixed by a new pipeline version), a limit (the settings may change)."""
    rows = con.execute("SELECT DISTINCT path, content_sha256 FROM ingest_errors WHERE content_sha256 IS NOT NULL "
                       "AND kind NOT IN ('vanished', 'extraction_error', 'store_error', 'too_large', "
                       "'decompression_limit')").fetchall()
    return {(p, h) for p, h in rows}


@dataclass
class StoredDocument:
    """What reprocessing needs of a stored document."""

    doc_id: str
    source_path: str
    format: str
    text: str
    encoding: str | None
    n_pages: int | None
    ocr: bool
    ingested_at: dt.datetime
    pipeline_version: str
    blocks: list[tuple] = field(default_factory=list)  # (seq, kind, start, end, page, table_id, row, source_start)


def documents_to_reprocess(con: duckdb.DuckDBPyConnection, current_version: str, stale_only: bool = True) -> list[str]:
    """doc_ids to reprocess, in a stable order: those stored by another pipeline version, or all."""
    if stale_only:
        rows = con.execute("SELECT doc_id FROM documents WHERE pipeline_version IS DISTINCT FROM ? ORDER BY doc_id",
                           [current_version]).fetchall()
    else:
        rows = con.execute("SELECT doc_id FROM documents ORDER BY doc_id").fetchall()
    return [r[0] for r in rows]


def load_stored(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> list[StoredDocument]:
    """The stored documents `doc_ids` with their blocks, in the order given."""
    if not doc_ids:
        return []
    rows = con.execute(f"SELECT {', '.join(_DOCUMENT_COLUMNS)} FROM documents WHERE doc_id IN (SELECT unnest(?))",
                       [doc_ids]).fetchall()
    docs = {r[0]: StoredDocument(*r) for r in rows}
    blocks = con.execute('SELECT doc_id, seq, kind, start, "end", page, table_id, "row", source_start FROM blocks '
                         "WHERE doc_id IN (SELECT unnest(?)) ORDER BY doc_id, seq", [doc_ids]).fetchall()
    for doc_id, *block in blocks:
        docs[doc_id].blocks.append(tuple(block))
    return [docs[d] for d in doc_ids if d in docs]


def unlinked_annexes(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(doc_id, title, annex_label) of the stored annexes (附件2 …) with a title and no parent yet."""
    return con.execute("SELECT doc_id, title, annex_label FROM documents WHERE annex_label IS NOT NULL "
                       "AND parent_doc_id IS NULL AND title IS NOT NULL ORDER BY doc_id").fetchall()


def annex_lists(con: duckdb.DuckDBPyConnection) -> list[tuple[str, list[str]]]:
    """(doc_id, annex_titles) of the stored documents that list annexes, in the order they were
    stored: when several list an annex equally well (the PDF and the DOCX of one 通知), the annex
    goes to the one stored first."""
    return con.execute("SELECT doc_id, annex_titles FROM document_records WHERE len(annex_titles) > 0 "
                       "ORDER BY rowid").fetchall()
