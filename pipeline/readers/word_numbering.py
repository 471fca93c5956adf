"""Word's automatic numbering: the labels (一、 （一） 1.) Word draws in front of a paragraph
but does not store in its text. Without them a 公文 written with list styles loses its structure.

Covered: numbering set on the paragraph or inherited from its style, the level text ("%1、",
"（%1）", "%1.%2"), start values and overrides, restarts of deeper levels, and the number formats
Chinese documents use. Bullets give no label.
"""
from __future__ import annotations

from dataclasses import dataclass

from docx.oxml.ns import qn

_CN_DIGITS = "零一二三四五六七八九"
_IDEOGRAPH_DIGITS = "〇一二三四五六七八九"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 21 -> 二十一, 105 -> 一百零五 (counting numerals, below 10000)."""
    if n <= 0 or n >= 10000:
        return str(n)
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero:
                out += "零"
            out += ("" if (unit == "十" and digit == 1 and not out) else _CN_DIGITS[digit]) + unit
            zero = False
        elif out:
            zero = True
    return out


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + numeral, n - value
    return out


def format_number(n: int, fmt: str) -> str:
    """A counter in one of Word's w:numFmt formats."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
               "taiwaneseCounting", "taiwaneseCountingThousand", "japaneseCounting"):
        return chinese_number(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_IDEOGRAPH_DIGITS[int(d)] for d in str(n))
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return _HEAVENLY_STEMS[n - 1]
    if fmt in ("lowerLetter", "upperLetter"):
        return _letters(n) if fmt == "lowerLetter" else _letters(n).upper()
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n) if fmt == "lowerRoman" else _roman(n).upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


@dataclass(frozen=True)
class Level:
    fmt: str
    text: str  # e.g. "%1、"
    start: int


def xml_val(element, tag: str) -> str | None:
    child = element.find(qn(tag)) if element is not None else None
    return child.get(qn("w:val")) if child is not None else None


def xml_int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _levels(parent) -> dict[int, Level]:
    levels = {}
    for lvl in parent.iterfind(qn("w:lvl")):
        ilvl = xml_int(lvl.get(qn("w:ilvl")), 0)
        levels[ilvl] = Level(xml_val(lvl, "w:numFmt") or "decimal", xml_val(lvl, "w:lvlText") or "",
                             xml_int(xml_val(lvl, "w:start"), 1))
    return levels


class Numbering:
    """Counts the numbered paragraphs of one document, in body order."""

    def __init__(self, numbering_element, style_numbering: dict[str, tuple[str, int]]):
        abstract = {}
        self.lists: dict[str, dict[int, Level]] = {}
        if numbering_element is not None:
            for element in numbering_element.iterfind(qn("w:abstractNum")):
                abstract[element.get(qn("w:abstractNumId"))] = _levels(element)
            for num in numbering_element.iterfind(qn("w:num")):
                levels = dict(abstract.get(xml_val(num, "w:abstractNumId"), {}))
                for override in num.iterfind(qn("w:lvlOverride")):
                    ilvl = xml_int(override.get(qn("w:ilvl")), 0)
                    replaced = _levels(override).get(ilvl)
                    if replaced is not None:
                        levels[ilvl] = replaced
                    start = xml_val(override, "w:startOverride")
                    if start is not None and ilvl in levels:
                        level = levels[ilvl]
                        levels[ilvl] = Level(level.fmt, level.text, xml_int(start, level.start))
                self.lists[num.get(qn("w:numId"))] = levels
        self.style_numbering = style_numbering
        self.counters: dict[str, dict[int, int]] = {}

    def label(self, paragraph, style_id: str | None) -> str:
        """The label Word shows in front of the paragraph ('' when it is not numbered)."""
        num_pr = paragraph.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        num_id, ilvl = self.style_numbering.get(style_id or "", (None, 0))
        if num_pr is not None:
            num_id = xml_val(num_pr, "w:numId") or num_id
            ilvl = xml_int(xml_val(num_pr, "w:ilvl"), ilvl)
        levels = self.lists.get(num_id or "")
        if not levels or ilvl not in levels or levels[ilvl].fmt in ("bullet", "none"):
            return ""
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl].start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        text = levels[ilvl].text
        for k in range(ilvl, -1, -1):  # %10 never occurs: Word has 9 levels
            if f"%{k + 1}" in text:
                level = levels.get(k, Level("decimal", "", 1))
                text = text.replace(f"%{k + 1}", format_number(counters.get(k, level.start), level.fmt))
        return text
