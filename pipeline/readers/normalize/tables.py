"""Tables into table_row blocks: the header row and the label of each column (also used by
reprocess to rebuild stored tables), tables and rows numbered, a PDF table continued over a page
kept as one."""
from __future__ import annotations

import re

from pipeline.readers.normalize.blocks import PendingBlock
from pipeline.readers.normalize.items import SourceTable
from pipeline.readers.normalize.lines import NUMERIC_JUNK
from pipeline.readers.normalize.paragraphs import compact_spaces, join_lines
from pipeline.readers.normalize.traced import EMPTY, Traced, concat


_LABEL_PUNCTUATION = re.compile(r"[\d，。；、,.;:：！？]")


def looks_like_header(cells: list[str]) -> bool:
    """A header row: at least two cells, all short label words (序号, 主要工作任务, 责任单位)."""
    labels = [c for c in cells if c]
    return len(labels) >= 2 and all(len(c) <= 10 and not _LABEL_PUNCTUATION.search(c) for c in labels)


def right_aligned(header: list[tuple[int, int, str]], n_cols: int) -> list[tuple[int, int, str]]:
    """A text table's header row may have fewer cells than its data rows (a merged header cell
    loses its span in a text dump): its cells then name the rightmost columns."""
    while header and not header[-1][2]:
        header = header[:-1]
    shift = max(n_cols - (header[-1][0] + header[-1][1]), 0) if header else 0
    return [(col + shift, span, label) for col, span, label in header]


def column_headers(header: list[tuple[int, int, str]], n_cols: int) -> list[str | None]:
    """The header label of each grid column, from the (col, span, label) of the header cells.

    A label covers its span and the empty header cells right of it (what remains of a merged
    cell); columns left of the first label take the first label (a merged header spanning
    leftwards over the columns a text dump dropped).
    """
    n_cols = max(n_cols, max((col + span for col, span, _ in header), default=0))
    labels: list[str | None] = [None] * n_cols
    for col, span, label in header:
        for c in range(col, min(col + span, n_cols)):
            labels[c] = label or None
    for c in range(1, n_cols):
        if labels[c] is None:
            labels[c] = labels[c - 1]
    first = next((label for label in labels if label), None)
    return [label or first for label in labels] if first else [None] * n_cols


class TableRows:
    """Turns tables into table_row blocks, numbering tables and their rows; a PDF table that
    continues on the next page keeps its id, headers and row count."""

    def __init__(self) -> None:
        self.table_id = -1
        self.next_row = 0
        self.headers: list[str | None] = []
        self.header_text = ""

    def rows_of(self, table: SourceTable) -> list[PendingBlock]:
        rows = [[(compact_spaces(join_lines(c.text.split(_NEWLINE))), c.col, c.span) for c in row] for row in table.rows]
        rows = [[(_drop_junk(t), col, span) for t, col, span in row] for row in rows]
        rows = [_trimmed(row) for row in rows]
        rows = [row for row in rows if row]
        if not rows:
            return []
        continuing = table.continues_previous and self.table_id >= 0
        if continuing and self.header_text and _row_key(rows[0]) == self.header_text:
            rows = rows[1:]  # the header row repeated on the new page
        if not continuing:
            self.table_id += 1
            self.next_row = 0
            self.headers, self.header_text = [], ""
            header_at = self._header_row(table, rows)
            if header_at is not None:
                rows[header_at] = self._name_columns(table, rows, header_at)
        blocks = []
        for cells in rows:
            texts = [Traced.inserted("\t") if k else EMPTY for k in range(len(cells))]
            text = concat(p for pair in zip(texts, (t for t, _, _ in cells)) for p in pair)
            named = [(t, col, self.headers[col] if col < len(self.headers) else None) for t, col, _ in cells]
            blocks.append(PendingBlock("table_row", text, named, self.table_id, self.next_row))
            self.next_row += 1
        return blocks

    @staticmethod
    def _header_row(table: SourceTable, rows: list[list[tuple[Traced, int, int]]]) -> int | None:
        if table.header_rows:
            return min(table.header_rows, len(rows)) - 1
        return next((k for k, row in enumerate(rows[:3]) if looks_like_header([t.text for t, _, _ in row])), None)

    def _name_columns(self, table: SourceTable, rows: list, header_at: int) -> list[tuple[Traced, int, int]]:
        """Set the column headers from row `header_at`; returns that row with its cells at the
        columns they name."""
        row = rows[header_at]
        data_cols = max((col + span for r in rows[header_at + 1 :] for _, col, span in r), default=0)
        header = [(col, span, re.sub(r"\s+", "", t.text)) for t, col, span in row]
        if table.align_header_right:
            header = right_aligned(header, data_cols)
            row = [(t, col, span) for (t, _, _), (col, span, _) in zip(row, header)]
        self.headers = column_headers(header, data_cols)
        self.header_text = _row_key(row)
        return row


_NEWLINE = re.compile(r"\n")


def _trimmed(row: list[tuple[Traced, int, int]]) -> list[tuple[Traced, int, int]]:
    while row and not row[-1][0].text:
        row = row[:-1]
    return row


def _row_key(row: list[tuple[Traced, int, int]]) -> str:
    return "".join(re.sub(r"\s+", "", t.text) for t, _, _ in row)


def _drop_junk(cell: Traced) -> Traced:
    """A cell holding only numeric junk ("- 74.24", a page number slipped into a table) is empty."""
    return EMPTY if NUMERIC_JUNK.match(cell.text) else cell
