# Sourced by scripts/backup.sh and scripts/restore.sh (each defines `die` first): finds the
# PostgreSQL client tool they need and the folders that hold uploads.
#
#   postgres_env TOOL WHAT   TOOL: pg_dump or pg_restore; WHAT: the database, for the message
#
# Sets PG_BIN (default /usr/lib/postgresql/15/bin when it has TOOL, else where PATH finds it),
# PYTHON, and PRIVATE_MEDIA_ROOT and MEDIA_ROOT (default: the Django settings).
postgres_env() {
    local tool="$1" what="$2"
    [[ ${DATABASE_URL:-} == postgres* ]] || die "DATABASE_URL must point at ${what}"
    PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
    [[ -x ${PG_BIN}/${tool} ]] || PG_BIN="$(dirname "$(command -v "${tool}" || echo "/nonexistent/${tool}")")"
    [[ -x ${PG_BIN}/${tool} ]] || die "${tool} not found (apt-get install postgresql-client-15, or set PG_BIN)"
    PYTHON="${PYTHON:-.venv/bin/python}"
    PRIVATE_MEDIA_ROOT="${PRIVATE_MEDIA_ROOT:-$(django_setting PRIVATE_MEDIA_ROOT)}"
    MEDIA_ROOT="${MEDIA_ROOT:-$(django_setting MEDIA_ROOT)}"
}

django_setting() {
    "${PYTHON}" manage.py shell -c "from django.conf import settings; print(settings.$1)" | tail -n 1
}
