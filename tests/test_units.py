"""extractors/units/: the example table, the gazetteer's coverage of docs/EXTRACTION.md, offsets on
the corpus, robustness on arbitrary text."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors import units
from extractors.base import ExtractContext
from tests.example_tables import load, params

EXAMPLES = load("units.yaml")
ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "corpus").glob("*.txt"))
from tests.conftest import extra_files  # noqa: E402

EXTRA = extra_files()

# the keys of docs/EXTRACTION.md's "units" section
ANNOTATION_KEYS = [
    "自然资源", "住房城乡建设", "教育", "民政", "商务", "卫生健康", "体育", "发展改革", "财政", "国资", "市场监管",
    "文化和旅游", "公安", "税务", "能源", "工业和信息化", "通信管理", "邮政管理", "残联", "城市管理", "房产管理",
    "不动产登记", "生态环境", "水务", "交通", "绿化市容", "应急管理", "消防救援", "司法", "人力资源社会保障",
    "农业农村", "机构编制", "审计", "科技", "统计", "民防", "政务服务", "大数据", "城市运行管理", "医疗保障",
    "人民政府", "镇街", "社区", "领导小组", "政协", "人大", "工会", "共青团", "妇联",
]


def _render(m) -> str:
    """A match as the table writes it: surface=canonical@level*."""
    v = m.value
    return f"{m.surface}={v.canonical}@{v.level}{'*' if v.generic else ''}"


def _matches_expectation(got: str, want: str) -> bool:
    surface_key, _, rest = got.partition("@")
    level, generic = rest.rstrip("*"), rest.endswith("*")
    w = re.fullmatch(r"(?P<sk>[^@*]+)(?:@(?P<level>\w+))?(?P<generic>\*)?", want)
    assert w, f"bad expectation {want!r}"
    return (surface_key == w["sk"] and generic == bool(w["generic"])
            and (w["level"] is None or w["level"] == level))


@pytest.mark.parametrize("case", params(EXAMPLES["extract"]))
def test_extract_examples(case):
    found = units.extract(case.text, ExtractContext())
    got = [_render(m) for m in found]
    want = case.expect
    assert len(got) == len(want) and all(_matches_expectation(g, w) for g, w in zip(got, want)), \
        f"\n got: {got}\nwant: {want}"
    for m in found:
        assert case.text[m.start:m.end] == m.surface


@pytest.mark.parametrize("case", params(EXAMPLES["parse"]))
def test_parse_examples(case):
    value = units.parse(case.text, ExtractContext())
    if case.expect == "-":
        assert value is None
    else:
        assert value is not None and value.canonical == case.expect, value


@pytest.mark.parametrize("key", ANNOTATION_KEYS)
def test_every_annotation_key_is_reachable(key):
    """Each canonical key of docs/EXTRACTION.md is the key of some gazetteer form or territorial body."""
    department_keys = {d.key for d in units.RULES.departments}
    assert key in department_keys | set(units.TERRITORIAL_KEYS) | {units.RULES.leading_group.key}


def test_masked_spans_are_skipped():
    text = "根据《重庆市人民政府关于认真做好社区组织工作用房建设的通知》，区民政局要加强统筹。"
    title = (text.index("《"), text.index("》") + 1)
    found = units.extract(text, ExtractContext(masked=[title]))
    assert [m.value.canonical for m in found] == ["民政"]


def test_document_number_prefix_is_no_unit():
    found = units.extract("按照国办函〔2023〕121号文件要求。", ExtractContext())
    assert found == []


# --- self-references (我局, 我委, 本机关), resolved against the issuer -----------------------------


@pytest.mark.parametrize("name,issuers,key,level", [
    ("我局", ["重庆市江津区规划和自然资源局"], "自然资源", "district"),       # jiangjin-2023-277, a reply
    ("本机关", "重庆市江津区规划和自然资源局", "自然资源", "district"),
    ("我委", ["淄博市发展和改革委员会", "淄博市财政局"], "发展改革", "city"),  # the one 委 of a joint notice
    ("我局", ["淄博市发展和改革委员会", "淄博市财政局"], "财政", "city"),
    ("我府", ["淄博市人民政府"], "人民政府", "city"),
    ("我厅", ["山西省住房和城乡建设厅"], "住房城乡建设", "province"),
    ("我们", ["国务院办公厅"], "国务院办公厅", "national"),  # 国办函〔2005〕69号: 我们将会同有关部门…
])
def test_resolve_self(name, issuers, key, level):
    value = units.resolve_self(name, issuers)
    assert value is not None and (value.canonical, value.level, value.name) == (key, level, name)


@pytest.mark.parametrize("name,issuers", [
    ("我局", ["市财政局", "市税务局"]),       # two 局 sign: ambiguous
    ("我局", []),                              # issuer unknown
    ("住建局", ["淄博市人民政府"]),           # no self-reference
    ("我市", ["淄博市人民政府"]),             # a place, not a body
    ("我们", ["国务院办公厅", "教育部"]),     # 我们 of a joint document: which one?
    ("我局", ["国务院办公厅"]),               # a forwarded report's 我局 under a 国办 cover: not the issuer
])
def test_resolve_self_declines(name, issuers):
    assert units.resolve_self(name, issuers) is None


@pytest.mark.parametrize("title,issuers,heard", [
    # a 国办 cover forwarding a bureau's report (corpus-dev fangzhen-jianzai): the report's 我局 is the bureau's
    ("国务院办公厅转发国家地震局关于加强防震减灾工作意见报告的通知", ["国务院办公厅"], ["国务院办公厅", "国家地震局"]),
    ("国务院批转国家计委关于1996年国民经济和社会发展计划的报告的通知", ["国务院"], ["国务院", "国家计委"]),
    # several bodies' document, a document forwarded by its title, no forwarding: only the issuers speak
    ("国务院办公厅转发教育部等部门关于加强学校安全工作意见的通知", ["国务院办公厅"], ["国务院办公厅"]),
    ("关于转发《上海市居住房屋租赁管理办法》的通知", ["长宁区人民政府"], ["长宁区人民政府"]),
    ("国务院办公厅关于印发消防救援车辆号牌管理办法的通知", ["国务院办公厅"], ["国务院办公厅"]),
])
def test_the_author_of_a_forwarded_report_speaks_in_it(title, issuers, heard):
    assert units.speakers(issuers, title) == heard


def test_a_forwarded_reports_self_reference_is_its_authors():
    found = units.self_references("我局将尽快向各地提供宣传教育大纲。我办将加强督查。",
                                  units.speakers(["国务院办公厅"], "国务院办公厅转发国家地震局关于防震减灾工作意见的通知"),
                                  ExtractContext())
    assert [(m.surface, m.value.canonical) for m in found] == [("我局", "地震"), ("我办", "国务院办公厅")]


def test_self_references_in_a_reply():
    text = "我局高度重视，将会同区住房城乡建委加强监管。本局面临的困难，我委员会议已讨论。"
    found = units.self_references(text, ["重庆市江津区规划和自然资源局"], ExtractContext())
    assert [(m.surface, m.value.canonical) for m in found] == [("我局", "自然资源")]
    assert all(text[m.start:m.end] == m.surface for m in found)
    assert units.self_references(text, [], ExtractContext()) == []
    # extract() itself does not know the issuer and leaves self-references out
    assert [m.value.canonical for m in units.extract(text, ExtractContext())] == ["住房城乡建设"]


def test_the_document_itself_is_no_self_reference():
    """本办法 names the document an office issued, not the office (本办)."""
    text = "本办法施行前已取得规划条件的项目，参照本办法执行。本办将加强督查。"
    found = units.self_references(text, ["台州市人民政府办公室"], ExtractContext())
    assert [m.surface for m in found] == ["本办"]


def test_a_reflexive_reference_names_no_issuer():
    """In a directive, 本机关 is each addressed body itself (国办发 意见 on 行政执法机关), not the issuer."""
    text = "行政执法机关主要负责人是第一责任人，对本机关作出的行政执法决定负责。本局将加强指导。"
    found = units.self_references(text, ["重庆市江津区司法局"], ExtractContext())
    assert [m.surface for m in found] == ["本局"]


@pytest.mark.parametrize("path", CORPUS + EXTRA, ids=lambda p: p.name)
def test_offsets_and_no_overlaps_on_corpus(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    found = units.extract(text, ExtractContext())
    assert found, "every document of the corpus names some unit"
    for m in found:
        assert text[m.start:m.end] == m.surface
        assert m.value.canonical
    for a, b in zip(found, found[1:]):
        assert a.end <= b.start



@given(st.text(alphabet=st.sampled_from(list("市区县各镇街道社区村居（）()、和及等部门局委厅教育民政卫健住建政府人民管委会牵头配合 \n\t，。"))
               | st.characters(), max_size=80))
def test_never_raises_and_offsets_hold(text):
    for m in units.extract(text, ExtractContext()):
        assert text[m.start:m.end] == m.surface
        assert m.end > m.start


@given(st.text(max_size=60))
def test_parse_never_raises(text):
    value = units.parse(text, ExtractContext())
    assert value is None or value.canonical


# --- the jieba user dictionary -----------------------------------------------------------------


@pytest.fixture(scope="module")
def tokenizer():
    import jieba

    from extractors import jieba_dict

    jieba.setLogLevel(60)
    tok = jieba.Tokenizer()
    return jieba_dict.load(tok)


def test_user_dictionary_file_matches_the_gazetteer():
    """data/jieba_user_dict.txt is what the gazetteer generates (python -m extractors.jieba_dict)."""
    from extractors import jieba_dict

    assert jieba_dict.USER_DICT.read_text(encoding="utf-8") == jieba_dict.render()


def test_every_full_name_is_one_token(tokenizer):
    from extractors import jieba_dict

    split = [n for n in jieba_dict.full_names() if tokenizer.lcut(n, HMM=False) != [n]]
    assert not split, split[:20]


@pytest.mark.parametrize("sentence,token", [
    ("由市自然资源局牵头", "市自然资源局"),
    ("由市教育、民政等部门牵头", "市教育"),
    ("市住建、教育、民政等部门参与", "市住建"),
    ("区住房城乡建委在加强监督管理", "区住房城乡建委"),
    ("由区县政府负责", "区县政府"),
    ("落实社区配套设施建设", "社区配套设施"),
])
def test_names_in_sentences(tokenizer, sentence, token):
    assert token in tokenizer.lcut(sentence)


def test_load_is_idempotent(tokenizer):
    from extractors import jieba_dict

    before = len(tokenizer.FREQ)
    assert jieba_dict.load(tokenizer) is tokenizer
    assert len(tokenizer.FREQ) == before
