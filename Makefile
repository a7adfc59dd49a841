# hushdesk — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HD := $(VENV)/bin/hushdesk
export HUSHDESK_DATA_DIR ?= var

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: requirements/base.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements/base.txt
	$(PIP) install -q --no-deps -e .
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements/dev.txt
	$(PIP) install -q -r requirements/dev.txt
	@touch $@

install: $(VENV)/.installed ## Create the virtualenv and install hushdesk

dev: $(VENV)/.dev-installed ## Install hushdesk plus the test and lint tools

run: install ## Install, migrate, create the demo workspace and serve on http://127.0.0.1:8000
	HUSHDESK_ENV=dev $(HD) migrate
	HUSHDESK_ENV=dev $(HD) demo
	HUSHDESK_ENV=dev $(HD) serve

reset-password: install ## Set a new password for the demo owner
	HUSHDESK_ENV=dev $(HD) user set-password --email admin@demo.hushdesk.test

test: dev ## Install test tools, then lint, type-check and run the suite on SQLite and PostgreSQL
	bash scripts/test.sh

lint: dev ## ruff + mypy
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

bench: dev ## Benchmarks (not part of the tests): ingest and websocket delivery
	$(PY) bench/ingest.py
	$(PY) bench/websocket_delivery.py

lock: ## Re-pin requirements/*.txt from requirements/*.in (needs network to PyPI)
	bash scripts/lock.sh

clean: ## Remove the virtualenv and local data (./var)
	rm -rf $(VENV) var

.PHONY: help install dev run reset-password test lint bench lock clean
