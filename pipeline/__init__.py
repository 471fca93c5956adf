"""policy-obligations: reading, storing and querying. For notebooks: `from pipeline import connect`."""
from __future__ import annotations

from pathlib import Path


def connect(db: str | Path = "outputs/policy.duckdb"):
    """A read-only DuckDB connection to an obligations database (tables and v_* views, docs/SCHEMA.md);
    `con.sql("SELECT …").df()` / `.pl()` work as DuckDB provides. Raises FileNotFoundError when there
    is no database, DatabaseBusy while a writer holds it."""
    from pipeline import store  # imported here: `import pipeline` stays light for the readers

    return store.connect(Path(db), read_only=True)
