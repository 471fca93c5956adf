"""The rule tables in extractors/data/: one base model, one cached loader, one alternation helper.

Every field module loads its table once, at import, as `RULES = load_rules(<Field>Rules, "<field>.yaml")`.
Every model of a table derives from `RuleTable`, which forbids keys the model does not declare:
a misspelt key in a YAML file would otherwise be dropped without a word, and the rule it meant to
set would silently keep its default.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from extractors.text import fold_brackets

DATA_DIR = Path(__file__).with_name("data")
# libyaml's parser reads the rule tables 7x faster than PyYAML's pure-Python one (0.44 s -> 0.06 s
# of every process start); the result is the same (tested), the pure one stays as fallback
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RuleTable(BaseModel):
    """Base of every rule-table model (and of the models nested in one)."""

    model_config = ConfigDict(extra="forbid")


T = TypeVar("T", bound=BaseModel)
# file name -> the model it was validated by, for every table loaded so far (tests check them all)
LOADED: dict[str, type[BaseModel]] = {}


@functools.cache
def load_yaml(name: str) -> Any:
    """The parsed content of extractors/data/<name> (cached: rule tables are read once)."""
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_SAFE_LOADER)


def load_rules(model: type[T], name: str) -> T:
    """extractors/data/<name> validated by `model`. A malformed table stops the import with the
    file's name and pydantic's reason: a table that loads half-way would silently change what
    every document reads as."""
    LOADED[name] = model
    try:
        return model.model_validate(load_yaml(name))
    except ValidationError as err:
        raise ValueError(f"extractors/data/{name} is invalid: {err}") from err


def alternation(words: Iterable[str], *, any_bracket_width: bool = False, spaced: bool = False,
                guard: Callable[[str], str] | None = None) -> str:
    """A regex matching any of the literal `words`, the longest first where several match (不少于
    before 少于, 第三季度 before 三季度), written as a trie (国土(?:资源(?:和规划)?)?): Python's `|`
    tries its alternatives one by one, so a flat list of hundreds of names is slow, while in a trie
    each character is read once and a greedy `?` tries the longer word first.

        any_bracket_width  （ ( 〔 match one another, and so do ） ) 〕 (镇（街道） = 镇(街道) =
                           镇〔街道〕: a bracket inside a bracket is written with tortoise shells)
        spaced             any whitespace may stand between the characters of a word (索  引  号)
        guard(word)        a lookahead that must hold after `word` ("(?![A-Za-z])": 5m, not 5mm)

    No words: a regex that never matches."""
    trie: dict = {}
    for word in set(words):
        node = trie
        for ch in (fold_brackets(word) if any_bracket_width else word):
            node = node.setdefault(ch, {})
        node[_END] = guard(word) if guard else ""
    char = _any_width_bracket if any_bracket_width else re.escape
    return _trie_pattern(trie, char, r"\s*" if spaced else "", first=True) or "(?!)"


_END = ""  # the key of a trie node's end-of-word mark (no character is empty); its value is the guard


def _trie_pattern(node: dict, char: Callable[[str], str], gap: str, first: bool = False) -> str:
    branches = [("" if first else gap) + char(ch) + _trie_pattern(child, char, gap)
                for ch, child in sorted(node.items()) if ch != _END]
    end = node.get(_END)
    if not branches:
        return end or ""
    if end:  # a guarded word ends here: it is the last alternative, after every longer word
        return "(?:" + "|".join(branches + [end]) + ")"
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if end is not None else body


def _any_width_bracket(ch: str) -> str:
    if ch == "（":
        return "[（(〔]"
    if ch == "）":
        return "[）)〕]"
    return re.escape(ch)
