"""One document's metadata: read the frame once, then take each field from its most trusted
source (the order is in the package doc), and the same values as Matches for `extract`."""
from __future__ import annotations

import datetime as dt
import re

from extractors.base import ExtractContext, Match
from extractors.metadata.annex import (
    appended_annex_titles,
    read_annex_head,
    read_annex_list,
)
from extractors.metadata.areas import (
    NATIONAL,
    Area,
    doc_number_area,
    expand_short_name,
    is_national,
    leading_area,
    lowest_common,
)
from extractors.metadata.dates import parse_date
from extractors.metadata.doc_numbers import DOC_NUMBER_RE, normalise_doc_number
from extractors.metadata.doc_types import body_cue_type, doc_type_of_title
from extractors.metadata.header import header_from_fields, header_from_lines
from extractors.metadata.lines import (
    Found,
    Frame,
    first_of_each_value,
    is_chrome,
    join_lines,
    read_lines,
)
from extractors.metadata.model import DocumentMetadata
from extractors.metadata.organs import full_name_of, organ_like, split_glued, split_organs
from extractors.metadata.parts import document_parts
from extractors.metadata.signature import read_signature, signature_date_spans
from extractors.metadata.top import read_order, read_top
from extractors.metadata.vocabulary import REGIONS, Span, compact
from extractors.text import HAN
from schemas.document import Document

# label: value header lines are looked for among this many first lines
_HEADER_LINES = 20


def _read_frame(doc: Document) -> Frame:
    frame = Frame(lines=read_lines(doc))
    header, used = header_from_lines(frame.lines, _HEADER_LINES)
    frame.header_line_ids = used
    for i in used:  # 发文日期, 公开日期 …: dates, but no time limits
        frame.note_dates(frame.lines[i])
    fields = header_from_fields(doc.header_fields, doc.text)
    frame.header = {**header, **fields}  # header_fields win over header lines
    start = read_annex_head(frame)
    if frame.is_annex:
        frame.zone_end = start
    elif not read_order(frame, start):
        read_top(frame, start)
    for line in frame.lines[:frame.zone_end]:
        if is_chrome(line.text):  # 2024-02-22 来源:…: a publication date
            frame.note_dates(line)
    # the main text ends where the first annex begins (附件1, or a plan's title under the
    # signature); the signature read is the cover's, an annex's own signature dates are metadata
    parts = document_parts(doc, frame.lines).parts
    frame.main_end = parts[1].start if len(parts) > 1 else len(frame.lines)
    for part in parts[1:]:
        frame.date_spans += signature_date_spans(frame.lines, part.start, part.end)
    if frame.signature_date is None:
        read_signature(frame)
    read_annex_list(frame, frame.zone_end)
    if not frame.annex_titles and frame.main_end < len(frame.lines):
        frame.annex_titles = appended_annex_titles(frame)
    return frame


def _title(frame: Frame) -> Found | None:
    """A 标题 header field (the page's record of the title: the title lines of a copy may be
    wrapped around the issuer, 国务院办公厅转发… / 关于…的通知), else the title lines."""
    if frame.is_annex:
        return frame.annex_title
    h = frame.header.get("title")
    if h and len(re.findall(rf"[{HAN}]", str(h.value))) >= 4:
        return h
    if frame.title_lines:
        tl = frame.title_lines
        return Found(join_lines(tl), (tl[0].start, tl[-1].end), "title_line")
    return None


def _doc_number(frame: Frame) -> Found | None:
    """The number under the title, else a 文号 / 发文字号 header field (EXTRACTION.md §metadata)."""
    if frame.doc_number is not None:
        return frame.doc_number
    h = frame.header.get("doc_number")
    if h and re.search(r"\d", str(h.value)):  # 无, 暂无, — are no numbers
        m = DOC_NUMBER_RE.search(str(h.value))
        value = normalise_doc_number(m.group() if m else str(h.value))
        return Found(value, h.span, h.source)
    return None


def _title_lead_organs(title: Found | None) -> list[Found]:
    """Bodies written before 关于 in the title (省发展改革委 省住房城乡建设厅 …关于…的通知)."""
    if title is None or "关于" not in str(title.value):
        return []
    lead = str(title.value).split("关于", 1)[0]
    names = split_organs(lead)
    out = []
    for name in names:
        k = str(title.value).find(name)
        span = (title.span[0] + k, title.span[0] + k + len(name)) if title.span and k >= 0 and \
            title.source == "title_line" else None
        out.append(Found(name, span, "title"))
    return out


def _header_organs(found: Found | None, text: str, source: str) -> list[Found]:
    if found is None:
        return []
    names = [n for n in re.split(r"[\s、，,；;]+", str(found.value)) if n]
    names = [x for n in names for x in (split_glued(n) if organ_like(n) else [n])]
    out = []
    for n in names:
        i = text.find(n) if found.span else -1
        out.append(Found(n, (i, i + len(n)) if i >= 0 else None, source))
    return out


def _issuers(frame: Frame, title: Found | None, text: str) -> list[Found]:
    for candidates in (
        frame.signature_issuers,
        _header_organs(frame.header.get("issuer"), text, "header"),
        frame.letterhead,
        _title_lead_organs(title),
        frame.adoption_issuers,
        _header_organs(frame.header.get("publisher"), text, "header_publisher"),
    ):
        if candidates:
            return first_of_each_value(candidates)
    return []


def _jurisdiction(issuers: list[Found], frame: Frame, title: Found | None,
                  number: Found | None, text: str) -> tuple[Area | None, str]:
    names = [str(f.value) for f in issuers]
    areas = [a for a in (leading_area(n) for n in names) if a is not None]
    if areas:
        return lowest_common(areas), "issuers"
    if names and all(is_national(n) for n in names):
        # a national reply concerns the area that asked (国务院办公厅关于四川省…办理情况的函 → 四川省)
        if title is not None and doc_type_of_title(str(title.value)) == "reply":
            asked = compact(str(title.value)).partition("关于")[2]
            area = leading_area(asked) if asked else None
            if area is not None:
                return area, "title"
        return NATIONAL, "issuers"
    if title is not None and not str(title.value).startswith("关于"):
        area = leading_area(compact(str(title.value)))  # 北京市居家养老服务条例, 江津区…任务清单
        if area is not None:
            return area, "title"
    for f in frame.letterhead:
        area = leading_area(str(f.value))
        if area is not None:
            return area, "letterhead"
    if number is not None:
        area = doc_number_area(str(number.value), text)
        if area is not None:
            return area, "doc_number"
    return None, ""


def _issued_date(frame: Frame) -> Found | None:
    # docs/EXTRACTION.md: the date under the signature, else a 成文日期 field, else 发文日期 / 发布日期;
    # a date under the title or a regulation's adoption line is the text's own date, before the
    # publisher's fields
    for found in (frame.signature_date, frame.header.get("written_date"), frame.top_date, frame.adoption_date,
                  frame.header.get("issue_date"), frame.header.get("publication_date")):
        if found is None:
            continue
        value = found.value if isinstance(found.value, dt.date) else parse_date(str(found.value))
        if value is not None:
            return Found(value, found.span, found.source)
    return None


def extract_metadata(doc: Document) -> DocumentMetadata:
    """The metadata of one document (see the package doc for the sources and their order)."""
    text = doc.text or ""
    frame = _read_frame(doc)
    title = _title(frame)
    number = None if frame.is_annex else _doc_number(frame)
    sources: dict[str, str] = {}
    issuers: list[Found] = []
    area: Area | None = None
    date: Found | None = None
    if not frame.is_annex:
        issuers = _issuers(frame, title, text)
        area, area_source = _jurisdiction(issuers, frame, title, number, text)
        if area_source:
            sources["jurisdiction"] = area_source
        # full names (docs/EXTRACTION.md): a header field's name of the same body (a signature
        # 虹口区应急管理局 under 发布单位 上海市虹口区应急管理局), else a short name completed by the area
        header_names = [str(f.value) for role in ("issuer", "publisher")
                        for f in _header_organs(frame.header.get(role), text, "header")]
        expanded = []
        for f in issuers:
            name = str(f.value)
            long_name = full_name_of(name, header_names)
            if long_name == name and f.source not in ("signature", "header"):
                long_name = expand_short_name(name, area)
            if long_name != name:
                f = Found(long_name, None, f.source)
            expanded.append(f)
        issuers = expanded
        date = _issued_date(frame)
    doc_type = doc_type_of_title(str(title.value)) if title else None
    if title is not None and doc_type is None:
        doc_type = "other"
    if doc_type is None and not frame.is_annex:
        doc_type = body_cue_type(text)
        if doc_type:
            sources["doc_type"] = "body_cue"
    elif doc_type:
        sources["doc_type"] = "title"
    for key, found in (("title", title), ("doc_number", number), ("issued_date", date)):
        if found is not None:
            sources[key] = found.source
    if issuers:
        sources["issuers"] = issuers[0].source
    jurisdiction = None if area is None or area is NATIONAL else area.display
    if area is NATIONAL:
        jurisdiction = REGIONS.national_jurisdiction
    sig = frame.signature_date.span if frame.signature_date else None
    return DocumentMetadata(
        title=str(title.value) if title else None,
        doc_number=str(number.value) if number else None,
        issuers=[str(f.value) for f in issuers],
        jurisdiction=jurisdiction,
        issued_date=date.value if date else None,  # type: ignore[arg-type]
        doc_type=doc_type,
        title_span=title.span if title else None,
        doc_number_span=number.span if number else None,
        issued_date_span=date.span if date else None,
        issuer_spans=[f.span for f in issuers],
        signature_date_span=sig,
        metadata_date_spans=sorted(set(frame.date_spans)),
        is_annex=frame.is_annex,
        annex_label=frame.annex_label,
        annex_titles=frame.annex_titles,
        sources=sources,
    )


def extract(text: str, ctx: ExtractContext) -> list[Match]:
    """The metadata located in a text, as Matches (field: title, doc_number, issuer, issued_date,
    metadata_date); `value` holds the normalised value. [] for a text without any."""
    if not isinstance(text, str) or not text.strip():
        return []
    doc = Document(doc_id="", source_path="", format="txt", text=text)
    meta = extract_metadata(doc)
    out: list[Match] = []

    def add(name: str, span: Span | None, value: object) -> None:
        if span is not None and 0 <= span[0] < span[1] <= len(text):
            out.append(Match(name, span[0], span[1], text[span[0]:span[1]], value))

    add("title", meta.title_span, meta.title)
    add("doc_number", meta.doc_number_span, meta.doc_number)
    for name, span in zip(meta.issuers, meta.issuer_spans):
        add("issuer", span, name)
    add("issued_date", meta.issued_date_span, meta.issued_date)
    for span in meta.metadata_date_spans:
        if span != meta.issued_date_span:
            add("metadata_date", span, parse_date(text[span[0]:span[1]]))
    return sorted(out, key=lambda m: (m.start, m.end, m.field))
