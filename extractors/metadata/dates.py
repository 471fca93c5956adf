"""Calendar dates as the frame of a document writes them (signature, header, adoption lines).

Only full dates: a time limit (年底前, 三年内) is the deadlines extractor's business, and a date
of the frame is never a time limit.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from extractors.numerals import to_number

# the digits a year is spelt with in Chinese (二〇二〇); Ｏ is a full-width letter O that typesetters
# use for 〇
_CN_YEAR_DIGITS = "〇○零Ｏ一二三四五六七八九"
# a calendar date: 2020年3月23日 (spaces allowed: 2020年 3月 23日), 二〇〇五年七月十四日, 2024-02-08
DATE_RE = re.compile(
    r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    rf"|(?P<cy>[{_CN_YEAR_DIGITS}]{{4}})\s*年\s*(?P<cm>[一二三四五六七八九十]{{1,2}})\s*月"
    r"\s*(?P<cd>[一二三四五六七八九十]{1,3})\s*日"
    r"|(?<![\d.])(?P<iy>\d{4})(?P<sep>[-./])(?P<im>\d{1,2})(?P=sep)(?P<id>\d{1,2})(?![\d.])"
)
# a line holding nothing but a date, possibly in brackets: （2020年3月23日）
DATE_ONLY_RE = re.compile(rf"^[（(]?\s*(?:{DATE_RE.pattern})\s*[)）]?$")


def parse_date(surface: str) -> dt.date | None:
    """The date a surface spells (2020年 3月 23日, 二〇〇五年七月十四日, 2024-02-08), else None."""
    if not isinstance(surface, str):
        return None
    m = DATE_RE.search(surface.strip())
    return date_of(m) if m else None


def date_of(m: re.Match) -> dt.date | None:
    """The date a DATE_RE match spells; None for an impossible day or a year outside 1900–2100
    (a code or a count read as a year)."""
    if m.group("y"):
        parts = (m.group("y"), m.group("m"), m.group("d"))
    elif m.group("cy"):
        parts = (m.group("cy"), m.group("cm"), m.group("cd"))
    else:
        parts = (m.group("iy"), m.group("im"), m.group("id"))
    values = [to_number(unicodedata.normalize("NFKC", p.replace("Ｏ", "〇"))) for p in parts]
    if any(v is None for v in values):
        return None
    y, mo, d = (int(v) for v in values)  # type: ignore[arg-type]
    if not 1900 <= y <= 2100:
        return None
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None
