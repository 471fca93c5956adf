"""A digest per table of what extraction stored, for checking that a change kept every row.

    python bench/table_digest.py outputs/a.duckdb [outputs/b.duckdb]

Prints row counts and a sha1 per table; with two databases, the tables that differ. Columns that
name a run or a moment (ingested_at, pipeline_version, run ids) are left out, and source paths are
reduced to file names, so two checkouts ingesting the same files compare equal.
"""
from __future__ import annotations

import hashlib
import re
import sys

import duckdb

# per table: the columns left out of the digest
SKIP = {
    "documents": {"pipeline_version", "ingested_at", "source_path"},
    "ingest_errors": {"run_id", "occurred_at", "path", "message"},
}
IGNORED_TABLES = {"ingest_runs", "schema_meta"}
# where `documents` is a view over document_records and the text shards (pipeline/store/texts.py), the
# view is compared: it is what a database written before the texts were stored apart had as a table
STORED_APART = re.compile(r"^(document_records|document_texts_\d+)$")


def digests(db: str) -> dict[str, tuple[int, str]]:
    con = duckdb.connect(db, read_only=True)
    out: dict[str, tuple[int, str]] = {}
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
        "OR table_name = 'documents' ORDER BY 1").fetchall()]
    for table in tables:
        if table in IGNORED_TABLES or STORED_APART.match(table):
            continue
        cols = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [table]).fetchall()]
        keep = [c for c in cols if c not in SKIP.get(table, set())]
        select = ", ".join(f'"{c}"' for c in keep)
        if table == "documents":
            select += ", regexp_extract(source_path, '[^/]*$') AS file"
        rows = sorted(repr(r) for r in con.execute(f'SELECT {select} FROM "{table}"').fetchall())
        out[table] = (len(rows), hashlib.sha1("\n".join(rows).encode()).hexdigest()[:12])
    con.close()
    return out


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print(__doc__)
        return 2
    first = digests(argv[0])
    if len(argv) == 1:
        for table, (n, h) in first.items():
            print(f"{table:<20}{n:>9}  {h}")
        return 0
    second = digests(argv[1])
    differ = 0
    for table in sorted(set(first) | set(second)):
        a, b = first.get(table), second.get(table)
        mark = "same" if a == b else "DIFFERS"
        differ += a != b
        print(f"{table:<20}{str(a):>26}  {str(b):>26}  {mark}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
