"""What every run shares — ingest, watch (an ingest of an inbox) and reprocess: the run record, the
batches, a batch's documents stored in one transaction, and every failure recorded (counted, listed
in the summary, written to ingest_errors) without stopping the run."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import duckdb

from pipeline import store, version
from pipeline.errors import DocumentError
from pipeline.runs.annexes import link_annexes
from pipeline.runs.process import Outcome
from schemas.records import IngestErrorRecord, IngestRunRecord

T = TypeVar("T")


def batches(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for i in range(0, len(items), size):
        yield list(items[i:i + size])


def new_run(kind: str | None, paths: list[str]) -> IngestRunRecord:
    """The record of a run starting now (stored in ingest_runs as its batches are)."""
    return IngestRunRecord(run_id=uuid.uuid4().hex[:16], started_at=dt.datetime.now(), kind=kind, paths=paths,
                           pipeline_version=version.pipeline_version())


@dataclass
class RunTally:
    """A run's counts as they grow batch by batch, and its errors as (path, kind, message)."""

    run_id: str
    db: str
    failed: int = 0
    obligations: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    def count_into(self, run: IngestRunRecord) -> None:
        """Copy the counts into the run record."""
        run.n_failed, run.n_obligations = self.failed, self.obligations


def record_failure(con: duckdb.DuckDBPyConnection, run: IngestRunRecord, tally: RunTally, outcome: Outcome,
                   error: DocumentError | None = None) -> None:
    """Count, list and store (ingest_errors) the failure of one document: `error` when storing it
    failed, else the failure its outcome carries (reading, extracting)."""
    kind = error.kind if error else outcome.error_kind or "error"
    message = str(error) if error else outcome.message or ""
    tally.failed += 1
    tally.errors.append((outcome.path, kind, message))
    store.record_error(con, IngestErrorRecord(run_id=run.run_id, path=outcome.path, content_sha256=outcome.sha256,
                                              kind=kind, message=message, occurred_at=dt.datetime.now()))


def store_extracted(con: duckdb.DuckDBPyConnection, run: IngestRunRecord, tally: RunTally,
                    todo: list[tuple[Outcome, list[str], bool]]) -> list[tuple[Outcome, list[str], bool]]:
    """Store extracted outcomes — each with the doc_ids it replaces and whether it was stored
    before — in one transaction (store.store_documents: a document that cannot be stored is kept
    out alone, and recorded here as failed). Returns the items stored."""
    results = store.store_documents(con, [(oc.extraction.rows(), replaces, before) for oc, replaces, before in todo])
    stored = []
    for item, error in zip(todo, results):
        if error is None:
            stored.append(item)
        else:  # rows that break a key or a type: this document only
            record_failure(con, run, tally, item[0], error)
    return stored


def close_batch(con: duckdb.DuckDBPyConnection, run: IngestRunRecord, tally: RunTally) -> None:
    """After a batch is stored, in the same connection: link the annexes (a batch may bring an annex
    or the document that lists it) and save the run record with the counts so far."""
    link_annexes(con)
    tally.count_into(run)
    store.save_run(con, run)
