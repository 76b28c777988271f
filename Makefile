# The two commands a newcomer needs are `make run` and `make test`; see README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PRODUCTS ?= 300
DEMO_SEED ?= 1

.PHONY: admin-password run test install services services-stop services-status lint format migrate demo clean help backup restore

help:
	@echo "make run            install, migrate, load demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test           install, start PostgreSQL and Elasticsearch if needed, run the suite"
	@echo "make services       start the local PostgreSQL and Elasticsearch by hand"
	@echo "make services-stop  stop them"
	@echo "make lint           ruff check, ruff format --check, makemigrations --check, import contracts"
	@echo "make backup         dump the database, the private uploads and the public media into BACKUP_DIR (./backups)"
	@echo "make restore BACKUP=backups/registry-STAMP.dump  restore into an empty database, rebuild search"

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed: install Python 3.11 (or run make PYTHON=/path/to/python3.11)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the accessibility checks (axe-core): install Node.js."; exit 1; }
	npm ci --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py createcachetable

demo: migrate
	$(PY) manage.py seed_demo --products $(DEMO_PRODUCTS) --seed $(DEMO_SEED) --if-empty
	@if [ -n "$$ELASTICSEARCH_URL" ]; then $(PY) manage.py search_index rebuild; fi
	$(PY) manage.py ensure_dev_admin
	$(PY) manage.py ensure_demo_people

# The task worker (emails, the daily jobs, Wagtail's background work) runs beside the server
# and stops with it; with ELASTICSEARCH_URL set, so does the search index worker.
run: demo
	$(PY) manage.py schedule_daily_jobs
	@echo "Serving on http://$(HOST):$(PORT)/ (admin at http://$(HOST):$(PORT)/admin/). Ctrl-C stops it."
	@$(PY) manage.py db_worker --no-reload & workers=$$!; \
	if [ -n "$$ELASTICSEARCH_URL" ]; then \
	  $(PY) manage.py search_worker & workers="$$workers $$!"; \
	fi; \
	trap 'kill $$workers 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed node_modules/.installed
	scripts/test.sh

services:
	scripts/services.sh start

services-stop:
	scripts/services.sh stop

services-status:
	scripts/services.sh status

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .test-media

backup: install
	scripts/backup.sh

restore: install
	@test -n "$(BACKUP)" || { echo "Say which backup: make restore BACKUP=backups/registry-STAMP.dump"; exit 1; }
	scripts/restore.sh "$(BACKUP)"

admin-password: migrate
	$(PY) manage.py ensure_dev_admin --reset
