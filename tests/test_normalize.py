"""The normaliser: the example table tests/examples/normalize.yaml, the traced-text edits, the
vocabulary check, and properties that must hold on any input."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from extractors.headers import is_header_row
from tests.example_tables import load, params
from pipeline.readers.normalize import (
    Traced, Vocabulary, column_headers, compact_spaces, concat, fold, guess_kind, header_fields_of,
    is_header_field_line, is_noise_line, join_lines, normalize, normalize_text, piece_kind, prose_tail,
    right_aligned, text_items,
)

EXAMPLES = load("normalize.yaml")


def test_every_section_has_positives_and_negatives():
    assert {c.expect for c in EXAMPLES["noise"]} == {True, False}
    assert {bool(c.expect) for c in EXAMPLES["header_fields"]} == {True, False}
    assert {c.expect for c in EXAMPLES["header_rows"]} == {True, False}
    assert {"paragraph", "heading"} <= {c.expect for c in EXAMPLES["kinds"]}
    assert any(c.text == c.expect for c in EXAMPLES["spaces"])
    assert any(c.text != c.expect for c in EXAMPLES["spaces"])
    assert {c.expect for c in EXAMPLES["tab_pieces"]} == {"item", "heading", "prose", None}
    assert {c.expect is None for c in EXAMPLES["tab_prose"]} == {True, False}


@pytest.mark.parametrize("case", params(EXAMPLES["fold"]))
def test_fold(case):
    assert fold(Traced.from_source(case.text)).text == case.expect


@pytest.mark.parametrize("case", params(EXAMPLES["spaces"]))
def test_compact_spaces(case):
    assert compact_spaces(Traced.from_source(case.text)).text == case.expect


@pytest.mark.parametrize("case", params(EXAMPLES["noise"]))
def test_noise_lines(case):
    assert is_noise_line(case.text) is case.expect


@pytest.mark.parametrize("case", params(EXAMPLES["header_fields"]))
def test_header_fields(case):
    fields = header_fields_of(case.text) if is_header_field_line(case.text) else {}
    assert fields == case.expect


@pytest.mark.parametrize("case", params(EXAMPLES["kinds"]))
def test_block_kinds(case):
    assert guess_kind(case.text) == case.expect


@pytest.mark.parametrize("case", params(EXAMPLES["tab_pieces"]))
def test_tab_pieces(case):
    assert piece_kind(case.text) == case.expect


@pytest.mark.parametrize("case", params(EXAMPLES["tab_prose"]))
def test_tab_prose(case):
    given = case.given
    assert prose_tail(case.text.split("\t"), given["rows"], given.get("after_prose", False)) == case.expect


@pytest.mark.parametrize("case", params(EXAMPLES["header_rows"]))
def test_header_rows(case):
    assert is_header_row(case.given["cells"]) is case.expect


@pytest.mark.parametrize("case", params(EXAMPLES["column_headers"]))
def test_column_headers(case):
    given = case.given
    header = [tuple(h) for h in given["header"]]
    if given["align_right"]:
        header = right_aligned(header, given["n_cols"])
    assert column_headers(header, given["n_cols"]) == case.expect


@pytest.mark.parametrize("case", params(EXAMPLES["documents"]))
def test_documents(case):
    result = normalize(text_items(case.text, markdown=case.given.get("markdown", False)))
    want = case.expect
    assert [[b.kind, result.text[b.start : b.end]] for b in result.blocks] == want["blocks"]
    if "headers" in want:
        rows = [b for b in result.blocks if b.kind == "table_row"]
        assert [[c.header for c in b.cells] for b in rows] == want["headers"]
    if "header_fields" in want:
        assert result.header_fields == want["header_fields"]
    assert_consistent(result, case.text)


def assert_consistent(result, source: str) -> None:
    """Blocks tile the text with one '\\n' between them; cells tile their row with '\\t'; every
    mapped character is the source character (or its fold)."""
    text = result.text
    at = 0
    for block in result.blocks:
        assert block.start == at and "\n" not in text[block.start : block.end]
        at = block.end + 1
        if block.cells:
            assert "\t".join(text[c.start : c.end] for c in block.cells) == text[block.start : block.end]
    assert at == len(text) + 1 or not result.blocks
    for run in result.source_map:
        for k in range(run.length):
            original = source[run.source_start + k]
            assert text[run.text_start + k] in (original, fold(Traced.from_source(original)).text)


# ------------------------------------------------------------------------------ Traced


def test_traced_edits_keep_source_offsets():
    source = "摸排工作于 2020年 4月 10日前完成"
    traced = compact_spaces(Traced.from_source(source, source_start=100, page=3))
    assert traced.text == "摸排工作于2020年4月10日前完成"
    for run in traced.runs:
        assert run.page == 3
        assert traced.text[run.start : run.start + run.length] == source[run.source - 100 : run.source - 100 + run.length]


def test_inserted_characters_have_no_source():
    joined = join_lines([Traced.from_source("GB", 0), Traced.from_source("50180", 10)])
    assert joined.text == "GB 50180"
    assert [r.source for r in joined.runs] == [0, None, 10]
    chinese = join_lines([Traced.from_source("做好全区居住项目", 0), Traced.from_source("建筑方案", 20)])
    assert chinese.text == "做好全区居住项目建筑方案" and all(r.source is not None for r in chinese.runs)


def test_concat_merges_contiguous_runs():
    a, b = Traced.from_source("社区", 5), Traced.from_source("配套", 7)
    assert concat([a, b]).runs == [(0, 4, 5, None)]
    assert len(concat([a, Traced.from_source("配套", 9)]).runs) == 2


# -------------------------------------------------------------------------- vocabulary


def test_vocabulary_rejects_spaced_or_duplicate_words():
    with pytest.raises(ValidationError):
        Vocabulary(header_keys=["发文 机关"], furniture_words=[], furniture_labels=[])
    with pytest.raises(ValidationError):
        Vocabulary(header_keys=["索引号", "索引号"], furniture_words=[], furniture_labels=[])
    with pytest.raises(ValidationError):
        Vocabulary(header_keys=[], furniture_words=["来源:"], furniture_labels=[], extra=["x"])


# ---------------------------------------------------------------------------- properties


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("一、（）1. \t\n。，附件第条章社区配套2020年月日-—•ＡＢ１\u3000\u00a0")), max_size=300))
def test_any_text_normalises_consistently(source):
    result = normalize(text_items(source))
    assert_consistent(result, source)


@settings(max_examples=25, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_unicode_never_raises(source):
    result = normalize(text_items(source, markdown=True))
    assert "\r" not in result.text


def test_normalize_text_gives_a_document():
    doc = normalize_text("一、总体要求\n\n摸排工作于 2020年 4月 10日前完成。\n", source_path="x.txt")
    assert doc.text == "一、总体要求\n摸排工作于2020年4月10日前完成。"
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph"]
    assert doc.to_source(doc.text.index("2020")) == ("一、总体要求\n\n摸排工作于 2020".index("2020"), None)
    assert doc.format == "txt" and len(doc.doc_id) == 64


def test_pdf_lines_into_paragraphs_by_geometry():
    """A title wrapped over a full line and a centred one is one paragraph; a body paragraph
    starts indented and ends at a line short of the margin; a centred line after a body line is
    a paragraph of its own."""
    from pipeline.readers.normalize.items import Layout, SourceLine
    from pipeline.readers.normalize.paragraphs import paragraphs

    def line(text, full=False, indented=False, centred=False):
        return SourceLine(Traced.from_source(text, 0, 1), full=full, indented=indented, centred=centred)

    lines = [line("上海市某区人民政府办公室关于印发《某区交通设施", full=True),
             line("环境品质提升行动计划》的通知", indented=True, centred=True),
             line("各街道办事处，区政府各委、办、局："),
             line("现将行动计划印发给你们，请认真", full=True, indented=True),
             line("贯彻落实。"),
             line("为推进交通设施环境品质提升，制定本", full=True, indented=True),
             line("计划：按照市里部署推进各项工作的", full=True),
             line("附件", indented=True, centred=True)]
    groups = [[l.text.text for l in group] for group in paragraphs(lines, Layout.GEOMETRY)]
    assert groups == [["上海市某区人民政府办公室关于印发《某区交通设施", "环境品质提升行动计划》的通知"],
                      ["各街道办事处，区政府各委、办、局："],
                      ["现将行动计划印发给你们，请认真", "贯彻落实。"],
                      ["为推进交通设施环境品质提升，制定本", "计划：按照市里部署推进各项工作的"],
                      ["附件"]]


@pytest.mark.parametrize("line, starts", [
    ("第三条 区住房保障中心负责准入资格的审核。", True), ("第二章　职责分工", True), ("一、总体要求", True),
    ("（六）加强督促检查", True), ("附件2", True),
    # a wrapped line that starts with a reference is no new block (按本条 / 第一款规定执行。)
    ("第一款规定执行。", False), ("第三条规定的情形除外。", False), ("第二章的要求执行。", False),
])
def test_a_line_that_starts_a_block(line, starts):
    from pipeline.readers.normalize.lines import starts_block

    assert starts_block(line) is starts
