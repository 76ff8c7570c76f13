# Two set-up commands for a fresh Linux machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DIR ?= demo

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Stamp files so a change to pyproject.toml reinstalls.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/xlgrade demo $(DEMO_DIR)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

# ruff (lint and format) and mypy, as configured in pyproject.toml.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check xlgrade tests bench
	$(BIN)/ruff format --check xlgrade tests bench
	$(BIN)/mypy

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[bench]'
	touch $@ $(VENV)/.installed

# Every ratio of issue 12 item 5 (bench/run.py), a JSON record and a PNG chart in bench/out/;
# exits 1 if a target is missed. BENCH_ARGS=--quick for the one-minute version.
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .hypothesis
