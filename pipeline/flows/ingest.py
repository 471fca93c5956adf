"""Prefect orchestration: thin tasks around the ingest steps, one flow over a list of paths.

Tasks are per batch of documents, never per sentence: a Prefect task costs ~60 ms here. Runs with
no server (Prefect's ephemeral mode) or against the server named by PREFECT_API_URL."""
from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NONE
from prefect.utilities.annotations import quote

from pipeline.runs import ingest
from pipeline.settings import DEFAULT_DB

_extract_task = task(ingest.extract_batch, name="extract-batch", cache_policy=NONE, retries=0)
_store_task = task(ingest.store_batch, name="store-batch", cache_policy=NONE)


# Prefect walks every task argument looking for futures to resolve; the catalogue of stored
# documents and a batch's extractions are large and hold none, so they go in quoted (measured: 0.69 s
# per 32-document batch spent walking them, none after).
def extract_task(paths, known, limits, pool, ingested_at):
    return _extract_task(paths, quote(known), limits, pool, ingested_at)


def store_task(db, run, outcomes, known, summary):
    return _store_task(db, run, quote(outcomes), quote(known), summary)


@flow(name="ingest", log_prints=False, validate_parameters=False)
def ingest_flow(paths: list[str], db: str = str(DEFAULT_DB), workers: int = 1, batch_size: int = 32,
                follow_symlinks: bool = False, progress=None) -> dict:
    """Ingest files and folders into a DuckDB file; returns the run summary as a dict."""
    summary = ingest.run_ingest(paths, Path(db), workers=workers, batch_size=batch_size,
                                follow_symlinks=follow_symlinks, extract=extract_task, store_fn=store_task,
                                progress=progress)
    return summary.as_dict()
