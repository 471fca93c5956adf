"""The command lines: `obligations` (main.py) with the analysts' commands (analyst.py) and the
watch, serve and reprocess commands (watch.py). The top floor: it may import every other part of
`pipeline` (flows, runs, report, store, readers, and the base modules errors, settings, version)
and nothing imports it."""
