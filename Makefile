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

.PHONY: help install demo test test-unit test-integration stop lock clean superset-env chromium compose-venv compose-check

help:
	@echo "make demo    run the whole job on the sandbox world (installs and starts what it needs)"
	@echo "make test    run the unit tests, then the integration tests (real Postgres, HTTP, Airflow)"
	@echo "make stop    stop Superset (if govmon dashboards serve started it) and the project-local Postgres cluster"
	@echo "make compose-check  validate docker-compose.yml offline with docker-compose v1 in its own venv"
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

# Superset's own locked environment (envs/superset/.venv), synced when its lock changes
superset-env: install
	$(VENV)/bin/python -c "from govmon.dashboards.server import ensure_env; ensure_env(quiet=True)"

# the browser for the dashboard screenshots (Debian package; CJK fonts so Chinese labels render)
chromium:
	@if command -v chromium >/dev/null 2>&1 && command -v fc-list >/dev/null 2>&1 && [ -n "$$(fc-list :lang=zh)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else echo "注意：没有 Chromium 或中文字体（apt-get install chromium fonts-noto-cjk），看板截图测试将跳过" >&2; fi

# docker-compose v1 from PyPI, only to validate docker-compose.yml offline (pinned, PyYAML 6)
COMPOSE_VENV := $(STATE)/tools/compose-venv
$(COMPOSE_VENV)/bin/docker-compose: $(UV) tools/compose-requirements.txt
	$(UV) venv --allow-existing --quiet --python $(PYTHON) $(COMPOSE_VENV)
	$(UV) pip install --quiet --python $(COMPOSE_VENV)/bin/python --no-deps -r tools/compose-requirements.txt
	@touch $@

compose-venv: $(COMPOSE_VENV)/bin/docker-compose

compose-check: install compose-venv
	$(VENV)/bin/python -m pytest -q tests/test_compose.py

demo: install
	$(VENV)/bin/govmon demo

test: install superset-env chromium compose-venv
	$(VENV)/bin/python -m pytest -m "not integration" -q
	$(VENV)/bin/python -m pytest -m integration -q

test-unit: install
	$(VENV)/bin/python -m pytest -m "not integration" -q

test-integration: install superset-env chromium compose-venv
	$(VENV)/bin/python -m pytest -m integration -q

stop:
	@if [ -x $(VENV)/bin/govmon ]; then $(VENV)/bin/govmon dashboards stop; $(VENV)/bin/govmon db stop; fi

lock: $(UV)
	$(UV) lock --python $(PYTHON)
	cd envs/superset && ../../$(UV) lock --python $(PYTHON)

clean: stop
	rm -rf $(VENV) $(STATE)
