"""DuckDB DDL generated from the pydantic records: the models are the schema, this only spells it."""
from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Literal

from schemas.records import DOCUMENT_TABLES, TABLES, Record

_SCALAR = {str: "VARCHAR", int: "BIGINT", float: "DOUBLE", bool: "BOOLEAN",
           dt.date: "DATE", dt.datetime: "TIMESTAMP"}


def column_type(annotation) -> tuple[str, bool]:
    """(DuckDB type, nullable) of a field annotation."""
    nullable = False
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        nullable = len(rest) < len(args)
        (annotation,) = rest
        args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "VARCHAR", nullable
    if origin is list:
        return column_type(args[0])[0] + "[]", nullable
    return _SCALAR[annotation], nullable


# column names that are SQL keywords (`end`) must be quoted wherever they are written
_RESERVED = {"end", "order", "group", "default", "user"}


def quote(name: str) -> str:
    return f'"{name}"' if name in _RESERVED else name


def table_ddl(model: type[Record]) -> str:
    """CREATE TABLE for a record model. The rows of a document (DOCUMENT_TABLES) get no PRIMARY KEY
    constraint: their keys are unique all the same — every id hashes the doc_id, and the writer
    refuses a document whose rows repeat a key (pipeline.store.check_keys) — but DuckDB's index
    for a constraint made the file 4x larger (66.6 MB against 17.1 MB at 2,000 documents) and had
    to be loaded to insert, so the writer's memory grew with the database (+55 MB from 500 to
    2,000 documents)."""
    cols = []
    for name, field in model.model_fields.items():
        if name in model.__apart__:
            continue
        sql_type, nullable = column_type(field.annotation)
        cols.append(f"    {quote(name)} {sql_type}{'' if nullable else ' NOT NULL'}")
    if model not in DOCUMENT_TABLES:
        cols.append(f"    PRIMARY KEY ({', '.join(quote(k) for k in model.__key__)})")
    return f"CREATE TABLE IF NOT EXISTS {model.__stored_in__ or model.__table__} (\n" + ",\n".join(cols) + "\n);"


def schema_ddl() -> str:
    return "\n\n".join(table_ddl(m) for m in TABLES) + "\n"
