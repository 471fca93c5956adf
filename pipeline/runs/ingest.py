"""The ingest run: list files, extract them (in worker processes when asked), store them with one
writer, record the run and every error. Prefect wraps these steps as tasks in pipeline/flows/ingest.py;
called directly they run the same work without Prefect."""
from __future__ import annotations

import collections
import concurrent.futures as cf
import contextvars
import datetime as dt
import functools
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import store
from pipeline.errors import DocumentError, printable
from pipeline.runs.batches import RunTally, batches, close_batch, new_run, record_failure, store_extracted
from pipeline.runs.discover import list_documents
from pipeline.runs.process import Outcome, bounded, file_sha256, process_file, too_large
from pipeline.runs.workers import worker_pool
from pipeline.settings import DEFAULT_DB, LOW_COVERAGE, ReadLimits
from pipeline.version import pipeline_version
from schemas.records import IngestRunRecord

log = logging.getLogger("policy_obligations.ingest")


@dataclass
class RunSummary(RunTally):
    n_files: int = 0
    new: int = 0
    unchanged: int = 0
    replaced: int = 0
    skipped: int = 0  # failed before with the same bytes: not retried
    duplicates: int = 0  # of the unchanged: files whose bytes are stored under another path of the run
    moved: int = 0  # stored documents given another path: the file with their bytes was edited, renamed, deleted
    changing: list[str] = field(default_factory=list)  # written to while read: not stored, for the next run
    ignored: list[str] = field(default_factory=list)
    low_coverage: list[tuple[str, float]] = field(default_factory=list)  # (path, coverage) below LOW_COVERAGE

    def count_into(self, run: IngestRunRecord) -> None:
        super().count_into(run)
        run.n_new, run.n_unchanged, run.n_replaced = self.new, self.unchanged, self.replaced


@dataclass
class Known:
    versions: dict[str, str]  # doc_id -> pipeline_version
    by_path: dict[str, str]  # source_path -> doc_id
    failed: set[tuple[str, str]]
    hashes: dict[str, str] = field(default_factory=dict)  # listed path -> sha256, hashed when the run starts
    listed: dict[str, list[str]] = field(default_factory=dict)  # sha256 -> the listed paths holding it
    signatures: dict[str, tuple[int, int]] = field(default_factory=dict)  # path -> (size, mtime_ns) when hashed

    paths: dict[str, str] = field(default_factory=dict)  # doc_id -> source_path (by_path inverted)

    def __post_init__(self) -> None:
        self.paths = {d: p for p, d in self.by_path.items()}

    def path_of(self, doc_id: str) -> str | None:
        return self.paths.get(doc_id)

    def stored_at(self, path: str, doc_id: str) -> None:
        """`doc_id` is now stored under `path` (and only there)."""
        before = self.paths.get(doc_id)
        if before is not None and self.by_path.get(before) == doc_id:
            del self.by_path[before]
        self.by_path[path] = doc_id
        self.paths[doc_id] = path

    def forget(self, doc_id: str) -> None:
        """`doc_id` is no longer stored (replaced or removed)."""
        self.versions.pop(doc_id, None)
        path = self.paths.pop(doc_id, None)
        if path is not None and self.by_path.get(path) == doc_id:
            del self.by_path[path]

    def hash_listing(self, paths: list[str], limits: ReadLimits | None = None) -> None:
        """Hash every listed file before the first batch: whether a stored document may go when its
        file changes depends on files of later batches (a copy with the same bytes). A file that
        cannot be hashed now is hashed again, and its error recorded, when its batch comes. Its size
        and mtime are kept, to tell at storing time whether it changed after it was hashed."""
        for p in paths:
            if limits is not None and too_large(Path(p), limits):
                continue  # refused by its size when its batch comes, never read
            try:
                before = _signature(p)
                sha = file_sha256(Path(p))
                after = _signature(p)
            except (DocumentError, OSError):
                continue
            self.hashes[p] = sha
            self.listed.setdefault(sha, []).append(p)
            if before == after:
                self.signatures[p] = after

    def changed(self, path: str, doc_id: str) -> bool:
        """Whether a file was being written while the run read it: the bytes a worker read are not
        those hashed when the run started, or its size or mtime moved since (a writer pausing
        longer than `watch`'s settle interval passes that check). A file gone since is not changed:
        what was read was whole when it was hashed."""
        if path not in self.hashes:
            return False  # hashed by its batch alone (a run step called without hash_listing)
        if doc_id != self.hashes[path] or path not in self.signatures:
            return True
        try:
            return _signature(path) != self.signatures[path]
        except FileNotFoundError:
            return False
        except OSError:
            return True

    def holder(self, doc_id: str, besides: str) -> str | None:
        """A listed path other than `besides` that still has the bytes of `doc_id`."""
        return next((p for p in self.listed.get(doc_id, []) if p != besides), None)

    def move(self, con, doc_id: str, to: str) -> None:
        store.move_document(con, doc_id, to)
        self.stored_at(to, doc_id)


def load_known(db: Path) -> Known:
    with store.open_for_writing(db) as con:
        store.mark_interrupted_runs(con)
        versions, by_path = store.known_documents(con)
        if lost := sum(v is None for v in versions.values()):
            log.warning("%d stored documents of %s have lost their text (a table of texts dropped by hand?): "
                        "those whose files are listed are read and stored again", lost, db)
        return Known(versions, by_path, store.failed_before(con))


def extract_batch(paths: list[str], known: Known, limits: ReadLimits | None, pool: cf.Executor | None,
                  ingested_at: dt.datetime) -> list[Outcome]:
    """Outcomes of a batch of files, in the order given. Whether a file is unchanged is decided
    here, by its hash, so that workers get only files to extract and not the catalogue of what is
    stored (which grows with the corpus)."""
    limits = limits or ReadLimits()
    outcomes: list[Outcome | tuple[str, str, cf.Future]] = []
    for p in paths:
        if p not in known.hashes and (error := too_large(Path(p), limits)):
            outcomes.append(Outcome.failed(p, None, error))  # by its size alone: not hashed (module doc)
            continue
        try:
            sha = known.hashes.get(p) or file_sha256(Path(p))
        except DocumentError as exc:
            outcomes.append(Outcome.failed(p, None, exc))
            continue
        if known.versions.get(sha) == pipeline_version():
            outcomes.append(Outcome(p, "unchanged", sha))
        elif (p, sha) in known.failed:
            outcomes.append(Outcome(p, "skipped", sha))
        elif pool is None:
            outcomes.append(process_file(p, limits, ingested_at, sha))
        else:  # in a worker: under the time limit and the memory ceiling (runs/workers.py)
            outcomes.append((p, sha, pool.submit(process_file, p, limits, ingested_at, sha)))
    return [bounded(*o, limits) if isinstance(o, tuple) else o for o in outcomes]


def store_batch(db: Path, run: IngestRunRecord, outcomes: list[Outcome], known: Known,
                summary: RunSummary) -> None:
    """Store a batch with one short write connection, its documents in one transaction (see
    store.store_documents: a document that cannot be stored is recorded, the others are kept)."""
    with store.open_for_writing(db) as con:
        pending: list[tuple[Outcome, list[str], bool]] = []  # (outcome, replaces, stored before)
        changed: set[str] = set()  # paths whose document is replaced, its old one kept for a copy
        for oc in outcomes:
            if oc.status == "unchanged":
                summary.unchanged += 1
                _follow(con, oc.path, oc.sha256, known, summary)
            elif oc.status == "skipped":
                summary.skipped += 1
            elif oc.status == "failed":
                record_failure(con, run, summary, oc)
            else:
                doc_id = oc.extraction.document.doc_id
                if known.changed(oc.path, doc_id):  # half-written: left for the next run, no error
                    summary.changing.append(oc.path)
                    continue
                # the same bytes as a file stored earlier in this run (in this batch or one before;
                # with workers the next batch is extracted while this one is stored): unchanged
                if any(p.extraction.document.doc_id == doc_id for p, _, _ in pending):
                    summary.unchanged += 1
                    summary.duplicates += 1
                    continue
                if known.versions.get(doc_id) == oc.extraction.document.pipeline_version:
                    summary.unchanged += 1
                    _follow(con, oc.path, doc_id, known, summary)
                    continue
                old = known.by_path.get(oc.path)
                replaces = [old] if old and old != doc_id else []
                if replaces and (twin := known.holder(old, besides=oc.path)):
                    # another file of the run still has the old bytes: their document stays, under its path
                    _move_to(con, old, twin, known, summary)
                    replaces = []
                    changed.add(oc.path)
                pending.append((oc, replaces, doc_id in known.versions))
        for oc, replaces, stale in store_extracted(con, run, summary, pending):
            _stored(oc, replaces, stale or oc.path in changed, known, summary)
        close_batch(con, run, summary)


def _signature(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns


def _follow(con, path: str, doc_id: str | None, known: Known, summary: RunSummary) -> None:
    """A file whose bytes are stored: under this path, under another path of the run with the same
    bytes (a duplicate), or under a path that no longer has them (renamed, deleted, or now holding
    other bytes: two files swapped, one copied over another): then the document moves here. The
    document this path held before, if other, no longer has its bytes here (see _release)."""
    if doc_id is None:
        return
    stored_at = known.path_of(doc_id)
    if stored_at is None or stored_at == path:
        return
    listed = known.hashes.get(stored_at)
    if (listed is None and not Path(stored_at).exists()) or (listed is not None and listed != doc_id):
        _move_to(con, doc_id, path, known, summary)
    else:
        summary.duplicates += 1
        _release(con, path, doc_id, known, summary)


def _move_to(con, doc_id: str, to: str, known: Known, summary: RunSummary, moving: frozenset[str] = frozenset()) -> None:
    """Store `doc_id` under `to`, a listed path that has its bytes; the document `to` held before
    moves on or goes first (_release). `moving`: the documents on their way along this chain, so a
    swap (each file holding the other's bytes) ends instead of going round."""
    _release(con, to, doc_id, known, summary, moving | {doc_id})
    known.move(con, doc_id, to)
    summary.moved += 1


def _release(con, path: str, keep: str, known: Known, summary: RunSummary, moving: frozenset[str] = frozenset()) -> None:
    """The document stored under `path`, when it is not `keep`: the file no longer has its bytes. It
    moves to a listed file that still has them, or, when none has, it is removed: a path never
    keeps a document whose bytes it lost (two documents would stand at one path, and a later edit
    would replace the wrong one)."""
    old = known.by_path.get(path)
    if old is None or old == keep or old in moving or known.path_of(old) != path:
        return
    if twin := known.holder(old, besides=path):
        _move_to(con, old, twin, known, summary, moving)
        return
    store.remove_document(con, old)
    known.forget(old)
    summary.replaced += 1


def _stored(oc: Outcome, replaces: list[str], stale: bool, known: Known, summary: RunSummary) -> None:
    """Count a stored document and update what is known to be stored."""
    ex = oc.extraction
    if replaces or stale:
        summary.replaced += 1
    else:
        summary.new += 1
    for r in replaces:
        known.forget(r)
    known.stored_at(oc.path, ex.document.doc_id)
    known.versions[ex.document.doc_id] = ex.document.pipeline_version
    summary.obligations += len(ex.obligations)
    coverage = ex.document.coverage
    if coverage is not None and coverage < LOW_COVERAGE:
        summary.low_coverage.append((oc.path, round(coverage, 3)))


def _pipelined(pending: Iterator[list[str]], extract_one: Callable, store_one: Callable, pool: cf.Executor) -> None:
    """Extract and store with workers, keeping them busy: two batches are extracted at once (the
    workers never wait for a batch's slowest document before they have more to do), and the writer
    stores batch n in its own thread (DuckDB works outside the GIL) while the workers extract the
    next ones. Batches are stored in order. Each call runs in a copy of the caller's context, so
    under Prefect the steps stay tasks of the flow run."""
    def in_context(fn, *args) -> Callable:
        return functools.partial(contextvars.copy_context().run, fn, *args)

    extractors = cf.ThreadPoolExecutor(max_workers=2, thread_name_prefix="extract")
    writer = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
    extracting: collections.deque[tuple[cf.Future, int]] = collections.deque()
    storing: cf.Future | None = None

    def submit_next() -> None:
        batch = next(pending, None)
        if batch is not None:
            extracting.append((extractors.submit(in_context(extract_one, batch)), len(batch)))

    failed = True
    try:
        submit_next()
        submit_next()
        while extracting:
            future, n_files = extracting.popleft()
            outcomes = future.result()
            submit_next()
            if storing is not None:
                storing.result()  # a store step's error ends the run here
            storing = writer.submit(in_context(store_one, outcomes, n_files))
        if storing is not None:
            storing.result()
        failed = False
    finally:
        if failed:  # stop feeding the workers; a batch being stored is finished, never cut
            pool.shutdown(wait=False, cancel_futures=True)
        extractors.shutdown(wait=True)
        writer.shutdown(wait=True)


def run_ingest(paths: list[str], db: Path = DEFAULT_DB, workers: int = 1, batch_size: int = 32,
               limits: ReadLimits | None = None, follow_symlinks: bool = False,
               extract: Callable = extract_batch, store_fn: Callable = store_batch,
               progress: Callable[[int, int], None] | None = None, command: str = "ingest") -> RunSummary:
    """Ingest `paths` into `db`. `extract`/`store_fn` are the step functions (Prefect tasks when
    run as a flow). Raises DatabaseBusy when another writer holds the database and
    FileNotFoundError for a missing path; a bad file never raises."""
    db = Path(db)
    limits = limits or ReadLimits()
    listing = list_documents(paths, follow_symlinks=follow_symlinks)
    run = new_run(command if command in ("ingest", "watch", "reprocess") else None,
                  [printable(Path(p).absolute()) for p in paths])
    summary = RunSummary(run.run_id, str(db), n_files=len(listing.files) + len(listing.errors),
                         ignored=listing.ignored)
    with store.writer_lock(db, command):
        known = load_known(db)
        known.hash_listing(listing.files, limits)
        pool = worker_pool(workers, len(listing.files), limits)
        done = 0
        if listing.errors:  # documents by name that were not read (a FIFO, a GBK name): recorded first
            store_fn(db, run, [Outcome.failed(e.path, None, e) for e in listing.errors], known, summary)
            done = len(listing.errors)

        def extract_one(batch: list[str]) -> list[Outcome]:
            return extract(batch, known, limits, pool, run.started_at)

        def store_one(outcomes: list[Outcome], n_files: int) -> None:
            nonlocal done
            store_fn(db, run, outcomes, known, summary)
            done += n_files
            if progress:
                progress(done, summary.n_files)

        try:
            if pool is None:
                for batch in batches(listing.files, batch_size):
                    store_one(extract_one(batch), len(batch))
            else:
                _pipelined(batches(listing.files, batch_size), extract_one, store_one, pool)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        run.finished_at = dt.datetime.now()
        run.status = "completed"
        with store.open_for_writing(db) as con:
            store.save_run(con, run)
    return summary
