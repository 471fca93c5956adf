"""One pydantic model per DuckDB table: the single source of the schema (DDL is generated from these).

Offsets (`start`, `end`) always point into `documents.text` of the row's document:
`documents.text[start:end] == surface`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

Modality = Literal["must", "prohibit", "encourage"]
Role = Literal["lead", "cooperate", "implement"]
DeadlineKind = Literal["by", "ongoing", "start"]
Precision = Literal["day", "month", "year"]
YearSource = Literal["stated", "title", "issued"]
Comparator = Literal["eq", "ge", "gt", "le", "lt", "approx", "range"]
QuotaDirection = Literal["increase", "decrease", "level"]
QuotaKind = Literal["target", "threshold", "eligibility", "price", "budget", "frequency", "penalty"]
CitationKind = Literal["standard", "document"]
DocType = Literal["notice", "opinion", "plan", "reply", "table", "standard", "other"]
Level = Literal["national", "province", "city", "district", "town", "community"]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The table each model fills and its primary key column(s); read by schemas.ddl.
    __table__: str = ""
    __key__: tuple[str, ...] = ()
    # When __table__ is a view over tables of its own (documents: pipeline/store/texts.py): the
    # base table of every column but the __apart__ ones, which are stored elsewhere.
    __stored_in__: str = ""
    __apart__: tuple[str, ...] = ()


class DocumentRecord(Record):
    __table__ = "documents"  # a view: the texts are stored in shards of their own (pipeline/store/texts.py)
    __key__ = ("doc_id",)
    __stored_in__ = "document_records"
    __apart__ = ("text",)

    doc_id: str = Field(description="sha256 of the file bytes")
    source_path: str = Field(description="absolute path of the file when it was ingested")
    format: str = Field(description="txt | md | docx | pdf | html")
    text: str = Field(description="the normalised text every offset points into")
    title: str | None = None
    doc_number: str | None = Field(None, description="发文字号, brackets as 〔〕, no spaces")
    issuers: list[str] = Field(default_factory=list, description="issuing bodies, full names")
    jurisdiction: str | None = Field(None, description="lowest administrative area the document governs")
    issued_date: dt.date | None = Field(None, description="成文日期, else 发文日期")
    doc_type: DocType | None = None
    parent_doc_id: str | None = Field(None, description="for an annex: the document that lists it")
    annex_label: str | None = Field(None, description="附件2 for an annex")
    annex_titles: list[str] = Field(default_factory=list, description="titles of the annexes it lists")
    encoding: str | None = None
    n_pages: int | None = None
    n_chars: int = 0
    ocr: bool = False
    coverage: float | None = Field(None, description="share of the body's characters inside some obligation "
                                                     "(low: text probably lost)")
    pipeline_version: str = Field(description="version of the pipeline that produced the rows")
    ingested_at: dt.datetime


class BlockRecord(Record):
    __table__ = "blocks"
    __key__ = ("doc_id", "seq")

    doc_id: str
    seq: int = Field(description="position of the block in the document")
    kind: str = Field(description="title | heading | paragraph | table_row | signature | annex_heading")
    start: int
    end: int
    page: int | None = None
    table_id: int | None = None
    row: int | None = None
    section_path: str | None = Field(None, description="numbering path, e.g. 二/（一）/1.; in an annex 附件2/二/（一）")
    source_start: int | None = Field(None, description="offset of the block's first character in the source")


class ObligationRecord(Record):
    __table__ = "obligations"
    __key__ = ("obligation_id",)

    obligation_id: str = Field(description="sha1 of doc_id and the span")
    doc_id: str
    seq: int = Field(description="order of the obligation in the document")
    text: str = Field(description="the sentence, clause or table row that states the duty")
    start: int
    end: int
    modality: Modality
    source: Literal["prose", "table"]
    section_path: str | None = None
    page: int | None = None
    category: str | None = Field(None, description="facility category (extractors/data/categories.yaml)")


class ObligationUnitRecord(Record):
    __table__ = "obligation_units"
    __key__ = ("obligation_id", "start", "canonical")

    obligation_id: str
    doc_id: str
    name: str = Field(description="the body as written (coordinated lists expanded)")
    canonical: str = Field(description="canonical function key of docs/EXTRACTION.md §units, or the body's own short name")
    role: Role
    level: Level | None = None
    generic: bool = Field(False, description="a generic mention such as 有关部门")
    start: int
    end: int


class DeadlineRecord(Record):
    __table__ = "deadlines"
    __key__ = ("deadline_id",)

    deadline_id: str
    doc_id: str
    obligation_id: str | None = Field(None, description="the obligation it governs; NULL when none")
    surface: str
    start: int
    end: int
    date: dt.date | None = None
    kind: DeadlineKind
    precision: Precision | None = None
    year_source: YearSource | None = Field(
        None, description="where the date's year comes from: stated with it, the plan's title, the issue date")
    relative: str | None = Field(None, description="for limits counted from an event: the rule as written")
    scope: Literal["own", "item", "row", "document"] = Field(
        "own", description="own: stated inside the obligation; item/row: inherited from its item or table row")


class QuotaRecord(Record):
    __table__ = "quotas"
    __key__ = ("quota_id",)

    quota_id: str
    doc_id: str
    obligation_id: str | None = None
    surface: str
    start: int
    end: int
    subject: str | None = None
    value_min: float | None = None
    value_max: float | None = None
    unit: str
    per_value: float | None = None
    per_unit: str | None = None
    comparator: Comparator
    kind: QuotaKind = Field("threshold", description="target, threshold, eligibility, price, budget, frequency, penalty")
    direction: QuotaDirection | None = Field(None, description="increase, decrease, level; NULL when none is stated")
    target_date: dt.date | None = Field(None, description="the date the target is for (到2025年…达到40%以上)")
    same_as: str | None = Field(None, description="the quota_id of the earlier statement this one repeats")
    category: str | None = Field(None, description="facility category (extractors/data/categories.yaml)")


class CitationRecord(Record):
    __table__ = "citations"
    __key__ = ("citation_id",)

    citation_id: str
    doc_id: str
    obligation_id: str | None = None
    surface: str
    start: int
    end: int
    kind: CitationKind
    code: str | None = None
    title: str | None = None


class TermRecord(Record):
    __table__ = "terms"
    __key__ = ("doc_id", "term")

    doc_id: str
    term: str = Field(description="a word of the document's segmentation (jieba with the policy dictionary)")
    count: int = Field(description="occurrences in documents.text")
    start: int = Field(description="the first occurrence: documents.text[start:end] == term")
    end: int
    pos: str | None = Field(None, description="jieba's dictionary part-of-speech tag (n, v, nt …); NULL for a "
                                              "word jieba found by its HMM")


class IngestRunRecord(Record):
    __table__ = "ingest_runs"
    __key__ = ("run_id",)

    run_id: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    paths: list[str] = Field(default_factory=list)
    n_new: int = 0
    n_unchanged: int = 0
    n_replaced: int = 0
    n_failed: int = 0
    n_obligations: int = 0
    pipeline_version: str
    status: Literal["running", "completed", "interrupted"] = "running"
    kind: Literal["ingest", "watch", "reprocess"] | None = Field(
        None, description="what started the run: an ingest, a watch cycle or a reprocess (NULL: not recorded)")


class IngestErrorRecord(Record):
    __table__ = "ingest_errors"
    __key__ = ("run_id", "path")

    run_id: str
    path: str
    content_sha256: str | None = Field(None, description="hash of the bytes that failed, when readable")
    kind: str = Field(description="empty | not_a_pdf | encrypted | no_text_layer | unsupported_format | …")
    message: str
    occurred_at: dt.datetime


class MetaRecord(Record):
    __table__ = "schema_meta"
    __key__ = ("key",)

    key: str
    value: str


class DocumentMetaRecord(Record):
    """The researcher's own metadata (`obligations meta import`): one row per key, kept across
    re-ingest and reprocess (no document's rows). Columns the researcher adds (policy field, coding …)
    are added to the table by the import, next to these."""

    __table__ = "document_meta"
    __key__ = ("meta_key",)

    meta_key: str = Field(description="the document it is about: a doc_id, a file name, or a path (or its end)")
    jurisdiction: str | None = Field(None, description="a corrected jurisdiction (replaces the extracted one)")
    year: int | None = Field(None, description="a corrected year (replaces the year of issued_date)")
    doc_type: DocType | None = Field(None, description="a corrected doc type (replaces the extracted one)")
    source_file: str = Field(description="the file the row was imported from")
    imported_at: dt.datetime


TABLES: tuple[type[Record], ...] = (
    DocumentRecord, BlockRecord, ObligationRecord, ObligationUnitRecord, DeadlineRecord,
    QuotaRecord, CitationRecord, TermRecord, IngestRunRecord, IngestErrorRecord, MetaRecord, DocumentMetaRecord,
)
# every row of these belongs to one stored document and goes when the document is replaced
DOCUMENT_TABLES: tuple[type[Record], ...] = (
    BlockRecord, ObligationRecord, ObligationUnitRecord, DeadlineRecord, QuotaRecord, CitationRecord, TermRecord,
)


@dataclass
class Extraction:
    """Every record of one document: what extraction (extractors/analyze.py) returns and a worker
    process hands the writer. Defined here, not in extractors/, so that the writer can unpickle it
    without loading spaCy (3.5 s of a run's start)."""

    document: DocumentRecord
    blocks: list[BlockRecord] = field(default_factory=list)
    obligations: list[ObligationRecord] = field(default_factory=list)
    units: list[ObligationUnitRecord] = field(default_factory=list)
    deadlines: list[DeadlineRecord] = field(default_factory=list)
    quotas: list[QuotaRecord] = field(default_factory=list)
    citations: list[CitationRecord] = field(default_factory=list)
    terms: list[TermRecord] = field(default_factory=list)

    def rows(self) -> dict[str, list]:
        """Records per table name, documents included."""
        return {"documents": [self.document], "blocks": self.blocks, "obligations": self.obligations,
                "obligation_units": self.units, "deadlines": self.deadlines, "quotas": self.quotas,
                "citations": self.citations, "terms": self.terms}
