"""What the commands write and print: `report` and `export` never destroy the database, a source
document or a file of another kind (unless --force, and never the database), write through a
temporary file renamed into place (a full disk leaves the previous file whole), and neutralise
formula-looking cells; printed data never goes through rich markup."""
from __future__ import annotations

import csv
import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline import connect
from pipeline.cli.main import app
from pipeline.report import analyst
from pipeline.report.output import FORMULA_START
from tests.conftest import CORPUS, ROOT

WIDE = {"COLUMNS": "250"}
# a folder named "[" makes every path below it contain "[/"; the text holds rich markup and formulas
MARKUP_TEXT = ("关于加快养老设施建设的通知\n\n"
               "一、各区县人民政府要于2020年12月底前完成[/x]社区养老服务设施建设[link=http://example.invalid]。\n"
               "二、=HYPERLINK(\"http://example.invalid\",\"点击\") 由市民政局负责。\n")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args: str):
    return CliRunner().invoke(app, list(args), env=WIDE)


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    """A database of a copied seed and a document whose path and text hold markup and a formula."""
    root = tmp_path_factory.mktemp("outputs")
    docs = root / "docs"
    (docs / "[").mkdir(parents=True)
    seed = docs / "zibo-2020-34-opinion.txt"
    seed.write_bytes((CORPUS / "zibo-2020-34-opinion.txt").read_bytes())
    (docs / "[" / "x]通知.txt").write_text(MARKUP_TEXT, encoding="utf-8")
    (docs / "[" / "y]空.txt").write_bytes(b"")
    db = root / "policy.duckdb"
    result = run("ingest", str(docs), "--db", str(db), "--no-prefect")
    assert result.exit_code == 0, result.output
    return {"root": root, "db": db, "seed": seed, "ingest_output": result.output}


# ------------------------------------------------------------------ refusing to overwrite


def test_report_over_the_database_is_refused_even_with_force(place):
    before = sha(place["db"])
    for extra in ([], ["--force"]):
        result = run("report", "--out", str(place["db"]), "--db", str(place["db"]), *extra)
        assert result.exit_code == 2, result.output
        assert "is the database" in result.output
    link = place["root"] / "hard-link.duckdb"
    os.link(place["db"], link)
    result = run("report", "--out", str(link), "--db", str(place["db"]), "--force")
    assert result.exit_code == 2 and "is the database" in result.output, result.output
    assert sha(place["db"]) == before
    assert not list(place["root"].glob(".*.partial"))


def test_report_over_a_source_document_needs_force(place):
    before = sha(place["seed"])
    result = run("report", "--out", str(place["seed"]), "--db", str(place["db"]))
    assert result.exit_code == 2 and "source document" in result.output, result.output
    assert sha(place["seed"]) == before
    link = place["root"] / "seed-link.html"  # the same file under a report's name
    os.link(place["seed"], link)
    result = run("report", "--out", str(link), "--db", str(place["db"]))
    assert result.exit_code == 2 and "source document" in result.output, result.output
    assert sha(place["seed"]) == before


def test_report_over_another_kind_of_file_needs_force(place, tmp_path):
    notes = tmp_path / "notes.html"
    notes.write_text("<p>my notes</p>", encoding="utf-8")
    result = run("report", "--out", str(notes), "--db", str(place["db"]))
    assert result.exit_code == 2 and "not an HTML report" in result.output, result.output
    assert notes.read_text(encoding="utf-8") == "<p>my notes</p>"
    result = run("report", "--out", str(notes), "--db", str(place["db"]), "--force")
    assert result.exit_code == 0, result.output
    assert notes.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    # a report over the previous report needs nothing
    result = run("report", "--out", str(notes), "--db", str(place["db"]))
    assert result.exit_code == 0, result.output
    folder = tmp_path / "a-folder.html"
    folder.mkdir()
    result = run("report", "--out", str(folder), "--db", str(place["db"]), "--force")
    assert result.exit_code == 2 and "not a regular file" in result.output, result.output


@pytest.mark.parametrize("fmt,name", [("csv", "documents.csv"), ("parquet", "obligations.parquet"),
                                      ("xlsx", "policy-obligations.xlsx")])
def test_export_over_another_kind_of_file_needs_force_and_writes_nothing(place, tmp_path, fmt, name):
    (tmp_path / name).write_text("not an export\n", encoding="utf-8")
    result = run("export", "--format", fmt, "--out", str(tmp_path), "--db", str(place["db"]))
    assert result.exit_code == 2 and "not written" in result.output and name in result.output, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # checked before anything was written
    result = run("export", "--format", fmt, "--out", str(tmp_path), "--db", str(place["db"]), "--force")
    assert result.exit_code == 0, result.output
    assert (tmp_path / name).read_bytes() != b"not an export\n"
    result = run("export", "--format", fmt, "--out", str(tmp_path), "--db", str(place["db"]))
    assert result.exit_code == 0, result.output  # over its own earlier export: no --force needed


def _own_workbook(path: Path) -> None:
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.append(["file", "my_code"])
    wb.active.append(["zibo-2020-34-opinion.txt", "A1"])
    wb.save(path)


def _own_parquet(path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    pq.write_table(pa.table({"file": ["a.txt"], "my_code": ["A1"]}), path)


@pytest.mark.parametrize("fmt,write", [("xlsx", _own_workbook), ("parquet", _own_parquet),
                                       ("csv", lambda p: p.write_bytes("\ufefffile,my_field\na.txt,1\n".encode()))])
def test_a_users_own_file_of_the_same_kind_needs_force(place, tmp_path, fmt, write):
    """A coding workbook, a Parquet file or an Excel "CSV UTF-8" file of the user's own has the first
    bytes of one of ours: only our mark (or, for a CSV, the header about to be written) lets a
    command replace it without --force."""
    own = tmp_path / f"coding.{fmt}"
    write(own)
    before = sha(own)
    for command in (["panel"], ["export", "--query", "SELECT 1 AS x"]):
        result = run(*command, "--format", fmt, "--out", str(own), "--db", str(place["db"]))
        assert result.exit_code == 2 and "perhaps your own file" in result.output, result.output
        assert sha(own) == before
    result = run("export", "--query", "SELECT 1 AS x", "--format", fmt, "--out", str(tmp_path / f"q.{fmt}"),
                 "--db", str(place["db"]))
    assert result.exit_code == 0, result.output
    result = run("export", "--query", "SELECT 2 AS x", "--format", fmt, "--out", str(tmp_path / f"q.{fmt}"),
                 "--db", str(place["db"]))
    assert result.exit_code == 0, result.output  # our own earlier output: replaced without --force


def test_a_file_given_to_meta_import_is_never_replaced_without_force(place, tmp_path):
    import shutil as _shutil
    db = tmp_path / "m.duckdb"
    _shutil.copy(place["db"], db)
    coding = tmp_path / "coding.csv"
    # saved by Excel as "CSV UTF-8" (a BOM), with the very columns the query below writes
    coding.write_text("file,my_field\nzibo-2020-34-opinion.txt,1\n", encoding="utf-8-sig")
    result = run("meta", "import", str(coding), "--db", str(db))
    assert result.exit_code == 0, result.output
    query = "SELECT 'x' AS file, 2 AS my_field"
    result = run("export", "--query", query, "--format", "csv", "--out", str(coding), "--db", str(db))
    assert result.exit_code == 2 and "meta import" in result.output, result.output
    assert coding.read_text(encoding="utf-8-sig").startswith("file,my_field\nzibo")


# ------------------------------------------------------------------ temporary file, then rename


def _limited(max_bytes: int):
    def limit() -> None:  # in the child: writing past max_bytes fails with EFBIG, as a full disk would fail
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))
    return limit


@pytest.mark.parametrize("command", [["report", "--out", "{out}/report.html"],
                                     ["export", "--format", "csv", "--out", "{out}"],
                                     ["export", "--format", "parquet", "--out", "{out}"],
                                     ["export", "--format", "xlsx", "--out", "{out}"]])
def test_a_full_disk_leaves_the_previous_output_whole(place, tmp_path, command):
    args = [a.replace("{out}", str(tmp_path)) for a in command] + ["--db", str(place["db"])]
    first = subprocess.run([sys.executable, "-m", "pipeline.cli.main", *args], capture_output=True, text=True,
                           cwd=ROOT)
    assert first.returncode == 0, first.stderr
    before = {p.name: sha(p) for p in tmp_path.iterdir()}
    assert before
    second = subprocess.run([sys.executable, "-m", "pipeline.cli.main", *args], capture_output=True, text=True,
                            cwd=ROOT, preexec_fn=_limited(max(p.stat().st_size for p in tmp_path.iterdir()) // 2))
    assert second.returncode == 2, second.stdout + second.stderr
    assert "cannot write" in second.stderr and "nothing was replaced" in second.stderr, second.stderr
    assert "Traceback" not in second.stderr
    assert {p.name: sha(p) for p in tmp_path.iterdir()} == before  # no truncated file, no leftover temporary


# ------------------------------------------------------------------ formulas


@pytest.fixture()
def formula_con(tmp_path):
    db = tmp_path / "formulas.duckdb"
    with duckdb.connect(str(db)) as c:
        c.execute("CREATE TABLE t (a VARCHAR, n INTEGER)")
        c.executemany("INSERT INTO t VALUES (?, ?)", [["=1+1", -1], ["+cmd|' /C calc'!A0", 2], ["-2+3", 3],
                                                       ["@SUM(A1)", 4], ["\tx", 5], ["由市民政局负责", 6]])
    con = connect(db)
    yield con
    con.close()


def test_formula_cells_get_an_apostrophe_in_xlsx(formula_con, tmp_path):
    from openpyxl import load_workbook

    analyst.export(formula_con, "xlsx", tmp_path / "x", names=["t"])
    ws = load_workbook(tmp_path / "x" / "policy-obligations.xlsx")["t"]
    cells = [(c.value, c.data_type) for c in ws["A"][1:]]
    assert all(kind == "s" for _, kind in cells), cells  # no formula
    assert [v for v, _ in cells] == ["'=1+1", "'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)", "'\tx", "由市民政局负责"]
    assert [c.value for c in ws["B"][1:]] == [-1, 2, 3, 4, 5, 6]  # numbers are numbers, negative ones too


def test_formula_cells_get_an_apostrophe_in_csv(formula_con, tmp_path):
    analyst.export(formula_con, "csv", tmp_path / "c", names=["t"])
    with (tmp_path / "c" / "t.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    assert [r[0] for r in rows] == ["'=1+1", "'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)", "'\tx", "由市民政局负责"]
    assert not any(r[0].startswith(FORMULA_START) for r in rows)


def test_the_formula_in_a_document_is_text_in_the_workbook(place, tmp_path):
    from openpyxl import load_workbook

    result = run("export", "--format", "xlsx", "--out", str(tmp_path), "--db", str(place["db"]))
    assert result.exit_code == 0, result.output
    wb = load_workbook(tmp_path / "policy-obligations.xlsx")
    formulas = [c.coordinate for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    texts = [c.value for row in wb["obligations"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("HYPERLINK" in t for t in texts)


# ------------------------------------------------------------------ no markup


def test_printed_data_never_goes_through_markup(place):
    assert "[/y]空.txt: the file is empty" in place["ingest_output"]  # the ingest summary
    assert "Traceback" not in place["ingest_output"]
    db = str(place["db"])
    result = run("sql", "SELECT '[/x]' AS \"[/y]\", '[link=http://example.invalid]a' AS b", "--db", db)
    assert result.exit_code == 0 and "[/x]" in result.output and "[link=http://example.invalid]a" in result.output
    result = run("info", "--db", db)
    assert result.exit_code == 0 and "[/y]空.txt" in result.output, result.output
    result = run("compare", "deadlines", "--db", db)
    assert result.exit_code == 0 and "[/x]" in result.output, result.output
    result = run("sql", "SELECT * FROM [/x]", "--db", db)  # DuckDB's own message quotes the query
    assert result.exit_code == 2 and "[/x]" in result.output and "Traceback" not in result.output


def test_a_foreign_database_is_a_clear_error(tmp_path):
    not_db = tmp_path / "notes.duckdb"
    not_db.write_text("hello", encoding="utf-8")
    gold = ["eval", "--gold", str(ROOT / "tests" / "gold" / "seeds")]
    for command in (["sql", "SELECT 1"], ["info"], ["compare", "units"], ["report", "--out", str(tmp_path / "r.html")],
                    gold):
        result = run(*command, "--db", str(not_db))
        assert result.exit_code == 2 and "cannot open" in result.output, (command, result.output)
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as c:
        c.execute("CREATE TABLE t AS SELECT 1 AS a")
    for command in (["info"], ["compare", "units"], ["report", "--out", str(tmp_path / "r.html")]):
        result = run(*command, "--db", str(other))
        assert result.exit_code == 2 and "not an obligations database" in result.output, (command, result.output)


# ------------------------------------------------------------------ ingest into a database it cannot write


def test_a_full_disk_during_ingest_is_a_clear_error_and_the_next_run_finishes(tmp_path):
    db = tmp_path / "full.duckdb"
    args = [sys.executable, "-m", "pipeline.cli.main", "ingest", str(CORPUS), "--db", str(db), "--no-prefect"]
    full = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, preexec_fn=_limited(300_000))
    assert full.returncode == 2, full.stdout + full.stderr
    assert "the disk is full" in full.stderr and "Traceback" not in full.stderr, full.stderr
    again = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 0 and "failed 0" in again.stdout, again.stdout + again.stderr


def test_a_database_that_cannot_be_written_is_a_clear_error(tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    # as root, permissions do not apply: the child drops the capabilities that bypass them
    prefix = (["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"]
              if os.geteuid() == 0 else [])
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        pytest.skip("as root without setpriv, permissions do not apply")
    out = subprocess.run([*prefix, sys.executable, "-m", "pipeline.cli.main", "ingest", str(CORPUS / "zibo-2020-34-opinion.txt"),
                          "--db", str(folder / "x.duckdb"), "--no-prefect"], capture_output=True, text=True, cwd=ROOT)
    folder.chmod(0o755)
    assert out.returncode == 2 and "cannot be written" in out.stderr and "Traceback" not in out.stderr, out.stderr


def test_export_query_and_panel_errors_never_go_through_markup(place, tmp_path):
    db = str(place["db"])
    result = run("export", "--query", "SELECT * FROM [/x]", "--format", "csv", "--out", str(tmp_path / "a.csv"),
                 "--db", db)  # DuckDB's parser error quotes the query
    assert result.exit_code == 2 and "[/x]" in result.output and "Traceback" not in result.output, result.output
    notes = tmp_path / "[" / "y].xlsx"  # a path with markup in a refusal
    notes.parent.mkdir()
    notes.write_text("notes\n", encoding="utf-8")
    result = run("panel", "--format", "xlsx", "--out", str(notes), "--db", db)
    assert result.exit_code == 2 and "[/y].xlsx" in result.output and "not an XLSX workbook" in result.output, \
        result.output


def test_a_type_parquet_cannot_hold_is_a_clear_error_and_nothing_is_replaced(place, tmp_path):
    out = tmp_path / "result.parquet"
    db = str(place["db"])
    assert run("export", "--query", "SELECT 1 AS a", "--format", "parquet", "--out", str(out), "--db", db).exit_code == 0
    before = sha(out)
    for query in ("SELECT INTERVAL 1 DAY AS i", "SELECT 1::UNION(a INT, b VARCHAR) AS u"):
        result = run("export", "--query", query, "--format", "parquet", "--out", str(out), "--db", db)
        assert result.exit_code == 2, result.output
        said = " ".join(result.output.split())
        assert "Parquet cannot hold this data" in said and "nothing was replaced" in said, said
        assert "Traceback" not in result.output
    assert sha(out) == before and sorted(p.name for p in tmp_path.iterdir()) == ["result.parquet"]


def test_xlsx_takes_every_column_type_as_text_when_excel_has_none(place, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "types.xlsx"
    result = run("export", "--query", "SELECT '\\xAA'::BLOB AS b, '12:00:00+08'::TIMETZ AS t, "
                 "'5f6c0d2e-8f43-4a39-9a4e-0c6d1b5e2a11'::UUID AS u, INTERVAL 1 DAY AS i, 1::UNION(a INT, b VARCHAR) AS n",
                 "--format", "xlsx", "--out", str(out), "--db", str(place["db"]))
    assert result.exit_code == 0, result.output
    row = [c.value for c in next(load_workbook(out)["result"].iter_rows(min_row=2))]
    assert row[:3] == ["b'\\xaa'", "12:00:00+08:00", "5f6c0d2e-8f43-4a39-9a4e-0c6d1b5e2a11"], row


def test_a_report_left_in_the_ingested_folder_is_not_read_as_a_document(place, tmp_path):
    """`report --out docs/report.html`, then `ingest docs`: the report holds every stored text; read
    as a document it would store every obligation twice. It is recorded as not a policy document."""
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(place["seed"], docs / "seed.txt")
    db = tmp_path / "r.duckdb"
    assert run("ingest", str(docs), "--db", str(db), "--no-prefect").exit_code == 0
    with duckdb.connect(str(db), read_only=True) as con:
        before = con.execute("SELECT count(*) FROM obligations").fetchone()[0]
    assert run("report", "--out", str(docs / "report.html"), "--db", str(db)).exit_code == 0
    result = run("ingest", str(docs), "--db", str(db), "--no-prefect")
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM obligations").fetchone()[0] == before
        kind, message = con.execute("SELECT kind, message FROM ingest_errors WHERE path LIKE '%report.html'").fetchone()
    assert kind == "unsupported_format" and "obligations report" in message


def test_a_failed_export_into_a_new_folder_leaves_no_folder(place, tmp_path):
    out = tmp_path / "new" / "export"
    result = subprocess.run([sys.executable, "-m", "pipeline.cli.main", "export", "--format", "csv", "--out", str(out),
                             "--db", str(place["db"])], capture_output=True, text=True, cwd=ROOT,
                            preexec_fn=_limited(10_000))
    assert result.returncode == 2 and "nothing was replaced" in result.stderr, result.stdout + result.stderr
    assert not (tmp_path / "new").exists()
