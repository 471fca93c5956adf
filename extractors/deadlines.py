"""Deadlines: every time limit in a text (ANNOTATION.md "deadlines" is the spec).

Public API:
    DeadlineValue(date: date | None, kind: "by" | "ongoing" | "start",
                  precision: "day" | "month" | "year" | None, relative: str | None)
    extract(text, ctx) -> list[Match]          field "deadline"
    parse(surface, ctx) -> DeadlineValue | None

What is a deadline:
  * an absolute date or period with a cue: 2020年4月10日前, 到2025年, 于2024年2月29日前,
    2020年9月底, 2020年年底, 2021年上半年, 力争2025年, 2020 年底 完成. A period means its last
    day (年底 -> 12-31, 三季度末 -> 09-30); "X年前" means by the end of year X, like 到X年.
  * a start: 自2022年起, 从2022年1月1日起, 2022年开始启动 -> the period's first day, kind "start"
    (not the date a document takes effect: 本条例自2015年5月1日起施行);
  * a limit counted from an event: 竣工验收合格后三个月内, 自受理之日起二十个工作日内 -> date None,
    kind "by", `relative` = the rule; counted from the document's own issue (自印发之日起30日内)
    it is resolved against ctx.issued_date (None when unknown; working days are never resolved);
  * inside ctx.deadline_cells, or after a label such as 完成时限：, any date or period (2023.8 ->
    2023-08-31, 2020年年底) and the ongoing words (长期坚持, 常态化 -> kind "ongoing").
What is not: a date without a cue outside a deadline cell (signature dates, 发文日期, 来源 lines),
years inside document numbers, standard codes or 《titles》 (ctx.masked, plus this module's own
check through citations.protected_spans), quantity ranges (0.5-1.2万人, 5-10分钟), years that
name something (2024年度, 2020年版), "since" dates (2019年以来), and a "by" date earlier than
ctx.issued_date (a past event, not a limit).
A date without a year (5月31日前) takes the nearest previous year written in the same block
(line) of the text, else ctx.issued_date's year, else it stays unresolved (date None). Never today.
"""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, field_validator, model_validator

from extractors import citations
from extractors.base import ExtractContext, Match, filter_spans
from extractors.numerals import NUMBER, to_number
from extractors.rules import alternation, load_yaml

FIELD = "deadline"
Kind = Literal["by", "ongoing", "start"]
Precision = Literal["day", "month", "year"]


@dataclass(frozen=True, slots=True)
class DeadlineValue:
    date: dt.date | None
    kind: Kind
    precision: Precision | None
    relative: str | None = None


# ------------------------------------------------------------------ vocabulary (data file)


class _YearPeriod(BaseModel):
    month: int
    first_month: int
    precision: Precision


class _MonthPeriod(BaseModel):
    day: int | None
    first_day: int
    precision: Precision


class _EffectiveVerbs(BaseModel):
    always: list[str]
    at_clause_end: list[str]


class _Vocabulary(BaseModel):
    year_periods: dict[str, _YearPeriod]
    yearless_periods: list[str]
    period_end_suffixes: list[str]
    month_periods: dict[str, _MonthPeriod]
    relative_years: dict[str, int]
    relative_months: dict[str, int]
    recurring_prefixes: list[str]
    recurring_month_prefixes: list[str]
    range_connectors: list[str]
    validity_words: list[str]
    by_prefixes: list[str]
    neutral_prefixes: list[str]
    by_suffixes: list[str]
    done_words: list[str]
    done_adverbs: list[str]
    start_prefixes: list[str]
    start_suffixes: list[str]
    effective_verbs: _EffectiveVerbs
    not_deadline_suffixes: list[str]
    year_name_suffixes: list[str]
    time_limit_labels: list[str]
    ongoing_words: list[str]
    duration_units: dict[str, Literal["day", "workday", "week", "month", "quarter", "year"]]
    event_anchors: list[str]
    relative_lead_words: list[str]
    own_issue_events: list[str]
    own_document_words: list[str]
    own_period_leads: list[str]
    numeric_date_not_before: list[str]

    @field_validator("*", mode="after")
    @classmethod
    def _no_empty_words(cls, value):
        words = value if isinstance(value, list) else list(value) if isinstance(value, dict) else []
        if isinstance(value, (list, dict)) and not value:
            raise ValueError("must not be empty")
        if any(not isinstance(w, str) or not w.strip() for w in words):
            raise ValueError("words must be non-empty strings")
        return value

    @field_validator("year_periods")
    @classmethod
    def _months(cls, periods: dict[str, _YearPeriod]) -> dict[str, _YearPeriod]:
        for word, p in periods.items():
            if not (1 <= p.first_month <= p.month <= 12):
                raise ValueError(f"year period {word}: months must satisfy 1 <= first <= last <= 12")
        return periods

    @model_validator(mode="after")
    def _yearless_are_periods(self):
        unknown = [w for w in self.yearless_periods if w not in self.year_periods]
        if unknown:
            raise ValueError(f"yearless_periods not in year_periods: {unknown}")
        return self


VOCAB = _Vocabulary.model_validate(load_yaml("deadlines.yaml"))




# ------------------------------------------------------------------ grammar (regex fragments)

# Leftover spaces and wrapped lines inside a date (2020 年 4 月 10 日, "2020\n\n年"); never a tab,
# which separates table cells.
_S = r"[^\S\t]{0,4}"
_CN_DIGIT = "〇○零一二三四五六七八九"
_DASHES = "\\-－—‐–~～"
# A year: four Arabic digits or four Chinese digits (二〇二〇), not glued to a longer number,
# a code (543-2014) or a decimal.
_YEAR = (
    rf"(?<![\d.．/A-Za-z{_CN_DIGIT}十])"
    # a dash before a year only when it joins two dates (2023-2025年), never inside a code (543-2014)
    rf"(?<![^\d年月日号][{_DASHES}])(?<!^[{_DASHES}])"
    rf"(?:\d{{4}}|[{_CN_DIGIT}]{{4}})(?!\d)"
)
_MONTH = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?:\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_YEAR_PERIOD = rf"(?:年?(?:{alternation(VOCAB.year_periods)})(?:{_S}(?:{alternation(VOCAB.period_end_suffixes)}))?)"
_MONTH_PERIOD = alternation(VOCAB.month_periods)
# A weekday in brackets after a day: 6月15日（星期四）前
_WEEKDAY = r"(?:[（(](?:星期|周|礼拜)[一二三四五六日天][）)])"
_MONTH_TAIL = (
    rf"{_S}月(?:{_S}份)?(?:{_S}(?P<{{p}}day>{_DAY}){_S}[日号](?:{_S}{_WEEKDAY})?"
    rf"|{_S}(?P<{{p}}mpart>{_MONTH_PERIOD}))?"
)


def _month_tail(prefix: str) -> str:
    """月, optional 份, then a day (10日) or a part of the month (底, 上旬), with named groups
    prefixed so that the alternatives below can each have their own."""
    return _MONTH_TAIL.replace("{p}", prefix)


# Characters that, before 年底/年内, show the 年 belongs to a duration or another word
# (一年内, 两年内, 数年内, 每年年底, 全年, 近年, 周年).
_NOT_BEFORE_BARE_PERIOD = rf"\d年{_CN_DIGIT}两几数多十百个每今本明当次全上下半去往近翌周"

_DATE = re.compile(
    # 2020年4月10日, 2020年9月底, 2020年年底, 二〇二〇年四月, 2022年
    rf"(?P<year>{_YEAR}){_S}年(?:{_S}(?P<month>{_MONTH}){_month_tail('')}"
    rf"|{_S}(?P<ypart>{_YEAR_PERIOD}))?"
    # 每年3月31日前, 次年1月底: a recurring date, or one relative to an event's year
    rf"|(?P<recur>{alternation(VOCAB.recurring_prefixes)}){_S}(?:(?P<rmonth>{_MONTH}){_month_tail('r')}"
    rf"|(?P<rypart>{_YEAR_PERIOD}))"
    # 每月10日前, 次月15日前: a recurring day of the month
    rf"|(?P<mrecur>{alternation(VOCAB.recurring_month_prefixes)}){_S}(?P<mrday>{_DAY}){_S}[日号]"
    # 本月底前, 下月10日前
    rf"|(?P<relmonth>{alternation(VOCAB.relative_months)})(?:{_S}(?P<relmday>{_DAY}){_S}[日号]|{_S}(?P<relmpart>{_MONTH_PERIOD}))?"
    # 今年年底, 本年底, 明年上半年, 今年
    rf"|(?P<relyear>{alternation(VOCAB.relative_years)})(?:{_S}(?P<lypart>{_YEAR_PERIOD}))?"
    # 5月31日, 9月底, 8月 (the year comes from the context)
    rf"|(?<![\d年{_CN_DIGIT}十个第每])(?P<ymonth>{_MONTH}){_month_tail('y')}"
    # 年底前, 年内 (the year comes from the context)
    rf"|(?<![{_NOT_BEFORE_BARE_PERIOD}])(?P<bpart>年(?:底|末|内))"
    # 三季度末前, 下半年起 (the year comes from the context; needs a cue)
    rf"|(?<![{_NOT_BEFORE_BARE_PERIOD}第])(?P<qpart>(?:{alternation(VOCAB.yearless_periods)})"
    rf"(?:{_S}(?:{alternation(VOCAB.period_end_suffixes)}))?)"
    # 2023.8, 2020-04-10, 2020/4/10, 2019.08.31
    rf"|(?<![\d.．/\-－—‐–])(?P<nyear>\d{{4}})(?P<sep>[.．/\-－])(?P<nmonth>\d{{1,2}})"
    rf"(?:(?P=sep)(?P<nday>\d{{1,2}}))?(?![\d.．/\-－]\d|\d)"
)

_PRE = re.compile(
    rf"(?P<word>{alternation(VOCAB.by_prefixes + VOCAB.start_prefixes + VOCAB.neutral_prefixes + VOCAB.range_connectors)}){_S}$"
)
# What stands before a range connector when it joins two dates.
_DATE_END_CHARS = "年月日号底末0123456789０１２３４５６７８９"
# After a date: a range connector and the next date (…至2024年, —2025年): the date starts a range.
_RANGE_START = re.compile(rf"{_S}(?:{alternation(VOCAB.range_connectors)}){_S}(?:\d|[{_CN_DIGIT}]{{2}}|今年|明年|本年)")
_VALIDITY = re.compile(alternation(VOCAB.validity_words))
_CLAUSE_END = "，。；,;\n\t"
_POST = re.compile(
    rf"{_S}(?P<word>{alternation(VOCAB.start_suffixes + VOCAB.by_suffixes + VOCAB.not_deadline_suffixes)})"
)
_DONE = re.compile(rf"{_S}(?:(?:{alternation(VOCAB.done_adverbs)}){_S})?(?P<word>{alternation(VOCAB.done_words)})")
_EFFECTIVE_ALWAYS = re.compile(rf"{_S}(?:{alternation(VOCAB.effective_verbs.always)})")
_EFFECTIVE_AT_END = re.compile(rf"{_S}(?:{alternation(VOCAB.effective_verbs.at_clause_end)}){_S}(?:[。；;，,\n]|$)")
_NUMERIC_UNIT_AFTER = re.compile(rf"{_S}(?:{alternation(VOCAB.numeric_date_not_before)})")
_LABEL_VALUE = re.compile(rf"(?:{alternation(VOCAB.time_limit_labels)}){_S}[:：]{_S}(?P<value>[^；;。，,）)\n\t]+)")
_ONGOING = re.compile(alternation(VOCAB.ongoing_words))

_UNIT = alternation(VOCAB.duration_units)
# 收到申请之日起二十个工作日内, 竣工验收合格后三个月内, 交房前五日内, 有效期届满三十日前
_EVENT_DURATION = re.compile(
    rf"(?P<anchor>{alternation(VOCAB.event_anchors)}){_S}(?P<n>{NUMBER}){_S}(?P<unit>{_UNIT})"
    rf"(?:{_S}(?P<q>以内|之内|内|之前|以前|前))?"
)
# 应当在五个工作日内 (the event is implied by the clause), 力争三年内 / 用两年时间 (from the document)
_LEAD_DURATION = re.compile(
    rf"(?P<lead>{alternation(VOCAB.own_period_leads + VOCAB.relative_lead_words)}){_S}(?P<n>{NUMBER}){_S}"
    rf"(?P<unit>{_UNIT}){_S}(?P<q>以内|之内|内|时间)"
)
# In a deadline cell a duration alone is the limit (3个月内, 20个工作日).
_CELL_DURATION = re.compile(rf"(?<![\d{_CN_DIGIT}十百千万])(?P<n>{NUMBER}){_S}(?P<unit>{_UNIT})(?:{_S}(?:以内|之内|内))?")
_RELATIVE_LEAD = re.compile(alternation(VOCAB.relative_lead_words))
_OWN_EVENT = re.compile(
    rf"^(?:{alternation(VOCAB.own_document_words)})?(?:{alternation(VOCAB.own_issue_events)})$"
)
# What closes the clause a relative limit's event is written in ("、" does not: 投诉、举报后).
_CLAUSE_BREAK = "，。；：,;:!?！？\n\t（()）"
_MAX_EVENT = 30


# ------------------------------------------------------------------ dates


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
    """(first, last, precision) of a period of the year as matched: 年底, 年年底, 三季度末."""
    bare = re.sub(rf"(?:{alternation(VOCAB.period_end_suffixes)})$", "", word)
    for candidate in (word, word[1:], bare, bare[1:]):
        if candidate in VOCAB.year_periods:
            p = VOCAB.year_periods[candidate]
            return (p.first_month, 1), (p.month, None), p.precision
    p = VOCAB.year_periods["年底"]  # unreachable with the regex above; a safe reading
    return (p.first_month, 1), (p.month, None), p.precision


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
        p = VOCAB.month_periods[mpart]
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
            return _Reading(None, r[0], r[1], r[2], recurring=True)
        first, last, precision = _year_period(g["rypart"])
        return _Reading(None, first, last, precision, recurring=True)
    if g["mrecur"] is not None:
        day = _int(g["mrday"])
        if day is None or not 1 <= day <= 31:
            return None
        return _Reading(None, (1, day), (1, day), "day", recurring=True)
    if g["relmonth"] is not None:
        # the month is filled in when resolved; 1 stands in for it here
        r = _month_reading(1, g["relmday"], g["relmpart"])
        if r is None:
            return None
        return _Reading(None, r[0], r[1], r[2], relative_month=VOCAB.relative_months[g["relmonth"]])
    if g["relyear"] is not None:
        offset = VOCAB.relative_years[g["relyear"]]
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


# ------------------------------------------------------------------ spans to leave alone


def _protected(text: str, ctx: ExtractContext) -> list[tuple[int, int]]:
    return list(ctx.masked) + citations.protected_spans(text)


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _label_regions(text: str) -> list[tuple[int, int]]:
    """The value after a time-limit label (完成时限：2024年12月底前): read like a deadline cell."""
    return [(m.start("value"), m.end("value")) for m in _LABEL_VALUE.finditer(text)]


# ------------------------------------------------------------------ locating


def _context_year(text: str, start: int, years: list[tuple[int, int]], ctx: ExtractContext) -> int | None:
    """Nearest previous full year in the same block (line), else the issue year.
    `years` is (position, year) in text order."""
    block_start = text.rfind("\n", 0, start) + 1
    i = bisect.bisect_left(years, (start, -1)) - 1
    if i >= 0 and years[i][0] >= block_start:
        return years[i][1]
    return ctx.issued_date.year if ctx.issued_date else None


def _absolute_candidates(text: str, ctx: ExtractContext, cells: list[tuple[int, int]],
                         protected: list[tuple[int, int]]) -> list[Match]:
    readings: list[tuple[re.Match, _Reading]] = []
    for m in _DATE.finditer(text):
        if _overlaps(m.start(), m.end(), protected):
            continue
        reading = _read(m)
        if reading is None:
            continue
        if m.group("year") is not None and m.group("month") is None and m.group("ypart") is None:
            # 2024年度, 2020年版: the year names something
            if text.startswith(tuple(VOCAB.year_name_suffixes), m.end()):
                continue
        if m.group("nyear") is not None and _NUMERIC_UNIT_AFTER.match(text, m.end()):
            continue  # 2023.8万元: an amount
        readings.append((m, reading))
    years = [(m.start(), r.year) for m, r in readings if r.year is not None]

    found: list[Match] = []
    for m, reading in readings:
        value_span = _weigh_cues(text, m, reading, ctx, cells, years)
        if value_span is not None:
            start, end, value = value_span
            found.append(Match(FIELD, start, end, text[start:end], value))
    return found


def _weigh_cues(text: str, m: re.Match, reading: _Reading, ctx: ExtractContext,
                cells: list[tuple[int, int]], years: list[tuple[int, int]]):
    """(start, end, value) of a date with the cues around it, or None when it is no deadline."""
    start, end = m.start(), m.end()
    pre = _PRE.search(text, max(0, start - 8), start)
    range_end = False
    if pre and pre.group("word") in VOCAB.range_connectors:
        range_end = _joins_dates(text, pre.start("word"))
        if not range_end and pre.group("word") not in VOCAB.by_prefixes:
            pre = None  # a dash not between two dates
    post = _POST.match(text, end)
    pre_word = pre.group("word") if pre else None
    post_word = post.group("word") if post else None
    if post_word in VOCAB.not_deadline_suffixes:
        return None
    if _in_validity_clause(text, start):
        return None  # 有效期至2028年5月31日: how long a document stays valid
    in_cell = _inside(start, end, cells)
    is_start = pre_word in VOCAB.start_prefixes or post_word in VOCAB.start_suffixes
    span_start = pre.start("word") if pre else start
    span_end = post.end() if post else end
    done = _DONE.match(text, span_end)
    if done and not is_start:
        span_end = done.end()
    names_period = (m.group("ypart") or m.group("mpart") or m.group("rypart") or m.group("rmpart")
                    or m.group("lypart") or m.group("ympart") or m.group("bpart") or m.group("relmpart"))
    if not is_start and post is None and _RANGE_START.match(text, end):
        return None  # 2023年6月至2024年12月: the start of a range has no cue of its own
    cued = (in_cell or is_start or done is not None or names_period is not None
            or range_end or pre_word in VOCAB.by_prefixes or post_word in VOCAB.by_suffixes)
    if not cued:
        return None
    if is_start and pre_word in VOCAB.by_prefixes:
        is_start = False  # 到2022年开始: the limit wins
    if is_start and (_EFFECTIVE_ALWAYS.match(text, span_end) or _EFFECTIVE_AT_END.match(text, span_end)):
        return None  # 本条例自2015年5月1日起施行: the document takes effect
    kind: Kind = "start" if is_start else "by"
    surface = text[span_start:span_end]
    if reading.recurring:
        return span_start, span_end, DeadlineValue(None, kind, None, _compact(surface))
    if reading.relative_month is not None:
        if ctx.issued_date is None:
            return span_start, span_end, DeadlineValue(None, kind, None, _compact(surface))
        total = ctx.issued_date.month - 1 + reading.relative_month
        year, month = ctx.issued_date.year + total // 12, total % 12 + 1
        reading = _Reading(year, (month, reading.first[1]), (month, reading.last[1]), reading.precision)
    if reading.relative_year is not None:
        year = ctx.issued_date.year + reading.relative_year if ctx.issued_date else None
    elif reading.year is not None:
        year = reading.year
    else:
        year = _context_year(text, start, years, ctx)
    if year is None:
        return span_start, span_end, DeadlineValue(None, kind, None, _compact(surface))
    date = reading.resolve(year, start=is_start)
    if date is None:
        return None
    if kind == "by" and ctx.issued_date and date < ctx.issued_date:
        return None  # a "by" date before the document was issued reports the past
    return span_start, span_end, DeadlineValue(date, kind, reading.precision, None)


def _in_validity_clause(text: str, start: int) -> bool:
    """Whether a validity word (有效期) precedes `start` in the same clause."""
    lo = start
    while lo > 0 and start - lo < 30 and text[lo - 1] not in _CLAUSE_END:
        lo -= 1
    return _VALIDITY.search(text, lo, start) is not None


def _joins_dates(text: str, connector: int) -> bool:
    """Whether the range connector at `connector` follows a date (2023年6月—, 2023-)."""
    i = connector
    while i > 0 and text[i - 1] in " \u3000":
        i -= 1
    return i > 0 and text[i - 1] in _DATE_END_CHARS


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


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


def _event_start(text: str, anchor: int) -> int:
    """Start of the event a relative limit counts from: after the clause break or lead word
    before it (自/从 are kept: 自受理之日起…)."""
    lo = anchor
    while lo > 0 and anchor - lo < _MAX_EVENT and text[lo - 1] not in _CLAUSE_BREAK:
        lo -= 1
    start = lo
    for lead in _RELATIVE_LEAD.finditer(text, lo, anchor):
        start = max(start, lead.end())
    for i in range(anchor - 1, start - 1, -1):
        if text[i] in "自从":
            return i
    return start


def _relative_candidates(text: str, ctx: ExtractContext, protected: list[tuple[int, int]]) -> list[Match]:
    found: list[Match] = []
    for m in _EVENT_DURATION.finditer(text):
        anchor, q = m.group("anchor"), m.group("q")
        if anchor == "届满" and q not in ("前", "之前", "以前"):
            continue
        if anchor != "届满" and q not in ("内", "以内", "之内"):
            continue
        n = to_number(m.group("n"))
        if n is None or not 0 < n <= _MAX_DURATION:
            continue
        start = _event_start(text, m.start())
        event = _compact(text[start:m.start()]).lstrip("自从")
        if not event or _overlaps(start, m.end(), protected):
            continue
        unit = VOCAB.duration_units[m.group("unit")]
        date = None
        if _OWN_EVENT.match(event) and anchor in ("之日起", "日起", "起") and ctx.issued_date:
            date = _add_duration(ctx.issued_date, n, unit)
        surface = text[start:m.end()]
        found.append(Match(FIELD, start, m.end(), surface,
                           DeadlineValue(date, "by", "day" if date else None, _compact(surface))))
    for m in _LEAD_DURATION.finditer(text):
        n = to_number(m.group("n"))
        if n is None or not 0 < n <= _MAX_DURATION or _overlaps(m.start(), m.end(), protected):
            continue
        own = m.group("lead") in VOCAB.own_period_leads
        if m.group("q") == "时间" and not own:
            continue
        start = m.start() if own else m.start("n")
        date = _add_duration(ctx.issued_date, n, VOCAB.duration_units[m.group("unit")]) \
            if own and ctx.issued_date else None
        surface = text[start:m.end()]
        found.append(Match(FIELD, start, m.end(), surface,
                           DeadlineValue(date, "by", "day" if date else None, _compact(surface))))
    return found


def _cell_duration_candidates(text: str, cells: list[tuple[int, int]], protected) -> list[Match]:
    found: list[Match] = []
    for cell_start, cell_end in cells:
        for m in _CELL_DURATION.finditer(text, cell_start, cell_end):
            n = to_number(m.group("n"))
            if n is None or not 0 < n <= _MAX_DURATION or _overlaps(m.start(), m.end(), protected):
                continue
            found.append(Match(FIELD, m.start(), m.end(), m.group(),
                               DeadlineValue(None, "by", None, _compact(m.group()))))
    return found


def _ongoing_candidates(text: str, cells: list[tuple[int, int]], protected) -> list[Match]:
    found: list[Match] = []
    for cell_start, cell_end in cells:
        for m in _ONGOING.finditer(text, cell_start, cell_end):
            if not _overlaps(m.start(), m.end(), protected):
                found.append(Match(FIELD, m.start(), m.end(), m.group(),
                                   DeadlineValue(None, "ongoing", None, None)))
    return found


def _valid_cells(text: str, spans) -> list[tuple[int, int]]:
    return [(max(0, s), min(len(text), e)) for s, e in spans if isinstance(s, int) and isinstance(e, int) and s < e]


def extract(text: str, ctx: ExtractContext | None = None) -> list[Match]:
    """Every time limit in `text` (see module doc); [] when there is none."""
    if not isinstance(text, str) or not text:
        return []
    ctx = ctx or ExtractContext()
    protected = _protected(text, ctx)
    cells = _valid_cells(text, ctx.deadline_cells) + _label_regions(text)
    candidates = (_absolute_candidates(text, ctx, cells, protected)
                  + _relative_candidates(text, ctx, protected)
                  + _cell_duration_candidates(text, cells, protected)
                  + _ongoing_candidates(text, cells, protected))
    return filter_spans(candidates)


def parse(surface: str, ctx: ExtractContext | None = None) -> DeadlineValue | None:
    """The deadline a surface states, read as if it stood in a deadline cell
    (parse("2023.8") -> 2023-08-31, month; parse("长期坚持") -> ongoing). None when the surface is
    not a time limit through and through: every character other than spaces and punctuation must
    belong to a deadline (so a task cell that merely mentions 长期 is not one)."""
    if not isinstance(surface, str) or not surface.strip():
        return None
    ctx = ctx or ExtractContext()
    cell_ctx = ExtractContext(issued_date=ctx.issued_date, deadline_cells=[(0, len(surface))])
    matches = extract(surface, cell_ctx)
    if not matches:
        return None
    covered = set()
    for m in matches:
        covered.update(range(m.start, m.end))
    if any(i not in covered and not _is_filler(ch) for i, ch in enumerate(surface)):
        return None
    return max(matches, key=lambda m: m.end - m.start).value


def _is_filler(ch: str) -> bool:
    """Spaces and punctuation: what may surround a deadline in a cell."""
    return ch.isspace() or unicodedata.category(ch).startswith("P")
