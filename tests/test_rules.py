"""The rule tables of extractors/data/: each is validated by a model that forbids unknown keys."""
from __future__ import annotations

import re
import typing

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

import extractors.analyze  # noqa: F401  (imports every field module, which load their tables)
from extractors import rules

TABLES = sorted(p.name for p in rules.DATA_DIR.glob("*.yaml"))


def test_every_table_is_loaded_by_a_model():
    assert TABLES and sorted(rules.LOADED) == TABLES


def _models(model: type[BaseModel], seen: set) -> set:
    """`model` and every model its fields hold (in lists, dicts, unions)."""
    if model in seen:
        return seen
    seen.add(model)
    for f in model.model_fields.values():
        stack = [f.annotation]
        while stack:
            t = stack.pop()
            if isinstance(t, type) and issubclass(t, BaseModel):
                _models(t, seen)
            stack.extend(typing.get_args(t))
    return seen


@pytest.mark.parametrize("name", TABLES)
def test_every_model_of_a_table_forbids_unknown_keys(name):
    for model in _models(rules.LOADED[name], set()):
        assert issubclass(model, rules.RuleTable), model


@pytest.mark.parametrize("name", TABLES)
def test_a_misspelt_key_is_an_error_naming_it(name):
    data = dict(rules.load_yaml(name))
    data["misspelt_key"] = []
    with pytest.raises(ValidationError, match="misspelt_key"):
        rules.LOADED[name].model_validate(data)


def _flat(words, spaced=False, guard=None) -> str:
    """The plain longest-first alternation `alternation` must agree with."""
    gap = r"\s*" if spaced else ""
    return "|".join(gap.join(re.escape(c) for c in w) + (guard(w) if guard else "")
                    for w in sorted(set(words), key=len, reverse=True))


_WORDS = st.lists(st.text(alphabet="部门局委员会", min_size=1, max_size=4), min_size=1, max_size=8)
_TEXT = st.text(alphabet="部门局委员会长 x", max_size=40)


def _guard(word: str) -> str:
    return "(?!长)" if len(word) == 1 else ""


@given(_WORDS, _TEXT, st.booleans(), st.booleans())
def test_alternation_is_a_longest_first_alternation(words, text, spaced, guarded):
    """The trie matches what a flat list of the words, longest first, matches: the same spans, in
    a pattern that continues after it too (the longest word that lets the rest match)."""
    guard = _guard if guarded else None
    trie = rules.alternation(words, spaced=spaced, guard=guard)
    flat = _flat(words, spaced, guard)
    for wrap in ("(?:{})", "(?:{})x", "(?:{})$"):
        assert ([m.span() for m in re.finditer(wrap.format(trie), text)]
                == [m.span() for m in re.finditer(wrap.format(flat), text)])


def test_alternation_with_brackets_of_any_width():
    rx = re.compile(rules.alternation(["镇（街道）", "街道办事处"], any_bracket_width=True))
    assert [m.group() for m in rx.finditer("镇(街道)、镇〔街道〕和镇（街道）")] == ["镇(街道)", "镇〔街道〕", "镇（街道）"]
    assert re.search(rules.alternation([]), "anything") is None
