"""The 公文 structure: numbering levels, sentences, body bounds — on real document lines."""
from __future__ import annotations

import pytest

from extractors.structure import analyse, numbering_of, sentences
from pipeline.readers.normalize import normalize_text
from schemas.document import Block, Document
from tests.example_tables import load, params

EXAMPLES = load("structure.yaml")["analyse"]


@pytest.mark.parametrize("case", params(EXAMPLES))
def test_structure_examples(case):
    doc = normalize_text(case.text)
    st = analyse(doc)
    got = []
    for u in st.units:
        unit = {"text": doc.text[u.start:u.end]}
        if st.in_body(u.block_index):
            unit["path"] = u.section_path
        else:
            unit["body"] = False
        if u.is_heading:
            unit["heading"] = True
        got.append(unit)
    assert got == case.expect


def test_the_example_table_covers_heads_bodies_and_signatures():
    units = [u for c in EXAMPLES for u in c.expect]
    assert any(u.get("heading") and "body" not in u for u in units)  # a numbered item's title
    assert any(u.get("heading") and u.get("body") is False for u in units)  # a document's title
    assert sum(u.get("body") is False and not u.get("heading") for u in units) >= 2


@pytest.mark.parametrize("line, level, label", [
    ("一、总体要求", 1, "一、"),
    ("十二、加强组织领导", 1, "十二、"),
    ("（一）指导思想。以习近平新时代中国特色社会主义思想为指导", 2, "（一）"),
    ("(三)新建住宅项目同步配建。", 2, "(三)"),
    ("1.建设完善社区嵌入式服务设施。", 3, "1."),
    ("3、 相关职能部门应各司其责", 3, "3、"),
    ("2．省级推荐。", 3, "2．"),
    ("（2）开展试点", 4, "（2）"),
    ("①优先配建", 5, "①"),
    ("第十二条 新建住宅小区应当按照规划要求配套建设养老服务设施", 1, "第十二条"),
    ("2.1.1国家粮食应急工作指挥部职责", 3, "2.1.1"),  # a 预案's decimal numbering (GB/T 1.1)
    ("4.2 省级粮食应急状态的应急响应", 2, "4.2"),
])
def test_numbering(line, level, label):
    num = numbering_of(line)
    assert num is not None and (num.level, num.label) == (level, label)


@pytest.mark.parametrize("line", [
    "2020年4月10日前完成",  # a year is not an item number
    "1.5万平方米的配套用房",
    "1.5倍以上",  # a decimal quantity is no decimal numbering
    "2.2019年街镇生活垃圾分类目标任务分解表",  # 2. then a year: arabic_dot, not 2.20
    "19.23",
    "为切实解决我市社区配套设施不足",
    "一是问题导向、务求实效",
])
def test_not_numbering(line):
    assert numbering_of(line) is None


def test_an_assignment_parenthetical_stays_with_its_sentence():
    text = "新建住宅小区同步配建养老服务用房。（牵头单位：市民政局；配合单位：市住房城乡建设局）各区县要落实。"
    assert [text[s:e] for s, e in sentences(text, 0, len(text))] == [
        "新建住宅小区同步配建养老服务用房。（牵头单位：市民政局；配合单位：市住房城乡建设局）", "各区县要落实。"]


def test_an_assignment_parenthetical_with_brackets_inside_stays_with_its_sentence():
    text = "补齐社区综合服务设施面积缺口。（责任单位：市民政局；各区（市）县政府负责落实）各区县要落实。"
    assert [text[s:e] for s, e in sentences(text, 0, len(text))] == [
        "补齐社区综合服务设施面积缺口。（责任单位：市民政局；各区（市）县政府负责落实）", "各区县要落实。"]


def test_sentences_keep_semicolon_clauses_and_closing_quotes():
    text = "要建立问题销号制度，按照“缺什么补什么”的要求推进；及时研究解决。其中，幼儿园必须于2020年底完成。“一事一案。”"
    spans = sentences(text, 0, len(text))
    assert [text[s:e] for s, e in spans] == [
        "要建立问题销号制度，按照“缺什么补什么”的要求推进；及时研究解决。",
        "其中，幼儿园必须于2020年底完成。",
        "“一事一案。”",
    ]


def _doc(lines: list[str]) -> Document:
    text = "\n".join(lines)
    blocks, pos = [], 0
    for line in lines:
        blocks.append(Block(kind="paragraph", start=pos, end=pos + len(line)))
        pos += len(line) + 1
    return Document(doc_id="x", source_path="x.txt", format="txt", text=text, blocks=blocks)


def test_body_runs_from_salutation_to_signature_and_paths_nest():
    doc = _doc([
        "关于加强社区配套设施规划建设管理的意见",
        "各区县人民政府，市政府各部门：",
        "一、总体要求",
        "（一）指导思想。要全面加强社区公共服务。",
        "（二）基本原则。要问题导向。",
        "二、工作任务",
        "各区县要建立台账。",
        "附件：1.领导小组组成人员名单",
        "淄博市人民政府办公室",
        "2020年3月23日",
    ])
    st = analyse(doc)
    assert (st.body_start, st.body_end) == (2, 7)
    assert st.section_paths[3] == "一/（一）"
    assert st.section_paths[6] == "二"
    headings = [doc.text[u.start:u.end] for u in st.units if u.is_heading]
    # numbered titles, and unnumbered lines without any sentence punctuation (the title, the issuer)
    assert headings == ["关于加强社区配套设施规划建设管理的意见", "一、总体要求", "（一）指导思想。", "（二）基本原则。",
                        "二、工作任务", "淄博市人民政府办公室", "2020年3月23日"]
    outside = [doc.text[u.start:u.end] for u in st.units if not u.in_body]
    assert "淄博市人民政府办公室" in outside and "附件：1.领导小组组成人员名单" in outside
