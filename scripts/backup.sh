#!/usr/bin/env bash
# Back up what cannot be rebuilt: the database and the private uploads (evidence).
#
#   scripts/backup.sh            (make backup)
#
# Writes into BACKUP_DIR (default ./backups), named by the UTC time it started:
#   registry-YYYYmmddTHHMMSSZ.dump               pg_dump, custom format (pg_restore reads it)
#   registry-YYYYmmddTHHMMSSZ-private-media.tar.gz  everything under PRIVATE_MEDIA_ROOT
# The search index is not backed up: `scripts/restore.sh` rebuilds it from the database.
#
# Environment: DATABASE_URL (PostgreSQL; required), PRIVATE_MEDIA_ROOT (default: the Django
# setting), BACKUP_DIR, PG_BIN (default /usr/lib/postgresql/15/bin when it exists).
set -Eeuo pipefail
cd "$(dirname "$0")/.."

die() { printf 'backup: error: %s\n' "$*" >&2; exit 1; }

[[ ${DATABASE_URL:-} == postgres* ]] || die "DATABASE_URL must point at the PostgreSQL database to back up"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
[[ -x ${PG_BIN}/pg_dump ]] || PG_BIN="$(dirname "$(command -v pg_dump || echo /nonexistent/pg_dump)")"
[[ -x ${PG_BIN}/pg_dump ]] || die "pg_dump not found (apt-get install postgresql-client-15, or set PG_BIN)"
PYTHON="${PYTHON:-.venv/bin/python}"
if [[ -z ${PRIVATE_MEDIA_ROOT:-} ]]; then
    PRIVATE_MEDIA_ROOT="$("${PYTHON}" manage.py shell -c 'from django.conf import settings; print(settings.PRIVATE_MEDIA_ROOT)' | tail -n 1)"
fi
BACKUP_DIR="${BACKUP_DIR:-backups}"
mkdir -p "${BACKUP_DIR}"
chmod 700 "${BACKUP_DIR}"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
dump="${BACKUP_DIR}/registry-${stamp}.dump"
media="${BACKUP_DIR}/registry-${stamp}-private-media.tar.gz"

echo "==> database -> ${dump}"
"${PG_BIN}/pg_dump" --format=custom --no-owner --no-acl --file="${dump}.partial" "${DATABASE_URL}"
mv "${dump}.partial" "${dump}"

echo "==> private uploads (${PRIVATE_MEDIA_ROOT}) -> ${media}"
if [[ -d ${PRIVATE_MEDIA_ROOT} ]]; then
    tar -C "${PRIVATE_MEDIA_ROOT}" -czf "${media}.partial" .
else
    tar -czf "${media}.partial" --files-from /dev/null
fi
mv "${media}.partial" "${media}"

echo "==> done: $(du -h "${dump}" | cut -f1) database, $(du -h "${media}" | cut -f1) uploads"
echo "restore with: scripts/restore.sh ${dump}"
