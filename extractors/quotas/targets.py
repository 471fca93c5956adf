"""What ties a quota to the rest of its document: the date its target is for, and the earlier
statement it repeats (issue 16).

target_dates: the limit written in the quota's own sentence (到2025年，…达到40%以上；到2030年，…80%以上
-> 2025-12-31 and 2030-12-31), the nearest before it, else the nearest after it; else the year of
its table column (a 2025年计划 column); else None (analyze then takes the obligation's limit).
repeats: a target stated in prose and repeated in a table row (or the other way round) is one
target: the later statement points at the earlier (`same_as`) so comparisons count it once.
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


def repeats(quotas: Sequence[Match], in_table: Sequence[bool]) -> list[int | None]:
    """For each quota, the index of the earlier quota it repeats, or None: one is in a table row and
    the other not, same unit and basis, a bound in common, and subjects that share a pair of
    characters (or both have none)."""
    out: list[int | None] = []
    for j, q in enumerate(quotas):
        found = None
        for i in range(j):
            p = quotas[i]
            if in_table[i] == in_table[j] or out[i] is not None:
                continue
            a, b = p.value, q.value
            if (a.unit, a.per_value, a.per_unit) != (b.unit, b.per_value, b.per_unit):
                continue
            if not ({a.value_min, a.value_max} & {b.value_min, b.value_max}) - {None}:
                continue
            if (a.subject or b.subject) and not (_bigrams(a.subject) & _bigrams(b.subject)):
                continue
            found = i
            break
        out.append(found)
    return out
