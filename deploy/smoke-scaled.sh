#!/usr/bin/env bash
# The scaled stack end to end on one machine (as root, with a running Docker engine): every image
# built FROM the base image, docker-compose.yml + docker-compose.scaled.yml up, every service
# healthy, then through the proxy a contestant's login and a whole quiz attempt, the replica
# streaming (pg_stat_replication on the primary, pg_is_in_recovery() on the replica, the attempt
# there), one web node stopped (every request still answered), the replica stopped (/stats/ still
# answers), then `down` (SMOKE_CLEAN=1: with the volumes). Prints the figures it measured.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .env ] || cp .env.example .env
grep -q '^POSTGRES_REPLICATION_PASSWORD=.' .env || echo "POSTGRES_REPLICATION_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')" >>.env
export COMPOSE_FILE=docker-compose.yml:docker-compose.scaled.yml COMPOSE_PROFILES=pooled
export BASE_IMAGE="${BASE_IMAGE:-contest-base:bookworm}"
docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || BASE_IMAGE="$BASE_IMAGE" deploy/base-image.sh
compose=(docker compose)
"${compose[@]}" version >/dev/null 2>&1 || compose=(docker-compose)
port="$(grep -E '^HTTPS_PORT=' .env | tail -n1 | cut -d= -f2)"; port="${HTTPS_PORT:-${port:-443}}"
base="https://localhost:$port"
now() { date +%s.%N; }
since() { printf '%.1f' "$(echo "$(now) - $1" | bc)"; }

"${compose[@]}" build
t0="$(now)"
"${compose[@]}" up -d
trap '"${compose[@]}" down ${SMOKE_CLEAN:+--volumes} >/dev/null 2>&1 || true' EXIT
services="proxy web web2 web3 worker-notifications worker-exports worker-housekeeping beat pgbouncer db db-replica redis cache"
for _ in $(seq 1 90); do
  unhealthy=""
  for s in $services; do
    id="$("${compose[@]}" ps -q "$s")"
    state="$(docker inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id" 2>/dev/null || echo missing)"
    case "$state" in running/healthy|running/none) ;; *) unhealthy="$unhealthy $s=$state" ;; esac
  done
  [ -z "$unhealthy" ] && break
  sleep 5
done
[ -z "$unhealthy" ] || { echo "not healthy:$unhealthy"; "${compose[@]}" ps; exit 1; }
echo "every service up and healthy $(since "$t0") s after up"

python3 deploy/smoke_scaled.py "$base"

psql_db() { "${compose[@]}" exec -T "$1" psql -U contest -d contest -Atc "$2"; }
echo "primary pg_stat_replication: $(psql_db db "select application_name, state, sync_state, coalesce(replay_lag::text, '0') from pg_stat_replication")"
[ "$(psql_db db "select count(*) from pg_stat_replication where state = 'streaming'")" = 1 ]
[ "$(psql_db db-replica "select pg_is_in_recovery()")" = t ]
primary="$(psql_db db "select count(*) from quiz_attempt")"
for _ in $(seq 1 20); do
  [ "$(psql_db db-replica "select count(*) from quiz_attempt")" = "$primary" ] && break; sleep 0.5
done
[ "$(psql_db db-replica "select count(*) from quiz_attempt")" = "$primary" ] || { echo "the attempt did not reach the replica"; exit 1; }
echo "replica in recovery, streaming, $primary attempts on both; WAL not yet replayed: $(psql_db db "select pg_wal_lsn_diff(sent_lsn, replay_lsn) from pg_stat_replication") bytes"

# The same results as one node: every score, place and figure recomputed from the stored answers
# and the sealed keys (verify_results reads through the replica: contest_site/db_router.py).
t="$(now)"
"${compose[@]}" exec -T web deploy/app-entrypoint.sh python manage.py verify_results | tail -n 1  # the entrypoint reads the secrets
echo "verify_results: every result matches ($(since "$t") s)"
# The connection budget as it stands: the application's connections on the primary all come from
# PgBouncer (capped by PGBOUNCER_MAX_DB_CONNECTIONS), its clients are the web threads and workers.
echo "connections to the primary: $(psql_db db "select coalesce(string_agg(usename || ' ' || n, ', '), 'none') from (select usename, count(*) n from pg_stat_activity where backend_type = 'client backend' group by usename) c")"
echo "connections to the replica: $(psql_db db-replica "select coalesce(string_agg(usename || ' ' || n, ', '), 'none') from (select usename, count(*) n from pg_stat_activity where backend_type = 'client backend' group by usename) c")"

# Any failed request counts: the proxy must keep answering with one node down.
probe() {  # probe PATH COUNT → "ok/total max_ms slow" (slow: over 500 ms)
  local ok=0 worst=0 slow=0 code ms
  for _ in $(seq 1 "$2"); do
    read -r code ms < <(curl -sk -o /dev/null -w '%{http_code} %{time_total}\n' "$base$1")
    [ "$code" = 200 ] && ok=$((ok + 1))
    ms="$(printf '%.0f' "$(echo "$ms * 1000" | bc)")"; [ "$ms" -gt "$worst" ] && worst="$ms"
    [ "$ms" -gt 500 ] && slow=$((slow + 1))
  done
  echo "$ok/$2 max ${worst}ms, $slow over 500 ms"
}
t="$(now)"; "${compose[@]}" stop web2 >/dev/null; echo "web2 stopped in $(since "$t") s"
result="$(probe /accounts/login/ 60)"; echo "web2 down: /accounts/login/ $result"
[ "${result%%/*}" = 60 ] || { echo "requests failed with a web node down"; exit 1; }
"${compose[@]}" start web2 >/dev/null

t="$(now)"; "${compose[@]}" stop db-replica >/dev/null; echo "replica stopped in $(since "$t") s"
result="$(probe /stats/ 20)"; echo "replica down: /stats/ $result"
[ "${result%%/*}" = 20 ] || { echo "/stats/ failed with the replica down"; exit 1; }
"${compose[@]}" start db-replica >/dev/null
# What the router said (contest_site/db_router.py: "Read replica …" when it falls back or returns).
"${compose[@]}" logs --no-color web web2 web3 2>/dev/null | grep -o '"message": "Read replica[^"]*"' | sort | uniq -c || true
if "${compose[@]}" logs proxy web web2 web3 2>/dev/null | grep -E "csrfmiddlewaretoken|sessionid=|password=" ; then
  echo "a secret reached a log"; exit 1
fi
echo "scaled smoke: 3 web nodes, PgBouncer, streaming replica, per-queue workers — OK"
