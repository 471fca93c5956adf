"""What a read connection may do: read the database, and nothing else.

DuckDB's `read_only=True` only protects the main catalog. The same connection could still write any
file (`COPY … TO`), open another database read-write (`ATTACH`, even a hard link to this very file),
install or load extensions over the network, read arbitrary files (`read_csv`, `glob`) and change
its own settings back. Every read path (`obligations sql`, `info`, `compare`, `export`, `report`,
`from pipeline import connect`) opens the database with `CONFIG`, which turns all of that off and
then locks the configuration so no statement can turn it on again. docs/LIMITS.md "Security" says
what is left.
"""
from __future__ import annotations

import duckdb

CONFIG: dict[str, object] = {
    # no file but the database itself: COPY TO/FROM, EXPORT/IMPORT DATABASE, ATTACH, read_csv,
    # read_text, glob, URLs; also INSTALL (it writes ~/.duckdb) and LOAD of extension files
    "enable_external_access": False,
    # no extension fetched or loaded behind a query's back
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    # DuckDB lets a connection write into its spill folder (<db>.tmp) even with external access off;
    # no spill folder, no such place (queries that outgrow memory fail instead of spilling)
    "temp_directory": "",
    # last: SET, PRAGMA and RESET of any setting are refused from here on
    "lock_configuration": True,
}

HINT = ("refused: the connection is read-only (the database and nothing else: no files, no ATTACH, "
        "no extensions, no settings; docs/LIMITS.md \"Security\")")

# what DuckDB says when one of the locks above, or the read-only catalog, stops a statement
_REFUSALS = ("disabled by configuration", "configuration has been locked", "read-only mode",
             "disabled through configuration", "belongs to an attached database")


def refusal(exc: BaseException) -> bool:
    """Whether a DuckDB error is a read connection refusing a statement (not a mistake in it)."""
    return isinstance(exc, duckdb.PermissionException) or (
        isinstance(exc, duckdb.Error) and any(s in str(exc) for s in _REFUSALS))


def is_obligations_database(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection's database was written by this project (it has the schema_meta table)."""
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_meta' "
                       "AND table_catalog = current_database()").fetchone()[0] > 0
