"""Property tests: every extractor and the normaliser survive arbitrary text, Chinese-heavy text and
mutations of real corpus sentences; every span they return points at its own surface, and the
normaliser's blocks and source map describe its text exactly.

Short under `make test` (hypothesis profile "default"), long under `make fuzz`
(HYPOTHESIS_PROFILE=fuzz); both profiles are registered in tests/conftest.py.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors import categories, metadata, structure
from extractors.analyze import analyze
from extractors.base import ExtractContext
from extractors.fields import FIELDS
from pipeline.readers.normalize import Traced, fold, normalize_text
from schemas.records import TABLES
from tests.conftest import CORPUS, SEED_NAMES, extra_files

# real sentences: the seeds and the extra corpus (条例 in Markdown, gov.cn pages as markup)
_SOURCES = [(CORPUS / name).read_text(encoding="utf-8") for name in SEED_NAMES]
_SOURCES += [p.read_text(encoding="utf-8") for p in extra_files(".md")]
_SENTENCES = [s for text in _SOURCES for s in re.split(r"(?<=[。；\n])", text) if len(s.strip()) > 4]
# characters that matter to the rules: digits, CJK numerals, brackets, units, separators
_POLICY_CHARS = ("0123456789〇一二三四五六七八九十百千万年月日底前内后起至-—～~./·〔〕[]()（）《》〈〉、，。；：㎡%‰"
                 "每户人个米分钟不少于超过以上以下左右约DBGT/ \t\n")
# what a converted or scraped file also holds: full-width forms, odd spaces, zero-width marks
_ODD_CHARS = "０１２３ＡＢｂ\u3000\u00a0\u2002\u200b\u200d\ufeff\u00ad\r"

chinese_heavy = st.text(alphabet=st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),
                                           st.sampled_from(_POLICY_CHARS + _ODD_CHARS)), max_size=200)


@st.composite
def mutated_sentences(draw):
    """A real sentence with a few characters inserted, deleted or overwritten."""
    s = draw(st.sampled_from(_SENTENCES))
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(s)))
        op = draw(st.sampled_from(["insert", "delete", "swap"]))
        piece = draw(st.text(alphabet=_POLICY_CHARS + _ODD_CHARS, min_size=1, max_size=3))
        if op == "insert":
            s = s[:i] + piece + s[i:]
        elif op == "delete":
            s = s[:i] + s[i + 3:]
        else:
            s = s[:i] + piece + s[i + len(piece):]
    return s


@st.composite
def mutated_passages(draw):
    """A few consecutive lines of a real document, mutated: headings, items and table rows together."""
    source = draw(st.sampled_from(_SOURCES)).splitlines()
    start = draw(st.integers(0, max(len(source) - 1, 0)))
    lines = source[start:start + draw(st.integers(1, 6))]
    return "\n".join(draw(mutated_sentences()) if draw(st.booleans()) else line for line in lines)


texts = st.one_of(st.text(max_size=200), chinese_heavy, mutated_sentences(), mutated_passages())
# relative deadlines resolve against the issue date, when the document has one
ISSUED_DATES = [None, dt.date(2020, 3, 23)]
# every module with the extractor surface `extract(text, ctx) -> list[Match]`
EXTRACTORS = {**FIELDS, "category": categories, "metadata": metadata}
KEYS = {model.__table__: model.__key__ for model in TABLES}


def assert_spans_point_at_their_surface(text: str, found) -> None:
    assert isinstance(found, list)
    for m in found:
        assert 0 <= m.start <= m.end <= len(text)
        assert text[m.start:m.end] == m.surface


@pytest.mark.parametrize("field", sorted(EXTRACTORS))
@given(text=texts)
def test_fuzz_extractor_spans_point_at_their_surface(field, text):
    module = EXTRACTORS[field]
    for issued in ISSUED_DATES:
        ctx = ExtractContext(issued_date=issued)  # a fresh one: extractors may add masks to it
        found = module.extract(text, ctx)
        assert_spans_point_at_their_surface(text, found)
        if hasattr(module, "parse"):  # the normalising stage takes what the locating stage found
            for m in found:
                module.parse(m.surface, ctx)


@given(text=texts)
def test_fuzz_sentences_cover_text(text):
    for s, e in structure.sentences(text, 0, len(text)):
        assert 0 <= s < e <= len(text) and text[s:e].strip()


@given(text=texts)
def test_fuzz_the_whole_extraction_never_raises(text):
    """analyze() on a normalised document: every stored span points at the document's text."""
    doc = normalize_text(text)
    extraction = analyze(doc, pipeline_version="fuzz", ingested_at=dt.datetime(2020, 1, 1))
    for record in [*extraction.deadlines, *extraction.quotas, *extraction.citations]:
        assert doc.text[record.start:record.end] == record.surface
    for obligation in extraction.obligations:
        assert doc.text[obligation.start:obligation.end] == obligation.text
    for unit in extraction.units:  # a unit of a coordinated list is named by its key: only its span is checked
        assert 0 <= unit.start < unit.end <= len(doc.text)
    # a key stored twice would be refused by the writer (store.check_keys)
    for table, records in extraction.rows().items():
        keys = [tuple(getattr(r, k) for k in KEYS[table]) for r in records]
        assert len(keys) == len(set(keys)), table


def folded(ch: str) -> str:
    """What the normaliser's 1:1 fold makes of one source character."""
    return fold(Traced.from_source(ch)).text


@pytest.mark.parametrize("markdown", [False, True], ids=["txt", "md"])
@given(source=texts)
def test_fuzz_normaliser_blocks_and_source_map_describe_its_text(markdown, source):
    doc = normalize_text(source, markdown=markdown)
    text = doc.text

    # blocks: in order, within the text, joined by exactly one '\n', covering all of it
    assert all(0 <= b.start < b.end <= len(text) for b in doc.blocks)
    assert text == "\n".join(text[b.start:b.end] for b in doc.blocks)
    for b in doc.blocks:
        if b.cells:  # a table row is its cells joined by one '\t'
            assert all(b.start <= c.start <= c.end <= b.end for c in b.cells)
            assert text[b.start:b.end] == "\t".join(text[c.start:c.end] for c in b.cells)

    # source map: runs in text order, inside the text and the source, each character either the
    # source character (folded 1:1: full-width digits, odd spaces) or a separator the normaliser put in
    mapped: dict[int, int] = {}
    at = 0
    for run in doc.source_map:
        assert run.length > 0 and at <= run.text_start and run.text_start + run.length <= len(text)
        assert 0 <= run.source_start and run.source_start + run.length <= len(source)
        at = run.text_start + run.length
        for k in range(run.length):
            mapped[run.text_start + k] = run.source_start + k
    for i, ch in enumerate(text):
        if i in mapped:
            assert ch == folded(source[mapped[i]]), (i, ch, source[mapped[i]])
            assert doc.to_source(i)[0] == mapped[i]
        else:
            assert ch in "\n\t ", (i, ch)  # only separators are made up
            assert doc.to_source(i)[0] is None
    # the text reads the source forwards: no character is taken twice or out of order
    offsets = [mapped[i] for i in sorted(mapped)]
    assert offsets == sorted(set(offsets))
