"""A scaled database for query timings, and the timings: the comparison views and the example
queries of docs/SCHEMA.md at 100,000 obligations.

    .venv/bin/python bench/scale_db.py BASE.duckdb [--out bench/results/scaled.duckdb]
                                       [--obligations 100000] [--runs 5]

The scaled database is a copy of BASE (a database ingested from the benchmark corpus) with its
documents stored again under new ids until it holds the target number of obligations: every row
of every document table copied with `~<copy>` appended to each text id column, and each copy given
another jurisdiction (an area of extractors/data/regions.yaml), so that the comparison views
see many jurisdictions, as in a national corpus, rather than one edition group growing.

Each query is run `runs` times (fewer once it has taken 5 s) on a read-only connection, the whole result fetched (as Arrow,
the way an export or a notebook takes it); the first run is reported apart (cold: DuckDB reads
the pages from disk), the median of the others is the time.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

import duckdb
import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:  # appended: a PYTHONPATH (bench/run.py's snapshot of the code) comes first
    sys.path.append(str(ROOT))

SCHEMA_MD = ROOT / "docs" / "SCHEMA.md"
# "#### 3. Obligations due in 2020 …" followed by a ```sql block
EXAMPLE = re.compile(r"^#{2,5}\s*(\d+)\.\s*(.+?)\s*$\n+```sql\n(.*?)```", re.M | re.S)


def areas() -> list[str]:
    data = yaml.safe_load((ROOT / "extractors" / "data" / "regions.yaml").read_text(encoding="utf-8"))
    return [e["name"] for key in ("provinces", "cities", "districts") for e in data.get(key) or []]


def scale(base: Path, out: Path, target_obligations: int) -> dict:
    """Copy `base` to `out` and add copies of its documents until `target_obligations` is reached."""
    from pipeline.store import texts
    from schemas.records import DOCUMENT_TABLES

    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    shutil.copyfile(base, out)
    started = time.perf_counter()
    con = duckdb.connect(str(out))
    try:
        tables = ["documents", *[m.__table__ for m in DOCUMENT_TABLES]]
        for t in tables:
            con.execute(f"CREATE TEMP TABLE base_{t} AS SELECT * FROM {t}")
        per_doc = con.execute("SELECT d.doc_id, count(o.obligation_id) FROM base_documents d "
                              "LEFT JOIN base_obligations o USING (doc_id) GROUP BY 1 ORDER BY 1").fetchall()
        base_obligations = sum(n for _, n in per_doc)
        if base_obligations == 0:
            raise SystemExit(f"{base} holds no obligations to scale")
        names = areas()
        have, copy = con.execute("SELECT count(*) FROM obligations").fetchone()[0], 0
        while have < target_obligations:
            copy += 1
            wanted, chosen = target_obligations - have, []
            for doc_id, n in per_doc:  # the last copy takes only as many documents as needed
                if wanted <= 0:
                    break
                chosen.append(doc_id)
                wanted -= n
            con.execute("CREATE OR REPLACE TEMP TABLE chosen AS SELECT unnest(?) AS doc_id", [chosen])
            con.execute("BEGIN TRANSACTION")
            for t in tables:
                select = f"SELECT {_renamed_columns(con, t, copy, names)} FROM base_{t} " \
                         "WHERE doc_id IN (SELECT doc_id FROM chosen)"
                if t == "documents":  # a view: the texts are stored apart (pipeline/store/texts.py)
                    con.execute(f"INSERT INTO {texts.shards(con)[-1]} SELECT doc_id, text FROM ({select})")
                    con.execute(f"INSERT INTO {texts.META} SELECT * EXCLUDE (text) FROM ({select})")
                else:
                    con.execute(f"INSERT INTO {t} {select}")
            con.execute("COMMIT")
            have = con.execute("SELECT count(*) FROM obligations").fetchone()[0]
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {"base_obligations": base_obligations, "copies": copy, "counts": counts,
            "seconds": time.perf_counter() - started, "bytes": out.stat().st_size}


def _renamed_columns(con: duckdb.DuckDBPyConnection, table: str, copy: int, names: list[str]) -> str:
    columns = [(r[0], r[1]) for r in con.execute(f"DESCRIBE base_{table}").fetchall()]
    replaced = [f"{c} || '~{copy}' AS {c}" for c, sql_type in columns
                if c.endswith("_id") and sql_type == "VARCHAR" and c != "run_id"]
    if table == "documents":
        replaced += [f"source_path || '~{copy}' AS source_path",
                     f"'{names[copy % len(names)]}' AS jurisdiction"]
    return f"* REPLACE ({', '.join(replaced)})" if replaced else "*"


def example_queries(path: Path = SCHEMA_MD) -> list[tuple[str, str]]:
    """(name, sql) of each numbered example query in docs/SCHEMA.md."""
    if not path.exists():
        return []
    return [(f"example {n}: {title}", sql.strip().rstrip(";"))
            for n, title, sql in EXAMPLE.findall(path.read_text(encoding="utf-8"))]


def view_queries() -> list[tuple[str, str]]:
    from pipeline.store.views import VIEWS
    return [(f"view {name}", f"SELECT * FROM {name}") for name in VIEWS]


def time_queries(db: Path, queries: list[tuple[str, str]], runs: int = 5, budget_s: float = 5.0) -> list[dict]:
    """Timings per query: `runs` runs, fewer when a query has used `budget_s` (a 40 s query once)."""
    con = duckdb.connect(str(db), read_only=True)
    results = []
    try:
        for name, sql in queries:
            times, rows, error = [], 0, None
            while len(times) < runs and sum(times) < budget_s:
                t0 = time.perf_counter()
                try:
                    rows = _fetch_arrow(con.sql(sql)).num_rows
                except duckdb.Error as exc:
                    error = f"{type(exc).__name__}: {exc}".splitlines()[0]
                    break
                times.append(time.perf_counter() - t0)
            entry = {"name": name, "rows": rows, "error": error}
            if times:
                warm = times[1:] or times
                entry.update(first_ms=1000 * times[0], median_ms=1000 * statistics.median(warm), runs=len(times))
            results.append(entry)
    finally:
        con.close()
    return results


def _fetch_arrow(result):
    """The whole result as an Arrow table (the method's name changed across DuckDB versions)."""
    for method in ("to_arrow_table", "fetch_arrow_table", "arrow"):
        if hasattr(result, method):
            return getattr(result, method)()
    raise AttributeError("this DuckDB has no Arrow fetch")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path, help="a database ingested from the benchmark corpus")
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "scaled.duckdb")
    parser.add_argument("--obligations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="write the result here")
    args = parser.parse_args(argv)
    built = scale(args.base, args.out, args.obligations)
    print(f"scaled {args.base} -> {args.out}: {built['counts']} in {built['seconds']:.1f} s", file=sys.stderr)
    timings = time_queries(args.out, view_queries() + example_queries(), args.runs)
    for t in timings:
        shown = f"{t['median_ms']:8.1f} ms (first {t['first_ms']:.1f})" if "median_ms" in t else f"ERROR {t['error']}"
        print(f"  {shown}  {t['rows']:>7} rows  {t['name']}")
    if args.json:
        args.json.write_text(json.dumps({"scale": built, "queries": timings}, ensure_ascii=False, indent=1),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
