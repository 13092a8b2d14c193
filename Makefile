# The README's two commands: `make run` and `make test`. Nothing else needs installing by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench e2e clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(BIN)/.installed-runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(BIN)/.installed-runtime

run: $(BIN)/.installed-runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Background worker (reply notices, webhooks): manage.py db_worker, stopped with the server."
	@$(PY) manage.py db_worker --no-reload --verbosity 0 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver $(HOST):$(PORT)

test: $(BIN)/.installed
	$(PY) manage.py check
	$(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# wrk comes from Debian packages: installed here when running as root, else asked for.
bench: $(BIN)/.installed
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y wrk; } || \
		{ echo "make bench needs wrk: sudo apt-get install -y wrk"; exit 1; }
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3* db.ratelimits.sqlite3* test-db*.sqlite3*
