"""Which year a date takes when it is written without one (EXTRACTION.md §deadlines), and the first
due date of a recurring limit.

A date without a year (4月底前, 年内, 一季度, 上半年) takes, in this order: the nearest previous
year written in the same block (2023年启动试点，5月31日前完成… -> 2023, `stated`), the plan's year
as its title states it (2026年…工作方案 -> 2026, `title`), the issue date's year (`issued`); else
it stays unresolved. A recurring limit (每年3月底前, 每月15日前) is dated by its first due date on
or after the start stated before it (从2019年起每年2月底前), else the issue date, else the first day
of the plan's year.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re

from extractors.numerals import to_number
from extractors.rules import alternation
from extractors.deadlines.calendar import _Reading, _add_duration, _last_day
from extractors.deadlines.vocabulary import RULES
from schemas.records import YearSource

_CN_DIGIT = "〇○零一二三四五六七八九"
_DASHES = "\\-－—‐–~～"
_TITLE_YEAR = re.compile(rf"(?<![\d{_CN_DIGIT}])(?P<y>\d{{4}}|[{_CN_DIGIT}]{{4}})(?![\d{_CN_DIGIT}])\s*年?")
# a period of years (2024-2026年, 2021—2025年, 2024年至2026年): no single plan year
_YEAR_PERIOD = re.compile(
    rf"(?:\d{{4}}|[{_CN_DIGIT}]{{4}})\s*年?\s*(?:[{_DASHES}]|至|到)\s*(?:\d{{4}}|[{_CN_DIGIT}]{{4}})\s*年?")
_NOT_PLAN_AFTER = re.compile(rf"\s*(?:{alternation(RULES.title_year_not_plan)})")


def plan_year(title: str | None) -> int | None:
    """The plan's year as its title states it (关于印发《静安区2025年…工作安排》的通知 -> 2025);
    None when the title names no year, a period of years only, or several different years."""
    if not title:
        return None
    bare = _YEAR_PERIOD.sub(lambda m: "#" * len(m.group()), title)
    years = set()
    for m in _TITLE_YEAR.finditer(bare):
        if not m.group().rstrip().endswith("年") or _NOT_PLAN_AFTER.match(bare, m.end()):
            continue
        value = to_number(m.group("y"))
        if value is not None and 1900 <= value <= 2100:
            years.add(int(value))
    return years.pop() if len(years) == 1 else None


def year_for(text: str, start: int, years: list[tuple[int, int]], plan: int | None,
             issued: dt.date | None) -> tuple[int | None, YearSource | None]:
    """The year of a date written without one at `start`, and where it comes from. `years` is
    (position, year) of the dates with a year, in text order. The year must stand in the same
    line and, in a table row, the same cell (a task cell's 2024年碳市场 does not date the 年内完成
    of the deadline cell)."""
    block_start = max(text.rfind("\n", 0, start), text.rfind("\t", 0, start)) + 1
    i = bisect.bisect_left(years, (start, -1)) - 1
    if i >= 0 and years[i][0] >= block_start:
        return years[i][1], "stated"
    if plan is not None:
        return plan, "title"
    if issued is not None:
        return issued.year, "issued"
    return None, None


def recurrence_anchor(text: str, start: int, starts: list[tuple[int, dt.date]], plan: int | None,
                      issued: dt.date | None) -> tuple[dt.date | None, YearSource | None]:
    """The day from which a recurring limit at `start` is first due: a start stated before it in the
    same block (从2019年起每年2月底前; not before the issue date), else the issue date, else the
    first day of the plan's year. `starts` is (position, first day) of the stated starts."""
    block_start = text.rfind("\n", 0, start) + 1
    i = bisect.bisect_left(starts, (start, dt.date.min)) - 1
    if i >= 0 and starts[i][0] >= block_start:
        stated = starts[i][1]
        return (max(stated, issued) if issued else stated), "stated"
    if issued is not None:
        return issued, "issued"
    if plan is not None:
        return dt.date(plan, 1, 1), "title"
    return None, None


def first_due(reading: _Reading, anchor: dt.date) -> dt.date | None:
    """The first due date of a recurring limit on or after `anchor`; None for a limit relative to an
    event (次年1月底前) or a recurrence this does not know."""
    if reading.every == "year":
        for year in (anchor.year, anchor.year + 1):
            date = reading.resolve(year, start=False)
            if date is not None and date >= anchor:
                return date
        return None
    if reading.every in ("quarter", "half"):
        months = 3 if reading.every == "quarter" else 6
        month = ((anchor.month - 1) // months + 1) * months
        return dt.date(anchor.year, month, _last_day(anchor.year, month))
    if reading.every == "month":
        day = reading.last[1] or 1
        for k in (0, 1):
            total = anchor.month - 1 + k
            year, month = anchor.year + total // 12, total % 12 + 1
            date = dt.date(year, month, min(day, _last_day(year, month)))
            if date >= anchor:
                return date
    return None


def _period_ends(anchor: dt.date, months: int):
    """The last days of the periods of `months` months (a quarter: 3) from the one before the
    anchor's period on: a limit counted from a period's end may fall after the anchor."""
    first = (anchor.month - 1) // months * months  # the anchor's period starts at this month (0-based)
    for k in range(0, 12 // months + 2):
        total = first + k * months - 1
        year, month = anchor.year + total // 12, total % 12 + 1
        yield dt.date(year, month, _last_day(year, month))


def first_periodic_due(anchor: dt.date, months: int, *, after_end: tuple[float, str] | None = None,
                       month_day: tuple[str, int] | None = None) -> dt.date | None:
    """The first due date on or after `anchor` of a limit inside each period of `months` months:
    `after_end` (n, unit) after the period's end (每季度结束后10日内), or `month_day` (position, day)
    in the period's first or last month (每季度最后一个月25日前)."""
    for end in _period_ends(anchor, months):
        if after_end is not None:
            date = _add_duration(end, after_end[0], after_end[1])
        elif month_day is not None:
            position, day = month_day
            month = end.month if position == "last" else end.month - months + 1
            date = dt.date(end.year, month, min(day, _last_day(end.year, month)))
        else:
            return None
        if date is not None and date >= anchor:
            return date
    return None
