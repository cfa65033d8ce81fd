# Everything a newcomer needs runs from here: `make demo` and `make test`
# install what they use (virtualenv, Python and npm packages, Chromium).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: help install sdk chromium lint typecheck pytest sdk-test test demo serve bench clean

help:
	@echo "make demo   run the server, the Pinterest sandbox and a demo site"
	@echo "make test   lint, type-check and run every test"
	@echo "make bench  run the benchmarks in bench/"

# Installing compiles the cohort engine with mypyc (hatch_build.py), so an
# edited engine is installed again; until then the engine runs as Python.
ENGINE_SOURCES := $(wildcard src/cohortcast/engine/*.py)

$(STAMP): pyproject.toml hatch_build.py tools/compile_engine.py $(ENGINE_SOURCES)
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) sdk

sdk/node_modules/.installed: sdk/package.json
	cd sdk && npm install --no-audit --no-fund --loglevel=error
	@touch $@

# The SDK bundle is served by the Python package, so it is built before tests.
sdk: sdk/node_modules/.installed
	cd sdk && npm run --silent build

# Browser tests drive Debian's Chromium; never a downloaded browser build.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing and this is not root: browser tests will be skipped"; \
	  fi; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff format --check src tests bench tools hatch_build.py
	$(VENV)/bin/ruff check src tests bench tools hatch_build.py

typecheck: $(STAMP)
	$(VENV)/bin/mypy src

sdk-test: sdk
	cd sdk && npm run --silent format:check && npm test --silent && npm run --silent size

# PostgreSQL tests run when the server answers; otherwise they skip and say why.
pytest: install chromium
	@if $(PY) -c "import psycopg,sys; psycopg.connect('postgresql://postgres@127.0.0.1:5432/test', connect_timeout=2).close()" 2>/dev/null; then \
	  export COHORTCAST_TEST_POSTGRES_URL='$(POSTGRES_URL)'; \
	else \
	  echo "PostgreSQL does not answer at 127.0.0.1:5432: its tests will be skipped"; \
	fi; \
	$(VENV)/bin/pytest
	@echo "The engine's tests again, on the pure Python engine:"
	COHORTCAST_ENGINE=python $(VENV)/bin/pytest -q tests/engine

test: lint typecheck sdk-test pytest

# The server, the Pinterest sandbox, a demo site and visitors (README).
demo: install chromium
	$(VENV)/bin/cohortcast demo

serve: install
	$(VENV)/bin/cohortcast serve

bench: install
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done
	@for b in sdk/bench/*.mjs; do [ -e "$$b" ] || continue; echo "== $$b"; node $$b || exit 1; done

clean:
	rm -rf $(VENV) sdk/node_modules sdk/dist build .mypy_cache .ruff_cache .pytest_cache
