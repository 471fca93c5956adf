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


def test_one_spelling_per_file(tmp_path):
    """docs/../docs/a.txt is docs/a.txt: an edited file named another way replaces its rows instead
    of being stored a second time."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("通知", encoding="utf-8")
    (tmp_path / "proj").mkdir()
    listing = list_documents([tmp_path / "proj" / ".." / "docs"])
    assert listing.files == [str(tmp_path / "docs" / "a.txt")]


def test_a_linked_folder_named_on_the_command_line_is_walked(tmp_path):
    """An inbox that is a link to a share: the user named it, so its documents are read."""
    (tmp_path / "share").mkdir()
    (tmp_path / "share" / "a.txt").write_text("通知", encoding="utf-8")
    os.symlink(tmp_path / "share", tmp_path / "inbox")
    listing = list_documents([tmp_path / "inbox"])
    assert listing.files == [str(tmp_path / "inbox" / "a.txt")]
    assert listing.ignored == []


def test_a_hidden_file_is_read_when_named(tmp_path):
    (tmp_path / ".draft.txt").write_text("通知", encoding="utf-8")
    assert list_documents([tmp_path]).files == []
    assert list_documents([tmp_path / ".draft.txt"]).files == [str(tmp_path / ".draft.txt")]
