# policy-obligations: `make run` ingests the sample corpus, `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= outputs/policy.duckdb
SHARED ?= ../shared
export PREFECT_HOME ?= $(CURDIR)/.state/prefect
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 90

.PHONY: setup variants run test eval fuzz bench clean

setup: $(VENV)/.installed

# with the ocr extra, so that the tests read scanned PDFs (it adds about 16 s to a fresh install)
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test,ocr]"
	touch $@

variants: setup
	$(BIN)/python corpus/make_variants.py

run: variants
	mkdir -p $(PREFECT_HOME)
	$(BIN)/obligations ingest corpus/ --db $(DB)
	$(BIN)/obligations sql "SELECT format, count(*) AS documents FROM documents GROUP BY 1 ORDER BY 1" --db $(DB)

test: variants
	mkdir -p $(PREFECT_HOME)
	$(BIN)/pytest

# the seed gold is in the repository; gold for real documents beyond the seeds is scored when the
# documents are beside the checkout (../shared/corpus-extra, ../shared/corpus-dev); docs/QUALITY.md
eval: setup
	rm -f outputs/seeds.duckdb outputs/extra.duckdb outputs/dev.duckdb
	$(BIN)/obligations ingest corpus/*.txt --db outputs/seeds.duckdb --no-prefect > /dev/null
	$(BIN)/obligations eval --gold tests/gold/seeds --db outputs/seeds.duckdb
	@echo "--- composed documents golded blind (tests/gold/synthetic, tests/data/synthetic)"
	rm -f outputs/synthetic.duckdb
	$(BIN)/obligations ingest tests/data/synthetic/synth-* --db outputs/synthetic.duckdb --no-prefect > /dev/null
	$(BIN)/obligations eval --gold tests/gold/synthetic --db outputs/synthetic.duckdb
	@if [ -d $(SHARED)/corpus-extra ]; then \
	  echo "--- beyond the seeds: real documents with independent gold (tests/gold/extra)"; \
	  $(BIN)/obligations ingest $(SHARED)/corpus-extra --db outputs/extra.duckdb --no-prefect > /dev/null && \
	  $(BIN)/obligations eval --gold tests/gold/extra --db outputs/extra.duckdb && \
	  echo "--- the other four documents of corpus-extra, golded after the fifth round (tests/gold/extra2)" && \
	  $(BIN)/obligations eval --gold tests/gold/extra2 --db outputs/extra.duckdb; \
	else echo "(no $(SHARED)/corpus-extra beside the checkout: only the seeds are scored)"; fi
	@if [ -d $(SHARED)/corpus-dev ]; then for set in dev dev2 holdout holdout2 holdout3 holdout4; do \
	  echo "--- blind gold for documents of corpus-dev (tests/gold/$$set; docs/QUALITY.md says what each set measures)"; \
	  rm -f outputs/$$set.duckdb; \
	  $(BIN)/python -c "import json,glob,sys; [print(json.load(open(p))['file']) for p in sorted(glob.glob('tests/gold/$$set/*.json'))]" \
	    | while read f; do ls $(SHARED)/corpus-dev/*/"$$f"; done | xargs $(BIN)/obligations ingest --db outputs/$$set.duckdb --no-prefect > /dev/null && \
	  $(BIN)/obligations eval --gold tests/gold/$$set --db outputs/$$set.duckdb; done; fi

fuzz: setup
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests -k fuzz

bench: variants
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf outputs/*.duckdb outputs/*.lock corpus/variants .state
