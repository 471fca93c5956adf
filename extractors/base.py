"""What every field extractor shares: the `Match` it returns, the context it reads, overlap rules.

Public surface of each field module (extractors/<field>.py or the package extractors/<field>/:
citations, deadlines, units, quotas, modality, categories):
    FIELD                                                   its name in Match.field and doc.spans
    RULES                                                   its rule table, data/<field>.yaml, validated
    extract(text: str, ctx: ExtractContext) -> list[Match]  every mention in `text`, offsets into it
    parse(surface: str, ctx: ExtractContext) -> <Value> | None   the value one surface states
`extract` never raises on any input and returns [] when nothing is found; `ctx` is required (an
empty ExtractContext() when nothing is known beyond the text).
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Match:
    """A located span: `text[start:end] == surface`, offsets into the text given to `extract`."""

    field: str  # "citation" | "deadline" | "unit" | "quota" | "modality"
    start: int
    end: int
    surface: str
    value: Any = None  # the field's normalised value (a frozen dataclass of the field module)

    def __len__(self) -> int:
        return self.end - self.start


class SpanIndex:
    """Spans (start, end) answering "is there one that covers / overlaps this range?" in log time.
    A scan of every span per question made large documents quadratic (a 400,000-character text
    spent more time asking than jieba spent cutting it)."""

    __slots__ = ("_max_end", "starts")

    def __init__(self, spans) -> None:
        ordered = sorted((s, e) for s, e in spans)
        self.starts = [s for s, _ in ordered]
        self._max_end: list[int] = []  # the largest end among the spans up to each position
        top = -1
        for _, e in ordered:
            top = max(top, e)
            self._max_end.append(top)

    def _max_end_before(self, i: int) -> int:
        return self._max_end[i - 1] if i > 0 else -1

    def covers(self, start: int, end: int) -> bool:
        """A span with s <= start and end <= e."""
        return self._max_end_before(bisect.bisect_right(self.starts, start)) >= end

    def covers_strictly(self, start: int, end: int) -> bool:
        """A span that covers [start, end) and is longer than it."""
        return (self._max_end_before(bisect.bisect_left(self.starts, start)) >= end
                or self._max_end_before(bisect.bisect_right(self.starts, start)) > end)

    def overlaps(self, start: int, end: int) -> bool:
        """A span with s < end and start < e."""
        return self._max_end_before(bisect.bisect_left(self.starts, end)) > start


def derived(owner: object, name: str, source: Sequence, build: Callable[[Sequence], Any]) -> Any:
    """`build(source)`, kept on `owner` (a dataclass instance, frozen or not) until `source`, a list
    that is only ever appended to (or a tuple), grows or is replaced: indexes that turn a scan per
    question into a lookup."""
    cache = owner.__dict__.setdefault("_derived", {})
    hit = cache.get(name)
    if hit is None or hit[0] is not source or hit[1] != len(source):
        hit = cache[name] = (source, len(source), build(source))  # `source` held: its id is not reused
    return hit[2]


@dataclass(frozen=True)
class ExtractContext:
    """What an extractor may know beyond the text. Never 'now': relative dates resolve against
    `plan_year` and `issued_date`, and when both are missing they stay unresolved. Not changed
    once built: who knows more (extractors/fields.py masks the citations) builds another with
    `dataclasses.replace`."""

    issued_date: dt.date | None = None
    # the year of the plan the text stands in, as its title states it (2026年…工作方案); a date
    # written without a year (4月底前, 年内, 一季度) takes it before the issue date's year
    plan_year: int | None = None
    # spans already claimed (document numbers, standard codes, 《titles》): dates and quantities
    # inside them are not read
    masked: Sequence[tuple[int, int]] = ()
    # spans of table cells whose column is a deadline column (时限, 完成时间 …): any date there is a
    # deadline even without a cue such as 前 or 底
    deadline_cells: Sequence[tuple[int, int]] = ()

    def __post_init__(self) -> None:
        # tuples: a context handed to several extractors cannot be extended by one of them
        object.__setattr__(self, "masked", tuple(self.masked))
        object.__setattr__(self, "deadline_cells", tuple(self.deadline_cells))

    def is_masked(self, start: int, end: int) -> bool:
        return derived(self, "masked", self.masked, SpanIndex).overlaps(start, end)

    def in_deadline_cell(self, start: int, end: int) -> bool:
        return derived(self, "deadline_cells", self.deadline_cells, SpanIndex).covers(start, end)


def filter_spans(matches: list[Match]) -> list[Match]:
    """Drop overlapping matches: the longest wins, then the earliest (spaCy's filter_spans rule).
    Returns the survivors in text order."""
    ordered = sorted(matches, key=lambda m: (-(m.end - m.start), m.start))
    starts: list[int] = []  # the taken spans, disjoint, kept sorted by start
    taken: list[Match] = []
    for m in ordered:
        i = bisect.bisect_right(starts, m.start)
        # disjoint from the taken span starting at or before m, and from the one after it
        if i > 0 and taken[i - 1].end > m.start:
            continue
        if i < len(taken) and taken[i].start < m.end:
            continue
        starts.insert(i, m.start)
        taken.insert(i, m)
    return taken
