"""What the commands share: the error and note lines on standard error, the --db and --force
options, and the read-only connection of the commands that read the database.

Data (paths, file names, cell values, DuckDB's messages) never goes through rich markup: a file
named `[/x].txt` would raise, `[link=…]` would render. So the consoles here have markup off and
messages are assembled as Text."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, NoReturn

import duckdb
import typer
from rich.console import Console
from rich.text import Text

from pipeline.errors import DatabaseBusy

DB_OPTION = Annotated[Path, typer.Option("--db", help="the DuckDB file")]
FORCE_OPTION = Annotated[bool, typer.Option("--force", help="overwrite a source document or a file of another "
                                                            "kind (never the database)")]
# standard error: messages, progress bars and notes, never the data a command prints
stderr = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print `error: message` and end the command with `code`."""
    stderr.print(Text.assemble(("error:", "red"), " ", message))
    raise typer.Exit(code)


def note(message: str, label: str = "note:") -> None:
    stderr.print(Text.assemble((label, "yellow"), " ", message))


def open_read_only(db: Path, need_schema: bool = True) -> duckdb.DuckDBPyConnection:
    """The database read-only (pipeline.store.readonly's locked-down connection), waiting a few
    seconds for a writer. With `need_schema`, a file that is not an obligations database is refused,
    and one written by an older version is read through this version's views (with a note)."""
    from pipeline import store
    from pipeline.store import readonly, views
    try:
        con = store.connect(db, read_only=True, wait=5.0)
    except (DatabaseBusy, FileNotFoundError) as exc:
        fail(str(exc))
    except duckdb.Error as exc:  # not a DuckDB file, or one this DuckDB cannot read
        fail(f"cannot open {db} as a database: {exc}")
    if not need_schema:
        return con
    if not readonly.is_obligations_database(con):
        con.close()
        fail(f"{db} is not an obligations database (no schema_meta table): written by something else?")
    if not views.use_current(con):
        note(f"{db} was written by an older version; run `obligations ingest` on it to bring its tables up to date")
    return con


@contextlib.contextmanager
def writing_output(out: Path, failed: str = "export failed") -> Iterator[None]:
    """Turn what writing `out` can meet into one clear error line: a refusal (the database, a source
    document, another kind of file without --force), a type the format cannot hold, a full disk or
    an unwritable folder, DuckDB's error (`failed`, e.g. "query failed"). Outputs are written to a
    temporary file and renamed, so nothing was replaced in each case."""
    from pipeline.report.output import OutputFailed, OutputRefused
    try:
        yield
    except OutputRefused as exc:
        fail(f"not written: {exc}")
    except OutputFailed as exc:
        fail(f"not written: {out}: {exc}; nothing was replaced")
    except OSError as exc:
        fail(f"cannot write to {out}: {exc.strerror or exc}; nothing was replaced")
    except duckdb.Error as exc:
        fail(f"{failed}: {exc}; nothing was replaced")
