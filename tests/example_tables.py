"""The example tables in tests/examples/: one shape, validated on load, and one pytest param per row.

Every file is a mapping of named tables (what each exercises: `extract`, `parse`, `dates` …) to
lists of rows, and every row is an `Example`:

    id      unique in its table; the pytest id
    text    the input: a sentence, a line, a cell, a name, a title …
    given   what the function is given besides the text (issue date, deadline cells, a header …)
    expect  what it must give back; the table's header comment says in which form
    source  where the text comes from (a document of corpus/ or ../shared, or "constructed")
    note    why the row is there
    xfail   the reason an unsolved real input still fails: the row runs as xfail(strict=True)

A key outside these is an error naming the file, the table and the row (a comma inside a flow
mapping once made keys such as `not a day)` that nothing read).
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

EXAMPLES = Path(__file__).parent / "examples"


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    text: str | None = None
    given: dict[str, Any] = Field(default_factory=dict)
    expect: Any = None
    source: str | None = None
    note: str | None = None
    xfail: str | None = None


@functools.cache
def load(name: str) -> dict[str, list[Example]]:
    """tests/examples/<name>: its tables, every row validated; ids unique within a table."""
    data = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(rows, list) for rows in data.values()):
        raise ValueError(f"tests/examples/{name}: a mapping of table name -> list of rows")
    tables: dict[str, list[Example]] = {}
    for table, rows in data.items():
        try:
            tables[table] = [Example.model_validate(row) for row in rows]
        except ValidationError as err:
            raise ValueError(f"tests/examples/{name}, table {table}: {err}") from err
        ids = [row.id for row in tables[table]]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"tests/examples/{name}, table {table}: ids used twice: {twice}")
    return tables


def params(rows: list[Example]) -> list:
    """One pytest param per row, its id the row's; a row with `xfail` must fail (strict)."""
    return [pytest.param(row, id=row.id[:40],
                         marks=[pytest.mark.xfail(strict=True, reason=row.xfail)] if row.xfail else [])
            for row in rows]
