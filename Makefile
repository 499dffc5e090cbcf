# Two commands on a fresh machine (see README.md):
#   make demo   set everything up, convert an example notebook, run its pipeline with DVC
#   make test   set everything up and pass every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: env lab ts-test corpus-envs browser-deps engines-env engines-test demo test unit lint bench \
        adversarial fuzz clean

# The JupyterLab extension (labextension/): `pip install -e` builds it once; it is rebuilt here
# when its sources change, and linked into the venv so `jupyter lab` loads it.
LABEXT  := jupyter_pipeline/labextension/package.json
LABSRC  := package.json yarn.lock tsconfig.json \
           $(shell find labextension/src labextension/style labextension/schema -type f 2>/dev/null)
WITHVENV := PATH="$(CURDIR)/$(BIN):$$PATH"

env: $(STAMP) $(LABEXT)
	@test -L $(VENV)/share/jupyter/labextensions/nb2pipe || \
	  $(WITHVENV) $(BIN)/jupyter-builder develop --overwrite . >/dev/null

$(LABEXT): $(LABSRC) | $(STAMP)
	$(WITHVENV) $(BIN)/jlpm install
	$(WITHVENV) $(BIN)/jlpm build
	touch $@

# JupyterLab with nb2pipe's panel, on a scratch copy of the wine example (build/lab, a git + DVC
# repository made once and kept between sessions), so exports never land in example_notebooks/.
lab: env
	@test -d build/lab/.dvc || { mkdir -p build/lab && cp -r example_notebooks/wine/. build/lab/ \
	  && cd build/lab && git init -q && $(CURDIR)/$(BIN)/dvc init -q; }
	$(WITHVENV) $(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) \
	  --ServerApp.root_dir=build/lab build/lab/wine.ipynb

# The frontend's unit tests (tag rules, live-analysis model, HTTP seam) with node's test runner.
ts-test: env
	$(WITHVENV) $(BIN)/jlpm test

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

# Old-library environments (and their Jupyter kernels) for the real notebooks in ../shared/corpus.
corpus-envs: $(STAMP)
	$(BIN)/python tools/corpus_envs.py --prefix $(VENV)

# Apache Airflow (and moto's S3 server for the handoffs) in an environment of their own: Airflow
# brings ~250 packages and pins that must not reach nb2pipe's venv. Its tasks run the `nb2pipe`
# of $(VENV) (on PATH), as a worker runs the nb2pipe installed beside the notebook's libraries.
# The kfp SDK has one of its own too: next to Airflow it downgrades protobuf and requests.
ENGINES      := .envs/airflow
ENGINES_REQS := 'apache-airflow>=3.0,<4' 'moto[server]>=5'
ENGINES_STAMP := $(ENGINES)/.installed-$(shell echo "$(ENGINES_REQS)" | cksum | cut -d' ' -f1)
KFP_ENV      := .envs/kfp
KFP_REQS     := 'kfp>=2.17,<3'
KFP_STAMP    := $(KFP_ENV)/.installed-$(shell echo "$(KFP_REQS)" | cksum | cut -d' ' -f1)
WITHENGINES  := NB2PIPE_ENGINES_ENV=$(CURDIR)/$(ENGINES) NB2PIPE_KFP_ENV=$(CURDIR)/$(KFP_ENV)

engines-env: $(ENGINES_STAMP) $(KFP_STAMP)

$(ENGINES_STAMP):
	test -x $(ENGINES)/bin/python || $(PYTHON) -m venv $(ENGINES)
	$(ENGINES)/bin/python -m pip --disable-pip-version-check -q install $(ENGINES_REQS)
	rm -f $(ENGINES)/.installed-*
	touch $@

$(KFP_STAMP):
	test -x $(KFP_ENV)/bin/python || $(PYTHON) -m venv $(KFP_ENV)
	$(KFP_ENV)/bin/python -m pip --disable-pip-version-check -q install $(KFP_REQS)
	rm -f $(KFP_ENV)/.installed-*
	touch $@

# The exported DAGs on the real Airflow (airflow dags test) and the KFP pipelines on kfp.local,
# handoffs on a local S3 (moto).
engines-test: $(STAMP) engines-env
	$(WITHENGINES) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -q tests/engines

# Debian's Chromium for the browser tests (Playwright's own download is not reachable everywhere).
browser-deps:
	bash tools/install_chromium.sh

demo: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash tools/demo.sh

lint: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/python -m pytest -q -m "not integration and not browser"

test: $(STAMP) corpus-envs browser-deps engines-env lint ts-test
	$(WITHENGINES) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -q -n 2 --dist loadfile

# The adversarial generator: every construct of tools/adversarial/constructs.py, split into stages
# several ways and paired, run whole and as a pipeline (ADVERSARIAL_ARGS=--dvc adds dvc repro).
adversarial: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m tools.adversarial $(ADVERSARIAL_ARGS)

# Thousands of generated and mutated notebooks through the analysis, the export and the server
# API (tests/fuzz; the normal test run has a short version). Passes with 0 unexpected failures.
FUZZ_EXAMPLES ?= 3000
fuzz: $(STAMP)
	NB2PIPE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) PATH="$(CURDIR)/$(BIN):$$PATH" timeout 3600 \
	  $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/fuzz

bench: $(STAMP)
	$(BIN)/python bench/bench_convert.py
	$(BIN)/python bench/bench_handoff.py

clean:
	rm -rf build .pytest_cache
