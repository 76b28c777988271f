#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an empty database, then rebuild search.
#
#   scripts/restore.sh backups/registry-YYYYmmddTHHMMSSZ.dump     (make restore BACKUP=...)
#
# The database in DATABASE_URL must exist and be empty (no tables): a restore never writes
# over live data. The private uploads go into PRIVATE_MEDIA_ROOT and the public media (images
# and documents) into MEDIA_ROOT (defaults: the Django settings); each must be empty or
# missing. With ELASTICSEARCH_URL set, `manage.py search_index rebuild` then builds the search
# index from the restored catalogue.
set -Eeuo pipefail
cd "$(dirname "$0")/.."

die() { printf 'restore: error: %s\n' "$*" >&2; exit 1; }

dump="${1:-}"
[[ -n ${dump} && -f ${dump} && ${dump} == *.dump ]] || die "give the .dump file of a backup (scripts/restore.sh backups/registry-STAMP.dump)"
private_media="${dump%.dump}-private-media.tar.gz"
public_media="${dump%.dump}-media.tar.gz"
[[ -f ${private_media} ]] || die "the private uploads archive ${private_media} is missing beside the dump"
[[ -f ${public_media} ]] || die "the public media archive ${public_media} is missing beside the dump (a backup made before public media were included: restore with the release that made it)"
# shellcheck source=scripts/postgres-env.sh
source scripts/postgres-env.sh
postgres_env pg_restore "the (empty) PostgreSQL database to restore into"

for folder in "${PRIVATE_MEDIA_ROOT}" "${MEDIA_ROOT}"; do
    if [[ -d ${folder} && -n $(ls -A "${folder}") ]]; then
        die "${folder} is not empty: restore files only into an empty folder"
    fi
done
tables="$("${PG_BIN}/psql" -X -A -t -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'" "${DATABASE_URL}")" ||
    die "cannot connect to the database in DATABASE_URL"
[[ ${tables} == 0 ]] || die "the database already holds ${tables} tables: restore only into an empty database"

echo "==> database <- ${dump}"
"${PG_BIN}/pg_restore" --no-owner --no-acl --exit-on-error --dbname="${DATABASE_URL}" "${dump}"

echo "==> private uploads <- ${private_media} (into ${PRIVATE_MEDIA_ROOT})"
mkdir -p "${PRIVATE_MEDIA_ROOT}"
tar -C "${PRIVATE_MEDIA_ROOT}" -xzf "${private_media}"

echo "==> public media: images and documents <- ${public_media} (into ${MEDIA_ROOT})"
mkdir -p "${MEDIA_ROOT}"
tar -C "${MEDIA_ROOT}" -xzf "${public_media}"

if [[ -n ${ELASTICSEARCH_URL:-} ]]; then
    echo "==> search index: rebuild"
    "${PYTHON}" manage.py search_index rebuild
else
    echo "==> search index: not rebuilt (ELASTICSEARCH_URL is not set; search answers from the database)"
fi
echo "==> restored"
