"""DocumentMetadata: what a document says about itself, as the pipeline stores it."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from extractors.metadata.vocabulary import DocType, Span


class DocumentMetadata(BaseModel):
    """What a document says about itself. Spans are offsets into Document.text: `title_span`
    covers the title's lines (the title is that text without line breaks); a span is None when
    the value is not in the text (header_fields only, an expanded short name, an inferred value)."""

    model_config = ConfigDict(frozen=True)

    title: str | None = None
    doc_number: str | None = None
    issuers: list[str] = Field(default_factory=list)
    jurisdiction: str | None = None
    issued_date: dt.date | None = None
    doc_type: DocType | None = None
    title_span: Span | None = None
    doc_number_span: Span | None = None
    issued_date_span: Span | None = None
    issuer_spans: list[Span | None] = Field(default_factory=list)  # parallel to `issuers`
    # the date under the signature: no deadline (callers exclude it)
    signature_date_span: Span | None = None
    # every date that is metadata, not a time limit: signature, header and publication dates,
    # adoption dates of a law, the 印发 date of the 版记
    metadata_date_spans: list[Span] = Field(default_factory=list)
    is_annex: bool = False
    annex_label: str | None = None  # 附件2
    annex_titles: list[str] = Field(default_factory=list)  # the annexes this document lists
    sources: dict[str, str] = Field(default_factory=dict)  # field -> where it came from
