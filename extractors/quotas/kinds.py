"""What a quota is: the direction it asks for and its kind (EXTRACTION.md §quotas, issue 16).

kind, first that holds:
  penalty      a fine (处十万元以上五十万元以下罚款): a sanction on a breach, not a requirement
  eligibility  who or what qualifies, not what is required of them: an age (年满18周岁), a bound
               followed by 的 or by the entity it selects (5万平方米以上商场, 500万元以下企业,
               排放量小于200立方米的…)
  price        money per a basis (16元/平方米, 每张床位1万元): a rate of payment or charge
  budget       money without a basis (共需经费约400万元)
  frequency    how often (每年至少组织一次, 1次以上)
  target       an output or level to reach: governed by a requirement verb (完成…133处, 新增…3000个),
               reached (达到70%), a change (下降10%); analyze also makes a threshold with a target
               date a target (到2025年，每千名老年人拥有床位不少于40张)
  threshold    the rest: a standard or cap that applies whenever the case arises (每百户配建20㎡,
               服务半径不宜大于1000米, 不超过五分之一)
direction: increase / decrease / level from the word governing the number (新增, 下降, 稳定在), else
None.
"""
from __future__ import annotations

import re

from extractors.quotas.grammar import _SP, _VERB_OBJECT
from extractors.quotas.reading import _Reading, _is_penalty
from extractors.quotas.vocabulary import RULES
from extractors.rules import alternation
from schemas.records import QuotaDirection, QuotaKind

_DIRECTION = re.compile(alternation(RULES.directions))
_ELIGIBLE_AFTER = re.compile(
    rf"{_SP}(?:的(?!{alternation(RULES.standard_nouns)})|(?:{alternation(RULES.eligibility_heads)}))")
_BOUNDS = ("ge", "gt", "le", "lt")


def direction(text: str, r: _Reading, clause_start: int) -> QuotaDirection | None:
    """The change the number asks for, from the last direction word before it in its clause with at
    most `direction_gap` characters of object between (下降|13.5%, 新增|光伏装机规模|6380千瓦)."""
    window_start = max(clause_start, r.lead_start - RULES.direction_gap - 4)
    found = None
    for m in _DIRECTION.finditer(text, window_start, r.lead_start):
        gap = text[m.end():r.lead_start].strip(" \u3000")
        if len(gap) <= RULES.direction_gap and _VERB_OBJECT.fullmatch(gap):
            found = RULES.directions[m.group()]
    return found


def kind(text: str, r: _Reading, direction_: QuotaDirection | None, reached: bool) -> QuotaKind:
    if _is_penalty(r, text):
        return "penalty"
    if r.kind == "age":
        return "eligibility"
    if r.kind == "frequency":
        return "frequency"  # 每月开展不少于一次的上门宣传: the 的 qualifies an activity, not who qualifies
    if (r.comparator in _BOUNDS and r.explicit_comparator and not reached and direction_ is None
            and _ELIGIBLE_AFTER.match(text, r.end)):
        return "eligibility"
    if r.kind == "money":
        return "price" if r.basis is not None else "budget"
    if r.governed or reached or direction_ is not None:
        return "target"
    return "threshold"
