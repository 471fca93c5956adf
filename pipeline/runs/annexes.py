"""An annex stored on its own (附件2 …, a separate file) gets its parent: the stored document that
lists it. The rule is extractors.metadata.match_annex, the one place that says when a listed title
is this annex; here it is only applied to what the database holds. Linking happens after each
batch is stored, since an annex and the document listing it may come in any order, in any run."""
from __future__ import annotations

import duckdb

from pipeline import store


def link_annexes(con: duckdb.DuckDBPyConnection) -> int:
    """Link every stored annex still without a parent to the stored document that lists it, when
    there is one; the annex inherits its jurisdiction, issuers and issued date where it has none
    (store.link_annex). Returns the number of annexes linked."""
    annexes = store.unlinked_annexes(con)
    if not annexes:
        return 0
    # imported at the first annex: the metadata rules cost 0.3 s to load, which a run without
    # annexes need not pay
    from extractors.metadata import DocumentMetadata, match_annex

    parents = [(doc_id, DocumentMetadata(annex_titles=titles)) for doc_id, titles in store.annex_lists(con)]
    linked = 0
    for doc_id, title, label in annexes:
        candidates = [(parent_id, meta) for parent_id, meta in parents if parent_id != doc_id]
        found = match_annex(DocumentMetadata(title=title, annex_label=label, is_annex=True),
                            [meta for _, meta in candidates])
        if found is not None:
            store.link_annex(con, doc_id, candidates[found][0])
            linked += 1
    return linked
