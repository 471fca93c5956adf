"""The document panel: its readings of titles and jurisdictions (the example table, through the view
itself), its counts against the tables they count, `obligations panel` and its files."""
from __future__ import annotations

import csv
import datetime as dt
import io

import duckdb
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from pipeline import connect, store
from pipeline.cli.main import app
from pipeline.store.panel import WORDS_PANEL
from schemas.records import DocumentRecord
from tests.example_tables import load, params

EXAMPLES = load("panel.yaml")
WIDE = {"COLUMNS": "250"}


def _doc(i: int, title, annex_titles=(), jurisdiction=None) -> DocumentRecord:
    return DocumentRecord(doc_id=f"{i:064x}", source_path=f"/docs/example-{i}.txt", format="txt", text="",
                          title=title, annex_titles=list(annex_titles), jurisdiction=jurisdiction,
                          pipeline_version="test", ingested_at=dt.datetime(2026, 1, 1))


@pytest.fixture(scope="module")
def examples_db(tmp_path_factory):
    """Every example title and jurisdiction as a stored document (no text: the panel reads the
    document row only)."""
    db = tmp_path_factory.mktemp("panel") / "examples.duckdb"
    docs = [_doc(i, c.text, c.given.get("annex_titles", [])) for i, c in enumerate(EXAMPLES["titles"])]
    base = len(docs)
    docs += [_doc(base + i, f"示例文件{i}", jurisdiction=c.text) for i, c in enumerate(EXAMPLES["jurisdictions"])]
    with store.open_for_writing(db) as con:
        store.insert(con, "documents", docs)
    con = connect(db)
    yield con, base
    con.close()


def _panel_row(con, doc_id: str) -> dict:
    cur = con.execute("SELECT * FROM v_document_panel WHERE doc_id = ?", [doc_id])
    return dict(zip([d[0] for d in cur.description], cur.fetchone()))


@pytest.mark.parametrize("case", params(EXAMPLES["titles"]))
def test_title_readings(examples_db, case):
    con, _ = examples_db
    i = EXAMPLES["titles"].index(case)
    row = _panel_row(con, f"{i:064x}")
    got = {k: row[k] for k in ("outer_genre", "inner_title", "inner_genre", "inner_type")}
    assert got == {k: case.expect[k] for k in got}
    assert row["doc_type"] == (case.expect["inner_type"] or row["outer_type"])


@pytest.mark.parametrize("case", params(EXAMPLES["jurisdictions"]))
def test_jurisdiction_levels(examples_db, case):
    con, base = examples_db
    i = base + EXAMPLES["jurisdictions"].index(case)
    row = _panel_row(con, f"{i:064x}")
    want = case.expect
    assert (row["jurisdiction_level"], row["province"], row["city"], row["district"]) == (
        want["level"], want["province"], want["city"], want["district"])


# ------------------------------------------------------------------ the corpus


@pytest.fixture(scope="module")
def con(corpus_db):
    c = connect(corpus_db)
    yield c
    c.close()


def _records(con, sql, params=()):
    cur = con.execute(sql, list(params))
    return [dict(zip([d[0] for d in cur.description], r)) for r in cur.fetchall()]


def test_one_row_per_document_counted_once_whatever_the_files(con):
    panel = _records(con, "SELECT * FROM v_document_panel")
    primaries = con.execute("SELECT doc_id FROM v_documents WHERE is_primary").fetchall()
    assert sorted(r["doc_id"] for r in panel) == sorted(d for (d,) in primaries)
    files = dict(con.execute("SELECT primary_doc_id, count(*) FROM v_documents GROUP BY 1").fetchall())
    assert {r["doc_id"]: r["n_files"] for r in panel} == files
    assert len(panel) == 5  # the five seeds; their DOCX and PDF copies are the same documents


def test_counts_and_shares_agree_with_the_tables(con):
    by_doc: dict[str, dict] = {}
    for o in _records(con, "SELECT obligation_id, doc_id, modality, category FROM obligations"):
        by_doc.setdefault(o["doc_id"], []).append(o)
    due = {r[0] for r in con.execute("SELECT obligation_id FROM deadlines WHERE kind = 'by'").fetchall()}
    led = {r[0] for r in con.execute(
        "SELECT obligation_id FROM obligation_units WHERE role = 'lead' AND NOT generic").fetchall()}
    for row in _records(con, "SELECT * FROM v_document_panel"):
        obs = by_doc.get(row["doc_id"], [])
        n = len(obs)
        assert row["n_obligations"] == n > 0
        assert row["n_with_deadline"] == sum(o["obligation_id"] in due for o in obs)
        assert row["n_with_lead"] == sum(o["obligation_id"] in led for o in obs)
        assert row["share_with_deadline"] == pytest.approx(row["n_with_deadline"] / n)
        for modality in ("must", "prohibit", "encourage"):
            assert row[f"n_{modality}"] == sum(o["modality"] == modality for o in obs)
        for category, column in WORDS_PANEL.category_columns.items():
            assert row[f"n_cat_{column}"] == sum(o["category"] == category for o in obs)
            assert row[f"share_cat_{column}"] == pytest.approx(row[f"n_cat_{column}"] / n)
        assert 0 < row["coverage"] <= 1


def test_the_seeds_read_as_a_researcher_reads_them(con):
    rows = {r["file_name"]: r for r in _records(con, "SELECT * FROM v_document_panel")}
    jiangjin = rows["jiangjin-2023-277-reply.txt"]
    assert (jiangjin["city"], jiangjin["district"], jiangjin["jurisdiction_level"]) == ("重庆市", "江津区", "district")
    zibo = rows["zibo-2020-34-opinion.txt"]
    assert (zibo["province"], zibo["city"], zibo["year"], zibo["doc_type"]) == ("山东省", "淄博市", 2020, "opinion")
    assert rows["zibo-2020-34-annex2-task-table.txt"]["parent_doc_id"] == zibo["doc_id"]
    shanxi = rows["shanxi-2022-52-notice.txt"]
    assert (shanxi["outer_type"], shanxi["inner_type"], shanxi["doc_type"]) == ("notice", "standard", "standard")


# ------------------------------------------------------------------ the command


def _cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def test_panel_command_preview_and_csv(corpus_db, con):
    out = _cli("panel", "--db", corpus_db)
    assert out.exit_code == 0, out.output
    assert "jiangjin-2023-277-reply.txt" in out.output and "columns in all" in out.output
    out = _cli("panel", "--db", corpus_db, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == 5 and set(_records(con, "SELECT * FROM v_document_panel LIMIT 1")[0]) == set(rows[0])


def test_panel_by_adds_up_and_recomputes_shares(corpus_db, con):
    out = _cli("panel", "--db", corpus_db, "--by", "province,year", "--format", "csv")
    assert out.exit_code == 0, out.output
    groups = list(csv.DictReader(io.StringIO(out.stdout)))
    panel = _records(con, "SELECT * FROM v_document_panel")
    assert sum(int(g["n_documents"]) for g in groups) == len(panel)
    assert sum(int(g["n_obligations"]) for g in groups) == sum(r["n_obligations"] for r in panel)
    shandong = [g for g in groups if g["province"] == "山东省"]
    assert len(shandong) == 1 and shandong[0]["year"] == "2020" and shandong[0]["n_documents"] == "2"
    zibo = [r for r in panel if r["province"] == "山东省"]
    assert float(shandong[0]["share_with_lead"]) == pytest.approx(
        sum(r["n_with_lead"] for r in zibo) / sum(r["n_obligations"] for r in zibo))


def test_panel_by_unknown_or_count_column_is_refused(corpus_db):
    out = _cli("panel", "--db", corpus_db, "--by", "county")
    assert out.exit_code == 2 and "no panel column 'county'" in out.output and "district" in out.output
    out = _cli("panel", "--db", corpus_db, "--by", "n_obligations")
    assert out.exit_code == 2 and "added up" in out.output


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_panel_files_read_back(corpus_db, con, tmp_path, fmt):
    path = tmp_path / f"panel.{fmt}"
    out = _cli("panel", "--db", corpus_db, "--format", fmt, "--out", path)
    assert out.exit_code == 0, out.output
    expected = _records(con, "SELECT * FROM v_document_panel")
    if fmt == "parquet":
        back = duckdb.sql(f"SELECT * FROM '{path}'")
        rows = [dict(zip(back.columns, r)) for r in back.fetchall()]
        assert rows == expected  # types kept: shares as doubles, year as an integer
    elif fmt == "csv":
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese as UTF-8
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        assert [r["doc_id"] for r in rows] == [r["doc_id"] for r in expected]
    else:
        ws = load_workbook(path, read_only=True).worksheets[0]
        values = list(ws.iter_rows(values_only=True))
        assert list(values[0]) == list(expected[0]) and len(values) == len(expected) + 1
        assert [v[0] for v in values[1:]] == [r["doc_id"] for r in expected]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


@pytest.mark.parametrize("args", [["panel", "--format", "[/x]"], ["meta", "import", "[/x].csv"],
                                  ["eval", "--gold", "[/x]"]])
def test_study_errors_print_data_as_written(corpus_db, args):
    # a value such as [/x] is data: through rich markup it raised MarkupError instead of the message
    out = CliRunner().invoke(app, [*args, "--db", str(corpus_db)], env={"COLUMNS": "250"})
    assert out.exit_code == 2, out.output
    assert "error:" in out.output and "[/x]" in out.output
