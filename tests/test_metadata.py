"""Document metadata (extractors/metadata/): the example table, the seeds against their gold,
the extra real documents, annex linking, offsets, and robustness on arbitrary input.

Documents are built two ways: from the raw file text (one block per non-empty line, as a reader
that normalises nothing would give) and through `pipeline.readers.read_document` (the normalised
text the pipeline really sees: paragraph lines joined, spaces between Chinese removed).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.base import ExtractContext
from extractors.metadata import (REGIONS, DocumentMetadata, RegionTable, area_of_doc_number, area_of_name,
                                 doc_type_of_title, extract, extract_metadata, match_annex,
                                 normalise_doc_number, parse_date, split_organs)
from extractors.metadata.organs import full_name_of
from pipeline.readers import read_document
from schemas.document import Block, Document

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
from tests.conftest import EXTRA, GOLD, needs  # noqa: E402
from tests.example_tables import load, params  # noqa: E402
EXAMPLES = load("metadata.yaml")


def _compact(s: str | None) -> str:
    return re.sub(r"\s+", "", s or "")


# ------------------------------------------------------------------------------ documents


def raw_document(text: str, name: str = "snippet.txt") -> Document:
    """A Document straight from text: one block per non-empty line, tab-separated lines are rows."""
    blocks, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            kind = "table_row" if "\t" in line else "paragraph"
            blocks.append(Block(kind=kind, start=pos, end=pos + len(line)))
        pos += len(line) + 1
    fmt = "md" if name.endswith(".md") else "txt"
    return Document(doc_id="test", source_path=name, format=fmt, text=text, blocks=blocks)


def html_document(path: Path) -> Document:
    """A gov.cn page as a bare-bones reader would give it: the metadata table as header_fields,
    the content paragraphs as lines."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
    fields = {}
    for td in soup.find_all("td"):
        label, value = td.find("b"), td.find_next_sibling("td")
        if label is not None and value is not None:
            fields[label.get_text(strip=True)] = value.get_text(strip=True)
    content = soup.find(id="UCAP-CONTENT")
    lines = [p.get_text("", strip=True) for p in content.find_all("p")]
    return Document(doc_id="test", source_path=str(path), format="html",
                    text="\n".join(x for x in lines if x), header_fields=fields)


def read_normalised(path: Path) -> Document:
    return read_document(path)


def check(meta: DocumentMetadata, expect: dict) -> None:
    for key, want in expect.items():
        got = getattr(meta, key)
        if key == "issued_date":
            got = got.isoformat() if got else None
        if key in ("title", "jurisdiction"):
            got, want = _compact(got), _compact(want)
        assert got == want, f"{key}: {got!r} != {want!r}"


# ------------------------------------------------------------------------------ example table


@pytest.mark.parametrize("case", params(EXAMPLES["dates"]))
def test_parse_date(case):
    want = dt.date.fromisoformat(case.expect) if case.expect else None
    assert parse_date(case.text) == want


@pytest.mark.parametrize("case", params(EXAMPLES["doc_numbers"]))
def test_normalise_doc_number(case):
    assert normalise_doc_number(case.text) == case.expect


@pytest.mark.parametrize("case", params(EXAMPLES["title_doc_types"]))
def test_doc_type_of_title(case):
    assert doc_type_of_title(case.text) == case.expect


@pytest.mark.parametrize("case", params(EXAMPLES["full_names"]))
def test_full_name_of(case):
    assert full_name_of(case.text, case.given["header"]) == case.expect


@pytest.mark.parametrize("case", params(EXAMPLES["areas_by_name"]))
def test_area_of_name(case):
    assert area_of_name(case.text) == case.expect


@pytest.mark.parametrize("case", params(EXAMPLES["areas_by_doc_number"]))
def test_area_of_doc_number(case):
    assert area_of_doc_number(case.text, case.given.get("context", "")) == case.expect


@pytest.mark.parametrize("case", params(EXAMPLES["organ_lines"]))
def test_split_organs(case):
    assert split_organs(case.text) == case.expect


@pytest.mark.parametrize("case", params(EXAMPLES["documents"]))
def test_document_examples_raw(case):
    check(extract_metadata(raw_document(case.text)), case.expect)


def paragraph_document(text: str) -> Document:
    """The snippet through the readers' normaliser, one paragraph per line (what the DOCX and
    HTML readers hand it): spaces between Chinese removed, header lines and furniture taken out.
    (A text file this short would be guessed a hard-wrapped dump and joined; real files are not.)"""
    from pipeline.readers.normalize import Layout, normalize, text_items

    n = normalize(text_items(text), Layout.LINES)
    return Document(doc_id="test", source_path="snippet.txt", format="txt", text=n.text, blocks=n.blocks,
                    header_fields=n.header_fields)


@pytest.mark.parametrize("case", params(EXAMPLES["documents"]))
def test_document_examples_normalised(case):
    check(extract_metadata(paragraph_document(case.text)), case.expect)


# ------------------------------------------------------------------------------ seeds against gold


def _gold(name: str) -> dict:
    return json.loads((GOLD / name.replace(".txt", ".json")).read_text(encoding="utf-8"))["metadata"]


def _check_gold(meta: DocumentMetadata, gold: dict) -> None:
    assert _compact(meta.title) == _compact(gold["title"])
    assert normalise_doc_number(meta.doc_number or "") == normalise_doc_number(gold["doc_number"] or "")
    assert [_compact(i) for i in meta.issuers] == [_compact(i) for i in gold["issuers"]]
    assert meta.jurisdiction == gold["jurisdiction"]
    assert (meta.issued_date.isoformat() if meta.issued_date else None) == gold["issued_date"]
    assert meta.doc_type == gold["doc_type"]


MAIN_SEEDS = ["jiangjin-2023-277-reply.txt", "jiangsu-2024-184-notice.txt", "shanxi-2022-52-notice.txt",
              "zibo-2020-34-opinion.txt"]
ANNEX = "zibo-2020-34-annex2-task-table.txt"


@pytest.mark.parametrize("name", MAIN_SEEDS)
def test_seed_against_gold_raw(name):
    _check_gold(extract_metadata(raw_document((CORPUS / name).read_text(encoding="utf-8"), name)), _gold(name))


@pytest.mark.parametrize("name", MAIN_SEEDS)
def test_seed_against_gold_normalised(name):
    _check_gold(extract_metadata(read_normalised(CORPUS / name)), _gold(name))


VARIANTS = sorted(p for p in (CORPUS / "variants").glob("*") if p.suffix in (".docx", ".pdf"))


@pytest.mark.parametrize("path", VARIANTS, ids=lambda p: p.name)
def test_seed_variants_against_gold(path):
    """The DOCX and PDF renderings of the seeds (made by `make variants`) give the same metadata."""
    meta = extract_metadata(read_normalised(path))
    name = path.stem + ".txt"
    if name == ANNEX:
        gold = _gold(name)
        assert (meta.is_annex, meta.annex_label, meta.title, meta.doc_type) == (True, "附件2", gold["title"], "table")
    else:
        _check_gold(meta, _gold(name))


def _annex_and_parents(build):
    names = [ANNEX, *MAIN_SEEDS]
    metas = [extract_metadata(build(n)) for n in names]
    return metas[0], metas[1:]


@pytest.mark.parametrize("variant", ["raw", "normalised"])
def test_annex_seed(variant):
    def build(n):
        if variant == "raw":
            return raw_document((CORPUS / n).read_text(encoding="utf-8"), n)
        return read_normalised(CORPUS / n)

    annex, parents = _annex_and_parents(build)
    gold = _gold(ANNEX)
    assert annex.is_annex and annex.annex_label == "附件2"
    assert annex.title == gold["title"] and annex.doc_type == gold["doc_type"]
    # what an annex cannot know by itself stays empty: the pipeline inherits it from the parent
    assert annex.issuers == [] and annex.jurisdiction is None and annex.issued_date is None
    assert annex.doc_number is None
    parent = match_annex(annex, parents)
    assert parent is not None and MAIN_SEEDS[parent] == "zibo-2020-34-opinion.txt"
    inherited = parents[parent]
    assert inherited.issuers == gold["issuers"] and inherited.jurisdiction == gold["jurisdiction"]
    assert inherited.issued_date.isoformat() == gold["issued_date"]


def test_opinion_lists_its_annexes():
    meta = extract_metadata(raw_document((CORPUS / "zibo-2020-34-opinion.txt").read_text(encoding="utf-8")))
    assert meta.annex_titles == ["淄博市社区配套设施规划建设管理工作领导小组组成人员名单",
                                 "全市社区配套设施规划建设管理工作任务分解表"]


# ------------------------------------------------------------------------------ match_annex


def _meta(**kw) -> DocumentMetadata:
    return DocumentMetadata(**kw)


def test_match_annex_by_title_and_number():
    parents = [
        _meta(title="关于开展社区体检工作的通知", annex_titles=["社区体检指标体系", "社区体检工作流程"]),
        _meta(title="关于加强社区配套设施规划建设管理的意见",
              annex_titles=["淄博市社区配套设施规划建设管理工作领导小组组成人员名单",
                            "全市社区配套设施规划建设管理工作任务分解表"]),
    ]
    annex = _meta(title="全市社区配套设施规划建设管理工作任务分解表", is_annex=True, annex_label="附件2")
    assert match_annex(annex, parents) == 1
    # a title printed with a line break or spaces still matches
    assert match_annex(_meta(title="社区体检 工作流程", is_annex=True, annex_label="附件2"), parents) == 0


def test_match_annex_none():
    parents = [_meta(title="关于开展社区体检工作的通知", annex_titles=["社区体检指标体系"])]
    assert match_annex(_meta(title="全市社区配套设施规划建设管理工作任务分解表", is_annex=True), parents) is None
    assert match_annex(_meta(title=None, is_annex=True, annex_label="附件1"), parents) is None
    assert match_annex(_meta(title="社区体检指标体系", is_annex=True), []) is None


# ------------------------------------------------------------------------------ corpus-extra


def _extra_document(name: str) -> Document:
    path = EXTRA / name
    if path.suffix == ".html":
        return html_document(path)
    return raw_document(path.read_text(encoding="utf-8"), name)


@needs(EXTRA)
@pytest.mark.parametrize("case", params(EXAMPLES["corpus_extra"]))
def test_corpus_extra_raw(case):
    check(extract_metadata(_extra_document(case.given["file"])), case.expect)


@needs(EXTRA)
@pytest.mark.parametrize("case", params(EXAMPLES["corpus_extra"]))
def test_corpus_extra_normalised(case):
    check(extract_metadata(read_normalised(EXTRA / case.given["file"])), case.expect)


# ------------------------------------------------------------------------------ offsets


def _all_documents() -> list[Document]:
    docs = [raw_document((CORPUS / n).read_text(encoding="utf-8"), n) for n in [*MAIN_SEEDS, ANNEX]]
    docs += [_extra_document(c.given["file"]) for c in EXAMPLES["corpus_extra"] if (EXTRA / c.given["file"]).exists()]
    docs += [raw_document(c.text) for c in EXAMPLES["documents"]]
    docs += [paragraph_document(c.text) for c in EXAMPLES["documents"]]
    return docs


@pytest.mark.parametrize("doc", _all_documents(), ids=lambda d: Path(d.source_path).name)
def test_spans_point_at_their_values(doc):
    meta = extract_metadata(doc)
    text = doc.text
    if meta.doc_number_span:
        assert normalise_doc_number(text[slice(*meta.doc_number_span)]) == meta.doc_number
    if meta.issued_date_span:
        assert parse_date(text[slice(*meta.issued_date_span)]) == meta.issued_date
    if meta.title_span and meta.sources.get("title") in ("title_line", "annex_head", "header_line"):
        assert _compact(text[slice(*meta.title_span)]) == _compact(meta.title)
    assert len(meta.issuer_spans) == len(meta.issuers)
    for name, span in zip(meta.issuers, meta.issuer_spans):
        if span is not None:
            assert text[slice(*span)] == name
    for span in meta.metadata_date_spans:
        assert parse_date(text[slice(*span)]) is not None
    for m in extract(text, ExtractContext()):
        assert text[m.start:m.end] == m.surface


def test_signature_date_is_marked_for_the_deadline_extractor():
    text = (CORPUS / "zibo-2020-34-opinion.txt").read_text(encoding="utf-8")
    meta = extract_metadata(raw_document(text))
    assert text[slice(*meta.signature_date_span)] == "2020年 3月 23日"
    assert meta.signature_date_span in meta.metadata_date_spans


def test_extract_returns_located_matches():
    text = (CORPUS / "jiangjin-2023-277-reply.txt").read_text(encoding="utf-8")
    found = {m.field: m for m in extract(text, ExtractContext())}
    assert found["doc_number"].value == "江津规资函〔2023〕277号"
    assert found["issuer"].surface == "重庆市江津区规划和自然资源局"
    assert "issued_date" not in found  # the reply carries no date


# ------------------------------------------------------------------------------ robustness


def test_empty_and_frameless_text():
    assert extract("", ExtractContext()) == []
    meta = extract_metadata(raw_document("这是一段没有标题也没有落款的文字。"))
    assert meta.title is None and meta.issuers == [] and meta.doc_type is None and meta.annex_titles == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("附件关于的通知意见〔〕（）()2020年3月23日号：:，。\n\t 淄博市人民政府办公室"
                                             "江苏省厅局委一二〇十#•")) | st.characters(), max_size=300))
def test_never_raises(text):
    meta = extract_metadata(raw_document(text))
    for span in [meta.title_span, meta.doc_number_span, meta.issued_date_span, meta.signature_date_span,
                 *meta.metadata_date_spans, *[s for s in meta.issuer_spans if s]]:
        if span is not None:
            assert 0 <= span[0] <= span[1] <= len(text)
    for m in extract(text, ExtractContext()):
        assert text[m.start:m.end] == m.surface


def test_odd_header_fields_do_not_break_it():
    doc = Document(doc_id="x", source_path="x.html", format="html", text="关于开展社区体检工作的通知",
                   header_fields={"标　　题：": "", "发文字号": "无", "成文日期": "不详", "发文机关": "  "})
    meta = extract_metadata(doc)
    assert meta.title == "关于开展社区体检工作的通知" and meta.issued_date is None and meta.doc_number is None
    assert meta.issuers == []


def test_title_in_a_one_cell_table_row():
    text = "重庆市江津区社区配套用房建设任务清单\n序号\t任务\t责任单位\t完成时限\n1\t完成摸底\t区民政局\t2023年6月底前"
    blocks, pos = [], 0
    for row, line in enumerate(text.split("\n")):
        blocks.append(Block(kind="table_row", start=pos, end=pos + len(line), table_id=0, row=row))
        pos += len(line) + 1
    meta = extract_metadata(Document(doc_id="x", source_path="x.xlsx", format="docx", text=text, blocks=blocks))
    assert meta.title == "重庆市江津区社区配套用房建设任务清单" and meta.doc_type == "table"


# ------------------------------------------------------------------------------ data files


def test_region_table_is_validated():
    data = REGIONS.model_dump()
    data["cities"].append({"name": "某某市", "province": "不存在省", "abbr": []})
    with pytest.raises(ValueError, match="unknown province"):
        RegionTable.model_validate(data)
    data = REGIONS.model_dump()
    data["provinces"][0]["name"] = "北京"
    with pytest.raises(ValueError, match="must end with"):
        RegionTable.model_validate(data)


def test_region_table_covers_the_34_provincial_areas_and_capitals():
    assert len(REGIONS.provinces) == 34
    abbrs = {a for p in REGIONS.provinces for a in p.abbr}
    assert set("京津沪渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川蜀贵黔云滇藏陕秦甘陇青宁新蒙港澳台") <= abbrs
    cities = {c.name for c in REGIONS.cities}
    capitals = {"石家庄市", "太原市", "呼和浩特市", "沈阳市", "长春市", "哈尔滨市", "南京市", "杭州市", "合肥市",
                "福州市", "南昌市", "济南市", "郑州市", "武汉市", "长沙市", "广州市", "南宁市", "海口市", "成都市",
                "贵阳市", "昆明市", "拉萨市", "西安市", "兰州市", "西宁市", "银川市", "乌鲁木齐市"}
    assert capitals <= cities


# ------------------------------------------------------------------------------ issued date precedence

_SIGNED = "关于做好防汛工作的通知\n各区人民政府：\n请各区于5月底前完成排查。\n上海市水务局\n2024年3月5日\n（联系人：王某；联系电话：23110000）\n相关附件\n附件1-2.docx"
_UNSIGNED = "关于做好防汛工作的通知\n各区人民政府：\n请各区于5月底前完成排查。"


@pytest.mark.parametrize("text, fields, expected", [
    # the date under the signature first, past a contact line and page furniture
    (_SIGNED, {}, "2024-03-05"),
    (_SIGNED, {"成文日期": "2024年03月01日", "发布日期": "2024-03-08"}, "2024-03-05"),
    # else a 成文日期 field, else 发文日期 / 发布日期 (front matter, a web page's table)
    (_UNSIGNED, {"成文日期": "2024年03月01日", "发布日期": "2024-03-08"}, "2024-03-01"),
    (_UNSIGNED, {"发布日期": "2024-03-08"}, "2024-03-08"),
    (_UNSIGNED, {"发布日期": "-"}, None),
])
def test_issued_date_precedence(text, fields, expected):
    doc = raw_document(text)
    doc.header_fields = fields
    got = extract_metadata(doc).issued_date
    assert (got.isoformat() if got else None) == expected
