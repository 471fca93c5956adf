"""The runs, without Prefect: list the files (discover.py), turn one file into an outcome
(process.py, in worker processes: workers.py), ingest a batch at a time with one writer
(ingest.py), watch an inbox (watch.py), re-extract stored documents (reprocess.py). It may import
readers, store, the base modules (errors, settings, version), extractors and schemas; flows and cli
import it, readers, store and report never do."""
