# The README's commands. `make run` and `make test` work on a fresh clone.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPARK_VENV := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export DAGSTER_DISABLE_TELEMETRY := 1
ROWS ?= 1000000

.PHONY: setup spark run test ui notebook lint template bench sample-large samples clean-warehouse

setup: $(STAMP) $(DAGSTER_HOME)/dagster.yaml

# uv when it is installed (faster), else the standard library's venv and pip.
ifneq ($(shell command -v uv 2>/dev/null),)
MKVENV := uv venv --allow-existing --python $(PY) $(VENV)
INSTALL := uv pip install --python $(BIN)/python
SPARK_MKVENV := uv venv --allow-existing --python $(PY) $(SPARK_VENV)
SPARK_INSTALL := uv pip install --python $(SPARK_VENV)/bin/python
else
MKVENV := $(PY) -m venv $(VENV) && $(BIN)/pip install --quiet --upgrade pip
INSTALL := $(BIN)/pip install --quiet
SPARK_MKVENV := $(PY) -m venv $(SPARK_VENV)
SPARK_INSTALL := $(SPARK_VENV)/bin/pip install --quiet
endif

$(STAMP): pyproject.toml
	$(MKVENV)
	$(INSTALL) -e '.[dev]'
	@touch $(STAMP)

# Spark for the Parquet-layer test (tests/test_spark.py) in an environment of its own, from the
# `spark` extra of pyproject.toml (PySpark beside Great Expectations changes what GX imports), and
# a Java runtime for it: Debian's headless OpenJDK when none is on the machine and we are root.
spark: $(SPARK_STAMP)

$(SPARK_STAMP): pyproject.toml $(STAMP)
	$(SPARK_MKVENV)
	$(SPARK_INSTALL) $$($(BIN)/python -c "import tomllib; print(' '.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['spark']))")
	@command -v java >/dev/null || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null)
	@touch $(SPARK_STAMP)

$(DAGSTER_HOME)/dagster.yaml: pipeline/dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	@cp pipeline/dagster.yaml $@

# One line per step and the summary; the full event log goes to $(DAGSTER_HOME)/logs/.
# VERBOSE=1 (or RESFRITT_LOG_LEVEL=DEBUG) shows every event; ALL=1 the long progress table.
run: setup
	$(BIN)/python -m pipeline.run $(if $(VERBOSE),--verbose) $(if $(ALL),--all)

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
