"""`--runner dask`: extraction on a Dask cluster through prefect-dask, storing by one writer.

Extraction is a pure function of a file's bytes (pipeline/runs/process.py), so it can run on any
machine that sees the files; storing stays with the one process that holds the database's writer
lock. `run_ingest_dask` is `run_ingest` with the extraction pool swapped: as with local worker
processes, the writer hashes each file of a batch and settles the unchanged and failed-before ones
itself; the files to extract go out in chunks, each chunk a Prefect task on prefect-dask's
`DaskTaskRunner` (a LocalCluster of worker processes, or any Dask scheduler address), and the
outcomes come back to this process, which stores them batch by batch exactly as the default
runner does. Same files, same rows.

Needs the optional extra: `pip install -e ".[dask]"` (prefect-dask, dask, distributed).

Dask workers report their task runs to the Prefect API. In ephemeral mode (no PREFECT_API_URL)
every worker process would start its own temporary Prefect server (measured here: 67 s before
the first task), so this runner gives them one: the configured API, or a local server started for
the run (pipeline/flows/serve.py). Workers on other machines cannot reach a server on this machine's
loopback: with a remote scheduler address, set PREFECT_API_URL to a server they can reach.
"""
from __future__ import annotations

import concurrent.futures as cf
import ipaddress
import logging
import math
import os
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NONE

from pipeline.errors import VersionMismatch
from pipeline.flows import serve
from pipeline.flows.ingest import store_task
from pipeline.runs import ingest
from pipeline.runs.process import Outcome
from pipeline.settings import DEFAULT_DB
from pipeline.version import pipeline_version

# A Prefect task on Dask costs ~1.5 s here before its code starts (task-run bookkeeping through
# the API; measured with 4-file tasks: 13-15 s from submit to start for 10 tasks on 2 workers),
# a document ~0.2-0.6 s of extraction: so a batch is cut into one chunk per worker, and a
# batch gives each worker at least this many files.
MIN_FILES_PER_TASK = 8


def run_calls(calls: list[tuple[Callable, tuple, dict]]) -> list:
    """Worker side: the results of a chunk of calls, in order."""
    return [fn(*args, **kwargs) for fn, args, kwargs in calls]


run_calls_task = task(run_calls, name="extract-chunk", cache_policy=NONE, retries=0)


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


class _Chunk:
    """Calls sent together as one task; its results are fetched once, for all of them."""

    def __init__(self, handle):
        self.handle = handle  # what `submit_chunk` returned: has .result()
        self.results: list | None = None

    def result(self, k: int):
        if self.results is None:
            self.results = self.handle.result()
        return self.results[k]


class _ChunkFuture(cf.Future):
    """A future whose call was (or will be) sent in a chunk; asking for its result sends the
    executor's pending calls first, then waits for its chunk."""

    def __init__(self, executor: TaskRunnerExecutor):
        super().__init__()
        self._executor = executor
        self._source: tuple[_Chunk, int] | None = None

    def result(self, timeout=None):
        if not self.done():
            if self._source is None:
                self._executor.dispatch()
            chunk, k = self._source
            self.set_result(chunk.result(k))  # a failed chunk task raises here, to the caller
        return super().result(timeout)


class TaskRunnerExecutor(cf.Executor):
    """A concurrent.futures.Executor that runs calls as Prefect tasks on the current flow's task
    runner (prefect-dask's, here), `chunk_size` calls per task: a Prefect task costs ~1.5 s of
    bookkeeping here, a document 0.1-0.6 s of extraction. It stands in for the process pool of
    `ingest.extract_batch`, which hashes each file in the writer, settles unchanged and failed-before
    files there, and submits only the files to extract: workers never get the stored catalogue.
    Calls are sent when a chunk is full and when a result is asked for."""

    def __init__(self, chunk_size: int, submit_chunk: Callable | None = None):
        self.chunk_size = max(1, chunk_size)
        self._submit_chunk = submit_chunk or run_calls_task.submit
        self._pending: list[tuple[_ChunkFuture, Callable, tuple, dict]] = []
        self.tasks = 0  # chunks sent

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        future = _ChunkFuture(self)
        self._pending.append((future, fn, args, kwargs))
        if len(self._pending) >= self.chunk_size:
            self.dispatch()
        return future

    def dispatch(self) -> None:
        """Send the pending calls as one task."""
        if not self._pending:
            return
        calls, self._pending = self._pending, []
        chunk = _Chunk(self._submit_chunk([(fn, args, kwargs) for _, fn, args, kwargs in calls]))
        self.tasks += 1
        for k, (future, *_) in enumerate(calls):
            future._source = (chunk, k)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if not cancel_futures:
            self.dispatch()
        self._pending = []


def cluster_extract(chunk_size: int) -> Callable:
    """An extract step for `run_ingest`: `ingest.extract_batch` with its pool replaced by Prefect
    tasks on the Dask task runner; outcomes in the batch's order. Raises VersionMismatch when a
    worker extracted with other code than this process's."""

    def extract(paths: list[str], known: ingest.Known, limits, pool, ingested_at) -> list[Outcome]:
        outcomes = ingest.extract_batch(paths, known, limits, TaskRunnerExecutor(chunk_size), ingested_at)
        current = pipeline_version()
        for oc in outcomes:
            if oc.extraction is not None and oc.extraction.document.pipeline_version != current:
                raise VersionMismatch(oc.path, oc.extraction.document.pipeline_version, current)
        return outcomes

    return extract


# The progress callback of the running `run_ingest_dask` call. Not a flow parameter: Prefect sends
# the flow run's context, parameters included, with every task to the Dask workers, and a callback
# holding a terminal progress bar (locks, a file) cannot be pickled (measured: the first task fails).
_progress: Callable[[int, int], None] | None = None


def _report_progress(done: int, total: int) -> None:
    if _progress is not None:
        _progress(done, total)


@flow(name="ingest-dask", log_prints=False, validate_parameters=False)
def dask_ingest_flow(paths: list[str], db: str = str(DEFAULT_DB), batch_size: int = 32,
                     chunk_size: int = 16, follow_symlinks: bool = False) -> dict:
    """The ingest flow with extraction on the flow's task runner (set with `.with_options`)."""
    summary = ingest.run_ingest(paths, Path(db), workers=1, batch_size=batch_size, follow_symlinks=follow_symlinks,
                                extract=cluster_extract(chunk_size), store_fn=store_task,
                                progress=_report_progress)
    return summary.as_dict()


def _is_loopback(address: str) -> bool:
    host = urllib.parse.urlsplit(address if "://" in address else f"tcp://{address}").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_ingest_dask(paths: list[str], db: Path = DEFAULT_DB, *, address: str | None = None,
                    n_workers: int = 2, chunk_size: int | None = None, batch_size: int | None = None,
                    follow_symlinks: bool = False, progress: Callable[[int, int], None] | None = None,
                    state_dir: Path = serve.STATE_DIR) -> dict:
    """Ingest `paths` into `db` with extraction on Dask; returns the run summary as a dict (the same
    keys as `ingest_flow`). Raises DatabaseBusy, FileNotFoundError like run_ingest, ValueError when
    a remote scheduler is given without a Prefect API its workers can reach."""
    if address and not _is_loopback(address) and not serve.configured_api_url():
        raise ValueError(f"workers of the Dask scheduler at {address} cannot reach a Prefect server on this "
                         "machine's loopback: set PREFECT_API_URL to a Prefect server they can reach")
    # one chunk per worker per batch (few tasks: each costs ~1.5 s of Prefect bookkeeping here);
    # with `address`, n_workers is the number of workers the cluster is expected to have
    batch_size = batch_size or max(32, MIN_FILES_PER_TASK * n_workers)
    chunk_size = chunk_size or max(1, math.ceil(batch_size / n_workers))
    global _progress
    with serve.prefect_api(state_dir):
        runner_flow = dask_ingest_flow.with_options(task_runner=dask_task_runner(address, n_workers))
        _progress = progress
        try:
            return runner_flow([str(p) for p in paths], str(db), batch_size=batch_size, chunk_size=chunk_size,
                               follow_symlinks=follow_symlinks)
        finally:
            _progress = None
