"""Citation extractor: the example table (tests/examples/citations.yaml), parse, the one-per-thing
merge, the protected spans other extractors rely on, and the extractor contract."""
from __future__ import annotations


import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from extractors import citations
from extractors.base import ExtractContext
from extractors.citations import CitationValue
from tests.example_tables import load, params

EXAMPLES = load("citations.yaml")["extract"]



@pytest.mark.parametrize("case", params(EXAMPLES))
def test_example(case):
    text = case.text
    found = citations.extract(text, ExtractContext())
    got = [(m.value.kind, m.value.code, m.value.title) for m in found]
    assert got == [(e["kind"], e["code"], e["title"]) for e in case.expect]
    for m, e in zip(found, case.expect):
        assert text[m.start:m.end] == m.surface
        if "surface" in e:
            assert m.surface == e["surface"]


def test_example_table_has_positives_negatives_and_unsolved_cases():
    assert sum(bool(c.expect) for c in EXAMPLES) >= 15
    assert sum(not c.expect for c in EXAMPLES) >= 8
    assert any(c.xfail for c in EXAMPLES)


@pytest.mark.parametrize("surface, want", [
    ("《重庆市城乡公共服务设施规划标准》（DB 50/T 543-2014）",
     CitationValue("standard", "DB50/T543-2014", "重庆市城乡公共服务设施规划标准")),
    ("《关于加强新时代老龄工作的意见》(中发〔2021〕42号)",
     CitationValue("document", "中发〔2021〕42号", "关于加强新时代老龄工作的意见")),
    ("国办函 [2023] 121 号", CitationValue("document", "国办函〔2023〕121号", None)),
    ("GB 50180-2018", CitationValue("standard", "GB50180-2018", None)),
    ("《城市社区嵌入式服务设施建设导则(试行)》", CitationValue("standard", None, "城市社区嵌入式服务设施建设导则(试行)")),
    ("《中华人民共和国城乡规划法》", CitationValue("document", None, "中华人民共和国城乡规划法")),
])
def test_parse(surface, want):
    assert citations.parse(surface, ExtractContext()) == want


def test_every_mention_is_a_match_and_distinct_keeps_one_per_thing():
    text = ("落实《国务院办公厅转发国家发展改革委〈城市社区嵌入式服务设施建设工程实施方案〉的通知》(国办函〔2023〕121号)部署。"
            "要在全面落实国办函〔2023〕121号文件各项要求基础上推进。按照国办函〔2023〕121号文件要求。"
            "按照《完整居住社区建设标准(试行)》，又按照《完整居住社区建设标准(试行)》。")
    found = citations.extract(text, ExtractContext())
    assert len(found) == 5
    kept = citations.distinct(found)
    assert [(m.value.code, m.value.title is not None) for m in kept] == [("国办函〔2023〕121号", True), (None, True)]


def test_vocabulary_is_validated():
    bad = citations.RULES.model_dump()
    bad["national_standard_prefixes"] = ["gb"]
    with pytest.raises(ValidationError):
        citations.CitationRules.model_validate(bad)
    bad = citations.RULES.model_dump()
    bad["standard_title_suffixes"] = []
    with pytest.raises(ValidationError):
        citations.CitationRules.model_validate(bad)


_POLICY_CHARS = "0123456789《》〈〉〔〕[]()（）【】﹝﹞号发函办国GBDT/ -—\n\t关于的通知标准证附件：:"


@given(text=st.one_of(st.text(max_size=80), st.text(alphabet=_POLICY_CHARS, max_size=80)))
def test_any_text_gives_spans_that_point_at_their_surface(text):
    for m in citations.extract(text, ExtractContext()):
        assert text[m.start:m.end] == m.surface and m.field == "citation"
        assert m.value.kind in ("standard", "document")
    value = citations.parse(text, ExtractContext())
    assert value is None or isinstance(value, CitationValue)
