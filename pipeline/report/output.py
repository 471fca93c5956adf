"""Writing the files `export` and `report` produce, without destroying anything on the way.

- A target is refused when it is the database (or a hard link to it, or its WAL), a document the
  database was read from, a file named as one given to `meta import`, something other than a
  regular file, or a file that is not one of ours: of another kind than the one about to be written
  (`report --out notes.txt` over a text file), or of that kind but not written by this tool (a
  user's own workbook or Parquet file has no mark of ours; a CSV file has other columns than the
  ones about to be written). `force=True` lifts every refusal but the first: nobody means to write
  a report over the database they read.
- Every file is written to a temporary file in the target's folder and renamed into place, so a
  full disk or a kill leaves the previous file whole, never a truncated one.

Cells that a spreadsheet would run as a formula are neutralised here too (`neutralise`).
"""
from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipeline.errors import PipelineError


class OutputRefused(PipelineError):
    """An output file would overwrite something it must not (the command could not happen)."""

    kind = "output_refused"

    def __init__(self, path: str | Path, reason: str):
        self.path, self.reason = str(path), reason
        super().__init__(f"{self.path}: {reason}")


class OutputFailed(PipelineError):
    """The data cannot be written in the format asked for (a column type Parquet cannot hold):
    nothing was replaced."""

    kind = "output_failed"


# what the first bytes of a file of each kind we write look like
def _is_html_report(head: bytes) -> bool:
    text = head.decode("utf-8", "replace")
    return text.startswith("<!DOCTYPE html>") and ("policy-obligations" in text)


def _is_parquet(head: bytes) -> bool:
    return head.startswith(b"PAR1")


def _is_csv(head: bytes) -> bool:
    return head.startswith(b"\xef\xbb\xbf")  # our CSV files start with the BOM Excel needs


def _is_xlsx(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")


# Our workbooks name us as their creator and our Parquet files carry this key in their footer: a
# user's own workbook or Parquet file (a coding sheet just given to `meta import`) has the same
# first bytes, so the kind alone does not make a file ours. A CSV has no place for a mark: one of
# ours is told by its header, the columns about to be written (a re-run of the same export).
MARK = "policy-obligations"
PARQUET_MARK_KEY = b"producer"


def marked_workbook():
    """A write-only openpyxl workbook that names this tool as its creator (told from a user's own)."""
    from openpyxl import Workbook  # the maintained xlsx writer; only needed for this format

    wb = Workbook(write_only=True)
    wb.properties.creator = MARK
    return wb


def marked_schema(schema):
    """A pyarrow schema with this tool's mark in the Parquet footer's key-value metadata."""
    return schema.with_metadata({**(schema.metadata or {}), PARQUET_MARK_KEY: MARK.encode()})


def _marked_xlsx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return "xl/workbook.xml" in z.namelist() and MARK.encode() in z.read("docProps/core.xml")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


def _marked_parquet(path: Path) -> bool:
    import pyarrow.parquet as pq
    try:
        metadata = pq.read_metadata(path).metadata or {}
    except Exception:  # noqa: BLE001 - pyarrow raises several kinds for a file that is no Parquet
        return False
    return metadata.get(PARQUET_MARK_KEY) == MARK.encode()


def _csv_header(path: Path) -> list[str] | None:
    import csv
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return next(csv.reader(fh), None)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


KINDS = {"html": _is_html_report, "parquet": _is_parquet, "csv": _is_csv, "xlsx": _is_xlsx}
KIND_NAMES = {"html": "an HTML report", "parquet": "a Parquet file", "csv": "a CSV export", "xlsx": "an XLSX workbook"}


class Protected:
    """The files an output must never replace: the database (and its WAL) and its source documents,
    known by path and by inode (a hard link is the same file under another name)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        db_paths = [r[0] for r in con.execute(
            "SELECT path FROM duckdb_databases() WHERE path IS NOT NULL AND NOT internal").fetchall()]
        self.database = {os.path.realpath(p) for p in db_paths} | {os.path.realpath(p + ".wal") for p in db_paths}
        self.sources = {os.path.realpath(p) for p in _paths(con, "SELECT DISTINCT source_path FROM documents")}
        # the researcher's own files given to `meta import` (a coding workbook): the table keeps their
        # names only, so a target of such a name is taken for one of them
        self.imported = set(_paths(con, "SELECT DISTINCT source_file FROM document_meta"))
        self._inodes: dict[tuple[int, int], str] | None = None

    def _inode_map(self) -> dict[tuple[int, int], str]:
        if self._inodes is None:  # stat every source only when some target exists at all
            self._inodes = {}
            for group, label in ((self.database, "the database"), (self.sources, "a source document")):
                for p in group:
                    with contextlib.suppress(OSError):
                        st = os.stat(p)
                        self._inodes[(st.st_dev, st.st_ino)] = label
        return self._inodes

    def what(self, target: Path) -> str | None:
        """'the database' / 'a source document' / 'an imported file' (named as one given to `meta import`)
        when `target` is one of them, else None."""
        real = os.path.realpath(target)
        if real in self.database:
            return "the database"
        if real in self.sources:
            return "a source document"
        if os.path.basename(target) in self.imported and os.path.lexists(target):
            return "an imported file"
        try:
            st = os.stat(target)
        except OSError:
            return None
        return self._inode_map().get((st.st_dev, st.st_ino))


def _paths(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    try:
        return [r[0] for r in con.execute(sql).fetchall() if r[0]]
    except duckdb.CatalogException:  # not a database of ours, or one without that table
        return []


def check_target(target: Path, kind: str, protected: Protected, force: bool = False,
                 header: list[str] | None = None) -> None:
    """Raise OutputRefused when writing `kind` to `target` would destroy something (module doc).
    An existing file is replaced without `force` only when it is one of ours: a workbook or Parquet
    file with our mark, a CSV file whose header is `header` (the columns about to be written)."""
    what = protected.what(target)
    if what == "the database":
        raise OutputRefused(str(target), "is the database being read; choose another output file")
    if what == "an imported file" and not force:
        raise OutputRefused(str(target), "has the name of a file given to `meta import` (perhaps that file); "
                                         "choose another output file (or --force to overwrite it)")
    if what is not None and not force:
        raise OutputRefused(str(target), f"is {what} stored in the database; choose another output file "
                                         "(or --force to overwrite it)")
    if not os.path.lexists(target):
        return
    if target.is_symlink() or not target.is_file():
        if force and target.is_symlink():
            return  # the link itself is replaced, never what it points to
        raise OutputRefused(str(target), "exists and is not a regular file" +
                            (" (--force replaces a link, nothing else)" if not force else ""))
    if force:
        return
    try:
        with target.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise OutputRefused(str(target), f"exists and cannot be read ({exc.strerror})") from None
    if head and not KINDS[kind](head):
        raise OutputRefused(str(target), f"exists and is not {KIND_NAMES[kind]}; "
                                         "choose another output file (or --force to overwrite it)")
    if not head:
        return
    ours = {"xlsx": _marked_xlsx, "parquet": _marked_parquet}.get(kind)
    if ours is not None and not ours(target):
        raise OutputRefused(str(target), f"exists and is not {KIND_NAMES[kind]} written by this tool "
                                         "(perhaps your own file); choose another output file "
                                         "(or --force to overwrite it)")
    if kind == "csv" and header is not None and _csv_header(target) != header:
        raise OutputRefused(str(target), "exists and is a CSV file with other columns (perhaps your own "
                                         "file); choose another output file (or --force to overwrite it)")


@contextlib.contextmanager
def atomic(target: Path) -> Iterator[Path]:
    """A temporary path next to `target`; renamed onto `target` when the block ends without an
    error, removed when it raises. The data is flushed to disk before the rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp_path, 0o644 & ~_umask())
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# A spreadsheet runs a cell that begins with one of these as a formula (=cmd|'/c calc'!A1, +1+1,
# -2+3, @SUM(…)); tab and carriage return start one in some importers. Such cells get a leading
# apostrophe, the convention spreadsheets themselves use for "text, not a formula".
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell that would be read as a formula, with a leading apostrophe; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
