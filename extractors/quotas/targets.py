"""What ties a quota to the rest of its document: the date its target is for, and the earlier
statement it repeats (issue 16).

target_dates: the limit written in the quota's own sentence (到2025年，…达到40%以上；到2030年，…80%以上
-> 2025-12-31 and 2030-12-31), the nearest before it, else the nearest after it; else the year of
its table column (a 2025年计划 column); else None (analyze then takes the obligation's limit).
repeats: a target stated in prose and repeated in a table row (or the other way round) is one
target: the later statement points at the earlier (`same_as`) so comparisons count it once; only
a pair that is each other's only match is linked.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from extractors.base import Match

_SENTENCE_END = re.compile(r"[。；;！？!?\n]")
_HEADER_YEAR = re.compile(r"(?<!\d)(\d{4})\s*年(?!\s*[-－—–~～至到]\s*\d)")


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    lo = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 300), start)), default=max(0, start - 300))
    m = _SENTENCE_END.search(text, end)
    return lo, (m.start() if m else len(text))


def target_dates(text: str, quotas: Sequence[Match], deadlines: Sequence[Match],
                 cell_headers: Sequence[tuple[int, int, str | None]] = ()) -> list[dt.date | None]:
    """For each quota (in order), the date its target is for, or None. `deadlines` are deadline
    Matches; `cell_headers` (start, end, header) of table cells, whose header may name a year."""
    dated = sorted((d for d in deadlines if d.value.kind == "by" and d.value.date is not None),
                   key=lambda d: d.start)
    out: list[dt.date | None] = []
    for q in quotas:
        lo, hi = _sentence(text, q.start, q.end)
        before = [d for d in dated if lo <= d.start and d.end <= q.start]
        after = [d for d in dated if q.end <= d.start and d.end <= hi]
        if before:
            out.append(before[-1].value.date)
        elif after:
            out.append(after[0].value.date)
        else:
            out.append(_column_year(q, cell_headers))
    return out


def _column_year(q: Match, cell_headers: Sequence[tuple[int, int, str | None]]) -> dt.date | None:
    for start, end, header in cell_headers:
        if start <= q.start and q.end <= end and header:
            years = {int(y) for y in _HEADER_YEAR.findall(header)}
            if len(years) == 1:
                return dt.date(years.pop(), 12, 31)
    return None


def _bigrams(s: str | None) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)} if s else set()


def _same_target(a, b) -> bool:
    """Same unit and basis, the same stated bound (6380千瓦以上 and 6380千瓦 share 6380), subjects
    sharing at least two pairs of characters (or both without one), and target dates that agree
    where both are known."""
    va, vb = a.value, b.value
    if (va.unit, va.per_value, va.per_unit) != (vb.unit, vb.per_value, vb.per_unit):
        return False
    if not ({va.value_min, va.value_max} & {vb.value_min, vb.value_max}) - {None}:
        return False
    if va.subject or vb.subject:
        return len(_bigrams(va.subject) & _bigrams(vb.subject)) >= 2
    return True


def repeats(quotas: Sequence[Match], in_table: Sequence[bool],
            dates: Sequence[dt.date | None] | None = None) -> list[int | None]:
    """For each quota, the index of the earlier quota it repeats, or None. A repeat pairs a
    statement in prose with one in a table row (either first) that state the same target
    (`_same_target`, dates agreeing); only a pair that is each other's only match: a table of
    districts each at 100% does not repeat one 全覆盖 sentence."""
    dates = dates or [None] * len(quotas)
    matches: dict[int, list[int]] = {i: [] for i in range(len(quotas))}
    for j, q in enumerate(quotas):
        for i in range(j):
            if in_table[i] == in_table[j] or not _same_target(quotas[i], q):
                continue
            if dates[i] and dates[j] and dates[i] != dates[j]:
                continue
            matches[i].append(j)
            matches[j].append(i)
    out: list[int | None] = [None] * len(quotas)
    for j in range(len(quotas)):
        if len(matches[j]) == 1:
            i = matches[j][0]
            if i < j and matches[i] == [j]:
                out[j] = i
    return out
