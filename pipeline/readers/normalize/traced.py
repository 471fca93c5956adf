"""Traced text: a string that knows, for each character, where in the source it came from (offset
and page), so that a document's source_map stays right through every edit of the normaliser."""
from __future__ import annotations

import bisect
import re
from typing import Iterable, NamedTuple


class Run(NamedTuple):
    """`length` characters from offset `start` of a Traced text came from source offset `source`
    (None: inserted by the normaliser) on `page`."""

    start: int
    length: int
    source: int | None
    page: int | None


class Traced:
    """A string that remembers where each of its characters came from.

    Immutable: every edit returns a new Traced. The runs cover the text without gaps.
    """

    __slots__ = ("text", "runs", "_starts")

    def __init__(self, text: str, runs: list[Run]):
        self.text = text
        self.runs = runs
        self._starts: list[int] | None = None

    @classmethod
    def from_source(cls, text: str, source_start: int = 0, page: int | None = None) -> Traced:
        return cls(text, [Run(0, len(text), source_start, page)] if text else [])

    @classmethod
    def inserted(cls, text: str) -> Traced:
        return cls(text, [Run(0, len(text), None, None)] if text else [])

    def __len__(self) -> int:
        return len(self.text)

    def __repr__(self) -> str:
        return f"Traced({self.text!r})"

    @property
    def page(self) -> int | None:
        return next((r.page for r in self.runs if r.page is not None), None)

    def slice(self, start: int, end: int) -> Traced:
        start, end = max(start, 0), min(end, len(self.text))
        if start >= end:
            return EMPTY
        if start == 0 and end == len(self.text):
            return self
        if self._starts is None:
            self._starts = [r.start for r in self.runs]
        first = bisect.bisect_right(self._starts, start) - 1
        runs = []
        for run in self.runs[first:]:
            if run.start >= end:
                break
            a, b = max(run.start, start), min(run.start + run.length, end)
            source = None if run.source is None else run.source + (a - run.start)
            runs.append(Run(a - start, b - a, source, run.page))
        return Traced(self.text[start:end], runs)

    def translate(self, table: dict[int, str]) -> Traced:
        """A 1:1 character mapping: offsets do not move."""
        text = self.text.translate(table)
        assert len(text) == len(self.text), "translate tables must map one character to one"
        return Traced(text, self.runs) if text != self.text else self

    def edit(self, edits: Iterable[tuple[int, int, str]]) -> Traced:
        """Replace each (start, end) span by an inserted string ('' deletes); spans in order,
        not overlapping."""
        parts, at = [], 0
        for start, end, replacement in edits:
            parts.append(self.slice(at, start))
            parts.append(Traced.inserted(replacement))
            at = end
        if not parts:
            return self
        parts.append(self.slice(at, len(self.text)))
        return concat(parts)

    def sub(self, pattern: re.Pattern, replacement: str = "") -> Traced:
        return self.edit((m.start(), m.end(), replacement) for m in pattern.finditer(self.text))

    def strip(self) -> Traced:
        m = _STRIPPED.search(self.text)
        return self.slice(m.start(), m.end()) if m else EMPTY

    def split(self, pattern: re.Pattern) -> list[Traced]:
        parts, at = [], 0
        for m in pattern.finditer(self.text):
            parts.append(self.slice(at, m.start()))
            at = m.end()
        parts.append(self.slice(at, len(self.text)))
        return parts


EMPTY = Traced("", [])
_STRIPPED = re.compile(r"\S(?:.*\S)?", re.S)


def concat(parts: Iterable[Traced]) -> Traced:
    """Concatenate, merging runs that continue each other in the source."""
    texts: list[str] = []
    runs: list[Run] = []
    at = 0
    for part in parts:
        if not part.text:
            continue
        texts.append(part.text)
        for run in part.runs:
            if runs:
                last = runs[-1]
                contiguous = (
                    last.page == run.page
                    and (last.source is None) == (run.source is None)
                    and (last.source is None or last.source + last.length == run.source)
                )
                if contiguous:
                    runs[-1] = Run(last.start, last.length + run.length, last.source, last.page)
                    continue
            runs.append(Run(run.start + at, run.length, run.source, run.page))
        at += len(part.text)
    return Traced("".join(texts), runs)
