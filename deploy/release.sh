#!/bin/sh
# The release step (docker-compose's `migrate` service), once per `docker compose up`, before any
# web node, worker or beat starts: refuse to go on with a setting that fails open, migrate as the
# owning role, grant the application's role what it needs, then the demo (DEMO=1) or the first
# organizer account of an empty install.
set -eu
python manage.py check --deploy --fail-level ERROR
DATABASE_URL="$DATABASE_OWNER_URL" python manage.py migrate --noinput
DATABASE_URL="$DATABASE_OWNER_URL" python manage.py grant_app_role "$DATABASE_APP_ROLE"
if [ "${DEMO:-0}" = "1" ]; then
  DATABASE_URL="$DATABASE_OWNER_URL" python manage.py seed_demo --force  # the demo rewrites sealed windows: the owner only
elif [ -n "${FIRST_ORGANIZER_EMAIL:-}" ]; then
  python manage.py create_first_organizer --email "$FIRST_ORGANIZER_EMAIL"
fi
