"""Reading the file of `obligations meta import`: a CSV (UTF-8, with or without Excel's BOM, or
GB18030 as Chinese Excel saves it; comma or tab separated) or an XLSX workbook, as a header and its
non-empty rows, each with the row number the spreadsheet shows (the header is row 1)."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SheetError(ValueError):
    """The file cannot be read as a table; the message says why."""


@dataclass
class Sheet:
    """A file's header and its non-empty rows, each with the row number a spreadsheet shows."""

    header: list[str]
    rows: list[tuple[int, list[Any]]]



def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """The header and rows of a CSV (UTF-8, with or without Excel's BOM, or GB18030 as Chinese Excel
    saves it; comma or tab) or XLSX file (the first sheet, or `sheet`)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    raise SheetError(f"not a CSV or XLSX file ({suffix or 'no extension'}); save it as .csv or .xlsx")


def _read_csv(path: Path) -> Sheet:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError("the file is neither UTF-8 nor GB18030 text")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[Any]]] = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        if header is None:
            header = values
        else:
            rows.append((reader.line_num, values))
    return Sheet(header or [], rows)


def _read_xlsx(path: Path, sheet: str | None) -> Sheet:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise SheetError(f"not a readable XLSX workbook: {exc}") from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise SheetError(f"no sheet {sheet!r}; the sheets are {', '.join(wb.sheetnames)}")
        ws = wb[sheet] if sheet else wb.worksheets[0]
        header: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(ws.iter_rows(values_only=True), 1):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if header is None:
                header = ["" if v is None else str(v) for v in values]
            else:
                rows.append((number, list(values)))
        return Sheet(header or [], rows)
    finally:
        wb.close()


