# The two commands: `make demo` runs the quarterly job on the sandbox world, `make test` passes the
# tests. Each installs what it needs (a pinned uv, then the locked environment) and starts what it
# needs (Postgres: GOVMON_DATABASE_URL when set, else a project-local cluster). Both are idempotent.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
STATE ?= $(or $(GOVMON_STATE_DIR),.govmon)
UV := $(STATE)/tools/uv
VENV := .venv
STAMP := $(VENV)/.govmon-synced
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help install demo test test-unit test-integration stop lock clean

help:
	@echo "make demo    run the whole job on the sandbox world (installs and starts what it needs)"
	@echo "make test    run the unit tests, then the integration tests (real Postgres, HTTP, Airflow)"
	@echo "make stop    stop the project-local Postgres cluster"
	@echo "make lock    re-resolve uv.lock and envs/superset/uv.lock after editing pyproject.toml"

$(UV): tools/bootstrap_uv.py
	@if [ -z "$(PYTHON)" ]; then echo "需要 Python 3.11：请安装 python3（Debian: apt-get install python3）" >&2; exit 1; fi
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || \
	  { echo "需要 Python 3.11，而 $(PYTHON) 是 $$($(PYTHON) --version 2>&1)。Install Python 3.11 (Debian 12: apt-get install python3) or run make PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) tools/bootstrap_uv.py

$(STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --python $(PYTHON)
	@touch $@

install: $(STAMP)

demo: install
	$(VENV)/bin/govmon demo

test: install
	$(VENV)/bin/python -m pytest -m "not integration" -q
	$(VENV)/bin/python -m pytest -m integration -q

test-unit: install
	$(VENV)/bin/python -m pytest -m "not integration" -q

test-integration: install
	$(VENV)/bin/python -m pytest -m integration -q

stop:
	@if [ -x $(VENV)/bin/govmon ]; then $(VENV)/bin/govmon db stop; fi

lock: $(UV)
	$(UV) lock --python $(PYTHON)
	cd envs/superset && ../../$(UV) lock --python $(PYTHON)

clean: stop
	rm -rf $(VENV) $(STATE)
