# policy-obligations: `make run` ingests the sample corpus, `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= outputs/policy.duckdb
GOLD ?= ../shared/eval/gold/seeds
SEEDS ?= ../shared/seeds
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

eval: setup
	rm -f outputs/seeds.duckdb outputs/extra.duckdb
	$(BIN)/obligations ingest $(SEEDS) --db outputs/seeds.duckdb
	$(BIN)/python ../shared/eval/score.py --db outputs/seeds.duckdb --gold $(GOLD)
	@echo "--- beyond the seeds: real documents with independent gold (tests/gold/extra)"
	$(BIN)/obligations ingest ../shared/corpus-extra --db outputs/extra.duckdb --no-prefect > /dev/null
	$(BIN)/python ../shared/eval/score.py --db outputs/extra.duckdb --gold tests/gold/extra

fuzz: setup
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests -k fuzz

bench: variants
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf outputs/*.duckdb outputs/*.lock corpus/variants .state
