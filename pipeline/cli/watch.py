"""The `watch`, `serve` and `reprocess` commands, added to the `obligations` app by `register(app)`.

Also runnable on its own: `python -m pipeline.cli.watch watch --inbox DIR --once`.
Exit codes: 0 done (Ctrl-C included: a clean stop), 2 a usage or setup error (no inbox, no database,
a bad schedule, the Prefect server did not start), 75 the database was busy with another writer
(EX_TEMPFAIL: try again later; a looping `watch` reports it and carries on instead).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.text import Text

from pipeline.cli.common import DB_OPTION, fail, stderr
from pipeline.errors import DatabaseBusy, ServerFailed
from pipeline.flows import prefect_defaults
from pipeline.settings import DEFAULT_DB

EXIT_BUSY = 75
# markup off: paths and messages are data (a file named `[/x].txt` would raise, `[link=…]` render)
out = Console(highlight=False, soft_wrap=True, markup=False)  # one line per cycle, also in logs
INBOX_OPTION = Annotated[Path, typer.Option("--inbox", help="the folder new documents arrive in (recursive)")]


def _seconds(value: float | None) -> float | None:
    """A number of seconds: finite and not negative (--settle -5 or nan is a usage error, not a traceback)."""
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise typer.BadParameter(f"{value} is not a number of seconds (0 or more)")
    return value


SETTLE_OPTION = Annotated[float, typer.Option("--settle", callback=_seconds,
                                              help="seconds a file's size must stay the same before it is read")]
MAX_WAIT_OPTION = Annotated[float, typer.Option(
    "--max-wait", callback=_seconds,
    help="seconds to wait for files still being written before leaving them to the next cycle")]
WORKERS_OPTION = Annotated[int, typer.Option("--workers", help="extraction processes")]
STATE_OPTION = Annotated[Path, typer.Option("--state-dir", help="folder for the local Prefect server's home")]


def print_cycle(summary) -> None:
    """One line per cycle, then one line per error and per waiting file."""
    if summary.busy:
        stderr.print(Text.assemble(("busy:", "yellow"), f" {summary.busy}; this cycle is skipped"))
        return
    if summary.error:
        stderr.print(Text.assemble(("cycle failed:", "red"), f" {summary.error}; the next cycle tries again"))
        return
    r = summary.run
    out.print(f"cycle {r.run_id}: {r.n_files} ready, new {r.new}  unchanged {r.unchanged}  replaced {r.replaced}  "
              f"failed {r.failed}  skipped {r.skipped}  obligations stored {r.obligations}"
              + (f"  duplicates {r.duplicates}  moved {r.moved}" if r.duplicates or r.moved else "")
              + (f"  waiting {len(summary.waiting)}" if summary.waiting else ""))
    for _path, kind, message in r.errors:
        out.print(Text.assemble("  ", (kind, "yellow"), " ", message))
    for path in summary.waiting:
        out.print(Text.assemble("  ", ("waiting", "dim"), f" {path} (empty or still being written: next cycle)"))


def watch_command(inbox: INBOX_OPTION, db: DB_OPTION = DEFAULT_DB,
                  once: Annotated[bool, typer.Option("--once", help="run one cycle and exit")] = False,
                  interval: Annotated[float, typer.Option("--interval", callback=_seconds,
                                                          help="seconds between cycles")] = 300.0,
                  settle: SETTLE_OPTION = 2.0, max_wait: MAX_WAIT_OPTION = 60.0,
                  workers: WORKERS_OPTION = 1) -> None:
    """Ingest what is new or changed in an inbox folder (by content hash), once or every --interval
    seconds; each cycle is recorded in ingest_runs. No Prefect needed (see `serve` for that)."""
    from pipeline.runs import watch

    if not inbox.is_dir():
        fail(f"no inbox folder at {inbox}")
    options = {"settle": watch.Settle(settle, max_wait), "workers": workers}
    try:
        if once:
            summary = watch.watch_cycle(inbox, db, **options)
            print_cycle(summary)
            if summary.busy:
                raise typer.Exit(EXIT_BUSY)
            return
        out.print(f"watching {inbox.absolute()} every {interval:g} s into {db}; Ctrl-C stops")
        watch.watch_loop(inbox, db, interval=interval, report=print_cycle, **options)
    except FileNotFoundError as exc:
        fail(str(exc))
    except (OSError, duckdb.Error) as exc:  # --once: the one cycle could not run (a looping watch goes on)
        fail(f"the cycle failed: {type(exc).__name__}: {exc}")
    except KeyboardInterrupt:
        out.print("stopped")


def serve_command(inbox: INBOX_OPTION, db: DB_OPTION = DEFAULT_DB,
                  cron: Annotated[str | None, typer.Option("--cron", help='a cron schedule, e.g. "0 * * * *"')] = None,
                  interval: Annotated[float | None, typer.Option(
                      "--interval", callback=_seconds, help="seconds between cycles (default 3600 when no --cron)")] = None,
                  name: Annotated[str, typer.Option("--name", help="the deployment's name")] = "watch-inbox",
                  settle: SETTLE_OPTION = 2.0, max_wait: MAX_WAIT_OPTION = 60.0, workers: WORKERS_OPTION = 1,
                  state_dir: STATE_OPTION = Path(".state"),
                  port: Annotated[int | None, typer.Option(
                      "--port", help="port of the local Prefect server (default 4200, or a free one)")] = None,
                  ) -> None:
    """Serve the watch cycle as a Prefect deployment on a schedule. Without PREFECT_API_URL a local
    Prefect server is started on 127.0.0.1 for as long as this runs (its data in --state-dir)."""
    prefect_defaults()
    from pipeline.flows import serve

    if not inbox.is_dir():
        fail(f"no inbox folder at {inbox}")
    if cron is None and interval is None:
        interval = 3600.0
    try:
        serve.serve_watch(inbox, db, cron=cron, interval=interval, name=name, settle_seconds=settle,
                          max_wait_seconds=max_wait, workers=workers, state_dir=state_dir, port=port,
                          announce=out.print)
    except ValueError as exc:
        fail(str(exc))
    except ServerFailed as exc:
        fail(str(exc))
    except KeyboardInterrupt:  # a Ctrl-C outside the runner (while the server starts)
        out.print("stopped")


def reprocess_command(db: DB_OPTION = DEFAULT_DB,
                      stale: Annotated[bool, typer.Option(
                          "--stale/--all", help="only documents stored by another pipeline version, or all")] = True,
                      workers: WORKERS_OPTION = 1) -> None:
    """Re-run extraction for stored documents (from the original file when it still has the same
    bytes, else from the stored text), each batch replaced in one transaction."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from pipeline.runs.reprocess import reprocess

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=stderr, transient=True) as bar:
        job = bar.add_task("reprocessing", total=None)
        try:
            s = reprocess(db, stale_only=stale, workers=workers,
                          progress=lambda done, total: bar.update(job, completed=done, total=total))
        except DatabaseBusy as exc:
            fail(str(exc), EXIT_BUSY)
        except FileNotFoundError as exc:
            fail(str(exc))
    which = "stale " if stale else ""
    out.print(f"reprocessed {s.reprocessed} of {s.candidates} {which}documents in {db} (run {s.run_id}, "
              f"pipeline {s.pipeline_version}): from the file {s.from_file}, from the stored text {s.from_stored}, "
              f"failed {s.failed}, obligations stored {s.obligations}")
    for path, kind, message in s.errors:
        out.print(Text.assemble("  ", (kind, "yellow"), " ", message))


def register(app: typer.Typer) -> None:
    """Add `watch`, `serve` and `reprocess` to `app`."""
    app.command("watch")(watch_command)
    app.command("serve")(serve_command)
    app.command("reprocess")(reprocess_command)


def standalone_app() -> typer.Typer:
    app = typer.Typer(add_completion=False, no_args_is_help=True,
                      help="Watch an inbox, serve it on a schedule, reprocess stale documents.")
    register(app)
    return app


if __name__ == "__main__":
    standalone_app()()
