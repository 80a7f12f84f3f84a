# The README's commands. `make run` and `make test` work on a fresh clone.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPARK_STAMP := $(VENV)/.installed-spark
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export DAGSTER_DISABLE_TELEMETRY := 1
ROWS ?= 1000000

.PHONY: setup spark run test ui notebook lint template bench sample-large samples clean-warehouse

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

# PySpark for the Parquet-layer test (tests/test_spark.py), and a Java runtime for it: Debian's
# headless OpenJDK when none is on the machine and we may install packages.
spark: $(SPARK_STAMP)

$(SPARK_STAMP): $(STAMP)
	$(INSTALL) -e '.[dev,spark]'
	@command -v java >/dev/null || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null)
	@touch $(SPARK_STAMP)

$(DAGSTER_HOME)/dagster.yaml: pipeline/dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	@cp pipeline/dagster.yaml $@

run: setup
	$(BIN)/dagster asset materialize -m pipeline.definitions --select '*'
	$(BIN)/python -m pipeline.progress

test: setup spark
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

ui: setup
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

notebook: setup
	$(INSTALL) -e '.[dev,notebook]'
	$(BIN)/jupyter lab notebooks/progress.ipynb --ip 127.0.0.1

lint: setup
	$(BIN)/ruff check .
	$(BIN)/vulture

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
