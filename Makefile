# The one entry point for people and CI. `.ci/run` calls `make test` and nothing else.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run demo test lint unit bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install  ## the service: every queue's worker and the beat, on an embedded Redis by default
	$(BIN)/storywire run

demo: install  ## the service offline on seeds/recorded, prints the stories
	$(BIN)/storywire demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

unit: install
	$(BIN)/pytest

test: lint unit

bench: install  ## each script prints its figures beside a baseline measured in the same run
	$(BIN)/python bench/fetch_bench.py
	$(BIN)/python bench/clean_bench.py
	$(BIN)/python bench/process_bench.py
	$(BIN)/python bench/cluster_quality.py --data ../shared/data/ecbplus-dev.jsonl
	$(BIN)/python bench/copy_quality.py --data ../shared/data/ecbplus-dev.jsonl
	$(BIN)/python bench/stream_quality.py
	$(BIN)/python bench/cluster_speed.py --quick
	$(BIN)/python bench/events_bench.py
	$(BIN)/python bench/dispatch_bench.py
	$(BIN)/python bench/opml_bench.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
