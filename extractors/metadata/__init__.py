"""Document metadata: title, 发文字号, issuers, jurisdiction, issued date, doc type, annex links.

Public API:

    extract_metadata(doc: Document) -> DocumentMetadata
    match_annex(annex_meta, parent_metas) -> int | None   which parent lists this annex
    extract(text, ctx) -> list[Match]                      the located pieces, as every field module
    parse_date(surface) -> date | None                     2020年 3月 23日, 二〇〇五年七月十四日, 2024-02-08
    normalise_doc_number(surface) -> str                   淄政办字 〔2020〕 34 号 -> 淄政办字〔2020〕34号
    doc_type_of_title(title) -> DocType | None             …的通知 -> notice
    area_of_name(name) -> str | None                       重庆市江津区规划和自然资源局 -> 重庆市江津区
    area_of_doc_number(number, text="") -> str | None      苏发改社会发〔2024〕184号 -> 江苏省
    split_organs(line) -> list[str]                        a signature line -> the bodies on it
    document_parts(doc) -> DocumentParts                   the cover and each annex after it

Where each value comes from, most trusted first (docs/EXTRACTION.md §metadata):
  - `Document.header_fields` (gov.cn: 发文机关, 发文字号, 成文日期, 标题; web pages: 发布机构, 文号,
    发文日期, 名称), then the same labels on header lines at the top of the text;
  - the document's own frame: the 发文字号 line near the top, the title lines (关于…的通知, possibly
    wrapped; an issuer on its own line above 关于 is the letterhead, not part of the title), the
    signature at the end (bodies, then the date; 抄送/(主动公开) lines after it are ignored), the
    adoption lines of a law (2018年7月27日…第五次会议通过);
  - inference: the jurisdiction from the issuers' names, else from the 发文字号's abbreviation
    (regions.yaml); the doc type from the title's last word, else from a body phrase (通知如下).
An annex (text opening with 附件2) gets its own title and type; issuers, jurisdiction and date stay
empty here (the caller inherits them from the parent found by `match_annex`).

The modules, from the words up:
    vocabulary   the rule tables (regions.yaml, metadata.yaml) validated on load; shared helpers
    dates        calendar dates of the frame (parse_date)
    doc_types    doc type from a title or a body cue
    doc_numbers  the 发文字号 pattern and its normal spelling
    areas        administrative areas from a body's name or a 发文字号
    organs       issuing bodies on a line (split_organs)
    lines        the document as lines, the Frame one pass fills, title finding
    header       label: value header fields
    top          the head: number line, letterhead, title, orders, adoption lines
    signature    the 落款: bodies and date at the end of the main text
    annex        annex head, annex lists, match_annex
    parts        the cover and the annexes printed after it (where each begins, its label, title)
    model        DocumentMetadata
    assembly     extract_metadata / extract: each field from its most trusted source

Vocabulary lives in extractors/data/regions.yaml and extractors/data/metadata.yaml; this package
holds the mechanism. Nothing here raises on text input, and nothing reads the clock.
"""
from extractors.metadata.annex import match_annex
from extractors.metadata.areas import Area, area_of_doc_number, area_of_name
from extractors.metadata.assembly import extract, extract_metadata
from extractors.metadata.dates import DATE_RE, parse_date
from extractors.metadata.doc_numbers import DOC_NUMBER_RE, normalise_doc_number
from extractors.metadata.doc_types import doc_type_of_title
from extractors.metadata.model import DocumentMetadata
from extractors.metadata.organs import split_organs
from extractors.metadata.parts import DocumentParts, Part, document_parts
from extractors.metadata.vocabulary import (
    REGIONS,
    RULES,
    DocType,
    MetadataRules,
    RegionTable,
)

# the public API (see above), the rule tables and the patterns other modules and tests use
__all__ = [
    "DATE_RE", "DOC_NUMBER_RE", "REGIONS", "RULES", "Area", "DocType", "DocumentMetadata", "DocumentParts",
    "MetadataRules", "Part", "RegionTable", "area_of_doc_number", "area_of_name", "doc_type_of_title",
    "document_parts", "extract", "extract_metadata", "match_annex", "normalise_doc_number", "parse_date",
    "split_organs",
]
