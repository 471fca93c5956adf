"""Text views shared by the extractors: the compact view reads a text without its horizontal
whitespace and maps every span back to the text's offsets.
"""
from __future__ import annotations

import bisect
import re


# Chinese characters, as the contents of a regex character class: the unified ideographs, extension
# A and the compatibility ideographs (rare characters in place and body names). The one class every
# rule reads Chinese text with.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_CHAR = re.compile(f"[{HAN}]")

# horizontal whitespace and zero-width characters; '\n' and '\t' separate blocks and cells and stay
_DROPPED_CLASS = r"\u0020\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u200b-\u200d\ufeff"
_DROPPED = re.compile(f"[{_DROPPED_CLASS}]")
_KEPT_RUN = re.compile(f"[^{_DROPPED_CLASS}]+")


class CompactView:
    """The text without horizontal whitespace, with a map back to the text's offsets
    (shared with extractors/roles.py, which reads cues the same way)."""

    def __init__(self, text: str):
        self.text = text
        orig: list[int] = []
        gap_before: list[bool] = []
        for run in _KEPT_RUN.finditer(text):
            orig.extend(range(run.start(), run.end()))
            gap_before.append(run.start() > 0 and bool(_DROPPED.match(text, run.start() - 1)))
            gap_before.extend([False] * (run.end() - run.start() - 1))
        self.s = "".join(m.group() for m in _KEPT_RUN.finditer(text))
        self.orig = orig
        self.gap_before = gap_before

    def to_text(self, start: int, end: int) -> tuple[int, int]:
        """Text offsets of the compact span [start, end)."""
        return self.orig[start], self.orig[end - 1] + 1

    def from_text(self, start: int, end: int) -> tuple[int, int]:
        """The compact span of the text span [start, end) (whitespace at its ends dropped)."""
        return bisect.bisect_left(self.orig, start), bisect.bisect_left(self.orig, end)


def fold_brackets(word: str) -> str:
    """`word` with its round brackets full-width and its tortoise-shell brackets round: the key
    under which 镇(街道), 镇（街道） and 镇〔街道〕 are one word."""
    return word.replace("(", "（").replace(")", "）").replace("〔", "（").replace("〕", "）")
