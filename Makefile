# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install install-demo lock clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# the application exactly as locked (requirements.lock, made by `make lock`), then despatchbox itself
$(BIN)/.demo-installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# everything the tests need: the test tools and PostgreSQL's driver (SQLite users need neither)
$(BIN)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet -e '.[test,postgres]'
	# mySociety's Popolo models check the people.json the tests convert. Without --no-deps pip would
	# downgrade typer and rich for the validator's own command line, which the tests never use.
	$(BIN)/pip install --quiet --no-deps 'mysoc-validator>=1.5.1,<1.6'
	touch $@

install-demo: $(BIN)/.demo-installed
install: $(BIN)/.installed

## Ingest the bundled week into despatchbox.db (SQLite) and serve it on http://$(HOST):$(PORT)/
demo: install-demo
	$(BIN)/despatchbox ingest sample/parlparse-2009-10
	$(BIN)/despatchbox serve --host $(HOST) --port $(PORT)

## Run the whole test suite (SQLite, then PostgreSQL when its server binaries are installed)
test: install
	PATH="$(abspath $(BIN)):$$PATH" scripts/run-tests

## Re-pin the application's dependencies after changing them in pyproject.toml
lock: | $(BIN)/python
	$(BIN)/pip install --quiet 'pip-tools>=7.4,<8'
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

clean-db:
	rm -f despatchbox.db despatchbox.db-wal despatchbox.db-shm despatchbox.db.ingest-lock despatchbox.db.schema-lock
