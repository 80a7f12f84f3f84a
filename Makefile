# The README's commands. `make run` and `make test` work on a fresh clone.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export DAGSTER_DISABLE_TELEMETRY := 1
ROWS ?= 1000000

.PHONY: setup run test ui lint bench sample-large samples clean-warehouse

setup: $(STAMP) $(DAGSTER_HOME)/dagster.yaml

$(STAMP): pyproject.toml
	@if command -v uv >/dev/null 2>&1; then \
	  uv venv --allow-existing --python $(PY) $(VENV) && uv pip install --python $(BIN)/python -e '.[dev]'; \
	else \
	  $(PY) -m venv $(VENV) && $(BIN)/pip install --quiet --upgrade pip && \
	  $(BIN)/pip install --quiet -e '.[dev]'; \
	fi
	@touch $(STAMP)

$(DAGSTER_HOME)/dagster.yaml: pipeline/dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	@cp pipeline/dagster.yaml $@

run: setup
	$(BIN)/dagster asset materialize -m pipeline.definitions --select '*'
	$(BIN)/python -m pipeline.progress

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

ui: setup
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

lint: setup
	$(BIN)/ruff check .

samples: setup
	$(BIN)/python scripts/make_samples.py

sample-large: setup
	$(BIN)/python scripts/make_large_sample.py --rows $(ROWS) --out data/large

bench: setup
	$(BIN)/python scripts/bench.py --rows $(ROWS)

clean-warehouse:
	rm -f data/warehouse/resfritt.duckdb*
