"""The project's exceptions, all under one root, `PipelineError`. Each class has a `kind` and builds
its own message from what it is given, so every message of a kind reads the same way.

Two families:
- `DocumentError`: one document could not be read, extracted or stored. It is recorded as an
  ingest_errors row (its `kind`, its message naming the file) and the batch goes on.
- the run could not happen or go on (`DatabaseBusy`, `ServerFailed`, `VersionMismatch`): raised to
  the caller; the command line prints the message and exits non-zero.
"""
from __future__ import annotations

import os
from pathlib import Path


class PipelineError(Exception):
    """Root of every exception the project raises on purpose; `kind` names the failure."""

    kind = "error"


def printable(path: str | Path) -> str:
    """A path as text that can be stored and printed: bytes of a file name that are not UTF-8 (GBK
    names unpacked from a Chinese zip: Python keeps them as lone surrogates, which neither DuckDB,
    Arrow nor a terminal accept) are written as \\xNN escapes. Any other path is unchanged."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


class DocumentError(PipelineError):
    """One document failed; `kind` is stored in ingest_errors, the message names the file."""

    def __init__(self, path: str | Path, reason: str):
        self.path = printable(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ReadError(DocumentError):
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


class NotARegularFile(ReadError):
    """A FIFO, socket or device with a document's name: never opened (a FIFO would block for ever)."""

    kind = "not_a_regular_file"


class BadFileName(ReadError):
    """A file name that is not UTF-8 (GBK bytes from an unzipped Chinese archive): not read, so
    that no row holds a name that cannot be printed or matched again."""

    kind = "bad_file_name"


class ExtractionError(DocumentError):
    """An extractor raised (a bug): the document is recorded, the batch goes on."""

    kind = "extraction_error"

    def __init__(self, path: str | Path, cause: BaseException):
        self.cause = cause
        super().__init__(path, f"extraction failed: {type(cause).__name__}: {cause}")


class Timeout(DocumentError):
    """Reading and extracting the file took longer than ReadLimits.max_seconds_per_file: its
    worker was stopped (not a ReadError: no file of the bad corpus is slow enough)."""

    kind = "timeout"


class StoreError(DocumentError):
    """A document's rows could not be stored (they break a key or a type); its old rows are kept."""

    kind = "store_error"

    @classmethod
    def from_database(cls, path: str | Path, cause: BaseException) -> StoreError:
        return cls(path, f"storing failed: {type(cause).__name__}: {cause}")


class DuplicateKey(StoreError):
    """A document's rows repeat a key (an extractor bug): the document is refused, as a database
    refuses a row that breaks a PRIMARY KEY constraint."""

    def __init__(self, path: str | Path, table: str, key: dict[str, object]):
        self.table, self.key = table, key
        shown = ", ".join(f"{column}: {value}" for column, value in key.items())
        super().__init__(path, f'storing failed: the rows of {table} repeat the key "{shown}"')


class DatabaseBusy(PipelineError):
    """Another process holds the DuckDB file (a writer: DuckDB lets nobody else in meanwhile)."""

    kind = "database_busy"

    def __init__(self, db: str | Path, holder: str, advice: str = "try again shortly"):
        self.db, self.holder = str(db), holder
        super().__init__(f"database {db} is busy ({holder}); {advice}")


class ForeignDatabase(PipelineError):
    """`--db` is a DuckDB database of another program (tables, but not ours): nothing is written into it."""

    kind = "foreign_database"

    def __init__(self, db: str | Path):
        self.db = printable(db)
        super().__init__(f"cannot store into {self.db}: it is a DuckDB database of something else (tables, but no "
                         "schema_meta); nothing was written into it: choose another --db")


class ServerFailed(PipelineError):
    """The local Prefect server did not come up; the message ends with the end of its log."""

    kind = "server_failed"

    def __init__(self, reason: str, log: Path | None = None, log_tail: str = ""):
        self.reason, self.log = reason, log
        super().__init__(f"{reason}; its log ({log}) ends with:\n{log_tail}" if log else reason)


class VersionMismatch(PipelineError):
    """A worker extracted with other extractor code than the writer's: rows would mix versions."""

    kind = "version_mismatch"

    def __init__(self, path: str, worker_version: str, own_version: str):
        self.path, self.worker_version, self.own_version = path, worker_version, own_version
        super().__init__(f"a Dask worker extracted {path} with pipeline version {worker_version}, this process "
                         f"has {own_version}: install the same code on every worker")
