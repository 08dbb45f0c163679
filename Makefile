# Alvéole — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# uv (hash-checked like pip, several times faster) when it is on the PATH; pip otherwise.
UV := $(shell command -v uv 2>/dev/null)
ifdef UV
  MAKE_VENV = $(UV) venv --quiet --python $(PYTHON) $(VENV)
  INSTALL = $(UV) pip install --quiet --python $(BIN)/python
else
  MAKE_VENV = $(PYTHON) -m venv $(VENV)
  INSTALL = $(BIN)/python -m pip install --quiet --disable-pip-version-check
endif
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test test-browser lint typecheck check-migrations messages bench bench-full clean setup setup-dev

# Serving needs only the runtime lock; the tools of `make test` come on top, from the dev lock.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(MAKE_VENV)
	$(INSTALL) --require-hashes -r requirements.lock
	$(INSTALL) --no-deps --no-build-isolation -e .
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.lock
	$(INSTALL) --require-hashes -r requirements-dev.lock
	@touch $(DEV_STAMP)

setup: $(STAMP)
	@$(BIN)/alveole compilemessages_py

setup-dev: setup $(DEV_STAMP)

## make run: set everything up and serve Alvéole with demo data on http://127.0.0.1:$(PORT)
run: setup
	PORT=$(PORT) $(BIN)/alveole run --demo

## make test: set everything up, lint, type-check and run the test suite
test: setup-dev lint typecheck check-migrations
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

## make test-browser: the Playwright tests in Debian's Chromium (/usr/bin/chromium)
test-browser: setup-dev
	$(BIN)/python -m pytest -m browser tests/browser $(PYTEST_ARGS)

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup-dev
	$(BIN)/mypy alveole

check-migrations: setup-dev
	$(BIN)/alveole makemigrations --check --dry-run

## make messages: refresh the translation catalogues (needs GNU gettext)
messages: setup-dev
	cd alveole && ../$(BIN)/alveole makemessages -l fr --no-obsolete --ignore 'tests/*' && ../$(BIN)/alveole makemessages -d djangojs -l fr --no-obsolete

## make bench: the quick benchmarks (needs PostgreSQL and Redis on 127.0.0.1; see bench/RESULTS.md)
bench: setup-dev
	$(BIN)/python -m bench.run --suite quick

## make bench-full: 1M posts, 5k/10k sockets, longer steps (about an hour; see README)
bench-full: setup-dev
	$(BIN)/python -m bench.run --suite full

clean:
	rm -rf $(VENV) var
