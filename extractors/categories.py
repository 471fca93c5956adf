"""Facility categories (教育, 托育, 养老, 医疗卫生, 体育, 商业便民, 社区服务/办公, 文化, 市政, 公共空间)
of an obligation or a quota, from the keyword table in data/categories.yaml.

Public API:
    CATEGORIES                          the category names, in the table's order
    extract(text, ctx) -> list[Match]   field "category": one Match per keyword hit, value = category
    parse(surface, ctx) -> str | None   the leading category a text names (most hits, then earliest)
    categorize(text) -> list[str]       the categories a text names, most hits first (ties: earliest)
    primary_category(*texts) -> str | None
        the column value stored per obligation and quota: the first category of the first text
        that names one (e.g. the quota's subject, then its sentence); None (SQL NULL) when none does
    sentence_at(text, start, end) -> str
        the sentence of `text` that holds text[start:end], for categorising a short span by its context

How: phrases that name no facility (养老保险, 文化和旅游局 …) are masked; then keywords are found
leftmost-longest; a keyword directly followed by a department suffix (邮政管理局, 道路主管部门)
names a department and does not count.
"""
from __future__ import annotations

import re

from pydantic import field_validator

from extractors.base import ExtractContext, Match
from extractors.rules import RuleTable, alternation, load_rules

FIELD = "category"


class _Category(RuleTable):
    name: str
    keywords: list[str]

    @field_validator("keywords")
    @classmethod
    def _non_empty(cls, words: list[str]) -> list[str]:
        if not words or any(not w.strip() for w in words):
            raise ValueError("a category needs non-empty keywords")
        return words


class CategoryRules(RuleTable):
    categories: list[_Category]
    department_suffixes: list[str]
    not_facility: list[str]

    @field_validator("categories")
    @classmethod
    def _unique(cls, cats: list[_Category]) -> list[_Category]:
        seen: dict[str, str] = {}
        for c in cats:
            for w in c.keywords:
                if w in seen and seen[w] != c.name:
                    raise ValueError(f"keyword {w!r} is listed under both {seen[w]} and {c.name}")
                seen[w] = c.name
        return cats


RULES = load_rules(CategoryRules, "categories.yaml")
CATEGORIES: tuple[str, ...] = tuple(c.name for c in RULES.categories)
_CATEGORY_OF: dict[str, str] = {w: c.name for c in RULES.categories for w in c.keywords}
_ORDER = {name: i for i, name in enumerate(CATEGORIES)}


# a keyword of any category
_KEYWORD = re.compile(alternation(list(_CATEGORY_OF)))
# what makes the keyword before it a department's name rather than a facility
_DEPARTMENT_SUFFIX = re.compile(alternation(RULES.department_suffixes))
# phrases holding a keyword without naming a facility; masked before the scan
_NOT_FACILITY = re.compile(alternation(RULES.not_facility))
# where a sentence ends: 。！？；, a line break
_SENTENCE_ENDS = "。！？；;!?\n"
_SENTENCE_END = re.compile(f"[{re.escape(_SENTENCE_ENDS)}]")


def _masked(text: str) -> str:
    """`text` with the not-a-facility phrases blanked out, same length (offsets unchanged)."""
    return _NOT_FACILITY.sub(lambda m: "\u3000" * len(m.group()), text)


def extract(text: str, ctx: ExtractContext) -> list[Match]:
    """Every keyword hit in `text` (not masked, not a department name), in text order."""
    if not isinstance(text, str) or not text:
        return []
    scan = _masked(text)
    found = []
    for m in _KEYWORD.finditer(scan):
        if _DEPARTMENT_SUFFIX.match(scan, m.end()):
            continue
        found.append(Match(FIELD, m.start(), m.end(), text[m.start():m.end()], _CATEGORY_OF[m.group()]))
    return found


def categorize(text: str | None) -> list[str]:
    """The categories `text` names: most keyword hits first; ties go to the one named first."""
    hits = extract(text or "", ExtractContext())
    count: dict[str, int] = {}
    first: dict[str, int] = {}
    for m in hits:
        count[m.value] = count.get(m.value, 0) + 1
        first.setdefault(m.value, m.start)
    return sorted(count, key=lambda c: (-count[c], first[c], _ORDER[c]))


def parse(surface: str, ctx: ExtractContext) -> str | None:
    """The leading category `surface` names (see categorize); None when it names no facility."""
    found = categorize(surface)
    return found[0] if found else None


def primary_category(*texts: str | None) -> str | None:
    """The category to store: the leading category of the first of `texts` that names any.
    Pass the most specific text first (a quota's subject, then its sentence). None when no text
    names a facility: the column is NULL."""
    for text in texts:
        found = parse(text or "", ExtractContext())
        if found:
            return found
    return None


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence (between 。！？； or line breaks) of `text` that contains text[start:end]."""
    if not isinstance(text, str) or not text:
        return ""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    left = max(text.rfind(ch, 0, start) for ch in _SENTENCE_ENDS) + 1
    right_match = _SENTENCE_END.search(text, end)
    right = right_match.start() if right_match else len(text)
    return text[left:right]
