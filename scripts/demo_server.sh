#!/usr/bin/env bash
# Run a command against the demo served as in production: a throwaway SQLite database with
# seed_demo, DEBUG off, collectstatic + whitenoise, gunicorn on 127.0.0.1:$DEMO_PORT (8021).
# The command gets DEMO_URL (and the same environment, so it can call manage.py on that database);
# the server and the database are gone when it ends. Used by scripts/lighthouse.sh and
# `make screenshots`. Usage: scripts/demo_server.sh COMMAND [ARGS…]
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHON=${PYTHON:-$PWD/.venv/bin/python}
PORT=${DEMO_PORT:-8021}
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
export DATABASE_URL="sqlite:///$WORK/db.sqlite3" DJANGO_DEBUG=0 DJANGO_HTTPS=0
export DJANGO_SECRET_KEY="demo-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DJANGO_MEDIA_ROOT="$WORK/media"
export DJANGO_PRIVATE_MEDIA_ROOT="$WORK/private" DJANGO_LOG_LEVEL=WARNING
unset REDIS_URL
"$PYTHON" manage.py migrate --noinput -v0
"$PYTHON" manage.py seed_demo --force >/dev/null
"$PYTHON" manage.py collectstatic --noinput -v0
"$PYTHON" -m gunicorn contest_site.wsgi --bind "127.0.0.1:$PORT" --workers 2 --log-level warning &
SERVER_PID=$!
export DEMO_URL="http://127.0.0.1:$PORT"
up=
for _ in $(seq 1 50); do
  # Our gunicorn must still be running: a port taken by something else is an error, not a demo.
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "gunicorn did not start (port $PORT taken?)" >&2; exit 1; }
  if "$PYTHON" -c "import urllib.request as u; u.urlopen('$DEMO_URL/healthz/', timeout=1)" 2>/dev/null; then up=1; break; fi
  sleep 0.2
done
[ -n "$up" ] || { echo "the demo did not answer on $DEMO_URL" >&2; exit 1; }
"$@"
