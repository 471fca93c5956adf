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
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import store, version
from pipeline.errors import ExtractionError, PipelineError
from pipeline.readers.normalize import column_headers, looks_like_header, right_aligned
from pipeline.runs.workers import pool as workers_pool
from pipeline.settings import ReadLimits
from schemas.document import Block, Cell, Document, SourceRun
from schemas.records import IngestErrorRecord, IngestRunRecord

log = logging.getLogger("policy_obligations.reprocess")

# the columns of `documents` a Document is rebuilt from (the rest is extraction output)
_DOCUMENT_COLUMNS = ("doc_id", "source_path", "format", "text", "encoding", "n_pages", "ocr", "ingested_at",
                     "pipeline_version")


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


@dataclass
class Redone:
    """The outcome of re-extracting one stored document."""

    doc_id: str
    path: str
    source: str  # "file" | "stored"
    extraction: object | None = None  # extractors.analyze.Extraction
    error_kind: str | None = None
    message: str | None = None


@dataclass
class ReprocessSummary:
    run_id: str
    db: str
    pipeline_version: str
    candidates: int = 0  # documents selected (stale ones, or all)
    reprocessed: int = 0
    from_file: int = 0
    from_stored: int = 0
    failed: int = 0
    obligations: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (path, kind, message)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def select_documents(con, current_version: str, stale_only: bool = True) -> list[str]:
    """doc_ids to reprocess, in a stable order: those stored by another pipeline version, or all."""
    if stale_only:
        rows = con.execute("SELECT doc_id FROM documents WHERE pipeline_version IS DISTINCT FROM ? ORDER BY doc_id",
                           [current_version]).fetchall()
    else:
        rows = con.execute("SELECT doc_id FROM documents ORDER BY doc_id").fetchall()
    return [r[0] for r in rows]


def load_stored(con, doc_ids: list[str]) -> list[StoredDocument]:
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


@dataclass
class _TableColumns:
    header_row: int | None = None  # seq of the header row
    header_cols: list[int] = field(default_factory=list)  # grid column of each header cell
    labels: list[str | None] = field(default_factory=list)  # header label of each grid column


def _cells_of(text: str, block: tuple) -> list[str]:
    return text[block[2]:block[3]].split("\t")


def _table_columns(text: str, rows: list[tuple]) -> _TableColumns:
    """Column headers of one stored table, found the way the readers find them (pipeline/readers/normalize):
    the header row is one of the first three rows, all short labels; a header row with fewer cells
    than the data rows lost its merged cells, so its cells name the rightmost columns and a label
    also covers the empty columns right of it. Stored rows keep no cell spans: a table whose header
    merges cells in the middle gets its labels by this rule, not by the original spans."""
    for k, row in enumerate(rows[:3]):
        cells = ["".join(c.split()) for c in _cells_of(text, row)]
        if not looks_like_header(cells):
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


def _same_bytes(path: Path, sha256: str) -> bool:
    try:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest() == sha256
    except OSError:
        return False


def source_document(stored: StoredDocument, limits: ReadLimits) -> tuple[Document, str]:
    """(Document, "file") from the original file when it still holds the same bytes, else
    (Document, "stored") rebuilt from the database; a reader failure on the original falls back
    to the stored text too (the file was readable when it was stored)."""
    path = Path(stored.source_path)
    if path.is_file() and _same_bytes(path, stored.doc_id):
        from pipeline.readers import read_document
        try:
            doc = read_document(path, limits)
            doc.source_path = stored.source_path
            return doc, "file"
        except PipelineError as exc:
            log.warning("re-reading %s failed (%s): using the stored text", path, exc)
    return rebuild_document(stored), "stored"


def redo(stored: StoredDocument, limits: ReadLimits, pipeline_version: str) -> Redone:
    """Re-extract one stored document; never raises for a document (the error becomes the outcome).
    Keeps the document's first `ingested_at`: the run record says when it was reprocessed."""
    from extractors.analyze import analyze

    doc, source = source_document(stored, limits)
    try:
        extraction = analyze(doc, pipeline_version=pipeline_version, ingested_at=stored.ingested_at)
    except Exception as exc:  # an extractor bug must not stop the run: recorded, old rows kept
        log.exception("re-extraction failed on %s", stored.source_path)
        err = ExtractionError(stored.source_path, f"extraction failed: {type(exc).__name__}: {exc}")
        return Redone(stored.doc_id, stored.source_path, source, error_kind=err.kind, message=str(err))
    return Redone(stored.doc_id, stored.source_path, source, extraction=extraction)


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _store_batch(db: Path, run: IngestRunRecord, done: list[Redone], summary: ReprocessSummary,
                 last: bool) -> None:
    """Store a batch with one short write connection, in one transaction (store.store_documents:
    a document that cannot be stored keeps its old rows and gets an error); the run record is
    updated in the same connection (and closed as completed with the last batch)."""
    with store.open_for_writing(db) as con:
        redone = [r for r in done if r.extraction is not None]
        results = store.store_documents(con, [(r.extraction.rows(), [], True) for r in redone])
        failures = {id(r): f"{r.path}: storing failed: {type(exc).__name__}: {exc}"
                    for r, exc in zip(redone, results) if exc is not None}
        for r in done:
            if r.extraction is None or id(r) in failures:
                if r.extraction is None:
                    kind, message = r.error_kind or "error", r.message or ""
                else:
                    kind, message = "store_error", failures[id(r)]
                summary.failed += 1
                summary.errors.append((r.path, kind, message))
                store.record_error(con, IngestErrorRecord(
                    run_id=run.run_id, path=r.path, content_sha256=r.doc_id, kind=kind,
                    message=message, occurred_at=dt.datetime.now()))
                continue
            summary.reprocessed += 1
            summary.obligations += len(r.extraction.obligations)
            if r.source == "file":
                summary.from_file += 1
            else:
                summary.from_stored += 1
        # an annex's link to its parent is set after storing; re-extraction cleared it
        store.link_annexes(con)
        run.n_replaced, run.n_failed, run.n_obligations = summary.reprocessed, summary.failed, summary.obligations
        if last:
            run.finished_at, run.status = dt.datetime.now(), "completed"
        store.save_run(con, run)


def reprocess(db: Path = store.DEFAULT_DB, stale_only: bool = True, *, workers: int = 1, batch_size: int = 16,
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
    run = IngestRunRecord(run_id=uuid.uuid4().hex[:16], started_at=dt.datetime.now(), paths=[],
                          pipeline_version=current, kind="reprocess")
    summary = ReprocessSummary(run.run_id, str(db), current)
    with store.writer_lock(db, "reprocess", wait=lock_wait):
        with store.open_for_writing(db) as con:
            con.execute("UPDATE ingest_runs SET status = 'interrupted' WHERE status = 'running'")
            doc_ids = select_documents(con, current, stale_only)
            if not doc_ids:
                run.finished_at, run.status = dt.datetime.now(), "completed"
            store.save_run(con, run)
        summary.candidates = len(doc_ids)
        pool = None
        if workers > 1 and len(doc_ids) > 1:
            pool = workers_pool(workers)
        try:
            batches = list(_batches(doc_ids, batch_size))
            for k, ids in enumerate(batches):
                # read-only: we hold the writer lock, so no writer is in; readers may be
                con = store.connect(db, read_only=True, wait=30.0)
                try:
                    stored = load_stored(con, ids)
                finally:
                    con.close()
                if pool is None:
                    done = [redo(s, limits, current) for s in stored]
                else:
                    done = list(pool.map(redo, stored, [limits] * len(stored), [current] * len(stored)))
                _store_batch(db, run, done, summary, last=k == len(batches) - 1)
                if progress:
                    progress(min((k + 1) * batch_size, len(doc_ids)), len(doc_ids))
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    return summary
