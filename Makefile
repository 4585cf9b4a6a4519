# Two commands do all the set-up: `make run` (the app with demo data) and `make test` (every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := improve

.PHONY: run test lint format browser-deps bench load clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "improve needs Python 3.11 or newer (found $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

## run: set up, migrate, create demo data on first run only, serve on http://127.0.0.1:5000 with
## the background worker beside it (email, reminders; its queue is a SQLite file, nothing to install).
run: $(VENV)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/flask demo --if-empty
	@echo "Open http://127.0.0.1:5000 and sign in with one of the accounts above. Ctrl+C stops it."
	@echo "With no IMPROVE_MAIL_SERVER set, the worker prints each email here instead of sending it."
	@$(BIN)/flask worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	  $(BIN)/gunicorn --workers 2 --bind 127.0.0.1:5000 --access-logfile - 'improve:create_app()'

## test: lint, then the whole suite (browser tests included when Chromium is there).
## PYTEST_ARGS passes more options to pytest, e.g. PYTEST_ARGS='-m "not browser"'.
test: $(VENV)/.installed browser-deps lint
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check improve tests migrations/env.py
	$(BIN)/ruff format --check improve tests
	$(BIN)/mypy
	$(BIN)/bandit -r improve -ll -q

format: $(VENV)/.installed
	$(BIN)/ruff format improve tests
	$(BIN)/ruff check --fix improve tests

## bench: the performance benchmark (about 6 minutes): writes bench/results.json and the README table.
bench: $(VENV)/.installed
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "bench needs wrk: sudo apt-get install wrk"; exit 1; fi; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## load: 150 virtual users (think time 1-3 s, 80 % reads) for 2 minutes on SQLite, then on
## PostgreSQL (LOAD_DATABASE_URL, a server where scratch databases may be made): bench/load.json.
LOAD_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
load: $(VENV)/.installed
	$(BIN)/python bench/load.py $(LOAD_ARGS); sqlite=$$?; \
	  $(BIN)/python bench/load.py --database-url $(LOAD_DATABASE_URL) $(LOAD_ARGS) && exit $$sqlite

# Browser tests drive Debian's Chromium. As root we install it; otherwise they are skipped.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else \
	    echo "Chromium is not installed, so browser tests will be skipped (sudo apt-get install chromium)."; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
