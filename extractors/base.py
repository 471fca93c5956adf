"""What every field extractor shares: the `Match` it returns, the context it reads, overlap rules.

Public surface of each field module (extractors/<field>.py):
    extract(text: str, ctx: ExtractContext) -> list[Match]
    parse(surface: str, ctx: ExtractContext) -> <Value>        (where a value is normalised)
`extract` never raises on any input and returns [] when nothing is found.
"""
from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
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


@dataclass
class ExtractContext:
    """What an extractor may know beyond the text. Never 'now': relative dates resolve against
    `issued_date`, and a missing issue date leaves them unresolved."""

    issued_date: dt.date | None = None
    # spans already claimed by citations (document numbers, standard codes, 《titles》): dates and
    # quantities inside them are not read
    masked: list[tuple[int, int]] = field(default_factory=list)
    # spans of table cells whose column is a deadline column (时限, 完成时间 …): any date there is a
    # deadline even without a cue such as 前 or 底
    deadline_cells: list[tuple[int, int]] = field(default_factory=list)

    def is_masked(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.masked)

    def in_deadline_cell(self, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in self.deadline_cells)


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
