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
#   faults     concurrent (LOADTEST_USERS 200) against a Redis and a PostgreSQL cluster of its own
#              (ports LOADTEST_REDIS_PORT 6390, LOADTEST_PG_PORT 5440, in a temporary directory):
#              at 25 s Redis is stopped for LOADTEST_REDIS_DOWN (60) s; 15 s after it is back the
#              notifications' Celery worker (-Q LOADTEST_WORKER_QUEUES, default notifications; another
#              worker takes the other queues) is killed (-9) and kept down LOADTEST_WORKER_DOWN (60) s, while a new
#              round opens and is announced to every contestant (e-mail and SMS: Notification rows,
#              tasks on the broker); 15 s after the worker is back PostgreSQL is restarted. The run
#              lasts until 20 s after that (LOADTEST_TIME overrides). Prints how long each fault
#              interrupted service (/readyz/), the contestants' failed requests under each fault,
#              and the notifications by state once the queue drained (rows whose task failed are
#              queued again as the beat's requeue_stale_notifications does, then counted again).
#   pooled     concurrent (LOADTEST_USERS 200, 90 s) with the site and the worker through a
#              PgBouncer in transaction mode (LOADTEST_PGBOUNCER_PORT 6433, pool
#              LOADTEST_POOL_SIZE 20) and DJANGO_DISABLE_SERVER_SIDE_CURSORS=1; at a third of the
#              run the secretariat asks for the streamed attempts export, which a worker builds
#              through the same pooler; the workbook is downloaded and its rows counted
#              (LOADTEST_POOLED=1 runs any other scenario through the pooler)
#   scaled     concurrent (LOADTEST_USERS 200, 150 s) through nginx in front of LOADTEST_NODES (3)
#              gunicorn nodes (LOADTEST_WORKERS (1) processes each), PgBouncer in front of a
#              primary of its own, a streaming replica (scripts/pg-replica.sh, port
#              LOADTEST_REPLICA_PORT 5441) for the reports, and a Redis of its own. At 30 s one
#              node is killed (SIGKILL to its process group), at 60 s the primary is restarted
#              behind PgBouncer, at 90 s the replica is stopped. Prints the interruption of
#              /readyz/ and, as the secretariat, of /stats/ and /reports/ (their replica falls
#              back to the primary)
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
own=""      # a Redis and a PostgreSQL cluster of the run's own (faults, scaled)
pooled="${LOADTEST_POOLED:-}"  # the site and the worker through PgBouncer in transaction mode (pooled, scaled)
replica=""  # a streaming replica of the own cluster (scaled)
redis_down="${LOADTEST_REDIS_DOWN:-60}"
worker_down="${LOADTEST_WORKER_DOWN:-60}"
case "$scenario" in
  capacity)   users="${LOADTEST_USERS:-32}";   time="${LOADTEST_TIME:-60s}"; rate="$users" ;;
  concurrent) users="${LOADTEST_USERS:-1000}"; time="${LOADTEST_TIME:-3m}";  rate=$(( (users + 19) / 20 )) ;;
  rush)       users="${LOADTEST_USERS:-500}";  time="${LOADTEST_TIME:-30s}"; rate=$(( (users + 9) / 10 )) ;;
  logins)     users="${LOADTEST_USERS:-300}";  time="${LOADTEST_TIME:-70s}"; rate=$(( (users + 59) / 60 )) ;;
  two_nodes)  users="${LOADTEST_USERS:-32}";   time="${LOADTEST_TIME:-60s}"; rate="$users"; traffic=capacity; nodes=2 ;;
  faults)     users="${LOADTEST_USERS:-200}";  time="${LOADTEST_TIME:-$(( 25 + redis_down + 15 + worker_down + 15 + 20 ))s}"
              rate=$(( (users + 9) / 10 )); traffic=concurrent; own=1 ;;
  pooled)     users="${LOADTEST_USERS:-200}";  time="${LOADTEST_TIME:-90s}"; rate=$(( (users + 9) / 10 )); traffic=concurrent; pooled=1 ;;
  scaled)     users="${LOADTEST_USERS:-200}";  time="${LOADTEST_TIME:-150s}"; rate=$(( (users + 9) / 10 )); traffic=concurrent
              nodes="${LOADTEST_NODES:-3}"; own=1; pooled=1; replica=1 ;;
  *) echo "LOADTEST_SCENARIO must be capacity, concurrent, rush, logins, two_nodes, faults, pooled or scaled" >&2; exit 2 ;;
esac
port="${LOADTEST_PORT:-8001}"
logs=$(mktemp -d)
chmod 755 "$logs"
pids=()
masters=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${masters[@]}"; do kill "$pid" 2>/dev/null || true; done
  for f in "$logs"/worker*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  [ -n "${pgbouncer_pid:-}" ] && kill "$pgbouncer_pid" 2>/dev/null || true
  if [ -n "$replica" ] && [ -n "${replica_port:-}" ]; then bash scripts/pg-replica.sh stop "$logs/pgpair" "$pg_port" "$replica_port" >/dev/null 2>&1 || true; fi
  if [ -n "${pgdata:-}" ] && [ -z "$replica" ]; then su postgres -s /bin/sh -c "'$pgbin/pg_ctl' -D '$pgdata' -m immediate stop" >/dev/null 2>&1 || true; fi
  if [ -n "${redis_port:-}" ]; then redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

export DATABASE_URL="${LOADTEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/loadtest}"
export REDIS_URL="${LOADTEST_REDIS_URL:-redis://127.0.0.1:6379/9}"
if [ -n "$own" ]; then
  # A Redis and a PostgreSQL of the test's own: restarting them disturbs nobody else.
  redis_port="${LOADTEST_REDIS_PORT:-6390}"
  pg_port="${LOADTEST_PG_PORT:-5440}"
  pgbin=$(dirname "$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb | tail -n1)")
  start_redis() { redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
                    --logfile "$logs/redis.log" >/dev/null; }  # fmt: skip
  start_redis
  if [ -n "$replica" ]; then
    # A primary and a streaming replica (scripts/pg-replica.sh: initdb, then a base backup of the
    # primary); the replica serves the reports, exports and /stats/ (contest_site/db_router.py).
    replica_port="${LOADTEST_REPLICA_PORT:-5441}"
    bash scripts/pg-replica.sh start "$logs/pgpair" "$pg_port" "$replica_port" >"$logs/replica.log" 2>&1
    pgdata="$logs/pgpair/primary"; pgopts=""
  else
    pgdata="$logs/pg"
    pgopts="-p $pg_port -k $pgdata -c listen_addresses=127.0.0.1 -c max_connections=200"
    install -d -o postgres -m 700 "$pgdata"
    su postgres -s /bin/sh -c "'$pgbin/initdb' -D '$pgdata' -A trust -U postgres >/dev/null"
    su postgres -s /bin/sh -c "'$pgbin/pg_ctl' -D '$pgdata' -l '$pgdata/log' -w -o \"$pgopts\" start" >/dev/null
  fi
  export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/loadtest" REDIS_URL="redis://127.0.0.1:$redis_port/0"
fi
direct_url="$DATABASE_URL"
export DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_CACHE_PREFIX=loadtest DJANGO_LOG_LEVEL=WARNING
export DJANGO_SECRET_KEY="loadtest-only-$(head -c 24 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9')-0123456789"
export GUNICORN_ACCESSLOG=""  # the access log costs a lock and a write per request; nginx keeps one
[ -n "${LOADTEST_WORKERS:-}" ] && export GUNICORN_WORKERS="$LOADTEST_WORKERS"
[ "$scenario" = scaled ] && export GUNICORN_WORKERS="${LOADTEST_WORKERS:-1}"  # 3 nodes on a small machine
psql "${DATABASE_URL%/*}/postgres" -qc "create database ${DATABASE_URL##*/}" 2>/dev/null || true
$BIN/python manage.py migrate --noinput -v0
$BIN/python manage.py collectstatic --noinput -v0
round=$($BIN/python manage.py prepare_loadtest --users "$users" | tail -n1)
if [ -n "$replica" ]; then export DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:$replica_port/${DATABASE_URL##*/}"; fi
if [ -n "$pooled" ]; then
  # PgBouncer in transaction mode between every client (nodes, worker, scripts) and the server:
  # a server connection is lent for one transaction, so a server-side cursor cannot outlive it.
  pgb_port="${LOADTEST_PGBOUNCER_PORT:-6433}"
  # The configuration of the tests' PgBouncer (tests/pgbouncer.py; server_login_retry 1 s, as
  # deploy/pgbouncer's), here with a pool of LOADTEST_POOL_SIZE and 1,000 clients.
  ini="$($BIN/python -m tests.pgbouncer "$logs/pgbouncer" "$pgb_port" "${LOADTEST_POOL_SIZE:-20}")"
  pgbouncer_cmd=(pgbouncer)
  [ "$(id -u)" = 0 ] && pgbouncer_cmd+=(-u nobody)  # it refuses to run as root
  "${pgbouncer_cmd[@]}" "$ini" >/dev/null 2>&1 &
  pgbouncer_pid=$!
  for _ in $(seq 1 50); do (echo >"/dev/tcp/127.0.0.1/$pgb_port") 2>/dev/null && break; sleep 0.1; done
  export DATABASE_URL="${DATABASE_URL%%@*}@127.0.0.1:$pgb_port/${DATABASE_URL##*/}" DJANGO_DISABLE_SERVER_SIDE_CURSORS=1
fi
sessions=""
if [ "$traffic" != logins ]; then
  sessions="$logs/sessions.json"
  $BIN/python tests/load/sessions.py "$users" >"$sessions"
else
  # Sign everyone out first, so that each login is a real one (and hashes are upgraded once).
  $BIN/python manage.py shell -c "from django.contrib.sessions.models import Session; Session.objects.all().delete(); from django.core.cache import cache; cache.clear()"
fi
staff=""
if [ "$scenario" = pooled ] || [ "$scenario" = scaled ]; then staff=$($BIN/python tests/load/staff.py | tail -n1); fi
if [ "$scenario" = faults ]; then
  export SMS_BACKEND=contests.sms.ConsoleBackend DJANGO_EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
  $BIN/python tests/load/notify.py prepare "$users" >/dev/null
fi
# A worker for every queue. In faults, the notifications' own worker (the one stopped; the queues
# LOADTEST_WORKER_QUEUES names, "" for a single worker of every queue) and one for the rest.
start_worker() {  # NAME [QUEUES]
  $BIN/celery -A contest_site worker -n "$1@%h" -l warning --concurrency 1 ${2:+-Q "$2"} >>"$logs/$1.log" 2>&1 &
  echo $! >"$logs/$1.pid"
}
fault_queues=""
[ "$scenario" = faults ] && fault_queues="${LOADTEST_WORKER_QUEUES-notifications}"
start_worker worker "$fault_queues"
if [ -n "$fault_queues" ]; then start_worker worker-rest "${LOADTEST_OTHER_QUEUES:-exports,analysis,housekeeping,celery}"; fi
# One node: gunicorn on $port. N nodes: gunicorn on $port+1 … $port+N, nginx on $port. Each node
# leads a process group of its own, so that killing it kills its workers too.
if [ "$nodes" -ge 2 ]; then node_ports=$(seq $((port + 1)) $((port + nodes))); else node_ports=$port; fi
for p in $node_ports; do
  setsid $BIN/gunicorn -c contest_site/gunicorn.conf.py --bind "127.0.0.1:$p" contest_site.wsgi:application >"$logs/gunicorn-$p.log" 2>&1 &
  masters+=($!)
done
if [ "$nodes" -ge 2 ]; then
  mkdir -p "$logs/nginx" && chmod 777 "$logs/nginx"
  servers=""
  for p in $node_ports; do servers="$servers        server 127.0.0.1:$p;\n"; done
  sed -e "s|@PREFIX@|$logs/nginx|g" -e "s|@PORT@|$port|g" -e "s|^ *@SERVERS@$|$servers|" \
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
fault() { echo "$(date +%s.%N) $1" >>"$logs/faults.log"; }
restart_primary() {
  su postgres -s /bin/sh -c "'$pgbin/pg_ctl' -D '$pgdata' -m fast -w restart ${pgopts:+-o \"$pgopts\"}" >/dev/null 2>&1
}
if [ -n "$own" ]; then
  $BIN/python tests/load/probe.py watch "http://127.0.0.1:$port/readyz/" "$logs/probe.log" &
  pids+=($!)
fi
if [ "$scenario" = faults ]; then
  (
    sleep 25; fault redis-stopped
    redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true; sleep "$redis_down"; start_redis
    sleep 15; fault celery-worker-kill-9
    kill -9 "$(cat "$logs/worker.pid")" 2>/dev/null || true
    sleep 5; $BIN/python tests/load/notify.py open >>"$logs/notify.log" 2>&1 || echo "opening the round failed" >>"$logs/notify.log"
    sleep $(( worker_down > 5 ? worker_down - 5 : 0 )); start_worker worker "$fault_queues"; echo "$(date +%H:%M:%S) worker started" >>"$logs/notify.log"
    sleep 15; fault postgresql-restart
    restart_primary
  ) &
  pids+=($!)
fi
if [ "$scenario" = pooled ]; then
  (sleep "${LOADTEST_EXPORT_AT:-30}"; $BIN/python tests/load/export.py "http://127.0.0.1:$port" "$staff" >"$logs/export.log" 2>&1 || true) &
  export_pid=$!
fi
if [ "$scenario" = scaled ]; then
  # The secretariat's pages read the replica: they must keep answering when it stops.
  $BIN/python tests/load/probe.py watch "http://127.0.0.1:$port/stats/" "$logs/probe-stats.log" "$staff" &
  pids+=($!)
  $BIN/python tests/load/probe.py watch "http://127.0.0.1:$port/reports/" "$logs/probe-reports.log" "$staff" &
  pids+=($!)
  # LOADTEST_FAULTS=0: the same stack without faults (the concurrent load through it, 0 errors).
  [ "${LOADTEST_FAULTS:-1}" != 0 ] && (
    sleep 30; fault "web-node-$(( port + nodes ))-killed-9"
    kill -9 -- "-${masters[$(( nodes - 1 ))]}" 2>/dev/null || true
    sleep 30; fault primary-restart-behind-pgbouncer
    restart_primary
    sleep 30; fault replica-stopped
    bash scripts/pg-replica.sh stop-replica "$logs/pgpair" "$pg_port" "$replica_port" >>"$logs/replica.log" 2>&1 || true
  ) &
  pids+=($!)
fi
LOADTEST_SCENARIO=$traffic LOADTEST_LABEL="$scenario$( [ "$nodes" -ge 2 ] && echo " ($nodes nodes)")" LOADTEST_ROUND=$round LOADTEST_USERS=$users \
  LOADTEST_SESSIONS=$sessions LOADTEST_ACKS="$logs/acks.json" $LOCUST -f tests/load/locustfile.py --headless \
  -u "$users" -r "$rate" -t "$time" ${LOADTEST_STEADY:+--reset-stats} --host "http://127.0.0.1:$port" --only-summary \
  --loglevel WARNING 2>"$logs/locust.log" | \
  sed -n '/^== /,$p' || true  # locust exits non-zero when any request failed: the checks below still run
if [ -n "${LOADTEST_PROFILE:-}" ]; then kill -INT "$profiler" 2>/dev/null || true; wait "$profiler" 2>/dev/null || true; fi
status=0
if [ -n "$own" ]; then
  echo "probe /readyz/:"; $BIN/python tests/load/probe.py report "$logs/faults.log" "$logs/probe.log" "$logs/acks.json"
fi
if [ "$scenario" = scaled ]; then
  for page in stats reports; do
    echo "probe /$page/ as the secretariat:"; $BIN/python tests/load/probe.py report "$logs/faults.log" "$logs/probe-$page.log"
  done
  sed 's/^/  /' "$logs/replica.log"
fi
if [ "$scenario" = pooled ]; then
  wait "$export_pid" 2>/dev/null || true
  cat "$logs/export.log"
  grep -q '^export: done' "$logs/export.log" || status=1
fi
if [ "$scenario" = faults ]; then
  cat "$logs/notify.log"
  $BIN/python tests/load/notify.py count "${LOADTEST_NOTIFY_WAIT:-120}" || status=1
fi
access_log=""
if [ "$nodes" -ge 2 ]; then kill -QUIT "$nginx_pid" 2>/dev/null || true; sleep 1; access_log="$logs/nginx/access.log"; fi
live=()
for pid in "${masters[@]}"; do kill -0 "$pid" 2>/dev/null && live+=("$pid"); done
# The checks read the primary directly (not the pooler, not the replica).
DATABASE_URL="$direct_url" DATABASE_REPLICA_URL="" DJANGO_DISABLE_SERVER_SIDE_CURSORS=0 \
  $BIN/python tests/load/check.py "$logs/acks.json" "$(IFS=,; echo "${live[*]}")" $access_log || status=1
echo "logs: $logs"
exit $status
