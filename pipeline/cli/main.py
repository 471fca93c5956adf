"""The `obligations` command line."""
from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.text import Text

from pipeline.cli.common import DB_OPTION, fail, open_read_only, stderr
from pipeline.cli.layout import print_result
from pipeline.errors import PipelineError
from pipeline.flows import prefect_defaults
from pipeline.settings import DEFAULT_DB, LOW_COVERAGE

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Extract obligations from Chinese policy documents into DuckDB.")
@app.command()
def ingest(paths: Annotated[list[Path], typer.Argument(help="files and folders (recursive)")],
           db: DB_OPTION = DEFAULT_DB,
           workers: Annotated[int, typer.Option(help="extraction processes")] = 1,
           follow_symlinks: Annotated[bool, typer.Option(help="follow links that leave the given paths")] = False,
           prefect: Annotated[bool, typer.Option(help="run as a Prefect flow (off: call the steps directly)")] = True,
           batch_size: Annotated[int, typer.Option(help="documents per task and per write transaction batch",
                                                   min=1)] = 32,
           runner: Annotated[str, typer.Option(help="default | dask (extraction on Dask, pip install '.[dask]')")
                             ] = "default",
           dask_address: Annotated[str | None, typer.Option(help="a Dask scheduler (default: a LocalCluster "
                                                                 "of --workers processes)")] = None,
           ) -> None:
    """Ingest documents into the database and print a summary."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    if runner not in ("default", "dask"):
        fail(f"unknown runner {runner!r}; one of: default, dask")
    for p in paths:
        if not p.exists():
            fail(f"no such file or folder: {p}")
    from pipeline.store.write import skip_pandas_probe
    skip_pandas_probe()  # this process never hands pyarrow a pandas object
    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=stderr, transient=True) as bar:
        job = bar.add_task("ingesting", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(job, completed=done, total=total)

        try:
            if runner == "dask":
                prefect_defaults()
                from pipeline.flows.dask_runner import run_ingest_dask
                result = run_ingest_dask([str(p) for p in paths], db, address=dask_address,
                                         n_workers=max(workers, 1), follow_symlinks=follow_symlinks,
                                         progress=progress)
            elif prefect and _has_work(paths, db, follow_symlinks):
                prefect_defaults()
                result = _ingest_with_prefect(paths, db, workers, batch_size, follow_symlinks, progress)
            else:
                from pipeline.runs.ingest import run_ingest
                result = run_ingest([str(p) for p in paths], db, workers=workers, batch_size=batch_size,
                                    follow_symlinks=follow_symlinks, progress=progress).as_dict()
        # the database busy, the local Prefect server for Dask workers not started, a worker's other code
        except (PipelineError, FileNotFoundError, ValueError, ImportError) as exc:
            fail(str(exc))
        # the machine's failures: a database folder that cannot be written, a full disk, a file that is
        # not a DuckDB database. A batch being stored is rolled back whole; the next run finishes it.
        except (OSError, duckdb.Error) as exc:
            fail(_storing_failed(db, exc))
    _print_summary(result)


def _storing_failed(db: Path, exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, PermissionError) or "Permission denied" in text or "read-only file system" in text.lower():
        why = "the database or its folder cannot be written (permissions, or a read-only disk)"
    elif "No space left" in text or "File too large" in text or getattr(exc, "errno", None) in (28, 27):
        why = "the disk is full"
    elif "not a valid DuckDB database" in text:
        why = "the file is not a DuckDB database"
    else:
        why = f"{type(exc).__name__}"
    return (f"cannot store into {db}: {why}: {text.splitlines()[0] if text else type(exc).__name__}. "
            "Nothing half-stored: a batch is stored whole or not at all, and the next run goes on from there")


def _has_work(paths: list[Path], db: Path, follow_symlinks: bool) -> bool:
    """Whether some file needs reading: a run that finds nothing new or changed is recorded without
    starting Prefect (its first flow costs 10-20 s; such a run, well under one)."""
    from pipeline.runs.plan import files_to_read
    return files_to_read([str(p) for p in paths], db, follow_symlinks) != 0


def _ingest_with_prefect(paths: list[Path], db: Path, workers: int, batch_size: int, follow_symlinks: bool,
                         progress) -> dict:
    """The ingest flow: on the configured Prefect API, else on the local server a running `obligations
    serve` started (a flow there starts in about a second, and the run shows in its UI), else on
    Prefect's ephemeral server."""
    from pipeline.flows import quiet_run_errors
    from pipeline.flows.ingest import ingest_flow
    from pipeline.flows.serve import api_url_set, configured_api_url, running_local_server

    quiet_run_errors()

    def go() -> dict:
        return ingest_flow([str(p) for p in paths], str(db), workers=workers, batch_size=batch_size,
                           follow_symlinks=follow_symlinks, progress=progress)

    url = None if configured_api_url() else running_local_server()
    with _ctrl_c_ends_at_once():
        if url is None:
            if not configured_api_url():  # Prefect's ephemeral server: ended with this command, however it ends
                from pipeline.flows.leftovers import reap_when_gone
                reap_when_gone()
            return go()
        stderr.print(f"using the Prefect server of `obligations serve` at {url.removesuffix('/api')}")
        with api_url_set(url):
            return go()


@contextlib.contextmanager
def _ctrl_c_ends_at_once() -> Iterator[None]:
    """Ctrl-C during a Prefect run ends the command at once, as SIGTERM does. Left to Prefect, the
    KeyboardInterrupt sent it reporting the run's state to its ephemeral server, which the same
    Ctrl-C had stopped: about 70 s of retries and a page of tracebacks. Nothing is lost by leaving at
    once: every batch is stored in its own transaction (one half-stored is rolled back), the next
    run marks this one interrupted and finishes the files; the server and the workers end with
    this process."""
    def leave(signum, frame) -> None:
        stderr.print("interrupted: the batches stored so far are kept; the next run goes on from there")
        os._exit(128 + signum)

    try:
        previous = signal.signal(signal.SIGINT, leave)
    except ValueError:  # not the main thread (a test runner): leave Ctrl-C as it is
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _print_summary(s: dict) -> None:
    out = Console(highlight=False, markup=False)
    out.print(f"ingested {s['n_files']} files into {s['db']} (run {s['run_id']})", markup=False)
    out.print(f"  new {s['new']}  unchanged {s['unchanged']}  replaced {s['replaced']}  "
              f"failed {s['failed']}  skipped {s['skipped']}  obligations stored {s['obligations']}", markup=False)
    if s.get("duplicates") or s.get("moved"):
        out.print(f"  of the unchanged, {s.get('duplicates', 0)} duplicates (the same bytes as another file here, "
                  f"stored once); {s.get('moved', 0)} documents moved to a copy with their bytes (their file was "
                  "edited, renamed or deleted)", markup=False)
    for path in s.get("changing") or []:
        out.print(Text.assemble("  ", ("changing", "yellow"), f" {path}: written to while it was read; "
                                "not stored, left for the next run"))
    for path, kind, message in s["errors"]:
        out.print(Text.assemble("  ", (kind, "yellow"), " ", message))
    if s["ignored"]:
        out.print(f"  {len(s['ignored'])} other files ignored (not documents, or links leaving the paths)")
    low = s.get("low_coverage") or []
    if low:
        out.print(Text.assemble(("  warning:", "yellow"), f" {len(low)} documents with little of their text in "
                                f"obligations (coverage under {LOW_COVERAGE:.0%}): text probably lost, or no duties"))
        for path, coverage in low[:20]:
            out.print(f"    {coverage:.0%}  {path}")
        if len(low) > 20:
            out.print(f"    … {len(low) - 20} more: obligations info")


def _render(columns: list[str], rows: list[tuple], fmt: str, vertical_when_wide: bool = False) -> None:
    print_result(columns, rows, fmt, vertical_when_wide=vertical_when_wide)


@app.command()
def sql(query: Annotated[str, typer.Argument(help="a SQL query (the connection is read-only)")],
        db: DB_OPTION = DEFAULT_DB,
        format: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table") -> None:
    """Run a read-only SQL query against the database."""
    from pipeline.store import readonly
    if not query.strip(" \t\r\n;"):
        fail("the query is empty")
    if format not in ("table", "csv", "json"):
        fail(f"unknown format {format!r}; one of: table, csv, json")
    con = open_read_only(db, need_schema=False)  # any DuckDB file may be queried
    try:
        cur = con.execute(query)
        columns = [d[0] for d in cur.description] if cur.description else []
        _render(columns, cur.fetchall(), format, vertical_when_wide=True)
    except duckdb.Error as exc:
        if readonly.refusal(exc):
            fail(f"query {readonly.HINT}\n{exc}")
        fail(f"query failed: {exc}")
    finally:
        con.close()


@app.command()
def info(db: DB_OPTION = DEFAULT_DB) -> None:
    """Counts per table, formats, the last runs and the errors."""
    con = open_read_only(db)
    out = Console(markup=False, highlight=False)
    try:
        version = con.execute("SELECT value FROM schema_meta WHERE key = 'schema_version'").fetchone()[0]
        out.print(Text.assemble((str(db), "bold"), f"  schema version {version}"))
        tables = ["documents", "blocks", "obligations", "obligation_units", "deadlines", "quotas", "citations",
                  "ingest_runs", "ingest_errors"]
        _render(["table", "rows"], [(t, con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables],
                "table")
        _render(["format", "documents"], con.execute(
            "SELECT format, count(*) FROM documents GROUP BY 1 ORDER BY 1").fetchall(), "table")
        runs = con.execute("SELECT run_id, started_at, status, n_new, n_unchanged, n_replaced, n_failed, n_obligations "
                           "FROM ingest_runs ORDER BY started_at DESC LIMIT 5").fetchall()
        if any(r[2] == "running" for r in runs):
            from pipeline.store import writer_running
            if not writer_running(db):  # killed: no process holds the write lock (the next run records it)
                runs = [(*r[:2], "interrupted", *r[3:]) if r[2] == "running" else r for r in runs]
        _render(["run", "started", "status", "new", "unchanged", "replaced", "failed", "obligations"], runs, "table")
        _render(["path", "kind", "message"], con.execute(
            "SELECT path, kind, message FROM ingest_errors ORDER BY occurred_at DESC LIMIT 20").fetchall(), "table")
        has_coverage = con.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = 'documents' "
                                   "AND column_name = 'coverage'").fetchone()[0]  # absent in a database written before it existed
        low = con.execute(
            "SELECT source_path, round(coverage, 3), n_chars, (SELECT count(*) FROM obligations o "
            "WHERE o.doc_id = d.doc_id) FROM documents d WHERE coverage < ? ORDER BY coverage, source_path",
            [LOW_COVERAGE]).fetchall() if has_coverage else []
        if low:
            out.print(Text.assemble(("warning:", "yellow"), f" {len(low)} documents with coverage under "
                                    f"{LOW_COVERAGE:.0%} (share of the body inside obligations): text probably lost"))
            _render(["path", "coverage", "characters", "obligations"], low, "table")
    finally:
        con.close()


def _register_commands() -> None:
    """Commands kept in their own modules: compare/export/report, eval, panel/meta, watch/serve/reprocess."""
    from pipeline.cli.analyst import register as register_analyst
    from pipeline.cli.evaluate import register as register_eval
    from pipeline.cli.study import register as register_study
    from pipeline.cli.watch import register as register_watch
    register_analyst(app)
    register_eval(app)
    register_study(app)
    register_watch(app)


_register_commands()


def main() -> None:
    """The `obligations` command: the app, with a database that lacks a table a command reads (one
    dropped or renamed by hand; ingest re-creates missing tables) said in one line, not a traceback."""
    try:
        app()
    except duckdb.CatalogException as exc:
        message = " ".join(str(exc).split("\n")[0].split())
        stderr.print(Text.assemble(("error:", "red"), " the database lacks something this command reads "
                                   f"({message}): damaged or edited by hand? Ingest into a new file; an ingest "
                                   "into this one re-creates a missing table of results, empty, but not lost texts"))
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
