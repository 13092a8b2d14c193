# The README's two commands: `make run` and `make test`. Nothing else needs installing by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
CLASSIFIER_PORT ?= 8001

.PHONY: run test lint format bench e2e clean messages

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
	$(PY) manage.py reference_classifier --configure --port $(CLASSIFIER_PORT)
	@echo "Background worker (reply notices, webhooks, classifier): manage.py db_worker;" \
		"reference classifier on 127.0.0.1:$(CLASSIFIER_PORT); both stopped with the server."
	@$(PY) manage.py db_worker --no-reload --verbosity 0 & worker=$$!; \
		$(PY) manage.py reference_classifier --port $(CLASSIFIER_PORT) & classifier=$$!; \
		trap 'kill $$worker $$classifier 2>/dev/null' EXIT INT TERM; \
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

# Translations: collect every marked string into locale/*/LC_MESSAGES/*.po (needs GNU gettext's
# xgettext: apt-get install gettext), then compile the .mo files with polib. Translate the new
# empty msgstr entries, run `$(PY) -m newsroom.compile_messages`, then the i18n tests.
MAKEMESSAGES := makemessages --all --no-obsolete --ignore=.venv --ignore=bench --ignore=tests \
	--ignore=staticfiles --ignore=artifacts
messages: $(BIN)/.installed
	$(PY) manage.py $(MAKEMESSAGES)
	$(PY) manage.py $(MAKEMESSAGES) -d djangojs
	$(PY) -m newsroom.compile_messages
	$(BIN)/pytest -q tests/test_i18n_catalogue.py

# wrk comes from Debian packages: installed here when running as root, else asked for.
bench: $(BIN)/.installed
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y wrk; } || \
		{ echo "make bench needs wrk: sudo apt-get install -y wrk"; exit 1; }
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3* db.ratelimits.sqlite3* test-db*.sqlite3*
