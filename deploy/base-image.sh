#!/usr/bin/env bash
# The base image that every service of docker-compose.yml is built FROM, made from Debian's own
# packages with debootstrap: no Docker Hub, only a Debian mirror (a closed network has one).
#
#   sudo deploy/base-image.sh                 # → image contest-base:bookworm
#   BASE_IMAGE=contest-base:bookworm docker compose build
#
# DEBIAN_MIRROR defaults to the mirror this host's apt already uses; SUITE to bookworm (Python
# 3.11, PostgreSQL 15, Redis 7, nginx 1.22). Needs root, debootstrap and a running Docker engine.
set -euo pipefail

SUITE="${SUITE:-bookworm}"
TAG="${BASE_IMAGE:-contest-base:$SUITE}"
host_mirror() {
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources
  elif [ -f /etc/apt/sources.list ]; then
    awk '$1 == "deb" && $0 !~ /security/ { print $2; exit }' /etc/apt/sources.list
  fi
}
MIRROR="${DEBIAN_MIRROR:-$(host_mirror)}"
[ -n "$MIRROR" ] || { echo "No Debian mirror: set DEBIAN_MIRROR=http://…/debian" >&2; exit 1; }
SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-${MIRROR%/debian}/debian-security}"

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
echo "debootstrap $SUITE from $MIRROR"
debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$root" "$MIRROR" >/dev/null
cat >"$root/etc/apt/sources.list" <<SOURCES
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
SOURCES
# Small images: no documentation, no apt caches (as Debian's own slim images).
cat >"$root/etc/dpkg/dpkg.cfg.d/01-slim" <<'SLIM'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
SLIM
echo 'APT::Install-Recommends "false";' >"$root/etc/apt/apt.conf.d/01-no-recommends"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* "$root"/usr/share/man/*
tar -C "$root" --numeric-owner -c . | docker import --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' - "$TAG" >/dev/null
echo "built $TAG ($(docker image inspect -f '{{.Size}}' "$TAG" | numfmt --to=iec))"
