# Resee Alerts. `make run` sets everything up and runs the system; `make test` runs every test.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(CURDIR)/$(VENV)/bin/python
MANAGE := cd backend && $(PY) manage.py

.PHONY: run test bench install install-dev migrate manage clean help

help:
	@echo "make run      set up (venv, dependencies, database, admin user) and run web, worker and beat"
	@echo "make test     install test dependencies and run every test"
	@echo "make bench    measure the speed targets (ratios, side by side in one run)"
	@echo "make manage ARGS='...'   run a manage.py command, e.g. ARGS='drf_create_token admin'"
	@echo "make clean    remove the virtual environment (var/ with the data is kept)"

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

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(MANAGE) migrate --noinput

run: migrate
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) ensure_admin
	@if [ -f frontend/package.json ]; then cd frontend && npm ci --no-audit --no-fund && npm run build; fi
	$(MANAGE) runstack

test: install-dev
	$(VENV)/bin/ruff check backend bench
	$(PY) -m pytest

bench: install
	@command -v wrk >/dev/null || apt-get install -y wrk >/dev/null 2>&1 || echo "wrk not available: using a Python load generator"
	$(PY) bench/run.py $(ARGS)

manage: install
	$(MANAGE) $(ARGS)

clean:
	rm -rf $(VENV)
