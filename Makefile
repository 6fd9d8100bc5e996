# Emporium: `make demo` serves the demo shop, `make test` runs the whole suite.
# Both create .venv and install the locked dependencies on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: install demo serve test lint typecheck unit bench lock clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: install
	mkdir -p var
	$(BIN)/emporium db upgrade
	$(BIN)/emporium demo --products $${DEMO_PRODUCTS:-2000}
	@echo "Serving the demo shop at http://127.0.0.1:8000 (API docs at /docs)"
	EMPORIUM_LOG_JSON=$${EMPORIUM_LOG_JSON:-false} $(BIN)/emporium serve --host 127.0.0.1 --port 8000

serve: install
	$(BIN)/emporium db upgrade
	$(BIN)/emporium serve

lint: install
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/ruff format --check --quiet src tests bench migrations
	$(BIN)/lint-imports
	$(BIN)/mypy

# pytest exits 5 when it collects no tests; for a filtered run that is not a failure.
test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest: no tests collected"; status=0; fi; \
	exit $$status

bench: install
	$(BIN)/python -m bench

lock:
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url \
	  --no-emit-find-links --allow-unsafe --output-file requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
