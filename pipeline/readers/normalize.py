"""One normaliser for every reader: source lines and tables in, `Document` text and blocks out.

Readers hand over what they found in reading order: `SourceLine`s (a text line, a paragraph, a
PDF line with its geometry) and `SourceTable`s (rows of cells). Text files go through
`text_items` first, which splits lines and turns tab-separated lines into tables. `normalize`
then, in this order:

1. folds characters 1:1 (full-width digits/letters to ASCII, odd spaces to ' ') and drops
   zero-width characters;
2. takes the key/value metadata lines of the head into `header_fields` ("发布机构: …");
3. drops noise lines: page numbers, numeric junk, bullets, web furniture;
4. joins the lines of a paragraph (`Layout`): a PDF dump wrapped every ~28 characters is
   detected from its line-length statistics; PDF lines are joined from their geometry;
5. removes the spaces that split Chinese text ("2020 年 4 月" -> "2020年4月"), keeping the ones
   between Latin words ("DB 50/T");
6. lays the blocks out joined by one '\\n', table cells by one '\\t', and names block kinds
   where the numbering makes them obvious.

Every string is a `Traced`: it knows for each character where in the source it came from, so
the document's `source_map` stays right through every edit.
"""
from __future__ import annotations

import bisect
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Iterable, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from pipeline.readers.page_notes import is_page_note
from schemas.document import Block, BlockKind, Cell, Document, SourceRun

VOCABULARY_FILE = Path(__file__).parent / "data" / "normalize.yaml"


# ------------------------------------------------------------------------------------ Traced


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


# --------------------------------------------------------------------------- the vocabulary


class Vocabulary(BaseModel):
    """pipeline/readers/data/normalize.yaml: metadata keys and web furniture."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    header_keys: tuple[str, ...]
    furniture_words: tuple[str, ...]
    furniture_labels: tuple[str, ...]

    @field_validator("header_keys", "furniture_words", "furniture_labels")
    @classmethod
    def _plain_words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        for word in words:
            if not word or re.search(r"[\s:：]", word):
                raise ValueError(f"{word!r}: entries are single words without spaces or colons")
        if len(set(words)) != len(words):
            raise ValueError("duplicate entries")
        return words


@cache
def vocabulary() -> Vocabulary:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same result, 7x faster
    return Vocabulary.model_validate(yaml.load(VOCABULARY_FILE.read_text(encoding="utf-8"), Loader=loader))


def _spaced(word: str) -> str:
    """A regex for `word` with any spacing between its characters ("索  引  号")."""
    return r"\s*".join(re.escape(ch) for ch in word)


@cache
def _header_key_pattern() -> re.Pattern:
    keys = sorted(vocabulary().header_keys, key=len, reverse=True)  # 主题分类 before 主题
    return re.compile(r"(?:^|(?<=\s))(?P<key>" + "|".join(map(_spaced, keys)) + r")\s*[:：]")


@cache
def _furniture_label_pattern() -> re.Pattern:
    labels = sorted(vocabulary().furniture_labels, key=len, reverse=True)
    return re.compile(r"(?:^|\s)(?:" + "|".join(map(_spaced, labels)) + r")\s*[:：]")


# ---------------------------------------------------------------------- character classes

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


# ------------------------------------------------------------------------ line patterns

_CN_NUMBER = "[一二三四五六七八九十百零〇两]{1,4}"
# The numbering that opens a 公文 section or item: 一、 （一） 1. 1、 （1） 1） ① 第一章 第三条.
# "1." must not be a decimal ("1.5万人").
NUMBERING = re.compile(
    r"\s*(?:"
    rf"{_CN_NUMBER}[、．]"
    rf"|[（(]{_CN_NUMBER}[）)]"
    r"|\d{1,2}(?:[、．]|\.(?!\d))"
    r"|[（(]\d{1,2}[）)]"
    r"|\d{1,2}[）)]"
    r"|[\u2460-\u2473\u2776-\u277f]"
    rf"|第(?:{_CN_NUMBER}|\d{{1,3}})[编章节条款部分]"
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

# Noise lines. A page number: "1", "- 3 -", "—3—", "第 3 页", "第3页 共10页", "3/10".
PAGE_NUMBER = re.compile(
    r"\s*(?:"
    r"[^\w\s]{0,3}\s*\d{1,3}\s*[^\w\s]{0,3}"
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
    return _furniture_label_pattern().search(line) is not None


@cache
def _furniture_words() -> frozenset[str]:
    return frozenset(vocabulary().furniture_words)


def header_fields_of(line: str) -> dict[str, str]:
    """The key/value pairs of a metadata line, keys without spaces ("名       称: …" -> 名称)."""
    keys = list(_header_key_pattern().finditer(line))
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
    return _header_key_pattern().match(line[_LEADING_BULLETS.match(line).end() :]) is not None


# -------------------------------------------------------------------- items from readers


@dataclass(slots=True)
class SourceLine:
    """A line or paragraph of source text, in reading order."""

    text: Traced
    kind: BlockKind | None = None  # known from the container: a docx heading style, a markdown '#'
    # PDF geometry, None when unknown: the line reaches the right margin; it starts indented
    full: bool | None = None
    indented: bool | None = None


@dataclass(slots=True)
class SourceCell:
    text: Traced  # lines of a cell are separated by '\n'
    col: int  # first grid column
    span: int = 1  # grid columns covered (a merged cell is read once)


@dataclass(slots=True)
class SourceTable:
    rows: list[list[SourceCell]]
    header_rows: int | None = None  # leading rows the container marks as headers; None: guess
    # a PDF table that goes on from the previous page: same table, repeated header row dropped
    continues_previous: bool = False
    # header cells name the rightmost columns when a text table's header has fewer cells
    align_header_right: bool = False


Item = SourceLine | SourceTable


class Layout(Enum):
    """How source lines make paragraphs."""

    LINES = "lines"  # each line is a paragraph (text files, docx paragraphs, HTML blocks)
    WRAPPED = "wrapped"  # hard-wrapped PDF dump: lines are joined into paragraphs
    GEOMETRY = "geometry"  # PDF lines with full/indented hints


# ---------------------------------------------------------------------- text files → items

_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0c\u2028\u2029\x85]")
_TAB = re.compile(r"\t")
# markdown syntax (LawRefBook): '#' heading marks, bold/italic markers, block quotes, comments
_MD_HEADING = re.compile(r"\s*(#{1,6})\s+")
_MD_EMPHASIS = re.compile(r"\*\*|__")
_MD_QUOTE = re.compile(r"\s*>\s?")
_MD_COMMENT = re.compile(r"<!--.*?-->")


def text_items(source: str, *, markdown: bool = False, start: int = 0) -> list[Item]:
    """Lines of a decoded text file from offset `start` on (what comes before is no text, e.g.
    front matter); consecutive tab-separated lines become tables."""
    lines = Traced.from_source(source).slice(start, len(source)).split(_LINE_BREAK)
    if markdown:
        lines = [markdown_line(line) for line in lines]
    return group_text_tables(lines)


def markdown_line(line: Traced) -> SourceLine:
    """Markdown syntax out, text kept: '# 标题' is the title, '## 第一章' a heading."""
    line = line.sub(_MD_COMMENT)
    kind = None
    if m := _MD_HEADING.match(line.text):
        kind = "title" if len(m.group(1)) == 1 else "heading"
        line = line.slice(m.end(), len(line))
    elif m := _MD_QUOTE.match(line.text):
        line = line.slice(m.end(), len(line))
    return SourceLine(line.sub(_MD_EMPHASIS), kind=kind)


def group_text_tables(lines: list[Traced | SourceLine]) -> list[Item]:
    """Tab-separated lines form a table; blank and noise lines inside it do not end it; a line
    without tabs between two tab lines continues the cell above it (a cell broken over lines)."""
    items: list[Item] = []
    i, n = 0, len(lines)
    texts = [line.text.text if isinstance(line, SourceLine) else line.text for line in lines]
    while i < n:
        if "\t" not in texts[i]:
            line = lines[i]
            items.append(line if isinstance(line, SourceLine) else SourceLine(line))
            i += 1
            continue
        rows: list[list[Traced]] = []
        j = i
        while j < n:
            if "\t" in texts[j]:
                rows.append(_text_line(lines[j]).split(_TAB))
                j += 1
                continue
            k = _next_content(texts, j)  # blank and noise lines do not end a table
            if k < n and "\t" in texts[k]:
                j = k
                continue
            after = _next_content(texts, k + 1)
            if k < n and after < n and "\t" in texts[after] and _continues_cell(rows[-1], texts[k]):
                row = rows[-1]
                c = max((c for c, cell in enumerate(row) if cell.text.strip()), default=len(row) - 1)
                row[c] = concat([row[c], Traced.inserted("\n"), _text_line(lines[k])])
                j = k + 1
                continue
            break
        items.append(_text_table(rows))
        i = j
    return items


def _text_line(line: Traced | SourceLine) -> Traced:
    return line.text if isinstance(line, SourceLine) else line


def _next_content(texts: list[str], j: int) -> int:
    """The next line that is neither blank nor noise."""
    while j < len(texts) and (not texts[j].strip() or is_noise_line(texts[j])):
        j += 1
    return j


def _continues_cell(row: list[Traced], line: str) -> bool:
    last = next((cell.text for cell in reversed(row) if cell.text.strip()), "")
    return bool(last) and not SENTENCE_END.search(last) and not _starts_block(line)


def _text_table(rows: list[list[Traced]]) -> SourceTable:
    filled = [[c for c in row if c.text.strip()] for row in rows]
    if len(rows) >= 2 and all(len(cells) <= 1 for cells in filled):
        rows = _cells_per_line(filled)
    return SourceTable(
        rows=[[SourceCell(cell, col) for col, cell in enumerate(row)] for row in rows],
        align_header_right=True,
    )


def _cells_per_line(filled: list[list[Traced]]) -> list[list[Traced]]:
    """A table printed one cell per line (each line holds one cell after a tab): the cells of
    one row follow each other; a new row starts at the next sequence number (1, 2, …)."""
    rows: list[list[Traced]] = []
    expected = 1
    for cells in filled:
        if not cells:
            continue
        cell = cells[0]
        if rows and cell.text.strip() != str(expected):
            rows[-1].append(cell)
            continue
        rows.append([cell])
        if cell.text.strip() == str(expected):
            expected += 1
    return rows


# ------------------------------------------------------------------------- paragraphs


def _starts_block(line: str) -> bool:
    return bool(NUMBERING.match(line) or ANNEX.match(line) or DOC_NUMBER_LINE.match(line))


def detect_layout(lines: list[str]) -> Layout:
    """WRAPPED when most lines share one width (a PDF text dump broken every ~28 characters),
    LINES when each line is a paragraph of its own length."""
    widths = [width(line.strip()) for line in lines if line.strip()]
    wide = sorted(w for w in widths if w >= 20)
    if len(wide) < 6:
        return Layout.LINES
    full = _full_width(wide)
    in_band = sum(1 for w in widths if full - 6 <= w <= full + 2)
    return Layout.WRAPPED if full <= 120 and in_band >= 0.4 * len(widths) else Layout.LINES


def _full_width(widths: list[int]) -> int:
    """The width of a full line: the most common width (the larger one on a tie)."""
    counts = Counter(widths)
    return max(counts, key=lambda w: (counts[w], w))


def paragraphs(lines: list[SourceLine], layout: Layout) -> list[list[SourceLine]]:
    """Group the lines of one stretch of text into paragraphs."""
    lines = [line for line in lines if line.text.text.strip()]
    if layout is Layout.LINES:
        return [[line] for line in lines]
    full = _full_width([width(line.text.text.strip()) for line in lines]) if lines else 0
    groups: list[list[SourceLine]] = []
    for line in lines:
        if not groups or line.kind or groups[-1][-1].kind or _breaks_before(groups[-1][-1], line, layout, full):
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


# a line shorter than this share of a full line ends its paragraph (the last line of a paragraph;
# a title; a salutation)
_SHORT_LINE = 0.75


def _breaks_before(prev: SourceLine, line: SourceLine, layout: Layout, full: int) -> bool:
    text, before = line.text.text, prev.text.text
    if _starts_block(text) or DOC_NUMBER_LINE.match(before) or DATE_LINE.match(before):
        return True
    if layout is Layout.GEOMETRY:
        return not prev.full or bool(line.indented)
    # a hard-wrapped dump: a paragraph ends at a sentence end or a clearly short line
    return bool(SENTENCE_END.search(before)) or width(before.strip()) < _SHORT_LINE * full


_ASCII_WORD_END = re.compile(r"[A-Za-z0-9]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z0-9]")


def join_lines(parts: list[Traced]) -> Traced:
    """Join wrapped lines: Chinese lines with '' (a line break is no space in Chinese), two
    Latin words with ' '."""
    pieces: list[Traced] = []
    for part in parts:
        part = part.strip()
        if not part.text:
            continue
        if pieces and _ASCII_WORD_END.search(pieces[-1].text) and _ASCII_WORD_START.match(part.text):
            pieces.append(Traced.inserted(" "))
        pieces.append(part)
    return concat(pieces)


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


# ------------------------------------------------------------------------------ tables


_LABEL_PUNCTUATION = re.compile(r"[\d，。；、,.;:：！？]")


def looks_like_header(cells: list[str]) -> bool:
    """A header row: at least two cells, all short label words (序号, 主要工作任务, 责任单位)."""
    labels = [c for c in cells if c]
    return len(labels) >= 2 and all(len(c) <= 10 and not _LABEL_PUNCTUATION.search(c) for c in labels)


def right_aligned(header: list[tuple[int, int, str]], n_cols: int) -> list[tuple[int, int, str]]:
    """A text table's header row may have fewer cells than its data rows (a merged header cell
    loses its span in a text dump): its cells then name the rightmost columns."""
    while header and not header[-1][2]:
        header = header[:-1]
    shift = max(n_cols - (header[-1][0] + header[-1][1]), 0) if header else 0
    return [(col + shift, span, label) for col, span, label in header]


def column_headers(header: list[tuple[int, int, str]], n_cols: int) -> list[str | None]:
    """The header label of each grid column, from the (col, span, label) of the header cells.

    A label covers its span and the empty header cells right of it (what remains of a merged
    cell); columns left of the first label take the first label (a merged header spanning
    leftwards over the columns a text dump dropped).
    """
    n_cols = max(n_cols, max((col + span for col, span, _ in header), default=0))
    labels: list[str | None] = [None] * n_cols
    for col, span, label in header:
        for c in range(col, min(col + span, n_cols)):
            labels[c] = label or None
    for c in range(1, n_cols):
        if labels[c] is None:
            labels[c] = labels[c - 1]
    first = next((label for label in labels if label), None)
    return [label or first for label in labels] if first else [None] * n_cols


# ------------------------------------------------------------------------------ kinds

_ARTICLE = re.compile(rf"\s*第(?:{_CN_NUMBER}|\d{{1,3}})[条款]")
_HEADING_MAX = 40  # characters; a numbered line this short with one sentence at most is a heading


def guess_kind(text: str) -> BlockKind:
    """heading / annex_heading where the numbering makes it obvious; paragraph otherwise."""
    if ANNEX_HEADING.match(text):
        return "annex_heading"
    if _ARTICLE.match(text):  # 第三条 …: an article of a regulation is an item, not a heading
        return "paragraph"
    if NUMBERING.match(text) and len(text) <= _HEADING_MAX and not re.search(r"[。；！？;!?]", text.rstrip("。")):
        return "heading"
    if re.match(r"\s*第(?:" + _CN_NUMBER + r"|\d{1,3})[编章节]", text) and len(text) <= _HEADING_MAX:
        return "heading"
    return "paragraph"


def _kind(container_kind: BlockKind | None, text: str) -> BlockKind:
    """The container's kind (a heading style) unless the text says more (附件1 in a heading style)."""
    guessed = guess_kind(text)
    if container_kind is None or (container_kind == "heading" and guessed == "annex_heading"):
        return guessed
    return container_kind


_SIGNATORY = re.compile(r"[^，。；：:,;、《》“”]{2,30}")


def mark_signature(blocks: list[_Block]) -> None:
    """The date under the signature and the issuer lines right above it are `signature`."""
    at = next((k for k in range(len(blocks) - 1, max(len(blocks) - 7, -1), -1)
               if blocks[k].kind != "table_row" and DATE_LINE.match(blocks[k].text.text)), None)
    if at is None:
        return
    blocks[at].kind = "signature"
    at -= 1
    for _ in range(20):
        if at < 0:
            break
        text = blocks[at].text.text
        if blocks[at].kind != "paragraph" or not _SIGNATORY.fullmatch(text) or _starts_block(text):
            break
        blocks[at].kind = "signature"
        at -= 1


# ---------------------------------------------------------------------------- assembly


@dataclass(slots=True)
class _Block:
    kind: BlockKind
    text: Traced
    cells: list[tuple[Traced, int, str | None]] = field(default_factory=list)  # (text, col, header)
    table_id: int | None = None
    row: int | None = None


class Normalised(BaseModel):
    """What `normalize` returns: the `Document` fields it fills."""

    text: str
    blocks: list[Block]
    source_map: list[SourceRun]
    header_fields: dict[str, str]


def normalize(items: list[Item], layout: Layout | None = None) -> Normalised:
    """Normalise the items of one document (see the module docstring for the steps).

    `layout` None: detect from the lines (text files); readers of paragraphs pass LINES, the
    PDF reader GEOMETRY.
    """
    items = [_fold_item(item) for item in items]
    fields, items = _take_header_fields(items)
    items = [item for item in items if not (isinstance(item, SourceLine) and is_noise_line(item.text.text))]
    if layout is None:
        layout = detect_layout([item.text.text for item in items if isinstance(item, SourceLine)])
    blocks: list[_Block] = []
    stretch: list[SourceLine] = []
    tables = _TableNumbering()
    for item in [*items, None]:
        if isinstance(item, SourceLine):
            stretch.append(item)
            continue
        for group in paragraphs(stretch, layout):
            text = compact_spaces(join_lines([line.text for line in group]))
            if text.text:
                blocks.append(_Block(_kind(group[0].kind, text.text), text))
        stretch = []
        if item is not None:
            blocks.extend(tables.rows_of(item))
    mark_signature(blocks)
    return _assemble(blocks, fields)


def normalize_text(source: str, *, markdown: bool = False, source_path: str = "<text>") -> Document:
    """A decoded text (a .txt or .md file's content) as a Document, without a file: what
    `read_document` makes of a text file, doc_id the sha256 of the text in UTF-8."""
    result = normalize(text_items(source, markdown=markdown))
    return Document(doc_id=hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest(),
                    source_path=source_path, format="md" if markdown else "txt", text=result.text,
                    blocks=result.blocks, source_map=result.source_map, header_fields=result.header_fields)


def _fold_item(item: Item) -> Item:
    if isinstance(item, SourceLine):
        return SourceLine(fold(item.text), item.kind, item.full, item.indented)
    rows = [[SourceCell(fold(c.text), c.col, c.span) for c in row] for row in item.rows]
    return SourceTable(rows, item.header_rows, item.continues_previous, item.align_header_right)


_HEAD_LINES = 40


def _take_header_fields(items: list[Item]) -> tuple[dict[str, str], list[Item]]:
    """Metadata lines among the first lines ("• 发布机构: … 发文日期: …") go to header_fields and
    out of the text; at least two such lines, so that a lone body line "主题：…" stays. A web
    page's metadata table flattened one cell per line (索取号 / 3589…/2024-00028 / 载体类型 /
    发布机构 / 上海市… ) is taken the same way (`_bare_key_block`)."""
    head = [i for i, item in enumerate(items[:_HEAD_LINES]) if isinstance(item, SourceLine)
            and is_header_field_line(item.text.text)]
    fields: dict[str, str] = {}
    drop: set[int] = set()
    if len(head) >= 2:
        for i in head:
            for key, value in header_fields_of(items[i].text.text).items():
                fields.setdefault(key, compact_spaces(Traced.inserted(value)).text)
        drop |= set(head)
    for key, value, taken in _bare_key_block(items):
        if value:
            fields.setdefault(key, compact_spaces(Traced.inserted(value)).text)
        drop |= taken
    if not drop:
        return {}, items
    return fields, [item for i, item in enumerate(items) if i not in drop]


# a flattened metadata table has several labels alone on their lines; fewer are body lines
_BARE_KEYS_MIN = 3


def _bare_key_block(items: list[Item]) -> list[tuple[str, str, set[int]]]:
    """(key, value, item indices) of a metadata table flattened one cell per line in the head: a
    line that is a metadata key alone, followed by its value line unless the next line is a key
    too (an empty cell). The block ends at the first line after a value that is not a key."""
    keys = set(vocabulary().header_keys)
    texts = [re.sub(r"\s+", "", item.text.text) if isinstance(item, SourceLine) else None
             for item in items[:_HEAD_LINES]]
    texts += [None]
    out: list[tuple[str, str, set[int]]] = []
    i = 0
    while i < len(texts) - 1:
        if texts[i] not in keys:
            if out:
                break
            i += 1
            continue
        key, taken = texts[i], {i}
        value = ""
        # the next line is the value, unless it is a key (an empty cell) or the document's text
        # (a salutation, a sentence: the block has ended)
        nxt = texts[i + 1]
        if nxt and nxt not in keys and not nxt.endswith(("：", ":")) and "。" not in nxt:
            value = items[i + 1].text.text.strip()
            taken.add(i + 1)
        out.append((key, value, taken))
        i = max(taken) + 1
    return out if len(out) >= _BARE_KEYS_MIN else []


class _TableNumbering:
    """Turns tables into table_row blocks, numbering tables and their rows; a PDF table that
    continues on the next page keeps its id, headers and row count."""

    def __init__(self) -> None:
        self.table_id = -1
        self.next_row = 0
        self.headers: list[str | None] = []
        self.header_text = ""

    def rows_of(self, table: SourceTable) -> list[_Block]:
        rows = [[(compact_spaces(join_lines(c.text.split(_NEWLINE))), c.col, c.span) for c in row] for row in table.rows]
        rows = [[(_drop_junk(t), col, span) for t, col, span in row] for row in rows]
        rows = [_trimmed(row) for row in rows]
        rows = [row for row in rows if row]
        if not rows:
            return []
        continuing = table.continues_previous and self.table_id >= 0
        if continuing and self.header_text and _row_key(rows[0]) == self.header_text:
            rows = rows[1:]  # the header row repeated on the new page
        if not continuing:
            self.table_id += 1
            self.next_row = 0
            self.headers, self.header_text = [], ""
            header_at = self._header_row(table, rows)
            if header_at is not None:
                rows[header_at] = self._name_columns(table, rows, header_at)
        blocks = []
        for cells in rows:
            texts = [Traced.inserted("\t") if k else EMPTY for k in range(len(cells))]
            text = concat(p for pair in zip(texts, (t for t, _, _ in cells)) for p in pair)
            named = [(t, col, self.headers[col] if col < len(self.headers) else None) for t, col, _ in cells]
            blocks.append(_Block("table_row", text, named, self.table_id, self.next_row))
            self.next_row += 1
        return blocks

    @staticmethod
    def _header_row(table: SourceTable, rows: list[list[tuple[Traced, int, int]]]) -> int | None:
        if table.header_rows:
            return min(table.header_rows, len(rows)) - 1
        return next((k for k, row in enumerate(rows[:3]) if looks_like_header([t.text for t, _, _ in row])), None)

    def _name_columns(self, table: SourceTable, rows: list, header_at: int) -> list[tuple[Traced, int, int]]:
        """Set the column headers from row `header_at`; returns that row with its cells at the
        columns they name."""
        row = rows[header_at]
        data_cols = max((col + span for r in rows[header_at + 1 :] for _, col, span in r), default=0)
        header = [(col, span, re.sub(r"\s+", "", t.text)) for t, col, span in row]
        if table.align_header_right:
            header = right_aligned(header, data_cols)
            row = [(t, col, span) for (t, _, _), (col, span, _) in zip(row, header)]
        self.headers = column_headers(header, data_cols)
        self.header_text = _row_key(row)
        return row


_NEWLINE = re.compile(r"\n")


def _trimmed(row: list[tuple[Traced, int, int]]) -> list[tuple[Traced, int, int]]:
    while row and not row[-1][0].text:
        row = row[:-1]
    return row


def _row_key(row: list[tuple[Traced, int, int]]) -> str:
    return "".join(re.sub(r"\s+", "", t.text) for t, _, _ in row)


def _drop_junk(cell: Traced) -> Traced:
    """A cell holding only numeric junk ("- 74.24", a page number slipped into a table) is empty."""
    return EMPTY if NUMERIC_JUNK.match(cell.text) else cell


def _assemble(blocks: list[_Block], fields: dict[str, str]) -> Normalised:
    parts: list[Traced] = []
    out_blocks: list[Block] = []
    at = 0
    for block in blocks:
        if parts:
            parts.append(_NL)
            at += 1
        cells, cell_at = [], at
        for text, col, header in block.cells:
            cells.append(Cell(col=col, start=cell_at, end=cell_at + len(text), header=header))
            cell_at += len(text) + 1
        out_blocks.append(Block(kind=block.kind, start=at, end=at + len(block.text), page=block.text.page,
                                table_id=block.table_id, row=block.row, cells=cells))
        parts.append(block.text)
        at += len(block.text)
    text = concat(parts)
    source_map = [SourceRun(text_start=r.start, source_start=r.source, length=r.length, page=r.page)
                  for r in text.runs if r.source is not None]
    return Normalised(text=text.text, blocks=out_blocks, source_map=source_map, header_fields=fields)


_NL = Traced.inserted("\n")
