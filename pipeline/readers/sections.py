"""The section a flattened table stands in, and the heading that ends it.

A table placed under a level-2 heading (（一）分年度推进…) is followed by the text's next heading
of that level (（二）推进…). Flattened, the heading is a short line that fits a label or area
column, and the numbered duties after it would be read as the table's rows. GB/T 9704 numbers the
levels 一、 / （一） / 1. / （1）: a line numbered next after the section the table stands in ends
the table, unless the table's own cells have used that numbering (group lines （一） / （二）
inside the table).
"""
from __future__ import annotations

import re

from pipeline.readers.table_cells import numbering_style, row_number_value

SECTION_LOOKBACK = 30  # lines looked back for the heading of the section a table stands in
_SECTION_STYLES = ("一、", "（一）")  # levels 1 and 2: headings of the text, not of a table's rows
_SECTION_NUMBER = re.compile(r"[（(]?[一二三四五六七八九十]{1,3}[)）、．.]?")
_MAX_HEADING = 40  # characters of a heading line


def section_before(plains: list[str | None]) -> tuple[str, int] | None:
    """The numbering (style, value) of the last level-1 or level-2 heading among the lines before a
    table (spaces removed; None for items that are no line)."""
    for plain in reversed(plains):
        number = _heading_number(plain)
        if number is not None:
            return number
    return None


def continues_section(plain: str, section: tuple[str, int] | None, earlier: list[str]) -> bool:
    """Whether a line of the table's body is the heading numbered next after `section`, and no
    line of the table before it (`earlier`) has used that numbering."""
    if section is None:
        return False
    number = _heading_number(plain)
    if number is None or number != (section[0], section[1] + 1):
        return False
    return not any(numbering_style(other) == section[0] for other in earlier)


def _heading_number(plain: str | None) -> tuple[str, int] | None:
    if not plain or len(plain) > _MAX_HEADING:
        return None
    style = numbering_style(plain)
    if style not in _SECTION_STYLES:
        return None
    value = row_number_value(_SECTION_NUMBER.match(plain).group(0))
    return (style, value) if value is not None else None
