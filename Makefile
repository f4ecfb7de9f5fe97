# Two commands for a fresh machine: `make run` and `make test`. Both create (or reuse) the
# virtualenv in .venv and install into it only when pyproject.toml changed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench bench-load lint browser clean

run: $(RUN_STAMP)
	$(VENV)/bin/intervox serve --demo

test: $(TEST_STAMP) browser
	$(PY) -m pytest

bench: $(TEST_STAMP) browser
	$(PY) bench/latency.py
	$(PY) bench/vault.py
	$(PY) bench/resume.py

# N = 1…16 concurrent synthetic candidates against one server (about 20 minutes)
bench-load: $(TEST_STAMP)
	$(PY) bench/load.py

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Intervox needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(RUN_STAMP)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Browser tests drive Debian's Chromium through Playwright (Playwright's own browser download
# is not used). Install it when missing and we are root; otherwise say what to do.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; \
	  else \
	    echo "The browser tests need Chromium: install it (Debian/Ubuntu: sudo apt-get install chromium) and run make test again."; exit 1; \
	  fi; }

clean:
	rm -rf $(VENV) .pytest_cache
