#!/bin/bash
# First start of the database: the application's login role, which owns nothing. The owner
# (POSTGRES_USER) runs the migrations; `manage.py grant_app_role` then grants this role exactly what
# the application needs (the release step does it after every migrate).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v db="$POSTGRES_DB" -v role="${DATABASE_APP_ROLE:-contest_app}" -v password="$POSTGRES_APP_PASSWORD" <<'SQL'
create role :"role" login password :'password';
revoke all on database :"db" from public;
SQL
