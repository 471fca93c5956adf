"""Settings: where the database is by default, and the limits the readers enforce, so that one
hostile or runaway file cannot exhaust the machine.

Each limit is checked as early as it can be: the file size before reading, the page count before
extracting a page, the declared and then the actually inflated size of a .docx's members, its
paragraphs and cells while streaming its XML, the character count right after decoding or
extracting. Time and memory bound whatever is left: each file is read and extracted in a worker
process stopped past `max_seconds_per_file` or `max_memory_bytes` (pipeline/runs/workers.py).
"""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

# every command's --db and every run's `db` default to this file (relative to the working folder)
DEFAULT_DB = Path("outputs/policy.duckdb")

MiB = 1 << 20

# A document whose obligations cover less than this share of its body characters
# (documents.coverage) is named by `ingest`, `info` and the report: most of its text yielded
# nothing, so it has probably been lost (an annex not recognised, a table read as prose) or is not
# a document of duties. Measured: real notices, plans and regulations lie at 0.55-0.99; a 转发
# notice whose attachment is missing at 0.21; a plan left unread after its cover at about 0.1.
LOW_COVERAGE = 0.3


class ReadLimits(BaseModel):
    """Limits for `pipeline.readers.read_document`; exceeding one raises `TooLarge` or
    `DecompressionLimit` naming the file and the limit."""

    model_config = ConfigDict(frozen=True)

    # The largest file read at all; checked with stat() before the first byte is read.
    max_file_bytes: int = Field(default=64 * MiB, gt=0)
    # PDFs with more pages are refused before any page is extracted (a 500-page 公文 is already rare).
    max_pages: int = Field(default=500, gt=0)
    # Sum of the declared uncompressed sizes of all members of a .docx, checked before unpacking
    # (zip bombs: a 1 MB file can declare gigabytes).
    max_decompressed_bytes: int = Field(default=200 * MiB, gt=0)
    # Characters of decoded/extracted text. 64 MiB of UTF-8 Chinese is about 22 M characters and of
    # GB18030 about 32 M, so every text file under max_file_bytes passes; the limit bites on
    # containers (.docx, .html) whose text could outgrow their file size.
    max_chars: int = Field(default=32_000_000, gt=0)
    # Paragraphs plus table cells of a .docx, counted while streaming its body XML before any is
    # built (300,000 empty paragraphs are 75 KB zipped, and took 60 s and 1.4 GB as objects).
    max_docx_blocks: int = Field(default=50_000, gt=0)
    # Wall-clock seconds to read and extract one file, in a worker process that is killed past it
    # (error kind `timeout`): a long 公文 takes a second or two, a 50 MiB text file about 80 s here.
    max_seconds_per_file: float = Field(default=300.0, gt=0)
    # More seconds per page of a scan read by OCR (2.6-7 s a page measured here), added to the
    # file's deadline once the reader knows the page count.
    max_seconds_per_ocr_page: float = Field(default=20.0, ge=0)
    # The data segment of a worker extracting one file (RLIMIT_DATA, the loaded pipeline included:
    # about 220 MB): an allocation beyond fails and the file is `too_large`.
    max_memory_bytes: int = Field(default=2048 * MiB, gt=0)
