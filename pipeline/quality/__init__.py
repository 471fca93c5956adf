"""Extraction quality: the product's own scorer (`obligations eval`), for researchers who annotate a
sample of their documents and want to know how far to trust the database. Reads a DuckDB file and
gold files; imports `schemas` only (never extractors, flows or the CLI)."""
