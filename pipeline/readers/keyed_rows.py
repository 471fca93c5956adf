"""Rows of a flattened table whose header no alignment reads, keyed by the body each row names.

A flattened table under a two- or three-level header (乡镇 / 减量化情况 / 总面积 / 主要地类 / 建设用地面积:
工业, 宅基地, 其他 / …) loses its empty cells, and text alone cannot tell which column a number
belongs to (pipeline/readers/flattened_tables.py leaves such tables as lines). Its rows can still be
told apart when each opens with the body it is about — a town, a district, an office, or the total
row (江桥镇 / 39 / 221 / 、253 / 25 / 14 / 2014 / 年12月底 / 郊野单元 / 南翔镇 / …), maybe after its serial
(1 / 吴淞街道 / …): one row per body, its cells in reading order, with no column headers. The rows
then say which body each line of figures belongs to (an allocation row: extractors/allocation.py),
while what each figure measures stays unread.

    body_lines(items, j) -> list[Line]                    the short lines from item j on
    keyed_rows(lines) -> list[list[list[Line]]] | None   rows of cells (each cell its lines)
"""
from __future__ import annotations

import re
from functools import cache

from extractors.text import HAN
from pipeline.readers.flattened_rows import Line, source_lines
from pipeline.readers.normalize.items import Item
from pipeline.readers.normalize.lines import ANNEX, is_noise_line
from pipeline.readers.table_cells import vocabulary

_SERIAL = re.compile(r"\d{1,3}")
_MAX_CELL = 20          # characters of a cell line: a longer line is prose, no table of figures
_MIN_ROWS = 3
_MAX_HEADER_REST = 24   # lines of a header's rest before the first row
_MAX_CELLS = 24         # cells of one row
# a line opening like this continues the cell before it: 、253 (a list of codes), 年12月底 (a date
# broken after its year); not 月浦镇, a place
_CONTINUES = re.compile(r"、|年(?:\d|[底末内中初])|月(?:\d|[底末中初])")
_FIGURE = re.compile(r"、?\d+(?:\.\d+)?")   # a figure or a code (、253): a cell, never noise here


def body_lines(items: list[Item], j: int) -> list[Line]:
    """The short lines from item j up to the first that is prose (longer than two cells), a heading
    or an annex: where a table of figures ends. Figures are kept (a page-number check would drop
    39 or 、253); other noise lines are skipped."""
    lines: list[Line] = []
    for j, item, plain in source_lines(items, j):
        if plain and (_FIGURE.fullmatch(plain) or not is_noise_line(item.text.text)):
            if len(plain) > _MAX_CELL * 2 or ANNEX.match(plain):
                break
            lines.append(Line(item.text.strip(), plain, j))
    return lines


def keyed_rows(lines: list[Line]) -> list[list[list[Line]]] | None:
    """The rows of `lines` (the body of a flattened table, after its header), each opening with its
    serial (if any) and the body it names; None when the lines do not have that shape."""
    if not lines:
        return None
    starts = _row_starts(lines)
    # the lines before the first row are the rest of a header that ran over its labels' limits
    # (2026年度任务量约1625亩 / 1-2月前 / 3月底前完成20% …): they stay as they were
    if len(starts) < _MIN_ROWS or starts[0] > _MAX_HEADER_REST:
        return None
    rows = []
    for start, end in zip(starts, [*starts[1:], len(lines)]):
        cells = _cells(lines[start:end])
        if not 2 <= len(cells) <= _MAX_CELLS or sum(len(line.plain) > _MAX_CELL for line in lines[start:end]) > 1:
            return None
        rows.append(cells)
    return rows


@cache
def _key_pattern() -> re.Pattern:
    """A line that names a row's body (a place or an office by its ending, at most ten characters) or
    is the total row (flattened_tables.yaml row_key_endings, total_rows)."""
    vocab = vocabulary()
    endings = "|".join(map(re.escape, sorted(vocab.row_key_endings, key=len, reverse=True)))
    totals = "|".join(map(re.escape, vocab.total_rows))
    return re.compile(rf"[{HAN}（）()]{{1,10}}(?:{endings})|{totals}")


def _row_starts(lines: list[Line]) -> list[int]:
    """Where each row starts: at its body's line, or at the serial right before it (1 / 吴淞街道, the
    serial counting the rows)."""
    starts: list[int] = []
    key = _key_pattern()
    for k, line in enumerate(lines):
        if not key.fullmatch(line.plain):
            continue
        if k > 0 and _SERIAL.fullmatch(lines[k - 1].plain) and int(lines[k - 1].plain) == len(starts) + 1 \
                and (not starts or k - 1 > starts[-1]):
            starts.append(k - 1)
        else:
            starts.append(k)
    return starts


def _cells(lines: list[Line]) -> list[list[Line]]:
    """The cells of one row's lines: a line opening with 、, 年 or 月, or following a line that ends
    with 、, continues the cell before it (221 / 、253; 2014 / 年12月底; 完成制定方案、 / 计划和…)."""
    cells: list[list[Line]] = []
    for line in lines:
        if len(cells) > 1 and (_CONTINUES.match(line.plain) or cells[-1][-1].plain.endswith("、")):
            cells[-1].append(line)
        else:
            cells.append([line])
    return cells
