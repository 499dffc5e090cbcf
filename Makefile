# Two commands on a fresh machine (see README.md):
#   make demo   set everything up, convert an example notebook, run its pipeline with DVC
#   make test   set everything up and pass every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: env corpus-envs browser-deps demo test unit lint bench clean

env: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

# Old-library environments (and their Jupyter kernels) for the real notebooks in ../shared/corpus.
corpus-envs: $(STAMP)
	$(BIN)/python tools/corpus_envs.py --prefix $(VENV)

# Debian's Chromium for the browser tests (Playwright's own download is not reachable everywhere).
browser-deps:
	bash tools/install_chromium.sh

demo: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash tools/demo.sh

lint: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/python -m pytest -q -m "not integration and not browser"

test: $(STAMP) corpus-envs browser-deps lint
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -q -n 2 --dist loadfile

bench: $(STAMP)
	$(BIN)/python bench/bench_convert.py

clean:
	rm -rf build .pytest_cache
