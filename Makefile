# Alvéole — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test test-browser lint typecheck check-migrations messages bench bench-full clean setup

$(STAMP): requirements-dev.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

setup: $(STAMP)
	@$(BIN)/alveole compilemessages_py

## make run: set everything up and serve Alvéole with demo data on http://127.0.0.1:$(PORT)
run: setup
	PORT=$(PORT) $(BIN)/alveole run --demo

## make test: set everything up, lint, type-check and run the test suite
test: setup lint typecheck check-migrations
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

## make test-browser: the Playwright tests in Debian's Chromium (/usr/bin/chromium)
test-browser: setup
	$(BIN)/python -m pytest -m browser tests/browser $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy alveole

check-migrations: setup
	$(BIN)/alveole makemigrations --check --dry-run

## make messages: refresh the translation catalogues (needs GNU gettext)
messages: setup
	cd alveole && ../$(BIN)/alveole makemessages -l fr --no-obsolete --ignore 'tests/*' && ../$(BIN)/alveole makemessages -d djangojs -l fr --no-obsolete

## make bench: the quick benchmarks (needs PostgreSQL and Redis on 127.0.0.1; see bench/RESULTS.md)
bench: setup
	$(BIN)/python -m bench.run --suite quick

## make bench-full: 1M posts, 5k/10k sockets, longer steps (about an hour; see README)
bench-full: setup
	$(BIN)/python -m bench.run --suite full

clean:
	rm -rf $(VENV) var
