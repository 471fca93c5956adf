"""Extraction worker processes, forked ready-made from a server that has loaded the pipeline.

A worker needs spaCy, jieba's dictionary, the user dictionary and the compiled rule tables: 5 s of
CPU to build. `spawn`ed workers paid it each (two workers were slower than one on a small batch).
With the `forkserver` context the server process builds it once (the preload below) and every
worker is a fork of it: copy-on-write, ready in milliseconds. Forking from the server, not from the
caller, keeps workers clear of the caller's threads (DuckDB, Prefect's event loop), which `fork`
would copy in whatever state they were.
"""
from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import sys
import threading

# imported by the fork server before it forks any worker (multiprocessing's preload)
_PRELOAD = "pipeline.runs.workers_preload"


def warm() -> None:
    """Build everything extraction needs in this process (a no-op after the first call)."""
    from extractors import analyze, nlp  # noqa: F401
    nlp.pipeline()


class LazyPool(cf.Executor):
    """A pool started at the first file to extract: a run that finds every file unchanged (a
    re-ingest, a watch cycle with nothing new) does not pay for the workers' start."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: cf.ProcessPoolExecutor | None = None
        self._lock = threading.Lock()  # batches are submitted from two threads at once

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        with self._lock:
            if self._pool is None:
                self._pool = pool(self.workers)
        return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def worker_pool(workers: int, n_items: int) -> LazyPool | None:
    """A pool of `workers` extraction processes for a run of `n_items` documents, started at the
    first document to extract; None when one process does (one worker asked, or one document)."""
    return LazyPool(workers) if workers > 1 and n_items > 1 else None


def pool(workers: int) -> cf.ProcessPoolExecutor:
    """A process pool of `workers` extraction workers. Linux and macOS fork them from a preloaded
    server; elsewhere (no forkserver) each worker is spawned and builds the pipeline itself."""
    if sys.platform != "win32" and "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([_PRELOAD])
    else:
        ctx = multiprocessing.get_context("spawn")
    # warm() again in each worker: a no-op when the preload ran, the build itself when it did not
    executor = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=warm)
    # start the server (and its 5 s preload) now, while the caller lists and hashes the files
    executor.submit(warm)
    return executor
