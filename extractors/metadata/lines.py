"""The document as lines, and what one pass over them finds (the Frame).

Metadata sits in the frame of a 公文 (版头, title, 落款, 版记), which is written line by line, so
the readers below work on lines of Document.text and keep every offset into that text. This module
holds the line model, the line patterns and classifiers the head, signature and annex readers
share, and the title finder both the head and the annexes use.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from extractors.metadata.dates import DATE_ONLY_RE, DATE_RE
from extractors.metadata.doc_numbers import own_doc_number_in
from extractors.metadata.doc_types import doc_type_of_title
from extractors.metadata.organs import split_organs
from extractors.metadata.vocabulary import RULES, HeaderRole, Span, compact, has_han
from extractors.rules import alternation
from schemas.document import Document

# marks that open a line without being content: markdown heading marks, bullets
_LINE_LEAD_RE = re.compile(r"^[\s#•·●◆■▪◇○\*>]*")
_SENTENCE_PUNCT_RE = re.compile(r"[，。；！？,;!?：:]")
# the numbering that opens a body section: 一、 （一） 第一章 第一条
SECTION_HEAD_RE = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十百零\d]+[章条节])")
PAREN_ONLY_RE = re.compile(r"^[（(][^（）()]{1,30}[)）]$")
# annex labels: 附件2 / 附件 2 / 附件二 / 附件：… / 附件2：title; 附表 (an attached table) likewise; 附：title
ANNEX_LABEL_RE = re.compile(
    r"^附\s*(?P<word>[件表]|(?=[:：]))\s*(?P<n>\d{1,2}|[一二三四五六七八九十]{1,3})?\s*(?:[:：.．、\-—]\s*(?P<rest>.*))?$")
# the first item of a numbered annex list: 1. / 1、 / （1）
FIRST_ITEM_RE = re.compile(r"^[（(]?\s*1\s*[.．、)）]")
# an attachment's file name ending (.pdf, .docx …): web pages list annexes as download links
FILE_EXT_RE = re.compile(rf"(?:{alternation(RULES.annex_file_extensions)})\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Line:
    """A non-empty line of Document.text; `text` is its content without surrounding whitespace,
    markdown heading marks or bullets, found at text[start:end] of the document."""

    start: int
    end: int
    text: str
    in_table: bool

    @property
    def multi_cell(self) -> bool:
        """A table row with more than one filled cell (a one-cell row can be a table's title)."""
        return self.in_table and "\t" in self.text

    def span_of(self, m: re.Match) -> Span:
        """The document span of a match found in this line's text."""
        return self.start + m.start(), self.start + m.end()


def read_lines(doc: Document) -> list[Line]:
    text = doc.text
    table_rows = sorted((b.start, b.end) for b in doc.blocks if b.kind == "table_row")
    row_starts = [s for s, _ in table_rows]
    out: list[Line] = []
    pos = 0
    for raw in text.split("\n"):
        s, e = pos, pos + len(raw)
        pos = e + 1
        lead = _LINE_LEAD_RE.match(raw).end()
        content = raw[lead:].rstrip()
        if not content:
            continue
        start = s + lead
        i = bisect_right(row_starts, start) - 1
        in_table = "\t" in raw or (i >= 0 and table_rows[i][0] <= start < table_rows[i][1])
        out.append(Line(start, start + len(content), content, in_table))
    return out


@dataclass
class Found:
    """A value and where it was found (span None: header_fields or inferred)."""

    value: object
    span: Span | None = None
    source: str = ""


def found_in_line(value: str, line: Line, source: str, after: int = 0) -> Found:
    """`value` with its document span, looked up in `line` from `after` on (no span when absent)."""
    k = line.text.find(value, after)
    return Found(value, (line.start + k, line.start + k + len(value)) if k >= 0 else None, source)


def first_of_each_value(found: Sequence[Found]) -> list[Found]:
    """`found` without repeated values (the first finding of each value stays)."""
    seen: set[str] = set()
    out = []
    for f in found:
        if f.value not in seen:
            seen.add(str(f.value))
            out.append(f)
    return out


@dataclass
class Frame:
    """Everything located in one pass over the document's lines."""

    lines: list[Line]
    header: dict[HeaderRole, Found] = field(default_factory=dict)
    header_line_ids: set[int] = field(default_factory=set)
    zone_end: int = 0
    title_lines: list[Line] = field(default_factory=list)
    letterhead: list[Found] = field(default_factory=list)
    doc_number: Found | None = None
    top_date: Found | None = None
    adoption_issuers: list[Found] = field(default_factory=list)
    adoption_date: Found | None = None
    signature_issuers: list[Found] = field(default_factory=list)
    signature_date: Found | None = None
    date_spans: list[Span] = field(default_factory=list)
    is_annex: bool = False
    annex_label: str | None = None
    annex_title: Found | None = None
    annex_titles: list[str] = field(default_factory=list)
    main_end: int = 0

    def note_dates(self, line: Line) -> None:
        """Record every date on a frame line (发文日期, 来源 2024-02-22, 版记) as metadata: dates,
        but no time limits."""
        for m in DATE_RE.finditer(line.text):
            self.date_spans.append(line.span_of(m))


# ---------------------------------------------------------------------------------------------
# What a line is
# ---------------------------------------------------------------------------------------------

def is_chrome(t: str) -> bool:
    """Web page furniture (来源, 浏览次数, markup left in the text)."""
    return any(m in t for m in RULES.chrome_markers) or "<!--" in t or (">" in t and "》" not in t)


def is_trailer(t: str) -> bool:
    """A line that may follow the signature: publication marks, the 版记, page furniture, an
    annex list or attachment links placed under the signature on web pages."""
    return (any(m in t for m in RULES.trailer_markers) or not has_han(t) or t.startswith(("附件", "附 件"))
            or FILE_EXT_RE.search(t) is not None)


def is_salutation(t: str) -> bool:
    return t.endswith(("：", ":")) or (t.startswith("各") and re.search(r"[，、,：:]", t) is not None)


def is_body(t: str) -> bool:
    return "。" in t or (len(t) > 80 and re.search(r"[，,；;]", t) is not None) or SECTION_HEAD_RE.match(t) is not None


def title_piece(t: str) -> bool:
    """A line that can be (part of) a title: short, Chinese, no sentence punctuation, and none of
    the frame's other lines (date, number, annex label, bodies, salutation)."""
    return (2 <= len(t) <= 80 and has_han(t) and not _SENTENCE_PUNCT_RE.search(t)
            and not is_chrome(t) and not DATE_ONLY_RE.match(t) and own_doc_number_in(t) is None
            and not ANNEX_LABEL_RE.match(t) and not t.startswith(("各", "抄送", "特此", "此复", "现将"))
            and not split_organs(t))


def _is_title_end(t: str) -> bool:
    return title_piece(t) and doc_type_of_title(t) is not None


# ---------------------------------------------------------------------------------------------
# Titles
# ---------------------------------------------------------------------------------------------

def find_title(cands: list[Line]) -> tuple[int, int] | None:
    """(first, last) index into `cands` of the title lines: the first line ending with a doc-type
    word, with up to three lines above it (back to 关于) and a short tail or （试行） below it."""
    for pos, line in enumerate(cands):
        if not _is_title_end(line.text):
            continue
        first = pos
        if "关于" not in line.text:
            k = pos - 1
            while k >= 0 and pos - k <= 3:
                prev = cands[k].text
                if not title_piece(prev) or (len(compact(prev)) < 4 and "关于" not in prev):
                    break
                first = k
                if "关于" in prev:
                    break
                k -= 1
        last = pos
        k = pos + 1
        while k < len(cands) and k - pos <= 2:
            nxt = cands[k].text
            if PAREN_ONLY_RE.match(compact(nxt)) or (
                    title_piece(nxt) and len(compact(nxt)) <= 20 and doc_type_of_title(nxt) is not None):
                last = k
                k += 1
            else:
                break
        if len(compact("".join(c.text for c in cands[first:last + 1]))) < 6:
            continue  # 特急, 通知 alone: no title
        return first, last
    return None


def title_lines_in(lines: Sequence[Line]) -> list[Line]:
    """The title lines among `lines` (multi-cell table rows are never a title), else []."""
    cands = [ln for ln in lines if not ln.multi_cell]
    found = find_title(cands)
    return cands[found[0]:found[1] + 1] if found else []


def join_lines(lines: Sequence[Line]) -> str:
    """A title wrapped over lines as one string (spaces inside a line kept as one)."""
    if len(lines) == 1:
        return re.sub(r"\s+", " ", lines[0].text)
    return "".join(re.sub(r"\s+", " ", ln.text) for ln in lines)
