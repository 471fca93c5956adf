"""extractors/clauses.py: the example table (one clause per duty), and every cut keeps the text."""
from __future__ import annotations

import pytest

from extractors import clauses
from tests.example_tables import load, params

CASES = load("clauses.yaml")["split"]


@pytest.mark.parametrize("case", params(CASES))
def test_clause_examples(case):
    text = case.text
    got = [text[s:e] for s, e in clauses.split(text, 0, len(text), commas=case.given["commas"])]
    assert got == case.expect


@pytest.mark.parametrize("case", params([c for c in CASES if not c.xfail]))
def test_clauses_cover_the_sentence(case):
    """Clauses are in order, do not overlap, and together hold every non-space character."""
    text = "  " + case.text + " "
    spans = clauses.split(text, 0, len(text), commas=True)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == case.text.replace(" ", "")


def test_nothing_to_cut():
    assert clauses.split("", 0, 0, commas=True) == []
    assert clauses.split("，；", 0, 2, commas=True) == [(0, 2)]
