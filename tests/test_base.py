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
