"""extractors/fields.py: the order of the fields and the masks they read through."""
from __future__ import annotations

import dataclasses
import datetime as dt
import inspect

import pytest

from extractors import categories, citations, deadlines, quotas, units
from extractors.base import ExtractContext
from extractors.fields import FIELDS, extract_fields
from extractors.metadata import DocumentMetadata
from extractors.rules import RuleTable


def test_citations_come_first_and_mask_the_other_fields():
    assert list(FIELDS)[0] == "citation"
    text = ("按照建科规〔2020〕7号和DB 50/T 543-2014执行，填写《2024年底前完成改造项目登记表》，"
            "各区县要于2024年底前完成。")
    ctx = ExtractContext(issued_date=dt.date(2024, 1, 5))
    found = extract_fields(text, None, ctx)
    assert [m.surface for m in found.citations] == ["建科规〔2020〕7号", "DB 50/T 543-2014"]
    # no date inside a citation or inside any 《name》, cited or not (a form is not cited)
    assert [m.surface for m in found.deadlines] == ["于2024年底前完成"]
    for m in found.quotas + found.units + found.deadlines:
        assert not any(c.start < m.end and m.start < c.end for c in found.citations)
    # the deadline extractor alone reads what it is given: the masks are extract_fields' doing
    assert [m.surface for m in deadlines.extract(text, ctx)] == ["2024年底前完成", "于2024年底前完成"]


def test_the_context_is_not_changed():
    text = "依据《城市居住区规划设计标准》（GB 50180-2018），每100户配建20平方米。"
    ctx = ExtractContext()
    extract_fields(text, None, ctx)
    assert ctx == ExtractContext()
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.masked = ((0, 1),)  # type: ignore[misc]


def test_each_field_is_what_its_module_finds_through_the_masks():
    text = "依据《城市居住区规划设计标准》（GB 50180-2018），市民政局牵头，每100户配建20平方米。"
    found = extract_fields(text, None, ExtractContext())
    masked = ExtractContext(masked=[(m.start, m.end) for m in citations.extract(text, ExtractContext())])
    assert found.units == units.extract(text, masked)
    assert found.quotas == quotas.extract(text, masked)
    assert [m.surface for m in found.quotas] == ["每100户配建20平方米"]


def test_a_labelled_list_is_a_units_cell():
    # synthetic set e (read after its blind scoring), rewritten: a 责任单位 label names bodies as a
    # table's units column does, so named towns are bodies there and not in the task before it;
    # a branch glued to a body found before it is that body's, not one of its own
    text = ("4. 在井岗镇、南七街道试点建设3个社区嵌入式养老服务站。（责任单位：区民政局、区卫生健康委，井岗镇、南七街道）\n"
            "5. 编制专项规划。（牵头单位：区住建局；配合单位：市自然资源和规划局柯桥分局、区财政局）")
    found = extract_fields(text, None, ExtractContext())
    label = text.index("责任单位")
    towns = [(m.surface, m.value.canonical) for m in found.units if "镇" in m.surface or "街道" in m.surface]
    assert towns == [("井岗镇", "镇街"), ("南七街道", "镇街")]
    assert all(m.start > label for m in found.units if m.value.canonical == "镇街")
    assert [m.value.canonical for m in found.units if m.start > text.index("5.")] == ["住房城乡建设", "自然资源", "财政"]



def test_an_assignment_bracket_is_a_units_cell_too():
    # synthetic set i (read after its blind scoring), rewritten: a named 专班 leads from inside the bracket
    # and a street named there is a body (镇街); a number before a name stays outside it
    text = "6. 一季度完成征迁扫尾。（逍遥津片区工作专班牵头，逍遥津街道、庐阳建投集团配合）\n（八）人民银行有关还款信息；"
    found = extract_fields(text, None, ExtractContext())
    assert [(m.surface, m.value.canonical) for m in found.units] == [
        ("逍遥津片区工作专班", "逍遥津片区工作专班"), ("逍遥津街道", "镇街"), ("庐阳建投集团", "庐阳建投集团"), ("人民银行", "人民银行")]


def test_a_labelled_list_keys_the_issuers_divisions_and_compound_names():
    # synthetic set g (read after its blind scoring), rewritten: a bureau's 工作要点 assigns its own
    # divisions (局城市建设科) and names 市水利和湖泊局, one department, not 水利 and a 湖泊局
    text = "（牵头单位：局城市建设科；配合单位：局办公室、市水利和湖泊局、区民政局）"
    found = extract_fields(text, None, ExtractContext())
    assert [(m.surface, m.value.canonical) for m in found.units] == [
        ("局城市建设科", "城市建设科"), ("局办公室", "办公室"), ("市水利和湖泊局", "水务"), ("区民政局", "民政")]


def test_the_metadata_settles_self_references_metadata_dates_and_the_own_number():
    text = "江津府发〔2023〕5号\n我局将于2023年12月底前完成，并按照江津府发〔2023〕5号和渝府发〔2020〕7号执行。\n印发日期：2023年3月1日前"
    dated = text.rindex("2023年3月1日前")
    meta = DocumentMetadata(issuers=["重庆市江津区规划和自然资源局"], doc_number="江津府发〔2023〕5号",
                            metadata_date_spans=[(dated, dated + 9)])
    bare = extract_fields(text, None, ExtractContext())
    found = extract_fields(text, meta, ExtractContext())
    # the document's own number is no citation
    assert [m.value.code for m in bare.citations] == ["江津府发〔2023〕5号", "江津府发〔2023〕5号", "渝府发〔2020〕7号"]
    assert [m.value.code for m in found.citations] == ["渝府发〔2020〕7号"]
    # 我局 is the issuer
    assert "我局" not in [m.surface for m in bare.units]
    assert [(m.surface, m.value.canonical) for m in found.units] == [("我局", "自然资源")]
    # a date that is metadata is no time limit
    assert [m.start >= dated for m in bare.deadlines] == [False, True]
    assert found.deadlines == bare.deadlines[:1]


def test_the_spacy_doc_holds_each_field_as_a_span_group():
    from extractors import nlp

    text = "市民政局牵头，2024年底前每100户配建20平方米，按照建科规〔2020〕7号执行，不得擅自改变用途。"
    found = extract_fields(text, None, ExtractContext())
    doc = nlp.to_doc(text, found)
    assert doc.text == text and not doc.user_data
    for name, matches in found.by_field().items():
        assert matches, name
        spans = doc.spans[name]
        assert len(spans) == len(matches)
        for span, m in zip(spans, matches):
            assert span.label_ == name and span.start_char <= m.start and m.end <= span.end_char


@pytest.mark.parametrize("module", [*FIELDS.values(), categories], ids=lambda m: m.__name__)
def test_every_field_module_has_the_same_surface(module):
    """FIELD, RULES (a validated table of data/), extract(text, ctx) and parse(surface, ctx), the
    context required in both."""
    assert isinstance(module.FIELD, str)
    assert isinstance(module.RULES, RuleTable)
    for name, first in (("extract", "text"), ("parse", "surface")):
        params = list(inspect.signature(getattr(module, name)).parameters.values())
        assert [p.name for p in params] == [first, "ctx"], name
        assert all(p.default is inspect.Parameter.empty for p in params), name
    assert module.extract("", ExtractContext()) == []
    assert module.parse("", ExtractContext()) is None
