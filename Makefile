# focusgen: `make run` generates a demo dataset, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO := demo-output

.PHONY: setup run test lint bench bench-scale clean

# Bytecode is compiled here because environments with PYTHONDONTWRITEBYTECODE never cache
# it: each focusgen command would otherwise recompile every module it imports (importing
# the engine and CLI: 523 ms against 448 ms precompiled, medians of 7).
setup: $(VENV)/.installed
	@$(BIN)/python -m compileall -q src

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

run: setup
	$(BIN)/focusgen generate --providers aws,azure,gcp,oci --profile enterprise \
	  --distribution balanced --start 2026-01 --months 3 --granularity daily \
	  --rows 200000 --focus-version 1.2 --format parquet --output $(DEMO)

lint: setup
	$(BIN)/ruff check src tests benchmarks scripts

test: setup lint
	$(BIN)/pytest -n 2 --dist loadfile -p no:cacheprovider

bench: setup
	$(BIN)/python benchmarks/bench_engine.py

# Add TOOLKIT=path/to/focus-toolkit (focus-data-toolkit 0.14.1, Python 3.12) for that column.
bench-scale: setup
	$(BIN)/python benchmarks/bench_scale.py $(if $(TOOLKIT),--toolkit $(TOOLKIT))

clean:
	rm -rf $(VENV) $(DEMO) .cache .pytest_cache .ruff_cache
