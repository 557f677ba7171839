# zhongtai — `make demo` runs the whole job on the sandbox district and serves it; `make test` runs the tests.
# Everything installs into .venv with uv from uv.lock; uv itself is bootstrapped into .tools if missing.

SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
export DO_NOT_TRACK := 1
export DAGSTER_DISABLE_TELEMETRY := 1

.DEFAULT_GOAL := help

.PHONY: help install browser postgres java demo run serve test test-spark test-fast lint format bench clean

help: ## show this help
	@awk 'BEGIN {FS = ":.*## "}; /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==0.13.8

# --compile-bytecode: the tests and the pipeline start many Python processes (the run, dbt, servers) that import
# Dagster, dbt and GX. Where PYTHONDONTWRITEBYTECODE is set (it was on the machines the tests were timed on), no
# process could cache bytecode and each compiled those modules again: 11 s of CPU instead of 5.4 s per import.
$(BIN)/zhongtai: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python 3.11 --compile-bytecode
	@touch $@

install: $(BIN)/zhongtai ## install everything into .venv (uv, from uv.lock)

demo: install ## generate the small district, run the whole pipeline, serve API, Datasette, Dagster UI
	$(BIN)/zhongtai demo --scale small

run: install ## run the pipeline once on whatever the data directory holds
	$(BIN)/zhongtai run

serve: install ## serve the last published snapshot (API, Datasette, Dagster UI)
	$(BIN)/zhongtai serve

browser: ## install Debian's chromium and a CJK font for browser tests (Playwright drives it; its own download fails here)
	@{ command -v chromium >/dev/null && fc-list | grep -qi wenquanyi; } || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei; }

postgres: ## install Debian's PostgreSQL server: the operational-database tests run the same suite on a throwaway cluster
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; }

java: ## install Debian's OpenJDK 17 runtime: pyspark runs the dbt project on local Spark with it (issue 15)
	@ls /usr/lib/jvm/java-17-openjdk-*/bin/java >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless; }

# Two pytest-xdist workers, one per core: a pipeline run keeps about one core busy. Tests that share a pipeline run
# stay in one worker (tests/conftest.py groups them); `make test PYTEST_WORKERS=0` runs everything in one process.
PYTEST_WORKERS ?= 2

test: install browser postgres java ## lint, type-check, then every test: unit, integration (real DuckDB, dbt, Dagster), end to end
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy zhongtai catalog apis
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder

test-spark: install java ## only the Spark tests: the tiny district run by the pipeline on local Spark, and resolution there, compared with DuckDB
	$(BIN)/pytest -m spark_build

test-fast: install ## unit tests only
	$(BIN)/pytest -m "not integration and not e2e"

lint: install ## ruff, import contracts, mypy
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy zhongtai catalog apis

format: install ## format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install ## benchmarks (not tests): results as JSON under bench/results/
	$(BIN)/python -m bench

clean: ## remove the data directory (landing, warehouse, published, sandbox)
	rm -rf data
