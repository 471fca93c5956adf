"""The ingest run end to end on the sample corpus: every format stored, idempotent, replacement
without orphans, bad files recorded while the batch goes on, the Prefect flow."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline import store
from pipeline.cli.main import app
from pipeline.runs.ingest import run_ingest
from tests.conftest import CORPUS, SEED_NAMES

CHILD_TABLES = ["blocks", "obligations", "obligation_units", "deadlines", "quotas", "citations"]


def table_digest(db: Path) -> dict[str, tuple]:
    """Row count and an order-independent hash of every stored table (ingest bookkeeping aside)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for t in ["documents", *CHILD_TABLES]:
            cols = [r[0] for r in con.execute(f"DESCRIBE {t}").fetchall() if r[0] != "ingested_at"]
            out[t] = con.execute(f"SELECT count(*), sum(hash({', '.join(repr(c).replace(chr(39), chr(34)) for c in cols)})) "
                                 f"FROM {t}").fetchone()
        return out
    finally:
        con.close()


def orphans(con) -> int:
    return sum(con.execute(f"SELECT count(*) FROM {t} WHERE doc_id NOT IN (SELECT doc_id FROM documents)").fetchone()[0]
               for t in CHILD_TABLES)


def test_corpus_is_stored_in_every_format(corpus_db):
    con = duckdb.connect(str(corpus_db), read_only=True)
    formats = dict(con.execute("SELECT format, count(*) FROM documents GROUP BY 1").fetchall())
    assert {"txt", "docx", "pdf"} <= set(formats)
    assert formats["txt"] == len(SEED_NAMES)
    assert con.execute("SELECT count(*) FROM obligations").fetchone()[0] > 200
    assert orphans(con) == 0


def test_every_stored_span_points_at_its_surface(corpus_db):
    """documents.text[start:end] == surface for every stored value, on every corpus document."""
    con = duckdb.connect(str(corpus_db), read_only=True)
    for table, column in [("deadlines", "surface"), ("quotas", "surface"), ("citations", "surface"),
                          ("obligations", "text"), ("obligation_units", "name")]:
        bad = con.execute(f"""SELECT count(*) FROM {table} x JOIN documents d USING (doc_id)
                              WHERE substr(d.text, x.start + 1, x."end" - x.start) <> x.{column}""").fetchone()[0]
        total = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        if table == "obligation_units":
            # a unit of a coordinated list (市教育、民政…等部门) is named by its key; its span is its word
            bad = con.execute("""SELECT count(*) FROM obligation_units x JOIN documents d USING (doc_id)
                                 WHERE x."end" <= x.start OR x."end" > length(d.text)""").fetchone()[0]
        assert total > 0 and bad == 0, table


def test_second_ingest_changes_nothing(tmp_path):
    db = tmp_path / "i.duckdb"
    files = [str(CORPUS / n) for n in SEED_NAMES]
    first = run_ingest(files, db)
    before = table_digest(db)
    second = run_ingest(files, db)
    assert (first.new, second.new, second.unchanged, second.replaced) == (5, 0, 5, 0)
    assert table_digest(db) == before


def test_changed_file_replaces_its_rows_completely(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    doc = folder / "reply.txt"
    shutil.copy(CORPUS / "jiangjin-2023-277-reply.txt", doc)
    db = tmp_path / "r.duckdb"
    run_ingest([str(folder)], db)
    con = duckdb.connect(str(db), read_only=True)
    old_id, = con.execute("SELECT doc_id FROM documents").fetchone()
    con.close()
    doc.write_text(doc.read_text(encoding="utf-8").replace("区财政局加大", "区财政局要在2023年12月底前加大"),
                   encoding="utf-8")
    summary = run_ingest([str(folder)], db)
    assert (summary.new, summary.replaced) == (0, 1)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    assert con.execute("SELECT doc_id FROM documents").fetchone()[0] != old_id
    assert orphans(con) == 0
    for t in CHILD_TABLES:
        assert con.execute(f"SELECT count(*) FROM {t} WHERE doc_id = ?", [old_id]).fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM deadlines WHERE date = DATE '2023-12-31'").fetchone()[0] >= 1


def test_bad_files_are_recorded_once_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(CORPUS / "zibo-2020-34-opinion.txt", folder / "good.txt")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    (folder / "fake.pdf").write_bytes(b"this is no pdf at all")
    db = tmp_path / "b.duckdb"
    result = CliRunner().invoke(app, ["ingest", str(folder), "--db", str(db), "--no-prefect"])
    assert result.exit_code == 0, result.output
    assert "new 1" in result.output and "failed 3" in result.output
    con = duckdb.connect(str(db), read_only=True)
    kinds = dict(con.execute("SELECT regexp_extract(path, '[^/]+$'), kind FROM ingest_errors").fetchall())
    assert kinds == {"empty.txt": "empty", "old.doc": "unsupported_format", "fake.pdf": "not_a_pdf"}
    messages = [m for (m,) in con.execute("SELECT message FROM ingest_errors").fetchall()]
    assert all(str(folder) in m for m in messages)
    con.close()
    again = run_ingest([str(folder)], db)  # the same bad bytes are not retried
    assert (again.failed, again.skipped, again.unchanged) == (0, 3, 1)


def test_missing_path_is_a_failed_run(tmp_path):
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "nowhere"), "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code != 0
    assert "no such file or folder" in result.output


def test_sql_and_info_commands(corpus_db):
    runner = CliRunner()
    out = runner.invoke(app, ["sql", "SELECT format, count(*) AS n FROM documents GROUP BY 1 ORDER BY 1",
                              "--db", str(corpus_db), "--format", "csv"])
    assert out.exit_code == 0 and out.output.splitlines()[0] == "format,n" and "pdf," in out.output
    info = runner.invoke(app, ["info", "--db", str(corpus_db)])
    assert info.exit_code == 0 and "obligations" in info.output
    bad = runner.invoke(app, ["sql", "DELETE FROM obligations", "--db", str(corpus_db)])
    assert bad.exit_code != 0  # read-only


def _ingested(files: list[str], db: Path) -> Path:
    run_ingest(files, db)
    return db


def test_flow_smoke(prefect_harness, tmp_path):
    from pipeline.flows.ingest import ingest_flow

    db = tmp_path / "f.duckdb"
    result = ingest_flow([str(CORPUS / "jiangjin-2023-277-reply.txt")], str(db))
    assert result["new"] == 1 and result["obligations"] > 5
    again = ingest_flow([str(CORPUS / "jiangjin-2023-277-reply.txt")], str(db))
    assert again["unchanged"] == 1
    # with workers the flow's steps run in threads (two batches extracted at once, one stored,
    # Prefect's context copied in): the same rows as one process
    files = [str(CORPUS / n) for n in SEED_NAMES[:3]]
    parallel = ingest_flow(files, str(tmp_path / "w.duckdb"), workers=2, batch_size=1)
    assert (parallel["new"], parallel["failed"]) == (3, 0)
    assert table_digest(tmp_path / "w.duckdb") == table_digest(_ingested(files, tmp_path / "one.duckdb"))


def test_workers_give_the_same_rows(tmp_path):
    files = [str(CORPUS / n) for n in SEED_NAMES[:3]]
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    run_ingest(files, one)
    run_ingest(files, two, workers=2, batch_size=2)
    assert table_digest(one) == table_digest(two)


def test_a_run_with_nothing_to_extract_starts_no_workers(tmp_path, monkeypatch):
    """Workers cost seconds to start; a re-ingest that finds every file unchanged must not pay it."""
    import pipeline.runs.workers

    files = [str(CORPUS / n) for n in SEED_NAMES[:2]]
    db = tmp_path / "r.duckdb"
    run_ingest(files, db)

    started = []
    monkeypatch.setattr(pipeline.runs.workers.GuardedPool, "_dispatch", lambda pool: started.append(pool))
    again = run_ingest(files, db, workers=2)
    assert (again.unchanged, again.new) == (2, 0)
    assert not started, "a worker pool was started with nothing to extract"


def test_documents_with_little_coverage_are_named_by_ingest_info_and_the_report(tmp_path):
    # a 转发 notice whose plan is not in the file, beside a seed read whole
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "forward-only.txt").write_text(
        "上海市松江区人民政府办公室关于转发区大居推进办制订的《松江区大型居住社区配套设施三年行动计划（2022—2024年）》的通知\n"
        "各镇人民政府，各街道办事处，区政府有关委、办、局：\n"
        "区大居推进办制订的《松江区大型居住社区配套设施三年行动计划（2022—2024年）》已经区政府同意，"
        "现转发给你们，请认真按照执行。\n具体项目以年度投资计划为准。\n"
        "上海市松江区人民政府办公室\n2022年6月17日\n", encoding="utf-8")
    shutil.copy(CORPUS / "zibo-2020-34-opinion.txt", folder)
    db = tmp_path / "c.duckdb"
    runner = CliRunner()
    out = runner.invoke(app, ["ingest", str(folder), "--db", str(db), "--no-prefect"], env={"COLUMNS": "300"})
    assert out.exit_code == 0
    assert "warning:" in out.output and "forward-only.txt" in out.output and "zibo" not in out.output.split("warning:")[1]
    with duckdb.connect(str(db), read_only=True) as con:
        coverage = dict(con.execute("SELECT regexp_extract(source_path, '[^/]+$'), coverage FROM v_documents").fetchall())
    assert coverage["forward-only.txt"] < 0.3 < coverage["zibo-2020-34-opinion.txt"]
    info = runner.invoke(app, ["info", "--db", str(db)], env={"COLUMNS": "300"})
    assert "warning:" in info.output and "forward-only.txt" in info.output
    report = tmp_path / "r.html"
    assert runner.invoke(app, ["report", "--db", str(db), "--out", str(report)]).exit_code == 0
    page = report.read_text(encoding="utf-8")
    assert 'class="warning"' in page and "松江区大型居住社区配套设施" in page.split('class="warning"')[1].split("</div>")[0]
