"""Prefect orchestration: the ingest flow and its tasks (ingest.py), the watch flow served on a
schedule with a local Prefect server (serve.py), the ingest flow on Dask (dask_runner.py). The only
part of `pipeline` that imports Prefect. It may import runs, store and the base modules (errors,
settings, version); only cli imports it."""
