"""A line break inside a document number or a standard's code (pipeline/readers/normalize/code_breaks.py)
joins the two lines in every layout, and the number comes out whole: the example table, and a
paragraph hard-wrapped at every width from 14 to 69 characters keeps its citations."""
from __future__ import annotations

import datetime as dt

import pytest

from extractors.analyze import analyze
from pipeline.readers.normalize import normalize_text
from tests.example_tables import load, params

EXAMPLES = load("code_breaks.yaml")


def test_the_table_has_both_sides():
    assert {c.expect["joined"] for c in EXAMPLES["pairs"]} == {True, False}


@pytest.mark.parametrize("case", params(EXAMPLES["pairs"]))
def test_a_break_inside_a_code_joins_the_lines(case):
    doc = normalize_text(f"{case.text}\n{case.given['after']}\n")  # one line a paragraph: the LINES layout
    paragraphs = [doc.text[b.start:b.end] for b in doc.blocks]
    assert len(paragraphs) == (1 if case.expect["joined"] else 2), paragraphs
    if case.expect["joined"]:
        assert case.expect["code"] in paragraphs[0]


BODY = ("根据《上海市住房和城乡建设管理委员会关于进一步加强海绵城市建设管理的通知》（沪建综规〔2021〕445号）要求，"
        "各区要于2024年6月底前完成海绵城市建设自评估工作，并将评估报告报送市住房城乡建设管理委。各区应当严格执行"
        "《建筑与小区雨水控制及利用工程技术规范》（DB31/T 1056-2017）和有关标准规范的要求。")


def wrapped(width: int, copies: int) -> str:
    paragraphs = [BODY.replace("6月", f"{k + 1}月") for k in range(copies)]
    lines = [p[i:i + width] for p in paragraphs for i in range(0, len(p), width)]
    return "\n".join(["关于做好海绵城市建设工作的通知", "各区人民政府：", *lines, "上海市住房和城乡建设管理委员会", "2024年3月1日"])


@pytest.mark.parametrize("copies", [1, 4])  # too few lines to see the wrap (LINES), enough (WRAPPED)
def test_a_wrapped_paragraph_keeps_its_citations_at_every_width(copies):
    for width in range(14, 70):
        doc = normalize_text(wrapped(width, copies))
        assert doc.text.count("沪建综规〔2021〕445号") == copies, width
        assert sum(doc.text.count(c) for c in ("DB31/T 1056-2017", "DB 31/T 1056-2017")) == copies, width
        if copies == 4 and width % 9 == 0:  # and the extractor reads them (a sample of widths: it is slow)
            codes = {c.code for c in analyze(doc, pipeline_version="t", ingested_at=dt.datetime(2025, 1, 1)).citations}
            assert {"沪建综规〔2021〕445号", "DB31/T1056-2017"} <= {c.replace(" ", "") for c in codes if c}, (width, codes)
