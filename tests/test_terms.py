"""Word frequencies (the `terms` table): the counter on example sentences, the table and its views
on the sample corpus, `compare terms`, `kwic` and the report's chart."""
from __future__ import annotations

import json
import re

import duckdb
import pytest
from typer.testing import CliRunner

from extractors import nlp, terms
from extractors.fields import FieldMatches
from pipeline.cli.main import app
from tests.conftest import CORPUS
from tests.example_tables import load, params

runner = CliRunner()


def counted(text: str) -> dict[str, terms.TermCount]:
    return {t.term: t for t in terms.count_terms(nlp.to_doc(text, FieldMatches()))}


@pytest.mark.parametrize("case", params(load("terms.yaml")["count"]))
def test_example_table(case):
    found = counted(case.text)
    assert [t for t in case.expect["has"] if t not in found] == []
    assert [t for t in case.expect["lacks"] if str(t) in found] == []


def test_counts_and_first_offsets_on_a_real_document():
    text = (CORPUS / "shanxi-2022-52-notice.txt").read_text(encoding="utf-8")
    found = counted(text)
    for t in found.values():
        assert text[t.start:t.end] == t.term
        assert t.start == text.find(t.term) or text.find(t.term) < t.start  # a token, not a substring
    # 完整居住社区 is one token wherever it is written (a policy term of data/terms.yaml)
    assert found["完整居住社区"].count == text.count("完整居住社区")
    assert found["完整居住社区"].pos == "n"
    assert not any(re.fullmatch(r"[\d.%年月日]+", t) for t in found)


def test_terms_table_and_views(corpus_db):
    con = duckdb.connect(str(corpus_db), read_only=True)
    try:
        bad = con.execute("SELECT count(*) FROM terms t JOIN documents d USING (doc_id) "
                          "WHERE substr(d.text, t.start + 1, t.\"end\" - t.start) <> t.term").fetchone()[0]
        assert bad == 0
        assert con.execute("SELECT count(*) FROM terms WHERE count < 1 OR length(term) < 2").fetchone()[0] == 0
        # the long view: one row per primary document and term; the grouped view adds up to it
        long_total = con.execute("SELECT sum(count) FROM v_terms").fetchone()[0]
        grouped_total = con.execute("SELECT sum(count) FROM v_term_frequency").fetchone()[0]
        assert long_total == grouped_total > 0
        shares = con.execute("SELECT jurisdiction, year, doc_type, sum(per_10k) FROM v_term_frequency "
                             "GROUP BY ALL").fetchall()
        assert all(9990 <= s[-1] <= 10010 for s in shares), shares  # a group's per-10k shares add up to 10,000
    finally:
        con.close()


def test_compare_terms_by_jurisdiction_and_year(corpus_db):
    out = runner.invoke(app, ["compare", "terms", "--top", "3", "--db", str(corpus_db), "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    by_place: dict[str, list] = {}
    for r in rows:
        by_place.setdefault(r["jurisdiction"], []).append(r)
    assert {"淄博市", "山西省", "江苏省", "重庆市江津区"} <= set(by_place)
    for place_rows in by_place.values():
        assert [r["rank"] for r in place_rows] == list(range(1, len(place_rows) + 1)) and len(place_rows) <= 3
        assert place_rows == sorted(place_rows, key=lambda r: -r["count"])
    out = runner.invoke(app, ["compare", "terms", "--by", "year", "--top", "1", "--db", str(corpus_db),
                              "--format", "csv"])
    assert out.exit_code == 0 and out.output.splitlines()[0] == "year,rank,term,count,per_10k,documents,n_documents"
    bad = runner.invoke(app, ["compare", "terms", "--by", "city", "--db", str(corpus_db)])
    assert bad.exit_code == 2 and "unknown grouping" in bad.output


def test_kwic_points_at_passages(corpus_db):
    out = runner.invoke(app, ["kwic", "配套设施", "--width", "8", "--db", str(corpus_db), "--format", "json"])
    assert out.exit_code == 0, out.output
    lines = json.loads(out.output)
    assert len(lines) > 10
    con = duckdb.connect(str(corpus_db), read_only=True)
    try:
        texts = dict(con.execute("SELECT doc_id, text FROM documents").fetchall())
        spans = {oid: (s, e) for oid, s, e in con.execute("SELECT obligation_id, start, \"end\" FROM obligations")
                 .fetchall()}
    finally:
        con.close()
    for line in lines:
        text = texts[line["doc_id"]]
        assert text[line["start"]:line["start"] + len("配套设施")] == "配套设施"
        assert len(line["left"]) <= 8 and line["term"] == "配套设施"
        if line["obligation_id"]:
            s, e = spans[line["obligation_id"]]
            assert s <= line["start"] < e and line["passage"] == "#ob-" + line["obligation_id"]
    assert any(line["obligation_id"] for line in lines)


def test_report_has_the_terms_chart(corpus_db):
    from pipeline.report.build import build_report
    con = duckdb.connect(str(corpus_db), read_only=True)
    try:
        page = build_report(con)
    finally:
        con.close()
    assert '<section id="terms">' in page and "terms per 10,000 terms, by jurisdiction" in page
