"""One document → an outcome (its extraction, or the error that stopped it). Pure of the database:
it runs in worker processes; the single writer stores what it returns."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import signal
import traceback
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import DocumentError, EmptyFile, ExtractionError, Timeout, TooLarge, printable
from pipeline.readers import read_document
from pipeline.readers.files import open_regular, os_error
from pipeline.settings import ReadLimits
from pipeline.version import pipeline_version
from schemas.document import Document
from schemas.records import Extraction

log = logging.getLogger("policy_obligations")


@dataclass
class Outcome:
    path: str
    status: str  # "extracted" | "unchanged" | "skipped" | "failed"
    sha256: str | None = None  # the file's hash: the doc_id of what it stores
    extraction: Extraction | None = None
    error_kind: str | None = None
    message: str | None = None
    source: str = "file"  # what was extracted: the "file", or the "stored" text (reprocess)

    @classmethod
    def failed(cls, path: str, sha256: str | None, error: DocumentError, source: str = "file") -> Outcome:
        return cls(path, "failed", sha256, error_kind=error.kind, message=str(error), source=source)


def file_sha256(path: Path) -> str:
    """sha256 of the file's bytes, read in chunks (every file gets one, bad ones too: a file that
    failed is not retried until its bytes change). Only a regular file is opened; any failure is a
    DocumentError (readers/files.py)."""
    digest = hashlib.sha256()
    with open_regular(path) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def too_large(path: Path, limits: ReadLimits) -> TooLarge | None:
    """The error of a file over the size limit, told from its size alone, before anything reads it:
    a 20 GB file is not hashed at every run or watch cycle only to be refused. None otherwise (also
    when the file cannot be looked at: the read says why)."""
    try:
        check_size(path, limits)
    except DocumentError as exc:
        return exc if isinstance(exc, TooLarge) else None
    return None


def check_size(path: Path, limits: ReadLimits) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise os_error(path, exc) from None
    if size == 0:
        raise EmptyFile(str(path), "the file is empty (0 bytes)")
    if size > limits.max_file_bytes:
        raise TooLarge(str(path), f"{size:,} bytes is over the limit of {limits.max_file_bytes:,} "
                                  "(ReadLimits.max_file_bytes)")


def extract(doc: Document, version: str, ingested_at: dt.datetime) -> Extraction:
    """The extraction of one document. An extractor that raises (a bug) must not stop the batch:
    its traceback is logged and ExtractionError raised, which the batch records for this document."""
    # imported at the first document to extract: spaCy and the rule tables are 2 s of a start,
    # which a run that finds every file unchanged need not pay
    from extractors.analyze import analyze
    try:
        return analyze(doc, pipeline_version=version, ingested_at=ingested_at)
    except Exception as exc:
        log.error("extraction failed on %s\n%s", doc.source_path, traceback.format_exc())
        raise ExtractionError(doc.source_path, exc) from exc


def process_file(path: str, limits: ReadLimits | None = None, ingested_at: dt.datetime | None = None,
                 sha: str | None = None) -> Outcome:
    """Read and extract one file. `sha` is the file's hash when the caller has it (the caller
    decides, by that hash, whether the file needs extracting at all). Never raises for a bad file:
    the error becomes the outcome."""
    limits = limits or ReadLimits()
    p = Path(path)
    try:
        sha = sha or file_sha256(p)
        check_size(p, limits)
        doc = read_document(p, limits)
        doc.source_path = path
        extraction = extract(doc, pipeline_version(), ingested_at or dt.datetime.now())
        return Outcome(path, "extracted", sha, extraction=extraction)
    except DocumentError as exc:
        return Outcome.failed(path, sha, exc)
    except OSError as exc:
        return Outcome.failed(path, sha, os_error(path, exc))
    except MemoryError:
        return Outcome.failed(path, sha, TooLarge(path, f"reading and extracting it needs more memory than the "
                                                        f"ceiling of {limits.max_memory_bytes:,} bytes "
                                                        "(ReadLimits.max_memory_bytes)"))
    except RecursionError as exc:
        return Outcome(path, "failed", sha, error_kind="read_error",
                       message=f"{printable(path)}: {type(exc).__name__}: {exc}")


def bounded(path: str, sha: str | None, future, limits: ReadLimits, source: str = "file") -> Outcome:
    """The outcome of a task run in a worker (runs/workers.py): its own, or the limit that stopped it."""
    from pipeline.runs.workers import TaskTimedOut, WorkerDied
    try:
        return future.result()
    except TaskTimedOut as exc:
        return Outcome.failed(path, sha, Timeout(path, f"reading and extracting it took longer than {exc.seconds:g} s "
                                                       "(ReadLimits.max_seconds_per_file): stopped"), source)
    except WorkerDied as exc:
        if exc.exitcode == -signal.SIGKILL:  # SIGKILL from outside: the kernel's OOM killer, most likely
            return Outcome.failed(path, sha, TooLarge(path, f"{exc}"), source)
        if exc.exitcode == -signal.SIGABRT:
            # at the worker's memory ceiling an allocation can fail where Python cannot raise
            # MemoryError any more (Fatal Python error: Cannot recover from MemoryErrors …), or in
            # native code: the interpreter aborts
            return Outcome.failed(path, sha, TooLarge(path, f"{exc}: most likely out of memory under the ceiling of "
                                                            f"{limits.max_memory_bytes:,} bytes "
                                                            "(ReadLimits.max_memory_bytes)"), source)
        return Outcome.failed(path, sha, ExtractionError(path, exc), source)
