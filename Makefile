# Two commands for a fresh clone: `make build` and `make test` (see README).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false

.PHONY: build test lint pytest dbt-test docs fuzz bench clean setup

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/juesuan build

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/sqlfluff lint models macros

pytest: $(STAMP)
	$(BIN)/pytest -q

test: lint pytest

docs: build
	$(BIN)/juesuan docs --out reports/docs

fuzz: $(STAMP)
	JUESUAN_FUZZ_EXAMPLES=20000 $(BIN)/pytest -q tests/test_fuzz.py

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

clean:
	rm -rf target logs warehouse build reports
