# Demo Factory: `make run` starts the app locally, `make test` runs the whole suite.
# Every install step lives here so a fresh machine (and CI on a clean clone) needs nothing by hand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Only this machine reaches `make run` unless told otherwise (ADDRESS=0.0.0.0 to share it).
ADDRESS ?= 127.0.0.1
APT_PACKAGES := chromium fonts-nanum

.PHONY: run test lint typecheck unit e2e bench seed doctor emulate clean system-deps venv dev-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps make re-runs instant while still reinstalling when a requirements file changes.
$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

venv: $(VENV)/.runtime-installed
dev-deps: $(VENV)/.dev-installed

# Debian packages the tests need: chromium for the real-browser tests, NanumGothic for PDFs.
system-deps:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

run: venv
	$(BIN)/streamlit run server.py --server.address $(ADDRESS) --server.port $(PORT)

test: system-deps dev-deps lint typecheck
	$(BIN)/python -m pytest

# checkov pins boto3 and packaging versions the app cannot use, so it lives in its own venv;
# it runs offline (--skip-download: the local checks only) and every skip is in the template
# with its reason.
CHECKOV_VENV := .venv-checkov
$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet -r requirements-checkov.txt
	touch $@

lint: dev-deps $(CHECKOV_VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/cfn-lint deploy/cloudformation.yaml deploy/waf.yaml
	$(CHECKOV_VENV)/bin/checkov -f deploy/cloudformation.yaml -f deploy/waf.yaml --skip-download --compact --quiet

# Strict on services/ (the overrides in pyproject.toml), the default checks elsewhere.
typecheck: dev-deps
	$(BIN)/mypy

unit: dev-deps
	$(BIN)/python -m pytest tests/unit tests/contract

e2e: system-deps dev-deps
	$(BIN)/python -m pytest tests/e2e

bench: venv
	$(BIN)/python -m scripts.bench search

seed: venv
	$(BIN)/python -m scripts.seed_demo

doctor: venv
	$(BIN)/python -m scripts.doctor

# aws mode with no account: an embedded moto server, sample users (passwords printed once) and
# content; nothing is kept. EMULATE_FLAGS=--no-browser for a headless run, "--events 2000" for
# a month of sample usage on the dashboards.
emulate: dev-deps
	$(BIN)/python -m scripts.emulate --port $(PORT) $(EMULATE_FLAGS)

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .pytest_cache .ruff_cache .mypy_cache tests/e2e/artifacts
