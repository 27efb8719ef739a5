# Two commands for a fresh clone: `make build` and `make test` (see README).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false

.PHONY: build test lint pytest dbt-test docs fuzz bench clean setup pg-deps browser-deps

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --no-compile -e '.[dev]'  # bytecode: pip's 15 s on one core, compileall's on all
	$(BIN)/python -m compileall -q -j 0 "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" >/dev/null
	$(BIN)/python -c 'import juesuan.config as c, juesuan.build as b; c.setup_logging(0); raise SystemExit(b.prepare())'  # replay plan (target/)
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/juesuan build

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/sqlfluff lint --processes 0 models macros  # one process per core: 72 s -> 38 s on 2 cores

# One worker per core, each taking whole test files (their module fixtures build once);
# `pytest -p no:xdist` runs them in one process.
pytest: $(STAMP) pg-deps browser-deps
	$(BIN)/pytest -q -n auto --dist loadfile --no-loadscope-reorder

# PostgreSQL server binaries for tests/integration/test_postgres.py (each run starts its own throwaway
# cluster). Installed from Debian's apt when missing and running as root; otherwise those
# tests fail and say how to install them.
pg-deps:
	@test -n "$$JUESUAN_PG_BIN" || command -v initdb >/dev/null 2>&1 || test -x /usr/lib/postgresql/15/bin/initdb || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "pg-deps: installing postgresql-15 for the PostgreSQL tests"; \
		apt-get update -qq && { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 \
		|| DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; }; \
	else \
		echo "pg-deps: PostgreSQL server binaries (initdb) not found; the postgres tests will fail." \
		"Install them as root: apt-get install postgresql-15" >&2; \
	fi

# Headless Chromium for tests/integration/test_report_site.py (the audit site's filters in a real browser),
# driven by Selenium through Debian's chromedriver: nothing is downloaded at run time. Installed
# from apt when missing and running as root; otherwise that test is skipped and says why.
browser-deps:
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "browser-deps: installing chromium and chromium-driver for the browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			chromium chromium-driver; \
	else \
		echo "browser-deps: /usr/bin/chromium or /usr/bin/chromedriver not found; the browser test will be" \
		"skipped. Install them as root: apt-get install chromium chromium-driver" >&2; \
	fi

test: lint pytest

# Reuses the published warehouse ($JUESUAN_WAREHOUSE, else warehouse/juesuan.duckdb); builds one
# only when there is none.
docs: $(STAMP)
	@test -f "$${JUESUAN_WAREHOUSE:-warehouse/juesuan.duckdb}" || $(BIN)/juesuan build
	$(BIN)/juesuan docs --out reports/docs

fuzz: $(STAMP)
	JUESUAN_FUZZ_EXAMPLES=20000 $(BIN)/pytest -q tests/unit/test_fuzz.py  # JUESUAN_FUZZ_SECONDS=600 caps it

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

clean:
	rm -rf target logs warehouse build reports
