"""Lines into paragraphs: the layout of a text (one paragraph a line, or a hard-wrapped PDF dump),
where a paragraph breaks, lines joined, and the spaces that split Chinese text removed."""
from __future__ import annotations

import re
from collections import Counter

from pipeline.readers.normalize.code_breaks import breaks_inside_code, unfinished
from pipeline.readers.normalize.items import Layout, SourceLine
from pipeline.readers.normalize.lines import CJK, DATE_LINE, DOC_NUMBER_LINE, SENTENCE_END, starts_block, width
from pipeline.readers.normalize.traced import Traced, concat


def detect_layout(lines: list[str]) -> Layout:
    """WRAPPED when most lines share one width (a PDF text dump broken every ~28 characters), or
    when the long lines, of about one width, mostly stop in mid-sentence (a dump wrapped less evenly:
    digits are narrow, a line may not start with punctuation); LINES when each line is a paragraph
    of its own length."""
    widths = [width(line.strip()) for line in lines if line.strip()]
    wide = sorted(w for w in widths if w >= 20)
    if len(wide) < 6:
        return Layout.LINES
    full = _full_width(wide)
    in_band = sum(1 for w in widths if full - 6 <= w <= full + 2)
    if full <= 120 and in_band >= 0.4 * len(widths):
        return Layout.WRAPPED
    return Layout.WRAPPED if _stops_mid_sentence(lines) else Layout.LINES


# a long line of a wrapped dump: at least this wide; most such lines within _BAND of their median
# width, and most of them ending where no sentence or clause ends
_LONG, _BAND, _MOST = 40, 8, 0.6
_LINE_END = re.compile(r"[。；;：:！？!?”）)》」]$")


def _stops_mid_sentence(lines: list[str]) -> bool:
    long = [line.strip() for line in lines if width(line.strip()) >= _LONG and "\t" not in line]
    if len(long) < 6:
        return False
    widths = sorted(width(line) for line in long)
    median = widths[len(widths) // 2]
    banded = sum(1 for w in widths if abs(w - median) <= _BAND)
    open_ended = sum(1 for line in long if not _LINE_END.search(line))
    return median <= 120 and banded >= _MOST * len(long) and open_ended >= _MOST * len(long)


def _full_width(widths: list[int]) -> int:
    """The width of a full line: the most common width (the larger one on a tie)."""
    counts = Counter(widths)
    return max(counts, key=lambda w: (counts[w], w))


def paragraphs(lines: list[SourceLine], layout: Layout) -> list[list[SourceLine]]:
    """Group the lines of one stretch of text into paragraphs."""
    lines = [line for line in lines if line.text.text.strip()]
    full = _full_width([width(line.text.text.strip()) for line in lines]) if lines else 0
    groups: list[list[SourceLine]] = []
    for k, line in enumerate(lines):
        before = groups[-1][-1].text.text if groups else ""
        if groups and layout is Layout.WRAPPED and _signs(line, lines[k + 1] if k + 1 < len(lines) else None, full):
            groups.append([line])  # …附件：任务分工表 / 兰州市人民政府办公室 / 2025年4月8日: the signature
            continue
        if groups and not line.kind and not groups[-1][-1].kind and breaks_inside_code(before, line.text.text) \
                and (unfinished(before) or not starts_block(line.text.text)):
            groups[-1].append(line)  # 沪建综规 / 〔2021〕445号: in any layout, one paragraph
        elif not groups or layout is Layout.LINES or line.kind or groups[-1][-1].kind \
                or _breaks_before(groups[-1], line, layout, full):
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


def _signs(line: SourceLine, following: SourceLine | None, full: int) -> bool:
    """Whether a short line stands right above a date line (the issuer of a signature): it opens
    a paragraph of its own, even after a full line of a wrapped dump."""
    return following is not None and bool(DATE_LINE.match(following.text.text)) \
        and width(line.text.text.strip()) < _SHORT_LINE * full and not SENTENCE_END.search(line.text.text)


# a line shorter than this share of a full line ends its paragraph (the last line of a paragraph;
# a title; a salutation)
_SHORT_LINE = 0.75


def _breaks_before(group: list[SourceLine], line: SourceLine, layout: Layout, full: int) -> bool:
    prev = group[-1]
    text, before = line.text.text, prev.text.text
    if layout is Layout.GEOMETRY and prev.full and not line.indented \
            and _unclosed("".join(l.text.text for l in group[-_QUOTE_LINES:])):
        return False  # inside quotes a wrapped line may start like an item: “保护第 / 一、加强管理…”
    if starts_block(text) or DOC_NUMBER_LINE.match(before) or DATE_LINE.match(before):
        return True
    if layout is Layout.GEOMETRY:
        if line.centred and _centred_block(group) and not SENTENCE_END.search(before):
            return False  # a title wrapped over centred lines
        return not prev.full or bool(line.indented)
    # a hard-wrapped dump: a paragraph ends at a sentence end or a clearly short line
    return bool(SENTENCE_END.search(before)) or width(before.strip()) < _SHORT_LINE * full


_PAIRS = ("（）", "()", "《》", "“”", "〔〕", "【】")
# the lines looked back over for an open bracket or quote: a quote wraps over a line or two, and a
# paragraph of thousands of lines (an OCR'd scan without indents) is not rescanned at every line
_QUOTE_LINES = 3


def _unclosed(text: str) -> bool:
    """More opening than closing marks of a pair: the text stops inside brackets or quotes."""
    return any(text.count(a) > text.count(b) for a, b in _PAIRS)


def _centred_block(group: list[SourceLine]) -> bool:
    """Lines set as a centred block: each centred, or full from margin to margin (a long title's
    first lines); a body paragraph starts indented and its last line falls short."""
    return all(line.centred or (line.full and not line.indented) for line in group)


_ASCII_WORD_END = re.compile(r"[A-Za-z0-9]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z0-9]")


def join_lines(parts: list[Traced]) -> Traced:
    """Join wrapped lines: Chinese lines with '' (a line break is no space in Chinese), two
    Latin words with ' '; the pieces of a number or a code's capitals with '' (a wrap inside
    〔2021〕44 / 5号, DB31/T 10 / 56-2017, （D / B31/T))."""
    pieces: list[Traced] = []
    for part in parts:
        part = part.strip()
        if not part.text:
            continue
        if pieces and _ASCII_WORD_END.search(pieces[-1].text) and _ASCII_WORD_START.match(part.text) \
                and not _inside_token(pieces[-1].text, part.text):
            pieces.append(Traced.inserted(" "))
        pieces.append(part)
    return concat(pieces)


_CAPITALS_END = re.compile(r"(?:^|[^A-Za-z])[A-Z]{1,4}$")


def _inside_token(before: str, after: str) -> bool:
    """A wrap inside a number (44 / 5号) or a code's capitals (（D / B31/T): no space between."""
    return (before[-1].isdigit() and after[0].isdigit()) or \
        (bool(_CAPITALS_END.search(before)) and after[0].isupper())


# Spaces that split Chinese text: between two CJK characters, or a CJK character and a digit
# ("2020 年 4 月", "等 部门"); up to three of them (wider gaps separate columns of a signature).
_SPLITTING_SPACES = re.compile(rf"(?<=[{CJK}])[ \n]{{1,3}}(?=[{CJK}0-9])|(?<=[0-9])[ \n]{{1,3}}(?=[{CJK}])")
_SPACE_RUN = re.compile(r"[ \n]{2,}|\n")


def compact_spaces(text: Traced) -> Traced:
    """Strip, remove the spaces that split Chinese text, collapse the other runs to one space."""
    text = text.strip().sub(_SPLITTING_SPACES)
    edits = []
    for m in _SPACE_RUN.finditer(text.text):
        if text.text[m.start()] == " ":
            edits.append((m.start() + 1, m.end(), ""))  # keep the first (source) space
        else:
            edits.append((m.start(), m.end(), " "))
    return text.edit(edits)
