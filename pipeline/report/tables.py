"""One query's result to one file, for `obligations export --query` and `obligations panel --out`:
CSV (UTF-8 with the BOM Excel needs), XLSX (one sheet) or Parquet. The whole-database export's
rules hold (pipeline/report/analyst.py, report/output.py): lists as JSON arrays in CSV and XLSX,
formula-like text neutralised, Excel's cell limit kept; the target checked first (never the database
or a source document; a file of another kind only with `force`), written to a temporary file and
renamed into place, so a failed query or write leaves the previous file whole."""
from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from pipeline.report.analyst import _ROWS_PER_BATCH, _cell, _release, _xlsx_value, write_parquet
from pipeline.report.output import Protected, atomic, check_target, marked_workbook, neutralise

FORMATS = ("csv", "xlsx", "parquet")


class NotOneQuery(ValueError):
    """What was given is not one SELECT statement."""


def one_select(query: str) -> str:
    """`query` as one statement without its final semicolon; NotOneQuery unless it is a single
    SELECT (a WITH … SELECT, a VALUES list): an export reads, it runs nothing else."""
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise NotOneQuery(f"the query does not parse: {exc}") from None
    if len(statements) != 1:
        raise NotOneQuery(f"give one query, not {len(statements)} statements")
    if statements[0].type != duckdb.StatementType.SELECT:
        raise NotOneQuery(f"only a SELECT query is exported, not a {statements[0].type.name} statement")
    return statements[0].query.strip().rstrip(";").strip()


def _csv(cur: duckdb.DuckDBPyConnection, path: Path) -> int:
    n = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([d[0] for d in cur.description])
        while batch := cur.fetchmany(_ROWS_PER_BATCH):
            writer.writerows([neutralise(_cell(v)) for v in row] for row in batch)
            n += len(batch)
    return n


def _xlsx(cur: duckdb.DuckDBPyConnection, path: Path, sheet: str) -> int:
    from lxml.etree import SerialisationError  # openpyxl writes through lxml when it is installed

    n = 0
    wb = marked_workbook()
    try:
        ws = wb.create_sheet(title=sheet[:31])
        ws.append([d[0] for d in cur.description])
        while batch := cur.fetchmany(_ROWS_PER_BATCH):
            for row in batch:
                ws.append([_xlsx_value(v) for v in row])
            n += len(batch)
        wb.save(path)
    except SerialisationError as exc:
        _release(wb)
        raise OSError(f"writing {path.name} failed: {exc}") from exc
    return n


def write_query(con: duckdb.DuckDBPyConnection, sql: str, fmt: str, target: Path, sheet: str = "result",
                force: bool = False) -> int:
    """Write the result of `sql` to `target` in `fmt`; returns its number of rows. Raises
    OutputRefused (nothing written), OutputFailed (a type the format cannot hold) and duckdb.Error
    (the query failed): nothing replaced; OSError."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of: {', '.join(FORMATS)}")
    target = Path(target)
    protected = Protected(con)  # queries the connection: before the query whose rows are written
    # a CSV of ours is told by its header: the query runs first (it writes nothing) to give it
    cur = con.execute(sql) if fmt != "parquet" else None
    header = [d[0] for d in cur.description] if fmt == "csv" else None
    check_target(target, fmt, protected, force, header=header)
    with atomic(target) as tmp:
        if fmt == "parquet":
            return write_parquet(con, sql, tmp)
        return _csv(cur, tmp) if fmt == "csv" else _xlsx(cur, tmp, sheet)
