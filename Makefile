# Relationship Marketing workbook — set-up, lab, tests.
# Every target is idempotent: run it again and it only does what is missing.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.rmlib-installed
# Extra arguments for the JupyterLab server, e.g. LAB_ARGS="--no-browser --port 8899"
LAB_ARGS ?=
# The student's own folder (git-ignored): working copies of the notebooks, fetched assignments.
WORK ?= work
# Extra arguments for pytest, e.g. PYTEST_ARGS="-k clv" or PYTEST_ARGS="-n 0"
PYTEST_ARGS ?=
PYTEST_WORKERS ?= auto
# JupyterLab refuses to run as root unless told to; add the flag only for root.
ROOT_FLAG := $(shell [ "$$(id -u)" = "0" ] && echo --allow-root)

.PHONY: help setup lab lab-server labextension test test-fast test-browser lint doctor data clean lock bench grading-demo hub hub-down

help:
	@echo "make lab     set up (first time only) and open the course in JupyterLab"
	@echo "make test    set up, lint and run every test (notebooks included)"
	@echo "make test-fast  the library's tests only, about a minute (for contributors)"
	@echo "make test-browser  run the course in JupyterLab in headless Chromium (needs the browser extra)"
	@echo "make setup   set up only: .venv from constraints.txt, then missing data"
	@echo "make doctor  check the installation and print fixes"
	@echo "make grading-demo  run the whole nbgrader pipeline on simulated students"
	@echo "make bench   run the benchmarks"
	@echo "make labextension  rebuild the course's JupyterLab extension in lab/ (needs node; students never do)"
	@echo "make hub     (root) serve the course to a class from one JupyterHub on 127.0.0.1 (deploy/hub/)"
	@echo "make clean   remove .venv, caches and generated grading folders"

setup: $(STAMP) data

# Re-install only when the dependency list or the lock changes.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $@

data: $(STAMP)
	@$(PY) -m rmlib.datasets --ensure
	@$(PY) tools/labprep.py --setup

# The student works on copies in $(WORK)/ (made on the first run, never overwritten), so
# the course's notebooks/ stay clean. The server gets the environment's bin/ on PATH:
# nbgrader runs `alembic` when it creates the gradebook. It also loads the course's prebuilt
# JupyterLab extensions from lab/extensions/ (an editable install does not put them in .venv):
# rmcourse-fragment-links opens a notebook at the heading a link names, e.g. "Contents".
lab: setup
	@$(MAKE) --no-print-directory lab-server

lab-server:
	@$(PY) tools/labprep.py --work "$(WORK)"
	PATH="$(abspath $(BIN)):$$PATH" $(PY) -m jupyterlab $(ROOT_FLAG) --ServerApp.root_dir="$(CURDIR)" \
		--LabApp.extra_labextensions_path="$(CURDIR)/lab/extensions" \
		--LabApp.default_url=/lab/tree/$(WORK)/notebooks/00_start_here.ipynb $(LAB_ARGS)

# Rebuild the prebuilt extension lab/extensions/rmcourse-fragment-links from its source in
# lab/fragment-links/ (needs node >= 20.19 and npm; students never need this). Commit the result.
labextension: $(STAMP)
	cd lab/fragment-links && npm ci --no-audit --no-fund && PATH="$(abspath $(BIN)):$$PATH" jupyter-builder build .

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The contributor's inner loop: the library's tests and doctests, without grading whole
# classes or executing notebooks (about a minute on 2 cores). `make test` runs everything.
test-fast: setup
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not slow and not notebook" $(PYTEST_ARGS)

# The browser suite (tests/browser/): Playwright driving the system's Chromium (set
# RM_CHROMIUM to its path if it is not /usr/bin/chromium). Not part of `make test`.
BROWSER_STAMP := $(VENV)/.rmlib-browser-installed
$(BROWSER_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev,browser]"
	@touch $@

test-browser: setup $(BROWSER_STAMP)
	$(BIN)/pytest -n 0 -p no:cacheprovider tests/browser $(PYTEST_ARGS)

doctor:
	@test -x $(PY) || { echo "No .venv here yet. Fix: run 'make setup'."; exit 1; }
	@$(PY) -m rmlib.doctor

grading-demo: setup
	$(PY) -m rmlib.grading demo

# Benchmark-only tools: DuckDB and polars in .venv (the `bench` extra), and lifetimes in an
# interpreter of its own (it does not import on the course's numpy 2 / pandas 3).
BENCH_STAMP := $(VENV)/.rmlib-bench-installed
LT_VENV := .venv-lifetimes
BENCHES := bench_generate bench_analytics bench_grading bench_class

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev,bench,browser,hub]"
	@touch $@

$(LT_VENV)/.installed: benchmarks/lifetimes-requirements.txt
	@test -x $(LT_VENV)/bin/python || $(PYTHON) -m venv $(LT_VENV)
	$(LT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r benchmarks/lifetimes-requirements.txt
	@touch $@

bench: setup $(BENCH_STAMP) $(LT_VENV)/.installed
	@for b in $(BENCHES); do echo "== benchmarks/$$b.py"; $(PY) benchmarks/$$b.py || exit 1; done

# A class on one JupyterHub (root; see deploy/hub/README.md). Stop it with `make hub-down`.
HUB_PREFIX ?= /opt/rmcourse
HUB_PORT ?= 8000
HUB_INSTRUCTOR ?= instructor
HUB_STUDENTS ?=
hub:
	$(PYTHON) tools/hub.py --prefix $(HUB_PREFIX) up --port $(HUB_PORT) \
	  --instructor $(HUB_INSTRUCTOR) --students "$(HUB_STUDENTS)"

hub-down:
	$(PYTHON) tools/hub.py --prefix $(HUB_PREFIX) down

# Refresh constraints.txt: resolve pyproject's ranges in a throw-away venv and pin the result.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -c tools/lock-bounds.txt -e ".[dev,bench,browser,hub]"
	{ echo "# Exact versions installed by 'make setup'. Regenerate with 'make lock'."; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e ' | sort -f; } > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) $(LT_VENV) .lock-venv .pytest_cache .ruff_cache .hypothesis build dist *.egg-info .ci/reports
	rm -rf assignments/release assignments/submitted assignments/autograded assignments/feedback assignments/gradebook.db
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
