"""A PgBouncer in transaction mode on a loopback port, in front of the test database, for the tests
that must work through one (tests/reports/test_exports_pooled.py) and for the load scenarios
(tests/load/run.sh writes its configuration with `python -m tests.pgbouncer DIR PORT POOL` from
DATABASE_URL). Skipped where the binary is missing; CI installs it (and fails without it)."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests import servers

BINARY_PATHS = ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")


def binary() -> str | None:
    return shutil.which("pgbouncer") or next((p for p in BINARY_PATHS if Path(p).exists()), None)


def write_config(
    folder: Path, settings_dict: dict, *, port: int, pool_size: int, max_client_conn: int = 100, log: bool = False
) -> Path:
    """pgbouncer.ini and its users file in `folder`, as deploy/pgbouncer/entrypoint.sh's in what
    matters (transaction mode, server_login_retry 1 s) but trusting loopback clients."""
    server = f"host={settings_dict.get('HOST') or '127.0.0.1'} port={settings_dict.get('PORT') or 5432}"
    if settings_dict.get("PASSWORD"):
        server += f" user={settings_dict['USER']} password={settings_dict['PASSWORD']}"
    (folder / "users.txt").write_text(f'"{settings_dict["USER"]}" ""\n')
    ini = folder / "pgbouncer.ini"
    ini.write_text(
        f"[databases]\n* = {server}\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n"
        f"unix_socket_dir =\nauth_type = trust\nauth_file = {folder / 'users.txt'}\npool_mode = transaction\n"
        f"default_pool_size = {pool_size}\nmax_client_conn = {max_client_conn}\n"
        # After a refused login (the primary restarting) retry in 1 s, not the default 15 s.
        "server_login_retry = 1\n"
        "ignore_startup_parameters = extra_float_digits,options\n" + (f"logfile = {folder / 'pgbouncer.log'}\n" if log else "")
    )
    for name in ("users.txt", "pgbouncer.ini"):
        (folder / name).chmod(0o644)
    return ini


def start(settings_dict: dict, *, pool_size: int = 2):
    """Start one; returns (process, port, folder). The server connections use the test database's
    own address and credentials; clients are trusted (loopback only)."""
    path = binary()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("pgbouncer is missing (apt-get install pgbouncer)")
        pytest.skip("pgbouncer is not installed")
    port = servers.free_port()
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    folder.chmod(0o755)  # readable by the user it drops to when started as root
    command = [path, str(write_config(folder, settings_dict, port=port, pool_size=pool_size))]
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        command[1:1] = ["-u", "nobody"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {process.stderr.read().decode()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return process, port, folder


def stop(process, folder) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":  # python -m tests.pgbouncer DIR PORT POOL_SIZE: the load scenarios' configuration
    import sys

    import environ

    folder, port, pool_size = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o777)  # its log is written by the user pgbouncer drops to when started as root
    settings_dict = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    print(write_config(folder, settings_dict, port=port, pool_size=pool_size, max_client_conn=1000, log=True))
