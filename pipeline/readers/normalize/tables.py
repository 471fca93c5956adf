"""Tables into table_row blocks: the header row and the label of each column (also used by
reprocess to rebuild stored tables), tables and rows numbered, a PDF table continued over a page
kept as one."""
from __future__ import annotations

import re

from extractors.headers import is_header_row
from pipeline.readers.normalize.blocks import PendingBlock
from pipeline.readers.normalize.items import SourceTable
from pipeline.readers.normalize.lines import NUMBERING, NUMERIC_JUNK
from pipeline.readers.normalize.paragraphs import compact_spaces, join_lines
from pipeline.readers.normalize.traced import EMPTY, Traced, concat
from pipeline.readers.table_cells import ROW_NUMBER


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
        self.sub_header_text = ""  # the second row of a grouped header (责任单位 over 牵头单位 | 配合单位)
        self.origins: dict[int, tuple[PendingBlock, int]] = {}  # column -> the cell a merged cell below inherits

    def rows_of(self, table: SourceTable) -> list[PendingBlock]:
        rows = [[(compact_spaces(join_lines(c.text.split(_NEWLINE))), c.col, c.span) for c in row] for row in table.rows]
        rows = [[(_drop_junk(t), col, span) for t, col, span in row] for row in rows]
        merged = [{c.col for c in row if c.merged} for row in table.rows]
        kept = [(_trimmed(row), cols) for row, cols in zip(rows, merged) if _trimmed(row)]
        rows, merged = [row for row, _ in kept], [cols for _, cols in kept]
        if not rows:
            return []
        continuing = table.continues_previous and self.table_id >= 0
        if continuing and self.header_text and _row_key(rows[0]) == self.header_text:
            rows, merged = rows[1:], merged[1:]  # the header row repeated on the new page
            if rows and self.sub_header_text and _row_key(rows[0]) == self.sub_header_text:
                rows, merged = rows[1:], merged[1:]
        header_at = None
        if not continuing:
            self.table_id += 1
            self.next_row = 0
            self.headers, self.header_text, self.sub_header_text, self.origins = [], "", "", {}
            header_at = self._header_row(table, rows)
            if header_at is not None:
                # the container's header rows (<th> rows, Word's repeated rows) from the first: a
                # grouped header's second row names the columns under its group
                marked = min(table.header_rows or 0, len(rows))
                last, header_at = header_at, (0 if marked > 1 else header_at)
                rows[header_at] = self._name_columns(table, rows, header_at)
                while header_at < last or (not marked and _sub_header(rows, header_at)):
                    header_at += 1
                    self._name_sub_columns(rows[header_at])
        blocks = []
        width = max(len(self.headers), max((col + span for row in rows for _, col, span in row), default=0))
        for k, (cells, merged_cols) in enumerate(zip(rows, merged)):
            if (header_at is None or k > header_at) and is_group_row(cells, width):
                # 一 / 推进碳达峰碳中和综合管理 across the table: a section heading inside it, not a row
                title = concat([cells[0][0], Traced.inserted(_joiner(cells[0][0].text)), cells[-1][0]]) \
                    if len(cells) == 2 else cells[0][0]
                blocks.append(PendingBlock("heading", title, table_id=self.table_id))  # inside its table
                continue
            texts = [Traced.inserted("\t") if k else EMPTY for k in range(len(cells))]
            text = concat(p for pair in zip(texts, (t for t, _, _ in cells)) for p in pair)
            named = [(t, col, self.headers[col] if col < len(self.headers) else None) for t, col, _ in cells]
            block = PendingBlock("table_row", text, named, self.table_id, self.next_row)
            if header_at is None or k > header_at:  # a header cell is not inherited by the rows
                self._inherit(block, cells, merged_cols)
            blocks.append(block)
            self.next_row += 1
        return blocks

    def _inherit(self, block: PendingBlock, cells: list[tuple[Traced, int, int]], merged_cols: set[int]) -> None:
        """Merged cells of this row inherit the cell above them; its own cells are what rows below
        inherit (an explicitly empty cell ends a merge)."""
        block.inherits = [(*self.origins[col], col) for col in sorted(merged_cols) if col in self.origins]
        for k, (text, col, span) in enumerate(cells):
            for c in range(col, col + span):
                if text.text:
                    self.origins[c] = (block, k)
                elif c not in merged_cols:
                    self.origins.pop(c, None)

    @staticmethod
    def _header_row(table: SourceTable, rows: list[list[tuple[Traced, int, int]]]) -> int | None:
        if table.header_rows:
            return min(table.header_rows, len(rows)) - 1
        return next((k for k, row in enumerate(rows[:3]) if is_header_row([t.text for t, _, _ in row])), None)

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

    def _name_sub_columns(self, row: list[tuple[Traced, int, int]]) -> None:
        """The columns a grouped header's second row names take its labels (责任单位 over 牵头单位 |
        配合单位: the columns are 牵头单位 and 配合单位, whose words say the role)."""
        for t, col, span in row:
            label = re.sub(r"\s+", "", t.text)
            for c in range(col, min(col + span, len(self.headers))) if label else ():
                self.headers[c] = label
        self.sub_header_text = _row_key(row)


_NEWLINE = re.compile(r"\n")


_GROUP_TITLE_MAX = 40


def is_group_row(cells: list[tuple[Traced, int, int]], width: int) -> bool:
    """A row that is a group line of its table (一 / 推进…综合管理, 行动一：…): a row number (or a
    dash) and a short title reaching the last column, or a numbered title across the whole table."""
    filled = [(t.text.strip(), col, span) for t, col, span in cells if t.text.strip()]
    if width < 3 or not filled or len(filled) > 2 or len(filled) != len(cells):
        return False
    title, col, span = filled[-1]
    if len(title) > _GROUP_TITLE_MAX or re.search(r"[。；;]", title):
        return False
    if len(filled) == 1:  # a PDF table loses the span: a numbered title alone in the first column is enough
        return col == 0 and bool(NUMBERING.match(title) or re.match(r"行动[一二三四五六七八九十\d]{1,3}", title))
    if col + span < width:
        return False
    first = re.sub(r"\s+", "", filled[0][0])
    return filled[0][1] == 0 and (ROW_NUMBER.fullmatch(first) is not None or first in ("—", "－", "-"))


def _joiner(number: str) -> str:
    """What joins a group line's number to its title: 一 / 构建… -> 一、构建… (the 公文 form, which a
    PDF keeps too); nothing after （一） or a dash."""
    return "、" if re.fullmatch(r"\s*[*＊]?(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*", number) else ""


def _trimmed(row: list[tuple[Traced, int, int]]) -> list[tuple[Traced, int, int]]:
    while row and not row[-1][0].text:
        row = row[:-1]
    return row


def _sub_header(rows: list[list[tuple[Traced, int, int]]], at: int) -> bool:
    """Whether the row below the header row is the second row of a grouped header: its labels
    stand only under the header cells that span several columns (责任单位 over 牵头单位 | 配合单位)."""
    if at + 1 >= len(rows):
        return False
    groups = [(col, col + span) for t, col, span in rows[at] if span > 1 and t.text.strip()]
    labels = [(t.text.strip(), col) for t, col, _ in rows[at + 1] if t.text.strip()]
    return bool(groups) and bool(labels) and all(any(a <= col < b for a, b in groups) for _, col in labels) \
        and is_header_row([label for label, _ in labels])


def _row_key(row: list[tuple[Traced, int, int]]) -> str:
    return "".join(re.sub(r"\s+", "", t.text) for t, _, _ in row)


def _drop_junk(cell: Traced) -> Traced:
    """A cell holding only numeric junk ("- 74.24", a page number slipped into a table) is empty."""
    return EMPTY if NUMERIC_JUNK.match(cell.text) else cell
