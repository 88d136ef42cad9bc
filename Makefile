# Science Cities, reproduced. `make help` lists the targets.
#
# `make book` and `make test` set everything up on a fresh machine: a virtual environment in .venv
# with the pinned packages (requirements.lock), and, for the browser test, Debian's Chromium and a
# CJK font (installed with apt-get when missing and when run as root).

SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
YEAR ?=
YEAR_ARG := $(if $(YEAR),--year $(YEAR),)

.PHONY: help setup book pdf run tables validate audit lint test test-fast test-thorough screenshots bench bench-book clean lock browser

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'
	@echo "  Options: YEAR=2022 (one edition only)"

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required (found %s)" % sys.version.split()[0])'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -c requirements.lock -e ".[test]"
	touch $(STAMP)

setup: $(STAMP) ## create .venv and install the pinned packages (done by the other targets when needed)

book: $(STAMP) browser ## run the notebooks that changed; build the HTML book and its PDFs into _build/html
	$(PY) -m analysis book $(YEAR_ARG)

pdf: $(STAMP) browser ## print the PDF of each edition again into _build/html/pdf (make book makes them too)
	$(PY) -m analysis pdf

run: $(STAMP) ## execute the notebooks that changed into book/generated/ (no HTML)
	$(PY) -m analysis run $(YEAR_ARG)

tables: $(STAMP) ## write every reproduced table as CSV into _build/tables/<year>/
	$(PY) -m analysis tables --year $(or $(YEAR),2022) --out _build/tables/$(or $(YEAR),2022)

validate: $(STAMP) ## check every data file and report all problems
	$(PY) -m analysis validate $(YEAR_ARG)

audit: $(STAMP) ## compare every printed figure of the supplement with its recomputed value
	$(PY) -m analysis audit --year $(or $(YEAR),2022)

# Debian's Chromium prints the PDFs and runs the browser test; Noto CJK draws Chinese on screen, WenQuanYi
# (TrueType, so embedded by name) in the PDF; poppler-utils checks the PDFs.
BROWSER_PACKAGES := chromium fonts-noto-cjk fonts-wqy-microhei poppler-utils

browser: ## install Debian's Chromium, CJK fonts and poppler-utils (PDFs, browser test), if missing
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/pdffonts ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
	    || ! fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei"; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	  else echo "The PDFs and the browser test need: sudo apt-get install $(BROWSER_PACKAGES)" >&2; exit 1; fi; fi

# The tests and nbval run in one pytest session across the cores, file by file (--dist loadfile), so
# each notebook's cells run in order in one kernel on one worker.
# SCIENCE_CITIES_CHARTS=offline gives nbval's kernels the book's chart renderer, as the runner gives
# it to its own (analysis.charts).
TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 2)

test: $(STAMP) browser lint ## all checks: lint, committed notebooks up to date, the book build, unit/data/browser/PDF tests, nbval
	$(PY) -m analysis run --check
	$(PY) -m analysis book
	SCIENCE_CITIES_CHARTS=offline $(PY) -m pytest -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder -p no:randomly --nbval tests book/generated

test-fast: $(STAMP) lint ## the edit loop: lint, committed notebooks up to date, the tests that build no book and open no browser
	$(PY) -m analysis run --check
	$(PY) -m pytest -n $(TEST_JOBS) --dist loadfile -p no:randomly -m "not book" tests --ignore=tests/test_browser.py --ignore=tests/test_browser_zh.py --ignore=tests/test_pdf.py

screenshots: $(STAMP) browser ## full-page screenshots of every page at 1280 and 390 px into _build/screenshots/ (for a person to look at)
	$(PY) -m analysis book
	SCREENSHOTS=1 $(PY) -m pytest -n $(TEST_JOBS) -p no:randomly -q tests/test_browser.py tests/test_browser_zh.py -k page_works

lint: $(STAMP) ## ruff: lint and format check of analysis/ and tests/ (fix with: .venv/bin/ruff format analysis tests)
	$(PY) -m ruff check analysis tests
	$(PY) -m ruff format --check analysis tests

test-thorough: ## make test with ten times the property-test examples (HYPOTHESIS_PROFILE=thorough)
	HYPOTHESIS_PROFILE=thorough $(MAKE) test

bench: $(STAMP) ## benchmark the metrics engine against the pandas reference (prints figures; minutes)
	$(PY) -m analysis bench

bench-book: $(STAMP) ## benchmark the book pipeline: clean, no-change, one-file-changed, Jupyter Book force
	$(PY) -m analysis bench --book

lock: $(STAMP) ## rewrite requirements.lock from the installed environment
	$(PY) -m pip freeze --exclude-editable | grep -v "^-e" > requirements.lock

clean: ## remove the build (keeps .venv and the committed notebooks)
	rm -rf _build book/_static/altair-offline.js
