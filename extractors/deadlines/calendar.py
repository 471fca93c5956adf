"""Dates: what a date expression says (the period it names) and arithmetic on dates."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from extractors.rules import alternation
from extractors.numerals import to_number
from extractors.deadlines.vocabulary import RULES
from schemas.records import Precision


def _int(s: str | None) -> int | None:
    if s is None:
        return None
    value = to_number(s.strip())
    return int(value) if value is not None and value == int(value) else None


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _valid_year(year: int | None) -> bool:
    return year is not None and 1900 <= year <= 2100


@dataclass
class _Reading:
    """What a date expression says before its cues are weighed: the period it names."""

    year: int | None  # None: to take from the context
    first: tuple[int, int]  # (month, day) of the period's first day
    last: tuple[int | None, int | None]  # (month, day) of its last day; day None = month end
    precision: Precision
    recurring: bool = False
    # how often a recurring limit recurs (year, quarter, half, month); "event": it counts from the
    # year or month of some event (次年1月底前) and has no date of its own
    every: str | None = None
    relative_year: int | None = None  # offset from the issue year (今年 0, 明年 1)
    relative_month: int | None = None  # offset from the issue month (本月 0, 下月 1)

    def resolve(self, year: int, start: bool) -> dt.date | None:
        try:
            if start:
                return dt.date(year, *self.first)
            month, day = self.last
            month = month or 12
            return dt.date(year, month, day or _last_day(year, month))
        except ValueError:
            return None


def _year_period(word: str) -> tuple[tuple[int, int], tuple[int, int | None], Precision]:
    """(first, last, precision) of a period of the year as matched: 年底, 年年底, 三季度末, 三季度 末
    (the grammar allows spaces before the end word)."""
    word = re.sub(r"\s+", "", word)
    bare = _PERIOD_END.sub("", word)
    for candidate in (word, word[1:], bare, bare[1:]):
        if candidate in RULES.year_periods:
            p = RULES.year_periods[candidate]
            return (p.first_month, 1), (p.month, None), p.precision
    raise ValueError(f"{word!r} is no period of the year")  # the grammar matches no such word


# the words that end a period (末, 底) and 内 (within it): what may follow 每季度 / 每半年
_PERIOD_ENDS = {*RULES.period_end_suffixes, "内"}
_PERIOD_END = re.compile(rf"(?:{alternation(RULES.period_end_suffixes)})$")


def _month_reading(month: int | None, day: str | None, mpart: str | None):
    """(first, last, precision) of 9月 / 9月10日 / 9月底 / 4月上旬, or None when invalid."""
    if month is None or not 1 <= month <= 12:
        return None
    if day is not None:
        d = _int(day)
        if d is None or not 1 <= d <= 31:
            return None
        return (month, d), (month, d), "day"
    if mpart is not None:
        p = RULES.month_periods[mpart]
        return (month, p.first_day), (month, p.day), p.precision
    return (month, 1), (month, None), "month"


def _read(m: re.Match) -> _Reading | None:
    g = m.groupdict()
    if g["year"] is not None:
        year = _int(g["year"])
        if not _valid_year(year):
            return None
        if g["month"] is not None:
            r = _month_reading(_int(g["month"]), g["day"], g["mpart"])
            return None if r is None else _Reading(year, r[0], r[1], r[2])
        if g["ypart"] is not None:
            first, last, precision = _year_period(g["ypart"])
            return _Reading(year, first, last, precision)
        return _Reading(year, (1, 1), (12, 31), "year")
    if g["recur"] is not None:
        if g["rmonth"] is not None:
            r = _month_reading(_int(g["rmonth"]), g["rday"], g["rmpart"])
            if r is None:
                return None
            every = RULES.recurring_prefixes[g["recur"]]
            if every in ("quarter", "half"):
                return None  # 每季度3月: no date
            return _Reading(None, r[0], r[1], r[2], recurring=True, every=every)
        every = RULES.recurring_prefixes[g["recur"]]
        if every in ("quarter", "half") and re.sub(r"\s+", "", g["rypart"]).lstrip("年") not in _PERIOD_ENDS:
            return None  # 每季度末 is the end of each quarter; 每季度上半年 means nothing
        first, last, precision = _year_period(g["rypart"])
        return _Reading(None, first, last, precision, recurring=True, every=every)
    if g["mrecur"] is not None:
        day = _int(g["mrday"])
        if day is None or not 1 <= day <= 31:
            return None
        return _Reading(None, (1, day), (1, day), "day", recurring=True,
                        every=RULES.recurring_month_prefixes[g["mrecur"]])
    if g["relmonth"] is not None:
        # the month is filled in when resolved; 1 stands in for it here
        r = _month_reading(1, g["relmday"], g["relmpart"])
        if r is None:
            return None
        return _Reading(None, r[0], r[1], r[2], relative_month=RULES.relative_months[g["relmonth"]])
    if g["relyear"] is not None:
        offset = RULES.relative_years[g["relyear"]]
        if g["lmonth"] is not None:
            r = _month_reading(_int(g["lmonth"]), g["lday"], g["lmpart"])
            return None if r is None else _Reading(None, r[0], r[1], r[2], relative_year=offset)
        if g["lypart"] is not None:
            first, last, precision = _year_period(g["lypart"])
            return _Reading(None, first, last, precision, relative_year=offset)
        return _Reading(None, (1, 1), (12, 31), "year", relative_year=offset)
    if g["ymonth"] is not None:
        r = _month_reading(_int(g["ymonth"]), g["yday"], g["ympart"])
        return None if r is None else _Reading(None, r[0], r[1], r[2])
    if g["bpart"] is not None or g["qpart"] is not None:
        first, last, precision = _year_period(g["bpart"] or g["qpart"])
        return _Reading(None, first, last, precision)
    year, month, day = _int(g["nyear"]), _int(g["nmonth"]), _int(g["nday"])
    if not _valid_year(year):
        return None
    r = _month_reading(month, g["nday"], None)
    if r is None:
        return None
    return _Reading(year, r[0], r[1], r[2])


# A duration longer than this is a year or a code read as a number (力争2025年内), not a limit.
_MAX_DURATION = 1000


def _add_duration(start: dt.date, n: float, unit: str) -> dt.date | None:
    if n != int(n) or n > _MAX_DURATION:
        return None
    n = int(n)
    if unit in ("day", "week"):
        try:
            return start + dt.timedelta(days=n * (7 if unit == "week" else 1))
        except OverflowError:
            return None
    if unit in ("month", "quarter", "year"):
        months = n * {"month": 1, "quarter": 3, "year": 12}[unit]
        total = start.month - 1 + months
        year, month = start.year + total // 12, total % 12 + 1
        if year > dt.MAXYEAR:
            return None
        return dt.date(year, month, min(start.day, _last_day(year, month)))
    return None  # working days depend on holidays: never guessed
