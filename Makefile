# Retaguarda: `make run` sets up and serves the demo back office;
# `make test` sets up and runs the tests. Both work from a fresh clone.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The payment providers' simulators the demo takes payments through and the
# local SEFAZ that authorises its NF-e, on loopback (nothing reaches the
# internet), and where they keep their payments and NF-e.
MERCADOPAGO_PORT ?= 8701
PAGBANK_PORT ?= 8702
SEFAZ_PORT ?= 8703
CORREIOS_PORT ?= 8811
SIMULATORS_DIR ?= var/simulators
# The demo runs with DEBUG on and demo users; never use these settings in production.
# Its provider accounts point at the simulators (loopback addresses, which the
# account form refuses unless private addresses are allowed), whose webhooks
# reach the app at its own address; every NF-e authoriser is the local SEFAZ.
# Its e-mails (the customers' NF-e, with the DANFE) are files in var/mail.
DEMO_ENV := DEBUG=true RETAGUARDA_DEMO=true WAGTAILADMIN_BASE_URL=http://$(HOST):$(PORT) \
	EMAIL_FILE_PATH=var/mail \
	RETAGUARDA_DEMO_MERCADOPAGO_PORT=$(MERCADOPAGO_PORT) \
	RETAGUARDA_DEMO_PAGBANK_PORT=$(PAGBANK_PORT) \
	RETAGUARDA_FISCAL_AUTHORISER_URL=http://127.0.0.1:$(SEFAZ_PORT) \
	RETAGUARDA_DEMO_CORREIOS_PORT=$(CORREIOS_PORT) \
	RETAGUARDA_DEMO_SIMULATORS_DIR=$(SIMULATORS_DIR) RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE=true
# The demo's task worker prints warnings and errors, not every task it runs.
WORKER_LOG_LEVEL ?= WARNING

.PHONY: run demo setup install test test-postgres test-e2e lint format messages check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

## Set up the demo database (migrate, roles, demo users and data).
setup: install
	@$(DEMO_ENV) $(BIN)/python manage.py migrate --no-input -v0
	@$(DEMO_ENV) $(BIN)/python manage.py sync_roles
	@$(DEMO_ENV) $(BIN)/python manage.py seed_demo

## Set up and serve the demo back office at http://127.0.0.1:8000/admin/
## (with a background-task worker for large imports and webhooks, logging
## warnings and errors only and started again if it exits, the Mercado Pago
## and PagBank simulators, the local SEFAZ and the Correios simulator on
## loopback, also started again
## if they exit, and the periodic jobs cron runs in production, every minute)
run: setup
	@echo "Admin: http://$(HOST):$(PORT)/admin/  API docs: http://$(HOST):$(PORT)/api/v1/docs/"
	@echo "Payment simulators: Mercado Pago http://127.0.0.1:$(MERCADOPAGO_PORT)/  PagBank http://127.0.0.1:$(PAGBANK_PORT)/"
	@echo "Local SEFAZ (NF-e): http://127.0.0.1:$(SEFAZ_PORT)/  controls: http://127.0.0.1:$(SEFAZ_PORT)/_control"
	@echo "Correios simulator: http://127.0.0.1:$(CORREIOS_PORT)/"
	@( while :; do LOG_LEVEL=$(WORKER_LOG_LEVEL) $(DEMO_ENV) $(BIN)/python manage.py run_worker --queue-name '*'; \
	  echo "The task worker exited (status $$?); starting it again." >&2; sleep 1; done ) & worker=$$!; \
	( while :; do $(BIN)/python -m plugins.finance.simulators mercadopago --port $(MERCADOPAGO_PORT) \
	  --state $(SIMULATORS_DIR)/mercadopago.json; \
	  echo "The Mercado Pago simulator exited (status $$?); starting it again." >&2; sleep 1; done ) & mercadopago=$$!; \
	( while :; do $(BIN)/python -m plugins.finance.simulators pagbank --port $(PAGBANK_PORT) \
	  --state $(SIMULATORS_DIR)/pagbank.json; \
	  echo "The PagBank simulator exited (status $$?); starting it again." >&2; sleep 1; done ) & pagbank=$$!; \
	( while :; do $(BIN)/python -m plugins.fiscal.simulator --port $(SEFAZ_PORT) \
	  --state $(SIMULATORS_DIR)/sefaz.json; \
	  echo "The SEFAZ simulator exited (status $$?); starting it again." >&2; sleep 1; done ) & sefaz=$$!; \
	( while :; do $(DEMO_ENV) $(BIN)/python -m plugins.logistics.simulator correios --port $(CORREIOS_PORT) \
	  --webhook-url http://$(HOST):$(PORT)/api/v1/logistics/webhooks/correios-demo/; \
	  echo "The Correios simulator exited (status $$?); starting it again." >&2; sleep 1; done ) & correios=$$!; \
	( while sleep 60; do for job in publish_scheduled deliver_webhooks release_expired_holds purge_import_files requeue_provider_events fiscal_resend logistics_track analytics_rollup analytics_digest; do \
	  $(DEMO_ENV) $(BIN)/python manage.py $$job -v0 >/dev/null; done; done ) & jobs=$$!; \
	loops="$$worker $$mercadopago $$pagbank $$sefaz $$correios"; \
	trap 'for loop in $$loops; do pkill -P $$loop; done; kill $$loops $$jobs 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

demo: run

## Set up and run the test suite (SQLite, no services needed; browser tests excluded),
## in parallel: one pytest-xdist worker per core (TEST_WORKERS=0: in one process).
TEST_WORKERS ?= auto
test: install
	$(BIN)/python -m pytest -m "not e2e" -n $(TEST_WORKERS) $(PYTEST_ARGS)

## The same suite against PostgreSQL (DATABASE_URL must point at a server).
test-postgres: install
	$(BIN)/python -m pytest -m "not e2e" -n $(TEST_WORKERS) $(PYTEST_ARGS)

## Browser tests: Playwright driving the system's chromium (/usr/bin/chromium).
test-e2e: install
	$(BIN)/python -m pytest -m e2e tests/e2e $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Regenerate and compile the pt-BR translations.
messages: install
	for app in plugins content api tests/shelves_plugin; do \
		(cd $$app && ../$(BIN)/python $(CURDIR)/manage.py makemessages -l pt_BR --no-obsolete); done
	$(BIN)/python manage.py compilemessages

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=tests.settings
	SECRET_KEY=x RETAGUARDA_ENCRYPTION_KEYS=$$($(BIN)/python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
		$(BIN)/python manage.py check

clean:
	rm -rf $(VENV) var db.sqlite3
