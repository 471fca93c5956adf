"""The analysts' commands: `compare`, `export`, `report`. `register(app)` adds them to the
`obligations` command line (pipeline/cli/main.py); the work is done by pipeline/report/analyst.py and
pipeline/report/."""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.cli.common import DB_OPTION, FORCE_OPTION, fail, open_read_only, stderr, writing_output
from pipeline.report.analyst import EXPORT_FORMATS, SUBJECTS, Comparison, Filters, compare, export, pivot_quotas
from pipeline.report.output import neutralise
from pipeline.settings import DEFAULT_DB

DEFAULT_REPORT = Path("outputs/report.html")
# columns that identify rows for programs; the terminal table leaves them out
_ID_COLUMNS = {"doc_id", "quota_id", "obligation_id", "citation_key", "deadline_id"}
# longest text shown in a terminal cell (obligation sentences, titles)
_CELL_WIDTH = 60

def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)


def _short(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= _CELL_WIDTH else text[:_CELL_WIDTH - 1] + "…"


def _print_table(result: Comparison, wide_cells: bool = False) -> None:
    keep = [i for i, c in enumerate(result.columns) if c not in _ID_COLUMNS]
    table = Table(title=Text(result.title), show_lines=wide_cells)
    for i in keep:
        numeric = bool(result.rows) and all(isinstance(r[i], (int, float)) for r in result.rows if r[i] is not None)
        table.add_column(Text(result.columns[i]), justify="right" if numeric else "left")
    for row in result.rows:
        table.add_row(*[Text(_plain(row[i]) if wide_cells else _short(_plain(row[i]))) for i in keep])
    Console().print(table)
    if not result.rows:
        stderr.print("no rows (is the database empty, or are the filters too narrow?)")


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def emit(result: Comparison, fmt: str, wide_cells: bool = False) -> None:
    """Print a result as a rich table, CSV or JSON (machine formats keep every column)."""
    if fmt == "json":
        typer.echo(json.dumps(result.records(), ensure_ascii=False, default=_json_default, indent=1))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(result.columns)
        # formula-looking text cells get a leading apostrophe (report/output.py), as in the export
        writer.writerows([neutralise(json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v) for v in r]
                         for r in result.rows)
    else:
        _print_table(result, wide_cells)


def register(app: typer.Typer) -> None:
    """Add `compare`, `export` and `report` to the `obligations` app."""

    @app.command("compare")
    def compare_command(
        subject: Annotated[str, typer.Argument(help="quotas | deadlines | units | citations | terms")],
        category: Annotated[str | None, typer.Option("--category", help="a facility category, e.g. 养老")] = None,
        jurisdiction: Annotated[list[str] | None, typer.Option(
            "--jurisdiction", help="keep jurisdictions containing this name (repeatable)")] = None,
        fmt: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table",
        long: Annotated[bool, typer.Option("--long", help="quotas: one row per quota instead of "
                                                          "categories × jurisdictions side by side")] = False,
        top: Annotated[int, typer.Option("--top", help="terms: how many per group")] = 20,
        by: Annotated[str, typer.Option("--by", help="terms: jurisdiction | year | doc_type")] = "jurisdiction",
        db: DB_OPTION = DEFAULT_DB,
    ) -> None:
        """Compare jurisdictions: quotas, deadlines, departments (units), citations, or word frequencies (terms)."""
        if subject not in (*SUBJECTS, "terms"):
            fail(f"unknown comparison {subject!r}; one of: {', '.join(SUBJECTS)}, terms")
        if fmt not in ("table", "csv", "json"):
            fail(f"unknown format {fmt!r}; one of: table, csv, json")
        try:
            filters = Filters(category=category, jurisdictions=tuple(jurisdiction or ()))
        except ValueError as exc:
            fail(str(exc))
        con = open_read_only(db)
        try:
            if subject == "terms":
                from pipeline.report.terms import compare_terms
                try:
                    result = compare_terms(con, filters, top=top, by=by)
                except ValueError as exc:
                    fail(str(exc))
            else:
                result = compare(con, subject, filters)
        finally:
            con.close()
        if subject == "quotas" and fmt == "table" and not long:
            emit(pivot_quotas(result), fmt, wide_cells=True)
        else:
            emit(result, fmt)

    @app.command("kwic")
    def kwic_command(
        term: Annotated[str, typer.Argument(help="a word or phrase, e.g. 海绵城市")],
        width: Annotated[int, typer.Option("--width", help="characters of context on each side", min=1)] = 20,
        limit: Annotated[int, typer.Option("--limit", help="at most this many lines", min=1)] = 200,
        jurisdiction: Annotated[list[str] | None, typer.Option(
            "--jurisdiction", help="keep jurisdictions containing this name (repeatable)")] = None,
        fmt: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table",
        db: DB_OPTION = DEFAULT_DB,
    ) -> None:
        """Keyword in context: every occurrence of a term with the text around it, its offsets and
        the obligation it stands in (the passage's anchor in `obligations report`)."""
        from pipeline.report.terms import kwic
        if fmt not in ("table", "csv", "json"):
            fail(f"unknown format {fmt!r}; one of: table, csv, json")
        con = open_read_only(db)
        try:
            found = kwic(con, term, width=width, limit=limit, filters=Filters(jurisdictions=tuple(jurisdiction or ())))
        except ValueError as exc:
            fail(str(exc))
        finally:
            con.close()
        columns = ["file", "start", "left", "term", "right", "obligation_id", "passage", "jurisdiction", "doc_id"]
        emit(Comparison(f"{term} in context", columns, [
            (c.file, c.start, c.left, c.term, c.right, c.obligation_id, c.passage, c.jurisdiction, c.doc_id)
            for c in found]), fmt)

    @app.command("export")
    def export_command(
        fmt: Annotated[str, typer.Option("--format", help="parquet | csv | xlsx")],
        out: Annotated[Path, typer.Option("--out", help="folder to write into (with --query: the file)")],
        query: Annotated[str | None, typer.Option("--query", help="export this one SELECT query's result "
                                                  "to the file --out instead of every table and view")] = None,
        db: DB_OPTION = DEFAULT_DB,
        force: FORCE_OPTION = False,
    ) -> None:
        """Export every table and view: Parquet or CSV (UTF-8 with BOM) files, or one XLSX workbook;
        with --query, one query's result to one file."""
        if fmt not in EXPORT_FORMATS:
            fail(f"unknown format {fmt!r}; one of: {', '.join(EXPORT_FORMATS)}")
        if query is not None:
            from pipeline.cli.study import export_query
            export_query(query, fmt, out, db, force)
            return
        con = open_read_only(db)
        try:
            with writing_output(out):
                paths = export(con, fmt, out, force=force)
        finally:
            con.close()
        for p in paths:
            typer.echo(str(p))

    @app.command("report")
    def report_command(
        out: Annotated[Path, typer.Option("--out", help="the HTML file to write")] = DEFAULT_REPORT,
        db: DB_OPTION = DEFAULT_DB,
        force: FORCE_OPTION = False,
    ) -> None:
        """Write one self-contained HTML report: comparisons, charts, and every document with its
        extracted spans highlighted."""
        from pipeline.report import write_report

        con = open_read_only(db)
        try:
            with writing_output(out, failed="report failed"):
                path = write_report(con, out, force=force)
        finally:
            con.close()
        typer.echo(str(path))
