# The two commands of the README: `make run` (the portal with demo data) and `make test` (the whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help run test e2e lint check format messages lock clean bench load

PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
PIP_VERSION := 26.3

# Settings come from the environment; a local .env file (see .env.example) is read when present.
-include .env
export

# The first Python >= 3.12 on the PATH (pyenv's shims honour .python-version).
PYTHON := $(shell for c in python3.13 python3.12 python3 python; do \
	if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	then echo $$c; break; fi; done)

help:
	@echo "make run    - install, migrate, load demo data and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   - install and run the whole test suite (the browser tests included)"
	@echo "make e2e    - only the browser tests: axe, keyboard, journeys, screenshots (needs Debian's chromium)"
	@echo "make lint   - ruff check, ruff format --check, mypy"
	@echo "make check  - Django system checks and missing migrations"
	@echo "make bench  - measure every page on a generated 100,000-inquiry SQLite database (made once, then reused)"
	@echo "make load   - the load test: 50 users for 2 minutes against gunicorn, PostgreSQL, Redis and Celery"
	@echo "make messages - update and compile the translation catalogues"
	@echo "make lock   - re-pin requirements/constraints.txt from the current environment"

$(VENV)/.installed: pyproject.toml requirements/constraints.txt
	@if [ -z "$(PYTHON)" ]; then \
		echo "Python 3.12 or newer is needed. Install it (e.g. 'pyenv install 3.13', or Debian's python3.13)" >&2; \
		echo "and run make again." >&2; exit 1; fi
	@test -x $(PY) || { echo "Creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	@$(PY) -m pip install --quiet --disable-pip-version-check "pip==$(PIP_VERSION)"
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt -e . --group dev
	@touch $@

# The demo logins work with a password alone: staff two-factor authentication is off unless the environment (or
# .env) sets PORTAL_STAFF_MFA_REQUIRED=true; production leaves it at its default, on.
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py seed_demo
	@set -e; \
	if [ -n "$$REDIS_URL" ]; then \
		echo "REDIS_URL is set: starting a Celery worker with beat"; \
		$(VENV)/bin/celery -A portal worker --beat --loglevel=INFO & celery_pid=$$!; \
		trap 'kill $$celery_pid 2>/dev/null' EXIT INT TERM; \
	fi; \
	PORTAL_STAFF_MFA_REQUIRED=$${PORTAL_STAFF_MFA_REQUIRED:-false} $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed
	$(PY) -m pytest -n 2 -q

e2e: $(VENV)/.installed
	$(PY) -m pytest -q tests/browser

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=portal.settings_test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=portal.settings_test $(PY) manage.py makemigrations --check --dry-run

# The benchmark of issue #9: the load data is generated once into its own SQLite file (never db.sqlite3) and
# reused; delete var/bench/bench.sqlite3 to generate it again. Results: the printed table and var/bench/results.json.
BENCH_DB := var/bench/bench.sqlite3
BENCH_INQUIRIES ?= 100000
bench: $(VENV)/.installed
	@mkdir -p var/bench
	@set -e; if [ ! -f $(BENCH_DB) ]; then \
		rm -f $(BENCH_DB).tmp $(BENCH_DB).tmp-wal $(BENCH_DB).tmp-shm; \
		export DATABASE_URL=sqlite:///$(CURDIR)/$(BENCH_DB).tmp; \
		$(PY) manage.py migrate --noinput -v0; \
		time $(PY) manage.py generate_load_data --inquiries $(BENCH_INQUIRIES); \
		mv $(BENCH_DB).tmp $(BENCH_DB); \
	fi
	DATABASE_URL=sqlite:///$(CURDIR)/$(BENCH_DB) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=sqlite:///$(CURDIR)/$(BENCH_DB) $(PY) manage.py bench --check-targets --json var/bench/results.json

# The load test of issue #9 (bench/load/run.py), all on 127.0.0.1: it makes and drops its own PostgreSQL database
# (portal_load, on the server of DATABASE_URL when that is PostgreSQL, else postgres://portal:portal@127.0.0.1:5432/
# portal; the role needs CREATEDB) and starts and stops its own redis-server, Celery worker, gunicorn and SMTP sink.
# Needs PostgreSQL and redis-server, as CI has. Options: make load LOAD_ARGS="--users 20 --seconds 60".
# Results: the printed table and var/load/results.json; it exits non-zero when a check fails.
load: $(VENV)/.installed
	$(PY) -m bench.load.run $(LOAD_ARGS)

messages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale nb --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

lock: $(VENV)/.installed
	@{ echo "# Pinned versions of every package the portal and its tools install (make lock regenerates this file)."; \
	  $(PY) -m pip freeze --exclude-editable; } > requirements/constraints.txt

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
