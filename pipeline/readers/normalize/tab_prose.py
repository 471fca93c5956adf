"""Prose joined to a table by tabs. A PDF with a two-column or table layout, converted to text,
puts a table's last row, the next heading and the numbered items below it on lines joined by tab
characters:

    西城片区\t2.00\t/\t（二）全域推进节水型城市建设
    \t\t1.推进节水型小区建设。…（责任单位：…）\t2.推进节水型公共设施建设。…

The pieces are told from cells by their shape: a numbered item with a sentence, a heading
(（二）/ 二、 and a short title), a long sentence. A task table has such cells too (1. 编制…规划。
under 工作任务, followed by its 时限 and 责任单位 cells), so prose is only the tail of a line made
of such pieces, and inside a table only where the columns it falls in held short data cells in
the rows above (2028年, 4.10, /), never sentences."""
from __future__ import annotations

import re

from pipeline.readers.normalize.lines import CN_NUMBER, NUMBERING

# （二） / 二、: the numbering of a section heading
_HEADING_NUMBER = re.compile(rf"\s*(?:[（(]{CN_NUMBER}[）)]|{CN_NUMBER}[、．])")
_SENTENCE = re.compile(r"[。；！？;!?]")
_PROSE_END = re.compile(r"[。）)]\s*$")
_HEADING_MAX = 40  # characters: a heading is a short title
_PROSE_MIN = 40  # characters: an unnumbered piece this long ending a sentence is prose
_ITEM_BODY_MIN = 6  # characters after the number: 1. 编制…。 is an item, 1. 是。 is a cell
_DATA_CELL_MAX = 20  # characters: 2028年, 4.10, / are data cells; a sentence is longer


def piece_kind(piece: str) -> str | None:
    """"item" (a numbered item with a sentence), "heading" (（二）全域推进…), "prose" (a long
    sentence) or None (a cell)."""
    text = piece.strip()
    if m := NUMBERING.match(text):
        body = text[m.end():]
        if len(body) >= _ITEM_BODY_MIN and _SENTENCE.search(body):
            return "item"
        if _HEADING_NUMBER.match(text) and len(text) <= _HEADING_MAX and body.strip() and not _SENTENCE.search(text):
            return "heading"
        return None
    if len(text) > _PROSE_MIN and _PROSE_END.search(text):
        return "prose"
    return None


def prose_tail(pieces: list[str], rows: list[list[str]], after_prose: bool) -> int | None:
    """Where the prose of a tab-separated line starts (the pieces before it are the table's last
    row), or None when the line is a table row.

    `rows`: the table's rows so far (the first is taken as its header); `after_prose`: the tab
    line before this one ended in prose (its items go on here)."""
    filled = [k for k, piece in enumerate(pieces) if piece.strip()]
    kinds = {k: piece_kind(pieces[k]) for k in filled}
    start = None
    for k in reversed(filled):
        if kinds[k] is None:
            break
        start = k
    if start is None:
        return None
    tail = [k for k in filled if k >= start]
    whole_line = start == filled[0]
    if after_prose and whole_line:
        return start
    if kinds[start] == "prose":  # a long cell at a row's end (责任单位 spelled out) is no heading
        return None
    if not rows:  # a table's first line: prose only when it holds two numbered items
        return start if whole_line and sum(kinds[k] == "item" for k in tail) >= 2 else None
    columns = [_column(rows[1:], k) for k in tail]
    return start if "data" in columns and "text" not in columns else None


def _column(rows: list[list[str]], col: int) -> str:
    """What a column held in the rows above: "data" (short data cells only), "text" (a sentence,
    a numbered piece: a task column) or "empty" (nothing, or no such column yet)."""
    cells = [row[col].strip() for row in rows if col < len(row) and row[col].strip()]
    if not cells:
        return "empty"
    short = all(len(c) <= _DATA_CELL_MAX and not _SENTENCE.search(c) and piece_kind(c) is None for c in cells)
    return "data" if short else "text"
