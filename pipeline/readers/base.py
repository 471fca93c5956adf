"""What every reader returns to `read_document`, and checks they share."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.errors import TooLarge
from pipeline.readers.normalize import Item, Layout
from pipeline.settings import ReadLimits


@dataclass
class PageLine:
    """One line of text on a page with its box, in PDF points (top measured down from the top of
    the page): what the PDF reader gets from pdfplumber, and from OCR for a scan."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass
class Parsed:
    """A file taken apart, before normalising.

    `sources` holds the text that source offsets point into, per page (key None for formats
    without pages): the decoded file for txt/md/html; for pdf the page text the reader extracted
    (lines outside tables, then table cells, each ending in '\\n', in reading order); for docx the
    body text (each paragraph and table cell as Word shows it, auto-numbering included, each
    ending in '\\n').
    """

    items: list[Item]
    layout: Layout | None  # None: detect from the lines
    sources: dict[int | None, str] = field(default_factory=dict)
    header_fields: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    n_pages: int | None = None
    ocr: bool = False  # the text came from OCR of page images


# Each file is read and extracted under a time limit (pipeline/runs/workers.py). A reader that knows
# a file will rightly take long — OCR: seconds per page — asks for more time; outside a worker
# (a direct call of read_document) nobody listens and the call does nothing.
_more_time: Callable[[float], None] | None = None


def allow_more_time(seconds: float) -> None:
    """Extend the current file's deadline by `seconds` (see above)."""
    if _more_time is not None:
        _more_time(seconds)


def on_more_time(listener: Callable[[float], None] | None) -> None:
    """Who extends the deadline: the worker process sets it once (runs/workers.py)."""
    global _more_time
    _more_time = listener


def check_chars(path: str, n_chars: int, limits: ReadLimits) -> None:
    if n_chars > limits.max_chars:
        raise TooLarge(path, f"{n_chars:,} characters of text, more than the limit of {limits.max_chars:,}")
