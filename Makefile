# Resee Alerts. `make run` sets everything up and runs the system; `make test` runs every test.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(CURDIR)/$(VENV)/bin/python
MANAGE := cd backend && $(PY) manage.py
FRONTEND_DEPS := frontend/node_modules/.installed
# The browser tests drive the machine's own Chromium (Debian's package); no tool may download a
# browser of its own.
CHROMIUM := /usr/bin/chromium
# The Prometheus data source's real-process test runs the machine's Prometheus (Debian's package);
# where it cannot be installed, that test is skipped and says so.
PROMETHEUS := /usr/bin/prometheus
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run test bench frontend screenshots install install-dev migrate manage clean help

help:
	@echo "make run      set up (venv, dependencies, database, admin user, dashboard build) and run web, workers and beat"
	@echo "make test     install test dependencies and run every test: ruff, import contracts, mypy, pytest, tsc, eslint, vitest, browser tests"
	@echo "make bench    measure the speed targets (ratios, side by side in one run)"
	@echo "make api-types   regenerate the dashboard's API types from the backend's OpenAPI schema"
	@echo "make screenshots   refresh docs/screenshots/*.png from the browser tests' stack (light and dark)"
	@echo "make manage ARGS='...'   run a manage.py command, e.g. ARGS='create_token admin'"
	@echo "make clean    remove the virtual environment and node_modules (var/ with the data is kept)"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when the pinned requirements change.
$(VENV)/.installed: backend/requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r backend/requirements.txt
	touch $@

$(VENV)/.installed-dev: backend/requirements-dev.txt backend/requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r backend/requirements-dev.txt
	touch $(VENV)/.installed $@

# Exactly what package-lock.json pins; again only when it changes.
$(FRONTEND_DEPS): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "The browser tests need Chromium at $(CHROMIUM); install it (Debian, Ubuntu: sudo apt-get install chromium)." >&2; \
	  exit 1; \
	fi

$(PROMETHEUS):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's prometheus for the Prometheus data source's test"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null \
	  || echo "Could not install prometheus: its test will be skipped." >&2; \
	else \
	  echo "prometheus is not installed (Debian, Ubuntu: sudo apt-get install prometheus): its test will be skipped." >&2; \
	fi

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The dashboard build that Django serves at /, with gzip copies of its files for WhiteNoise to send
# to browsers that take them.
frontend: $(FRONTEND_DEPS) install
	cd frontend && npm run build
	$(PY) -m whitenoise.compress --quiet frontend/dist

migrate: install
	$(MANAGE) migrate --noinput

run: migrate frontend
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) ensure_admin
	$(MANAGE) runstack

test: install-dev $(FRONTEND_DEPS) $(CHROMIUM) $(PROMETHEUS)
	$(VENV)/bin/ruff check backend bench
	PYTHONPATH=backend $(VENV)/bin/lint-imports
	$(PY) -m mypy
	@$(MAKE) --no-print-directory check-api-types
	$(PY) -m pytest
	cd frontend && npm run typecheck
	cd frontend && npm run lint
	cd frontend && npm run test:unit
	@$(MAKE) --no-print-directory frontend
	cd frontend && npm run test:e2e

# The documentation's screenshots, from the real stack the browser tests start.
screenshots: install $(FRONTEND_DEPS) $(CHROMIUM)
	@$(MAKE) --no-print-directory frontend
	cd frontend && SCREENSHOTS=1 npx playwright test e2e/screenshots.spec.ts

# The dashboard's API types (frontend/src/types/api.gen.ts), generated from the backend's OpenAPI
# schema; check-api-types, part of `make test`, fails when the committed file and the schema differ.
# The schema is written on the embedded default database: an integer field's range in it comes
# from the database.
.PHONY: api-types check-api-types
api-types check-api-types: install $(FRONTEND_DEPS)
	@schema=$$(mktemp --suffix=.json) && trap 'rm -f "$$schema"' EXIT \
	  && cd backend && env -u DATABASE_URL $(PY) manage.py spectacular --format openapi-json --validate --file "$$schema" \
	  && cd $(CURDIR)/frontend && npm run --silent api-types -- "$$schema" $(if $(filter check-api-types,$@),--check)

bench: install
	@command -v wrk >/dev/null || apt-get install -y wrk >/dev/null 2>&1 || echo "wrk not available: using a Python load generator"
	$(PY) bench/run.py $(ARGS)

manage: install
	$(MANAGE) $(ARGS)

clean:
	rm -rf $(VENV) frontend/node_modules
