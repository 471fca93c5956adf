"""Numeric requirements: 每100户配建20㎡, 0.5-1.2万人, 不少于30个, 百分之五十以上, 步行5-10分钟.

Public surface:
    extract(text: str, ctx: ExtractContext) -> list[Match]      field "quota", value QuotaValue
    parse(surface: str, ctx: ExtractContext) -> QuotaValue | None

Locate, then judge. A quantity is a number with a unit (平方米, 万人, 个, %, 百分之…); around it
we read a comparator (不少于 … / … 以上), a per-basis (每百户, 人均, 每个街镇) and the verb that
governs it. Whether the quantity is a requirement depends on the kind of its unit (see
data/quotas.yaml): a measure always is; a bare count (三个层级, 一老一小) only with a comparator, a
per-basis, a range or a requirement verb; a duration only with a comparator that does not make it
a deadline (三十日内 belongs to extractors/deadlines.py); money only with a comparator or a basis.
Dates, ordinals (第3条), phone numbers and code digits fail the number checks; spans under
`ctx.masked` (document numbers, standard codes) are skipped.

Vocabulary lives in extractors/data/quotas.yaml; this module holds the grammar.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from extractors.base import ExtractContext, Match, filter_spans
from extractors.numerals import NUMBER, to_number
from extractors.rules import alternation, load_yaml

Comparator = Literal["eq", "ge", "gt", "le", "lt", "approx", "range"]
UnitKind = Literal["measure", "count", "duration", "money", "ignored"]


@dataclass(frozen=True, slots=True)
class QuotaValue:
    """A normalised requirement: value bounds in `unit`, optionally per `per_value` `per_unit`."""

    value_min: float | None
    value_max: float | None
    unit: str
    per_value: float | None
    per_unit: str | None
    comparator: Comparator
    subject: str | None


# ---------------------------------------------------------------- vocabulary (validated on load)

def _no_blank(words: list[str]) -> list[str]:
    if any(not w or not w.strip() for w in words):
        raise ValueError("empty word in a quota word list")
    return words


class _UnitRule(BaseModel):
    forms: list[str] = Field(min_length=1)
    unit: str = Field(min_length=1)
    factor: float = Field(gt=0)
    kind: UnitKind

    _forms_not_blank = field_validator("forms")(_no_blank)


class _ComparatorsBefore(BaseModel):
    base: dict[str, Literal["lt", "gt"]]
    negators: list[str]
    fixed: dict[str, Comparator]
    leading_modals: list[str]

    _not_blank = field_validator("negators", "leading_modals")(_no_blank)


class _PerBasis(BaseModel):
    prefixes: list[str] = Field(min_length=1)
    classifiers: list[str]
    fixed: dict[str, str]
    heads: dict[str, str]
    stop_words: list[str]
    max_gap: int = Field(ge=0)

    _not_blank = field_validator("prefixes", "classifiers", "stop_words")(_no_blank)


class _QuotaRules(BaseModel):
    units: list[_UnitRule] = Field(min_length=1)
    percent_prefixes: dict[str, float]
    multipliers: dict[str, float]
    comparators_before: _ComparatorsBefore
    comparators_after: dict[str, Comparator]
    comparators_infix: dict[str, Comparator]
    deadline_suffixes: list[str]
    range_separators: list[str] = Field(min_length=1)
    per_basis: _PerBasis
    requirement_verbs: list[str]
    requirement_verb_gap: int = Field(ge=0)
    narration_markers: list[str]
    narration_nouns: list[str]
    article_numeral: str = Field(min_length=1)
    name_suffixes: list[str]
    penalty_words: list[str]
    copies_prefix: str = Field(min_length=1)
    subject_trailing_words: list[str]
    subject_left_boundaries: list[str]
    subject_after_skip: list[str]
    subject_stop_words: list[str]
    subject_max_len: int = Field(gt=1)

    _not_blank = field_validator(
        "deadline_suffixes", "range_separators", "requirement_verbs", "narration_markers", "narration_nouns", "name_suffixes", "penalty_words",
        "subject_trailing_words", "subject_left_boundaries", "subject_after_skip", "subject_stop_words",
    )(_no_blank)

    @field_validator("units")
    @classmethod
    def _forms_unique(cls, units: list[_UnitRule]) -> list[_UnitRule]:
        forms = [f for u in units for f in u.forms]
        dupes = {f for f in forms if forms.count(f) > 1}
        if dupes:
            raise ValueError(f"unit forms listed twice: {sorted(dupes)}")
        return units


RULES = _QuotaRules.model_validate(load_yaml("quotas.yaml"))

_UNIT_BY_FORM: dict[str, _UnitRule] = {f: u for u in RULES.units for f in u.forms}
_INVERT = {"lt": "ge", "gt": "le"}  # 不少于 = at least, 不超过 = at most
_COMPARATOR_WORDS: dict[str, Comparator] = {
    **RULES.comparators_before.fixed,
    **RULES.comparators_before.base,
    **{neg + word: _INVERT[c] for word, c in RULES.comparators_before.base.items()
       for neg in RULES.comparators_before.negators},
}


# ---------------------------------------------------------------- regex fragments (compiled once)



def _unit_form(form: str) -> str:
    # a Latin unit must not run into a longer Latin word: 5m is a length, 5mm or 5min is not
    return re.escape(form) + ("(?![A-Za-z])" if form[-1].isascii() and form[-1].isalpha() else "")


_SP = r"[ \u3000]*"                       # spaces left inside Chinese text (2020 年, 每 100 户)
_UNIT = "|".join(_unit_form(f) for f in sorted(_UNIT_BY_FORM, key=len, reverse=True))
_MULT = alternation(RULES.multipliers)           # 1.2万人, 10亿元
_SEP = alternation(RULES.range_separators)       # 0.5-1.2, 5至10
_INFIX = alternation(RULES.comparators_infix)    # 100余个
_PCT = alternation(RULES.percent_prefixes)       # 百分之三十, 千分之二

_NUMERAL_CHARS = "〇○零一二两三四五六七八九十百千万亿"
# a number is read whole (an atomic group: 二十五万 is not retried as 二十五), and only from the
# start of its run, so a long run of digits or numerals costs linear time
_WHOLE_NUMBER = rf"(?>{NUMBER})"
# one quantity: a ratio written with 百分之/千分之, or a number (or range) with its unit.
# A number glued to Latin letters, digits, '.', '/' or '_' is part of a code (DB50/T543, v2.1).
_QUANTITY = re.compile(
    rf"(?P<pp>{_PCT}){_SP}(?P<pn1>{_WHOLE_NUMBER})"
    rf"(?:{_SP}(?:{_SEP}){_SP}(?:{_PCT})?{_SP}(?P<pn2>{_WHOLE_NUMBER}))?"
    rf"|(?<![0-9０-９A-Za-z.．/_{_NUMERAL_CHARS}])(?P<n1>{_WHOLE_NUMBER})"
    rf"(?:{_SP}(?P<m1>{_MULT})?{_SP}(?P<u1>{_UNIT})?{_SP}(?:{_SEP}){_SP}(?P<n2>{_WHOLE_NUMBER}))?"
    rf"{_SP}(?P<infix>{_INFIX})?{_SP}(?P<mult>{_MULT})?{_SP}(?P<unit>{_UNIT})"
)
# a comparator before the number, with the modal that may lead it (应不少于, 原则上不超过)
_COMPARATOR_BEFORE = re.compile(
    rf"(?:{alternation(RULES.comparators_before.leading_modals)})?(?P<word>{alternation(_COMPARATOR_WORDS)})"
)
_COMPARATOR_AFTER = re.compile(rf"{_SP}(?P<word>{alternation(RULES.comparators_after)})")
# the basis of a rate: 每100户, 每百户, 每万人, 每个试点城市, 每年; or 人均 …
_PER_PREFIX = re.compile(rf"(?:{alternation(RULES.per_basis.prefixes)}){_SP}")
_PER_NUMBER = re.compile(rf"(?P<num>{_WHOLE_NUMBER}){_SP}")
_PER_CLASSIFIER = re.compile(rf"(?:{alternation(RULES.per_basis.classifiers)})(?=[\u4e00-\u9fff])")
_PER_UNIT = re.compile(rf"(?P<unit>{_UNIT})")
_PER_FIXED = re.compile(alternation(RULES.per_basis.fixed))
# the noun of a basis: Chinese characters (and the brackets and 、 of 县（市、区）), no numerals
_BASIS_NOUN = re.compile(rf"(?:(?![{_NUMERAL_CHARS}])[\u4e00-\u9fff（）()、]){{1,14}}")
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
_ARABIC_LEADING_ZERO = re.compile(r"^[0０][0-9０-９]")  # 025-83390616: a phone number, not a count
_NON_CJK = re.compile(r"[^\u4e00-\u9fff]+")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")

_LOOKBACK = 48          # characters searched before a quantity for its comparator, basis and verb
_COMPARATOR_GAP = 12    # 不少于|地上住宅总建筑面积|千分之二: a noun may stand between
_ORDINAL = "第"         # 第3条, 第十二个: an ordinal, not a quantity


# ---------------------------------------------------------------- numbers

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


# ---------------------------------------------------------------- the basis of a rate

@dataclass(frozen=True, slots=True)
class _Basis:
    start: int
    end: int
    per_value: float
    per_unit: str


def _basis_head(noun: str) -> str:
    """每个试点城市 → 城市, 每万名城镇常住人口 → 人: the unit of the listed head noun the basis
    ends with, else the noun as written."""
    for head, unit in _HEADS:
        if noun.endswith(head):
            return unit
    return noun


def _cut_at_stop(noun: str, stops: list[str]) -> str:
    cut = len(noun)
    for w in stops:
        i = noun.find(w, 1)
        if 0 < i < cut:
            cut = i
    return noun[:cut]


def _basis_at(text: str, start: int) -> _Basis | None:
    """The per-basis that starts at `start` (每…), or None when 每 is not followed by one."""
    m = _PER_PREFIX.match(text, start)
    if not m:
        return None
    pos = m.end()
    value = 1.0
    num = _PER_NUMBER.match(text, pos)
    if num and _number(num.group("num")) is not None:
        value = _number(num.group("num"))
        pos = num.end()
    classifier = _PER_CLASSIFIER.match(text, pos)
    unit = None if classifier else _PER_UNIT.match(text, pos)
    if unit:
        rule = _UNIT_BY_FORM[unit.group("unit")]
        if rule.kind == "ignored":
            return None
        return _Basis(start, unit.end(), _scaled(value, rule.factor), rule.unit)
    if classifier:
        pos = classifier.end()
    noun = _BASIS_NOUN.match(text, pos)
    if not noun:
        return None
    word = _cut_at_stop(noun.group(0), _BASIS_STOPS).rstrip("的、")
    if not word:
        return None
    return _Basis(start, pos + len(word), value, _basis_head(word))


def _bases(text: str) -> list[_Basis]:
    found = []
    for m in _PER_PREFIX.finditer(text):
        basis = _basis_at(text, m.start())
        if basis:
            found.append(basis)
    for m in _PER_FIXED.finditer(text):
        found.append(_Basis(m.start(), m.end(), 1.0, RULES.per_basis.fixed[m.group(0)]))
    return sorted(found, key=lambda b: b.start)


# ---------------------------------------------------------------- reading one quantity

@dataclass
class _Reading:
    """What surrounds one quantity; turned into a Match when it is a requirement."""

    start: int
    end: int
    number_start: int
    lead_start: int              # where the comparator (or the number) starts, after any basis
    kind: UnitKind
    unit: str
    low: float
    high: float | None           # the upper bound of a range
    comparator: Comparator
    explicit_comparator: bool    # a comparator word was written before or after (not a range, not 余/多)
    basis: _Basis | None
    governed: bool               # a requirement verb or 一式 governs the number
    article: bool                # 一个 / 一所 with nothing else: an article


def _clause_start(text: str, pos: int) -> int:
    window_start = max(0, pos - _LOOKBACK)
    ends = [m.end() for m in _CLAUSE_END_RE.finditer(text, window_start, pos)]
    return ends[-1] if ends else window_start


def _clause_end(text: str, pos: int) -> int:
    m = _CLAUSE_END_RE.search(text, pos, min(len(text), pos + _LOOKBACK))
    return m.start() if m else min(len(text), pos + _LOOKBACK)


def _comparator_before(text: str, clause_start: int, number_start: int) -> tuple[int, Comparator] | None:
    found = list(_COMPARATOR_BEFORE.finditer(text, clause_start, number_start))
    if not found:
        return None
    m = found[-1]
    comparator = _COMPARATOR_WORDS[m.group("word")]
    gap = text[m.end():number_start]
    if comparator == "approx":
        ok = not gap.strip(" \u3000")                 # 约30个; 约定的3个 is no comparator
    else:
        ok = len(gap) <= _COMPARATOR_GAP and not _GAP_BREAK.search(gap)
    return (m.start(), comparator) if ok else None


def _basis_before(bases: list[_Basis], text: str, clause_start: int, lead_start: int) -> _Basis | None:
    candidates = [b for b in bases if clause_start <= b.start and b.end <= lead_start]
    if not candidates:
        return None
    basis = candidates[-1]
    gap = text[basis.end:lead_start]
    if len(gap) > RULES.per_basis.max_gap or _GAP_BREAK.search(gap):
        return None
    return basis


_VERB_OBJECT = re.compile(rf"(?:(?![{_NUMERAL_CHARS}])[\u4e00-\u9fff（）()]){{0,{RULES.requirement_verb_gap}}}")
_GOVERNING_VERB = re.compile(rf"(?P<marker>{alternation(RULES.narration_markers)})?(?:{alternation(RULES.requirement_verbs)})")


def _governed(text: str, clause_start: int, number_start: int) -> bool:
    """A requirement verb governs the number: 选择1-2个, 新增普惠性托位3000个, 一式三份. A verb
    after a narration marker (已建成, 累计新增) reports a result instead."""
    before = text[clause_start:number_start].rstrip(" \u3000")
    if before.endswith(RULES.copies_prefix):
        return True
    window = before[-(RULES.requirement_verb_gap + 8):]
    for m in _GOVERNING_VERB.finditer(window):
        if not m.group("marker") and _VERB_OBJECT.fullmatch(window, m.end()):
            return True
    return False


def _is_year(value: float, unit: str) -> bool:
    return unit == "年" and value >= 1000   # 2020年, 二〇二〇年: a date, never a duration


def _read(m: re.Match, text: str, bases: list[_Basis], ctx: ExtractContext) -> _Reading | None:
    """The reading of one quantity match, or None when the number is no quantity at all."""
    number_start = m.start()
    before = text[max(0, number_start - 4):number_start].rstrip(" \u3000")
    if before.endswith(_ORDINAL):
        return None
    if m.group("pp"):
        factor = RULES.percent_prefixes[m.group("pp")]
        low, high = _number(m.group("pn1")), _number(m.group("pn2"))
        if low is None or (m.group("pn2") and high is None):
            return None
        rule_kind, unit, factors, first_factors = "measure", "%", (factor,), (factor,)
    else:
        rule = _UNIT_BY_FORM[m.group("unit")]
        if rule.kind == "ignored":
            return None
        low, high = _number(m.group("n1")), _number(m.group("n2"))
        if low is None or (m.group("n2") and high is None):
            return None
        mult = RULES.multipliers.get(m.group("mult") or "", 1.0)
        first_rule = _UNIT_BY_FORM[m.group("u1")] if m.group("u1") else rule
        if first_rule.unit != rule.unit:
            return None                                  # 5分钟-1小时: not one scale
        # 0.5-1.2万人: the multiplier written once applies to both ends
        first_mult = RULES.multipliers[m.group("m1")] if m.group("m1") else (1.0 if m.group("u1") else mult)
        factors, first_factors = (mult, rule.factor), (first_mult, first_rule.factor)
        unit = rule.unit
        # a count scaled by 万 (30万户) is a measure of size, not a narration count
        rule_kind = "measure" if (rule.kind == "count" and m.group("mult")) else rule.kind
        if any(_is_year(v, unit) for v in (low, high) if v is not None):
            return None
        if rule.unit == "日" and before.endswith("月"):
            return None                                  # 4月10日: a date
    if ctx.is_masked(number_start, m.end()):
        return None
    if any(b.start <= number_start < b.end for b in bases):
        return None                                      # the 百户 of 每百户 is the basis itself

    end = m.end()
    comparator: Comparator = "eq"
    explicit = False
    after = _COMPARATOR_AFTER.match(text, end)
    if high is not None:
        comparator = "range"
    elif after:
        comparator, explicit = RULES.comparators_after[after.group("word")], True
        end = after.end()
    elif m.groupdict().get("infix"):
        # 3000余个 reports a rough figure: it sets the comparator but is no requirement cue
        comparator = RULES.comparators_infix[m.group("infix")]

    clause_start = _clause_start(text, number_start)
    start = number_start
    if high is None:
        before_cmp = _comparator_before(text, clause_start, number_start)
        if before_cmp:
            start, comparator = before_cmp
            explicit = True
    basis = _basis_before(bases, text, clause_start, start)
    governed = _governed(text, clause_start, number_start)
    article = (not m.group("pp") and m.group("n1") == RULES.article_numeral and high is None)
    if governed and text[:number_start].rstrip(" \u3000").endswith(RULES.copies_prefix):
        start = min(start, text.rindex(RULES.copies_prefix, 0, number_start))   # 一式三份
    return _Reading(
        start=basis.start if basis else start, end=end, number_start=number_start, lead_start=start,
        kind=rule_kind, unit=unit,
        low=_scaled(low, *(first_factors if high is not None else factors)),
        high=_scaled(high, *factors) if high is not None else None,
        comparator=comparator, explicit_comparator=explicit, basis=basis, governed=governed, article=article,
    )


def _following_noun(text: str, pos: int, limit: int) -> str:
    m = _CJK_RUN.match(text, pos, limit)
    return m.group(0) if m else ""


def _is_requirement(r: _Reading, text: str, unit_end: int) -> bool:
    """Whether a located quantity states a requirement (see the module doc)."""
    if r.kind == "ignored":
        return False
    following = text[unit_end:unit_end + 8]
    if r.kind == "measure":
        noun = _following_noun(text, unit_end, unit_end + 6)
        return not any(w in noun for w in RULES.name_suffixes)            # 15分钟(社区)生活圈
    if r.kind == "duration":
        if following.lstrip(" \u3000").startswith(tuple(RULES.deadline_suffixes)):
            return False                                                 # 三十日内: a deadline
        return r.explicit_comparator and r.comparator != "eq"
    if r.kind == "money":
        return r.explicit_comparator or r.comparator == "range" or r.basis is not None or r.governed
    # a count
    if not (r.explicit_comparator or r.comparator == "range" or r.basis is not None or r.governed):
        return False                                                     # 三个层级, 两个责任
    if r.article and r.comparator == "eq" and r.basis is None and not text[:r.number_start].rstrip(
            " \u3000").endswith(RULES.copies_prefix):
        return False                                                     # 建设一个示范社区用房
    noun = _following_noun(text, r.end, r.end + 6)
    return not any(w in noun for w in RULES.narration_nouns)             # 分为三个级别


# ---------------------------------------------------------------- subject

def _strip_leading(rest: str, words: list[str]) -> str:
    changed = True
    while changed:
        changed = False
        for w in sorted(words, key=len, reverse=True):
            if rest.startswith(w):
                rest, changed = rest[len(w):], True
    return rest


def _np_after(text: str, pos: int, limit: int) -> str:
    """The noun a quantity is followed by: 20㎡|社区办公服务设施, 的标准配套建设|养老服务设施."""
    run = _CJK_RUN.match(_strip_leading(text[pos:limit], RULES.subject_after_skip))
    if not run:
        return ""
    noun = run.group(0)
    if noun.startswith(_SUBJECT_STOPS):
        return ""                         # 100万人|的大城市: the noun is before the quantity
    cut = len(noun)
    for w in _SUBJECT_STOPS:
        i = noun.find(w, 1)
        if 0 < i < cut and w != "的":     # 医养结合的养老机构 keeps its 的
            cut = i
    return noun[:cut]


def _np_between(text: str, basis: _Basis | None, lead_start: int) -> str:
    """The noun between a basis and its quantity: 人均|用地|不少于0.2平方米, 每千人|拥有养老床位|40张."""
    if basis is None:
        return ""
    run = _CJK_RUN.match(_strip_leading(text[basis.end:lead_start], RULES.subject_after_skip))
    return run.group(0) if run else ""


def _np_before(text: str, left: int, lead_start: int) -> str:
    before = _NON_CJK.sub(" ", text[left:lead_start]).rstrip()
    changed = True
    while changed:
        changed = False
        for w in sorted(RULES.subject_trailing_words, key=len, reverse=True):
            if before.endswith(w):
                before, changed = before[:-len(w)].rstrip(), True
    cut = 0
    for w in RULES.subject_left_boundaries:
        i = before.rfind(w)
        if i >= 0 and len(before) - (i + len(w)) >= 2:
            cut = max(cut, i + len(w))
    segments = before[cut:].split()
    noun = segments[-1].lstrip("年度月日") if segments else ""
    return noun[-RULES.subject_max_len:]


def _subject(text: str, r: _Reading, left: int) -> str | None:
    """Best effort: the noun after the quantity, else between its basis and it, else before it."""
    noun = _np_after(text, r.end, _clause_end(text, r.end))
    if len(noun) < 2:
        noun = _np_between(text, r.basis, r.lead_start)
    if len(noun) < 2:
        noun = _np_before(text, left, r.start)
    noun = noun[:RULES.subject_max_len]
    return noun if len(noun) >= 2 else None


# ---------------------------------------------------------------- public surface

def _value(r: _Reading, subject: str | None) -> QuotaValue:
    bounds = {
        "eq": (r.low, r.low), "approx": (r.low, r.low), "ge": (r.low, None), "gt": (r.low, None),
        "le": (None, r.low), "lt": (None, r.low), "range": (r.low, r.high),
    }[r.comparator]
    return QuotaValue(
        value_min=bounds[0], value_max=bounds[1], unit=r.unit,
        per_value=r.basis.per_value if r.basis else None, per_unit=r.basis.per_unit if r.basis else None,
        comparator=r.comparator, subject=subject,
    )


def _merge_bounds(readings: list[_Reading], text: str) -> list[_Reading]:
    """10万元以上100万元以下: a minimum followed at once by a maximum of the same unit is one range."""
    merged: list[_Reading] = []
    for r in readings:
        prev = merged[-1] if merged else None
        if (prev and prev.comparator == "ge" and r.comparator == "le" and prev.unit == r.unit
                and prev.basis == r.basis and not text[prev.end:r.start].strip(" \u3000")):
            merged[-1] = _Reading(
                start=prev.start, end=r.end, number_start=prev.number_start, lead_start=prev.lead_start,
                kind=prev.kind, unit=prev.unit,
                low=prev.low, high=r.low, comparator="range", explicit_comparator=True, basis=prev.basis,
                governed=prev.governed, article=False)
            continue
        merged.append(r)
    return merged


def _is_penalty(r: _Reading, text: str) -> bool:
    """处十万元以上五十万元以下罚款: a sanction, not a requirement."""
    return r.kind == "money" and text[r.end:r.end + 6].lstrip(" \u3000").startswith(tuple(RULES.penalty_words))


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
