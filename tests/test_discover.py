"""File discovery: only documents under the given paths, links leaving them not followed, no hang on loops."""
from __future__ import annotations

import os

import pytest

from pipeline.runs.discover import list_documents


def test_lists_documents_recursively_and_ignores_others(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("通知", encoding="utf-8")
    (tmp_path / "a" / "y.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "z.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden.txt").write_text("x", encoding="utf-8")
    listing = list_documents([tmp_path])
    assert [os.path.basename(f) for f in listing.files] == ["x.txt", "y.doc"]
    assert [os.path.basename(f) for f in listing.ignored] == ["z.png"]


def test_symlink_loop_and_links_leaving_the_root(tmp_path):
    root = tmp_path / "root"
    (root / "loop").mkdir(parents=True)
    os.symlink(root / "loop", root / "loop" / "self")  # a folder that contains itself
    outside = tmp_path / "outside.txt"
    outside.write_text("外部文件", encoding="utf-8")
    os.symlink(outside, root / "leak.txt")
    (root / "in.txt").write_text("内部文件", encoding="utf-8")
    os.symlink(root / "in.txt", root / "alias.txt")
    listing = list_documents([root])
    names = sorted(os.path.basename(f) for f in listing.files)
    assert names == ["alias.txt", "in.txt"]
    assert any(f.endswith("leak.txt") for f in listing.ignored)
    assert any(f.endswith("self") for f in listing.ignored)
    followed = list_documents([root], follow_symlinks=True)
    assert any(f.endswith("leak.txt") for f in followed.files)


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        list_documents([tmp_path / "nope"])
