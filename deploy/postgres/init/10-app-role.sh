#!/bin/sh
# The application's database role, created once with the data volume (docker-entrypoint-initdb.d
# runs this only into an empty data directory). Two roles:
#   - the owner ($POSTGRES_USER, created by the image): owns every table; runs `migrate` and then
#     `grant_app_role contest_app` (the compose `migrate` service);
#   - contest_app: what web, worker and beat connect as; owns nothing, gets its rights from
#     `grant_app_role` (SELECT and INSERT only on the decision log, the seals and the commitments).
# An existing volume: run this file once by hand, e.g.
#   docker compose exec -e CONTEST_APP_PASSWORD db sh /docker-entrypoint-initdb.d/10-app-role.sh
set -eu
: "${CONTEST_APP_PASSWORD:?set CONTEST_APP_PASSWORD in .env}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app_password="$CONTEST_APP_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE contest_app LOGIN PASSWORD %L', :'app_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'contest_app') \gexec
SELECT format('ALTER ROLE contest_app LOGIN PASSWORD %L', :'app_password') \gexec
ALTER ROLE contest_app NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
-- Nobody but the owner creates objects in the schema (already so since PostgreSQL 15).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
