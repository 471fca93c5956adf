"""The parts of a document (cover, annexes) and their bodies, on the example table
tests/examples/parts.yaml and on real documents."""
from __future__ import annotations

import pytest

from extractors import structure
from extractors.metadata.parts import document_parts
from pipeline.readers.normalize import normalize_text
from tests.example_tables import load, params

CASES = load("parts.yaml")["parts"]


def _found(doc) -> list[dict]:
    return [{"label": p.label, "title": p.title_text} for p in document_parts(doc).parts]


def _block_of(doc, line: str) -> int:
    return next(i for i, b in enumerate(doc.blocks) if line in doc.text[b.start:b.end])


@pytest.mark.parametrize("case", params(CASES))
def test_parts_examples(case):
    doc = normalize_text(case.text)
    want = case.expect
    assert _found(doc) == want["parts"]
    st = structure.analyse(doc)
    for line in want.get("in_body", []):
        assert st.in_body(_block_of(doc, line)), line
    for line in want.get("outside", []):
        assert not st.in_body(_block_of(doc, line)), line
    for line, path in want.get("paths", {}).items():
        assert st.section_paths[_block_of(doc, line)] == path


def test_sentences_of_every_part_are_body_units_and_paths_keep_the_part():
    doc = normalize_text(next(c for c in CASES if c.id.startswith("the plan carries its own annex list")).text)
    st = structure.analyse(doc)
    assert [(p.label, p.path_label) for p in st.parts] == [
        (None, ""), (None, "附件"), ("附件1", "附件1"), ("附件2", "附件2"), ("附件3", "附件3")]
    paths = {doc.text[u.start:u.end]: u.section_path for u in st.units if u.in_body}
    # 一、 restarts in every part; the part tells them apart
    assert paths["到2027年，全区渣土资源化利用率达到60%以上。"] == "附件/一"
    assert paths["区绿化市容局要推动渣土资源化产品推广应用。"] == "附件1/一"
    # the cover's paths have no prefix (a document without annexes reads as before)
    assert st.section_paths[0] == ""


# ------------------------------------------------------------------------------ coverage

def _coverage(text: str) -> float | None:
    from extractors.analyze import analyze
    import datetime as dt
    doc = normalize_text(text)
    return analyze(doc, pipeline_version="test", ingested_at=dt.datetime(2026, 1, 1)).document.coverage


_COVER = """上海市长宁区人民政府办公室关于印发《长宁区海绵城市建设实施方案》的通知
区政府各有关单位：
《长宁区海绵城市建设实施方案》已经区政府常务会议审议通过，现印发给你们，请认真按照执行。
附件：长宁区海绵城市建设实施方案
上海市长宁区人民政府办公室
2025年3月6日
"""
_PLAN_BODY = "".join(
    f"（{n}）推进第{n}批项目。本区各街镇要于年底前完成第{n}批海绵项目改造任务，区建设管理委负责技术指导和验收。\n"
    for n in "一二三四五六七八")


def test_coverage_of_a_document_read_whole_is_high():
    assert _coverage(_COVER + "长宁区海绵城市建设实施方案\n" + _PLAN_BODY) > 0.6  # the cover and its plan


def test_coverage_falls_when_a_plan_after_the_cover_is_not_recognised():
    # the plan's title is lost: nothing tells where it begins, so its text is left unread, and
    # the coverage says so instead of the loss being silent
    assert _coverage(_COVER + _PLAN_BODY) < 0.3


def test_coverage_of_a_cover_notice_without_its_attachment_is_low():
    forward_only = next(c for c in CASES if c.id == "a 转发 cover notice whose attachment is not in the text")
    assert _coverage(forward_only.text) < 0.3  # 转发 only: the plan is not in the text


def test_coverage_counts_duties_read_in_short_numbered_items():
    """A reply whose duties are numbered items short enough to look like headings ((一)我局将…，
    2024年6月底前出台…。): they are duties, and the coverage counts them; before, it said 0 %."""
    reply = ("关于市十六届人大三次会议第0123号建议的答复\n某某代表：\n您提出的建议收悉。经认真研究，现答复如下：\n"
             "一、下一步工作\n（一）市住房城乡建设局将简化审批流程，2024年6月底前出台审批指引。\n"
             "（二）市财政局将继续安排专项资金，按每台不超过20万元给予补助。\n"
             "（三）各区要加强统筹协调，力争2024年底前新增加装电梯500台。\n"
             "感谢您对住房城乡建设工作的关心和支持。\n杭州市住房和城乡建设局\n2024年3月20日\n")
    assert _coverage(reply) > 0.5
