"""Annexes (附件): the annex a text is (附件2 at its top, then its title), the annexes a document
lists (附件：1.…2.… under the body, or appended after the signature), and which document an annex
belongs to (`match_annex`, by title)."""
from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from extractors.metadata.lines import (
    ANNEX_LABEL_RE,
    FILE_EXT_RE,
    FIRST_ITEM_RE,
    SECTION_HEAD_RE,
    Found,
    Frame,
    Line,
    is_chrome,
    join_lines,
    title_lines_in,
    title_piece,
)
from extractors.metadata.model import DocumentMetadata
from extractors.metadata.organs import split_organs
from extractors.metadata.signature import signature_date_in
from extractors.metadata.vocabulary import compact
from extractors.numerals import to_number

# an annex list item runs over at most this many lines before the list is taken to have ended
_ANNEX_LIST_LINES = 12
# an annex title this similar to a listed one is that annex (a copy may differ by a character)
_MATCH_THRESHOLD = 0.85


def annex_label(m: re.Match) -> str:
    """附件 / 附表 with its number in digits (附件二 -> 附件2), from an ANNEX_LABEL_RE match."""
    n = m.group("n")
    if n and not n.isdigit():
        value = to_number(n)
        n = str(int(value)) if value is not None else n
    return f"附{m.group('word') or '件'}{n or ''}"  # 附：…清单 is an annex as 附件：… is


def _standalone_label(t: str) -> re.Match | None:
    m = ANNEX_LABEL_RE.match(t)
    return m if m and not (m.group("rest") or "").strip() else None


def _numbered_items(s: str) -> list[str]:
    """1.淄博市…名单2.全市…分解表 -> both titles (numbers counted up from 1, 1.5 not a number)."""
    marks = []
    pos, n = 0, 1
    while True:
        rx = re.compile(rf"(?<!\d)(?:[（(]\s*{n}\s*[)）]|{n}\s*[.．、](?!\d))")
        m = rx.search(s, pos)
        if m is None or (n == 1 and s[:m.start()].strip()):
            break
        marks.append(m)
        pos, n = m.end(), n + 1
    if not marks:
        return [s]
    return [s[a.end():(marks[k + 1].start() if k + 1 < len(marks) else len(s))] for k, a in enumerate(marks)]


def clean_annex_title(t: str) -> str:
    """A listed annex title without spaces, closing punctuation or a file extension (.docx)."""
    t = compact(t).rstrip("；;。，,")
    t = FILE_EXT_RE.sub("", t)
    return t.rstrip("；;。，,")


def _continues_list(t: str, line: Line) -> bool:
    return not (line.in_table or len(t) > 60 or "。" in t or SECTION_HEAD_RE.match(t) or split_organs(t)
                or signature_date_in(t) or t.startswith(("抄送", "附件", "附 件")))


def read_annex_list(frame: Frame, start: int) -> None:
    """The annex titles listed under 附件： in the main text (one per numbered item, an item
    possibly wrapped over lines)."""
    lines = frame.lines
    chunks: list[str] = []
    i = start
    while i < frame.main_end:
        m = ANNEX_LABEL_RE.match(lines[i].text)
        if not m or lines[i].in_table:
            i += 1
            continue
        rest = (m.group("rest") or "").strip()
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""
        if not rest and not FIRST_ITEM_RE.match(nxt):
            i += 1
            continue
        chunks.append(rest)
        k = i + 1
        while k < frame.main_end and k - i <= _ANNEX_LIST_LINES:
            t = lines[k].text
            lm = ANNEX_LABEL_RE.match(t)
            if lm and (lm.group("rest") or "").strip():
                chunks.append(lm.group("rest").strip())  # 附件2：… on the next line
            elif _continues_list(t, lines[k]):
                chunks[-1] += t
            else:
                break
            k += 1
        i = k
    titles = [clean_annex_title(item) for c in chunks for item in _numbered_items(compact(c))]
    frame.annex_titles = [t for t in titles if len(t) >= 2]


def read_annex_head(frame: Frame) -> int:
    """If the text opens with an annex label (附件2), record it and its title; return the index of
    the first line after the head."""
    for i, line in enumerate(frame.lines[:3]):
        if i in frame.header_line_ids or is_chrome(line.text):
            continue
        m = ANNEX_LABEL_RE.match(line.text)
        if not m or FIRST_ITEM_RE.match((m.group("rest") or "").strip()):
            return 0
        frame.is_annex = True
        frame.annex_label = annex_label(m)
        rest = (m.group("rest") or "").strip()
        if rest:
            k = line.text.find(rest)
            span = (line.start + k, line.start + k + len(rest))
            frame.annex_title = Found(clean_annex_title(rest), span, "annex_head")
            return i + 1
        cands = [ln for ln in frame.lines[i + 1:i + 6] if not ln.multi_cell]
        chosen = title_lines_in(cands) or [ln for ln in cands[:1] if title_piece(ln.text)]
        if chosen:
            frame.annex_title = Found(join_lines(chosen), (chosen[0].start, chosen[-1].end), "annex_head")
            return frame.lines.index(chosen[-1]) + 1
        return i + 1
    return 0


def appended_annex_titles(frame: Frame) -> list[str]:
    """The titles of the annexes appended after the main text (附件2 alone on a line, the title
    below), for a document that does not list them under 附件：."""
    titles = []
    for i in range(frame.main_end, len(frame.lines)):
        if _standalone_label(frame.lines[i].text):
            title = title_lines_in(frame.lines[i + 1:i + 5])
            if title:
                titles.append(clean_annex_title(join_lines(title)))
    return titles


# ---------------------------------------------------------------------------------------------
# Annex → parent
# ---------------------------------------------------------------------------------------------

def _title_key(t: str) -> str:
    t = clean_annex_title(t or "")
    return re.sub(r"[《》〈〉“”\"'（）()]", "", t)


def similarity(a: str, b: str) -> float:
    """How alike two annex titles are (1.0: the same title; 0.95: one contains the other)."""
    a, b = _title_key(a), _title_key(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if min(len(a), len(b)) >= 6 and (a in b or b in a):
        return 0.95
    return difflib.SequenceMatcher(None, a, b).ratio()


def match_annex(annex_meta: DocumentMetadata, parent_metas: Sequence[DocumentMetadata]) -> int | None:
    """Index of the document in `parent_metas` that lists `annex_meta` among its annexes (its title
    matches one of the parent's `annex_titles`; the label's number breaks ties), else None."""
    if not annex_meta.title:
        return None
    number = re.sub(r"\D", "", annex_meta.annex_label or "")
    best: tuple[float, int] | None = None
    for idx, parent in enumerate(parent_metas):
        if parent is annex_meta:
            continue
        for pos, listed in enumerate(parent.annex_titles):
            score = similarity(annex_meta.title, listed)
            if number and number == str(pos + 1):
                score += 0.01
            if score >= _MATCH_THRESHOLD and (best is None or score > best[0]):
                best = (score, idx)
    return best[1] if best else None
