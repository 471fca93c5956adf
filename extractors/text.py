"""What the extractors share about text: the class of Chinese characters, the compact view (a text
without its horizontal whitespace, every span mapped back to the text's offsets), bracket folding
and the spans of 《titles》.
"""
from __future__ import annotations

import bisect
import re


# Chinese characters, as the contents of a regex character class: the unified ideographs, extension
# A and the compatibility ideographs (rare characters in place and body names). The one class every
# rule reads Chinese text with.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_CHAR = re.compile(f"[{HAN}]")
# what a round bracket holds: any character but a bracket, or a short bracket of its own
# (（责任单位：市民政局；各区（市）县政府负责落实）): read by the structure and the assignment brackets
ROUND_BRACKET_INSIDE = r"(?:[^（()）\n]|[（(][^（()）\n]{1,8}[）)])"

# The number an article, chapter or item opens with (第十二条, 第三章, （二）, 3、, 1.): a regex
# fragment the readers of openings compose (extractors/clauses.py, duty_lists.py, obligations.py,
# units/candidates.py).
ITEM_NUMBER = r"第[一二三四五六七八九十百零〇\d]{1,5}[章节条]|[（(〔]?[一二三四五六七八九十\d]{1,3}[）)〕、.．]"

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


# ------------------------------------------------------------------ 《titles》

TITLE_OPEN, TITLE_CLOSE = "《", "》"
MAX_TITLE = 150  # a longer 《…》 is no title (a 《 left open): the titles nested in it still are

# What a title never runs across: a sentence end, a table cell boundary, a blank-line gap.
_TITLE_MARKS_RE = re.compile(r"[《》。\t]|\n\n\n")
# ... except the tabs of a PDF's column layout saved as text, which can split a title whose
# 《 and 》 stand in one cell (《嘉定区绿化市容\t“十四五”规划》, 《嘉定新城“十四五”规划\t\t建设行动方案》
# across an empty cell): a tab is read through when the text after it (after any further tabs)
# closes the title within the same line, with no other 《 before the 》.
_TITLE_TAIL_AFTER_TAB_RE = re.compile(r"\t*[^《》。\t\n]{1,40}》")


def title_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost 《…》, nested 《》 balanced, in one pass. A 《 left open (or a
    title longer than MAX_TITLE) does not hide the complete titles nested inside it."""
    spans: list[tuple[int, int]] = []
    open_titles: list[tuple[int, list[tuple[int, int]]]] = []  # (start, complete titles inside)

    def abandon_all() -> None:
        for _, inner in open_titles:
            spans.extend(inner)
        open_titles.clear()

    for mark in _TITLE_MARKS_RE.finditer(text):
        ch = mark.group()
        if ch == TITLE_OPEN:
            open_titles.append((mark.start(), []))
        elif ch == TITLE_CLOSE:
            if not open_titles:
                continue
            start, inner = open_titles.pop()
            done = [(start, mark.end())] if mark.end() - start <= MAX_TITLE + 2 else inner
            if open_titles:
                open_titles[-1][1].extend(done)
            else:
                spans.extend(done)
        elif ch == "\t" and len(open_titles) == 1 and mark.start() - open_titles[0][0] <= 60 \
                and _TITLE_TAIL_AFTER_TAB_RE.match(text, mark.end()):
            continue
        else:
            abandon_all()
    abandon_all()
    return sorted(spans)
