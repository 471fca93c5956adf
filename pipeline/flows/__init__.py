"""Prefect orchestration: the ingest flow and its tasks (ingest.py), the watch flow served on a
schedule with a local Prefect server (serve.py), the ingest flow on Dask (dask_runner.py). The only
part of `pipeline` that imports Prefect. It may import runs, store and the base modules (errors,
settings, version); only cli imports it."""
from __future__ import annotations

import logging
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


class _NoTracebackForRunErrors(logging.Filter):
    """A run that cannot go on (the database busy or not ours, a full disk, a read-only folder) is
    said by the command in one line; Prefect's logs of the failed task and flow keep their message
    but drop the traceback, which tells a person nothing more."""

    def filter(self, record: logging.LogRecord) -> bool:
        from pipeline.errors import DocumentError, PipelineError
        from pipeline.store.write import machine_failure
        exc = record.exc_info[1] if record.exc_info else None
        if (isinstance(exc, PipelineError) and not isinstance(exc, DocumentError)) or isinstance(exc, OSError) \
                or machine_failure(exc):
            record.exc_info, record.exc_text = None, None
        return True


def quiet_run_errors() -> None:
    """Install the filter above on Prefect's run loggers (after Prefect has configured logging)."""
    for name in ("prefect.task_runs", "prefect.flow_runs"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _NoTracebackForRunErrors) for f in logger.filters):
            logger.addFilter(_NoTracebackForRunErrors())
