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
exec "$@"
