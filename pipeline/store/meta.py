"""The researcher's own metadata: `obligations meta import FILE.csv|xlsx` into `document_meta`.

A row names a document by its `doc_id` or its file (`file`: the file name, a path, or the end of a
path) and brings any columns of the researcher's (policy field, coding …), plus corrections of the
three columns a study most often has to fix: `jurisdiction`, `year`, `doc_type`. The table is no
document's rows, so re-ingest and reprocess leave it alone; `v_meta` resolves each row to the stored
document by its key at query time, so a corrected file that is re-ingested (a new doc_id) keeps its
row when it is keyed by file. Every view of a document's rows carries the researcher's columns,
and v_documents (hence every view) reads the corrections.

The whole file is checked before anything is written: each bad row gets an error naming the row,
the column and the reason, and a file with any error imports nothing.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipeline.errors import PipelineError
from pipeline.store.meta_file import Sheet, SheetError, read_sheet
from pipeline.store.panel import META_FIXED
from extractors.text import HAN
from schemas.records import DocType, DocumentMetaRecord

# header names that say which document a row is about
KEY_NAMES = {"doc_id": "doc_id", "file": "file", "file_name": "file", "filename": "file", "path": "file",
             "source_path": "file"}
OVERRIDES = ("jurisdiction", "year", "doc_type")
DOC_TYPES: tuple[str, ...] = typing.get_args(DocType)
YEARS = (1949, 2100)
# an area name ends with its level word (上海市宝山区, 山西省, 恩施土家族苗族自治州); or the national value
_AREA_RE = re.compile(rf"^[{HAN}（）()]{{2,40}}(?:省|市|区|县|旗|盟|地区|自治区|自治州|自治县|自治旗|特别行政区)$")
_DOC_ID_RE = re.compile(r"^[0-9a-f]{64}$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_ERRORS_SHOWN = 50


class MetaImportError(PipelineError):
    """The file cannot be imported: `errors` has one line per bad row (or one for the file)."""

    kind = "meta_import"

    def __init__(self, path: str | Path, errors: list[str]):
        self.path, self.errors = str(path), errors
        shown = errors[:MAX_ERRORS_SHOWN]
        more = f"\n  … and {len(errors) - len(shown)} more" if len(errors) > len(shown) else ""
        super().__init__(f"{path}: {len(errors)} problem(s), nothing imported:\n  " + "\n  ".join(shown) + more)


@dataclass
class ImportSummary:
    path: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    columns_added: list[str] = field(default_factory=list)
    unknown_keys: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ checking


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value))


def _as_int(value: Any) -> int | None:
    """An integer from 2023, 2023.0 or '2023' (None when it is none)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+(?:\.0+)?\s*", value):
        return int(float(value))
    return None


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value) if isinstance(value, str) and value.strip() else None
    except ValueError:
        return None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE_RE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def infer_type(values: list[Any]) -> str:
    """The DuckDB type a researcher's column gets from its non-empty values: BIGINT, DOUBLE, DATE or
    VARCHAR (a column of 1, 2, 3 stays numeric for Stata and pandas)."""
    present = [v for v in values if not _blank(v)]
    if not present:
        return "VARCHAR"
    if all(_as_int(v) is not None for v in present):
        return "BIGINT"
    if all(_as_float(v) is not None for v in present):
        return "DOUBLE"
    if all(_as_date(v) is not None for v in present):
        return "DATE"
    return "VARCHAR"


def _convert(value: Any, sql_type: str) -> Any:
    if _blank(value):
        return None
    if sql_type == "BIGINT":
        return _as_int(value)
    if sql_type == "DOUBLE":
        return _as_float(value)
    if sql_type == "DATE":
        return _as_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


@dataclass
class _Plan:
    key_kind: str  # doc_id | file
    key_index: int
    columns: list[tuple[int, str]]  # (index in the row, column name) of overrides and own columns
    own: list[str]


def _plan(sheet: Sheet, reserved: set[str]) -> tuple[_Plan | None, list[str]]:
    errors: list[str] = []
    names = [h.strip() for h in sheet.header]
    keys = [(i, KEY_NAMES[n.lower()]) for i, n in enumerate(names) if n.lower() in KEY_NAMES]
    if len(keys) != 1:
        found = ", ".join(names[i] for i, _ in keys) or "none"
        errors.append(f"header: exactly one key column is needed, doc_id or file (file name or path); found {found}")
    seen: dict[str, int] = {}
    columns: list[tuple[int, str]] = []
    own: list[str] = []
    for i, name in enumerate(names):
        if keys and i == keys[0][0]:
            continue
        if not name:
            if any(not _blank(row[i]) for _, row in sheet.rows if i < len(row)):
                errors.append(f"header: column {i + 1} has values but no name")
            continue
        low = name.lower()
        if low in seen:
            errors.append(f"header: column {name!r} appears twice (columns {seen[low] + 1} and {i + 1}; "
                          "names are compared without case)")
            continue
        seen[low] = i
        if low in OVERRIDES:
            columns.append((i, low))
        elif low in KEY_NAMES:
            errors.append(f"header: {name!r} names documents too; keep one key column")
        elif low in reserved or low in META_FIXED or low == "doc_id":
            errors.append(f"header: {name!r} is a column of the database already; rename yours (e.g. my_{low})")
        else:
            columns.append((i, name))
            own.append(name)
    if errors:
        return None, errors
    return _Plan(keys[0][1], keys[0][0], columns, own), []


def _check_override(column: str, value: Any, national: str) -> tuple[Any, str | None]:
    if _blank(value):
        return None, None
    if column == "year":
        year = _as_int(value)
        if year is None or not YEARS[0] <= year <= YEARS[1]:
            return None, f"year {value!r} is not a year between {YEARS[0]} and {YEARS[1]}"
        return year, None
    text = str(value).strip()
    if column == "doc_type":
        if text not in DOC_TYPES:
            return None, (f"doc_type {text!r} is not one of {', '.join(DOC_TYPES)} (a typology of your own "
                          "goes in a column of its own, e.g. genre)")
        return text, None
    if text != national and not _AREA_RE.match(re.sub(r"\s+", "", text)):
        return None, f"jurisdiction {text!r} is not an area name such as 上海市宝山区, 淄博市 or {national}"
    return re.sub(r"\s+", "", text), None


def _resolve(con: duckdb.DuckDBPyConnection, kind: str, keys: list[str]) -> dict[str, list[str]]:
    """{key: doc_ids of the stored documents it names}, as v_meta matches them."""
    if not keys:
        return {}
    if kind == "doc_id":
        rows = con.execute("SELECT doc_id, doc_id FROM documents WHERE doc_id IN (SELECT unnest(?))", [keys]).fetchall()
    else:
        rows = con.execute("""
            SELECT k.key, d.doc_id FROM (SELECT unnest(?) AS key) k JOIN documents d
              ON d.source_path = k.key OR (contains(k.key, '/') AND ends_with(d.source_path, '/' || k.key))
              OR regexp_extract(d.source_path, '[^/\\\\]+$') = k.key""", [keys]).fetchall()
    found: dict[str, list[str]] = {}
    for key, doc_id in rows:
        found.setdefault(key, [])
        if doc_id not in found[key]:
            found[key].append(doc_id)
    return found


def view_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Lower-cased names of every column of the tables and views, the researcher's own left out."""
    own = {r[0].lower() for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'document_meta'").fetchall()}
    every = {r[0].lower() for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE NOT internal AND table_name <> 'document_meta'").fetchall()}
    return every - own


def prepare(con: duckdb.DuckDBPyConnection, path: Path, sheet: Sheet, national: str,
            allow_unknown: bool = False) -> tuple[_Plan, list[dict[str, Any]], dict[str, str], list[str]]:
    """Check every row; returns (plan, rows as column -> value, own column -> type, unknown keys) or
    raises MetaImportError with one line per problem."""
    plan, errors = _plan(sheet, view_columns(con))
    if plan is None:
        raise MetaImportError(str(path), errors)
    if not sheet.rows:
        raise MetaImportError(str(path), ["no rows under the header"])
    types = {name: infer_type([row[i] if i < len(row) else None for _, row in sheet.rows])
             for i, name in plan.columns if name in plan.own}
    keys = [str(row[plan.key_index]).strip() if plan.key_index < len(row) and not _blank(row[plan.key_index])
            else "" for _, row in sheet.rows]
    resolved = _resolve(con, plan.key_kind, sorted({k for k in keys if k}))
    out: list[dict[str, Any]] = []
    first_row_of: dict[str, int] = {}
    first_key_of_doc: dict[str, tuple[int, str]] = {}
    unknown: list[str] = []
    for (number, row), key in zip(sheet.rows, keys):
        where = f"row {number}"
        if not key:
            errors.append(f"{where}: no {plan.key_kind} (the key column is empty)")
            continue
        if plan.key_kind == "doc_id" and not _DOC_ID_RE.match(key):
            errors.append(f"{where}: doc_id {key!r} is not a doc_id (64 hexadecimal characters, as in documents)")
            continue
        if key in first_row_of:
            errors.append(f"{where}: {key!r} is named again (first in row {first_row_of[key]})")
            continue
        first_row_of[key] = number
        docs = resolved.get(key, [])
        if not docs:
            if not allow_unknown:
                errors.append(f"{where}: no stored document is {key!r} (by {'doc_id' if plan.key_kind == 'doc_id' else 'file name or path'}); "
                              "check the name, or --allow-unknown to keep the row for a file not ingested yet")
                continue
            unknown.append(key)
        if len(docs) > 1:
            errors.append(f"{where}: {key!r} names {len(docs)} stored documents "
                          f"({', '.join(d[:12] for d in docs[:5])}); give its path or its doc_id")
            continue
        if docs and docs[0] in first_key_of_doc:
            other_row, other_key = first_key_of_doc[docs[0]]
            errors.append(f"{where}: {key!r} is the same document as {other_key!r} in row {other_row}")
            continue
        if docs:
            first_key_of_doc[docs[0]] = (number, key)
        values: dict[str, Any] = {"meta_key": key}
        bad = False
        for i, name in plan.columns:
            value = row[i] if i < len(row) else None
            if name in OVERRIDES:
                values[name], problem = _check_override(name, value, national)
                if problem:
                    errors.append(f"{where}: {problem}")
                    bad = True
            else:
                values[name] = _convert(value, types[name])
        if not bad:
            out.append(values)
    if errors:
        raise MetaImportError(str(path), errors)
    return plan, out, types, unknown


# ------------------------------------------------------------------ writing


def _existing_types(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {r[0].lower(): (r[0], r[1]) for r in con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'document_meta'").fetchall()}


def _merge_type(old: str, new: str) -> str:
    if old == new:
        return old
    if {old, new} == {"BIGINT", "DOUBLE"}:
        return "DOUBLE"
    return "VARCHAR"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def write(con: duckdb.DuckDBPyConnection, path: Path, plan: _Plan, rows: list[dict[str, Any]],
          types: dict[str, str], replace: bool = False) -> ImportSummary:
    """Store the checked rows in one transaction: add the researcher's new columns (widening a column's
    type when the new values need it), then insert or update each key's row (only the columns in the
    file change). `replace`: the file becomes the whole table (rows and own columns)."""
    summary = ImportSummary(str(path), rows=len(rows))
    now = dt.datetime.now()
    fixed = set(DocumentMetaRecord.model_fields)
    con.execute("BEGIN TRANSACTION")
    try:
        if replace:
            con.execute("DELETE FROM document_meta")
            for low, (name, _) in _existing_types(con).items():
                if low not in fixed:
                    con.execute(f"ALTER TABLE document_meta DROP COLUMN {_ident(name)}")
        existing = _existing_types(con)
        names: dict[str, str] = {}  # own column as in the file -> as in the table
        for name in plan.own:
            have = existing.get(name.lower())
            if have is None:
                con.execute(f"ALTER TABLE document_meta ADD COLUMN {_ident(name)} {types[name]}")
                summary.columns_added.append(name)
                names[name] = name
            else:
                names[name] = have[0]
                merged = _merge_type(have[1], types[name])
                if merged != have[1]:
                    con.execute(f"ALTER TABLE document_meta ALTER COLUMN {_ident(have[0])} TYPE {merged}")
                if merged == "VARCHAR" and types[name] != "VARCHAR":
                    for r in rows:
                        r[name] = _convert(r[name], "VARCHAR")
        stored = {r[0] for r in con.execute("SELECT meta_key FROM document_meta").fetchall()}
        columns = [name for _, name in plan.columns]
        target = ["meta_key", *[names.get(c, c) for c in columns], "source_file", "imported_at"]
        placeholders = ", ".join("?" * len(target))
        updates = ", ".join(f"{_ident(c)} = excluded.{_ident(c)}" for c in target[1:])
        con.executemany(
            f"INSERT INTO document_meta ({', '.join(_ident(c) for c in target)}) VALUES ({placeholders}) "
            f"ON CONFLICT (meta_key) DO UPDATE SET {updates}",
            [[r["meta_key"], *[r[c] for c in columns], path.name, now] for r in rows])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    summary.updated = sum(1 for r in rows if r["meta_key"] in stored)
    summary.inserted = len(rows) - summary.updated
    return summary


def import_file(db: Path, path: Path, sheet: str | None = None, allow_unknown: bool = False,
                replace: bool = False) -> ImportSummary:
    """Check `path` against the stored documents of `db` and store its rows (see `write`), holding
    the database's writer lock as an ingest does. Raises MetaImportError (nothing written),
    FileNotFoundError, DatabaseBusy."""
    from extractors.metadata.vocabulary import REGIONS
    from pipeline import store
    from pipeline.store import views

    path, db = Path(path), Path(db)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    if not db.exists():
        raise FileNotFoundError(f"no database at {db}: run `obligations ingest` first")
    try:
        sheet_ = read_sheet(path, sheet)
    except SheetError as exc:
        raise MetaImportError(path, [str(exc)]) from None
    with store.writer_lock(db, "meta import"), store.open_for_writing(db) as con:
        plan, rows, types, unknown = prepare(con, path, sheet_, REGIONS.national_jurisdiction or "", allow_unknown)
        summary = write(con, path, plan, rows, types, replace=replace)
        views.create(con)  # the views list the researcher's columns: bind them anew
    summary.unknown_keys = unknown
    return summary
