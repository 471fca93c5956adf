"""Tables that reach us flattened, one cell per line or paragraph, turned back into tables.

Text copied from web pages and PDFs often loses a table's grid: a header run (序号 / 重点任务 /
具体工作 / 时间进度 / 责任部门; a header cell itself split over lines, 牵头 / 部门) followed by one
short line per cell; merged cells are omitted, so later rows have fewer cells; a cell may be
broken over lines (2014 / 年12月底, 区土方工作 / 专班); the header may repeat inside the table.
`recover(items)` finds such runs among the lines and replaces them by a `SourceTable`, which the
normaliser lays out like any grid table: the same `table_row` blocks as if the table had come as
DOCX or HTML.

Cells are put into rows and columns by a monotone alignment (a dynamic programme over the
lines): each cell goes to a column whose class (table_cells.py: number, date, bodies, measure,
quantity, label, text, note — from the header words) fits its content, each line either starts a
cell or continues the one before (cheap where the break is plainly inside a cell: after 、, before
年), and a row may omit columns (a merged cell above) at a cost. The alignment runs three times,
each pass learning from the one before what the table itself says: the second knows the key
column (the one that numbers the rows) and which numbering each column's cells carry (（一） in
one, 1、 in the next, （1） in the third: GB/T 9704 levels go down from left to right); the third
knows what kind of cell each column holds (pipeline/readers/flattened_rows.py: what the rows say).
Nothing of one document's layout is encoded.

Omitted cells of text, label, bodies and date columns are marked as merged: they inherit the cell
above, as a vertically merged DOCX cell does; a group line (一 / 推进…管理) spans the table and the
normaliser makes it a heading. The table ends where a long line fits no column (prose resumes), at
an annex heading, at the document's next section (二、重点任务; （二） after a table standing in
（一）, unless the table's own cells use that numbering), or after the last numbered row.
A header the rows do not fill (a multi-level header, whose columns text alone cannot tell) is
tried once more by the bodies its rows name (pipeline/readers/keyed_rows.py: one row per body,
no column headers, the header's lines left as they were); failing that, and where row numbers do
not count up (numbers that are quantities), the lines stay as they were.
"""
from __future__ import annotations

import re

from pipeline.readers.normalize.items import Item, SourceCell, SourceLine, SourceTable
from pipeline.readers.normalize.lines import ANNEX, NUMBERING, is_noise_line
from pipeline.readers.normalize.traced import EMPTY, Traced, concat
from pipeline.readers.sections import SECTION_LOOKBACK, continues_section, section_before
from pipeline.readers.keyed_rows import body_lines, keyed_rows
from pipeline.readers.flattened_rows import (
    Line, Row, source_lines, header_fits, key_column, profiles, style_of, styles_of, trim_rows, unlike,
)
from pipeline.readers.table_cells import (
    MAX_LENGTH, NUMBERED, ColumnClass, classify, column_classes, fit, header_classes, is_body_list, is_row_number,
    is_blank_mark, numbering_style, primary_kind, vocabulary,
)

_SPACES = re.compile(r"\s+")
_LABEL_PUNCTUATION = re.compile(r"[。；;，,：:！？!?]")
_CJK = re.compile(r"[\u3400-\u9fff]")
_MAX_LABEL = 20  # characters of one header cell
_MAX_LABEL_WORDS = 12  # without its parentheses: 计划完成时间（完成复垦时间）, 重点任务（2024-2026）
_PARENTHESES = re.compile(r"[（(][^（()）]*[)）]")
_MAX_CELL_LINES = 6  # lines one cell may be broken into
_MIN_ROWS = 2

# Alignment costs (0 is best; the cell fits are in table_cells.py). A line that continues the cell
# before it: plain, with a visible cue (a break after 、 or before 年), after a ；-item, joining a
# task and a body.
_JOIN, _JOIN_CUED, _JOIN_LIST, _JOIN_MIXED = -2.0, -0.1, -0.6, -0.5
_SKIP_INSIDE = -0.7  # an omitted (merged) cell inside a row, per column
_SKIP_EDGE, _SKIP_EDGE_MORE = -0.4, -0.25  # a merged run at a row's edge: its first column, each further one
_NEW_ROW = -0.3
_NO_KEY = -0.3  # a row starting right of the key column
_NO_CONTENT = -1.0  # a row starting right of every text column (bodies or a date alone)
_OTHER_STYLE = -2.5  # a cell numbered like the cells of another column (second pass)
_UNNUMBERED = -2.0  # an unnumbered cell in a column of numbered cells (second pass)
_PROSE = -2.5  # a long line fitting no column better than this is prose after the table
_INHERITING: set[ColumnClass] = {"text", "label", "bodies", "date"}
_STRUCTURAL: set[ColumnClass] = {"number", "date", "bodies", "quantity", "measure"}
_YEAR = re.compile(r"(?:19|20)\d{2}")
_JOIN_AFTER = tuple("、，,（(—-－/+")
_JOIN_BEFORE = tuple("、，,）)年月日号%％")


def recover(items: list[Item]) -> list[Item]:
    """The items with every flattened table found among its lines replaced by a SourceTable."""
    out: list[Item] = []
    i = 0
    while i < len(items):
        table, end = _table_at(items, i)
        if isinstance(table, list):  # the header's lines as they were, then the rows keyed by body
            out.extend(table)
        elif table is not None:
            out.append(table)
        else:  # no table; a header run that heads none is not looked at again from its middle
            out.extend(items[i:end])
        i = end
    return out


# ------------------------------------------------------------------------------ the header


def _plain(item: Item) -> str | None:
    if not isinstance(item, SourceLine):
        return None
    return _SPACES.sub("", item.text.text)


def _is_label(plain: str) -> bool:
    if not plain or len(plain) > _MAX_LABEL or not _CJK.search(plain) or _LABEL_PUNCTUATION.search(plain):
        return False
    if is_row_number(plain) or NUMBERED.match(plain) or NUMBERING.match(plain) or ANNEX.match(plain):
        return False
    if plain[0].isdigit() and not _YEAR.match(plain):
        return False  # 1.4工作原则, 2组织机构和职责: a numbered section title (a table of contents)
    if len(_PARENTHESES.sub("", plain)) > _MAX_LABEL_WORDS:
        return False  # 青浦区建筑垃圾管理任务分工: the table's title, not a column
    if column_classes(plain):
        return True
    return len(plain) <= 10 and not is_body_list(plain)  # a column named by no known word (其他, 工业)


def _header_at(items: list[Item], i: int) -> tuple[list[tuple[Traced, str]], int] | None:
    """The header cells of a header run starting at item i, and the index after the run."""
    first = _plain(items[i])
    if not first or items[i].kind == "title" or not column_classes(first):
        return None
    fragments: list[tuple[Traced, str]] = []
    j = i
    while j < len(items) and len(fragments) < 40:
        plain = _plain(items[j])
        if plain is None:
            break
        if plain:
            if not _is_label(plain):
                break
            fragments.append((items[j].text.strip(), plain))
        j += 1
    labels = _join_fragments(fragments)
    known = sum(1 for _, label in labels if column_classes(label))
    if known < 2 or (len(labels) < 3 and known < len(labels)):
        return None
    classes = header_classes([label for _, label in labels])
    if len(labels) == 2 and classes[0] not in (("number",), ("label",)):
        return None  # two headings in a row (主要任务 / 保障措施) are no header: a 2-column table starts with its key
    if len(labels) > 2 and not any(set(c) & _STRUCTURAL for c in classes):
        return None  # a table of three columns or more has a number, date, bodies or quantity column
    return labels, j


def _join_fragments(fragments: list[tuple[Traced, str]]) -> list[tuple[Traced, str]]:
    """牵头 / 部门 -> 牵头部门: a header cell broken over two lines is one cell. Not when the second
    is a header of its own and the two together are none (指标 / 单位 in an indicator table's header:
    two columns)."""
    vocab = vocabulary()
    words = {w for ws in vocab.column_words.values() for w in ws}
    labels: list[tuple[Traced, str]] = []
    k = 0
    while k < len(fragments):
        text, plain = fragments[k]
        if k + 1 < len(fragments) and plain in vocab.header_modifiers and fragments[k + 1][1] in vocab.header_heads \
                and (plain + fragments[k + 1][1] in words or fragments[k + 1][1] not in words):
            text, plain = concat([text, fragments[k + 1][0]]), plain + fragments[k + 1][1]
            k += 1
        labels.append((text, plain))
        k += 1
    return labels


# ------------------------------------------------------------------------------- the body


def _table_at(items: list[Item], i: int) -> tuple[SourceTable | None, int]:
    """The table whose header run starts at item i and the index after it; (None, index after
    the items looked at) when there is none."""
    header = _header_at(items, i)
    if header is None:
        return None, i + 1
    labels, j = header
    classes = header_classes([label for _, label in labels])
    lines = _body_lines(items, j, [label for _, label in labels], classes)
    if not lines:
        return None, j
    section = section_before([_plain(item) for item in items[max(0, i - SECTION_LOOKBACK):i]])
    rows = _align(lines, classes, key=None, styles={})
    styles = styles_of(rows)
    heading = next((k for k, line in enumerate(lines) if _is_section_heading(line, styles)
                    or continues_section(line.plain, section, [other.plain for other in lines[:k]])), None)
    if heading is not None:  # 二、重点任务, or （二） after a table in （一）: the document's next section
        lines = lines[:heading]
        if not lines:
            return None, j
        rows = _align(lines, classes, key=None, styles={})
        styles = styles_of(rows)
    # the second pass knows which column numbers the rows, and which numbering each column has
    # (from the first full row, which merges nothing): （一） in one column, 1、 in the next, （1） in the third
    key = key_column(rows, classes)
    rows = _align(lines, classes, key=key, styles=styles)
    # the third knows what each column holds (from the second): a cell unlike the others costs
    rows = _align(lines, classes, key=key, styles=styles, profiles=profiles(rows, len(classes)))
    rows = trim_rows(rows, classes)
    if len(rows) < _MIN_ROWS or not header_fits(rows, classes):
        return _keyed_table(items, i, j)
    end = rows[-1].cells[-1][1][-1].item + 1
    return _source_table(labels, rows, classes), end


def _keyed_table(items: list[Item], i: int, j: int) -> tuple[list[Item] | None, int]:
    """A header (items i..j) no alignment reads, a multi-level one: the rows after it keyed by the
    body each names (pipeline/readers/keyed_rows.py), without column headers, after the header's
    lines as they were; (None, j) when the lines after it are not such rows."""
    rows = keyed_rows(body_lines(items, j))
    if rows is None:
        return None, j
    table = SourceTable([[SourceCell(_cell_text(cell), col) for col, cell in enumerate(row)] for row in rows],
                        header_rows=0)
    first = rows[0][0][0].item
    return [*items[i:first], table], rows[-1][-1][-1].item + 1


def _body_lines(items: list[Item], j: int, labels: list[str], classes: list[tuple[ColumnClass, ...]]) -> list[Line]:
    """The lines after the header up to where the table ends; a repeated header is skipped."""
    longest = max((max(MAX_LENGTH[c] for c in cls) if cls else MAX_LENGTH["text"]) for cls in classes)
    lines: list[Line] = []
    skip_to = j
    for j, item, plain in source_lines(items, j):
        if j < skip_to:
            continue  # inside a repeated header
        if not plain or (is_noise_line(item.text.text) and not is_row_number(plain) and not is_blank_mark(plain)):
            continue  # a page number or web furniture inside the table; a row number or a blank mark (——) stays
        if ANNEX.match(plain) or len(plain) > longest:
            break
        if len(plain) > 40 and max(fit(classify(plain), cls) for cls in classes) <= _PROSE:
            break  # a paragraph no column holds: prose resumes
        again = _header_at(items, j) if plain == labels[0] else None
        if again is not None and [label for _, label in again[0]] == labels:
            skip_to = again[1]  # the header repeated inside the table is not a row
            continue
        lines.extend(_group_line(items, j, item.text.strip(), plain))
    return lines


# a group line written as one heading (一、设施补短板) above a table's numbered rows
_GROUP_HEADING = re.compile(r"([一二三四五六七八九十]{1,3})、")


def _group_line(items: list[Item], j: int, text: Traced, plain: str) -> list[Line]:
    """The line at item j, as one Line; a group line written as one heading (一、设施补短板) with a
    numbered row right below it as two (一 / 设施补短板), the shape of a group row whose number and
    name stand in cells of their own, so that it spans the table instead of ending it."""
    m = _GROUP_HEADING.match(plain)
    following = next((p for _, _, p in source_lines(items, j + 1) if p), None)
    if m is None or len(plain) > 30 or len(plain) == m.end() or following is None or not is_row_number(following):
        return [Line(text, plain, j)]
    raw = text.text
    mark = raw.index("、")
    return [Line(text.slice(0, mark).strip(), m.group(1), j),
            Line(text.slice(mark + 1, len(raw)).strip(), plain[m.end():], j)]


def _join_cost(before: Line, after: Line, number_column: bool) -> float:
    if is_row_number(after.plain) or is_blank_mark(after.plain) or is_blank_mark(before.plain):
        return -5.0  # a row number or a blank mark (——) never continues a cell, nor is continued
    if is_row_number(before.plain) and (number_column or before.plain.lstrip("*＊").isdigit()):
        return -3.0  # nor is a cell a row number and a text: the number has a column of its own
    if NUMBERED.match(after.plain):
        return -4.0  # a numbered item opens a cell of its own, as a rule
    vocab = vocabulary()
    if before.plain.endswith(_JOIN_AFTER) or after.plain.startswith(_JOIN_BEFORE) \
            or after.plain.startswith(vocab.note_starts) or is_row_number(before.plain) \
            or after.plain in vocab.body_suffixes:  # （一） / 提升…品质;  区土方工作 / 专班
        return _JOIN_CUED
    if before.plain.endswith(("；", ";")):
        return _JOIN_LIST
    if is_body_list(before.plain) != is_body_list(after.plain):
        return _JOIN + _JOIN_MIXED  # a task and a body are two cells, as a rule
    return _JOIN


def _edge(k: int) -> float:
    """Cost of k cells omitted at the start or end of a row (a merged run: its length matters little)."""
    return _SKIP_EDGE + _SKIP_EDGE_MORE * (k - 1) if k > 0 else 0.0


def _align(lines: list[Line], classes: list[tuple[ColumnClass, ...]], key: int | None,
           styles: dict[str, int], profiles: list[dict[str, float]] | None = None) -> list[Row]:
    """Rows of (column, lines) for the lines, by the best monotone alignment (see the module doc)."""
    n, ncols = len(lines), len(classes)
    number_column = ("number",) in classes
    joins = [_join_cost(lines[k - 1], lines[k], number_column) if k else 0.0 for k in range(n)]
    neg = float("-inf")
    best = [[neg] * ncols for _ in range(n)]
    back: list[list[tuple[int, int, int, bool] | None]] = [[None] * ncols for _ in range(n)]
    # columns whose cells open with a numbering (1、改善城市道路环境): an unnumbered cell is not theirs
    numbered = {c for c in styles.values() if classes[c] != ("number",)}
    # a row starting right of every text column would hold no task: bodies or a date alone are the
    # cells of the row above
    last_text = max((c for c in range(ncols) if set(classes[c]) & {"text", "label"}), default=ncols)
    row_start = [_edge(c) + (_NO_KEY if key is not None and c > key else 0.0) + (_NO_CONTENT if c > last_text else 0.0)
                 for c in range(ncols)]
    entries: dict[int, list[tuple[float, int, bool]]] = {}

    def entry(start: int) -> list[tuple[float, int, bool]]:
        """Per column: the best way for a cell starting at line `start` to be reached (score,
        previous column, new row)."""
        if start in entries:
            return entries[start]
        if start == 0:
            result = [(row_start[c], -1, True) for c in range(ncols)]
        else:
            prev = best[start - 1]
            fresh = max(((prev[p] + _NEW_ROW + _edge(ncols - 1 - p), p) for p in range(ncols)),
                        key=lambda sp: sp[0])
            result, running = [], (neg, -1)  # best of prev[p] - skips up to column c, p < c
            for c in range(ncols):
                same = (running[0] + _SKIP_INSIDE * (c - 1 - running[1]), running[1]) if running[1] >= 0 else (neg, -1)
                new = (fresh[0] + row_start[c], fresh[1])
                result.append((same[0], same[1], False) if same[0] > new[0] else (new[0], new[1], True))
                if prev[c] > neg and (running[1] < 0 or prev[c] > running[0] + _SKIP_INSIDE * (c - running[1])):
                    running = (prev[c], c)
        entries[start] = result
        return result

    for end in range(n):
        for length in range(1, min(_MAX_CELL_LINES, end + 1) + 1):
            start = end - length + 1
            if length > 1 and joins[start + 1] <= -5.0:
                break
            joined = sum(joins[start + 1:end + 1])
            cell = classify("".join(line.plain for line in lines[start:end + 1]))
            style = style_of(lines[start:end + 1])
            kind = primary_kind(cell)
            style_col = styles.get(style, -1)
            reach = entry(start)
            for c in range(ncols):
                score, prev_col, new_row = reach[c]
                total = score + fit(cell, classes[c]) + joined + (_OTHER_STYLE if style_col not in (-1, c) else 0.0) \
                    + (_UNNUMBERED if style is None and c in numbered else 0.0) \
                    + (unlike(profiles[c], kind) if profiles else 0.0)
                if total > best[end][c]:
                    best[end][c] = total
                    back[end][c] = (start, start - 1, prev_col, new_row)
    last = max(range(ncols), key=lambda c: best[n - 1][c] + _edge(ncols - 1 - c))
    return _unwind(lines, back, n - 1, last)


def _unwind(lines: list[Line], back, end: int, col: int) -> list[Row]:
    cells: list[tuple[int, int, int, bool]] = []  # (start, end, column, new row)
    while end >= 0:
        start, prev_end, prev_col, new_row = back[end][col]
        cells.append((start, end, col, new_row))
        end, col = prev_end, prev_col
    rows: list[Row] = []
    for start, end, col, new_row in reversed(cells):
        if new_row or not rows:
            rows.append(Row([]))
        rows[-1].cells.append((col, lines[start:end + 1]))
    return rows


def _is_section_heading(line: Line, styles: dict[str, int]) -> bool:
    """A heading of the document's top level (二、重点任务) that no column of the table uses."""
    style = numbering_style(line.plain)
    return style == "一、" and style not in styles and len(line.plain) <= 40 and not is_row_number(line.plain)


# ------------------------------------------------------------------------------ the table


def _source_table(labels: list[tuple[Traced, str]], rows: list[Row], classes: list[tuple[ColumnClass, ...]]) -> SourceTable:
    ncols = len(labels)
    out = [[SourceCell(text, col) for col, (text, _) in enumerate(labels)]]
    seen: set[int] = set()  # columns that had a cell: an omitted cell there inherits it
    for row in rows:
        cols = [c for c, _ in row.cells]
        group = ncols >= 4 and cols == [0, 1] and _is_group_number(row.cells[0][1])
        cells: list[SourceCell] = []
        present = dict(row.cells)
        for col in range(max(cols) + 1 if not group else 2):
            if col in present:
                span = ncols - 1 if group and col == 1 else 1
                cells.append(SourceCell(_cell_text(present[col]), col, span))
            elif col in seen and set(classes[col]) & _INHERITING:
                cells.append(SourceCell(EMPTY, col, merged=True))
            else:
                cells.append(SourceCell(EMPTY, col))
        if not group:
            for col in range(max(cols) + 1, ncols):
                if col in seen and set(classes[col]) & _INHERITING:
                    cells.append(SourceCell(EMPTY, col, merged=True))
        seen.update(cols)
        out.append(cells)
    return SourceTable(out, header_rows=1)


def _is_group_number(lines: list[Line]) -> bool:
    return len(lines) == 1 and (is_row_number(lines[0].plain) or lines[0].plain in vocabulary().blank_marks)


def _cell_text(lines: list[Line]) -> Traced:
    parts: list[Traced] = []
    for line in lines:
        if parts:
            parts.append(Traced.inserted("\n"))
        parts.append(line.text)
    return concat(parts)
