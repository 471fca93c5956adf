"""Which files an ingest reads: documents under the paths given, never outside them."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# formats we read, and formats we recognise only to say clearly that they are not supported
READABLE = {".txt", ".md", ".docx", ".pdf", ".html", ".htm"}
KNOWN_UNSUPPORTED = {".doc", ".wps", ".rtf", ".odt", ".ofd", ".xls", ".xlsx", ".et", ".ppt", ".pptx", ".caj"}


@dataclass
class Listing:
    files: list[str] = field(default_factory=list)  # absolute paths, sorted, each once
    ignored: list[str] = field(default_factory=list)  # other files (images, json …), and links leaving the roots


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def list_documents(paths: list[str | Path], follow_symlinks: bool = False) -> Listing:
    """Every document file under `paths` (files or folders, recursive). Symbolic links are followed
    only when they stay inside the given roots (or when `follow_symlinks`); folder links are never
    descended into, so a link loop cannot hang the walk. Raises FileNotFoundError for a missing path."""
    roots = []
    for p in paths:
        path = Path(p).absolute()
        if not path.exists() and not path.is_symlink():
            raise FileNotFoundError(f"no such file or folder: {p}")
        roots.append(path)
    real_roots = [r.resolve() for r in roots]
    out = Listing()
    seen: set[str] = set()

    def consider(path: Path) -> None:
        key = str(path)
        if key in seen or path.name.startswith("."):
            return
        seen.add(key)
        if path.is_symlink():
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):  # dangling link or a loop
                out.ignored.append(key)
                return
            if not follow_symlinks and not _inside(target, real_roots) or target.is_dir():
                out.ignored.append(key)
                return
        suffix = path.suffix.lower()
        if suffix in READABLE or suffix in KNOWN_UNSUPPORTED:
            out.files.append(key)
        else:
            out.ignored.append(key)

    for root in roots:
        if root.is_file() or (root.is_symlink() and not root.is_dir()):
            consider(root)
            continue
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for d in dirnames:
                if (Path(dirpath) / d).is_symlink():
                    out.ignored.append(str(Path(dirpath) / d))
            for name in sorted(filenames):
                consider(Path(dirpath) / name)
    out.files.sort()
    return out
