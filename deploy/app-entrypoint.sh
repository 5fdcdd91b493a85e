#!/bin/sh
# Every container of the application image starts here.
# DJANGO_SECRET_KEY and WINNER_DETAILS_KEYS left empty (a laptop with .env.example as it is) are
# made once, at the first start, into the `secrets` volume and read from there by every service;
# set them in .env on a real server (docs/operations.md, "Secrets").
set -eu
generated=/app/secrets/generated.env
if [ -z "${DJANGO_SECRET_KEY:-}" ] || [ -z "${WINNER_DETAILS_KEYS:-}" ]; then
  if [ ! -s "$generated" ]; then
    umask 077
    python - "$generated" <<'PY'
import secrets, sys
from cryptography.fernet import Fernet
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(f"GENERATED_SECRET_KEY={secrets.token_urlsafe(50)}\n")
    f.write(f"GENERATED_WINNER_DETAILS_KEYS={Fernet.generate_key().decode()}\n")
PY
    mv "$generated.tmp" "$generated"
    echo "entrypoint: made DJANGO_SECRET_KEY and WINNER_DETAILS_KEYS in the secrets volume (set them in .env on a real server)"
  fi
  . "$generated"
  export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$GENERATED_SECRET_KEY}"
  export WINNER_DETAILS_KEYS="${WINNER_DETAILS_KEYS:-$GENERATED_WINNER_DETAILS_KEYS}"
fi
# Counters of several processes are added up through this folder (operations/metrics.py).
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then mkdir -p "$PROMETHEUS_MULTIPROC_DIR"; fi
exec "$@"
