# The README's commands. `make run` and `make test` work on a fresh clone.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export DAGSTER_DISABLE_TELEMETRY := 1
ROWS ?= 1000000

.PHONY: setup run test ui notebook lint template bench sample-large samples clean-warehouse

setup: $(STAMP) $(DAGSTER_HOME)/dagster.yaml

# uv when it is installed (faster), else the standard library's venv and pip.
ifneq ($(shell command -v uv 2>/dev/null),)
MKVENV := uv venv --allow-existing --python $(PY) $(VENV)
INSTALL := uv pip install --python $(BIN)/python
else
MKVENV := $(PY) -m venv $(VENV) && $(BIN)/pip install --quiet --upgrade pip
INSTALL := $(BIN)/pip install --quiet
endif

$(STAMP): pyproject.toml
	$(MKVENV)
	$(INSTALL) -e '.[dev]'
	@touch $(STAMP)

$(DAGSTER_HOME)/dagster.yaml: pipeline/dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	@cp pipeline/dagster.yaml $@

# One line per step and the summary; the full event log goes to $(DAGSTER_HOME)/logs/.
# VERBOSE=1 (or RESFRITT_LOG_LEVEL=DEBUG) shows every event; ALL=1 the long progress table.
run: setup
	$(BIN)/python -m pipeline.run $(if $(VERBOSE),--verbose) $(if $(ALL),--all)

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

ui: setup
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

notebook: setup
	$(INSTALL) -e '.[dev,notebook]'
	$(BIN)/jupyter lab notebooks/progress.ipynb --ip 127.0.0.1

lint: setup
	$(BIN)/ruff check .

samples: setup
	$(BIN)/python scripts/make_samples.py

template: setup
	$(BIN)/python scripts/make_template.py

sample-large: setup
	$(BIN)/python scripts/make_large_sample.py --rows $(ROWS) --out data/large

bench: setup
	$(BIN)/python scripts/bench.py --rows $(ROWS)

clean-warehouse:
	rm -f data/warehouse/resfritt.duckdb*
