#!/usr/bin/env bash
# A PostgreSQL primary and a streaming read replica on this machine, for development, tests and
# load scenarios (docs/operations.md, "Read replica"). Not a production set-up: both servers
# listen on 127.0.0.1 only and trust every local connection.
#
#   scripts/pg-replica.sh start  DATA_DIR [PRIMARY_PORT] [REPLICA_PORT]
#   scripts/pg-replica.sh stop   DATA_DIR [PRIMARY_PORT] [REPLICA_PORT]
#   scripts/pg-replica.sh status DATA_DIR [PRIMARY_PORT] [REPLICA_PORT]
#   scripts/pg-replica.sh start-replica|stop-replica|promote|destroy DATA_DIR [...]
#
# start:   the first time, initdb's DATA_DIR/primary (wal_level=replica, a replication line in
#          pg_hba.conf for 127.0.0.1), starts it, then clones it into DATA_DIR/replica with
#          pg_basebackup -R (standby.signal + primary_conninfo) and starts that as a hot standby.
#          Later runs start whatever is stopped. Waits until the replica is streaming.
# stop:    stops both (fast shutdown). status: both servers, replication state and replay lag.
# start-replica / stop-replica: only the replica (to exercise the fallback to the primary).
# promote: turns the replica into a primary (a manual failover drill).
# destroy: stops both and deletes DATA_DIR.
#
# Ports default to 5433 (primary) and 5434 (replica). Superuser `postgres`, no password:
#   DATABASE_URL=postgres://postgres@127.0.0.1:5433/DB
#   DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5434/DB
# Run as root, the servers run as the `postgres` system user (DATA_DIR's parents must be
# traversable by it). Binaries: $PG_BINDIR, else the newest /usr/lib/postgresql/*/bin, else PATH.
# PG_REPLICA_FSYNC=off trades durability for speed (throw-away test clusters only).
set -euo pipefail

usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 2 ] || usage
cmd="$1"
data_dir="$2"
primary_port="${3:-5433}"
replica_port="${4:-5434}"
case "$data_dir" in /*) ;; *) data_dir="$(pwd)/$data_dir" ;; esac
primary_dir="$data_dir/primary"
replica_dir="$data_dir/replica"

if [ -n "${PG_BINDIR:-}" ]; then
  bindir="$PG_BINDIR"
elif compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  bindir="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")"
elif command -v initdb >/dev/null 2>&1; then
  bindir="$(dirname "$(command -v initdb)")"
else
  echo "pg-replica: no PostgreSQL server binaries (initdb) found; set PG_BINDIR" >&2
  exit 3
fi

# As root the servers run as `postgres` (PostgreSQL refuses to run as root).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

psql_at() {  # psql_at PORT SQL: one value, no headers
  "$bindir/psql" -X -q -At -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "$2"
}

running() { as_pg "$bindir/pg_ctl" -D "$1" status >/dev/null 2>&1; }

start_server() {  # start_server DIR NAME
  if running "$1"; then
    echo "pg-replica: $2 already running"
  else
    as_pg "$bindir/pg_ctl" -D "$1" -l "$data_dir/$2.log" -w -t 60 start >/dev/null
    echo "pg-replica: $2 started"
  fi
}

stop_server() {  # stop_server DIR NAME
  if [ -d "$1" ] && running "$1"; then
    as_pg "$bindir/pg_ctl" -D "$1" -m fast -w -t 60 stop >/dev/null
    echo "pg-replica: $2 stopped"
  fi
}

init_primary() {
  mkdir -p "$data_dir"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$data_dir"
    if ! runuser -u postgres -- test -w "$data_dir"; then
      echo "pg-replica: the postgres user cannot write to $data_dir (a parent folder is closed to it)" >&2
      exit 1
    fi
  fi
  chmod 700 "$data_dir"
  as_pg "$bindir/initdb" -D "$primary_dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$primary_dir/postgresql.conf" <<EOF

# scripts/pg-replica.sh
listen_addresses = '127.0.0.1'
port = $primary_port
unix_socket_directories = '$data_dir'
wal_level = replica
max_wal_senders = 5
wal_keep_size = 256MB
hot_standby = on
hot_standby_feedback = on
shared_buffers = 64MB
max_connections = 100
EOF
  if [ "${PG_REPLICA_FSYNC:-on}" = "off" ]; then
    printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' >>"$primary_dir/postgresql.conf"
  fi
  echo "host replication all 127.0.0.1/32 trust" >>"$primary_dir/pg_hba.conf"
  echo "pg-replica: primary initialised in $primary_dir (port $primary_port)"
}

init_replica() {
  as_pg "$bindir/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$replica_dir" \
    -R -X stream -c fast
  # The configuration came with the copy; the replica only needs its own port.
  printf '\n# the replica (scripts/pg-replica.sh)\nport = %s\n' "$replica_port" >>"$replica_dir/postgresql.conf"
  echo "pg-replica: replica cloned into $replica_dir (port $replica_port)"
}

wait_streaming() {
  for _ in $(seq 1 60); do
    if [ "$(psql_at "$replica_port" "select status from pg_stat_wal_receiver" 2>/dev/null || true)" = "streaming" ]; then
      echo "pg-replica: replica streaming from 127.0.0.1:$primary_port"
      return 0
    fi
    sleep 0.5
  done
  echo "pg-replica: the replica is not streaming after 30 s; see $data_dir/replica.log" >&2
  return 1
}

status() {
  local rc=0
  if [ -d "$primary_dir" ] && running "$primary_dir"; then
    echo "primary: running on 127.0.0.1:$primary_port"
    psql_at "$primary_port" "select '  sender to ' || coalesce(host(client_addr), 'local') || ': ' || state || ', replay lag ' || coalesce(replay_lag::text, '0') from pg_stat_replication" || true
  else
    echo "primary: stopped"; rc=1
  fi
  if [ -d "$replica_dir" ] && running "$replica_dir"; then
    echo "replica: running on 127.0.0.1:$replica_port"
    psql_at "$replica_port" "select '  in recovery: ' || pg_is_in_recovery() || ', receiver: ' || coalesce((select status from pg_stat_wal_receiver), 'none') || ', replay lag: ' || case when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then '0' else coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp())::text, 'unknown') end || ' s' || case when pg_is_wal_replay_paused() then ' (replay paused)' else '' end" || true
  else
    echo "replica: stopped"; rc=1
  fi
  return $rc
}

case "$cmd" in
  start)
    [ -f "$primary_dir/PG_VERSION" ] || init_primary
    start_server "$primary_dir" primary
    [ -f "$replica_dir/PG_VERSION" ] || init_replica
    start_server "$replica_dir" replica
    wait_streaming
    ;;
  stop)
    stop_server "$replica_dir" replica
    stop_server "$primary_dir" primary
    ;;
  start-replica)
    start_server "$replica_dir" replica
    wait_streaming
    ;;
  stop-replica)
    stop_server "$replica_dir" replica
    ;;
  promote)
    as_pg "$bindir/pg_ctl" -D "$replica_dir" -w promote
    ;;
  status)
    status
    ;;
  destroy)
    stop_server "$replica_dir" replica
    stop_server "$primary_dir" primary
    rm -rf "$data_dir"
    echo "pg-replica: removed $data_dir"
    ;;
  *)
    usage
    ;;
esac
