#!/usr/bin/env bash
# Lighthouse (mobile) on the pages each role really uses, against the demo served as in production
# (scripts/demo_server.sh). Targets: performance >= 0.95, accessibility 1.0, best practices >= 0.95
# (docs/performance.md). Needs npm (Lighthouse is installed, pinned, into scripts/lighthouse/) and
# Debian's chromium. Environment: PYTHON (.venv/bin/python), DEMO_PORT (8021), LIGHTHOUSE_OUT
# (lighthouse-reports), LIGHTHOUSE_PAGES ("attempt stats": only those), LIGHTHOUSE_RUNS (runs per
# page, the median kept: 3 on a busy machine), CHROME_PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
if [ ! -x scripts/lighthouse/node_modules/.bin/lighthouse ] \
   || [ scripts/lighthouse/package-lock.json -nt scripts/lighthouse/node_modules/.package-lock.json ]; then
  (cd scripts/lighthouse && npm ci --no-audit --no-fund --loglevel=error)
fi
OUT=${LIGHTHOUSE_OUT:-$PWD/lighthouse-reports}
mkdir -p "$OUT"
# shellcheck disable=SC2016 # expanded by the inner shell, once the demo is up
exec bash scripts/demo_server.sh bash -c '"$PYTHON" scripts/lighthouse_run.py --base "$DEMO_URL" --out "$0" \
  --runs "${LIGHTHOUSE_RUNS:-1}" --lighthouse scripts/lighthouse/node_modules/.bin/lighthouse \
  ${LIGHTHOUSE_PAGES:+--only $LIGHTHOUSE_PAGES}' "$OUT"
