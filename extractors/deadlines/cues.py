"""Absolute dates weighed by the cues around them (前, 底, 起, 完成 …), and the spans where no date
is read.
"""
from __future__ import annotations

import bisect
import re

from extractors.base import ExtractContext, Match
from extractors import citations
from extractors.deadlines.vocabulary import FIELD, RULES, DeadlineValue
from schemas.records import DeadlineKind
from extractors.deadlines.grammar import (_CLAUSE_END, _DATE, _DATE_END_CHARS, _DONE, _EFFECTIVE_ALWAYS,
    _EFFECTIVE_AT_END, _LABEL_VALUE, _NUMERIC_UNIT_AFTER, _POST, _PRE, _RANGE_START, _VALIDITY)
from extractors.deadlines.calendar import _Reading, _read


def _protected(text: str, ctx: ExtractContext) -> list[tuple[int, int]]:
    return list(ctx.masked) + citations.protected_spans(text)


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _label_regions(text: str) -> list[tuple[int, int]]:
    """The value after a time-limit label (完成时限：2024年12月底前): read like a deadline cell."""
    return [(m.start("value"), m.end("value")) for m in _LABEL_VALUE.finditer(text)]


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
            if text.startswith(tuple(RULES.year_name_suffixes), m.end()):
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
    if pre and pre.group("word") in RULES.range_connectors:
        range_end = _joins_dates(text, pre.start("word"))
        if not range_end and pre.group("word") not in RULES.by_prefixes:
            pre = None  # a dash not between two dates
    post = _POST.match(text, end)
    pre_word = pre.group("word") if pre else None
    post_word = post.group("word") if post else None
    if post_word in RULES.not_deadline_suffixes:
        return None
    if _in_validity_clause(text, start):
        return None  # 有效期至2028年5月31日: how long a document stays valid
    in_cell = _inside(start, end, cells)
    is_start = pre_word in RULES.start_prefixes or post_word in RULES.start_suffixes
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
            or range_end or pre_word in RULES.by_prefixes or post_word in RULES.by_suffixes)
    if not cued:
        return None
    if is_start and pre_word in RULES.by_prefixes:
        is_start = False  # 到2022年开始: the limit wins
    if is_start and (_EFFECTIVE_ALWAYS.match(text, span_end) or _EFFECTIVE_AT_END.match(text, span_end)):
        return None  # 本条例自2015年5月1日起施行: the document takes effect
    kind: DeadlineKind = "start" if is_start else "by"
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
