"""policy-obligations: reading, storing and querying. For notebooks: `from pipeline import connect`.

Floors, each importing only those below it: the base modules errors.py, settings.py, version.py;
readers/ (file -> Document) and store/ (DuckDB, views); report/ (comparisons, exports, the HTML
report) and runs/ (ingest, watch, reprocess, without Prefect); flows/ (Prefect); cli/. The
understanding of text (extractors/) and the records (schemas/) never import pipeline.
"""
from __future__ import annotations

from pathlib import Path

from pipeline.settings import DEFAULT_DB


def connect(db: str | Path = DEFAULT_DB):
    """A read-only DuckDB connection to an obligations database (tables and v_* views, docs/SCHEMA.md);
    `con.sql("SELECT …").df()` / `.pl()` work as DuckDB provides. It reads the database and nothing
    else: no file, ATTACH, extension or setting change (pipeline/store/readonly.py); register Python
    objects by name (`con.register("ids", table)`). Raises FileNotFoundError when there is no
    database, DatabaseBusy while a writer holds it."""
    from pipeline import store  # imported here: `import pipeline` stays light for the readers
    from pipeline.store import views

    con = store.connect(Path(db), read_only=True)
    views.use_current(con)  # this version's views even on a file last written by an older one
    return con
