#!/usr/bin/env bash
# make loadtest: gunicorn + a Celery worker on PostgreSQL and Redis of this machine, then locust
# with LOADTEST_USERS contestants for LOADTEST_TIME. Traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=.venv/bin
export DATABASE_URL="${LOADTEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/loadtest}"
export REDIS_URL="${LOADTEST_REDIS_URL:-redis://127.0.0.1:6379/9}"
export DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_CACHE_PREFIX=loadtest
export DJANGO_SECRET_KEY="loadtest-only-$(head -c 24 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9')-0123456789"
users="${LOADTEST_USERS:-100}"
psql "${DATABASE_URL%/*}/postgres" -qc "create database ${DATABASE_URL##*/}" 2>/dev/null || true
$BIN/python manage.py migrate --noinput -v0
$BIN/python manage.py collectstatic --noinput -v0
round=$($BIN/python manage.py prepare_loadtest --users "$users" | tail -n1)
logs=$(mktemp -d)
$BIN/celery -A contest_site worker -l warning --concurrency 1 >"$logs/worker.log" 2>&1 &
worker=$!
$BIN/gunicorn -c contest_site/gunicorn.conf.py --bind 127.0.0.1:8001 contest_site.wsgi:application >"$logs/gunicorn.log" 2>&1 &
web=$!
trap 'kill $web $worker 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do curl -fs -o /dev/null -H "Host: 127.0.0.1" http://127.0.0.1:8001/healthz/ && break; sleep 1; done
LOADTEST_ROUND=$round LOADTEST_USERS=$users $BIN/locust -f tests/load/locustfile.py --headless \
  -u "$users" -r 20 -t "${LOADTEST_TIME:-60s}" --host http://127.0.0.1:8001 --only-summary
