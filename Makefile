# One-command workflows. `make run` and `make test` create/refresh the virtualenv from
# requirements*.txt and install the system packages the sandbox needs (espeak-ng) when missing first,
# so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= 2
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: venv system-packages run test test-unit test-integration test-contract test-infra lint bench synth layer deploy clean

$(STAMP): requirements.txt requirements-dev.txt voice/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

# espeak-ng: the sandbox voices (infra_local/system_packages.sh; quick when already installed).
system-packages:
	@bash infra_local/system_packages.sh

# The README's walkthrough reads ids out of JSON with jq (Debian/Ubuntu: apt-get install jq; macOS: brew install jq).
run: venv system-packages ## Serve the whole API on http://127.0.0.1:$${PORT:-8000} with the embedded sandbox stack
	$(PY) -m infra_local

test: venv system-packages ## Every test, offline (unit, integration, infra, contract)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile

test-unit: venv system-packages
	$(PY) -m pytest tests/unit

test-integration: venv system-packages
	$(PY) -m pytest tests/integration

test-contract: venv system-packages
	$(PY) -m pytest tests/contract

test-infra: venv system-packages
	$(PY) -m pytest tests/infra

lint: venv
	$(VENV)/bin/ruff check .

bench: venv system-packages ## Package sizes, cold-import, warm-request and AWS-call-count benchmarks
	$(PY) -m bench

layer: venv ## Build every function's dependency bundle (no Docker) and print their true sizes
	PYTHON=$(PY) bash layers/build_layer.sh

synth: venv ## Synthesise the CloudFormation template into cdk.out/ (installs the layers' packages if stale)
	$(PY) -m layers.assemble --if-stale
	$(PY) -m infra_cdk.app

deploy: synth ## Ops only: needs AWS credentials and the aws-cdk CLI
	npx --yes aws-cdk@2 deploy --app cdk.out

clean:
	rm -rf $(VENV) cdk.out layers/build .pytest_cache
