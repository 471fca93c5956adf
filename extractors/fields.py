"""Every field of one text: the order they are extracted in and the masks each reads through.

    extract_fields(text, meta, ctx) -> FieldMatches
    FIELDS                                 field name -> its module, in the order extracted

1. Citations first: document numbers, standard codes and 《titles》 hold years and numbers that are
   no time limit and no quantity, and name bodies that act in another document.
2. Deadlines, units, quotas and modal cues read nothing inside a citation; deadlines read no date
   inside any 《name》 either, cited or not (《2024年…方案》, a certificate, a form).
3. What only the document's metadata settles (`meta`; None for a text without a document):
   我局, 我委, 本机关 name the issuer (resolved against meta.issuers, overlaps settled with the other
   units); dates that are metadata (signature, publication, adoption) are no time limits; the
   document's own 发文字号 is no citation.
`ctx` (issue date, deadline cells) is not changed: the fields after the citations read a copy with
the masks added. Each field is extracted once; a spaCy Doc only copies the result (extractors/nlp.py).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace

from extractors import brackets, citations, deadlines, modality, quotas, roles, units
from extractors.base import ExtractContext, Match, derived, filter_spans
from extractors.metadata import DocumentMetadata
from extractors.text import title_spans
from extractors.units.cells import cell_bodies

FIELDS = {"citation": citations, "deadline": deadlines, "unit": units, "quota": quotas, "modality": modality}


@dataclass(frozen=True)
class FieldMatches:
    """Every field's matches over the whole text, in text order."""

    citations: list[Match] = field(default_factory=list)
    deadlines: list[Match] = field(default_factory=list)
    units: list[Match] = field(default_factory=list)
    quotas: list[Match] = field(default_factory=list)
    modality: list[Match] = field(default_factory=list)  # the cues; an obligation's modality is its sentence's

    def by_field(self) -> dict[str, list[Match]]:
        """Field name (as in FIELDS) -> its matches."""
        return {"citation": self.citations, "deadline": self.deadlines, "unit": self.units,
                "quota": self.quotas, "modality": self.modality}

    def within(self, name: str, start: int, end: int) -> list[Match]:
        """The matches of a field (an attribute name: "units") inside [start, end), in text order,
        found by bisection: asked for every sentence, a scan of the whole list made long documents
        quadratic."""
        ordered, starts = derived(self, name, getattr(self, name), _in_text_order)
        return [m for m in ordered[bisect.bisect_left(starts, start):bisect.bisect_right(starts, end)]
                if m.end <= end]


def _in_text_order(matches: list[Match]) -> tuple[list[Match], list[int]]:
    ordered = sorted(matches, key=lambda m: m.start)  # stable: a list already in text order is unchanged
    return ordered, [m.start for m in ordered]


def extract_fields(text: str, meta: DocumentMetadata | None, ctx: ExtractContext) -> FieldMatches:
    """Every field of `text` (see the module doc)."""
    cited = citations.extract(text, ctx)
    in_citations = [(m.start, m.end) for m in cited]
    masked = replace(ctx, masked=[*ctx.masked, *in_citations])
    dates_masked = replace(ctx, masked=[*ctx.masked, *in_citations, *title_spans(text)])
    found = FieldMatches(
        citations=cited,
        deadlines=deadlines.extract(text, dates_masked),
        units=_with_short_names(text, units.extract(text, masked), masked),
        quotas=quotas.extract(text, masked),
        modality=modality.extract(text, masked),
    )
    if meta is None:
        return found
    return replace(
        found,
        units=filter_spans(found.units + units.self_references(text, units.speakers(meta.issuers, meta.title), masked)),
        deadlines=[m for m in found.deadlines
                   if not any(s < m.end and m.start < e for s, e in meta.metadata_date_spans)],
        # the document's own number, and its own title read as a title (…发展规划（节选）), cite nothing;
        # a 《title》 inside the title line does (关于转发《…实施方案》的通知)
        citations=[m for m in found.citations
                   if not (meta.doc_number and _code(m.value.code) == _code(meta.doc_number))
                   and not (meta.title_span and meta.title_span[0] <= m.start and m.end <= meta.title_span[1]
                            and not m.surface.startswith("《"))],
    )


def _with_short_names(text: str, found: list[Match], ctx: ExtractContext) -> list[Match]:
    """The units, and the later mentions of the short names the text gives them (以下简称“联席办”) and
    of the offices bodies set up (指挥部下设办公室), and the bodies a labelled list or an assignment
    bracket names by its last word as a units cell does (责任单位：区民政局、井岗镇、南七街道;
    （…专班牵头，逍遥津街道配合）)."""
    lists = roles.labelled_lists(text) + [(s + 1, e - 1) for s, e in brackets.assignment_brackets(text)]
    labelled = [m for s, e in lists if not ctx.is_masked(s, e) for m in cell_bodies(text, s, e, found)]
    return filter_spans(found + units.short_name_units(text, found, ctx) + units.set_up_office_units(text, found, ctx)
                        + labelled)


def _code(code: str | None) -> str:
    return re.sub(r"\s+", "", code or "")
