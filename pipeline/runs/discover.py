"""Which files an ingest reads: documents under the paths given, never outside them."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import DocumentError, ReadError, printable
from pipeline.readers.files import check_name, check_regular, os_error

# formats we read, and formats we recognise only to say clearly that they are not supported
READABLE = {".txt", ".md", ".docx", ".pdf", ".html", ".htm"}
KNOWN_UNSUPPORTED = {".doc", ".wps", ".rtf", ".odt", ".ofd", ".xls", ".xlsx", ".et", ".ppt", ".pptx", ".caj"}


@dataclass
class Listing:
    files: list[str] = field(default_factory=list)  # absolute paths, sorted, each once
    ignored: list[str] = field(default_factory=list)  # other files (images, json …), and links leaving the roots
    # documents by name that are not read, each recorded as an ingest_errors row: a FIFO, socket or
    # device (not_a_regular_file), a name that is not UTF-8 (bad_file_name), a file or folder that
    # cannot be looked at (read_error)
    errors: list[DocumentError] = field(default_factory=list)


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def list_documents(paths: list[str | Path], follow_symlinks: bool = False) -> Listing:
    """Every document file under `paths` (files or folders, recursive). Symbolic links are followed
    only when they stay inside the given roots (or when `follow_symlinks`); folder links are never
    descended into, so a link loop cannot hang the walk. Only regular files are listed; the others
    with a document's name, and names that are not UTF-8, go to `errors` (never opened). Raises
    FileNotFoundError for a missing path."""
    roots = []
    for p in paths:
        # one spelling per file: docs/../docs/a.txt and docs/a.txt are the same document, so a changed
        # file replaces its rows whichever way it was named (links are kept: a link is its own path)
        path = Path(os.path.abspath(p))
        if not path.exists() and not path.is_symlink():
            raise FileNotFoundError(f"no such file or folder: {p}")
        roots.append(path)
    real_roots = [r.resolve() for r in roots]
    out = Listing()
    seen: set[str] = set()

    def consider(path: Path, named: bool = False) -> None:
        key = str(path)
        # a hidden file is skipped in a folder, not when the user names it
        if key in seen or path.name.startswith(".") and not named:
            return
        seen.add(key)
        if path.is_symlink():
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):  # dangling link or a loop
                out.ignored.append(printable(key))
                return
            if not follow_symlinks and not _inside(target, real_roots) or target.is_dir():
                out.ignored.append(printable(key))
                return
        suffix = path.suffix.lower()
        if suffix not in READABLE and suffix not in KNOWN_UNSUPPORTED:
            out.ignored.append(printable(key))
            return
        try:  # what can be told without opening the file (a FIFO would block the open)
            check_name(key)
            check_regular(key, os.stat(key))
        except DocumentError as exc:
            out.errors.append(exc)
            return
        except OSError as exc:
            out.errors.append(os_error(key, exc))
            return
        out.files.append(key)

    def unlistable(exc: OSError) -> None:  # os.walk would skip an unreadable folder silently
        folder = exc.filename or "?"
        out.errors.append(ReadError(folder, f"the folder cannot be listed: {exc.strerror or exc}; "
                                            "its documents were not read"))

    for root in roots:
        # a folder named on the command line is walked even through a link (an inbox that is a link to
        # a share); links inside it are followed only as said above
        if not root.is_dir():
            consider(root, named=True)
            continue
        for dirpath, dirnames, filenames in os.walk(root, onerror=unlistable, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for d in dirnames:
                if (Path(dirpath) / d).is_symlink():
                    out.ignored.append(printable(Path(dirpath) / d))
            for name in sorted(filenames):
                consider(Path(dirpath) / name)
    out.files.sort()
    return out
