"""Text lines of scanned PDF pages by OCR: the optional `ocr` extra (rapidocr-onnxruntime).

rapidocr ships its models inside the wheel, so it works offline. It is imported only when a
scan is met: with opencv and onnxruntime behind it, importing it costs about a second, and
building its engine loads three models, so the engine is built once per process.

Lines come back in PDF points, the units pdfplumber gives, so the PDF reader turns them into
paragraphs by the same geometry as text-layer lines.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from pipeline.readers.base import PageLine

# rapidocr shrinks any image whose long side is over 2000 px before it reads it (its
# max_side_len), so rendering finer only costs time; 200 dpi is the cap for small pages.
_MAX_SIDE_PX = 2000
_MAX_DPI = 200
# Below this confidence a "line" is mostly speckle or a rule read as 一/二 (measured: 0.59 on the
# bars and dots of tests/data's no-text-layer.pdf, 0.96-1.0 on real lines of a 150-200 dpi scan).
_MIN_SCORE = 0.7
# Fewer characters than this over the whole file are stray marks, not a document.
_MIN_CHARS = 10
# A page number's dashes come back as 一 ("— 2 —" read "—2一"); put back, normalize drops the line
_PAGE_NUMBER_READ = re.compile(r"[\s—–\-一]*\d{1,3}[\s—–\-一]*")

_engine = None
_engine_lock = threading.Lock()


class OcrUnavailable(Exception):
    """The `ocr` extra is not installed."""


class UnrenderablePdf(Exception):
    """PDFium cannot open the file or draw a page of it (pdfminer could read its structure)."""


@dataclass
class OcrPage:
    number: int  # 1-based, as pdfplumber numbers pages
    height: float
    lines: list[PageLine]  # top to bottom, each row left to right


def read_scanned_pdf(data: bytes) -> list[OcrPage]:
    """The recognised lines of every page; pages all empty when OCR found (next to) nothing.
    Raises OcrUnavailable without the extra, UnrenderablePdf when PDFium cannot draw the file."""
    engine = _get_engine()
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
        try:
            pages = [_read_page(engine, pdf[i], i + 1) for i in range(len(pdf))]
        finally:
            pdf.close()
    except pypdfium2.PdfiumError as e:
        raise UnrenderablePdf(str(e)) from None
    if sum(len(line.text) for page in pages for line in page.lines) < _MIN_CHARS:
        return [OcrPage(page.number, page.height, []) for page in pages]
    return pages


def _get_engine():
    global _engine
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as e:
        raise OcrUnavailable(str(e)) from None
    with _engine_lock:
        if _engine is None:
            _engine = RapidOCR()
        return _engine


def _read_page(engine, page, number: int) -> OcrPage:
    try:
        width, height = page.get_size()
        scale = min(_MAX_DPI / 72, _MAX_SIDE_PX / max(width, height))
        bitmap = page.render(scale=scale)
        try:
            result, _ = engine(bitmap.to_numpy())
        finally:
            bitmap.close()
    finally:
        page.close()
    boxes = [_box(points, text, scale) for points, text, score in result or []
             if score >= _MIN_SCORE and text.strip()]
    return OcrPage(number, float(height), _rows(boxes))


def _box(points, text: str, scale: float) -> PageLine:
    xs = [p[0] / scale for p in points]
    ys = [p[1] / scale for p in points]
    text = text.strip()
    if _PAGE_NUMBER_READ.fullmatch(text):
        text = text.replace("一", "—")
    return PageLine(text, min(xs), max(xs), min(ys), max(ys))


def _rows(boxes: list[PageLine]) -> list[PageLine]:
    """Boxes on one printed line (the middle of one within the other's height) become one line,
    left to right and joined with a space as pdfplumber joins words far apart; rows top to bottom."""
    rows: list[list[PageLine]] = []
    for box in sorted(boxes, key=lambda b: b.top):
        middle = (box.top + box.bottom) / 2
        row = rows[-1] if rows else None
        if row and any(other.top <= middle <= other.bottom for other in row):
            row.append(box)
        else:
            rows.append([box])
    lines = []
    for row in rows:
        row.sort(key=lambda b: b.x0)
        lines.append(PageLine(" ".join(b.text for b in row), row[0].x0, max(b.x1 for b in row),
                             min(b.top for b in row), max(b.bottom for b in row)))
    return lines
