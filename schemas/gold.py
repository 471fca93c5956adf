"""The gold annotation format that `obligations eval` scores a database against (docs/EXTRACTION.md,
"Gold files"). One file per document; every item may be marked `optional` (finding it is not
rewarded, missing it is not punished). Keys starting with "_" are the annotator's notes.
"""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.records import CitationKind, Comparator, DeadlineKind, DocType, Modality, Precision, Role


class GoldItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    optional: bool = False


class GoldMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    doc_number: str | None = None
    issuers: list[str] = Field(default_factory=list)
    jurisdiction: str | None = None
    issued_date: dt.date | None = None
    doc_type: DocType | None = None


class GoldDeadline(GoldItem):
    surface: str | None = None
    date: dt.date | None = None
    kind: DeadlineKind
    precision: Precision | None = None


class GoldUnit(GoldItem):
    key: str = Field(min_length=1)
    role: Role | None = None


class GoldCitation(GoldItem):
    kind: CitationKind
    code: str | None = None
    title: str | None = None

    @model_validator(mode="after")
    def _named(self) -> "GoldCitation":
        if not (self.code or self.title):
            raise ValueError("a citation needs a code or a title")
        return self


class GoldQuota(GoldItem):
    surface: str | None = None
    value_min: float | None = None
    value_max: float | None = None
    unit: str | None = None
    per_value: float | None = None
    per_unit: str | None = None
    comparator: Comparator
    subject: str | None = None


class GoldObligationDeadline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: dt.date | None = None
    kind: DeadlineKind


class GoldObligation(GoldItem):
    anchor: str = Field(min_length=1, description="a short verbatim piece that occurs once in the document")
    units: list[GoldUnit] = Field(default_factory=list)
    deadline: GoldObligationDeadline | None = None
    modality: Modality | None = None


class GoldFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: str = Field(min_length=1, description="the document's file name; documents.source_path ends with it")
    metadata: GoldMetadata = Field(default_factory=GoldMetadata)
    deadlines: list[GoldDeadline] = Field(default_factory=list)
    units: list[GoldUnit] = Field(default_factory=list)
    citations: list[GoldCitation] = Field(default_factory=list)
    quotas: list[GoldQuota] = Field(default_factory=list)
    obligations: list[GoldObligation] = Field(default_factory=list)
    obligations_exhaustive: bool = False

    @model_validator(mode="before")
    @classmethod
    def _drop_notes(cls, data):
        """Keys starting with "_" are notes; a bare string in `units` is a key."""
        if not isinstance(data, dict):
            return data
        data = {k: v for k, v in data.items() if not str(k).startswith("_")}
        if isinstance(data.get("units"), list):
            data["units"] = [{"key": u} if isinstance(u, str) else u for u in data["units"]]
        return data
