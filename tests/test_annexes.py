"""An annex stored as its own file gets its parent from the database by the one rule
(extractors.metadata.match_annex): whichever comes first, in the same run or another, and again
after a reprocess. On the corpus's 淄博 opinion and its 附件2 task table."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from pipeline.runs.ingest import run_ingest
from pipeline.runs.reprocess import reprocess
from tests.conftest import CORPUS

ANNEX = "zibo-2020-34-annex2-task-table.txt"
OPINION = "zibo-2020-34-opinion.txt"


def links(db: Path) -> dict[str, tuple]:
    """Per stored file name: (parent's file name, jurisdiction, issued_date) of the annexes."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT a.source_path, p.source_path, a.jurisdiction, a.issued_date FROM documents a "
                           "LEFT JOIN documents p ON a.parent_doc_id = p.doc_id "
                           "WHERE a.annex_label IS NOT NULL").fetchall()
    return {Path(a).name: (Path(p).name if p else None, j, d) for a, p, j, d in rows}


def opinion_listing(folder: Path, listed: str) -> Path:
    """The opinion with the first line of its second annex's title (the title wraps over two
    lines, ending in 「解表」) replaced by `listed`."""
    text = (CORPUS / OPINION).read_text(encoding="utf-8")
    original = "2.全市社区配套设施规划建设管理工作任务分\n"
    assert original in text
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / OPINION
    path.write_text(text.replace(original, f"2.{listed}\n"), encoding="utf-8")
    return path


def test_an_annex_stored_before_its_parent_is_linked_when_the_parent_comes(tmp_path):
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir()
    shutil.copy(CORPUS / ANNEX, first / ANNEX)
    db = tmp_path / "a.duckdb"
    run_ingest([str(first)], db)
    alone = links(db)[ANNEX]
    assert alone[0] is None

    later.mkdir()
    shutil.copy(CORPUS / OPINION, later / OPINION)
    run_ingest([str(later)], db)
    parent, jurisdiction, issued = links(db)[ANNEX]
    assert parent == OPINION
    # what the annex does not say it takes from the document that lists it
    assert (jurisdiction, issued.isoformat()) == ("淄博市", "2020-03-23")

    reprocess(db, stale_only=False)  # re-extraction rewrites the annex's row: the link is made again
    assert links(db)[ANNEX][0] == OPINION


def test_a_title_listed_with_a_word_missing_still_links(tmp_path):
    """The parent lists 「…管理任务分解表」, the annex is titled 「…管理工作任务分解表」: neither
    contains the other, yet they name the same table (a substring rule would not link them)."""
    folder = tmp_path / "docs"
    opinion_listing(folder, "全市社区配套设施规划建设管理任务分")
    shutil.copy(CORPUS / ANNEX, folder / ANNEX)
    db = tmp_path / "a.duckdb"
    run_ingest([str(folder)], db)
    assert links(db)[ANNEX][0] == OPINION


def test_an_annex_the_document_does_not_list_stays_unlinked(tmp_path):
    folder = tmp_path / "docs"
    opinion_listing(folder, "全市养老服务设施建设运营补贴标准及分")
    shutil.copy(CORPUS / ANNEX, folder / ANNEX)
    db = tmp_path / "a.duckdb"
    run_ingest([str(folder)], db)
    assert links(db)[ANNEX][0] is None
