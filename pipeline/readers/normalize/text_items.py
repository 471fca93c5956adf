"""A decoded text file as items: its lines (Markdown syntax out, text kept), tab-separated lines
grouped into tables, and prose that a PDF's two-column layout joined to them with tabs split off."""
from __future__ import annotations

import re

from pipeline.readers.normalize.items import Item, SourceCell, SourceLine, SourceTable
from pipeline.readers.normalize.blocks import guess_kind
from pipeline.readers.normalize.lines import SENTENCE_END, has_cjk, is_noise_line, starts_block
from pipeline.readers.normalize.tab_prose import prose_tail
from pipeline.readers.normalize.traced import Traced, concat


_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0c\u2028\u2029\x85]")
_TAB = re.compile(r"\t")
# markdown syntax (LawRefBook): '#' heading marks, bold/italic markers, block quotes, comments
_MD_HEADING = re.compile(r"\s*(#{1,6})\s+")
_MD_EMPHASIS = re.compile(r"\*\*|__")
_MD_QUOTE = re.compile(r"\s*>\s?")
_MD_COMMENT = re.compile(r"<!--.*?-->")


def text_items(source: str, *, markdown: bool = False, start: int = 0) -> list[Item]:
    """Lines of a decoded text file from offset `start` on (what comes before is no text, e.g.
    front matter); consecutive tab-separated lines become tables."""
    lines = _spaced_tables(Traced.from_source(source).slice(start, len(source)).split(_LINE_BREAK))
    if not markdown:
        return group_text_tables(lines)
    items: list[Item] = []
    run: list[SourceLine] = []
    for line, table in _pipe_tables(lines):
        if table is None:
            run.append(markdown_line(line))
            continue
        items += group_text_tables(run) + [table]
        run = []
    return items + group_text_tables(run)


# A table a PDF dump wrote with its cells apart by runs of spaces (序号  工作任务  责任单位  完成时限):
# at least _SPACED_ROWS lines in a row, each of at least _SPACED_CELLS cells and as many as the
# first, become tab-separated lines, the table the next step reads. Two cells are a signature or a
# label and its value, not a table.
_CELL_GAP = re.compile(r"(?<=\S)[ \u3000]{2,}(?=\S)")
_SPACED_ROWS, _SPACED_CELLS = 3, 3


def _spaced_tables(lines: list[Traced]) -> list[Traced]:
    counts = [0 if "\t" in line.text or not has_cjk(line.text) else
              len(_CELL_GAP.findall(line.text.strip())) + 1 for line in lines]
    out = list(lines)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and counts[j] >= _SPACED_CELLS and counts[j] == counts[i]:
            j += 1
        if j - i >= _SPACED_ROWS:
            for k in range(i, j):
                out[k] = _spaced_row(lines[k].strip(), max(counts[k], _tab_width(lines, k)), counts[k])
        i = max(j, i + 1)
    # a web copy may space some lines of a tab-separated table (its header, a row or two): such a
    # line of cells next to the table's tab lines is one of its rows
    changed = True
    while changed:
        changed = False
        for k, line in enumerate(out):
            if "\t" in line.text or counts[k] < _SPACED_CELLS:
                continue
            if any("\t" in out[n].text for n in _neighbours(out, k)):
                out[k] = _spaced_row(lines[k].strip(), _tab_width(out, k), counts[k])
                changed = True
    return out


_WIDTH_WINDOW = 6


def _tab_width(lines: list[Traced], k: int) -> int:
    """The width of the tab-separated table around line k: its widest tab line near it (a wrapped
    end may be narrower); 0 when there is none."""
    near = lines[max(0, k - _WIDTH_WINDOW):k + _WIDTH_WINDOW + 1]
    return max((line.text.count("\t") + 1 for line in near if "\t" in line.text), default=0)


def _spaced_row(line: Traced, width: int, cells: int) -> Traced:
    """A spaced line of cells as a tab-separated row of a table `width` cells wide. Spaces keep no
    empty cell: a numbered row with fewer cells lost the merged ones after its number (15  开展…
    under 序号 | 重点任务 | 具体措施 | …), which are put back empty."""
    gaps = list(_CELL_GAP.finditer(line.text))
    missing = width - cells if _ROW_NUMBER.fullmatch(line.text[:gaps[0].start()].strip()) else 0
    return line.edit((m.start(), m.end(), "\t" * (1 + (missing if i == 0 and missing > 0 else 0)))
                     for i, m in enumerate(gaps))


def _neighbours(lines: list[Traced], k: int) -> list[int]:
    """The nearest non-blank lines before and after line k."""
    found = []
    for step in (-1, 1):
        n = k + step
        while 0 <= n < len(lines) and not lines[n].text.strip():
            n += step
        if 0 <= n < len(lines):
            found.append(n)
    return found



# a Markdown pipe table (GitHub's): rows | a | b |, the second line its delimiter row | --- | :-: |
_PIPE_ROW = re.compile(r"\s*\|.*\|\s*$")
_PIPE_DELIMITER = re.compile(r"\s*\|(?:\s*:?-{3,}:?\s*\|)+\s*$")
_PIPE = re.compile(r"(?<!\\)\|")


def _pipe_tables(lines: list[Traced]) -> list[tuple[Traced | None, SourceTable | None]]:
    """The lines, with each pipe table (a header row, its delimiter row, the rows below) in place of
    its lines: (line, None) for a line, (None, table) for a table."""
    out: list[tuple[Traced | None, SourceTable | None]] = []
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and _PIPE_ROW.match(lines[i].text) and _PIPE_DELIMITER.match(lines[i + 1].text):
            j = i + 2
            while j < len(lines) and _PIPE_ROW.match(lines[j].text):
                j += 1
            rows = [_pipe_cells(lines[k]) for k in (i, *range(i + 2, j))]
            out.append((None, SourceTable([[SourceCell(cell, col) for col, cell in enumerate(row)] for row in rows],
                                          header_rows=1)))
            i = j
            continue
        out.append((lines[i], None))
        i += 1
    return out


def _pipe_cells(line: Traced) -> list[Traced]:
    """The cells of a pipe row, each stripped, Markdown emphasis out; <br> inside a cell is a line break."""
    text = line.text
    bars = [m.start() for m in _PIPE.finditer(text)]
    cells = [line.slice(a + 1, b).strip() for a, b in zip(bars, bars[1:])]
    return [cell.sub(_MD_EMPHASIS).sub(_MD_BREAK, "\n") for cell in cells]


_MD_BREAK = re.compile(r"<br\s*/?>", re.I)


def markdown_line(line: Traced) -> SourceLine:
    """Markdown syntax out, text kept: '# 标题' is the title, '## 第一章' a heading."""
    line = line.sub(_MD_COMMENT)
    kind = None
    if m := _MD_HEADING.match(line.text):
        kind = "title" if len(m.group(1)) == 1 else "heading"
        line = line.slice(m.end(), len(line))
    elif m := _MD_QUOTE.match(line.text):
        line = line.slice(m.end(), len(line))
    return SourceLine(line.sub(_MD_EMPHASIS), kind=kind)


def group_text_tables(lines: list[Traced | SourceLine]) -> list[Item]:
    """Tab-separated lines form a table; blank and noise lines inside it do not end it; a line
    without tabs between two tab lines continues the cell above it (a cell broken over lines).
    Prose joined to a table by tabs (a heading, numbered items: see tab_prose) ends the table and
    is split at the tabs into lines of its own; the cells before it stay the table's last row."""
    items: list[Item] = []
    i, n = 0, len(lines)
    texts = [line.text.text if isinstance(line, SourceLine) else line.text for line in lines]
    after_prose = False  # the tab line before ended in prose: a line of prose pieces goes on with it
    last_table: tuple[int, int] | None = None  # (item index after the last table, its width)
    while i < n:
        if "\t" not in texts[i]:
            line = lines[i]
            items.append(line if isinstance(line, SourceLine) else SourceLine(line))
            if texts[i].strip() and not is_noise_line(texts[i]):
                after_prose = False
            i += 1
            continue
        rows: list[list[Traced]] = []
        j = i
        prose: list[Traced] = []
        while j < n:
            if "\t" in texts[j]:
                pieces = _text_line(lines[j]).split(_TAB)
                at = prose_tail([p.text for p in pieces], [[c.text for c in row] for row in rows], after_prose)
                if at is not None:
                    if any(p.text.strip() for p in pieces[:at]):
                        rows.append(pieces[:at])
                    prose = [p for p in pieces[at:] if p.text.strip()]
                    j += 1
                    break
                rows.append(pieces)
                after_prose = False
                j += 1
                continue
            k = _next_content(texts, j)  # blank and noise lines do not end a table
            if k < n and "\t" in texts[k]:
                j = k
                continue
            after = _next_content(texts, k + 1)
            if rows and k < n and after < n and "\t" in texts[after] and _continues_cell(rows[-1], texts[k]):
                row = rows[-1]
                c = max((c for c, cell in enumerate(row) if cell.text.strip()), default=len(row) - 1)
                row[c] = concat([row[c], Traced.inserted("\n"), _text_line(lines[k])])
                j = k + 1
                continue
            break
        if rows:
            table = _text_table(rows)
            width = max(len(row) for row in table.rows)
            if last_table is not None and last_table[1] == width and _group_lines_only(items[last_table[0]:]):
                # 一、规划建设 between two runs of rows of one width: a group line inside the table,
                # whose rows below keep its header
                table = SourceTable(table.rows, table.header_rows, True, table.align_header_right)
            items.append(table)
            last_table = (len(items), width)
        # each prose piece is a block of its own (a kind set: never joined to its neighbour)
        items.extend(SourceLine(piece, kind=guess_kind(piece.text.strip())) for piece in prose)
        if prose:
            after_prose = True
        i = j
    return items


# a group line inside a table: short, numbered like a section (一、规划建设), no sentence
_GROUP_LINE = re.compile(r"\s*[一二三四五六七八九十]{1,3}、[^。；;，,：:]{1,20}\s*$")


def _group_lines_only(items: list[Item]) -> bool:
    """Whether the items between two tables are group lines only (and blank lines), at least one."""
    if not all(isinstance(item, SourceLine) for item in items):
        return False
    texts = [item.text.text for item in items if item.text.text.strip()]
    return bool(texts) and all(_GROUP_LINE.match(t) for t in texts)


def _text_line(line: Traced | SourceLine) -> Traced:
    return line.text if isinstance(line, SourceLine) else line


def _next_content(texts: list[str], j: int) -> int:
    """The next line that is neither blank nor noise."""
    while j < len(texts) and (not texts[j].strip() or is_noise_line(texts[j])):
        j += 1
    return j


def _continues_cell(row: list[Traced], line: str) -> bool:
    last = next((cell.text for cell in reversed(row) if cell.text.strip()), "")
    return bool(last) and not SENTENCE_END.search(last) and not starts_block(line)


def _text_table(rows: list[list[Traced]]) -> SourceTable:
    filled = [[c for c in row if c.text.strip()] for row in rows]
    if len(rows) >= 2 and all(len(cells) <= 1 for cells in filled):
        rows = _cells_per_line(filled)
    else:
        rows = _join_wrapped_rows(rows)
    return SourceTable(
        rows=[[SourceCell(cell, col) for col, cell in enumerate(row)] for row in rows],
        align_header_right=True,
    )


# the sequence number a row of a task table opens with (1, 2., *3)
_ROW_NUMBER = re.compile(r"[*＊]?\d{1,3}[.．、]?")


def _join_wrapped_rows(rows: list[list[Traced]]) -> list[list[Traced]]:
    """In a table whose rows open with their numbers, a line without one whose first cell is
    empty holds the wrapped ends of the cells above it, column by column (2 | | …建立设施台账和 |
    then | | 问题清单，实行销号管理): they join the row above, as a cell broken over lines does."""
    def numbered(row: list[Traced]) -> bool:
        return bool(row) and _ROW_NUMBER.fullmatch(row[0].text.strip()) is not None
    if sum(numbered(row) for row in rows) < 2:
        return rows
    def wraps(row: list[Traced], above: list[Traced]) -> bool:
        # each of its cells goes on with a cell above that stops mid-sentence (…建立设施台账和 /
        # 问题清单，…), not a new sentence under a merged cell (…要求。 / 2.编制…)
        filled = [(c, cell.text) for c, cell in enumerate(row) if cell.text.strip()]
        return bool(filled) and all(c < len(above) and _continues_cell([above[c]], text) for c, text in filled)
    out: list[list[Traced]] = []
    for row in rows:
        if out and numbered(out[-1]) and row and not row[0].text.strip() and not numbered(row) \
                and wraps(row, out[-1]):
            above = out[-1]
            for c, cell in enumerate(row):
                if cell.text.strip():
                    above[c] = concat([above[c], Traced.inserted("\n"), cell])
            continue
        out.append(list(row))
    return out


def _cells_per_line(filled: list[list[Traced]]) -> list[list[Traced]]:
    """A table printed one cell per line (each line holds one cell after a tab): the cells of
    one row follow each other; a new row starts at the next sequence number (1, 2, …)."""
    rows: list[list[Traced]] = []
    expected = 1
    for cells in filled:
        if not cells:
            continue
        cell = cells[0]
        if rows and cell.text.strip() != str(expected):
            rows[-1].append(cell)
            continue
        rows.append([cell])
        if cell.text.strip() == str(expected):
            expected += 1
    return rows
