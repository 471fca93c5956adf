"""Document → records: the whole extraction of one document, a pure function of its content.

metadata → fields (extractors/fields.py: citations, then deadlines, units, quotas, modal cues), held
in a spaCy Doc's span groups → structure → obligations → pydantic records with deterministic ids.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace

from extractors import allocation, brackets, categories, citations, deadlines, headers, nlp, obligations, quotas, structure, terms
from extractors.base import ExtractContext, Match, filter_spans
from extractors.fields import FieldMatches, extract_fields
from extractors.metadata import extract_metadata
from schemas.document import Document
from schemas.records import (BlockRecord, CitationRecord, DeadlineRecord, DocumentRecord, Extraction,
                             ObligationRecord, ObligationUnitRecord, QuotaRecord, TermRecord)


def stable_id(*parts) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:20]


def deadline_cells(doc: Document, ctx: ExtractContext) -> list[tuple[int, int]]:
    """Table cells that hold a time limit: a deadline column by its header (时限, 完成时间), the
    header of a column of targets for a year (2030年目标: the rows' limit), or, in a table without
    headers, a cell that is nothing but a date or period (2023.8)."""
    cells = [(c.start, c.end) for _, c in obligations.target_header_cells(doc)]
    for block in doc.blocks:
        for c in block.cells:
            if c.end <= c.start:
                continue
            if c.header:
                if headers.classify(c.header).column == "deadline":
                    cells.append((c.start, c.end))
            elif deadlines.parse(doc.text[c.start:c.end].strip(), ctx) is not None:
                cells.append((c.start, c.end))
    return cells


def with_table_quotas(doc: Document, fields: FieldMatches, ctx: ExtractContext,
                      allocated: dict[int, allocation.Allocation], issued: dt.date | None) -> FieldMatches:
    """`fields` with the quotas a table states by its shape: a cell of a unit column (万平方米 under
    单位) names a unit, never a quota, and gives its unit to the row's value cells (2 under 2030年目标
    -> 20000 m2); the quantities of allocation rows."""
    in_unit_cells = quotas.unit_cells(doc.blocks)
    return replace(fields, quotas=filter_spans([m for m in fields.quotas if not _inside_any(m, in_unit_cells)]
                                               + quotas.table_quotas(doc.text, doc.blocks, ctx)
                                               + allocation.quotas(doc, allocated, issued, ctx)))


def _without_reported_figures(doc: Document, past: set[int], fields: FieldMatches,
                              found: list[obligations.Obligation]) -> FieldMatches:
    """`fields` without the figures and dates of a section that reports what was done (一、工作开展情况:
    建成口袋公园11个, 收集意见1200余条, 截至2024年5月底, 2023年起; 第一节 发展基础: “十四五”时期): no
    quota or time limit unless a duty holds it, nor a quota unless it is set as a norm (绿地率不低于65%).
    `past` are the blocks of those sections (obligations.past_section_blocks)."""
    if not past:
        return fields
    spans = [(doc.blocks[i].start, doc.blocks[i].end) for i in past]

    def in_duty(m: Match) -> bool:
        return any(ob.start <= m.start and m.end <= ob.end for ob in found)
    kept = [m for m in fields.quotas
            if not _inside_any(m, spans) or quotas.states_a_norm(doc.text, m.start, m.end) or in_duty(m)]
    dated = [m for m in fields.deadlines if not _inside_any(m, spans) or in_duty(m)]
    return replace(fields, quotas=kept, deadlines=dated)


def analyze(doc: Document, *, pipeline_version: str, ingested_at: dt.datetime) -> Extraction:
    meta = extract_metadata(doc)
    dates = ExtractContext(issued_date=meta.issued_date, plan_year=deadlines.plan_year(meta.title))
    # table cells of a deadline column, and brackets that assign an item (（责任单位：…，长期坚持）)
    ctx = replace(dates, deadline_cells=deadline_cells(doc, dates) + brackets.assignment_brackets(doc.text))
    fields = extract_fields(doc.text, meta, ctx)
    # rows of allocation tables (福建 | 45 | 50): their quotas here, their obligations in build below
    allocated = allocation.allocations(doc, fields, meta.issued_date)
    fields = with_table_quotas(doc, fields, ctx, allocated, meta.issued_date)
    # the spaCy view of the same spans (jieba tokens, span groups); its tokens give the terms table
    spacy_doc = nlp.to_doc(doc.text, fields)
    st = structure.analyse(doc)
    front = [sp for sp in (meta.title_span, meta.doc_number_span, meta.signature_date_span, *meta.issuer_spans) if sp]
    read: list[tuple[int, int]] = []  # every duty read, repeats included: what coverage counts
    past = obligations.past_section_blocks(doc, st)  # report sections: no duties, no figures of their own
    found = obligations.build(doc, st, fields, meta.doc_type, front_matter=front, issued=meta.issued_date,
                              allocated=allocated, title=meta.title, read=read, past_sections=past)
    fields = _without_reported_figures(doc, past, fields, found)

    did = doc.doc_id
    record = DocumentRecord(
        doc_id=did, source_path=doc.source_path, format=doc.format, text=doc.text,
        title=meta.title, doc_number=meta.doc_number, issuers=list(meta.issuers or []),
        jurisdiction=meta.jurisdiction, issued_date=meta.issued_date, doc_type=meta.doc_type,
        annex_label=getattr(meta, "annex_label", None),
        annex_titles=list(getattr(meta, "annex_titles", []) or []), encoding=doc.encoding, n_pages=doc.n_pages,
        n_chars=len(doc.text), ocr=doc.ocr, pipeline_version=pipeline_version, ingested_at=ingested_at,
        coverage=structure.body_coverage(doc, st, read),
    )
    out = Extraction(document=record)
    out.terms = [TermRecord(doc_id=did, term=t.term, count=t.count, start=t.start, end=t.end, pos=t.pos)
                 for t in terms.count_terms(spacy_doc)]
    for seq, b in enumerate(doc.blocks):
        src, _ = doc.to_source(b.start)
        out.blocks.append(BlockRecord(doc_id=did, seq=seq, kind=b.kind, start=b.start, end=b.end, page=b.page,
                                      table_id=b.table_id, row=b.row, section_path=st.section_paths[seq] or None,
                                      source_start=src))

    owner: dict[tuple[str, int, int], str] = {}  # (field, start, end) -> first obligation holding it
    owner_limit: dict[tuple[int, int], dt.date] = {}  # quota span -> the dated limit of its obligation
    for seq, ob in enumerate(found):
        oid = stable_id(did, ob.start, ob.end)
        out.obligations.append(ObligationRecord(
            obligation_id=oid, doc_id=did, seq=seq, text=doc.text[ob.start:ob.end], start=ob.start, end=ob.end,
            modality=ob.modality, source=ob.source, section_path=ob.section_path or None,
            page=doc.blocks[ob.block_index].page,
            category=categories.primary_category(doc.text[ob.start:ob.end])))
        for lu in _one_per_unit(ob.units):
            v = lu.match.value
            out.units.append(ObligationUnitRecord(
                obligation_id=oid, doc_id=did, name=v.name, canonical=v.canonical, role=lu.role,
                level=v.level, generic=bool(v.generic), start=lu.match.start, end=lu.match.end))
        for ld in ob.deadlines:
            out.deadlines.append(_deadline_record(did, oid, ld.match, ld.scope))
            owner.setdefault(("deadline", ld.match.start, ld.match.end), oid)
        for m in ob.quotas:
            owner.setdefault(("quota", m.start, m.end), oid)
            limit = next((ld.match for ld in ob.deadlines if ld.match.value.kind == "by" and ld.match.value.date), None)
            if limit is not None:
                owner_limit.setdefault((m.start, m.end), limit.value.date)
        for m in ob.citations:
            owner.setdefault(("citation", m.start, m.end), oid)

    for m in fields.deadlines:
        if ("deadline", m.start, m.end) not in owner:
            out.deadlines.append(_deadline_record(did, None, m, "document"))
    out.quotas = _quota_records(doc, did, fields, owner, owner_limit)
    # a document cited several times is one citation: its first mention with both title and code
    for m in citations.distinct(fields.citations):
        v = m.value
        out.citations.append(CitationRecord(
            citation_id=stable_id(did, m.start, m.end), doc_id=did,
            obligation_id=owner.get(("citation", m.start, m.end)), surface=m.surface, start=m.start, end=m.end,
            kind=v.kind, code=v.code, title=v.title))
    return out


def _inside_any(m: Match, spans: list[tuple[int, int]]) -> bool:
    return any(s <= m.start and m.end <= e for s, e in spans)


def _quota_records(doc: Document, did: str, fields, owner: dict, owner_limit: dict) -> list[QuotaRecord]:
    """One row per quota, with the date its target is for (its sentence's limit, its column's year,
    else its obligation's limit) and the earlier statement it repeats (prose vs table row)."""
    found = fields.quotas
    headers = [(c.start, c.end, c.header) for b in doc.blocks for c in b.cells]
    dates = quotas.target_dates(doc.text, found, fields.deadlines, headers)
    rows = [(b.start, b.end) for b in doc.blocks if b.kind == "table_row"]
    dates = [date or owner_limit.get((m.start, m.end)) for m, date in zip(found, dates)]
    repeated = quotas.repeats(found, [_inside_any(m, rows) for m in found], dates)
    records: list[QuotaRecord] = []
    for m, date, same in zip(found, dates, repeated):
        v = m.value
        kind = "target" if v.kind == "threshold" and date is not None else v.kind  # 到2025年，…不少于40张
        records.append(QuotaRecord(
            quota_id=stable_id(did, m.start, m.end), doc_id=did, obligation_id=owner.get(("quota", m.start, m.end)),
            surface=m.surface, start=m.start, end=m.end, subject=v.subject, value_min=v.value_min,
            value_max=v.value_max, unit=v.unit, per_value=v.per_value, per_unit=v.per_unit, comparator=v.comparator,
            kind=kind, direction=v.direction, target_date=date,
            same_as=records[same].quota_id if same is not None else None,
            category=categories.primary_category(v.subject, categories.sentence_at(doc.text, m.start, m.end))))
    return records


def _one_per_unit(linked: list) -> list:
    """One row per body and obligation: a body named twice in one duty keeps the role of its first
    mention (where the sentence introduces it; later mentions are usually objects of other verbs)."""
    seen: set[str] = set()
    out = []
    for lu in linked:
        if lu.match.value.canonical not in seen:
            seen.add(lu.match.value.canonical)
            out.append(lu)
    return out


def _deadline_record(doc_id: str, obligation_id: str | None, m: Match, scope: str) -> DeadlineRecord:
    v = m.value
    return DeadlineRecord(
        deadline_id=stable_id(doc_id, m.start, m.end, obligation_id), doc_id=doc_id, obligation_id=obligation_id,
        surface=m.surface, start=m.start, end=m.end, date=v.date, kind=v.kind, precision=v.precision,
        year_source=v.year_source, relative=v.relative, scope=scope)
