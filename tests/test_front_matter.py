"""YAML front matter of text and Markdown files: fields to header_fields, lines out of the text; the
Latin keys of other collections and the <meta> fields of web pages give the same metadata."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.readers import read_document
from pipeline.readers.front_matter import split_front_matter
from tests.example_tables import load, params

CASES = load("front_matter.yaml")["split"]


@pytest.mark.parametrize("case", params(CASES))
def test_front_matter_examples(case):
    fields, body_start = split_front_matter(case.text)
    assert fields == case.expect["fields"]
    assert case.text[body_start:] == case.expect.get("body", case.text)


def test_front_matter_is_header_fields_and_not_text(tmp_path: Path):
    text = CASES[0].text + "\n区消防救援局、各街道办事处：\n现将有关事项通知如下。\n"
    path = tmp_path / "notice.md"
    path.write_text(text, encoding="utf-8")
    doc = read_document(path)
    assert doc.header_fields["文号"] == "长应急〔2025〕3号"
    assert doc.header_fields["层级"] == "区级"
    assert "层级" not in doc.text and "发布单位" not in doc.text and "---" not in doc.text
    assert doc.text.startswith("关于印发《2025年长宁区")
    # offsets still point into the file's text
    source = path.read_text(encoding="utf-8")
    for run in doc.source_map:
        assert doc.text[run.text_start:run.text_start + run.length] == \
            source[run.source_start:run.source_start + run.length]


def _stored(path: Path, sql: str) -> list[tuple]:
    """The rows `sql` reads from a database holding `path` alone (ingested once per path)."""
    import duckdb

    from pipeline.runs.ingest import run_ingest

    db = path.with_suffix(".duckdb")
    if not db.exists():
        run_ingest([str(path)], db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_latin_front_matter_keys_give_the_same_metadata(tmp_path: Path):
    """Collections that key their front matter in Latin (title, doc_no, date): the number and the
    date are found as under 文号 and 发布日期, and a year-less deadline takes the date's year."""
    path = tmp_path / "notice.md"
    path.write_text("---\ntitle: 某市住房和城乡建设局关于做好城市更新工作的通知\ndoc_no: 某建发〔2024〕5号\n"
                    "Publish-Date: 2024-03-05T09:30:00+08:00\nurl: https://www.example.gov.cn/a/1.html\n---\n\n"
                    "# 某市住房和城乡建设局关于做好城市更新工作的通知\n\n各区县住房城乡建设局：\n\n"
                    "一、各区县住房城乡建设局要于6月底前完成老旧小区改造项目摸底。\n", encoding="utf-8")
    assert _stored(path, "select doc_number, issued_date::varchar from documents") == [("某建发〔2024〕5号", "2024-03-05")]
    assert _stored(path, "select date::varchar from deadlines") == [("2024-06-30",)]


def test_a_web_page_meta_tags_give_its_date(tmp_path: Path):
    """<meta name="PubDate"> of a government site's CMS is a publication date: the issue date of a
    page without signature date, and the year of its year-less deadlines."""
    path = tmp_path / "page.html"
    path.write_text('<html><head><meta charset="utf-8"><meta name="title" content="某市人民政府门户网站">'
                    '<meta name="ArticleTitle" content="关于做好城市更新工作的通知">'
                    '<meta name="PubDate" content="2024-03-05 10:21"><meta name="keywords" content="城市更新"></head>'
                    "<body><p>关于做好城市更新工作的通知</p><p>各区县住房城乡建设局：</p>"
                    "<p>一、各区县住房城乡建设局要于6月底前完成老旧小区改造项目摸底。</p></body></html>", encoding="utf-8")
    fields = read_document(path).header_fields
    assert fields["PubDate"] == "2024-03-05 10:21" and "title" not in fields  # the site's name is no title
    assert _stored(path, "select title, issued_date::varchar from documents") == [("关于做好城市更新工作的通知", "2024-03-05")]
    assert _stored(path, "select date::varchar from deadlines") == [("2024-06-30",)]
