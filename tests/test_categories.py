"""Facility categories on real sentences (tests/examples/categories.yaml) and the module's contract."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors import categories
from extractors.base import ExtractContext
from tests.example_tables import load, params

EXAMPLES = load("categories.yaml")["categorize"]


@pytest.mark.parametrize("row", params(EXAMPLES))
def test_example(row):
    named = categories.categorize(row.text)
    want = row.expect
    if "primary" in want:
        assert categories.primary_category(row.text) == want["primary"], named
    for c in want.get("includes", []):
        assert c in named, named
    for c in want.get("excludes", []):
        assert c not in named, named


def test_examples_use_known_categories_and_have_negatives():
    used = {c for row in EXAMPLES
            for c in [row.expect.get("primary"), *row.expect.get("includes", []), *row.expect.get("excludes", [])]}
    assert used - {None} <= set(categories.CATEGORIES)
    assert any("primary" in row.expect and row.expect["primary"] is None for row in EXAMPLES)
    # every category of the table is exercised by at least one example
    assert set(categories.CATEGORIES) <= used


def test_matches_point_into_the_text():
    text = "优先配套建设社区老年服务站、老年人日间照料中心和托儿所、幼儿园等养老托育服务设施"
    found = categories.extract(text, ExtractContext())
    assert found
    for m in found:
        assert text[m.start:m.end] == m.surface
        assert m.value in categories.CATEGORIES


def test_department_names_are_not_facilities():
    assert categories.extract("市邮政管理局、市通信管理局负责", ExtractContext()) == []
    assert categories.categorize("市邮政快递网点") == ["商业便民"]


def test_primary_category_takes_the_first_text_that_names_one():
    assert categories.primary_category(None, "", "国家选择50个左右城市开展试点") is None
    assert categories.primary_category("社区办公服务设施", "养老服务设施") == "社区服务/办公"
    assert categories.primary_category(None, "养老服务设施") == "养老"


def test_sentence_at_gives_the_enclosing_sentence():
    text = "前一句。审查时执行每100户住户配建20㎡社区办公服务设施；后一句。"
    start = text.index("20㎡")
    assert categories.sentence_at(text, start, start + 3) == "审查时执行每100户住户配建20㎡社区办公服务设施"
    assert categories.sentence_at("", 0, 0) == ""
    assert categories.sentence_at("无标点", 5, 99) == "无标点"


@settings(max_examples=200, deadline=None)
@given(st.text(), st.integers(-5, 50), st.integers(-5, 50))
def test_never_raises(text, a, b):
    for m in categories.extract(text, ExtractContext()):
        assert text[m.start:m.end] == m.surface
    categories.categorize(text)
    assert isinstance(categories.sentence_at(text, a, b), str)
