"""A study's commands: `panel` (one row per document, or sums by city × year …), `meta import` (one's
own columns and corrections), and the query form of `export`. `register(app)` adds them to the
`obligations` command line; the work is done in pipeline/report/ and pipeline/store/meta.py."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.common import DB_OPTION, fail, open_read_only, stderr, writing_output
from pipeline.cli.layout import print_result
from pipeline.errors import DatabaseBusy
from pipeline.settings import DEFAULT_DB


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


def write_file(con, sql: str, fmt: str, out: Path, sheet: str, force: bool = False) -> None:
    """Write a query's result to `out`, or fail with the reason (nothing replaced)."""
    from pipeline.report.tables import write_query
    with writing_output(out, failed="query failed"):
        n = write_query(con, sql, fmt, out, sheet=sheet, force=force)
    typer.echo(f"{out} ({n} rows)")


def export_query(query: str, fmt: str, out: Path, db: Path, force: bool) -> None:
    """`obligations export --query`: one SELECT's result to the file `out` (a read connection: the
    query can read the database and nothing else)."""
    from pipeline.report.tables import NotOneQuery, one_select
    try:
        sql = one_select(query)
    except NotOneQuery as exc:
        fail(str(exc))
    con = open_read_only(db)
    try:
        write_file(con, sql, fmt, out, sheet="result", force=force)
    finally:
        con.close()


def _percent(value) -> str:
    return "" if value is None else f"{100 * value:.1f} %"


def register(app: typer.Typer) -> None:
    """Add `panel` and `meta import` to the `obligations` app."""
    meta = typer.Typer(help="One's own columns (policy field, coding …) and corrections, kept across re-ingest.",
                       no_args_is_help=True)
    app.add_typer(meta, name="meta")

    @app.command("panel")
    def panel_command(
        by: Annotated[list[str] | None, typer.Option("--by", help="group by these panel columns "
                                                     "(repeatable or comma-separated: --by city,year)")] = None,
        fmt: Annotated[str, typer.Option("--format", help="table | csv | xlsx | parquet")] = "table",
        out: Annotated[Path | None, typer.Option("--out", help="the file to write (csv, xlsx, parquet)")] = None,
        db: DB_OPTION = DEFAULT_DB,
        force: Annotated[bool, typer.Option("--force", help="overwrite an existing file of another kind")] = False,
    ) -> None:
        """One row per document — jurisdiction (province, city, district), year, outer and inner
        type, counts and shares of obligations, coverage, one's own columns — or their sums by
        the columns given with --by. The table shows a preview; files get every column."""
        import duckdb

        from pipeline.report.panel import PREVIEW, panel_sql
        from pipeline.report.tables import FORMATS
        if fmt not in ("table", *FORMATS):
            fail(f"unknown format {fmt!r}; one of: table, {', '.join(FORMATS)}")
        if fmt in ("xlsx", "parquet") and out is None:
            fail(f"--format {fmt} writes a file: give --out FILE")
        if fmt == "table" and out is not None:
            fmt = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}.get(out.suffix.lower(), "")
            if not fmt:
                fail(f"say which format {out} is: --format csv|xlsx|parquet")
        groups = _split(by)
        con = open_read_only(db)
        try:
            try:
                sql = panel_sql(con, groups)
            except ValueError as exc:
                fail(str(exc))
            except duckdb.CatalogException:
                fail(f"{db} has no document panel yet: run `obligations ingest` on it once")
            if out is not None:
                write_file(con, sql, fmt, out, sheet="panel", force=force)
                return
            cur = con.execute(sql)
            columns = [d[0] for d in cur.description]
            rows = cur.fetchall()
        finally:
            con.close()
        if fmt == "csv":
            print_result(columns, rows, "csv")
            return
        keep = [c for c in (groups + ["n_documents"] if groups else PREVIEW) if c in columns]
        keep += [c for c in ("n_obligations", "share_with_deadline", "share_with_lead", "coverage")
                 if groups and c in columns]
        idx = [columns.index(c) for c in keep]
        shown = [tuple(_percent(r[i]) if (columns[i].startswith("share_") or columns[i] == "coverage") else r[i]
                       for i in idx) for r in rows]
        print_result(keep, shown, "table")
        stderr.print(f"{len(rows)} rows; {len(columns)} columns in all: --format csv|xlsx|parquet --out FILE "
                   "writes every one", highlight=False)

    @meta.command("import")
    def meta_import_command(
        file: Annotated[Path, typer.Argument(help="a CSV or XLSX file: a doc_id or file column, then any columns")],
        sheet: Annotated[str | None, typer.Option("--sheet", help="XLSX: the sheet to read (default: the first)")
                         ] = None,
        allow_unknown: Annotated[bool, typer.Option("--allow-unknown", help="keep rows naming no stored document "
                                                    "(for files not ingested yet)")] = False,
        replace: Annotated[bool, typer.Option("--replace", help="the file becomes the whole table: rows and "
                                              "columns not in it are dropped")] = False,
        db: DB_OPTION = DEFAULT_DB,
    ) -> None:
        """Import one's own metadata, keyed by doc_id or by file (name or path): any extra columns
        (policy field, coding …) and corrections of jurisdiction, year and doc_type. Every row is
        checked first; a file with a bad row imports nothing and each bad row is named. The table
        survives re-ingest and reprocess and is joined into the panel and every view."""
        from pipeline.store.meta import MetaImportError, import_file
        try:
            s = import_file(db, file, sheet=sheet, allow_unknown=allow_unknown, replace=replace)
        except MetaImportError as exc:
            fail(str(exc))
        except (FileNotFoundError, DatabaseBusy) as exc:
            fail(str(exc))
        typer.echo(f"imported {s.rows} rows from {file} into {db}: {s.inserted} new, {s.updated} updated"
                   + (f"; new columns: {', '.join(s.columns_added)}" if s.columns_added else ""))
        if s.unknown_keys:
            typer.echo(f"  {len(s.unknown_keys)} rows name no stored document yet: {', '.join(s.unknown_keys[:10])}")
