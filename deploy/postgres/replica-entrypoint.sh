#!/bin/bash
# A streaming replica of the primary (PRIMARY_HOST, `db`): at the first start, with an empty data
# directory, a physical replication slot on the primary (so it keeps the WAL this replica has not
# received yet, capped by max_slot_wal_keep_size there) and a base backup with -R (standby.signal
# and primary_conninfo written for us); then PostgreSQL in hot standby, read-only. Roles, passwords
# and the application's grants come from the primary with the data.
set -euo pipefail
: "${POSTGRES_REPLICATION_PASSWORD:?set POSTGRES_REPLICATION_PASSWORD}"
primary="${PRIMARY_HOST:-db}"
role="${POSTGRES_REPLICATION_USER:-replicator}"
slot="${REPLICATION_SLOT:-replica1}"
export PGPASSWORD="$POSTGRES_REPLICATION_PASSWORD"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h "$primary" -p 5432 -q; do echo "replica: waiting for $primary"; sleep 2; done
  pg_receivewal -h "$primary" -U "$role" --slot="$slot" --create-slot --if-not-exists
  started=$(date +%s)
  pg_basebackup -h "$primary" -U "$role" -D "$PGDATA" -R -X stream -S "$slot" --checkpoint=fast
  chmod 700 "$PGDATA"
  echo "replica: base backup of $primary in $(( $(date +%s) - started )) s, slot $slot"
fi
unset PGPASSWORD
# hot_standby_feedback: a long read here does not lose its rows to the primary's vacuum (at the
# price of some bloat there while it runs); a standby's max_connections must be >= the primary's.
exec "$@" -c listen_addresses='*' -c hot_standby=on -c hot_standby_feedback=on
