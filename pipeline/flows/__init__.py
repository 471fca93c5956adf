"""Prefect orchestration: the ingest flow and its tasks (ingest.py), the watch flow served on a
schedule with a local Prefect server (serve.py), the ingest flow on Dask (dask_runner.py). The only
part of `pipeline` that imports Prefect. It may import runs, store and the base modules (errors,
settings, version); only cli imports it."""
from __future__ import annotations

import os
from pathlib import Path


def prefect_defaults() -> None:
    """Quiet, offline-friendly Prefect settings unless the user set them (the ephemeral server can
    take over a minute to start on a loaded machine, hence the long timeout; docs/PERFORMANCE.md).
    Called by the commands before they import a flow: Prefect reads them when it is imported."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_HOME", str(Path(".state/prefect").absolute()))
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)  # its sqlite file goes here
