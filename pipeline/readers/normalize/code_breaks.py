"""Line breaks that fall inside a document number or a standard's code.

A PDF (or a hard-wrapped text) breaks its lines wherever the width runs out, also inside
沪建综规〔2021〕445号 or DB31/T 1056-2017. Such a break is never a paragraph's end: the two lines
are one paragraph whatever the layout (`breaks_inside_code`), and the join puts no space into
the number (join_lines: two digits meet without one).
"""
from __future__ import annotations

import re

# 〔2021〕445号 opening the next line, after an issuer's abbreviation (沪建综规, 国办发, 静发改委)
_NUMBER_REST = re.compile(r"\s*[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*\d{1,5}\s*号")
# the abbreviation ending the line: a short run of characters after an opening bracket, a
# book-title mark or a 、, ending as issuers' abbreviations end (…发 …规 …函 …字 …办 …委)
_ISSUER_END = re.compile(r"(?:^|[（(《》、，,\s])[\u4e00-\u9fff]{1,8}[发规函字办委令通文证复批告]\s*$")
# a number whose abbreviation the break cut: （沪 / 建综规〔2021〕445号）
_NUMBER_START = re.compile(r"\s*[\u4e00-\u9fff]{1,8}\s*[〔\[［【]\s*\d{4}\s*[〕\]］】]\s*\d{1,5}\s*号")
_OPEN_ABBREVIATION = re.compile(r"[（(][\u4e00-\u9fff]{0,7}\s*$")
# a number broken after its opening bracket or inside its year or serial: 〔20 / 21〕445号,
# 〔2021〕 / 445号, 〔2021〕44 / 5号
_NUMBER_OPEN = re.compile(r"[〔\[［【]\s*\d{0,4}\s*$|[〔\[［【]\s*\d{4}\s*[〕\]］】]\s*\d{0,4}\s*$")
_NUMBER_CLOSE = re.compile(r"\s*\d{0,4}\s*[〕\]］】]?\s*\d{0,5}\s*号")
# a standard's code in progress at the line's end, and its rest: GB / 50180-2018, DB31/T / 1056-2017,
# DB31/ / T 1056, DB31/T 1056- / 2017, DB31/T 10 / 56-2017, （D / B31/T
_CODE_OPEN = re.compile(r"(?:^|[^A-Za-z])[A-Z]{1,4}(?:\s*\d{1,2})?(?:\s*/\s*[A-Z]{0,2})?(?:\s*[\d.]+)?(?:\s*-\s*\d{0,4})?\s*$")
_CODE_REST = re.compile(r"\s*[A-Z0-9/\-]")


_UNFINISHED = re.compile(r"[\-/〔\[［【－]\s*\d{0,3}\s*$")


def unfinished(before: str) -> bool:
    """The line stops where a code cannot end (DB31/T 1056-20, 沪建综规〔20): what follows is its
    rest even when it looks like a numbered item (17）…)."""
    return _UNFINISHED.search(before.rstrip()) is not None


def breaks_inside_code(before: str, after: str) -> bool:
    """Whether the break between two lines falls inside a document number or a standard's code."""
    before, after = before.rstrip(), after.lstrip()
    if not before or not after:
        return False
    if _NUMBER_REST.match(after) and _ISSUER_END.search(before):
        return True
    if _NUMBER_OPEN.search(before) and _NUMBER_CLOSE.match(after):
        return True
    if _OPEN_ABBREVIATION.search(before) and _NUMBER_START.match(after):
        return True
    return bool(_CODE_OPEN.search(before) and _CODE_REST.match(after))
