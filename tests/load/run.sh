#!/usr/bin/env bash
# make loadtest: gunicorn + a Celery worker on PostgreSQL and Redis, then locust. Traffic goes
# to 127.0.0.1 only. LOADTEST_SCENARIO (docs/performance.md):
#   capacity   LOADTEST_USERS (32) signed-in contestants take attempts back to back, no pause
#   concurrent LOADTEST_USERS (1000) signed-in contestants answer one question every ~LOADTEST_THINK (3) s
#   rush       LOADTEST_USERS (500) signed-in contestants each start one attempt, all within 10 s
#   logins     LOADTEST_USERS (300) contestants sign in through the login form within 60 s
#   two_nodes  capacity through nginx (Debian's package) in front of two gunicorn nodes, round
#              robin: a contestant's requests alternate between the nodes (LOADTEST_NODES=2 runs
#              any other scenario that way)
#   faults     concurrent (LOADTEST_USERS 200, 100 s) against a Redis and a PostgreSQL cluster of
#              its own (ports LOADTEST_REDIS_PORT 6390, LOADTEST_PG_PORT 5440, in a temporary
#              directory): Redis is restarted at 25 s, the Celery worker killed (-9) and restarted
#              at 50 s, PostgreSQL restarted at 75 s; prints how long each fault interrupted service
#              (/readyz/). LOADTEST_REDIS_DOWN (1) seconds between Redis's shutdown and its start
#              (the later faults move by as much: raise LOADTEST_TIME with it)
# Prints p50/p95/p99 per request type, errors, whole attempts per second, lost answers (answers
# the server acknowledged that are not in the database afterwards), attempts scored other than
# exactly once, and the CPU of the web workers and of the database per whole attempt.
# LOADTEST_STEADY=1 resets the request figures once every contestant has arrived (locust's
# --reset-stats): the steady state, without the arrivals; lost answers are still counted over the whole run.
# LOADTEST_PROFILE=FILE also records a py-spy profile of every gunicorn worker (collapsed stacks,
# samples of the thread holding the GIL: CPU, not waiting) into FILE.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="${LOADTEST_BIN:-.venv/bin}"
LOCUST="${LOADTEST_LOCUST:-$BIN/locust}"
scenario="${LOADTEST_SCENARIO:-capacity}"
nodes="${LOADTEST_NODES:-1}"
traffic="$scenario"
case "$scenario" in
  capacity)   users="${LOADTEST_USERS:-32}";   time="${LOADTEST_TIME:-60s}"; rate="$users" ;;
  concurrent) users="${LOADTEST_USERS:-1000}"; time="${LOADTEST_TIME:-3m}";  rate=$(( (users + 19) / 20 )) ;;
  rush)       users="${LOADTEST_USERS:-500}";  time="${LOADTEST_TIME:-30s}"; rate=$(( (users + 9) / 10 )) ;;
  logins)     users="${LOADTEST_USERS:-300}";  time="${LOADTEST_TIME:-70s}"; rate=$(( (users + 59) / 60 )) ;;
  two_nodes)  users="${LOADTEST_USERS:-32}";   time="${LOADTEST_TIME:-60s}"; rate="$users"; traffic=capacity; nodes=2 ;;
  faults)     users="${LOADTEST_USERS:-200}";  time="${LOADTEST_TIME:-100s}"; rate=$(( (users + 9) / 10 )); traffic=concurrent ;;
  *) echo "LOADTEST_SCENARIO must be capacity, concurrent, rush, logins, two_nodes or faults" >&2; exit 2 ;;
esac
port="${LOADTEST_PORT:-8001}"
logs=$(mktemp -d)
chmod 755 "$logs"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$logs/worker.pid" ] && kill "$(cat "$logs/worker.pid")" 2>/dev/null || true
  if [ -n "${pgdata:-}" ]; then su postgres -s /bin/sh -c "pg_ctl -D '$pgdata' -m immediate stop" >/dev/null 2>&1 || true; fi
  if [ -n "${redis_port:-}" ]; then redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

export DATABASE_URL="${LOADTEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/loadtest}"
export REDIS_URL="${LOADTEST_REDIS_URL:-redis://127.0.0.1:6379/9}"
if [ "$scenario" = faults ]; then
  # A Redis and a PostgreSQL of the test's own: restarting them disturbs nobody else.
  redis_port="${LOADTEST_REDIS_PORT:-6390}"
  pg_port="${LOADTEST_PG_PORT:-5440}"
  pgbin=$(dirname "$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb | tail -n1)")
  start_redis() { redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
                    --logfile "$logs/redis.log" >/dev/null; }  # fmt: skip
  start_redis
  pgdata="$logs/pg"
  install -d -o postgres -m 700 "$pgdata"
  su postgres -s /bin/sh -c "'$pgbin/initdb' -D '$pgdata' -A trust -U postgres >/dev/null"
  su postgres -s /bin/sh -c "'$pgbin/pg_ctl' -D '$pgdata' -l '$pgdata/log' -w -o \"-p $pg_port -k $pgdata -c listen_addresses=127.0.0.1 -c max_connections=200\" start" >/dev/null
  export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/loadtest" REDIS_URL="redis://127.0.0.1:$redis_port/0"
fi
export DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_CACHE_PREFIX=loadtest DJANGO_LOG_LEVEL=WARNING
export DJANGO_SECRET_KEY="loadtest-only-$(head -c 24 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9')-0123456789"
export GUNICORN_ACCESSLOG=""  # the access log costs a lock and a write per request; nginx keeps one
psql "${DATABASE_URL%/*}/postgres" -qc "create database ${DATABASE_URL##*/}" 2>/dev/null || true
$BIN/python manage.py migrate --noinput -v0
$BIN/python manage.py collectstatic --noinput -v0
round=$($BIN/python manage.py prepare_loadtest --users "$users" | tail -n1)
sessions=""
if [ "$traffic" != logins ]; then
  sessions="$logs/sessions.json"
  $BIN/python tests/load/sessions.py "$users" >"$sessions"
else
  # Sign everyone out first, so that each login is a real one (and hashes are upgraded once).
  $BIN/python manage.py shell -c "from django.contrib.sessions.models import Session; Session.objects.all().delete(); from django.core.cache import cache; cache.clear()"
fi
start_worker() {
  $BIN/celery -A contest_site worker -l warning --concurrency 1 >>"$logs/worker.log" 2>&1 &
  echo $! >"$logs/worker.pid"
}
start_worker
# One node: gunicorn on $port. Two: gunicorn on $port+1 and $port+2, nginx on $port.
masters=()
if [ "$nodes" -ge 2 ]; then node_ports=$(seq $((port + 1)) $((port + nodes))); else node_ports=$port; fi
for p in $node_ports; do
  $BIN/gunicorn -c contest_site/gunicorn.conf.py --bind "127.0.0.1:$p" contest_site.wsgi:application >"$logs/gunicorn-$p.log" 2>&1 &
  masters+=($!); pids+=($!)
done
if [ "$nodes" -ge 2 ]; then
  mkdir -p "$logs/nginx" && chmod 777 "$logs/nginx"
  set -- $node_ports
  sed -e "s|@PREFIX@|$logs/nginx|g" -e "s|@PORT@|$port|g" -e "s|@NODE1@|$1|g" -e "s|@NODE2@|$2|g" \
    tests/load/nginx.conf >"$logs/nginx/nginx.conf"
  nginx -p "$logs/nginx" -c "$logs/nginx/nginx.conf" &
  nginx_pid=$!; pids+=($!)
fi
for _ in $(seq 1 30); do curl -fs -o /dev/null -H "Host: 127.0.0.1" "http://127.0.0.1:$port/healthz/" && break; sleep 1; done
if [ -n "${LOADTEST_PROFILE:-}" ]; then
  spy="$( [ -x "$BIN/py-spy" ] && echo "$BIN/py-spy" || echo py-spy)"
  "$spy" record --subprocesses --gil --pid "${masters[0]}" --format raw --rate 100 --nonblocking -o "$LOADTEST_PROFILE" >/dev/null 2>&1 &
  profiler=$!
fi
if [ "$scenario" = faults ]; then
  $BIN/python tests/load/probe.py watch "http://127.0.0.1:$port/readyz/" "$logs/probe.log" &
  pids+=($!)
  (
    sleep 25; echo "$(date +%s.%N) redis-restart" >>"$logs/faults.log"
    redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true; sleep "${LOADTEST_REDIS_DOWN:-1}"; start_redis
    sleep 24; echo "$(date +%s.%N) celery-worker-kill-9" >>"$logs/faults.log"
    kill -9 "$(cat "$logs/worker.pid")" 2>/dev/null || true; sleep 1; start_worker
    sleep 24; echo "$(date +%s.%N) postgresql-restart" >>"$logs/faults.log"
    su postgres -s /bin/sh -c "'$pgbin/pg_ctl' -D '$pgdata' -m fast -w restart -o \"-p $pg_port -k $pgdata -c listen_addresses=127.0.0.1 -c max_connections=200\"" >/dev/null 2>&1
  ) &
  pids+=($!)
fi
LOADTEST_SCENARIO=$traffic LOADTEST_LABEL="$scenario${LOADTEST_NODES:+ ($nodes nodes)}" LOADTEST_ROUND=$round LOADTEST_USERS=$users \
  LOADTEST_SESSIONS=$sessions LOADTEST_ACKS="$logs/acks.json" $LOCUST -f tests/load/locustfile.py --headless \
  -u "$users" -r "$rate" -t "$time" ${LOADTEST_STEADY:+--reset-stats} --host "http://127.0.0.1:$port" --only-summary \
  --loglevel WARNING 2>"$logs/locust.log" | \
  sed -n '/^== /,$p' || true  # locust exits non-zero when any request failed: the checks below still run
if [ -n "${LOADTEST_PROFILE:-}" ]; then kill -INT "$profiler" 2>/dev/null || true; wait "$profiler" 2>/dev/null || true; fi
if [ "$scenario" = faults ]; then $BIN/python tests/load/probe.py report "$logs/faults.log" "$logs/probe.log"; fi
access_log=""
if [ "$nodes" -ge 2 ]; then kill -QUIT "$nginx_pid" 2>/dev/null || true; sleep 1; access_log="$logs/nginx/access.log"; fi
$BIN/python tests/load/check.py "$logs/acks.json" "$(IFS=,; echo "${masters[*]}")" $access_log
echo "logs: $logs"
