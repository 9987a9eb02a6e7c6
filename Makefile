# Two commands for everything: `make run` (the assistant) and `make test` (the tests).
# Both install what they need first. Other targets: see `make help`.
SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0

PY310 := $(shell pyenv prefix 3.10.13 2>/dev/null)
BOOT_PYTHON ?= $(if $(PY310),$(PY310)/bin/python,python3.10)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MODEL := models/current.tar.gz
TRAIN_INPUTS := config.yml $(shell find nlu_data bot/domain bot/data -type f 2>/dev/null) \
	$(wildcard bot/components/*.py)

.PHONY: help install browser axe nginx run-scaled bench-scaled deploy-model kb kb-check train run shell test test-fast \
	lint format nlu-eval blind bench validate regression review clean

help:
	@echo "make run        install, build the KB, train if needed, start both servers (REST on 127.0.0.1:5005)"
	@echo "make test       install, build the KB, train if needed, run all tests"
	@echo "make test-fast  tests that need no trained model"
	@echo "make train      train the Rasa model (skipped when nothing changed)"
	@echo "make shell      chat in the terminal (rasa shell)"
	@echo "make kb         build the SQLite knowledge base;  make kb-check: validate sources and citations"
	@echo "make nlu-eval   evaluate NLU on the held-out set (reports/nlu)"
	@echo "make blind      pass rates of the blind conversation sets (locked failures never shown; ARGS=--show-dev)"
	@echo "make bench      print benchmark figures (KB lookups, REST latency, memory, start-up)"
	@echo "make validate   the policy team's checks: rasa data validate, KB, citations, conflicts"
	@echo "make regression the new model against the previous one on the held-out set (reports/regression)"
	@echo "make review     residents' messages the assistant could not place, grouped (policy-team review; ARGS=...)"
	@echo "make lint       ruff + black --check"
	@echo "make run-scaled REPLICAS=2 ACTION_SERVERS=1   replicas on PostgreSQL + Redis behind nginx (docs/deploy.md)"
	@echo "make deploy-model  the newly trained model into the running assistant, no downtime (DEPLOY=models/previous.tar.gz rolls back)"
	@echo "make bench-scaled  50 residents x 20 messages through nginx: one replica vs two"

install: $(STAMP)
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(BOOT_PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip<25"
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	@touch $@

# Debian's chromium and CJK fonts for the browser tests (Playwright drives /usr/bin/chromium;
# nothing is downloaded by Playwright itself).
browser:
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "noto.*cjk" || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# axe-core, the accessibility checker the browser tests inject into the pages, from the npm
# registry at the version .axe/package-lock.json pins (no CDN; the page itself loads nothing).
AXE := .axe/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE): .axe/package.json .axe/package-lock.json
	npm ci --prefix .axe --no-audit --no-fund --silent
	@touch $@

# Debian's nginx, the balancer of the scaled mode (bot/serving/balancer.py says why nginx).
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

kb: $(STAMP)
	$(BIN)/shebao build

kb-check: $(STAMP)
	$(BIN)/shebao check

train: $(MODEL)
$(MODEL): $(STAMP) $(TRAIN_INPUTS)
	@# the model it replaces is kept for `make regression`
	@if [ -f $(MODEL) ]; then cp $(MODEL) models/previous.tar.gz; fi
	$(BIN)/rasa train --config config.yml --domain bot/domain --data nlu_data bot/data \
		--out models --fixed-model-name current
	@touch $@

run: $(STAMP) kb $(MODEL)
	bash bot/serving/serve.sh

# N Rasa replicas + M action servers behind nginx on RASA_PORT (5005), conversations in
# PostgreSQL and locks in Redis (PG* and REDIS_* variables; docs/deploy.md).
REPLICAS ?= 2
ACTION_SERVERS ?= 1
run-scaled: $(STAMP) nginx kb $(MODEL)
	REPLICAS=$(REPLICAS) ACTION_SERVERS=$(ACTION_SERVERS) $(BIN)/python -m bot.serving.scaled

# The model `make train` wrote (or MODEL=models/previous.tar.gz to roll back) into the running
# `make run` or `make run-scaled`, one server after the other, no message dropped (docs/deploy.md).
deploy-model: $(STAMP) $(MODEL)
	$(BIN)/python -m bot.serving.deploy_model $(if $(DEPLOY),$(DEPLOY),$(MODEL))

bench-scaled: $(STAMP) nginx kb $(MODEL)
	$(BIN)/python -m tests.tools.bench_scaled

shell: $(STAMP) kb $(MODEL)
	bash bot/serving/serve.sh --actions-only & sleep 8; \
	ACTION_PORT=$${ACTION_PORT:-5055} $(BIN)/rasa shell --model $(MODEL) --endpoints bot/endpoints.yml; kill %1

test: $(STAMP) browser axe nginx kb $(MODEL)
	$(BIN)/pytest

test-fast: $(STAMP) kb
	$(BIN)/pytest -m "not server and not scaled"

lint: $(STAMP)
	$(BIN)/ruff check policy_kb policy_team actions bot tests
	$(BIN)/black --check policy_kb policy_team actions bot tests

format: $(STAMP)
	$(BIN)/ruff check --fix policy_kb policy_team actions bot tests
	$(BIN)/black policy_kb policy_team actions bot tests

nlu-eval: $(STAMP) $(MODEL)
	$(BIN)/rasa test nlu --model $(MODEL) --nlu tests/data/nlu_holdout.yml --out reports/nlu
	$(BIN)/python -m tests.tools.nlu_summary reports/nlu

blind: $(STAMP) kb $(MODEL)
	$(BIN)/python -m tests.tools.blind $(ARGS)

bench: $(STAMP) kb $(MODEL)
	$(BIN)/shebao bench
	$(BIN)/python -m tests.tools.bench_server

validate: $(STAMP)
	$(BIN)/policy-team validate

regression: $(STAMP) $(MODEL)
	$(BIN)/policy-team regression

# the policy team's weekly review of the tracker store, e.g. make review ARGS="--summary"
review: $(STAMP)
	$(BIN)/policy-team review $(ARGS)

clean:
	rm -rf build models reports results .pytest_cache .axe/node_modules
