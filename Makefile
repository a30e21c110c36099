# Set-up and everyday commands. `make report` and `make test` work on a fresh machine with only
# python3 and make: the first call creates .venv from the pinned lock file.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 0

.PHONY: setup report tables test lint typecheck bench lab browser clean lock

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.lock
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
	@touch $(STAMP)

setup: $(STAMP) ## create the environment from requirements.lock

report: $(STAMP) ## render the HTML reports for seeds/ into reports/
	$(BIN)/python -m analysis report seeds/ --out reports/ --jobs $(JOBS)

tables: $(STAMP) ## write the analysis tables for seeds/ into out/tables/
	$(BIN)/python -m analysis analyze seeds/ --out out/tables

browser: ## install Debian's chromium for the browser test when it is missing (needs root)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium not installed: the browser test will be skipped (apt-get install chromium)"; fi; }

test: $(STAMP) browser ## run every test (lint and types included)
	$(BIN)/ruff check analysis tests scripts
	$(BIN)/ruff format --check analysis tests scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check analysis tests scripts
	$(BIN)/ruff format --check analysis tests scripts

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP) ## print speed and memory figures
	$(BIN)/python scripts/bench.py --backend learned

lab: $(STAMP) ## open the notebooks in JupyterLab with the project's environment
	$(BIN)/jupyter lab notebooks/ $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

lock: ## re-pin requirements.lock from the current environment
	$(BIN)/python -m pip freeze --all --exclude-editable | grep -v -e '^-e' -e '^pip==' > requirements.lock

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
