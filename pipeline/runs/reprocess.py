"""Re-run extraction over stored documents, so that improving an extractor never needs a rebuild.

Every document row keeps the `pipeline_version` that produced it (a digest of the extractor code
and rules, pipeline/version.py). `reprocess(db)` re-extracts the documents whose version differs
from the current one (or all of them), each from the best source still available:

1. the original file, when it is still at its stored path with the same bytes (same sha256 = the
   doc_id): it is read again, so improved readers apply too;
2. otherwise the stored text and blocks (`rebuild_document`): the text every offset points into is
   kept, so the new rows point into the same text as the old ones.

Each batch is replaced in one transaction (store.store_documents), each document whole: a failure
leaves that document's old rows whole and is recorded in ingest_errors. The run is recorded in ingest_runs.
The run-level writer lock keeps ingest/watch out meanwhile; the DuckDB file itself is opened only
while a batch is read or stored, so readers get in between batches.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from extractors.headers import is_header_row
from pipeline import store, version
from pipeline.errors import DocumentError
from pipeline.readers import read_document
from pipeline.readers.normalize import column_headers, right_aligned
from pipeline.runs.batches import RunTally, batches, close_batch, new_run, record_failure, store_extracted
from pipeline.runs.process import Outcome, bounded, extract, file_sha256
from pipeline.runs.workers import worker_pool
from pipeline.settings import DEFAULT_DB, ReadLimits
from pipeline.store import StoredDocument
from schemas.document import Block, Cell, Document, SourceRun
from schemas.records import IngestRunRecord

log = logging.getLogger("policy_obligations.reprocess")


@dataclass
class ReprocessSummary(RunTally):
    pipeline_version: str = ""
    candidates: int = 0  # documents selected (stale ones, or all)
    reprocessed: int = 0
    from_file: int = 0
    from_stored: int = 0

    def count_into(self, run: IngestRunRecord) -> None:
        super().count_into(run)
        run.n_replaced = self.reprocessed


@dataclass
class _TableColumns:
    header_row: int | None = None  # seq of the header row
    header_cols: list[int] = field(default_factory=list)  # grid column of each header cell
    labels: list[str | None] = field(default_factory=list)  # header label of each grid column


def _cells_of(text: str, block: tuple) -> list[str]:
    return text[block[2]:block[3]].split("\t")


def _table_columns(text: str, rows: list[tuple]) -> _TableColumns:
    """Column headers of one stored table, found the way the readers find them (readers/normalize/tables.py):
    the header row is one of the first three rows, all short labels; a header row with fewer cells
    than the data rows lost its merged cells, so its cells name the rightmost columns and a label
    also covers the empty columns right of it. Stored rows keep no cell spans: a table whose header
    merges cells in the middle gets its labels by this rule, not by the original spans."""
    for k, row in enumerate(rows[:3]):
        cells = ["".join(c.split()) for c in _cells_of(text, row)]
        if not is_header_row(cells):
            continue
        n_cols = max((len(_cells_of(text, r)) for r in rows[k + 1:]), default=len(cells))
        header = [(col, 1, label) for col, label in enumerate(cells)]
        if len(cells) < n_cols:
            header = right_aligned(header, n_cols)
        cols = [col for col, _, _ in header] + list(range(len(header), len(cells)))
        return _TableColumns(row[0], cols, column_headers(header, n_cols))
    return _TableColumns()


def rebuild_document(stored: StoredDocument) -> Document:
    """A Document from the stored text and blocks: same text, same blocks (table rows get their
    cells back by their tab separators and their headers from the header row), a source map that
    puts each block where it was in the source. What is not stored is not rebuilt: the container's
    own metadata fields (gov.cn 发文机关 tables, docx properties) and the spans of merged cells."""
    text = stored.text
    by_table: dict[int, list[tuple]] = {}
    for b in stored.blocks:
        if b[1] == "table_row" and b[5] is not None:
            by_table.setdefault(b[5], []).append(b)
    tables = {t: _table_columns(text, rows) for t, rows in by_table.items()}
    blocks, source_map = [], []
    for seq, kind, start, end, page, table_id, row, source_start in stored.blocks:
        cells = []
        if kind == "table_row":
            columns = tables.get(table_id, _TableColumns())
            at = start
            for k, part in enumerate(text[start:end].split("\t")):
                col = columns.header_cols[k] if seq == columns.header_row and k < len(columns.header_cols) else k
                label = columns.labels[col] if col < len(columns.labels) else None
                cells.append(Cell(col=col, start=at, end=at + len(part), header=label))
                at += len(part) + 1
        blocks.append(Block(kind=kind, start=start, end=end, page=page, table_id=table_id, row=row, cells=cells))
        if source_start is not None and end > start:
            source_map.append(SourceRun(text_start=start, source_start=source_start, length=end - start, page=page))
    return Document(doc_id=stored.doc_id, source_path=stored.source_path, format=stored.format, text=text,
                    blocks=blocks, source_map=source_map, encoding=stored.encoding, ocr=stored.ocr,
                    n_pages=stored.n_pages)


def source_document(stored: StoredDocument, limits: ReadLimits) -> tuple[Document, str]:
    """(Document, "file") from the original file when it still holds the same bytes, else
    (Document, "stored") rebuilt from the database; a reader failure on the original falls back
    to the stored text too (the file was readable when it was stored)."""
    path = Path(stored.source_path)
    try:
        same_bytes = path.is_file() and file_sha256(path) == stored.doc_id
    except (DocumentError, OSError):  # gone or unreadable since the check
        same_bytes = False
    if same_bytes:
        try:
            doc = read_document(path, limits)
            doc.source_path = stored.source_path
            return doc, "file"
        except DocumentError as exc:
            log.warning("re-reading %s failed (%s): using the stored text", path, exc)
    return rebuild_document(stored), "stored"


def redo(stored: StoredDocument, limits: ReadLimits, pipeline_version: str) -> Outcome:
    """Re-extract one stored document; never raises for a document (the error becomes the outcome).
    Keeps the document's first `ingested_at`: the run record says when it was reprocessed."""
    doc, source = source_document(stored, limits)
    try:
        extraction = extract(doc, pipeline_version, stored.ingested_at)
    except DocumentError as exc:  # an extractor bug: recorded, the old rows kept
        return Outcome.failed(stored.source_path, stored.doc_id, exc, source=source)
    return Outcome(stored.source_path, "extracted", stored.doc_id, extraction=extraction, source=source)


def _store_batch(db: Path, run: IngestRunRecord, done: list[Outcome], summary: ReprocessSummary,
                 last: bool) -> None:
    """Store a batch with one short write connection, in one transaction (store.store_documents:
    a document that cannot be stored keeps its old rows and gets an error); the run record is
    updated in the same connection (and closed as completed with the last batch)."""
    with store.open_for_writing(db) as con:
        for r in done:
            if r.extraction is None:
                record_failure(con, run, summary, r)
        for r, _, _ in store_extracted(con, run, summary, [(r, [], True) for r in done if r.extraction is not None]):
            summary.reprocessed += 1
            summary.obligations += len(r.extraction.obligations)
            if r.source == "file":
                summary.from_file += 1
            else:
                summary.from_stored += 1
        if last:
            run.finished_at, run.status = dt.datetime.now(), "completed"
        # an annex's link to its parent is set after storing; re-extraction cleared it
        close_batch(con, run, summary)


def reprocess(db: Path = DEFAULT_DB, stale_only: bool = True, *, workers: int = 1, batch_size: int = 16,
              limits: ReadLimits | None = None, progress: Callable[[int, int], None] | None = None,
              lock_wait: float = 5.0) -> ReprocessSummary:
    """Re-extract the stale documents of `db` (all of them with stale_only=False) with the current
    pipeline. Raises DatabaseBusy when another writer holds the database (after `lock_wait`
    seconds), FileNotFoundError when there is no database."""
    db = Path(db)
    if not db.exists():
        raise FileNotFoundError(f"no database at {db}: run `obligations ingest` first")
    limits = limits or ReadLimits()
    current = version.pipeline_version()
    run = new_run("reprocess", [])
    summary = ReprocessSummary(run.run_id, str(db), pipeline_version=current)
    with store.writer_lock(db, "reprocess", wait=lock_wait):
        with store.open_for_writing(db) as con:
            store.mark_interrupted_runs(con)
            doc_ids = store.documents_to_reprocess(con, current, stale_only)
            if not doc_ids:
                run.finished_at, run.status = dt.datetime.now(), "completed"
            store.save_run(con, run)
        summary.candidates = len(doc_ids)
        pool = worker_pool(workers, len(doc_ids), limits)
        try:
            todo = list(batches(doc_ids, batch_size))
            for k, ids in enumerate(todo):
                # read-only: we hold the writer lock, so no writer is in; readers may be
                con = store.connect(db, read_only=True, wait=30.0)
                try:
                    stored = store.load_stored(con, ids)
                finally:
                    con.close()
                if pool is None:
                    done = [redo(s, limits, current) for s in stored]
                else:  # in workers: under the time limit and the memory ceiling (runs/workers.py)
                    futures = [(s, pool.submit(redo, s, limits, current)) for s in stored]
                    done = [bounded(s.source_path, s.doc_id, f, limits, source="stored") for s, f in futures]
                _store_batch(db, run, done, summary, last=k == len(todo) - 1)
                if progress:
                    progress(min((k + 1) * batch_size, len(doc_ids)), len(doc_ids))
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    return summary
