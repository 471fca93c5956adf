"""What the analysts' commands compute: comparisons across jurisdictions and exports of every table
and view. Pure functions over a DuckDB connection (read-only is enough); the CLI
(pipeline/cli/analyst.py) and the HTML report (pipeline/report/) only present their results.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import decimal
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb

from extractors.categories import CATEGORIES
from pipeline.report.output import (OutputFailed, Protected, atomic, check_target, marked_schema, marked_workbook,
    neutralise)
from pipeline.store.views import VIEWS
from schemas.records import TABLES

Subject = Literal["quotas", "deadlines", "units", "citations"]
SUBJECTS: tuple[str, ...] = ("quotas", "deadlines", "units", "citations")
ExportFormat = Literal["parquet", "csv", "xlsx"]
EXPORT_FORMATS: tuple[str, ...] = ("parquet", "csv", "xlsx")
NO_CATEGORY = "—"  # how a row without a facility category is labelled in pivots
NO_JURISDICTION = "（未定）"  # a document whose jurisdiction is unknown, in pivots and charts


@dataclass(frozen=True)
class Comparison:
    """A result table: column names and rows (plain Python values)."""

    title: str
    columns: list[str]
    rows: list[tuple]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r)) for r in self.rows]


@dataclass(frozen=True)
class Filters:
    """Restrictions shared by the comparisons: a facility category, jurisdictions (a row matches
    when its jurisdiction contains any of the given names: 淄博 matches 淄博市)."""

    category: str | None = None
    jurisdictions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.category is not None and self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}; one of: {', '.join(CATEGORIES)}")

    def where(self, category_col: str | None = "category", jurisdiction_col: str = "jurisdiction",
              ) -> tuple[str, list[Any]]:
        """A SQL condition (always valid, 'true' when unrestricted) and its parameters."""
        parts, params = ["true"], []
        if self.category is not None and category_col:
            parts.append(f"{category_col} = ?")
            params.append(self.category)
        if self.jurisdictions:
            parts.append("(" + " OR ".join(f"contains(coalesce({jurisdiction_col}, ''), ?)"
                                           for _ in self.jurisdictions) + ")")
            params.extend(self.jurisdictions)
        return " AND ".join(parts), params


def _run(con: duckdb.DuckDBPyConnection, title: str, sql: str, params: list[Any]) -> Comparison:
    cur = con.execute(sql, params)
    return Comparison(title, [d[0] for d in cur.description], cur.fetchall())


def compare_quotas(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> Comparison:
    """Every quota by facility category and jurisdiction, with the requirement restated on a
    common basis (per 100 households, per 1000 people) where it has a per-basis."""
    where, params = filters.where()
    return _run(con, "quotas by facility category and jurisdiction", f"""
        SELECT coalesce(category, '{NO_CATEGORY}') AS category, jurisdiction, subject, requirement,
               norm_requirement AS normalised,
               surface, doc_title, doc_number, doc_id, quota_id
        FROM v_quota_comparison WHERE {where}
        ORDER BY category = '{NO_CATEGORY}', category, unit, per_unit NULLS LAST, jurisdiction, start""", params)


def compare_deadlines(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> Comparison:
    """Deadlines in time order with the obligation they govern and who leads it."""
    where, params = filters.where()
    return _run(con, "deadlines by date", f"""
        SELECT jurisdiction, date, kind, surface AS deadline, obligation_text AS obligation,
               array_to_string(coalesce(lead_units, []), '、') AS lead_units, category, doc_title, doc_id,
               obligation_id
        FROM v_deadline_timeline WHERE {where}
        ORDER BY date NULLS LAST, jurisdiction, doc_id, start""", params)


def compare_units(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> Comparison:
    """The departments (canonical units) of each jurisdiction and how many obligations they lead,
    cooperate on and implement (primary documents; generic mentions such as 有关部门 left out)."""
    where, params = filters.where(category_col="o.category", jurisdiction_col="d.jurisdiction")
    return _run(con, "departments per jurisdiction", f"""
        SELECT d.jurisdiction, u.canonical AS unit,
               count(DISTINCT u.obligation_id) FILTER (WHERE u.role = 'lead') AS lead,
               count(DISTINCT u.obligation_id) FILTER (WHERE u.role = 'cooperate') AS cooperate,
               count(DISTINCT u.obligation_id) FILTER (WHERE u.role = 'implement') AS implement,
               count(DISTINCT u.obligation_id) AS obligations, count(DISTINCT u.doc_id) AS documents
        FROM obligation_units u JOIN obligations o USING (obligation_id) JOIN v_documents d ON d.doc_id = u.doc_id
        WHERE d.is_primary AND NOT u.generic AND {where}
        GROUP BY d.jurisdiction, u.canonical
        ORDER BY d.jurisdiction NULLS LAST, obligations DESC, lead DESC, unit""", params)


def compare_citations(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> Comparison:
    """Which jurisdictions cite which standard or document (and whether it is in the corpus)."""
    where, params = filters.where(category_col=None, jurisdiction_col="c.jurisdiction")
    if filters.category is not None:
        # a citation belongs to the categories of the obligations that rely on it
        where += " AND list_contains(c.categories, ?)"
        params.append(filters.category)
    return _run(con, "citations across jurisdictions", f"""
        SELECT c.kind, max(c.code) AS code, arg_max(c.title, length(c.title)) AS title,
               count(DISTINCT c.jurisdiction) AS jurisdictions,
               array_to_string(list(DISTINCT c.jurisdiction ORDER BY c.jurisdiction), '、') AS cited_by,
               count(DISTINCT c.doc_id) AS documents, sum(c.n_mentions) AS mentions,
               max(t.title) AS in_corpus_as, c.citation_key
        FROM v_citations c LEFT JOIN documents t ON t.doc_id = c.cited_doc_id
        WHERE {where}
        GROUP BY c.citation_key, c.kind
        ORDER BY jurisdictions DESC, documents DESC, c.kind DESC, c.citation_key""", params)


COMPARATORS = {"quotas": compare_quotas, "deadlines": compare_deadlines, "units": compare_units,
               "citations": compare_citations}


def compare(con: duckdb.DuckDBPyConnection, subject: Subject, filters: Filters = Filters()) -> Comparison:
    if subject not in COMPARATORS:
        raise ValueError(f"unknown comparison {subject!r}; one of: {', '.join(SUBJECTS)}")
    return COMPARATORS[subject](con, filters)


def pivot_quotas(quotas: Comparison) -> Comparison:
    """The quota comparison side by side: one row per facility category, one column per
    jurisdiction, each cell listing that jurisdiction's requirements ("20 m2 / 100户 社区办公服务设施")."""
    recs = quotas.records()
    jurisdictions = sorted({r["jurisdiction"] or NO_JURISDICTION for r in recs})
    categories = list(dict.fromkeys(r["category"] for r in recs))
    cells: dict[tuple[str, str], list[str]] = {}
    for r in recs:
        line = r["requirement"] + (f"  {r['subject']}" if r["subject"] else f"  「{r['surface']}」")
        cells.setdefault((r["category"], r["jurisdiction"] or NO_JURISDICTION), []).append(line)
    rows = [(c, *("\n".join(cells.get((c, j), [])) for j in jurisdictions)) for c in categories]
    return Comparison(quotas.title, ["category", *jurisdictions], rows)


# ------------------------------------------------------------------ export

# Excel refuses cells longer than this; longer texts (documents.text) are cut with a marker
XLSX_CELL_LIMIT = 32767
_TRUNCATED = "…[truncated: full text in the CSV/Parquet export]"
# control characters Excel cannot store (openpyxl raises on them)
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def export_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every table of the schema and every view present in the database, in schema order."""
    present = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
    wanted = [m.__table__ for m in TABLES] + list(VIEWS)
    return [n for n in wanted if n in present]


def _cell(value: Any) -> Any:
    """A value as CSV/XLSX hold it: lists as JSON arrays, the rest unchanged."""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def write_parquet(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> int:
    """Write the result of `sql` to `path` through pyarrow, not DuckDB's COPY (the read connection
    may write no file at all); returns its number of rows. OutputFailed for a column type Parquet
    cannot hold (a UNION, an INTERVAL), OSError when the write fails."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 0
    reader = con.sql(sql).to_arrow_reader(_ROWS_PER_BATCH)
    try:
        with pq.ParquetWriter(path, marked_schema(reader.schema)) as writer:
            for batch in reader:
                writer.write_batch(batch)
                n += batch.num_rows
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        reason = " ".join(str(exc).split())
        raise OutputFailed(f"Parquet cannot hold this data ({reason}); export it as CSV or XLSX, "
                           "or cast the column to another type in a query") from None
    return n


def _export_parquet(con: duckdb.DuckDBPyConnection, name: str, path: Path) -> None:
    write_parquet(con, f"SELECT * FROM {name}", path)


def _export_csv(con: duckdb.DuckDBPyConnection, name: str, path: Path) -> None:
    cur = con.execute(f"SELECT * FROM {name}")
    # utf-8-sig writes the BOM that makes Excel read the file as UTF-8 (Chinese intact)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([d[0] for d in cur.description])
        while batch := cur.fetchmany(_ROWS_PER_BATCH):
            writer.writerows([neutralise(_cell(v)) for v in row] for row in batch)


def _xlsx_value(value: Any) -> Any:
    value = _cell(value)
    if isinstance(value, str):
        value = neutralise(_XLSX_ILLEGAL.sub("", value))
        if len(value) > XLSX_CELL_LIMIT:
            value = value[:XLSX_CELL_LIMIT - len(_TRUNCATED)] + _TRUNCATED
    elif isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # Excel has no time zones
    elif isinstance(value, dt.time) and value.tzinfo is not None:
        value = value.isoformat()  # a time of day with its offset (TIMETZ): as text, the offset kept
    elif not isinstance(value, (int, float, decimal.Decimal, dt.date, dt.time, dt.timedelta, type(None))):
        value = neutralise(_XLSX_ILLEGAL.sub("", str(value)))  # a BLOB, a UUID: as the CSV export writes it
    return value


def _export_xlsx(con: duckdb.DuckDBPyConnection, names: Sequence[str], path: Path) -> None:
    from lxml.etree import SerialisationError  # openpyxl writes through lxml when it is installed

    wb = marked_workbook()
    try:
        for name in names:
            ws = wb.create_sheet(title=name[:31])  # Excel's sheet-name limit
            cur = con.execute(f"SELECT * FROM {name}")
            ws.append([d[0] for d in cur.description])
            while batch := cur.fetchmany(_ROWS_PER_BATCH):
                for row in batch:
                    ws.append([_xlsx_value(v) for v in row])
        wb.save(path)
    except SerialisationError as exc:  # how lxml reports a failed write (a full disk: IO_EFBIG, IO_ENOSPC)
        _release(wb)
        raise OSError(f"writing {path.name} failed: {exc}") from exc


def _release(wb) -> None:
    """Close the sheet streams of a workbook whose writing failed, now: left to the garbage collector
    they fail once more and print a traceback after the clear error."""
    for ws in wb.worksheets:
        for stream in (getattr(ws, "_rows", None), getattr(getattr(ws, "_writer", None), "xf", None)):
            if stream is not None:
                with contextlib.suppress(Exception):
                    stream.close()


_ROWS_PER_BATCH = 2000
XLSX_NAME = "policy-obligations.xlsx"


def export(con: duckdb.DuckDBPyConnection, fmt: ExportFormat, out_dir: Path,
           names: Sequence[str] | None = None, force: bool = False) -> list[Path]:
    """Write every table and view (or `names`) to `out_dir`: one Parquet or CSV file per table
    and view, or one XLSX workbook with a sheet each. Returns the files written.

    Every target is checked before anything is written (report/output.py: never the database or a
    source document; a file of another kind only with `force`), every file is written to a
    temporary file, and all are renamed into place once all are written: a failure leaves the
    previous export as it was."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; one of: {', '.join(EXPORT_FORMATS)}")
    out_dir = Path(out_dir)
    names = list(names) if names is not None else export_names(con)
    targets = [out_dir / XLSX_NAME] if fmt == "xlsx" else [out_dir / f"{n}.{fmt}" for n in names]
    protected = Protected(con)
    for name, target in zip(names, targets):
        header = [d[0] for d in con.execute(f"SELECT * FROM {name} LIMIT 0").description] if fmt == "csv" else None
        check_target(target, fmt, protected, force, header=header)
    created = [d for d in (out_dir, *out_dir.parents) if not d.exists()]  # deepest first
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        with contextlib.ExitStack() as renames:
            if fmt == "xlsx":
                _export_xlsx(con, names, renames.enter_context(atomic(targets[0])))
            else:
                write = _export_parquet if fmt == "parquet" else _export_csv
                for name, target in zip(names, targets):
                    write(con, name, renames.enter_context(atomic(target)))
    except BaseException:
        for folder in created:  # a failed export leaves no empty folder behind
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return targets
