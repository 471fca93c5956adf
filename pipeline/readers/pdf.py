"""PDF files (pdfplumber): text lines and ruled tables per page, in reading order.

Each page is read once: its tables found, the text outside them taken as lines with their
geometry. Lines become paragraphs from that geometry (a line short of the right margin ends a
paragraph, an indented line starts one), Chinese wrap lines joined with ''. Running headers and
footers (the same line, digits aside, at the top or bottom of most pages) and page numbers are
dropped; a table that goes on at the top of the next page stays one table (same table_id), its
repeated header row dropped. Source offsets are per page, into the text the reader extracted:
the lines outside tables and the table cells in reading order, each followed by '\\n'.

A PDF with pages but no text layer at all (a scan) is read by OCR when the optional `ocr` extra
is installed (pipeline/readers/ocr.py): its recognised lines take the place of text lines, with
the same geometry rules, and the page text is the OCR'd lines; the result is marked `ocr`.
"""
from __future__ import annotations

import io
import logging
import re
import statistics
import struct
import zlib
from collections import Counter
from dataclasses import dataclass, field

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from pipeline.errors import EncryptedDocument, NoTextLayer, NotAPdf, TooLarge
from pipeline.readers.base import PageLine, Parsed, allow_more_time, check_chars
from pipeline.readers.normalize import Item, Layout, SourceCell, SourceLine, SourceTable, Traced
from pipeline.settings import ReadLimits

# pdfminer fails on damaged files with its own exceptions and, deep inside, with built-in ones
_DAMAGED = (MalformedPDFException, PSException, ValueError, KeyError, TypeError, AttributeError, IndexError, AssertionError,
            struct.error, zlib.error, RecursionError, EOFError)
# pdfminer logs a warning for every oddity of a damaged file; the reader reports what matters
logging.getLogger("pdfminer").setLevel(logging.ERROR)
_MARGIN_ZONE = 0.1  # running headers/footers sit in the top or bottom tenth of the page
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


@dataclass
class _Table:
    # a cell's text; None where a merged cell covers the grid position: "left" when the merged
    # cell reaches over from the left (its span), "above" when from a row above (a vertical merge)
    rows: list[list[str | None]]
    top: float
    bottom: float
    covered: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def n_cols(self) -> int:
        return max((len(row) for row in self.rows), default=0)


@dataclass
class _Page:
    number: int
    height: float
    content: list[PageLine | _Table] = field(default_factory=list)  # in reading order
    n_chars: int = 0


def parse_pdf(data: bytes, path: str, limits: ReadLimits) -> Parsed:
    if b"%PDF-" not in data[:1024]:
        raise NotAPdf(path, "not a PDF: no %PDF- header")
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            n_pages = len(pdf.pages)
            if n_pages > limits.max_pages:
                raise TooLarge(path, f"{n_pages} pages, more than the limit of {limits.max_pages}")
            pages = [_read_page(page) for page in pdf.pages]
    except PdfminerException as e:
        cause = e.args[0] if e.args else e
        if isinstance(cause, PDFPasswordIncorrect):
            raise EncryptedDocument(path, "password-protected PDF (a password is needed to open it)") from None
        raise NotAPdf(path, f"damaged PDF: {type(cause).__name__}: {cause}") from None
    except _DAMAGED as e:
        raise NotAPdf(path, f"damaged PDF: {type(e).__name__}: {e}") from None
    ocr = not any(page.n_chars for page in pages)
    if ocr:
        allow_more_time(n_pages * limits.max_seconds_per_ocr_page)  # OCR takes seconds per page
        pages = _scanned_pages(data, path, n_pages)
    _drop_running_lines(pages)
    items, sources = _items(pages)
    check_chars(path, sum(len(s) for s in sources.values()), limits)
    return Parsed(items, layout=Layout.GEOMETRY, sources=sources, n_pages=n_pages, ocr=ocr)


def _scanned_pages(data: bytes, path: str, n_pages: int) -> list[_Page]:
    """Pages without a text layer, read by OCR (the optional extra) into the same lines."""
    from pipeline.readers import ocr  # its engine is loaded only when a scan is met

    try:
        scanned = ocr.read_scanned_pdf(data)
    except ocr.OcrUnavailable:
        raise NoTextLayer(path, f"no text layer in {n_pages} page(s), a scan? OCR is not installed: "
                                "install the OCR extra (pip install '.[ocr]' in the project folder) "
                                "to read scans") from None
    except ocr.UnrenderablePdf as e:
        raise NotAPdf(path, f"damaged PDF: no text layer, and its pages cannot be drawn for OCR: {e}") from None
    pages = [_Page(page.number, page.height, list(page.lines), sum(len(line.text) for line in page.lines))
             for page in scanned]
    if not any(page.n_chars for page in pages):
        raise NoTextLayer(path, f"no text layer in {n_pages} page(s), and OCR found no text in them")
    return pages


def _read_page(page) -> _Page:
    try:
        tables = page.find_tables()
        outside = page
        for table in tables:
            outside = outside.outside_bbox(table.bbox)
        content: list[PageLine | _Table] = [
            PageLine(line["text"], line["x0"], line["x1"], line["top"], line["bottom"])
            for line in outside.extract_text_lines(return_chars=False) if line["text"].strip()
        ]
        content += [_Table(table.extract(), table.bbox[1], table.bbox[3], _covered(table)) for table in tables]
        content.sort(key=lambda item: item.top)
        return _Page(page.page_number, float(page.height), content, len(page.chars))
    finally:
        page.close()  # pdfplumber caches every object of a page until closed


def _covered(table) -> dict[tuple[int, int], str]:
    """Where pdfplumber gives no cell (None), what covers the position: the cell to its left
    spanning over it ("left"), else a cell from a row above, merged down over it ("above")."""
    boxes = [row.cells for row in table.rows]
    col_x0: dict[int, float] = {}
    for row in boxes:
        for j, box in enumerate(row):
            if box is not None:
                col_x0[j] = min(col_x0.get(j, box[0]), box[0])
    covered = {}
    for i, row in enumerate(boxes):
        for j, box in enumerate(row):
            if box is not None:
                continue
            left = next((b for b in reversed(row[:j]) if b is not None), None)
            spans_here = left is not None and j in col_x0 and left[2] > col_x0[j] + 1
            covered[(i, j)] = "left" if spans_here or i == 0 else "above"
    return covered


def _drop_running_lines(pages: list[_Page]) -> None:
    """Lines at the top or bottom of the page that recur on most pages (digits aside)."""
    if len(pages) < 2:
        return
    def key(page: _Page, line: PageLine) -> str | None:
        in_zone = line.bottom < page.height * _MARGIN_ZONE or line.top > page.height * (1 - _MARGIN_ZONE)
        return _DIGITS.sub("#", _SPACES.sub("", line.text)) if in_zone else None

    seen = Counter()
    for page in pages:
        seen.update({key(page, item) for item in page.content if isinstance(item, PageLine)} - {None})
    running = {k for k, n in seen.items() if n >= 2 and n >= 0.5 * len(pages)}
    for page in pages:
        page.content = [item for item in page.content
                        if not (isinstance(item, PageLine) and key(page, item) in running)]


def _items(pages: list[_Page]) -> tuple[list[Item], dict[int, str]]:
    lines = [item for page in pages for item in page.content if isinstance(item, PageLine)]
    size = statistics.median([line.bottom - line.top for line in lines]) if lines else 10.0
    left = _margin([round(line.x0) for line in lines]) if lines else 0.0
    right = _percentile([line.x1 for line in lines], 0.95) if lines else 0.0
    # where a paragraph's first line starts: a line starting there is no centred line
    indent = _mode([round(line.x0) for line in lines if line.x0 >= left + size] or [0])
    items: list[Item] = []
    sources: dict[int, str] = {}
    last_was_table: _Table | None = None
    following = dict(zip(map(id, lines), lines[1:]))
    for page in pages:
        text = _PageText(page.number)
        for k, item in enumerate(page.content):
            if isinstance(item, PageLine):
                traced = text.add(item.text)
                indented = item.x0 >= left + size
                centred = indented and abs(item.x0 - indent) > size / 2 and abs(item.x0 - left - (right - item.x1)) <= size
                after = following.get(id(item))
                room = max(1.5, _first_unit_width(after.text) + 1.0) * size if after else 1.5 * size
                items.append(SourceLine(traced, full=item.x1 >= right - room, indented=indented, centred=centred))
                last_was_table = None
                continue
            if item.n_cols <= 1:  # a framed box of text
                for row in item.rows:
                    for cell in row:
                        items.extend(SourceLine(line) for line in text.add(cell or "").split(_NEWLINE))
                last_was_table = None
                continue
            rows = [_cells(row, i, item.covered, text) for i, row in enumerate(item.rows)]
            continues = k == 0 and last_was_table is not None and last_was_table.n_cols == item.n_cols
            items.append(SourceTable(rows, continues_previous=continues))
            last_was_table = item
        sources[page.number] = text.value()
    return items, sources


_NEWLINE = re.compile(r"\n")


def _cells(row: list[str | None], i: int, covered: dict[tuple[int, int], str], text: _PageText) -> list[SourceCell]:
    """One table row's cells: a cell spans the positions its merge covers to the right; a position
    covered from above is an empty merged cell (the row inherits the cell above, as in DOCX)."""
    cells: list[SourceCell] = []
    for col, cell in enumerate(row):
        how = covered.get((i, col))
        if how == "left" and cells:
            cells[-1].span += 1
        elif how == "above":
            cells.append(SourceCell(Traced.inserted(""), col, merged=True))
        else:
            cells.append(SourceCell(text.add(cell or ""), col))
    return cells
# what a line cannot break inside: a run of Latin letters and digits (2015—2020年, 25%, X2345);
# an opening mark with the character after it (“一), a closing mark with the one before it (的，)
_UNBREAKABLE = re.compile(r"[（《“‘〔【]*(?:[A-Za-z0-9%.\-—–~/]+|\S)[，。、；：！？）》”’〕】]*")
_CLOSING = re.compile(r"[，。、；：！？）》”’〕】]")


def _first_unit_width(text: str) -> float:
    """The width, in full-width characters, of the first piece the line above could not take: a
    line ends short of the margin when the next line's first piece did not fit."""
    m = _UNBREAKABLE.match(text.lstrip())
    if not m:
        return 1.0
    piece = m.group()
    if _CLOSING.match(text.lstrip()):  # a closing mark may not start a line: a character came with it
        piece = "字" + piece
    return sum(0.5 if ord(ch) < 0x2000 else 1.0 for ch in piece)


class _PageText:
    """The text of one page as the reader extracted it; offsets of source runs point into it."""

    def __init__(self, page: int):
        self.page = page
        self.parts: list[str] = []
        self.at = 0

    def add(self, text: str) -> Traced:
        traced = Traced.from_source(text, self.at, self.page)
        self.parts.append(text + "\n")
        self.at += len(text) + 1
        return traced

    def value(self) -> str:
        return "".join(self.parts)


def _margin(starts: list[int]) -> float:
    """The left margin: the leftmost start shared by a good share of the lines. Not the most
    common start: in a document of short paragraphs more lines start indented than at the margin."""
    counts = Counter(starts)
    return float(min(x for x, n in counts.items() if n >= 0.1 * len(starts)))


def _mode(values: list[int]) -> float:
    return float(Counter(values).most_common(1)[0][0])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]
