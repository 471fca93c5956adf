"""What one line is: the character classes (Chinese text, display width, 1:1 folding), the 公文
line patterns (numbering, 附件, 发文字号, dates), noise lines, and metadata lines ("发布机构: …")."""
from __future__ import annotations

import re
from functools import cache

from pipeline.readers.normalize.traced import Traced
from pipeline.readers.normalize.vocabulary import furniture_label_pattern, header_key_pattern, vocabulary
from pipeline.readers.page_notes import is_page_note


# Characters of Chinese running text: ideographs, CJK and full-width punctuation, curly quotes,
# the ellipsis and dashes used in 公文 ("总牵头部门—专项牵头部门").
CJK = "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2018-\u201d\u2026\u2014\u2015"
IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# display width: CJK and full-width characters take two columns
_WIDE = re.compile(f"[{CJK}]")

# 1:1 folding: full-width digits and Latin letters to ASCII (downstream regexes match ASCII
# digits); every kind of space to ' '. Chinese punctuation （），。：； is kept as it is.
_FOLD = {code: chr(code - 0xFEE0) for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_FOLD |= dict.fromkeys(map(ord, "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\x0b"), " ")
# invisible characters that only get in the way of matching: deleted
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def fold(text: Traced) -> Traced:
    return text.translate(_FOLD).sub(_ZERO_WIDTH)


def width(text: str) -> int:
    return len(text) + len(_WIDE.findall(text))


def has_cjk(text: str) -> bool:
    return IDEOGRAPH.search(text) is not None


CN_NUMBER = "[一二三四五六七八九十百零〇两]{1,4}"
# The numbering that opens a 公文 section or item: 一、 （一） 1. 1、 （1） 1） ① 第一章 第三条.
# "1." must not be a decimal ("1.5万人").
NUMBERING = re.compile(
    r"\s*(?:"
    rf"{CN_NUMBER}[、．]"
    rf"|[（(]{CN_NUMBER}[）)]"
    r"|\d{1,2}(?:[、．]|\.(?!\d))"
    r"|[（(]\d{1,2}[）)]"
    r"|\d{1,2}[）)]"
    r"|[\u2460-\u2473\u2776-\u277f]"
    # 款 opens nothing (a 款 is an unnumbered paragraph); 第三条规定 / 第二章的 is a reference
    rf"|第(?:{CN_NUMBER}|\d{{1,3}})(?:[编章节条]|部分)(?!规定|的|之|中|所|至|第|[和或及、，,])"
    r")"
)
# 附件 / 附件1 / 附件 2： — an annex starts here
ANNEX = re.compile(r"\s*附\s*件\s*(?:(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[:：]?|[:：]|$)")
ANNEX_HEADING = re.compile(r"\s*附\s*件\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})?\s*[:：]?\s*$")
# a line holding only a document number: 淄政办字〔2020〕34号
DOC_NUMBER_LINE = re.compile(r"\s*\S{1,20}?[〔\[［（(【]\s*\d{4}\s*[〕\]］）)】]\s*\d{1,5}\s*号\s*$")
# a line holding only a date: 2020年3月23日 (the date under a signature)
DATE_LINE = re.compile(
    r"\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}|[〇零一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,2}\s*月"
    r"\s*[一二三四五六七八九十]{1,3})\s*日\s*$"
)
# the end of a sentence or of a salutation / lead-in ("各有关单位：")
SENTENCE_END = re.compile(r"[。！？：；!?:;]\s*$")

# Noise lines. A page number: "1", "- 3 -", "—3—", "第 3 页", "第3页 共10页", "3/10"; not a figure
# with a comparison sign, as an indicator table's cells are written (≥40, >92).
PAGE_NUMBER = re.compile(
    r"\s*(?:"
    r"[^\w\s≥≤<>＞＜=＝]{0,3}\s*\d{1,3}\s*[^\w\s≥≤<>＞＜=＝]{0,3}"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r")\s*$"
)
# numeric junk a PDF dump leaves behind: "- 74.24" (a dash, then a number)
NUMERIC_JUNK = re.compile(r"\s*[-—–－]\s*\d+(?:\.\d+)?\s*[-—–－]?\s*$")
# a line of bullets, rules and dashes only
BULLETS_ONLY = re.compile(r"[\s•·●○◆◇■□▪▫►▶◎★☆※\-—–―_=~～*#|\u2500-\u257f]+$")
_FURNITURE_SPLIT = re.compile(r"[\s【】\[\]|｜/:：]+")


_FURNITURE_MAX = 60  # furniture lines are short; longer lines are not even looked at


def is_noise_line(line: str) -> bool:
    """Page numbers, numeric junk, bullets, web furniture and page notes: lines that are not the document."""
    stripped = line.strip()
    if not stripped:
        return False
    if PAGE_NUMBER.match(line) or NUMERIC_JUNK.match(line) or BULLETS_ONLY.match(line):
        return True
    if is_page_note(stripped):  # provenance and copyright notes, source links (page_notes.py)
        return True
    if len(stripped) > _FURNITURE_MAX:
        return False
    words = set(_FURNITURE_SPLIT.split(stripped)) - {""}
    if words and words <= _furniture_words():
        return True
    return furniture_label_pattern().search(line) is not None


@cache
def _furniture_words() -> frozenset[str]:
    return frozenset(vocabulary().furniture_words)


def header_fields_of(line: str) -> dict[str, str]:
    """The key/value pairs of a metadata line, keys without spaces ("名       称: …" -> 名称)."""
    keys = list(header_key_pattern().finditer(line))
    fields = {}
    for i, key in enumerate(keys):
        value_end = keys[i + 1].start() if i + 1 < len(keys) else len(line)
        value = re.sub(r"\s+", " ", line[key.end() : value_end]).strip()
        if value:
            fields[re.sub(r"\s+", "", key.group("key"))] = value
    return fields


_LEADING_BULLETS = re.compile(r"[\s•·●○◆▪\-*]*")


def is_header_field_line(line: str) -> bool:
    """A line that starts (after an optional bullet) with a known metadata key and a colon."""
    return header_key_pattern().match(line[_LEADING_BULLETS.match(line).end() :]) is not None


def starts_block(line: str) -> bool:
    return bool(NUMBERING.match(line) or ANNEX.match(line) or DOC_NUMBER_LINE.match(line))
