#!/bin/bash
# First start of the primary, when POSTGRES_REPLICATION_PASSWORD is set (the scaled stack,
# docker-compose.scaled.yml): a role that may only stream the WAL (no database, no table) and the
# pg_hba line that lets it connect for replication with its SCRAM password. A primary made before:
# docs/operations.md, "A read replica" (the same two statements by hand, then a reload).
set -euo pipefail
[ -n "${POSTGRES_REPLICATION_PASSWORD:-}" ] || exit 0
role="${POSTGRES_REPLICATION_USER:-replicator}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v role="$role" -v password="$POSTGRES_REPLICATION_PASSWORD" <<'SQL'
create role :"role" with replication login password :'password';
SQL
# "all" in the database column never matches a replication connection: it needs its own line.
echo "host replication $role all scram-sha-256" >>"$PGDATA/pg_hba.conf"
echo "init: replication role $role"
