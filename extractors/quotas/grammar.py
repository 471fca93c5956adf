"""The grammar of quantities: regex fragments composed from the vocabulary (compiled once at import)
and the reading of one number.
"""
from __future__ import annotations

import re
from decimal import Decimal

from extractors.numerals import NUMBER, to_number
from extractors.rules import alternation
from extractors.text import HAN
from extractors.quotas.vocabulary import RULES, _COMPARATOR_WORDS, _UNIT_BY_FORM


def _latin_guard(form: str) -> str:
    # a Latin unit must not run into a longer Latin word: 5m is a length, 5mm or 5min is not;
    # a form with words it may not run into (两部门 is no count in 部) is guarded by them
    if form in RULES.unit_form_not_before:
        return f"(?!{alternation(RULES.unit_form_not_before[form])})"
    return "(?![A-Za-z])" if form[-1].isascii() and form[-1].isalpha() else ""


_SP = r"[ \u3000]*"                       # spaces left inside Chinese text (2020 年, 每 100 户)
_UNIT = alternation(_UNIT_BY_FORM, guard=_latin_guard)
_MULT = alternation(RULES.multipliers)           # 1.2万人, 10亿元
_SEP = alternation(RULES.range_separators)       # 0.5-1.2, 5至10
_INFIX = alternation(RULES.comparators_infix)    # 100余个
_PCT = alternation(RULES.percent_prefixes)       # 百分之三十, 千分之二

_NUMERAL_CHARS = "〇○零一二两三四五六七八九十百千万亿"
# a number is read whole (an atomic group: 二十五万 is not retried as 二十五), and only from the
# start of its run, so a long run of digits or numerals costs linear time
_WHOLE_NUMBER = rf"(?>{NUMBER})"
# a number scaled by 万/亿 with no unit, right after a noun that names what it counts (人口超过十万):
# one fixed-width lookbehind per noun and comparator written between
_IMPLIED_AFTER = "|".join(
    f"(?<={re.escape(noun + word)})" for noun in RULES.implied_units
    for word in ["", *_COMPARATOR_WORDS, *RULES.reach_words])
_IMPLIED = rf"(?:{_IMPLIED_AFTER}){_SP}(?P<in>{_WHOLE_NUMBER}){_SP}(?P<imult>{_MULT})?(?!{_SP}(?:{_UNIT}|[0-9０-９.．]))"
# one quantity: a ratio written with 百分之/千分之, or a number (or range) with its unit.
# A number glued to Latin letters, digits, '.', '/' or '_' is part of a code (DB50/T543, v2.1).
_QUANTITY = re.compile(
    # 五分之一, 三分之二: a fraction, stored as a percent (百分之/千分之 are the percent prefixes)
    rf"(?<![{_NUMERAL_CHARS}])(?P<fd>[一二三四五六七八九十两]{{1,3}}|\d{{1,3}}){_SP}分之{_SP}(?P<fn>{_WHOLE_NUMBER})"
    rf"|(?P<pp>{_PCT}){_SP}(?P<pn1>{_WHOLE_NUMBER})"
    rf"(?:{_SP}(?:{_SEP}){_SP}(?:{_PCT})?{_SP}(?P<pn2>{_WHOLE_NUMBER}))?"
    rf"|(?<![0-9０-９A-Za-z.．/_{_NUMERAL_CHARS}])(?P<n1>{_WHOLE_NUMBER})"
    rf"(?:{_SP}(?P<m1>{_MULT})?{_SP}(?P<u1>{_UNIT})?{_SP}(?:{_SEP}){_SP}(?P<n2>{_WHOLE_NUMBER}))?"
    rf"{_SP}(?P<infix>{_INFIX})?{_SP}(?P<mult>{_MULT})?{_SP}(?P<unit>{_UNIT})"
    rf"|{_IMPLIED}"
)
# a comparator before the number, with the modal that may lead it (应不少于, 原则上不超过)
_COMPARATOR_BEFORE = re.compile(
    rf"(?:{alternation(RULES.comparators_before.leading_modals)})?(?P<word>{alternation(_COMPARATOR_WORDS)})"
)
_COMPARATOR_AFTER = re.compile(rf"{_SP}(?P<word>{alternation(RULES.comparators_after)})")
# the basis of a rate: 每100户, 每百户, 每万人, 每个试点城市, 每年; or 人均 …
_PER_PREFIX = re.compile(rf"(?:{alternation(RULES.per_basis.prefixes)}){_SP}")
_PER_NUMBER = re.compile(rf"(?P<num>{_WHOLE_NUMBER}){_SP}")
_PER_CLASSIFIER = re.compile(rf"(?:{alternation(RULES.per_basis.classifiers)})(?=[{HAN}])")
_PER_UNIT = re.compile(rf"(?P<unit>{_UNIT})")
_PER_FIXED = re.compile(alternation(RULES.per_basis.fixed))
_PER_PERIOD = re.compile(alternation(RULES.per_basis.periods))
# a basis written after the quantity with a slash: 16元/平方米, 50元/吨, 200元/人·月
_PER_SLASH = re.compile(
    rf"{_SP}[/／]{_SP}每?(?P<num>{_WHOLE_NUMBER})?{_SP}(?:(?P<unit>{_UNIT})|(?P<noun>[{HAN}]{{1,2}}))")
# the noun of a basis: Chinese characters (and the brackets and 、 of 县（市、区）), no numerals
_BASIS_NOUN = re.compile(rf"(?:(?![{_NUMERAL_CHARS}])[{HAN}（）()、]){{1,20}}")
_BASIS_STOPS = sorted(set(RULES.per_basis.stop_words) | set(RULES.requirement_verbs) | set(_COMPARATOR_WORDS)
                      | set(RULES.comparators_before.leading_modals), key=len, reverse=True)
_HEADS = sorted(RULES.per_basis.heads.items(), key=lambda kv: len(kv[0]), reverse=True)
# the noun after a quantity ends at a stop word, a comparator or a modal (…五十以上|应当用于)
_SUBJECT_STOPS = tuple(sorted(set(RULES.subject_stop_words) | set(_COMPARATOR_WORDS)
                              | set(RULES.comparators_before.leading_modals), key=len, reverse=True))

# clause ends: a comparator, basis or subject never reaches across them
_CLAUSE_END = "，。；：！？,;:!?\n\t"
_CLAUSE_END_RE = re.compile(f"[{_CLAUSE_END}]")
_GAP_BREAK = re.compile(rf"[{_CLAUSE_END}、\d]")   # a gap with a list comma or a digit holds another quantity
# an age that qualifies the people counted (每千人口拥有3岁以下婴幼儿托位数4.5个): between a basis and
# its quantity it holds no other quantity of the rate
_AGE_QUALIFIER = re.compile(
    rf"{_WHOLE_NUMBER}{_SP}(?:{alternation(f for f, u in _UNIT_BY_FORM.items() if u.kind == 'age')})"
    rf"{_SP}(?:{alternation(RULES.comparators_after)})?")
_ARABIC_LEADING_ZERO = re.compile(r"^[0０][0-9０-９]")  # 025-83390616: a phone number, not a count
_NON_CJK = re.compile(f"[^{HAN}]+")
_CJK_RUN = re.compile(f"[{HAN}]+")

_LOOKBACK = 48          # characters searched before a quantity for its comparator, basis and verb
_COMPARATOR_GAP = 12    # 不少于|地上住宅总建筑面积|千分之二: a noun may stand between
_ORDINAL = tuple(RULES.ordinal_prefixes)  # 第3条, 最后一个: a rank, not a quantity


# the object between a governing verb and its number: Chinese characters without numerals, except
# in an ordinal (新增第三卫生间26座) or a quoted name (建成“两网融合”服务点670个)
_VERB_OBJECT = re.compile(
    rf"(?:第[{_NUMERAL_CHARS}\d]{{1,3}}|“[{HAN}]{{1,12}}”|(?![{_NUMERAL_CHARS}])[{HAN}（）()]){{0,{RULES.requirement_verb_gap}}}")
_GOVERNING_VERB = re.compile(alternation(RULES.requirement_verbs))
_NARRATION_MARKER = re.compile(alternation(RULES.narration_markers))
# a modal after a comma (，2026年应完成…), not 应 of 应急 / 应用 / 应对
_NARRATION_BREAKER = re.compile(f"[，,；;][^，,；;。]*?(?:{alternation(RULES.narration_breakers)})(?![急用对收付])")
_OBJECT_PREPOSITION = re.compile(
    rf"(?:{alternation(RULES.object_prepositions)}){_SP}(?:(?:{alternation(RULES.object_scopes)}){_SP})?$")
# 达到70%, 分别达到65%和55%: the number is a minimum
_REACH = re.compile(
    rf"(?:{alternation(RULES.reach_words)}){_SP}(?:(?:{alternation(RULES.reach_adverbs)}){_SP})*$")
# a duration stated as the length of a period (有效期为三年, 质保期（两年）) or kept for (留存五年)
_STATED_LENGTH = re.compile(
    rf"(?:(?:{alternation(RULES.period_nouns)}){_SP}(?:{alternation(RULES.comparators_before.leading_modals)})?"
    rf"{_SP}为?{_SP}[（(]?|(?:{alternation(RULES.keeping_verbs)})){_SP}$")
_SENTENCE_END = re.compile(r"[。；;！？!?\n]")
# between two quantities of one list: 65%和55%, 城市公园1座、口袋公园3个
_LIST_JOIN = re.compile(rf"{_SP}[和、及与或]{_SP}")
# (a noun may follow each quantity too: 建设50所高水平高等职业学校和150个骨干专业)
_LIST_JOIN_NOUN = re.compile(
    rf"(?:(?![{_NUMERAL_CHARS}])[{HAN}（）()]){{0,12}}{_SP}[、和及与]{_SP}(?:(?![{_NUMERAL_CHARS}])[{HAN}]){{0,8}}")
_UNIT_NOT_BEFORE = re.compile(alternation(RULES.unit_not_before))


def _number(s: str | None) -> float | None:
    """The value of one number; a bare 百/千/万 means one of them (每百户, 每千人, 每万人)."""
    if not s:
        return None
    s = s.strip(" \u3000")
    if _ARABIC_LEADING_ZERO.match(s):
        return None
    value = to_number(s)
    if value is None and s[0] in "百千万亿":
        value = to_number("一" + s)
    return value


def _scaled(value: float, *factors: float) -> float:
    """value × factors without binary float noise (1.2 × 10000 = 12000, not 12000.000000000002)."""
    d = Decimal(str(value))
    for f in factors:
        d *= Decimal(str(f))
    return float(d)
