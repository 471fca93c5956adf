"""Document → records: the whole extraction of one document, a pure function of its content.

metadata → fields (extractors/fields.py: citations, then deadlines, units, quotas, modal cues), held
in a spaCy Doc's span groups → structure → obligations → pydantic records with deterministic ids.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace

from extractors import categories, citations, deadlines, nlp, obligations, structure
from extractors.base import ExtractContext, Match
from extractors.fields import extract_fields
from extractors.metadata import extract_metadata
from schemas.document import Document
from schemas.records import (BlockRecord, CitationRecord, DeadlineRecord, DocumentRecord, ObligationRecord,
                             ObligationUnitRecord, QuotaRecord)


@dataclass
class Extraction:
    document: DocumentRecord
    blocks: list[BlockRecord] = field(default_factory=list)
    obligations: list[ObligationRecord] = field(default_factory=list)
    units: list[ObligationUnitRecord] = field(default_factory=list)
    deadlines: list[DeadlineRecord] = field(default_factory=list)
    quotas: list[QuotaRecord] = field(default_factory=list)
    citations: list[CitationRecord] = field(default_factory=list)

    def rows(self) -> dict[str, list]:
        """Records per table name, documents included."""
        return {"documents": [self.document], "blocks": self.blocks, "obligations": self.obligations,
                "obligation_units": self.units, "deadlines": self.deadlines, "quotas": self.quotas,
                "citations": self.citations}


def stable_id(*parts) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:20]


def deadline_cells(doc: Document, ctx: ExtractContext) -> list[tuple[int, int]]:
    """Table cells that hold a time limit: a deadline column by its header (时限, 完成时间), or, in a
    table without headers, a cell that is nothing but a date or period (2023.8)."""
    cells = []
    for block in doc.blocks:
        for c in block.cells:
            if c.end <= c.start:
                continue
            if c.header:
                if obligations._header_class(c.header) == "deadline":
                    cells.append((c.start, c.end))
            elif deadlines.parse(doc.text[c.start:c.end].strip(), ctx) is not None:
                cells.append((c.start, c.end))
    return cells


def analyze(doc: Document, *, pipeline_version: str, ingested_at: dt.datetime) -> Extraction:
    meta = extract_metadata(doc)
    dates = ExtractContext(issued_date=meta.issued_date, plan_year=deadlines.plan_year(meta.title))
    # table cells of a deadline column, and brackets that assign an item (（责任单位：…，长期坚持）)
    ctx = replace(dates, deadline_cells=deadline_cells(doc, dates) + obligations.assignment_brackets(doc.text))
    fields = extract_fields(doc.text, meta, ctx)
    # the spaCy view of the same spans (jieba tokens, span groups), as ingest has always built it;
    # no row below reads it, and segmentation is about a fifth of ingest's CPU (docs/PERFORMANCE.md)
    nlp.to_doc(doc.text, fields)
    st = structure.analyse(doc)
    front = [sp for sp in (meta.title_span, meta.doc_number_span, meta.signature_date_span, *meta.issuer_spans) if sp]
    found = obligations.build(doc, st, fields, meta.doc_type, front_matter=front)

    did = doc.doc_id
    record = DocumentRecord(
        doc_id=did, source_path=doc.source_path, format=doc.format, text=doc.text,
        title=meta.title, doc_number=meta.doc_number, issuers=list(meta.issuers or []),
        jurisdiction=meta.jurisdiction, issued_date=meta.issued_date, doc_type=meta.doc_type,
        annex_label=getattr(meta, "annex_label", None),
        annex_titles=list(getattr(meta, "annex_titles", []) or []), encoding=doc.encoding, n_pages=doc.n_pages,
        n_chars=len(doc.text), ocr=doc.ocr, pipeline_version=pipeline_version, ingested_at=ingested_at,
        coverage=structure.body_coverage(doc, st, [(ob.start, ob.end) for ob in found]),
    )
    out = Extraction(document=record)
    for seq, b in enumerate(doc.blocks):
        src, _ = doc.to_source(b.start)
        out.blocks.append(BlockRecord(doc_id=did, seq=seq, kind=b.kind, start=b.start, end=b.end, page=b.page,
                                      table_id=b.table_id, row=b.row, section_path=st.section_paths[seq] or None,
                                      source_start=src))

    owner: dict[tuple[str, int, int], str] = {}  # (field, start, end) -> first obligation holding it
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
        for m in ob.citations:
            owner.setdefault(("citation", m.start, m.end), oid)

    for m in fields.deadlines:
        if ("deadline", m.start, m.end) not in owner:
            out.deadlines.append(_deadline_record(did, None, m, "document"))
    for m in fields.quotas:
        v = m.value
        oid = owner.get(("quota", m.start, m.end))
        out.quotas.append(QuotaRecord(
            quota_id=stable_id(did, m.start, m.end), doc_id=did, obligation_id=oid, surface=m.surface,
            start=m.start, end=m.end, subject=v.subject, value_min=v.value_min, value_max=v.value_max,
            unit=v.unit, per_value=v.per_value, per_unit=v.per_unit, comparator=v.comparator,
            category=categories.primary_category(v.subject, categories.sentence_at(doc.text, m.start, m.end))))
    # a document cited several times is one citation: its first mention with both title and code
    for m in citations.distinct(fields.citations):
        v = m.value
        out.citations.append(CitationRecord(
            citation_id=stable_id(did, m.start, m.end), doc_id=did,
            obligation_id=owner.get(("citation", m.start, m.end)), surface=m.surface, start=m.start, end=m.end,
            kind=v.kind, code=v.code, title=v.title))
    return out


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
