#!/usr/bin/env bash
# The closed-network path, end to end on this machine (as root, with a running Docker engine):
# the base image from a Debian mirror by debootstrap, every image built FROM it (no Docker Hub),
# the stack up from .env.example as it is, the demo's home page and a contestant's login over
# HTTPS through the proxy, then `down` (volumes kept; `SMOKE_CLEAN=1` removes them too).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .env ] || cp .env.example .env
export BASE_IMAGE="${BASE_IMAGE:-contest-base:bookworm}"
docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || BASE_IMAGE="$BASE_IMAGE" deploy/base-image.sh
compose=(docker compose)
"${compose[@]}" version >/dev/null 2>&1 || compose=(docker-compose)
port="${HTTPS_PORT:-443}"
base="https://localhost"
[ "$port" = 443 ] || base="https://localhost:$port"

"${compose[@]}" build
"${compose[@]}" up -d
trap '"${compose[@]}" down ${SMOKE_CLEAN:+--volumes} >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 60); do
  curl -skf -o /dev/null "$base/healthz/" && break
  sleep 5
done
home="$(curl -skf "$base/")"
grep -q "Đăng ký dự thi" <<<"$home" || { echo "the home page did not come through the proxy"; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:${HTTP_PORT:-80}/quiz/")" = 301 ]
jar="$(mktemp)"
csrf="$(curl -sk -c "$jar" "$base/accounts/login/" | grep -o 'name="csrfmiddlewaretoken" value="[^"]*"' | head -n1 | cut -d'"' -f4)"
code="$(curl -sk -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}' -H "Referer: $base/accounts/login/" \
  --data-urlencode "csrfmiddlewaretoken=$csrf" --data-urlencode "login=contestant@example.com" \
  --data-urlencode "password=DemoPass123!" "$base/accounts/login/")"
[ "$code" = 302 ] || { echo "login through the proxy answered $code"; exit 1; }
grep -q "Kết quả của tôi" <<<"$(curl -sk -b "$jar" "$base/quiz/")" || { echo "not signed in after login"; exit 1; }
rm -f "$jar"
if "${compose[@]}" logs proxy web 2>/dev/null | grep -E "csrfmiddlewaretoken|sessionid=|password=" ; then
  echo "a secret reached a log"; exit 1
fi
echo "compose smoke: HTTPS home page, redirect from HTTP, contestant login through the proxy — OK"
