"""The project's exceptions. Each carries the file it is about and a `kind` stored in ingest_errors."""
from __future__ import annotations


class PipelineError(Exception):
    """Base class: `kind` names the failure for ingest_errors; the message names the file."""

    kind = "error"

    def __init__(self, path: str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ReadError(PipelineError):
    kind = "read_error"


class EmptyFile(ReadError):
    kind = "empty"


class UnsupportedFormat(ReadError):
    kind = "unsupported_format"


class NotAPdf(ReadError):
    kind = "not_a_pdf"


class NotADocx(ReadError):
    kind = "not_a_docx"


class EncryptedDocument(ReadError):
    kind = "encrypted"


class NoTextLayer(ReadError):
    kind = "no_text_layer"


class TooLarge(ReadError):
    kind = "too_large"


class DecompressionLimit(ReadError):
    kind = "decompression_limit"


class DecodeError(ReadError):
    kind = "decode_error"


class NoText(ReadError):
    """The file decoded, but holds no Chinese text to extract from."""

    kind = "no_text"


class Vanished(ReadError):
    kind = "vanished"


class ExtractionError(PipelineError):
    kind = "extraction_error"


class DatabaseBusy(Exception):
    """Another process holds the DuckDB file for writing."""
