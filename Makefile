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

.PHONY: venv system-packages console browser run test test-unit test-integration test-contract test-infra \
	test-browser lint bench bench-console synth layer deploy clean

# The web console (console/): `npm ci` from the committed lockfile when it changes, `npm run build` into
# console/dist when a source changes (the stamp lives in dist, so deleting dist rebuilds it). Needs Node >= 20.19.
CONSOLE_MODULES := console/node_modules/.package-lock.json
CONSOLE_STAMP := console/dist/.built
CONSOLE_SOURCES := $(shell find console/src -type f 2>/dev/null) $(wildcard console/*.html console/*.ts console/*.json)

$(STAMP): requirements.txt requirements-dev.txt voice/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

$(CONSOLE_MODULES): console/package.json console/package-lock.json
	cd console && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CONSOLE_STAMP): $(CONSOLE_MODULES) $(CONSOLE_SOURCES)
	cd console && npm run --silent build
	touch $@

console: $(CONSOLE_STAMP) ## Build the web console into console/dist (only when its sources or lockfile changed)

browser: ## Chromium for the browser tests, from the distribution's packages when missing (never `playwright install`)
	bash tests/browser/ensure_chromium.sh

# espeak-ng: the sandbox voices (infra_local/system_packages.sh; quick when already installed).
system-packages:
	@bash infra_local/system_packages.sh

# The README's walkthrough reads ids out of JSON with jq (Debian/Ubuntu: apt-get install jq; macOS: brew install jq).
run: venv system-packages console ## Serve the whole API on http://127.0.0.1:$${PORT:-8000} with the embedded sandbox stack
	$(PY) -m infra_local

test: venv system-packages console browser ## Every test, offline (unit, integration, infra, contract, browser)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile

test-unit: venv system-packages
	$(PY) -m pytest tests/unit

test-integration: venv system-packages
	$(PY) -m pytest tests/integration

test-contract: venv system-packages
	$(PY) -m pytest tests/contract

test-infra: venv system-packages
	$(PY) -m pytest tests/infra

test-browser: venv console browser ## The console in a real Chromium (Playwright), against the local stack
	$(PY) -m pytest tests/browser -p no:xdist

lint: venv
	$(VENV)/bin/ruff check .

bench: venv system-packages console browser ## Package sizes, cold-import, warm-request, AWS-call-count, dialer, voice-plane and sandbox-campaign benchmarks; the console
	$(PY) -m bench
	$(PY) -m bench.console

bench-console: venv console browser ## The console alone: first page's JS (gzipped), overview paint, a 1,000-call run view
	$(PY) -m bench.console

layer: venv ## Build every function's dependency bundle (no Docker) and print their true sizes
	PYTHON=$(PY) bash layers/build_layer.sh

synth: venv console ## Synthesise the CloudFormation template into cdk.out/ (installs the layers' packages if stale)
	$(PY) -m layers.assemble --if-stale
	$(PY) -m infra_cdk.app

deploy: synth ## Ops only: needs AWS credentials and the aws-cdk CLI; then publishes the console's build
	npx --yes aws-cdk@2 deploy --app cdk.out
	$(PY) -m infra_cdk.publish_console

clean:
	rm -rf $(VENV) cdk.out layers/build .pytest_cache console/node_modules console/dist tests/browser/artifacts
