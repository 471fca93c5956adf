"""`--runner dask`: extraction on a Dask cluster through prefect-dask, storing by one writer.

Extraction is a pure function of a file's bytes (pipeline/process.py), so it can run on any
machine that sees the files; storing stays with the one process that holds the database's writer
lock. `run_ingest_dask` is `run_ingest` with one step swapped: each batch of files is cut into
chunks, each chunk is a Prefect task submitted to prefect-dask's `DaskTaskRunner` (a LocalCluster of
worker processes, or any Dask scheduler address), and the outcomes come back to this process,
which stores them batch by batch exactly as the default runner does. Same files, same rows.

Needs the optional extra: `pip install -e ".[dask]"` (prefect-dask, dask, distributed).

Dask workers report their task runs to the Prefect API. In ephemeral mode (no PREFECT_API_URL)
every worker process would start its own temporary Prefect server (measured here: 67 s before
the first task), so this runner gives them one: the configured API, or a local server started for
the run (pipeline/serve.py). Workers on other machines cannot reach a server on this machine's
loopback: with a remote scheduler address, set PREFECT_API_URL to a server they can reach.
"""
from __future__ import annotations

import ipaddress
import logging
import os
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from prefect import flow

from pipeline import flows, ingest, serve, store
from pipeline.process import Outcome
from pipeline.version import pipeline_version

DEFAULT_CHUNK = 4  # files per Dask task: a Prefect task costs ~0.1-0.5 s here, a document ~0.3-1 s


class VersionMismatch(RuntimeError):
    """A worker extracted with other extractor code than the writer's: rows would mix versions."""


def dask_task_runner(address: str | None = None, n_workers: int = 2):
    """prefect-dask's DaskTaskRunner: on the scheduler at `address`, else on a LocalCluster of
    `n_workers` processes with one thread each (extraction is CPU-bound Python: threads would share
    one GIL) and its dashboard on a free port (the fixed 8787 clashes between runs)."""
    # Dask logs every worker start and connection at INFO; the workers read this at their start
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    logging.getLogger("distributed").setLevel(logging.WARNING)
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_class="distributed.LocalCluster",
                          cluster_kwargs={"n_workers": n_workers, "threads_per_worker": 1, "processes": True,
                                          "dashboard_address": ":0"})


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def lean_known(known: ingest.Known, current_version: str) -> ingest.Known:
    """What a worker needs of the stored state, and no more (it travels with every task): the
    hashes stored by the current version (to skip unchanged bytes) and the failed (path, hash)
    pairs. Documents stored by another version are re-extracted anyway, and paths are the
    writer's business."""
    return ingest.Known(versions={sha: v for sha, v in known.versions.items() if v == current_version},
                        by_path={}, failed=set(known.failed))


def cluster_extract(chunk_size: int = DEFAULT_CHUNK) -> Callable:
    """An extract step for `run_ingest` that fans a batch out as Dask tasks and returns the outcomes
    in the batch's order. Raises VersionMismatch when a worker runs other extractor code."""

    def extract(paths: list[str], known: ingest.Known, limits, pool, ingested_at) -> list[Outcome]:
        current = pipeline_version()
        lean = lean_known(known, current)
        futures = [flows.extract_task.submit(chunk, lean, limits, None, ingested_at)
                   for chunk in _chunks(paths, chunk_size)]
        outcomes = [oc for future in futures for oc in future.result()]
        for oc in outcomes:
            if oc.extraction is not None and oc.extraction.document.pipeline_version != current:
                raise VersionMismatch(
                    f"a Dask worker extracted {oc.path} with pipeline version "
                    f"{oc.extraction.document.pipeline_version}, this process has {current}: install the same "
                    "code on every worker")
        return outcomes

    return extract


@flow(name="ingest-dask", log_prints=False, validate_parameters=False)
def dask_ingest_flow(paths: list[str], db: str = str(store.DEFAULT_DB), batch_size: int = 32,
                     chunk_size: int = DEFAULT_CHUNK, follow_symlinks: bool = False, progress=None) -> dict:
    """The ingest flow with extraction on the flow's task runner (set with `.with_options`)."""
    summary = ingest.run_ingest(paths, Path(db), workers=1, batch_size=batch_size, follow_symlinks=follow_symlinks,
                                extract=cluster_extract(chunk_size), store_fn=flows.store_task, progress=progress)
    return summary.as_dict()


def _is_loopback(address: str) -> bool:
    host = urllib.parse.urlsplit(address if "://" in address else f"tcp://{address}").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_ingest_dask(paths: list[str], db: Path = store.DEFAULT_DB, *, address: str | None = None,
                    n_workers: int = 2, chunk_size: int = DEFAULT_CHUNK, batch_size: int | None = None,
                    follow_symlinks: bool = False, progress: Callable[[int, int], None] | None = None,
                    state_dir: Path = serve.STATE_DIR) -> dict:
    """Ingest `paths` into `db` with extraction on Dask; returns the run summary as a dict (the same
    keys as `ingest_flow`). Raises DatabaseBusy, FileNotFoundError like run_ingest, ValueError when
    a remote scheduler is given without a Prefect API its workers can reach."""
    if address and not _is_loopback(address) and not serve.configured_api_url():
        raise ValueError(f"workers of the Dask scheduler at {address} cannot reach a Prefect server on this "
                         "machine's loopback: set PREFECT_API_URL to a Prefect server they can reach")
    # a batch gives every worker a few chunks, so that one slow document does not idle the others
    batch_size = batch_size or max(32, chunk_size * n_workers * 2)
    with serve.prefect_api(state_dir):
        runner_flow = dask_ingest_flow.with_options(task_runner=dask_task_runner(address, n_workers))
        return runner_flow([str(p) for p in paths], str(db), batch_size=batch_size, chunk_size=chunk_size,
                           follow_symlinks=follow_symlinks, progress=progress)
