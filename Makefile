# cpted: the two commands a fresh machine needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= cpted-demo

.PHONY: demo test lint typecheck unit notebooks docs bench clean install catalogs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project's dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,docs,bench,notebooks]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	@# numba compiles the kernels on first use (about a minute): pay it here, not in the demo
	$(BIN)/python -c "import cpted; cpted.warmup(verbose=True)"
	touch $(STAMP)

install: $(STAMP)

## demo: audit the bundled Neukölln sample and write map, report and GIS files to cpted-demo/
demo: $(STAMP)
	$(BIN)/cpted audit neukoelln --out $(OUT) --force
	@echo "Open $(OUT)/map.html and $(OUT)/report.html in a browser; $(OUT)/cpted.gpkg in QGIS."

## test: lint, type-check, every test (browser and notebooks included), the docs build
test: $(STAMP) lint typecheck unit docs

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/ruff format --check src tests benchmarks notebooks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile

# The site shows the notebooks as the test run executed them (build/notebooks), or as
# stored when the tests have not run.
docs: $(STAMP)
	@rm -rf docs/notebooks && mkdir -p docs/notebooks
	@for nb in notebooks/*.ipynb; do \
		name=$$(basename $$nb); \
		if [ -f build/notebooks/$$name ]; then cp build/notebooks/$$name docs/notebooks/; \
		else cp $$nb docs/notebooks/; fi; \
	done
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir build/site

## catalogs: extract the messages into src/cpted/locale/cpted.pot and list, per language,
## what its .po files lack (missing, fuzzy, other placeholders); fails when anything does
catalogs: $(STAMP)
	$(BIN)/python -m cpted._catalogs

## bench: speed and memory side by side with peer tools (not part of the tests)
bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build cpted-demo .pytest_cache .mypy_cache .ruff_cache tests/artifacts
