"""The docker-compose deployment, checked without a Docker engine: every image builds FROM a base
that can come from Debian's packages (no Docker Hub), the application runs as the role that owns
nothing, private files stay out of the image, and the proxy's access log keeps no token
(nginx itself runs the proxy's configuration here). `deploy/smoke.sh` runs the real stack."""

import http.client
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests import servers

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ("migrate", "web", "worker", "beat")


def test_every_service_is_built_here_from_the_base_image():
    for name, service in COMPOSE["services"].items():
        assert "build" in service, f"{name} would be pulled from a registry"
        assert service["build"]["args"]["BASE_IMAGE"].startswith("${BASE_IMAGE"), name
    dockerfiles = [ROOT / "Dockerfile", *sorted((ROOT / "deploy").glob("*/Dockerfile"))]
    assert len(dockerfiles) == 5  # the application, nginx, pgbouncer, postgres, redis
    assert ROOT / "deploy/pgbouncer/Dockerfile" in dockerfiles
    for path in dockerfiles:
        text = path.read_text()
        froms = re.findall(r"^FROM\s+(\S+)", text, re.M)
        assert froms == ["${BASE_IMAGE}"], f"{path.relative_to(ROOT)}: {froms}"
        assert re.search(r"^ARG BASE_IMAGE=debian:bookworm-slim$", text, re.M), path


def test_the_application_connects_as_the_role_that_owns_nothing():
    for name in APP_SERVICES:
        url = COMPOSE["services"][name]["environment"]["DATABASE_URL"]
        assert url.startswith("postgres://${DATABASE_APP_ROLE:-contest_app}:"), name
    assert "DATABASE_OWNER_URL" in COMPOSE["services"]["migrate"]["environment"]
    assert all("DATABASE_OWNER_URL" not in COMPOSE["services"][n]["environment"] for n in ("web", "worker", "beat"))
    commands = [line for line in (ROOT / "deploy/release.sh").read_text().splitlines() if "manage.py" in line]
    order = [
        next(i for i, line in enumerate(commands) if word in line)
        for word in ("check --deploy", "migrate --noinput", "grant_app_role")
    ]
    assert order == sorted(order)


def test_the_proxy_serves_https_and_the_web_nodes_are_not_published():
    assert "${HTTPS_PORT:-443}:443" in COMPOSE["services"]["proxy"]["ports"]
    assert all("ports" not in COMPOSE["services"][n] for n in (*APP_SERVICES, "db", "redis", "pgbouncer"))


def test_the_file_stays_within_what_debians_docker_compose_reads():
    """Debian 12's docker-compose (1.29) is the closed network's compose: no `required` in a
    depends_on, which it refuses (deploy/smoke.sh runs it)."""
    for name, service in COMPOSE["services"].items():
        for target, condition in (service.get("depends_on") or {}).items():
            assert "required" not in condition, f"{name} → {target}"


def test_pgbouncer_is_opt_in_and_the_release_and_backups_bypass_it():
    """Profile "pooled" with DATABASE_HOST=pgbouncer: web, worker and beat go through the pooler;
    the release step (DDL) and pg_dump need a session of their own and connect to db."""
    pooler = COMPOSE["services"]["pgbouncer"]
    assert pooler["profiles"] == ["pooled"]
    assert pooler["environment"]["POSTGRES_APP_PASSWORD"].startswith("${POSTGRES_APP_PASSWORD:?")
    for name in ("web", "worker", "beat"):
        service = COMPOSE["services"][name]
        assert "@${DATABASE_HOST:-db}:5432/contest" in service["environment"]["DATABASE_URL"], name
        assert "pgbouncer" not in service["depends_on"], name  # optional depends_on needs Compose 2.20
        assert service["environment"]["DJANGO_DISABLE_SERVER_SIDE_CURSORS"] == "${DJANGO_DISABLE_SERVER_SIDE_CURSORS:-0}"
    for name in ("migrate", "backup"):
        environment = COMPOSE["services"][name]["environment"]
        assert all("@db:5432/" in environment[k] for k in ("DATABASE_URL", "DATABASE_OWNER_URL") if k in environment)
        assert "pgbouncer" not in COMPOSE["services"][name]["depends_on"], name
    dockerfile = (ROOT / "deploy/pgbouncer/Dockerfile").read_text()
    assert "install -y --no-install-recommends pgbouncer" in dockerfile and "USER postgres" in dockerfile
    entrypoint = (ROOT / "deploy/pgbouncer/entrypoint.sh").read_text()
    assert "pool_mode = transaction" in entrypoint and "auth_type = scram-sha-256" in entrypoint
    assert "listen_port = ${PGBOUNCER_PORT:-5432}" in entrypoint  # DATABASE_HOST alone switches
    example = (ROOT / ".env.example").read_text()
    for line in ("# COMPOSE_PROFILES=pooled", "# DATABASE_HOST=pgbouncer", "# DJANGO_DISABLE_SERVER_SIDE_CURSORS=1"):
        assert line in example


def test_private_files_and_secrets_stay_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in ("private_media", "media", ".env", "db.sqlite3*", "*.xlsx", "*.docx", "*.zip", ".git", ".venv", "backups"):
        assert entry in ignored, entry


def _get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.fixture
def nginx_binary():
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing (apt-get install nginx-light)")
        pytest.skip("nginx is not installed")
    return path


def test_the_proxy_log_holds_no_token(tmp_path, nginx_binary):
    """The proxy's own configuration, with its upstream and certificate pointed at this machine."""
    https, http = servers.free_port(), servers.free_port()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", tmp_path / "privkey.pem", "-out", tmp_path / "fullchain.pem"],
        check=True, capture_output=True,
    )  # fmt: skip
    conf = (ROOT / "deploy/nginx/nginx.conf").read_text()
    conf = conf.replace("server web:8000", "server 127.0.0.1:9").replace("/etc/nginx/tls", str(tmp_path))
    conf = conf.replace("/etc/nginx/mime.types", "/etc/nginx/mime.types" if Path("/etc/nginx/mime.types").exists() else "")
    conf = conf.replace("pid /run/nginx.pid", f"pid {tmp_path}/nginx.pid").replace("/var/cache/nginx", str(tmp_path / "cache"))
    conf = conf.replace("access_log /dev/stdout", f"access_log {tmp_path}/access.log")
    conf = re.sub(r"listen 443 ssl http2 default_server;", f"listen 127.0.0.1:{https} ssl http2;", conf)
    conf = re.sub(r"listen 80 default_server;", f"listen 127.0.0.1:{http};", conf)
    conf = re.sub(r"\s*listen \[::\]:\d+[^;]*;", "", conf)
    (tmp_path / "cache").mkdir()
    (tmp_path / "nginx.conf").write_text(f"daemon off;\n{conf}")
    test = subprocess.run(
        [nginx_binary, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert test.returncode == 0, test.stderr
    server = subprocess.Popen([nginx_binary, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], stderr=subprocess.DEVNULL)
    try:
        secrets = {
            "/accounts/invitation/eyJ1IjoxMjN9:1tX9aB:SECRETSIGNATURE1/": "SECRETSIGNATURE1",
            "/accounts/password/reset/key/3-SECRETRESETKEY2/": "SECRETRESETKEY2",
            "/notifications/unsubscribe/SECRETUNSUB3/": "SECRETUNSUB3",
            "/accounts/login/code/confirm/?code=SECRETCODE4": "SECRETCODE4",
            "/awards/details/SECRETAWARD5/": "SECRETAWARD5",
        }
        for _ in range(200):  # until nginx listens
            try:
                _get(http, "/healthz-probe")
                break
            except OSError:
                time.sleep(0.1)
        for path in secrets:
            assert _get(http, path) == 301  # plain HTTP only redirects to HTTPS
        time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)
    log = (tmp_path / "access.log").read_text()
    assert log.count("\n") >= len(secrets)
    for secret in secrets.values():
        assert secret not in log
    assert "/accounts/invitation/[masked]" in log and "/accounts/login/code/confirm/ " in log
