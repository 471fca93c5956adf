"""The one in-memory shape every reader produces: normalised text, blocks, and maps back to the source.

Every offset anywhere in the project (blocks, cells, extracted spans, stored rows) points into
`Document.text`, and `text[start:end]` is the surface that was extracted.
"""
from __future__ import annotations

import bisect
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr

BlockKind = Literal["title", "heading", "paragraph", "table_row", "signature", "annex_heading"]


class Cell(BaseModel):
    """One table cell inside a `table_row` block; offsets into `Document.text`."""

    col: int
    start: int
    end: int
    header: str | None = None  # the column header text, normalised (e.g. "时限", "责任单位")


class Block(BaseModel):
    """A heading, paragraph or table row. Blocks are separated by one '\\n' in `Document.text`;
    the cells of a table row by one '\\t'."""

    kind: BlockKind
    start: int
    end: int
    page: int | None = None
    table_id: int | None = None
    row: int | None = None
    cells: list[Cell] = Field(default_factory=list)
    # cells this row inherits from vertically merged cells begun in an earlier row of its table
    # (DOCX vMerge, HTML rowspan, a cell a flattened table omits): each at this row's column,
    # start/end being the merged cell's text in the row where it begins
    inherited: list[Cell] = Field(default_factory=list)


class SourceRun(BaseModel):
    """`length` characters of normalised text starting at `text_start` came from source
    position `source_start` (a character offset in the decoded source, or in the page text)."""

    text_start: int
    source_start: int
    length: int
    page: int | None = None


class Document(BaseModel):
    doc_id: str  # sha256 of the file bytes
    source_path: str
    format: Literal["txt", "md", "docx", "pdf", "html"]
    text: str
    blocks: list[Block] = Field(default_factory=list)
    source_map: list[SourceRun] = Field(default_factory=list)
    # key/value metadata the container itself carries (gov.cn 发文机关/发文字号/成文日期 tables,
    # web-page headers such as 发布机构/文号/发文日期, docx core properties); normalised text
    header_fields: dict[str, str] = Field(default_factory=dict)
    encoding: str | None = None
    ocr: bool = False
    n_pages: int | None = None
    _starts: list[int] = PrivateAttr(default_factory=list)
    _starts_key: tuple | None = PrivateAttr(default=None)

    def to_source(self, offset: int) -> tuple[int | None, int | None]:
        """(source offset, page) of a normalised-text offset; (None, None) for inserted characters."""
        i = bisect.bisect_right(self._run_starts(), offset) - 1
        if i < 0:
            return None, None
        run = self.source_map[i]
        if offset >= run.text_start + run.length:
            return None, run.page
        return run.source_start + (offset - run.text_start), run.page

    def _run_starts(self) -> list[int]:
        # built once per source map, not per offset: a record per span asks for its source, and a
        # list per question made large documents quadratic
        key = (id(self.source_map), len(self.source_map))
        if self._starts_key != key:
            self._starts = [r.text_start for r in self.source_map]
            self._starts_key = key
        return self._starts

    def page_of(self, offset: int) -> int | None:
        return self.to_source(offset)[1]
