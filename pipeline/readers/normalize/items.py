"""What readers hand the normaliser, in reading order: source lines and source tables, and how
the lines make paragraphs (Layout)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from pipeline.readers.normalize.traced import Traced
from schemas.document import BlockKind


@dataclass(slots=True)
class SourceLine:
    """A line or paragraph of source text, in reading order."""

    text: Traced
    kind: BlockKind | None = None  # known from the container: a docx heading style, a markdown '#'
    # PDF geometry, None when unknown: the line reaches the right margin; it starts indented
    full: bool | None = None
    indented: bool | None = None
    centred: bool | None = None  # indented about as far from the left margin as from the right


@dataclass(slots=True)
class SourceCell:
    text: Traced  # lines of a cell are separated by '\n'
    col: int  # first grid column
    span: int = 1  # grid columns covered (a merged cell is read once)
    # an empty cell under a vertically merged cell (DOCX vMerge, HTML rowspan, a cell a flattened
    # table omits): the row inherits the merged cell (Block.inherited)
    merged: bool = False


@dataclass(slots=True)
class SourceTable:
    rows: list[list[SourceCell]]
    header_rows: int | None = None  # leading rows the container marks as headers; None: guess
    # a PDF table that goes on from the previous page: same table, repeated header row dropped
    continues_previous: bool = False
    # header cells name the rightmost columns when a text table's header has fewer cells
    align_header_right: bool = False


Item = SourceLine | SourceTable


class Layout(Enum):
    """How source lines make paragraphs."""

    LINES = "lines"  # each line is a paragraph (text files, docx paragraphs, HTML blocks)
    WRAPPED = "wrapped"  # hard-wrapped PDF dump: lines are joined into paragraphs
    GEOMETRY = "geometry"  # PDF lines with full/indented hints
