"""One file → an outcome (stored rows, unchanged, or a recorded error). Pure of the database:
it runs in worker processes; the single writer stores what it returns."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import (
    EmptyFile,
    ExtractionError,
    PipelineError,
    TooLarge,
    Vanished,
)
from pipeline.readers import read_document
from pipeline.settings import ReadLimits
from pipeline.version import pipeline_version

if TYPE_CHECKING:
    from extractors.analyze import Extraction

log = logging.getLogger("policy_obligations")


@dataclass
class Outcome:
    path: str
    status: str  # "extracted" | "unchanged" | "skipped" | "failed"
    sha256: str | None = None
    extraction: Extraction | None = None
    error_kind: str | None = None
    message: str | None = None


def file_sha256(path: Path) -> str:
    """sha256 of the file's bytes, read in chunks (every file gets one, bad ones too: a file that
    failed is not retried until its bytes change)."""
    try:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()
    except FileNotFoundError:
        raise Vanished(str(path), "the file disappeared between listing and reading") from None


def check_size(path: Path, limits: ReadLimits) -> None:
    size = path.stat().st_size
    if size == 0:
        raise EmptyFile(str(path), "the file is empty (0 bytes)")
    if size > limits.max_file_bytes:
        raise TooLarge(str(path), f"{size:,} bytes is over the limit of {limits.max_file_bytes:,} "
                                  "(ReadLimits.max_file_bytes)")


def process_file(path: str, known_versions: dict[str, str], failed: set[tuple[str, str]],
                 limits: ReadLimits | None = None, ingested_at: dt.datetime | None = None,
                 sha: str | None = None) -> Outcome:
    """Read and extract one file unless the same bytes are stored by this pipeline version.
    `sha` is the file's hash when the caller has it. Never raises for a bad file: the error
    becomes the outcome."""
    limits = limits or ReadLimits()
    p = Path(path)
    try:
        sha = sha or file_sha256(p)
        if known_versions.get(sha) == pipeline_version():
            return Outcome(path, "unchanged", sha)
        if (path, sha) in failed:
            return Outcome(path, "skipped", sha)  # failed before with these very bytes
        check_size(p, limits)
        doc = read_document(p, limits)
        doc.source_path = path
        # imported at the first document to extract: spaCy and the rule tables are 2 s of a start,
        # which a run that finds every file unchanged need not pay
        from extractors.analyze import analyze
        try:
            extraction = analyze(doc, pipeline_version=pipeline_version(),
                                 ingested_at=ingested_at or dt.datetime.now())
        except Exception as exc:  # an extractor bug must not stop the batch: recorded with its traceback
            log.error("extraction failed on %s\n%s", path, traceback.format_exc())
            raise ExtractionError(path, f"extraction failed: {type(exc).__name__}: {exc}") from exc
        return Outcome(path, "extracted", sha, extraction=extraction)
    except PipelineError as exc:
        return Outcome(path, "failed", sha, error_kind=exc.kind, message=str(exc))
    except (OSError, MemoryError, RecursionError) as exc:
        return Outcome(path, "failed", sha, error_kind="read_error", message=f"{path}: {type(exc).__name__}: {exc}")
