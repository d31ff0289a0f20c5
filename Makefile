# The README's two commands are `make demo` and `make test`; each builds what it needs.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
NPM_STAMP := node_modules/.installed-$(shell cksum < package-lock.json | cut -d' ' -f1)

.PHONY: setup system-deps demo test test-fast test-postgres lint bench lock clean

$(STAMP): requirements.lock pyproject.toml
	@[ -x $(BIN)/python ] || { python=$$(scripts/find-python) && "$$python" -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund
	@rm -f node_modules/.installed-* && touch $@

setup: $(STAMP) $(NPM_STAMP)

# Chromium, poppler and Pango for browser and document tests: the script checks for each and
# calls apt-get (as root) only when one is missing.
system-deps:
	@scripts/system-deps

demo: setup
	$(BIN)/carebroker demo $(if $(PORT),--port $(PORT))

# pytest-xdist: one test process per core (each with its own test database); TEST_WORKERS=0
# runs them in this one process. worksteal: an idle worker takes queued tests from a busy one
# (the slowest tests are collected first, tests/conftest.py).
TEST_WORKERS ?= auto
XDIST := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist worksteal)

# The whole suite, browser and subprocess tests included.
test: setup system-deps
	$(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

# The suite less the tests marked slow (browser, subprocesses, heavy property tests).
test-fast: setup
	$(BIN)/pytest $(XDIST) -m "not slow" $(PYTEST_ARGS)

# The same suite on PostgreSQL (127.0.0.1:5432 here); .ci/run calls this too.
test-postgres: setup system-deps
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/carebroker} $(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# bench/national.py needs PostgreSQL (its own database cb_national on 127.0.0.1, or
# DATABASE_URL); its full size (153 councils, 3 million packages) takes hours and more disk
# than a developer machine has, so `make bench` runs it small: NATIONAL_ARGS= for the full run.
NATIONAL_ARGS ?= --councils 2 --packages-per-council 2000
bench: setup
	@for b in bench/*.py; do echo "== $$b"; \
		$(BIN)/python $$b $(if $(NATIONAL_ARGS),$$([ $$b = bench/national.py ] && echo $(NATIONAL_ARGS))) \
		|| exit 1; done

# Re-pin every Python dependency after editing pyproject.toml.
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra dev --generate-hashes --allow-unsafe --strip-extras -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) node_modules var
