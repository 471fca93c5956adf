"""DuckDB storage: the schema from the pydantic records, one transaction per batch (each document
whole or not at all), one writer, readers in between.

    database.py  opening the file: the writer lock, DatabaseBusy, the schema and its digest
    write.py     storing a batch of documents, the run records and the errors
    read.py      what the runs read back: known files, earlier failures, documents to reprocess,
                 annexes without their parent
    views.py     the analysts' views, SQL over the tables

The bottom floor of `pipeline` with readers: it may import the base modules (errors, settings) and
schemas, nothing else of the project; report, runs, flows and cli import it. Callers use the names
below (`from pipeline import store; store.connect(db)`).
"""
from pipeline.store.database import (connect, init_schema, open_for_writing, schema_digest, writer_lock,
    writer_running)
from pipeline.store.read import (
    StoredDocument,
    annex_lists,
    documents_to_reprocess,
    failed_before,
    known_documents,
    load_stored,
    unlinked_annexes,
)
from pipeline.store.write import (
    StoredRows,
    check_keys,
    insert,
    link_annex,
    mark_interrupted_runs,
    move_document,
    record_error,
    remove_document,
    save_run,
    store_document,
    store_documents,
)

__all__ = ["StoredDocument", "StoredRows", "annex_lists", "check_keys", "connect", "documents_to_reprocess",
           "failed_before", "init_schema", "insert", "known_documents", "link_annex", "load_stored",
           "mark_interrupted_runs", "move_document", "open_for_writing", "record_error", "remove_document", "save_run",
           "schema_digest", "store_document", "store_documents", "unlinked_annexes", "writer_lock",
           "writer_running"]
