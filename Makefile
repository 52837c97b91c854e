# The two commands: `make run` (the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint format bench

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

# Serves on http://$(HOST):$(PORT) with a Celery worker and beat; Ctrl-C stops all three.
run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py bootstrap
	@export DEBUG=1; trap 'kill 0' INT TERM EXIT; \
	$(PY) -m celery -A smarketing worker --loglevel=INFO --concurrency=2 & \
	$(PY) -m celery -A smarketing beat --loglevel=INFO & \
	$(PY) manage.py runserver $(HOST):$(PORT) & \
	wait

# The import contract first (pyproject.toml): a wrong-way import fails before any test runs.
test: install
	$(VENV)/bin/lint-imports
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
