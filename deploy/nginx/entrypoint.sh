#!/bin/sh
# A self-signed certificate for TLS_HOSTNAME (localhost by default) at first start, kept in the
# `tls` volume. A real certificate: put fullchain.pem and privkey.pem in that volume (or mount
# them at /etc/nginx/tls) and restart the proxy — README, "A real host".
set -eu
tls=/etc/nginx/tls
if [ ! -s "$tls/fullchain.pem" ] || [ ! -s "$tls/privkey.pem" ]; then
  host="${TLS_HOSTNAME:-localhost}"
  echo "proxy: no certificate in $tls, making a self-signed one for $host (valid 825 days)"
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$host" \
    -addext "subjectAltName=DNS:$host,DNS:localhost,IP:127.0.0.1" \
    -keyout "$tls/privkey.pem" -out "$tls/fullchain.pem" 2>/dev/null
  chmod 600 "$tls/privkey.pem"
fi
# The web nodes: PROXY_UPSTREAMS (names or name:port, spaces or commas; default the one `web`).
# nginx resolves them once, at start, and refuses to start on a name that does not resolve, so a
# node that is down now is left out (with a warning) rather than keeping the proxy down; restart
# the proxy when it is back. nginx's own failover (max_fails, proxy_next_upstream) covers a node
# that stops later.
upstreams="$(echo "${PROXY_UPSTREAMS:-web:8000}" | tr ',' ' ')"
servers=""
for node in $upstreams; do
  case "$node" in *:*) ;; *) node="$node:8000" ;; esac
  if getent hosts "${node%:*}" >/dev/null; then
    servers="$servers\n    server $node max_fails=3 fail_timeout=10s;"
  else
    echo "proxy: $node does not resolve, left out of the upstream" >&2
  fi
done
if [ -n "$servers" ]; then
  sed -i "/^    server .* max_fails=3 fail_timeout=10s;$/d; s/^  upstream web {$/  upstream web {$servers/" /etc/nginx/nginx.conf
fi
exec "$@"
