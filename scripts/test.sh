#!/usr/bin/env bash
# Runs the whole suite against real services. Starts the local PostgreSQL and Elasticsearch
# when DATABASE_URL / ELASTICSEARCH_URL are not given, and stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."

started_services=false
if [[ -z "${DATABASE_URL:-}" || -z "${ELASTICSEARCH_URL:-}" ]]; then
  scripts/services.sh start
  started_services=true
  trap 'scripts/services.sh stop' EXIT
  given_database_url=${DATABASE_URL:-}
  given_elasticsearch_url=${ELASTICSEARCH_URL:-}
  # shellcheck disable=SC1090
  source "$(scripts/services.sh env-file)"
  export DATABASE_URL=${given_database_url:-$DATABASE_URL}
  export ELASTICSEARCH_URL=${given_elasticsearch_url:-$ELASTICSEARCH_URL}
fi
scripts/services.sh install-browser

echo "== lint"
.venv/bin/python -m ruff check .
.venv/bin/python -m ruff format --check .
DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python manage.py makemigrations --check --dry-run
.venv/bin/lint-imports

echo "== tests (database: ${DATABASE_URL%%@*}@…, search: ${ELASTICSEARCH_URL})"
.venv/bin/python -m pytest "$@"
