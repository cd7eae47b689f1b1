# The two commands a newcomer needs: `make sync` (the main job against the sandbox) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: sync airflow test lint sandbox bench reliability

$(BIN)/.installed: requirements.txt include/pyproject.toml include/sandbox/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	# The emulators, demo and benchmarks: not part of the product (nor of its image), needed by the demo and tests.
	$(BIN)/pip install -q --no-deps -e ./include/sandbox
	touch $@

## Run the sync end to end against the built-in sandbox (installs on first use).
sync: $(BIN)/.installed
	$(BIN)/python -m timelines_zoho_sandbox.demo $(ARGS)

## The Airflow UI (127.0.0.1:8080, this project's DAG only) over the runs `make sync` left; start
## `make sync ARGS=--serve` first, in another terminal: the connections point at that sandbox.
airflow: $(BIN)/.installed
	$(BIN)/python -m timelines_zoho_sandbox.local_airflow $(ARGS)

## Install, start what the tests need, lint, and run every test.
test: $(BIN)/.installed
	bash .ci/services
	$(BIN)/ruff check dags plugins include tests
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check dags plugins include tests

## Start both emulators in the foreground and print their URLs.
sandbox: $(BIN)/.installed
	$(BIN)/python -m timelines_zoho_sandbox

## Benchmarks (W0, W1, W2): API calls vs lower bounds and peers, wall time, transform, DAG parse; one table,
## results in docs/benchmarks.json and the chart in docs/benchmarks.png. Takes about an hour; W0 alone: BENCH=W0.
BENCH ?= W0,W1,W2
bench: $(BIN)/.installed
	$(BIN)/python -m timelines_zoho_sandbox.bench --workloads $(BENCH)
	# After the table (which rewrites benchmarks.json): the webhook path's calls per message and latency.
	$(BIN)/python -m timelines_zoho_sandbox.bench.webhook_path
	$(BIN)/python -m timelines_zoho_sandbox.bench.history  # a history import beside daily runs (figures printed)

## Run the reliability and security suite and print its table of figures.
reliability: $(BIN)/.installed
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python -m timelines_zoho_sandbox.reliability_report
