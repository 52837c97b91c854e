# The two commands: `make run` (the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint format bench mutants

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

# Serves on http://$(HOST):$(PORT) with a Celery worker and beat; Ctrl-C (or a SIGTERM to make)
# stops all three. The trap signals the three processes themselves, once: each shuts its own
# children down, and the shell waits for them. The worker runs a thread pool: no forked
# children for a terminal's Ctrl-C or a supervisor's group-wide SIGTERM to hit mid-task.
run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py bootstrap --url http://$(HOST):$(PORT)
	@export DEBUG=1; \
	$(PY) -m celery -A smarketing worker --loglevel=INFO --pool=threads --concurrency=2 & worker=$$!; \
	$(PY) -m celery -A smarketing beat --loglevel=INFO & beat=$$!; \
	$(PY) manage.py runserver $(HOST):$(PORT) & web=$$!; \
	trap 'trap "" INT TERM; kill -TERM $$web $$beat $$worker 2>/dev/null; wait; exit 0' INT TERM; \
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

# Mutation testing (slow, not in CI): the modules and their tests are in [tool.mutmut].
# It works on a scratch copy (build/mutation) in which the @transaction.atomic services are
# rewritten as `with transaction.atomic():` bodies, since mutmut skips decorated functions.
# One child: on PostgreSQL the children would share one test database and wait on each
# other's rows. `make mutants MUTANTS='sla.services.*'` mutates one module.
MUTATION_COPY := build/mutation
mutants: install
	rm -rf $(MUTATION_COPY) && mkdir -p $(MUTATION_COPY)
	git ls-files -co --exclude-standard | while read -r f; do [ -f "$$f" ] && printf '%s\0' "$$f"; done \
		| xargs -0 cp --parents -t $(MUTATION_COPY)
	ln -s $(abspath node_modules) $(MUTATION_COPY)/node_modules
	cd $(MUTATION_COPY) && $(abspath $(PY)) -m tests.mutation.atomic_unwrap
	cd $(MUTATION_COPY) && $(abspath $(VENV))/bin/mutmut run --max-children 1 $(MUTANTS); \
		$(abspath $(VENV))/bin/mutmut results
