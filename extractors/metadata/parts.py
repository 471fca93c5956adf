"""The parts of a document: the cover (the main text, or the 印发 / 转发 notice) and each annex
printed after it, with where each begins, its label and its title.

A 印发 / 转发 notice carries the plan, 细则 or 任务清单 it issues after its signature (GB/T 9704
§7.5: the annex follows the 落款, on a new page, headed 附件 / 附件1, then its own title). Text
copies keep that order but often lose the label: the plan's title follows the notice's date
directly. An annex begins at
  - a label alone on its line (附件, 附件2, 附件：, 附表1) that does not open a list of annexes
    (附件： / 1.…), its title on the next lines; or a label with the title after it
    (附件1：…实施方案) followed by the annex's text;
  - right after a signature (bodies, date, then only trailer lines such as （此件公开发布）), a
    title: a line ending in a genre word (…实施方案, …细则, …清单), or the name the text before
    it gave the attachment (印发《X》的通知, 附件：X), followed by the annex's text.
A date is a signature only after some body text: a date under the title followed by the title of
promulgated rules is not one.

Everything here works on the document's lines (lines.py) and reports line indices; a part runs
from its first line to the next part's first line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.metadata.annex import annex_label, clean_annex_title, similarity
from extractors.metadata.lines import (
    ANNEX_LABEL_RE,
    FIRST_ITEM_RE,
    SECTION_HEAD_RE,
    Line,
    is_body,
    is_chrome,
    is_trailer,
    join_lines,
    read_lines,
    title_lines_in,
    title_piece,
)
from extractors.metadata.organs import split_organs
from extractors.metadata.signature import signature_date_in
from extractors.metadata.vocabulary import compact
from schemas.document import Document

# a title this similar to a name the cover gave its attachment is that attachment
_NAME_MATCH = 0.85
# the names of attachments: 《…》 in the cover, and what 印发 / 转发 is done to in its title
_QUOTED_RE = re.compile(r"《([^《》]{4,80})》")
_ISSUED_RE = re.compile(r"(?:印发|转发|下达)(?P<name>[^《》，。；]{4,80}?)的(?:通知|函|决定)")
# the numbering that opens a list item or a section: 1. 1、 （1） 一、 （一）
_ITEM_RE = re.compile(r"^(?:[（(]?\d{1,2}[）)]|\d{1,2}[.．、](?!\d))")
# how many lines a wrapped title may take
_TITLE_LINES = 3
# trailer lines are short (（此件公开发布）, 抄送：…, XX办公室 2024年6月25日印发)
_TRAILER_CHARS = 40
# a top-level item (一、 二、): a second text printed after the first restarts them at 一、 within
# a few lines of its title
_TOP_ITEM_RE = re.compile(r"^([一二三四五六七八九十]{1,3})、")
_RESTART_WITHIN = 3


@dataclass(frozen=True)
class Part:
    """One part of a document: lines [start, end) of `read_lines`; `label` is the annex label as
    written (附件2, 附表) or None (the cover, or an annex whose label the copy lost); `title` the
    lines of its own title (None: the cover, whose title the head reader finds)."""

    index: int
    start: int
    end: int
    label: str | None = None
    title: tuple[int, int] | None = None  # [first, last] line indices
    title_text: str | None = None  # the title as one string, without the label

    @property
    def body_start(self) -> int:
        """The first line after the part's label and title."""
        if self.title is not None:
            return self.title[1] + 1
        return self.start + (1 if self.label else 0)

    @property
    def path_label(self) -> str:
        """What section paths of the part start with: its label; 附件 for an unlabelled annex."""
        return self.label or "附件"


@dataclass
class DocumentParts:
    lines: list[Line]
    parts: list[Part] = field(default_factory=list)


def document_parts(doc: Document, lines: list[Line] | None = None) -> DocumentParts:
    """The cover and the annexes of a document, in text order (one part when there is no annex)."""
    lines = read_lines(doc) if lines is None else lines
    out = DocumentParts(lines)
    if not lines:
        out.parts = [Part(0, 0, 0)]
        return out
    n = len(lines)
    starts: list[tuple[int, str | None, tuple[int, int] | None]] = [(0, None, None)]
    i = 1
    for k in range(min(3, n)):  # a text that is an annex itself opens with its label (附件2 / title)
        head = _labelled_start(lines, k)
        if head is not None and not any(is_body(ln.text) or ln.in_table for ln in lines[:k]):
            starts[0] = (0, head[1], head[2])
            i = head[2][1] + 1 if head[2] else k + 1
            break
    has_body = False  # body text since the current part began: a date before it is no signature
    top_seen = False  # a top-level item (一、) since the current part began
    while i < n:
        line = lines[i]
        labelled = _labelled_start(lines, i)
        if labelled is not None and has_body:
            starts.append(labelled)
            has_body = top_seen = False
            i = labelled[2][1] + 1 if labelled[2] else i + 1
            continue
        restart = _restarting_title(lines, i) if has_body and top_seen else None
        if restart is not None:
            # a second text printed after the first without a label or signature (…两个规定的通知:
            # one 规定, then the other's title and its 一、 again)
            starts.append((i, None, restart))
            has_body = top_seen = False
            i = restart[1] + 1
            continue
        if not line.in_table and has_body and signature_date_in(line.text):
            j = i + 1
            while j < n and _short_trailer(lines[j].text) and not _labelled_start(lines, j) and \
                    not _list_label(lines, j):
                j += 1
            if j < n and _labelled_start(lines, j) is None:
                title = _unlabelled_title(lines, j, _attachment_names(lines[starts[-1][0]:i]))
                if title is not None:
                    starts.append((j, None, title))
                    has_body = False
                    i = title[1] + 1
                    continue
        if line.in_table or is_body(line.text):
            has_body = True
        if _TOP_ITEM_RE.match(line.text):
            top_seen = True
        i += 1
    for k, (s, label, title) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else n
        out.parts.append(Part(k, s, end, label, title, _title_text(lines, title)))
    return out


def _title_text(lines: list[Line], title: tuple[int, int] | None) -> str | None:
    if title is None:
        return None
    text = join_lines(lines[title[0]:title[1] + 1])
    m = ANNEX_LABEL_RE.match(text)
    if m and (m.group("rest") or "").strip():  # 附件1：…实施方案 on one line
        text = m.group("rest").strip()
    return clean_annex_title(text)


def _list_label(lines: list[Line], i: int) -> bool:
    """附件： / 1.… : the head of a list of annexes."""
    m = ANNEX_LABEL_RE.match(lines[i].text)
    if not m or (m.group("rest") or "").strip():
        return False
    return i + 1 < len(lines) and FIRST_ITEM_RE.match(lines[i + 1].text) is not None


def _labelled_start(lines: list[Line], i: int) -> tuple[int, str, tuple[int, int] | None] | None:
    """(line, label, title lines) when line `i` is the label of an annex that follows."""
    line = lines[i]
    m = ANNEX_LABEL_RE.match(line.text)
    if not m or line.in_table or i + 1 >= len(lines):
        return None
    rest = (m.group("rest") or "").strip()
    nxt = lines[i + 1]
    if rest:
        # 附件1：…实施方案 and the annex's text below; not an entry of a list of annexes
        if FIRST_ITEM_RE.match(rest) or not title_piece(rest) or not _opens_content(nxt) \
                or ANNEX_LABEL_RE.match(nxt.text):
            return None
        return i, annex_label(m), (i, i)
    if FIRST_ITEM_RE.match(nxt.text) or ANNEX_LABEL_RE.match(nxt.text) or signature_date_in(nxt.text):
        return None
    cands = lines[i + 1:i + 1 + _TITLE_LINES + 2]
    chosen = title_lines_in(cands)
    if chosen and chosen[0] is nxt:
        first, last = i + 1, i + len(chosen)
        return i, annex_label(m), (first, last)
    if title_piece(nxt.text) and len(compact(nxt.text)) >= 4 and not nxt.in_table:
        return i, annex_label(m), (i + 1, i + 1)
    return i, annex_label(m), None


def _attachment_names(lines: list[Line]) -> list[str]:
    """The names the text before an annex gave its attachments: 《…》, 印发X的通知, 附件：X."""
    names = []
    joined = "".join(compact(ln.text) for ln in lines)  # a title wrapped over lines is one text
    names += _QUOTED_RE.findall(joined)
    names += [m.group("name") for m in _ISSUED_RE.finditer(joined)]
    for ln in lines:
        m = ANNEX_LABEL_RE.match(compact(ln.text))
        if m and (m.group("rest") or "").strip():
            names.append(clean_annex_title(m.group("rest")))
    return [n for n in names if len(n) >= 4]


def _unlabelled_title(lines: list[Line], j: int, names: list[str]) -> tuple[int, int] | None:
    """[first, last] of a title at line `j` that opens an annex without a label, else None."""
    named, best = None, _NAME_MATCH  # the title the text before named (印发《X》, 附件：X), the
    for k in range(j, min(len(lines), j + _TITLE_LINES)):  # strongest evidence; the closest wins
        if not title_piece(lines[k].text) or lines[k].in_table:
            break
        joined = join_lines(lines[j:k + 1])
        score = max((similarity(joined, name) for name in names), default=0.0)
        if score > best or (named is None and score >= best):
            named, best = k, score
    if named is not None:
        nxt = lines[named + 1] if named + 1 < len(lines) else None
        if nxt is None or is_chrome(nxt.text) or _short_trailer(nxt.text) or signature_date_in(nxt.text):
            return None
        return j, named
    chosen = title_lines_in(lines[j:j + _TITLE_LINES + 2])
    if not chosen or chosen[0] is not lines[j]:
        return None
    last = j + len(chosen) - 1
    # what follows a title known by its genre word only is the annex's text (no page furniture)
    k = last + 1
    while k < len(lines) and k - last <= 2 and not lines[k].in_table and (
            split_organs(lines[k].text) or (title_piece(lines[k].text) and not _ITEM_RE.match(lines[k].text)
                                            and not SECTION_HEAD_RE.match(lines[k].text))):
        k += 1  # the drafting body's line under the title (市住房城乡建设管理委 市房屋管理局), 目录
    if k >= len(lines) or not _opens_content(lines[k]):
        return None
    return j, last


def _short_trailer(t: str) -> bool:
    """A line that trails a signature (（此件公开发布）, 抄送：…, …印发, attachment links): short; a
    body sentence may well contain 印发 or 来源."""
    return is_trailer(t) and len(compact(t)) <= _TRAILER_CHARS


def _restarting_title(lines: list[Line], i: int) -> tuple[int, int] | None:
    """[first, last] of a title at line `i` (ending in a genre word) whose text restarts the
    numbering within the next lines (一、 again), else None."""
    if lines[i].in_table or SECTION_HEAD_RE.match(lines[i].text) or _ITEM_RE.match(lines[i].text):
        return None
    chosen = title_lines_in(lines[i:i + _TITLE_LINES + 2])
    if not chosen or chosen[0] is not lines[i]:
        return None
    last = i + len(chosen) - 1
    for k in range(last + 1, min(len(lines), last + 1 + _RESTART_WITHIN)):
        m = _TOP_ITEM_RE.match(lines[k].text)
        if m:
            return (i, last) if m.group(1) == "一" else None
    return None


def _opens_content(line: Line) -> bool:
    """A line that can open an annex's text: a table row, a sentence, a numbered heading."""
    t = line.text
    if is_chrome(t) or _short_trailer(t) or signature_date_in(t):
        return False
    return line.in_table or is_body(t) or _ITEM_RE.match(t) is not None or len(compact(t)) > 20
