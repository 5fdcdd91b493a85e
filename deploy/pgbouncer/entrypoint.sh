#!/bin/bash
# PgBouncer's configuration from the environment, written at every start (nothing kept in the image):
# one database, the application role authenticated with SCRAM (the password in the auth file, which
# PgBouncer also uses to log in to PostgreSQL), transaction pooling. Arguments go to pgbouncer.
set -euo pipefail
: "${POSTGRES_APP_PASSWORD:?set POSTGRES_APP_PASSWORD}"
role="${DATABASE_APP_ROLE:-contest_app}"
dir="${PGBOUNCER_CONFIG_DIR:-/etc/pgbouncer}"
umask 077
# The auth file's format: "name" "password", a double quote inside doubled.
q='"'
printf '"%s" "%s"\n' "${role//$q/$q$q}" "${POSTGRES_APP_PASSWORD//$q/$q$q}" >"$dir/userlist.txt"
chmod 600 "$dir/userlist.txt"
cat >"$dir/pgbouncer.ini" <<INI
[databases]
${PGBOUNCER_DATABASE:-contest} = host=${PGBOUNCER_SERVER_HOST:-db} port=${PGBOUNCER_SERVER_PORT:-5432} dbname=${PGBOUNCER_DATABASE:-contest}

[pgbouncer]
listen_addr = ${PGBOUNCER_LISTEN_ADDR:-0.0.0.0}
listen_port = ${PGBOUNCER_PORT:-5432}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
; A server connection serves one client for one transaction: nothing of a session survives it
; (the application only uses transaction-local settings; QuerySet.iterator() needs
; DJANGO_DISABLE_SERVER_SIDE_CURSORS=1 on the clients).
pool_mode = transaction
; Server connections per database and role: the application's share of max_connections.
default_pool_size = ${PGBOUNCER_POOL_SIZE:-20}
reserve_pool_size = ${PGBOUNCER_RESERVE_POOL_SIZE:-5}
reserve_pool_timeout = 3
max_db_connections = ${PGBOUNCER_MAX_DB_CONNECTIONS:-30}
; Client connections: every web thread, Celery process and beat of every node.
max_client_conn = ${PGBOUNCER_MAX_CLIENT_CONN:-1000}
; A client waiting longer than this for a server connection gets an error, not an endless wait.
query_wait_timeout = ${PGBOUNCER_QUERY_WAIT_TIMEOUT:-30}
; After a refused login (the primary restarting) try again in 1 s, not the default 15 s: the
; load runs measured a 1-2 s interruption with this.
server_login_retry = ${PGBOUNCER_SERVER_LOGIN_RETRY:-1}
server_idle_timeout = 600
server_lifetime = 3600
ignore_startup_parameters = extra_float_digits
log_connections = 0
log_disconnections = 0
stats_period = 60
INI
exec pgbouncer "$@" "$dir/pgbouncer.ini"
