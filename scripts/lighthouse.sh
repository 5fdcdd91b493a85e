#!/usr/bin/env bash
# Lighthouse (mobile) on the pages each role really uses, against the demo served as in production:
# DEBUG off, collectstatic + whitenoise, gunicorn, on a throwaway SQLite database.
# Targets: performance >= 0.95, accessibility 1.0, best practices >= 0.95 (docs/performance.md).
# Needs node/npm (Lighthouse is installed, pinned, into scripts/lighthouse/node_modules) and Debian's
# chromium. Environment: PYTHON (default .venv/bin/python), LIGHTHOUSE_PORT (8021),
# LIGHTHOUSE_OUT (lighthouse-reports), LIGHTHOUSE_PAGES (names to run, default all), CHROME_PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
PORT=${LIGHTHOUSE_PORT:-8021}
OUT=${LIGHTHOUSE_OUT:-$ROOT/lighthouse-reports}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}

# 1. Lighthouse itself, at the version in scripts/lighthouse/package-lock.json.
if [ ! -x scripts/lighthouse/node_modules/.bin/lighthouse ] \
   || [ scripts/lighthouse/package-lock.json -nt scripts/lighthouse/node_modules/.package-lock.json ]; then
  (cd scripts/lighthouse && npm ci --no-audit --no-fund --loglevel=error)
fi

# 2. The demo on a throwaway database, configured as production (but plain HTTP on loopback).
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
export DATABASE_URL="sqlite:///$WORK/db.sqlite3" DJANGO_DEBUG=0 DJANGO_HTTPS=0
export DJANGO_SECRET_KEY="lighthouse-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DJANGO_MEDIA_ROOT="$WORK/media"
export DJANGO_PRIVATE_MEDIA_ROOT="$WORK/private" DJANGO_LOG_LEVEL=WARNING
unset REDIS_URL
"$PYTHON" manage.py migrate --noinput -v0
"$PYTHON" manage.py seed_demo --force >/dev/null
"$PYTHON" manage.py collectstatic --noinput -v0
"$PYTHON" -m gunicorn contest_site.wsgi --bind "127.0.0.1:$PORT" --workers 2 --log-level warning &
SERVER_PID=$!
for _ in $(seq 1 50); do
  if "$PYTHON" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/healthz/', timeout=1)" 2>/dev/null; then break; fi
  sleep 0.2
done
# Sessions (and the contestant's open attempt) are made after the server is up, just before the run.
"$PYTHON" manage.py lighthouse_pages --force >"$WORK/pages.json"

# 3. Lighthouse on each page; a table of scores; non-zero exit when a page misses a target.
mkdir -p "$OUT"
"$PYTHON" scripts/lighthouse_run.py --pages "$WORK/pages.json" --base "http://127.0.0.1:$PORT" \
  --out "$OUT" --lighthouse scripts/lighthouse/node_modules/.bin/lighthouse ${LIGHTHOUSE_PAGES:+--only $LIGHTHOUSE_PAGES}
