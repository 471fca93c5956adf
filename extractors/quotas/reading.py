"""Reading one quantity: its comparator, basis and governing verb, whether it states a requirement,
and the value it gives.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.base import ExtractContext
from extractors.rules import alternation
from extractors.quotas.vocabulary import Comparator, QuotaValue, RULES, UnitKind, _COMPARATOR_WORDS, _UNIT_BY_FORM
from schemas.records import QuotaDirection, QuotaKind
from extractors.quotas.grammar import (_AGE_QUALIFIER, _CJK_RUN, _CLAUSE_END_RE, _COMPARATOR_AFTER, _COMPARATOR_BEFORE, _PER_FIXED,
    _COMPARATOR_GAP, _GAP_BREAK, _GOVERNING_VERB, _LOOKBACK, _NARRATION_BREAKER, _NARRATION_MARKER, _OBJECT_PREPOSITION, _ORDINAL,
    _LIST_JOIN, _LIST_JOIN_NOUN, _PER_SLASH, _REACH, _SENTENCE_END, _STATED_LENGTH, _UNIT_NOT_BEFORE, _VERB_OBJECT, _number, _scaled)
from extractors.quotas.basis import _Basis


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
    cue_before: Comparator | None = None   # the comparator written before the number (不少于, 达到)
    reached: bool = False                  # 达到70%: a level to reach
    stated_length: bool = False            # 有效期为三年, 留存五年: the length of a period


_IMPLIED_NOUN_REACH = 12   # characters before a number its implied-unit noun (人口超过…) may stand
_QUANTITY_CLOSES = re.compile(r"[ \u3000]*(?:[，,。；;]|$)")
_DIGIT = re.compile(r"[0-9０-９]")


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
    if not ok:
        return None
    # the modal 均 of 均不低于 may be the last character of a basis (人均不低于0.1平方米): the basis
    # keeps it, and the comparator starts at its word
    start = m.start()
    if any(b.end() == m.start("word") and b.start() < start for b in _PER_FIXED.finditer(text, clause_start, m.start("word"))):
        start = m.start("word")
    return start, comparator


def _basis_before(bases: list[_Basis], text: str, clause_start: int, lead_start: int) -> _Basis | None:
    candidates = [b for b in bases if clause_start <= b.start and b.end <= lead_start]
    if not candidates:
        return None
    basis = candidates[-1]
    gap = _AGE_QUALIFIER.sub("", text[basis.end:lead_start])
    if len(gap) > RULES.per_basis.max_gap or _GAP_BREAK.search(gap):
        return None
    return basis


def _governed(text: str, clause_start: int, number_start: int) -> bool:
    """A requirement verb governs the number: 选择1-2个, 新增普惠性托位3000个, 一式三份, 对300个站台
    进行改造. A verb after a narration marker earlier in its sentence (已建成, 目前已建成…，累计新增)
    reports a result instead."""
    before = text[clause_start:number_start].rstrip(" \u3000")
    if before.endswith(RULES.copies_prefix) or _OBJECT_PREPOSITION.search(before):
        return True
    offset = max(0, len(before) - (RULES.requirement_verb_gap + 8))
    window = before[offset:]
    for m in _GOVERNING_VERB.finditer(window):
        if _VERB_OBJECT.fullmatch(window, m.end()):
            return not _narrated(text, clause_start + offset + m.start())
    return False


def _closes_governed_clause(text: str, clause_start: int, number_start: int, end: int) -> bool:
    """A count that closes its clause counts the object its verb names, however long the object
    (打造以生态为基、景观为形、休憩功能完善的口袋公园10个。): the clause's first requirement verb
    governs it, unless a number stands between them or the sentence narrates."""
    if not _QUANTITY_CLOSES.match(text, end):
        return False
    verb = _GOVERNING_VERB.search(text, clause_start, number_start)
    return (verb is not None and not _DIGIT.search(text, verb.end(), number_start)
            and not _narrated(text, verb.start()))


def _narrated(text: str, verb_start: int) -> bool:
    """Whether a narration marker (已, 目前, 先后) stands before `verb_start` in its sentence, with no
    later clause between them that states what is to come (，…应完成…)."""
    lo = max(0, verb_start - 120)
    ends = [e.end() for e in _SENTENCE_END.finditer(text, lo, verb_start)]
    start = ends[-1] if ends else lo
    marker = None
    for marker in _NARRATION_MARKER.finditer(text, start, verb_start):
        pass
    # a later clause with a modal (，2026年应完成…) states what is required
    return marker is not None and _NARRATION_BREAKER.search(text, marker.end(), verb_start) is None


_YEAR_CLAUSE = re.compile(r"[，,；;][ \u3000]*(?P<year>(?:19|20)\d{2})[ \u3000]*年(?![度底末内])")
_PAST_YEAR_OPENING = re.compile(r"[\s#*（(一二三四五六七八九十\d、.．)）]*?(?P<year>(?:19|20)\d{2})[ \u3000]*年(?![度底末内])")


_NORM = re.compile(alternation(RULES.norm_words))


def states_a_norm(text: str, start: int, end: int) -> bool:
    """Whether the figure text[start:end] is set as a norm (不低于65%, 原则上为400—10000平方米): its
    clause up to its end holds one of RULES.norm_words."""
    return _NORM.search(text, _clause_start(text, start), end) is not None


def in_past_year_sentence(text: str, pos: int, ctx: ExtractContext) -> bool:
    """Whether the sentence around `pos` opens with a year before the document's own year: it
    reports what happened then (1995年全国共发生5级以上地震48次，高于年均19次的水平), and its
    figures are no requirement — up to a later clause that opens with its own year, which decides
    for what follows it. Unknown without the issue date."""
    if ctx.issued_date is None:
        return False
    lo = max(0, pos - 160)
    ends = [e.end() for e in _SENTENCE_END.finditer(text, lo, pos)]
    start = ends[-1] if ends else lo
    # a later clause that opens with its own year is that year's (2024年及2025年已完成约4180亩，
    # 2026年应完成剩余1620亩: the 1620亩 is 2026's)
    later = None
    for later in _YEAR_CLAUSE.finditer(text, start, pos):
        pass
    if later is not None:
        return int(later.group("year")) < ctx.issued_date.year
    opening = _PAST_YEAR_OPENING.match(text, start)
    return bool(opening) and int(opening.group("year")) < ctx.issued_date.year


def _reaches(text: str, clause_start: int, number_start: int) -> bool:
    """达到70%, 分别达到65%: the number is a minimum to reach."""
    return _REACH.search(text[clause_start:number_start].rstrip(" \u3000")) is not None


def _is_year(value: float, unit: str) -> bool:
    return unit == "年" and value >= 1000   # 2020年, 二〇二〇年: a date, never a duration


def _read(m: re.Match, text: str, bases: list[_Basis], ctx: ExtractContext) -> _Reading | None:
    """The reading of one quantity match, or None when the number is no quantity at all."""
    number_start = m.start()
    before = text[max(0, number_start - 4):number_start].rstrip(" \u3000")
    if before.endswith(_ORDINAL):
        return None
    if m.group("fd"):
        denominator, numerator = _number(m.group("fd")), _number(m.group("fn"))
        if not denominator or numerator is None or numerator > denominator:
            return None
        low, high = round(numerator / denominator * 100, 4), None
        rule_kind, unit, factors, first_factors = "measure", "%", (1.0,), (1.0,)
    elif m.group("pp"):
        factor = RULES.percent_prefixes[m.group("pp")]
        low, high = _number(m.group("pn1")), _number(m.group("pn2"))
        if low is None or (m.group("pn2") and high is None):
            return None
        rule_kind, unit, factors, first_factors = "measure", "%", (factor,), (factor,)
    elif m.group("in"):
        # 常住人口超过十万: a number scaled by 万/亿 that counts what the noun before it names
        if not (m.group("imult") or m.group("in").rstrip(" \u3000")[-1] in RULES.multipliers):
            return None
        low, high = _number(m.group("in")), None
        if low is None:
            return None
        # the noun the grammar's lookbehind matched: the nearest before the number (a comparator between)
        noun = max(RULES.implied_units, key=lambda n: text.rfind(n, max(0, number_start - _IMPLIED_NOUN_REACH),
                                                                 number_start))
        unit, rule_kind = RULES.implied_units[noun], "count"
        factors = first_factors = (RULES.multipliers.get(m.group("imult") or "", 1.0),)
    else:
        rule = _UNIT_BY_FORM[m.group("unit")]
        if rule.kind == "ignored":
            return None
        if m.group("n1") in RULES.multipliers or m.group("n1") in ("十", "百", "千"):
            return None                                  # 万平方米 (a unit column's cell): no number
        if _UNIT_NOT_BEFORE.match(text, m.end()):
            return None                                  # 一次性: a word, not a count
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
    cue_before: Comparator | None = None
    reached = False
    if high is None:
        before_cmp = _comparator_before(text, clause_start, number_start)
        if before_cmp:
            start, comparator = before_cmp
            explicit = True
            cue_before = comparator
    if (comparator == "eq" and not explicit and high is None and rule_kind != "duration"
            and _reaches(text, clause_start, number_start)):
        comparator, explicit = "ge", True                # 达到70%: at least 70 %
        cue_before, reached = comparator, True
    # an age is never per head: the basis before it is the rate's that follows (每千人口拥有3岁以下…)
    basis = _basis_before(bases, text, clause_start, start) if rule_kind != "age" else None
    slash = _PER_SLASH.match(text, end) if basis is None else None
    if slash:                                            # 16元/平方米: the basis follows
        per_value = _number(slash.group("num")) if slash.group("num") else 1.0
        slash_rule = _UNIT_BY_FORM.get(slash.group("unit") or "")
        per_unit = slash_rule.unit if slash_rule else slash.group("noun")
        if per_value:
            basis = _Basis(end, slash.end(), _scaled(per_value, slash_rule.factor if slash_rule else 1.0), per_unit)
            end = slash.end()
    governed = _governed(text, clause_start, number_start) or _closes_governed_clause(text, clause_start, number_start, m.end())
    article = (m.group("n1") == RULES.article_numeral and high is None)
    if governed and text[:number_start].rstrip(" \u3000").endswith(RULES.copies_prefix):
        start = min(start, text.rindex(RULES.copies_prefix, 0, number_start))   # 一式三份
    return _Reading(
        start=min(basis.start, start) if basis else start, end=end, number_start=number_start, lead_start=start,
        kind=rule_kind, unit=unit,
        low=_scaled(low, *(first_factors if high is not None else factors)),
        high=_scaled(high, *factors) if high is not None else None,
        comparator=comparator, explicit_comparator=explicit, basis=basis, governed=governed, article=article,
        cue_before=cue_before, reached=reached,
        stated_length=rule_kind == "duration" and _STATED_LENGTH.search(text, clause_start, start) is not None,
    )


def _share_list_cues(readings: list[_Reading], text: str) -> None:
    """The quantities of one list share what governs the first: 分别达到65%和55% (both at least),
    新增城市公园1座、口袋公园3个 (both required)."""
    for prev, r in zip(readings, readings[1:]):
        if (prev.cue_before and r.comparator == "eq" and not r.explicit_comparator
                and _LIST_JOIN.fullmatch(text, prev.end, r.number_start)):
            r.comparator, r.explicit_comparator, r.cue_before = prev.cue_before, True, prev.cue_before
            r.reached = prev.reached
        if prev.governed and not r.governed and r.kind == prev.kind and _LIST_JOIN_NOUN.fullmatch(text, prev.end, r.number_start):
            r.governed = True


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
        # 6个月以上; a range too (参加3-12个月的见习), but not a plan's time frame (用3-5年时间)
        return (r.explicit_comparator and r.comparator != "eq") or r.stated_length or (
            r.comparator == "range" and not following.lstrip(" \u3000").startswith(tuple(RULES.duration_frames))
            and not text[:r.number_start].endswith("每"))                 # 每1-2周: how often, not how long
    if r.kind == "frequency":
        return (r.explicit_comparator and r.comparator != "eq") or r.comparator == "range" or r.basis is not None
    if r.kind == "age":
        return (r.explicit_comparator and r.comparator != "eq") or r.comparator == "range"  # 年满18周岁, 70周岁以上, 16-24岁
    if r.kind == "money":
        return r.explicit_comparator or r.comparator == "range" or r.basis is not None or r.governed
    # a count
    if not (r.explicit_comparator or r.comparator == "range" or r.basis is not None or r.governed):
        return False                                                     # 三个层级, 两个责任
    if r.article and r.comparator == "eq" and r.basis is None and not text[:r.number_start].rstrip(
            " \u3000").endswith(RULES.copies_prefix):
        return False                                                     # 建设一个示范社区用房
    if r.explicit_comparator or r.comparator == "range" or r.basis is not None:
        return True                                                      # 在10个左右领域开展试点
    noun = _following_noun(text, r.end, r.end + 6)
    # 分为三个级别; a one-character noun only as the head itself (三个类别), not inside a longer
    # word (完成8个生活垃圾分类达标村)
    return not any(noun.startswith(w) if len(w) == 1 else w in noun for w in RULES.narration_nouns)


_WHOLE = 100.0  # percent: all of it


def _value(r: _Reading, subject: str | None, direction: QuotaDirection | None = None,
           kind: QuotaKind = "threshold") -> QuotaValue:
    comparator = r.comparator
    if comparator == "ge" and r.unit == "%" and r.low == _WHOLE:
        comparator = "eq"  # 覆盖率达到100%: nothing is above the whole, at least all is all
    bounds = {
        "eq": (r.low, r.low), "approx": (r.low, r.low), "ge": (r.low, None), "gt": (r.low, None),
        "le": (None, r.low), "lt": (None, r.low), "range": (r.low, r.high),
    }[comparator]
    return QuotaValue(
        value_min=bounds[0], value_max=bounds[1], unit=r.unit,
        per_value=r.basis.per_value if r.basis else None, per_unit=r.basis.per_unit if r.basis else None,
        comparator=comparator, subject=subject, direction=direction, kind=kind,
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
    """处十万元以上五十万元以下罚款: a fine, a sanction on a breach (stored with kind penalty)."""
    return r.kind == "money" and text[r.end:r.end + 6].lstrip(" \u3000").startswith(tuple(RULES.penalty_words))
