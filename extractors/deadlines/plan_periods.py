"""Five-year plan periods as time limits: 到“十四五”末 and “十四五”期间，… are limits at the period's
last day (2025-12-31), as 到2025年 is (EXTRACTION.md §deadlines). The nth plan (三五 on; 十四五 =
2021-2025) ends in 1970 + 5 × (n − 3).

A period's end (末, 期末) is a limit wherever it stands, but after a comparison (比“十三五”末提高,
a baseline); a period as a whole (期间, 时期) only as the time of a clause: after 在/于/到 (在“十四五”
期间完成…) or as a clause of its own (“十四五”期间，各区要…), not inside a name (列入“十五”期间全国
大型水库建设规划; “十五五”期间海绵城市计划达标区域应…).
A period that ended before the issue year narrates the past, as a dated "by" limit does.
"""
from __future__ import annotations

import datetime as dt
import re

from extractors.base import ExtractContext, Match
from extractors.deadlines.vocabulary import FIELD, RULES, DeadlineValue
from extractors.numerals import to_number
from extractors.rules import alternation

_PLAN = re.compile(
    rf"(?<![一二三四五六七八九十百第\d])[“\"]?(?P<n>十[一二三四五六七八九]?|[三四五六七八九])五[”\"]?"
    rf"(?:(?P<end>{alternation(RULES.plan_period_ends)})|(?P<span>{alternation(RULES.plan_period_spans)}))")
_CLAUSE_START = re.compile(r"(?:^|[，,。；;：:\n\t）)])$")
_LEAD = re.compile(rf"(?:{alternation(RULES.neutral_prefixes + RULES.by_prefixes)})$")
_NOT_AFTER = re.compile(rf"(?:{alternation(RULES.plan_period_not_after)})$")


def end_year(numeral: str) -> int | None:
    """The last year of the nth five-year plan (十四 -> 2025); None before the third."""
    n = to_number(numeral)
    return 1970 + 5 * (int(n) - 3) if n is not None and n >= 3 else None


def plan_period_candidates(text: str, ctx: ExtractContext) -> list[Match]:
    """Every five-year plan period that is a time limit in `text` (module doc)."""
    found = []
    for m in _PLAN.finditer(text):
        year = end_year(m.group("n"))
        if year is None or ctx.is_masked(m.start(), m.end()) or \
                (ctx.issued_date is not None and year < ctx.issued_date.year):
            continue
        before = text[max(0, m.start() - 4):m.start()]
        if m.group("end") and _NOT_AFTER.search(before):
            continue
        if m.group("span") and not (_LEAD.search(before) or (
                _CLAUSE_START.search(before) and text.startswith(("，", ","), m.end()))):
            continue  # a name (“十五五”期间海绵城市计划达标区域), not the time of a clause
        found.append(Match(FIELD, m.start(), m.end(), m.group(),
                           DeadlineValue(dt.date(year, 12, 31), "by", "year", year_source="stated")))
    return found
