#!/usr/bin/env bash
# Back up what cannot be rebuilt: the database, the private uploads (evidence) and the public
# media (the images and documents editors upload in the CMS).
#
#   scripts/backup.sh            (make backup)
#
# Writes into BACKUP_DIR (default ./backups), named by the UTC time it started:
#   registry-YYYYmmddTHHMMSSZ.dump                  pg_dump, custom format (pg_restore reads it)
#   registry-YYYYmmddTHHMMSSZ-private-media.tar.gz  everything under PRIVATE_MEDIA_ROOT
#   registry-YYYYmmddTHHMMSSZ-media.tar.gz          everything under MEDIA_ROOT
# The search index is not backed up: `scripts/restore.sh` rebuilds it from the database.
#
# Environment: DATABASE_URL (PostgreSQL; required), PRIVATE_MEDIA_ROOT and MEDIA_ROOT (default:
# the Django settings), BACKUP_DIR, PG_BIN (default /usr/lib/postgresql/15/bin when it exists).
set -Eeuo pipefail
cd "$(dirname "$0")/.."

die() { printf 'backup: error: %s\n' "$*" >&2; exit 1; }

# shellcheck source=scripts/postgres-env.sh
source scripts/postgres-env.sh
postgres_env pg_dump "the PostgreSQL database to back up"
BACKUP_DIR="${BACKUP_DIR:-backups}"
mkdir -p "${BACKUP_DIR}"
chmod 700 "${BACKUP_DIR}"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
dump="${BACKUP_DIR}/registry-${stamp}.dump"
private_media="${BACKUP_DIR}/registry-${stamp}-private-media.tar.gz"
public_media="${BACKUP_DIR}/registry-${stamp}-media.tar.gz"

# archive FOLDER FILE: everything under FOLDER (an empty archive when it does not exist yet).
archive() {
    if [[ -d $1 ]]; then
        tar -C "$1" -czf "$2.partial" .
    else
        tar -czf "$2.partial" --files-from /dev/null
    fi
    mv "$2.partial" "$2"
}

echo "==> database -> ${dump}"
"${PG_BIN}/pg_dump" --format=custom --no-owner --no-acl --file="${dump}.partial" "${DATABASE_URL}"
mv "${dump}.partial" "${dump}"

echo "==> private uploads (${PRIVATE_MEDIA_ROOT}) -> ${private_media}"
archive "${PRIVATE_MEDIA_ROOT}" "${private_media}"

echo "==> public media: images and documents (${MEDIA_ROOT}) -> ${public_media}"
archive "${MEDIA_ROOT}" "${public_media}"

echo "==> done: $(du -h "${dump}" | cut -f1) database, $(du -h "${private_media}" | cut -f1) private uploads, $(du -h "${public_media}" | cut -f1) public media"
echo "restore with: scripts/restore.sh ${dump}"
