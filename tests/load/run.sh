#!/usr/bin/env bash
# make loadtest: gunicorn + a Celery worker on PostgreSQL and Redis of this machine, then locust.
# Traffic goes to 127.0.0.1 only. LOADTEST_SCENARIO (docs/performance.md):
#   capacity   LOADTEST_USERS (32) signed-in contestants take attempts back to back, no pause
#   concurrent LOADTEST_USERS (1000) signed-in contestants answer one question every ~LOADTEST_THINK (3) s
#   rush       LOADTEST_USERS (500) signed-in contestants each start one attempt, all within 10 s
#   logins     LOADTEST_USERS (300) contestants sign in through the login form within 60 s
# Two web nodes behind nginx and the fault mode are not here yet.
# Prints p50/p95/p99 per request type, errors, whole attempts per second, lost answers (answers
# the server acknowledged that are not in the database afterwards) and the CPU of the web
# workers and of the database per whole attempt. LOADTEST_PROFILE=FILE also records a py-spy
# profile of every gunicorn worker (collapsed stacks) into FILE.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="${LOADTEST_BIN:-.venv/bin}"
LOCUST="${LOADTEST_LOCUST:-$BIN/locust}"
scenario="${LOADTEST_SCENARIO:-capacity}"
case "$scenario" in
  capacity)   users="${LOADTEST_USERS:-32}";   time="${LOADTEST_TIME:-60s}"; rate="$users" ;;
  concurrent) users="${LOADTEST_USERS:-1000}"; time="${LOADTEST_TIME:-3m}";  rate=$(( (users + 19) / 20 )) ;;
  rush)       users="${LOADTEST_USERS:-500}";  time="${LOADTEST_TIME:-30s}"; rate=$(( (users + 9) / 10 )) ;;
  logins)     users="${LOADTEST_USERS:-300}";  time="${LOADTEST_TIME:-70s}"; rate=$(( (users + 59) / 60 )) ;;
  *) echo "LOADTEST_SCENARIO must be capacity, concurrent, rush or logins" >&2; exit 2 ;;
esac
export DATABASE_URL="${LOADTEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/loadtest}"
export REDIS_URL="${LOADTEST_REDIS_URL:-redis://127.0.0.1:6379/9}"
export DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_CACHE_PREFIX=loadtest DJANGO_LOG_LEVEL=WARNING
export DJANGO_SECRET_KEY="loadtest-only-$(head -c 24 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9')-0123456789"
psql "${DATABASE_URL%/*}/postgres" -qc "create database ${DATABASE_URL##*/}" 2>/dev/null || true
$BIN/python manage.py migrate --noinput -v0
$BIN/python manage.py collectstatic --noinput -v0
round=$($BIN/python manage.py prepare_loadtest --users "$users" | tail -n1)
logs=$(mktemp -d)
sessions=""
if [ "$scenario" != logins ]; then
  sessions="$logs/sessions.json"
  $BIN/python tests/load/sessions.py "$users" >"$sessions"
else
  # Sign everyone out first, so that each login is a real one (and hashes are upgraded once).
  $BIN/python manage.py shell -c "from django.contrib.sessions.models import Session; Session.objects.all().delete(); from django.core.cache import cache; cache.clear()"
fi
$BIN/celery -A contest_site worker -l warning --concurrency 1 >"$logs/worker.log" 2>&1 &
worker=$!
$BIN/gunicorn -c contest_site/gunicorn.conf.py --bind 127.0.0.1:8001 --access-logfile /dev/null contest_site.wsgi:application >"$logs/gunicorn.log" 2>&1 &
web=$!
trap 'kill $web $worker 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do curl -fs -o /dev/null -H "Host: 127.0.0.1" http://127.0.0.1:8001/healthz/ && break; sleep 1; done
if [ -n "${LOADTEST_PROFILE:-}" ]; then
  "$( [ -x "$BIN/py-spy" ] && echo "$BIN/py-spy" || echo py-spy)" record --subprocesses --pid "$web" --format raw --rate 100 --nonblocking -o "$LOADTEST_PROFILE" >/dev/null 2>&1 &
  profiler=$!
fi
LOADTEST_SCENARIO=$scenario LOADTEST_ROUND=$round LOADTEST_USERS=$users LOADTEST_SESSIONS=$sessions \
  LOADTEST_ACKS="$logs/acks.json" $LOCUST -f tests/load/locustfile.py --headless \
  -u "$users" -r "$rate" -t "$time" --host http://127.0.0.1:8001 --only-summary --loglevel WARNING 2>"$logs/locust.log" | \
  sed -n '/^== /,$p'
if [ -n "${LOADTEST_PROFILE:-}" ]; then kill -INT "$profiler" 2>/dev/null || true; wait "$profiler" 2>/dev/null || true; fi
$BIN/python tests/load/check.py "$logs/acks.json" "$web"
echo "logs: $logs"
