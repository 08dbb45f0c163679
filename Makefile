# Alvéole — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# The environment is filled by uv, itself installed from the package registry with a pinned hash
# (requirements-uv.lock): several times faster than pip, and as strict, since every lock is installed
# with --require-hashes (which is also why uv may pick a package from any configured index). When the
# registry has no uv for this machine, pip does the same job.
UV_INSTALL = $(BIN)/uv pip install --quiet --python $(BIN)/python --native-tls --index-strategy unsafe-best-match
PIP_INSTALL = $(BIN)/python -m pip install --quiet --disable-pip-version-check
install = if [ -x $(BIN)/uv ]; then $(UV_INSTALL) $(1); else $(PIP_INSTALL) $(1); fi
PORT ?= 8000
PYTEST_ARGS ?=
TEST_WORKERS ?= auto
SERIAL_TESTS := tests/live tests/faults bench/tests
# The local OpenID Connect provider of the SSO tests (Node's oidc-provider, pinned with integrity hashes in its lock).
OIDC_IDP := tests/sso/oidc
NODE_STAMP := $(OIDC_IDP)/node_modules/.installed

.PHONY: run test test-browser lint typecheck check-migrations messages bench bench-full clean setup setup-dev scim-report

# Serving needs only the runtime lock; the tools of `make test` come on top, from the dev lock.
$(STAMP): requirements.lock requirements-uv.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --default-pip >/dev/null
	@$(PIP_INSTALL) --require-hashes --no-deps -r requirements-uv.lock || echo "uv is not available here: installing with pip."
	@$(call install,--require-hashes -r requirements.lock)
	@$(call install,--no-deps --no-build-isolation -e .)
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.lock
	@$(call install,--require-hashes -r requirements-dev.lock)
	@touch $(DEV_STAMP)

setup: $(STAMP)
	@$(BIN)/alveole compilemessages_py

# npm ci installs exactly package-lock.json, checking each package's integrity hash. Without Node the SSO tests skip,
# except under CI, where Node is required.
$(NODE_STAMP): $(OIDC_IDP)/package.json $(OIDC_IDP)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix $(OIDC_IDP) --no-audit --no-fund --loglevel=error >/dev/null && touch $@; \
	elif [ -n "$${CI:-}" ]; then echo "npm is required under CI: the OIDC provider of tests/sso runs on Node."; exit 1; \
	else echo "npm is not installed: the OIDC tests of tests/sso will be skipped."; fi

setup-dev: setup $(DEV_STAMP) $(NODE_STAMP)

## make run: set everything up and serve Alvéole with demo data on http://127.0.0.1:$(PORT)
run: setup
	PORT=$(PORT) $(BIN)/alveole run --demo

## make test: set everything up, lint, type-check and run the test suite
# The unit tests run on every core (pytest-xdist, one database each); the tests that start servers
# and share the live channel or kill services (tests/live, tests/faults, bench/tests) run after, alone.
# --durations: CI's log names the slowest tests of each pass, where the time of a run goes.
test: setup-dev lint typecheck check-migrations
	$(BIN)/python -m pytest -m "not browser" -n $(TEST_WORKERS) $(SERIAL_TESTS:%=--ignore=%) --durations=15 $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m "not browser" $(SERIAL_TESTS) --durations=15 $(PYTEST_ARGS)

## make test-browser: the Playwright tests in Debian's Chromium (/usr/bin/chromium)
test-browser: setup-dev
	$(BIN)/python -m pytest -m browser tests/browser --durations=15 $(PYTEST_ARGS)

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: setup-dev
	$(BIN)/mypy alveole

check-migrations: setup-dev
	$(BIN)/alveole makemigrations --check --dry-run

## make messages: refresh the translation catalogues (needs GNU gettext)
messages: setup-dev
	cd alveole && ../$(BIN)/alveole makemessages -l fr --no-obsolete --ignore 'tests/*' && ../$(BIN)/alveole makemessages -d djangojs -l fr --no-obsolete

## make scim-report: run scim2-tester against Alvéole and rewrite docs/scim-compliance.md
scim-report: setup-dev
	ALVEOLE_SCIM_REPORT=$(CURDIR)/docs/scim-compliance.md $(BIN)/python -m pytest -q -p no:cacheprovider alveole/scim/tests/test_compliance.py

## make bench: the quick benchmarks (needs PostgreSQL and Redis on 127.0.0.1; see bench/RESULTS.md)
bench: setup-dev
	$(BIN)/python -m bench.run --suite quick $(BENCH_ARGS)

## make bench-full: 1M posts, 5k/10k sockets, longer steps (about an hour; see README)
bench-full: setup-dev
	$(BIN)/python -m bench.run --suite full $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var $(OIDC_IDP)/node_modules
