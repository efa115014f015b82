# Steerco: the two quick-start commands and a few helpers.
#   make demo   install, create the demo portfolio on SQLite, serve it (with the worker that mails)
#   make test   install what the tests need (Python and Debian packages), run the whole suite
#   make bench  every benchmark and a summary of its goals (make bench-quick: a tenth of the size)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
# WeasyPrint renders the packs' PDF through pango and needs a font
PACK_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
export STEERCO_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: demo test install serve bench bench-quick bench-install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --editable ".[test,msproject,oracle]"
	touch $@

install: $(VENV)/.installed
	.ci/ensure-system-packages $(PACK_PACKAGES)

demo: install
	$(BIN)/steerco db upgrade
	$(BIN)/steerco config apply config/governance/default.yaml
	$(BIN)/steerco demo
	$(BIN)/steerco worker --workers 1 & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
	  $(BIN)/steerco serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/steerco serve --host $(HOST) --port $(PORT)

test: install
	.ci/ensure-system-packages postgresql slapd ldap-utils redis-server chromium default-jre-headless
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Every benchmark, then a summary of its goals (met or missed); bench-quick at about a tenth of the size.
bench: bench-install
	$(BIN)/python tests/benchmarks/run.py

bench-quick: bench-install
	$(BIN)/python tests/benchmarks/run.py --quick

bench-install: install
	$(BIN)/pip install --quiet --editable ".[test,msproject,oracle,bench]"
	.ci/ensure-system-packages postgresql slapd ldap-utils redis-server chromium

clean:
	rm -rf $(VENV) instance .pytest_cache
