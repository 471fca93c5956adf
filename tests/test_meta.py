"""`obligations meta import`: one's own columns and corrections, checked row by row, kept across
re-ingest and reprocess, joined into the panel and the views; and `export --query`."""
from __future__ import annotations

import csv
import io
import shutil

import duckdb
import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from pipeline import connect
from pipeline.cli.main import app
from pipeline.runs.ingest import run_ingest
from tests.conftest import CORPUS

WIDE = {"COLUMNS": "250"}


def _cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def _csv(path, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.fixture()
def db(corpus_db, tmp_path):
    copy = tmp_path / "study.duckdb"
    shutil.copy(corpus_db, copy)
    return copy


def _panel(db, *columns):
    con = connect(db)
    try:
        return {r[0]: r[1:] for r in con.execute(
            f"SELECT file_name, {', '.join(columns)} FROM v_document_panel").fetchall()}
    finally:
        con.close()


def test_own_columns_and_corrections_reach_the_panel_and_the_views(db, tmp_path):
    meta = _csv(tmp_path / "coding.csv", [
        ["file", "policy_field", "stringency", "jurisdiction", "year", "doc_type"],
        ["zibo-2020-34-opinion.txt", "社区配套", "3", "山东省淄博市张店区", "2021", "plan"],
        ["jiangjin-2023-277-reply.txt", "社区配套", "2", "", "2023", ""],
    ])
    out = _cli("meta", "import", meta, "--db", db)
    assert out.exit_code == 0, out.output
    assert "2 new" in out.output and "policy_field, stringency" in out.output
    panel = _panel(db, "policy_field", "stringency", "jurisdiction", "city", "district", "year", "doc_type")
    assert panel["zibo-2020-34-opinion.txt"] == ("社区配套", 3, "山东省淄博市张店区", "淄博市", "张店区", 2021, "plan")
    assert panel["jiangjin-2023-277-reply.txt"] == ("社区配套", 2, "重庆市江津区", "重庆市", "江津区", 2023, "reply")
    assert panel["jiangsu-2024-184-notice.txt"][:2] == (None, None)
    con = connect(db)
    try:
        # the correction and the columns in the views of a document's rows, for every file of the edition
        rows = con.execute("SELECT DISTINCT jurisdiction, policy_field, stringency FROM v_obligations "
                           "WHERE doc_title = '关于加强社区配套设施规划建设管理的意见'").fetchall()
        assert rows == [("山东省淄博市张店区", "社区配套", 3)]
        for view in ("v_documents", "v_quota_comparison", "v_deadline_timeline", "v_citations"):
            assert {"policy_field", "stringency"} <= {d[0] for d in con.execute(f"SELECT * FROM {view} LIMIT 0").description}
        # a number stays a number: stringency is an integer for Stata and pandas
        assert con.execute("SELECT data_type FROM duckdb_columns() WHERE table_name = 'document_meta' "
                           "AND column_name = 'stringency'").fetchone()[0] == "BIGINT"
    finally:
        con.close()


def test_rows_survive_reingest_of_a_changed_file_and_reprocess(db, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    opinion = (CORPUS / "zibo-2020-34-opinion.txt").read_text(encoding="utf-8")
    (folder / "zibo.txt").write_text(opinion + "\n（本市复制件）", encoding="utf-8")  # bytes not stored yet
    assert run_ingest([str(folder)], db).new == 1
    _csv(tmp_path / "m.csv", [["file", "coder"], ["zibo.txt", "A"]])
    assert _cli("meta", "import", tmp_path / "m.csv", "--db", db).exit_code == 0
    # the file changes: a new doc_id at the same path; the row follows the file
    (folder / "zibo.txt").write_text(opinion + "\n各区县要于2021年底前完成。", encoding="utf-8")
    assert run_ingest([str(folder)], db).replaced == 1
    assert _edition_row(db, "coder") == ("A",)
    from pipeline.runs.reprocess import reprocess
    reprocess(db, stale_only=False)
    assert _edition_row(db, "coder") == ("A",)


def _edition_row(db, *columns):
    # zibo.txt and the sample corpus's zibo-2020-34-opinion.txt are one edition (same area, same 发文字号):
    # the panel has one row for both, named after whichever file sorts first by format and path — which
    # depends on where the checkout and the temporary folder are, so the row is looked up by either name
    panel = _panel(db, *columns)
    rows = [panel[name] for name in ("zibo.txt", "zibo-2020-34-opinion.txt") if name in panel]
    assert len(rows) == 1, sorted(panel)
    return rows[0]


def test_import_again_updates_keys_and_keeps_other_columns(db, tmp_path):
    _csv(tmp_path / "a.csv", [["file", "coder", "score"], ["zibo-2020-34-opinion.txt", "A", "1"]])
    _csv(tmp_path / "b.csv", [["file", "score"], ["zibo-2020-34-opinion.txt", "2.5"],
                              ["jiangsu-2024-184-notice.txt", "4"]])
    assert _cli("meta", "import", tmp_path / "a.csv", "--db", db).exit_code == 0
    out = _cli("meta", "import", tmp_path / "b.csv", "--db", db)
    assert out.exit_code == 0 and "1 new, 1 updated" in out.output
    panel = _panel(db, "coder", "score")
    assert panel["zibo-2020-34-opinion.txt"] == ("A", 2.5) and panel["jiangsu-2024-184-notice.txt"] == (None, 4.0)
    out = _cli("meta", "import", tmp_path / "b.csv", "--db", db, "--replace")
    assert out.exit_code == 0
    assert "coder" not in _panel_columns(db)


def _panel_columns(db):
    con = connect(db)
    try:
        return [d[0] for d in con.execute("SELECT * FROM v_document_panel LIMIT 0").description]
    finally:
        con.close()


def test_every_bad_row_is_named_and_nothing_is_imported(db, tmp_path):
    meta = _csv(tmp_path / "bad.csv", [
        ["file", "coder", "year", "doc_type", "jurisdiction"],
        ["zibo-2020-34-opinion.txt", "A", "二〇二〇", "", ""],            # row 2: year
        ["jiangsu-2024-184-notice.txt", "B", "2024", "规划", ""],          # row 3: doc_type
        ["no-such-file.pdf", "C", "", "", ""],                            # row 4: unknown
        ["zibo-2020-34-opinion.txt", "D", "", "", ""],                    # row 5: named again
        ["shanxi-2022-52-notice.txt", "E", "", "", "Shanxi"],            # row 6: jurisdiction
        ["", "F", "", "", ""],                                            # row 7: no key
        ["jiangjin-2023-277-reply.txt", "G", "1850", "", ""],            # row 8: year range
    ])
    out = _cli("meta", "import", meta, "--db", db)
    assert out.exit_code == 2
    text = " ".join(out.output.split())
    for expected in ("row 2: year '二〇二〇'", "row 3: doc_type '规划' is not one of", "row 4: no stored document is "
                     "'no-such-file.pdf'", "row 5: 'zibo-2020-34-opinion.txt' is named again (first in row 2)",
                     "row 6: jurisdiction 'Shanxi' is not an area name", "row 7: no file", "row 8: year '1850'",
                     "nothing imported"):
        assert expected in text, expected
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM document_meta").fetchone()[0] == 0
    assert "coder" not in {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() "
                                                     "WHERE table_name = 'document_meta'").fetchall()}
    con.close()


def test_header_problems(db, tmp_path):
    for rows, message in [
        ([["title", "coder"], ["x", "y"]], "exactly one key column is needed"),
        ([["file", "doc_id"], ["x", "y"]], "exactly one key column is needed"),
        ([["file", "jurisdiction_level"], ["zibo-2020-34-opinion.txt", "x"]], "'jurisdiction_level' is a column "
                                                                              "of the database already"),
        ([["file", "Coder", "coder"], ["zibo-2020-34-opinion.txt", "x", "y"]], "'coder' appears twice"),
    ]:
        out = _cli("meta", "import", _csv(tmp_path / "h.csv", rows), "--db", db)
        assert out.exit_code == 2 and message in " ".join(out.output.split()), (rows, out.output)


def test_a_file_name_in_two_folders_must_be_told_apart(db, tmp_path):
    # two different documents (editions apart: a row reaches the other files of its own edition only)
    for folder, seed in (("a", "zibo-2020-34-opinion.txt"), ("b", "jiangsu-2024-184-notice.txt")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "plan.txt").write_text(
            (CORPUS / seed).read_text(encoding="utf-8") + folder, encoding="utf-8")
    run_ingest([str(tmp_path / "a"), str(tmp_path / "b")], db)
    out = _cli("meta", "import", _csv(tmp_path / "m.csv", [["file", "coder"], ["plan.txt", "x"]]), "--db", db)
    assert out.exit_code == 2 and "names 2 stored documents" in out.output
    out = _cli("meta", "import", _csv(tmp_path / "m.csv", [["file", "coder"], ["b/plan.txt", "x"]]), "--db", db)
    assert out.exit_code == 0, out.output
    con = connect(db)
    rows = con.execute("SELECT source_path, coder FROM v_documents WHERE source_path LIKE '%plan.txt'").fetchall()
    con.close()
    assert sorted((p.split("/")[-2], c) for p, c in rows) == [("a", None), ("b", "x")]


def test_xlsx_keyed_by_doc_id_with_typed_cells(db, tmp_path):
    con = connect(db)
    doc_id = con.execute("SELECT doc_id FROM v_document_panel WHERE file_name = 'jiangsu-2024-184-notice.txt'"
                         ).fetchone()[0]
    con.close()
    wb = Workbook()
    ws = wb.active
    ws.append(["doc_id", "政策领域", "reviewed", "year"])
    ws.append([doc_id, "嵌入式服务设施", __import__("datetime").date(2025, 3, 1), 2024.0])
    wb.save(tmp_path / "m.xlsx")
    out = _cli("meta", "import", tmp_path / "m.xlsx", "--db", db)
    assert out.exit_code == 0, out.output
    import datetime as dt
    assert _panel(db, "政策领域", "reviewed", "year")["jiangsu-2024-184-notice.txt"] == (
        "嵌入式服务设施", dt.date(2025, 3, 1), 2024)


def test_a_gb18030_csv_from_chinese_excel_is_read(db, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("file,政策领域\r\nzibo-2020-34-opinion.txt,社区配套\r\n".encode("gb18030"))
    assert _cli("meta", "import", path, "--db", db).exit_code == 0
    assert _panel(db, "政策领域")["zibo-2020-34-opinion.txt"] == ("社区配套",)


# ------------------------------------------------------------------ export --query


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_query_writes_one_file(corpus_db, tmp_path, fmt):
    query = ("SELECT jurisdiction, count(*) AS obligations, list(DISTINCT modality ORDER BY modality) AS modalities "
             "FROM v_obligations WHERE is_primary GROUP BY 1 ORDER BY 1")
    path = tmp_path / f"result.{fmt}"
    out = _cli("export", "--query", query, "--format", fmt, "--out", path, "--db", corpus_db)
    assert out.exit_code == 0, out.output
    con = connect(corpus_db)
    expected = con.execute(query).fetchall()
    con.close()
    if fmt == "parquet":
        assert duckdb.sql(f"SELECT * FROM '{path}'").fetchall() == expected
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
        assert rows[0] == ["jurisdiction", "obligations", "modalities"]
        assert rows[1:] == [[j, str(n), __import__("json").dumps(m)] for j, n, m in expected]
    else:
        values = list(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
        assert [v[:2] for v in values[1:]] == [(j, n) for j, n, _ in expected]


def test_export_query_refuses_what_is_not_one_select(corpus_db, tmp_path):
    for query in ("DELETE FROM documents", "SELECT 1; SELECT 2",
                  f"COPY documents TO '{tmp_path / 'x.csv'}'"):
        out = _cli("export", "--query", query, "--format", "csv", "--out", tmp_path / "r.csv", "--db", corpus_db)
        assert out.exit_code == 2, (query, out.output)
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "r.csv").exists()
    out = _cli("export", "--query", "SELECT * FROM no_such_table", "--format", "csv", "--out", tmp_path / "r.csv",
               "--db", corpus_db)
    assert out.exit_code == 2 and "no_such_table" in out.output and not (tmp_path / "r.csv").exists()


def test_a_row_keyed_by_another_file_of_the_document_reaches_its_panel_row(db, tmp_path):
    """The panel shows the HTML/TXT copy of a document; the researcher's sheet may name its PDF. A
    correction made through one file does not split the document's files into two documents."""
    meta = _csv(tmp_path / "m.csv", [["file", "coder", "jurisdiction"],
                                     ["variants/zibo-2020-34-opinion.pdf", "P", "山东省淄博市"]])
    assert _cli("meta", "import", meta, "--db", db).exit_code == 0
    panel = _panel(db, "coder", "jurisdiction", "n_files")
    assert len(panel) == 5
    assert panel["zibo-2020-34-opinion.txt"] == ("P", "山东省淄博市", 3)
