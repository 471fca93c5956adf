"""File -> Document: one reader per format, one normaliser for all.

    from pipeline.readers import read_document, ReadLimits
    doc = read_document(Path("corpus/zibo-2020-34-opinion.txt"))

Every failure raises a `pipeline.errors.ReadError` subclass whose message names the file and
the reason; library exceptions for a bad file are wrapped, never passed on.

The bottom floor of `pipeline` with store: it may import the base modules (errors, settings),
schemas and extractors.headers (the one classifier of table headers, shared with the obligation
builder and roles), nothing else of the project (no other extractor, not store); runs imports it.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from pipeline.errors import EmptyFile, NoText, TooLarge, UnsupportedFormat
from pipeline.readers.base import Parsed
from pipeline.readers.files import open_regular
from pipeline.readers.normalize import has_cjk, normalize
from pipeline.settings import ReadLimits
from schemas.document import Document

__all__ = ["read_document", "parse_file", "ReadLimits", "FORMATS"]

# file suffix -> Document.format
FORMATS = {
    ".txt": "txt", ".text": "txt",
    ".md": "md", ".markdown": "md",
    ".docx": "docx",
    ".pdf": "pdf",
    ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html",
}
# formats people do send, and what to turn them into
_CONVERT_TO = {".doc": ".docx", ".wps": ".docx", ".rtf": ".docx", ".odt": ".docx", ".ofd": ".pdf",
               ".xls": ".xlsx", ".et": ".xlsx"}


def read_document(path: Path | str, limits: ReadLimits = ReadLimits()) -> Document:
    """Read one file into a normalised Document (doc_id: sha256 of the file's bytes)."""
    path = Path(path)
    data = read_bytes(path, limits)
    fmt = format_of(path)
    parsed = parse_file(path, data, limits)
    normalised = normalize(parsed.items, parsed.layout)
    if not has_cjk(normalised.text):
        raise NoText(str(path), "no Chinese text in the file" if normalised.text.strip() else "no text in the file")
    return Document(
        doc_id=hashlib.sha256(data).hexdigest(),
        source_path=str(path),
        format=fmt,
        text=normalised.text,
        blocks=normalised.blocks,
        source_map=normalised.source_map,
        header_fields={**parsed.header_fields, **normalised.header_fields},
        encoding=parsed.encoding,
        n_pages=parsed.n_pages,
        ocr=parsed.ocr,
    )


def format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    if suffix in _CONVERT_TO:
        raise UnsupportedFormat(str(path), f"unsupported format {suffix}, convert to {_CONVERT_TO[suffix]}")
    readable = " ".join(sorted(FORMATS))
    raise UnsupportedFormat(str(path), f"unsupported format {suffix or '(no suffix)'}; readable: {readable}")


def read_bytes(path: Path, limits: ReadLimits) -> bytes:
    """The file's bytes, after checking its size with fstat() (a 100 GB file is never read); only a
    regular file is opened at all (readers/files.py)."""
    format_of(path)  # refuse .doc and friends before touching the file
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limits.max_file_bytes:
            raise TooLarge(str(path), f"{size:,} bytes, more than the limit of {limits.max_file_bytes:,}")
        data = handle.read(limits.max_file_bytes + 1)
    if not data:
        raise EmptyFile(str(path), "the file is empty (0 bytes)")
    if len(data) > limits.max_file_bytes:
        raise TooLarge(str(path), f"more than the limit of {limits.max_file_bytes:,} bytes")
    return data


def parse_file(path: Path, data: bytes, limits: ReadLimits = ReadLimits()) -> Parsed:
    """Take the bytes apart with the format's reader (before normalising)."""
    return _readers()[format_of(path)](data, str(path), limits)


def _readers() -> dict[str, Callable[[bytes, str, ReadLimits], Parsed]]:
    # imported here so that reading a text file does not load pdfminer, python-docx or lxml
    from pipeline.readers import pdf, text, web, word

    return {
        "txt": text.parse_text,
        "md": lambda data, path, limits: text.parse_text(data, path, limits, markdown=True),
        "docx": word.parse_docx,
        "pdf": pdf.parse_pdf,
        "html": web.parse_html,
    }
