"""Byte-identical files (通知.txt and 通知(1).txt): a document is stored once, under one of its paths;
no document is deleted while any path of the run still has its bytes, its path follows the bytes
when the file it was stored under is edited, renamed or deleted, and the summary says what
happened."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.runs.ingest import run_ingest
from tests.conftest import CORPUS

NOTICE = CORPUS / "zibo-2020-34-opinion.txt"
OTHER = CORPUS / "jiangsu-2024-184-notice.txt"


def stored(db: Path) -> dict[str, str]:
    """{file name: doc_id} of every stored document."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {Path(p).name: d for p, d in con.execute("SELECT source_path, doc_id FROM documents").fetchall()}


def edit(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n各区县要于2021年底前完成自查。\n", encoding="utf-8")


def twins(tmp_path: Path) -> tuple[Path, Path, Path]:
    folder = tmp_path / "inbox"
    folder.mkdir()
    a, b = folder / "通知.txt", folder / "通知(1).txt"
    shutil.copy(NOTICE, a)
    shutil.copy(NOTICE, b)
    shutil.copy(OTHER, folder / "other.txt")
    return folder, a, b


def test_duplicates_are_stored_once_and_counted(tmp_path):
    folder, a, b = twins(tmp_path)
    db = tmp_path / "d.duckdb"
    s = run_ingest([str(folder)], db)
    assert (s.new, s.unchanged, s.duplicates) == (2, 1, 1)
    assert sorted(stored(db)) == ["other.txt", "通知(1).txt"]  # the first listed of the two paths


def test_editing_the_stored_copy_keeps_the_twin_document(tmp_path):
    folder, a, b = twins(tmp_path)
    db = tmp_path / "d.duckdb"
    run_ingest([str(folder)], db)
    twin_id = stored(db)["通知(1).txt"]
    edit(b)  # the path the document was stored under
    s = run_ingest([str(folder)], db)
    assert (s.new, s.replaced, s.unchanged, s.moved) == (0, 1, 2, 1), s
    after = stored(db)
    assert after["通知.txt"] == twin_id  # the bytes 通知.txt still has: kept, now under its path
    assert after["通知(1).txt"] != twin_id and len(after) == 3
    again = run_ingest([str(folder)], db)
    assert (again.new, again.replaced, again.unchanged, again.moved) == (0, 0, 3, 0)  # nothing comes back
    assert stored(db) == after


def test_editing_the_other_copy_adds_a_document(tmp_path):
    folder, a, b = twins(tmp_path)
    db = tmp_path / "d.duckdb"
    run_ingest([str(folder)], db)
    before = stored(db)
    edit(a)
    s = run_ingest([str(folder)], db)
    assert (s.new, s.replaced, s.unchanged, s.moved) == (1, 0, 2, 0), s
    assert stored(db)["通知(1).txt"] == before["通知(1).txt"] and len(stored(db)) == 3


def test_renaming_or_deleting_the_stored_copy_moves_the_document_to_a_twin(tmp_path):
    folder, a, b = twins(tmp_path)
    db = tmp_path / "d.duckdb"
    run_ingest([str(folder)], db)
    twin_id = stored(db)["通知(1).txt"]
    b.rename(folder / "通知(2).txt")
    s = run_ingest([str(folder)], db)
    assert (s.new, s.unchanged, s.moved, s.duplicates) == (0, 3, 1, 1), s
    assert stored(db)["通知(2).txt"] == twin_id  # the first listed path that has the bytes
    (folder / "通知(2).txt").unlink()
    s = run_ingest([str(folder)], db)
    assert (s.new, s.unchanged, s.moved, s.duplicates) == (0, 2, 1, 0), s
    assert stored(db)["通知.txt"] == twin_id
    a.unlink()  # no copy left: the document stays, as for any vanished file
    s = run_ingest([str(folder)], db)
    assert (s.new, s.unchanged, s.moved) == (0, 1, 0) and twin_id in stored(db).values()


def test_a_twin_outside_the_run_does_not_keep_a_document(tmp_path):
    """The rule is about the paths of the run: a copy elsewhere, not listed, is not looked for."""
    folder, a, b = twins(tmp_path)
    db = tmp_path / "d.duckdb"
    run_ingest([str(b)], db)
    twin_id = stored(db)["通知(1).txt"]
    edit(b)
    s = run_ingest([str(b)], db)
    assert (s.replaced, s.moved) == (1, 0)
    assert twin_id not in stored(db).values()


def test_the_command_line_summary_says_what_happened(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli.main import app

    folder, a, b = twins(tmp_path)
    db = tmp_path / "d.duckdb"
    run_ingest([str(folder)], db)
    edit(b)
    out = CliRunner().invoke(app, ["ingest", str(folder), "--db", str(db), "--no-prefect"]).output
    assert "replaced 1" in out and "1 documents moved to a copy with their bytes" in out, out


def pair(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    folder = tmp_path / "docs"
    folder.mkdir()
    a, b = folder / "a.txt", folder / "b.txt"
    shutil.copy(NOTICE, a)
    shutil.copy(OTHER, b)
    db = tmp_path / "p.duckdb"
    run_ingest([str(folder)], db)
    return folder, a, b, db


def test_two_files_that_swap_contents_swap_paths(tmp_path):
    """a.txt and b.txt exchange their bytes: each document follows its bytes, and a later edit of
    a.txt replaces the document a.txt now holds, never the one b.txt still has."""
    folder, a, b, db = pair(tmp_path)
    ids = stored(db)
    notice, other = ids["a.txt"], ids["b.txt"]
    t = folder / "t"
    a.rename(t)
    b.rename(a)
    t.rename(b)
    s = run_ingest([str(folder)], db)
    assert (s.new, s.unchanged) == (0, 2), s
    assert stored(db) == {"a.txt": other, "b.txt": notice}
    edit(a)
    run_ingest([str(a)], db)
    after = stored(db)
    assert after["b.txt"] == notice and after["a.txt"] not in (notice, other) and len(after) == 2


def test_a_file_copied_over_another_replaces_its_document(tmp_path):
    """cp b.txt a.txt: a.txt's old document goes (no file has its bytes), and when b.txt is deleted
    the one document left is stored under a.txt: never two documents at one path."""
    folder, a, b, db = pair(tmp_path)
    other = stored(db)["b.txt"]
    shutil.copy(b, a)
    s = run_ingest([str(folder)], db)
    assert (s.new, s.replaced) == (0, 1), s
    assert stored(db) == {"b.txt": other}
    b.unlink()
    run_ingest([str(folder)], db)
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT source_path, doc_id FROM documents").fetchall()
        assert con.execute("SELECT count(DISTINCT doc_id) FROM obligations").fetchone()[0] == 1
    assert rows == [(str(a), other)]


@pytest.mark.parametrize("seed", [11, 23])
def test_documents_follow_their_bytes_through_random_file_operations(tmp_path, seed):
    """Swaps, copies over, edits, renames and deletes in a folder, an ingest of the folder after
    each: every file's bytes are stored, under one of the paths that have them; a stored document
    whose bytes no file has is one of a deleted file (kept, as documents of files gone are), never
    one standing at a path that now has other bytes; a path holds at most one document."""
    import hashlib
    import random
    rng = random.Random(seed)
    folder = tmp_path / "inbox"
    folder.mkdir()
    texts = [f"关于第{i}项工作的通知\n一、各区要于202{i}年底前完成第{i}项任务。\n" for i in range(6)]
    for i in range(4):
        (folder / f"{i}.txt").write_text(texts[i], encoding="utf-8")
    db = tmp_path / "r.duckdb"
    for step in range(30):
        files = sorted(folder.iterdir())
        op = rng.choice(["swap", "rotate", "copy", "edit", "rename", "delete", "add"])
        a, b = rng.sample(files, 2) if len(files) > 1 else (files[0], files[0])
        if op == "rotate" and len(files) > 2:  # three files pass their bytes on, and the last is edited
            x, y, z = rng.sample(files, 3)
            bx, by, bz = x.read_bytes(), y.read_bytes(), z.read_bytes()
            x.write_bytes(bz)
            y.write_bytes(bx)
            z.write_bytes(by + f"三、第{step}步要按期报送。\n".encode())
        elif op == "swap" and a != b:
            t = folder / "t.tmp"
            a.rename(t)
            b.rename(a)
            t.rename(b)
        elif op == "copy":
            shutil.copy(a, b)
        elif op == "edit":
            a.write_text(a.read_text(encoding="utf-8") + f"二、第{step}步要加强监督。\n", encoding="utf-8")
        elif op == "rename":
            a.rename(folder / f"r{step}.txt")
        elif op == "delete" and len(files) > 2:
            a.unlink()
        elif op == "add":
            (folder / f"n{step}.txt").write_text(rng.choice(texts), encoding="utf-8")
        run_ingest([str(folder)], db, workers=0)  # in this process: the bookkeeping is under test
        have: dict[str, set[str]] = {}
        for f in folder.iterdir():
            have.setdefault(hashlib.sha256(f.read_bytes()).hexdigest(), set()).add(str(f))
        with duckdb.connect(str(db), read_only=True) as con:
            rows = con.execute("SELECT doc_id, source_path FROM documents").fetchall()
        assert set(have) <= {d for d, _ in rows}, (step, op)
        assert all(p in have[d] if d in have else not Path(p).exists() for d, p in rows), (step, op, rows)
        assert len({p for _, p in rows}) == len(rows), (step, op, rows)
