"""Results on the terminal and for other programs: a rich table, CSV or JSON; a table too wide for
the terminal becomes one record at a time (psql's expanded display) instead of a grid of cut cells."""
from __future__ import annotations

import csv
import io
import json
import sys

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.cli.common import note

# the width a column needs to stay readable: its natural width up to this (a longer cell wraps inside
# it). When the columns cannot have that much, rich shrinks them to strips of one or two characters
# and cuts every value, so a wide result printed as an empty grid.
_READABLE_COLUMN_WIDTH = 40


def _cell_text(value) -> str:
    return "" if value is None else str(value)


def table_fits(columns: list[str], rows: list[tuple], width: int) -> bool:
    """Whether a table of these rows can give each column its natural width, or at least
    _READABLE_COLUMN_WIDTH cells (a Chinese character counts two), within `width` cells."""
    from rich.cells import cell_len

    need = 1  # the left border
    for i, name in enumerate(columns):
        natural = max([cell_len(name), *(cell_len(_cell_text(r[i])) for r in rows[:500])])
        need += min(natural, _READABLE_COLUMN_WIDTH) + 3  # padding on both sides and the border
    return need <= width


def print_vertical(columns: list[str], rows: list[tuple], out=None) -> None:
    """One record at a time, one `column | value` line per column (psql's expanded display)."""
    from rich.cells import cell_len

    out = out or sys.stdout
    pad = max((cell_len(c) for c in columns), default=0)
    for n, row in enumerate(rows, 1):
        out.write(f"-[ {n} ]" + "-" * max(pad - 2, 4) + "\n")
        for name, value in zip(columns, row):
            out.write(name + " " * (pad - cell_len(name)) + " | " + _cell_text(value).replace("\n", " ") + "\n")


def print_result(columns: list[str], rows: list[tuple], fmt: str, vertical_when_wide: bool = True) -> None:
    """`fmt` table (vertical when too wide, if asked), csv or json, to standard output."""
    if fmt == "table" and vertical_when_wide and columns and not table_fits(columns, rows, Console().width):
        note(f"{len(columns)} columns do not fit a terminal {Console().width} characters wide: one record "
             "at a time (--format csv or json for other programs)")
        print_vertical(columns, rows)
        return
    if fmt == "json":
        typer.echo(json.dumps([dict(zip(columns, r)) for r in rows], ensure_ascii=False, default=str, indent=1))
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(columns)
        w.writerows([json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, list) else v for v in r]
                    for r in rows)
        sys.stdout.write(buf.getvalue())
    else:
        # Text, not markup: a value such as [red] or [/] is data and printed as it is
        table = Table(show_lines=False)
        for c in columns:
            table.add_column(Text(c))
        for r in rows:
            table.add_row(*[Text(_cell_text(v)) for v in r])
        Console().print(table)
