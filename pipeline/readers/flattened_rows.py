"""What the rows of a flattened table say about its columns, learnt from one alignment pass and
used by the next (pipeline/readers/flattened_tables.py): the numbering each column's cells carry,
the kind of cell each column holds, the column that numbers the rows; and whether the rows fill
the header at all."""
from __future__ import annotations

import math
from dataclasses import dataclass

import re

from pipeline.readers.normalize.items import SourceLine
from pipeline.readers.normalize.traced import Traced
from pipeline.readers.table_cells import (
    NUMBERED, ColumnClass, classify, is_row_number, numbering_style, primary_kind, row_number_value, vocabulary,
)

_SPACES = re.compile(r"\s+")
_UNLIKE, _UNLIKE_FLOOR = 0.6, -1.5  # a cell unlike the column's other cells (third pass)


@dataclass
class Line:
    text: Traced  # stripped
    plain: str  # without spaces
    item: int  # index in the item list


def source_lines(items: list, j: int):
    """(index, item, text without spaces) of each source line from item j on, up to the first item
    that is no line (a table) or is the document's title or a heading: the lines a table's body may
    hold."""
    while j < len(items):
        item = items[j]
        if not isinstance(item, SourceLine) or item.kind in ("title", "heading"):
            return
        yield j, item, _SPACES.sub("", item.text.text)
        j += 1


@dataclass
class Row:
    cells: list[tuple[int, list[Line]]]  # (column, lines) in column order


def style_of(lines: list[Line]) -> str | None:
    """The numbering a cell of text opens with (1、改善… （1）建设…); a bare row number has none:
    its column is the number column, whatever its style."""
    if len(lines) == 1 and is_row_number(lines[0].plain):
        return None
    return numbering_style(lines[0].plain)


def styles_of(rows: list[Row]) -> dict[str, int]:
    """Numbering style -> its column in the first full row (at least three cells)."""
    first = next((row for row in rows if len(row.cells) >= 3), None)
    styles: dict[str, int] = {}
    for col, lines in first.cells if first else []:
        style = style_of(lines)
        if style and style not in styles:
            styles[style] = col
    return styles


def profiles(rows: list[Row], ncols: int) -> list[dict[str, float]]:
    """Per column, the share of each kind of cell (primary_kind) among its cells in `rows`."""
    counts: list[dict[str, int]] = [{} for _ in range(ncols)]
    for row in rows:
        for col, lines in row.cells:
            kind = primary_kind(classify("".join(line.plain for line in lines)))
            counts[col][kind] = counts[col].get(kind, 0) + 1
    return [{k: v / sum(c.values()) for k, v in c.items()} for c in counts]


def unlike(profile: dict[str, float], kind: str) -> float:
    """Cost of a cell of this kind in a column whose other cells are mostly of another kind:
    a column holds one kind of thing (learnt from the first pass, so no document's layout is
    assumed)."""
    if not profile:
        return 0.0
    top = max(profile.values())
    return max(_UNLIKE_FLOOR, _UNLIKE * math.log((profile.get(kind, 0.0) + 0.05) / (top + 0.05)))


def key_column(rows: list[Row], classes: list[tuple[ColumnClass, ...]]) -> int | None:
    """The column that numbers the rows: in most rows, its cell is or starts with a row number."""
    counts = [0] * len(classes)
    for row in rows:
        for col, lines in row.cells:
            if is_row_number(lines[0].plain) or NUMBERED.match(lines[0].plain):
                counts[col] += 1
    col = max(range(len(classes)), key=lambda c: (counts[c], -c))
    return col if counts[col] >= max(2, 0.6 * len(rows)) else None


def numbered_in_order(rows: list[Row]) -> bool:
    """Row numbers in the first column count up (1, 2, 3 …; （一）, （二） … each style on its own,
    restarting at 1 under a new group); cells that only look like numbers (quantities) do not."""
    last: dict[str | None, int] = {}
    good = total = 0
    for row in rows:
        col, lines = row.cells[0]
        value = row_number_value(lines[0].plain) if col == 0 and len(lines) == 1 else None
        if value is None:
            continue
        style = numbering_style(lines[0].plain)
        if style in last:
            total += 1
            good += value in (last[style] + 1, 1)
        last[style] = value
    return total < 3 or good >= 0.7 * total


def header_fits(rows: list[Row], classes: list[tuple[ColumnClass, ...]]) -> bool:
    """Whether the rows fill the header's columns. A header with more cells than any row, or a
    column left of filled ones that no row fills, is a multi-level header (减量化情况 over 总面积 /
    主要地类 / 建设用地面积 over 工业 / 宅基地 / 其他): text alone does not say which cells are the
    columns, and a wrong guess is worse than none — the lines stay paragraphs."""
    if not numbered_in_order(rows):
        return False
    widest = max(len(row.cells) for row in rows)
    used = {col for row in rows for col, _ in row.cells}
    if len(classes) > widest + 1:
        return False
    return all(c in used or classes[c] == ("note",) for c in range(max(used) + 1))


def trim_rows(rows: list[Row], classes: list[tuple[ColumnClass, ...]]) -> list[Row]:
    """Rows after the last numbered row of a numbered table, and a note line at the end, are
    prose after the table."""
    key = key_column(rows, classes)
    if key is not None:
        while rows and not any(c == key and (is_row_number(l[0].plain) or NUMBERED.match(l[0].plain))
                               for c, l in rows[-1].cells):
            rows = rows[:-1]
    notes = vocabulary().note_starts
    while rows and len(rows[-1].cells) == 1 and rows[-1].cells[0][1][0].plain.startswith(notes):
        rows = rows[:-1]
    return rows
