"""The head of a document: 发文字号 line, letterhead, title, the date under the title, the heading
and number of an order (…人民政府令 第110号), and the adoption lines of a law or regulation
(2018年7月27日…第五次会议通过). Each reader fills the Frame; nothing here chooses between sources."""
from __future__ import annotations

import datetime as dt
import re

from extractors.metadata.dates import DATE_ONLY_RE, DATE_RE, date_of, parse_date
from extractors.metadata.doc_numbers import (
    normalise_doc_number,
    own_doc_number_in,
    trim_doc_number_prefix,
)
from extractors.metadata.lines import (
    Found,
    Frame,
    Line,
    find_title,
    first_of_each_value,
    found_in_line,
    is_body,
    is_chrome,
    is_salutation,
    title_lines_in,
)
from extractors.metadata.organs import letterhead_organs, organ_like
from extractors.metadata.vocabulary import RULES, Span, compact
from extractors.rules import alternation
from extractors.text import HAN

# the head is short: past this many lines, the body has begun whatever the lines look like
_TOP_LINES = 30

# the heading of a government or department order (规章 are promulgated by one): 淄博市人民政府令
_ORDER_HEAD_RE = re.compile(rf"^(?P<organ>[{HAN}]{{2,30}}?)令(?P<number>第\d{{1,5}}号)?$")
_ORDER_NUMBER_RE = re.compile(r"^第\s*\d{1,5}\s*号$")

# adoption events by their word (通过 -> enact, 批准 -> approve, 施行 -> in_force)
_EVENT_WORD = {w: ev for ev, ws in RULES.adoption_events.items() for w in ws}
_EVENT_RE = re.compile(alternation(_EVENT_WORD))
# which adoption event dates a regulation, first found first
_ADOPTION_PRECEDENCE = ("enact", "amend", "approve", "promulgate")
# in an adoption line, the session after the body's name: 第十四届 … 第三次会议
_SESSION_RE = re.compile(r"第[一二三四五六七八九十百零\d]+届")
_SITTING_CUT_RE = re.compile(r"第[一二三四五六七八九十百零\d]+次|会议|公告|《|根据")


def _zone_end(lines: list[Line], skip: set[int]) -> int:
    """Index of the first line after the document's head (salutation, body or section start)."""
    for i, line in enumerate(lines[:_TOP_LINES]):
        if i in skip or line.multi_cell:
            if line.multi_cell and i > 0:
                return i
            continue
        t = line.text
        if is_chrome(t) or DATE_ONLY_RE.match(t) or own_doc_number_in(t):
            continue
        if is_salutation(t) or is_body(t):
            return i
    return min(len(lines), _TOP_LINES)


def read_top(frame: Frame, start: int) -> None:
    """Title, letterhead (bodies above the title), 发文字号, the date under the title and the
    adoption lines, from the lines between `start` and the end of the head."""
    lines = frame.lines
    skip = frame.header_line_ids
    frame.zone_end = max(_zone_end(lines, skip), start)
    cands = [ln for i, ln in enumerate(lines[start:frame.zone_end], start)
             if i not in skip and not ln.multi_cell and not is_chrome(ln.text)]
    found = find_title(cands)
    title_ids: set[int] = set()
    if found:
        first, last = found
        frame.title_lines = cands[first:last + 1]
        title_ids = {id(x) for x in frame.title_lines}
        head = cands[:first]
    else:
        head = cands
    for ln in head:
        for name in letterhead_organs(ln.text):
            frame.letterhead.append(found_in_line(name, ln, "letterhead"))
    for ln in cands:
        if id(ln) in title_ids:
            continue
        if frame.doc_number is None:
            m = own_doc_number_in(ln.text)
            if m:
                frame.doc_number = _doc_number_found(m, ln.start, "number_line")
        dm = DATE_ONLY_RE.match(ln.text)
        if dm and frame.top_date is None and frame.title_lines and ln.start > frame.title_lines[-1].start:
            d = parse_date(ln.text)
            if d:
                inner = DATE_RE.search(ln.text)
                frame.top_date = Found(d, ln.span_of(inner), "date_under_title")
                frame.date_spans.append(frame.top_date.span)  # type: ignore[arg-type]
    _read_adoption(frame, cands)


def read_order(frame: Frame, start: int) -> bool:
    """An order (淄博市人民政府令 / 第110号 / 《…办法》已经…通过，现予公布 / 市长 … / date / the title
    of the promulgated rules): the order's body is the issuer, its number the 发文字号, the date under
    it the issued date, and the first title after that date the title. False when not an order."""
    lines = frame.lines
    cands = [i for i in range(start, min(len(lines), start + 3))
             if i not in frame.header_line_ids and not is_chrome(lines[i].text)]
    if not cands:
        return False
    head = lines[cands[0]]
    m = _ORDER_HEAD_RE.match(compact(head.text))
    if not m or not organ_like(m.group("organ")):
        return False
    i = cands[0]
    frame.letterhead = [Found(m.group("organ"), (head.start, head.start + len(m.group("organ"))), "letterhead")]
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    if m.group("number"):
        frame.doc_number = Found(normalise_doc_number(head.text), (head.start, head.end), "order_number")
    elif nxt is not None and _ORDER_NUMBER_RE.match(compact(nxt.text)):
        value = normalise_doc_number(head.text + nxt.text)
        frame.doc_number = Found(value, (head.start, nxt.end), "order_number")
        i += 1
    for k in range(i + 1, min(len(lines), i + 9)):
        if DATE_ONLY_RE.match(lines[k].text):
            dm = DATE_RE.search(lines[k].text)
            d = date_of(dm) if dm else None
            if d is None:
                break
            span = lines[k].span_of(dm)
            frame.signature_date = Found(d, span, "order")
            frame.date_spans.append(span)
            title = title_lines_in(lines[k + 1:k + 5])
            if title:
                frame.title_lines = title
                frame.zone_end = lines.index(frame.title_lines[-1]) + 1
            else:
                frame.zone_end = k + 1
            return True
    frame.zone_end = i + 1
    return True


def _doc_number_found(m: re.Match, offset: int, source: str) -> Found:
    """The number a DOC_NUMBER_RE match in a line spells, its span starting after any text glued
    in front of the abbreviation."""
    if m.group("prefix"):
        prefix = trim_doc_number_prefix(m.group("prefix"))
        start = m.start("prefix") + (len(m.group("prefix")) - len(prefix))
    else:
        start = m.start()
    surface_start, surface_end = offset + start, offset + m.end()
    surface = m.string[start:m.end()]
    return Found(normalise_doc_number(surface), (surface_start, surface_end), source)


def _read_adoption(frame: Frame, cands: list[Line]) -> None:
    """Adoption lines of a law or regulation: 2018年7月27日河南省第十三届人民代表大会常务委员会第五次
    会议通过. The issued date is the date the text was adopted (通过: the 成文日期 of a regulation;
    a later 修正 / 修订 makes a version, not a new text), else its amendment, approval or
    promulgation, the earliest of the first kind found; the bodies that enacted it are the
    issuers."""
    enacted: list[Found] = []
    others: list[Found] = []
    dated: dict[str, list[tuple[dt.date, Span]]] = {}
    for ln in cands:
        dates = list(DATE_RE.finditer(ln.text))
        if not dates or not _EVENT_RE.search(ln.text):
            continue
        for j, dm in enumerate(dates):
            seg_end = dates[j + 1].start() if j + 1 < len(dates) else len(ln.text)
            segment = ln.text[dm.end():seg_end]
            events = list(_EVENT_RE.finditer(segment))
            d = date_of(dm)
            if not events or d is None:
                continue
            span = ln.span_of(dm)
            frame.date_spans.append(span)
            event = _EVENT_WORD[events[-1].group()]
            if event == "in_force":
                continue
            dated.setdefault(event, []).append((d, span))
            body = _adopting_body(segment)
            if body:
                found = found_in_line(body, ln, "adoption", dm.end())
                (enacted if event in ("enact", "amend") else others).append(found)
    for event in _ADOPTION_PRECEDENCE:
        if dated.get(event):
            d, span = min(dated[event], key=lambda x: x[0])
            frame.adoption_date = Found(d, span, "adoption")
            break
    frame.adoption_issuers.extend(first_of_each_value(enacted or others))


def _adopting_body(segment: str) -> str | None:
    """北京市第十四届人民代表大会第三次会议通过 -> 北京市人民代表大会 (when the name is contiguous)."""
    s = segment.strip().lstrip("（(")
    sessions = list(_SESSION_RE.finditer(s))
    cut = _SITTING_CUT_RE.search(s)
    if cut is None:
        return None
    head = s[:cut.start()]
    if sessions and sessions[0].start() < cut.start():
        head = s[:sessions[0].start()] + s[sessions[0].end():cut.start()]
    head = head.strip()
    return head if organ_like(head) else None
