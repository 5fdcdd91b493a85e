"""The compose service `pgbouncer` (deploy/pgbouncer/): its entrypoint writes the configuration and
the application role's password from the environment, the role logs in with SCRAM with that password
and no other, and the pool runs in transaction mode. A real pgbouncer, in front of the test database."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connections

from tests import pgbouncer, servers

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "pgbouncer" / "entrypoint.sh"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def service():
    """The entrypoint as the container runs it, with the role and address of the test database."""
    if pgbouncer.binary() is None:
        if os.environ.get("CI"):
            pytest.fail("pgbouncer is missing (apt-get install pgbouncer)")
        pytest.skip("pgbouncer is not installed")
    db = connections["default"].settings_dict
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    folder.chmod(0o777)  # written by the user it runs as
    port = servers.free_port()
    password = 'a "quoted" pass word'
    env = {
        "PATH": f"{os.environ['PATH']}:/usr/sbin", "POSTGRES_APP_PASSWORD": password, "DATABASE_APP_ROLE": db["USER"],
        "PGBOUNCER_CONFIG_DIR": str(folder), "PGBOUNCER_DATABASE": db["NAME"],
        "PGBOUNCER_SERVER_HOST": db.get("HOST") or "127.0.0.1", "PGBOUNCER_SERVER_PORT": str(db.get("PORT") or 5432),
        "PGBOUNCER_LISTEN_ADDR": "127.0.0.1", "PGBOUNCER_PORT": str(port),
    }  # fmt: skip
    command = ["bash", str(ENTRYPOINT)]
    if os.geteuid() == 0:  # pgbouncer refuses root: as the container, an unprivileged user
        command = ["runuser", "-u", "nobody", "--", "env", *(f"{k}={v}" for k, v in env.items()), *command]
    process = subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            assert process.poll() is None, process.stderr.read().decode()
            if _listening(port):
                break
            time.sleep(0.05)
        yield {"port": port, "password": password, "folder": folder, "db": db}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _listening(port) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def _connect(service, password):
    db = service["db"]
    return connections["default"].Database.connect(
        host="127.0.0.1", port=service["port"], user=db["USER"], dbname=db["NAME"], password=password
    )


def test_the_app_role_logs_in_with_its_password_only(service):
    with _connect(service, service["password"]) as conn, conn.cursor() as cursor:
        cursor.execute("select current_user")
        assert cursor.fetchone() == (service["db"]["USER"],)
    with pytest.raises(Exception, match="authentication failed"):
        _connect(service, "wrong")


def test_the_configuration_is_transaction_pooling_with_scram_and_a_private_auth_file(service):
    ini = (service["folder"] / "pgbouncer.ini").read_text()
    assert "pool_mode = transaction" in ini and "auth_type = scram-sha-256" in ini
    assert f'"{service["db"]["USER"]}" "a ""quoted"" pass word"' in (service["folder"] / "userlist.txt").read_text()
    assert (service["folder"] / "userlist.txt").stat().st_mode & 0o077 == 0
