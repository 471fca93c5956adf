"""Numeric requirements: 每100户配建20㎡, 0.5-1.2万人, 不少于30个, 百分之五十以上, 步行5-10分钟.

Public surface:
    extract(text: str, ctx: ExtractContext) -> list[Match]      field "quota", value QuotaValue
    parse(surface: str, ctx: ExtractContext) -> QuotaValue | None

Locate, then judge. A quantity is a number with a unit (平方米, 万人, 个, %, 百分之…); around it
we read a comparator (不少于 … / … 以上), a per-basis (每百户, 人均, 每个街镇) and the verb that
governs it. Whether the quantity is a requirement depends on the kind of its unit (see
data/quotas.yaml): a measure always is; a bare count (三个层级, 一老一小) only with a comparator, a
per-basis, a range or a requirement verb; a duration only with a comparator that does not make it
a deadline (三十日内 belongs to extractors/deadlines/); money only with a comparator or a basis.
Dates, ordinals (第3条), phone numbers and code digits fail the number checks; spans under
`ctx.masked` (document numbers, standard codes) are skipped.

Vocabulary lives in extractors/data/quotas.yaml; this package holds the grammar.
"""
from __future__ import annotations

from extractors.base import ExtractContext, Match, filter_spans
from extractors.quotas.vocabulary import RULES, Comparator, QuotaRules, QuotaValue, UnitKind
from extractors.quotas.grammar import _QUANTITY
from extractors.quotas.basis import _bases
from extractors.quotas.reading import _clause_start, _is_penalty, _is_requirement, _merge_bounds, _read, _value
from extractors.quotas.subject import _subject

__all__ = ["RULES", "Comparator", "QuotaRules", "QuotaValue", "UnitKind", "extract", "parse"]


def extract(text: str, ctx: ExtractContext) -> list[Match]:
    """Every numeric requirement in `text` (offsets into `text`); [] when there is none."""
    if not isinstance(text, str) or not text:
        return []
    bases = _bases(text)
    readings = []
    for m in _QUANTITY.finditer(text):
        r = _read(m, text, bases, ctx)
        if r and _is_requirement(r, text, m.end()) and not ctx.is_masked(r.start, r.end):
            readings.append(r)
    matches = []
    prev_end = 0
    for r in _merge_bounds(readings, text):
        if _is_penalty(r, text):
            continue
        left = max(prev_end, _clause_start(text, r.start))
        subject = _subject(text, r, left)
        matches.append(Match("quota", r.start, r.end, text[r.start:r.end], _value(r, subject)))
        prev_end = r.end
    return filter_spans(matches)


def parse(surface: str, ctx: ExtractContext) -> QuotaValue | None:
    """The value of the longest requirement written in `surface`; None when it states none."""
    found = extract(surface, ctx)
    if not found:
        return None
    return max(found, key=len).value
