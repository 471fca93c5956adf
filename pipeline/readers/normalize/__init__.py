"""One normaliser for every reader: source lines and tables in, `Document` text and blocks out.

Readers hand over what they found in reading order: `SourceLine`s (a text line, a paragraph, a
PDF line with its geometry) and `SourceTable`s (rows of cells). Text files go through
`text_items` first, which splits lines and turns tab-separated lines into tables (prose joined
to them by tabs split off into lines of its own; three or more lines of three or more cells apart
by runs of spaces, as a PDF dump writes a table, count as tab-separated). `normalize`
then, in this order:

1. folds characters 1:1 (full-width digits/letters to ASCII, odd spaces to ' ') and drops
   zero-width characters;
2. takes the key/value metadata lines of the head into `header_fields` ("发布机构: …");
3. drops noise lines: page numbers, numeric junk, bullets, web furniture (a bare number between
   two short lines that are no sentences is a cell of a flattened table, and stays), and a text
   dump's running header (the same short line right after two or more page numbers);
4. joins the lines of a paragraph (`Layout`): a PDF dump wrapped every ~28 characters is
   detected from its line-length statistics (one width shared by most lines, or long lines of
   about one width that mostly stop in mid-sentence); a short line right above a date line opens
   the signature; PDF lines are joined from their geometry;
5. removes the spaces that split Chinese text ("2020 年 4 月" -> "2020年4月"), keeping the ones
   between Latin words ("DB 50/T");
6. lays the blocks out joined by one '\\n', table cells by one '\\t', and names block kinds
   where the numbering makes them obvious.

Every string is a `Traced`: it knows for each character where in the source it came from, so
the document's `source_map` stays right through every edit.

The package, in the order of the data:

    traced.py      Traced: text that knows where each character came from
    vocabulary.py  the vocabulary (pipeline/readers/data/normalize.yaml), validated
    lines.py       character classes, 公文 line patterns, noise lines, metadata lines
    items.py       what readers hand over: SourceLine, SourceTable, Layout
    text_items.py  a text file's lines as items
    tab_prose.py   prose pieces of a tab-separated line told from table cells
    paragraphs.py  lines joined into paragraphs, splitting spaces removed
    blocks.py      block kinds and the signature
    tables.py      table rows and column headers
    assemble.py    normalize(): the steps above, the text and blocks laid out
"""
from pipeline.readers.normalize.assemble import Normalised, normalize, normalize_text
from pipeline.readers.normalize.blocks import guess_kind
from pipeline.readers.normalize.items import Item, Layout, SourceCell, SourceLine, SourceTable
from pipeline.readers.normalize.lines import (
    CJK,
    IDEOGRAPH,
    fold,
    has_cjk,
    header_fields_of,
    is_header_field_line,
    is_noise_line,
    width,
)
from pipeline.readers.normalize.paragraphs import compact_spaces, detect_layout, join_lines
from pipeline.readers.normalize.tab_prose import piece_kind, prose_tail
from pipeline.readers.normalize.tables import column_headers, right_aligned
from pipeline.readers.normalize.text_items import text_items
from pipeline.readers.normalize.traced import EMPTY, Run, Traced, concat
from pipeline.readers.normalize.vocabulary import Vocabulary, vocabulary

__all__ = [
    "CJK", "EMPTY", "IDEOGRAPH", "Item", "Layout", "Normalised", "Run", "SourceCell", "SourceLine", "SourceTable",
    "Traced", "Vocabulary", "column_headers", "compact_spaces", "concat", "detect_layout", "fold", "guess_kind",
    "has_cjk", "header_fields_of", "is_header_field_line", "is_noise_line", "join_lines",
    "normalize", "normalize_text", "piece_kind", "prose_tail", "right_aligned", "text_items", "vocabulary", "width",
]
