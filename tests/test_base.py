"""The one overlap rule (filter_spans): the longest match wins, then the earliest."""
from __future__ import annotations

from extractors.base import Match, filter_spans


def m(start, end):
    return Match("x", start, end, "?" * (end - start))


def test_longest_wins_then_earliest():
    kept = filter_spans([m(0, 3), m(2, 8), m(8, 10), m(9, 12), m(20, 21)])
    assert [(k.start, k.end) for k in kept] == [(2, 8), (9, 12), (20, 21)]


def test_equal_length_overlap_keeps_the_earliest_and_touching_spans_both_stay():
    kept = filter_spans([m(5, 9), m(3, 7), m(9, 13)])
    assert [(k.start, k.end) for k in kept] == [(3, 7), (9, 13)]


def test_nested_and_empty():
    assert filter_spans([]) == []
    kept = filter_spans([m(0, 10), m(2, 3), m(4, 6), m(10, 11)])
    assert [(k.start, k.end) for k in kept] == [(0, 10), (10, 11)]


def test_rule_tables_read_the_same_with_the_fast_yaml_parser():
    """load_yaml uses libyaml's parser when PyYAML has it; every rule table must parse to what the
    pure-Python safe loader gives."""
    import yaml

    from extractors import rules

    files = sorted(rules.DATA_DIR.glob("*.yaml"))
    assert len(files) >= 5
    for f in files:
        assert rules.load_yaml(f.name) == yaml.safe_load(f.read_text(encoding="utf-8")), f.name


def test_words_and_spaces_is_spacys_alignment_in_linear_time():
    """nlp.words_and_spaces replaces spaCy's quadratic get_words_and_spaces: the same words and
    spaces on every corpus document (as jieba cuts it) and on texts with runs of spaces, tabs and
    newlines."""
    from spacy.util import get_words_and_spaces

    from extractors import nlp
    from tests.conftest import CORPUS

    segmenter = nlp.pipeline().tokenizer.jieba_seg
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    texts += ["", " ", "a  b", "\t第一条  总则\n\n 各区县 要 在2021年底前完成。 ", "  开头空格", "结尾空格  "]
    assert len(texts) > 8
    for text in texts:
        words = [w for w in segmenter.cut(text, cut_all=False) if w]
        assert nlp.words_and_spaces(words, text) == get_words_and_spaces(words, text)
    doc = nlp.make_doc(nlp.pipeline(), texts[0])
    assert doc.text == texts[0] and len(doc) > 100


def test_span_index_answers_as_a_scan_of_every_span_would():
    """SpanIndex replaces `any(...)` scans over span lists; on random spans and queries (overlapping,
    nested, equal, empty) each answer equals the scan's."""
    import random

    from extractors.base import SpanIndex

    rng = random.Random(7)
    for _ in range(300):
        spans = [(a, a + rng.randint(0, 8)) for a in (rng.randint(0, 40) for _ in range(rng.randint(0, 12)))]
        index = SpanIndex(spans)
        for _ in range(30):
            start = rng.randint(0, 50)
            end = start + rng.randint(0, 6)
            assert index.covers(start, end) == any(s <= start and end <= e for s, e in spans)
            assert index.overlaps(start, end) == any(s < end and start < e for s, e in spans)
            assert index.covers_strictly(start, end) == any(
                s <= start and end <= e and e - s > end - start for s, e in spans)
