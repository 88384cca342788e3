# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install clean-db

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

## Ingest the bundled week into despatchbox.db (SQLite) and serve it on http://$(HOST):$(PORT)/
demo: install
	$(BIN)/despatchbox ingest sample/parlparse-2009-10
	$(BIN)/despatchbox serve --host $(HOST) --port $(PORT)

## Run the whole test suite (SQLite, then PostgreSQL when its server binaries are installed)
test: install
	PATH="$(abspath $(BIN)):$$PATH" scripts/run-tests

clean-db:
	rm -f despatchbox.db despatchbox.db-wal despatchbox.db-shm despatchbox.db.ingest-lock
