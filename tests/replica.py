"""The `replica` database alias in tests: either a mirror of the test database (the router's
decisions, fast, everywhere) or a real PostgreSQL primary and streaming replica started by
scripts/pg-replica.sh (tests/operations/test_replica.py). The real pair is skipped only where no
PostgreSQL server binaries exist, and fails in CI instead."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from contest_site import db_router
from contest_site.db_router import REPLICA
from tests import servers

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "pg-replica.sh"


def pair_ports() -> tuple[int, int]:
    """The pair's loopback ports: PG_REPLICA_TEST_PORT and the next one when it is set, else two
    free ports, so two test workers (pytest-xdist) each start a pair of their own."""
    if os.environ.get("PG_REPLICA_TEST_PORT"):
        primary = int(os.environ["PG_REPLICA_TEST_PORT"])
        return primary, primary + 1
    primary = servers.free_port()
    replica = servers.free_port()
    while replica == primary:
        replica = servers.free_port()
    return primary, replica


def bindir() -> str | None:
    """PostgreSQL's server binaries, found as the script finds them."""
    if os.environ.get("PG_BINDIR"):
        return os.environ["PG_BINDIR"]
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: float(Path(p).parent.parent.name))
    if found:
        return str(Path(found[-1]).parent)
    initdb = shutil.which("initdb")
    return str(Path(initdb).parent) if initdb else None


def require_server_binaries() -> str:
    path = bindir()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL server binaries are missing (apt-get install postgresql)")
        pytest.skip("no PostgreSQL server binaries (initdb) on this machine")
    return path


@contextmanager
def alias(settings_dict: dict, *, name: str = REPLICA):
    """Register a database alias for the duration (the tests' `databases` must name it). It is a
    test mirror of `default`: Django neither creates nor flushes a database for it."""
    configured = connections.configure_settings({DEFAULT_DB_ALIAS: connections.settings[DEFAULT_DB_ALIAS], name: settings_dict})
    configured[name]["TEST"] = {**configured[name].get("TEST", {}), "MIRROR": DEFAULT_DB_ALIAS}
    connections.settings[name] = configured[name]
    try:
        yield
    finally:
        if hasattr(connections._connections, name):
            connections[name].close()
            del connections[name]
        del connections.settings[name]


@contextmanager
def queries_by_alias():
    """The SQL each alias ran while inside, the replica's lag checks left out: {"default": [...], "replica": [...]}."""
    seen = {DEFAULT_DB_ALIAS: [], REPLICA: []}

    def recorder(name):
        def record(execute, sql, params, many, context):
            if sql != db_router.LAG_SQL:
                seen[name].append(sql)
            return execute(sql, params, many, context)

        return record

    with (
        connections[DEFAULT_DB_ALIAS].execute_wrapper(recorder(DEFAULT_DB_ALIAS)),
        connections[REPLICA].execute_wrapper(recorder(REPLICA)),
    ):
        yield seen


def writes(sqls: list[str]) -> list[str]:
    return [s for s in sqls if s.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP"}]


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


class Cluster:
    """A primary and a streaming replica on 127.0.0.1 (scripts/pg-replica.sh), superuser `postgres`
    trusted on loopback, in a folder of their own."""

    def __init__(self):
        self.bindir = require_server_binaries()
        self.primary_port, self.replica_port = pair_ports()
        self.folder = Path(tempfile.mkdtemp(prefix="pg-replica-"))
        self.folder.chmod(0o755)  # traversable by the postgres user the servers run as under root
        self.data = self.folder / "cluster"

    def script(self, command: str) -> str:
        result = subprocess.run(
            [str(SCRIPT), command, str(self.data), str(self.primary_port), str(self.replica_port)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PG_BINDIR": self.bindir, "PG_REPLICA_FSYNC": "off"},
        )
        if result.returncode != 0 and command != "status":
            raise RuntimeError(f"pg-replica.sh {command} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self) -> None:
        for port in (self.primary_port, self.replica_port):
            if not _port_free(port):
                raise RuntimeError(f"port {port} is taken: another server (an earlier run?) is listening there")
        self.script("start")

    def destroy(self) -> None:
        try:
            self.script("destroy")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def sql(self, port: int, query: str, dbname: str = "postgres"):
        """Run one statement (autocommit) as the superuser; its rows, if any."""
        from django.db.backends.postgresql.base import Database  # psycopg, as Django loads it

        conn = Database.connect(host="127.0.0.1", port=port, user="postgres", dbname=dbname, connect_timeout=5)
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(query)
                return [tuple(row) for row in cursor.fetchall()] if cursor.description else None
        finally:
            conn.close()

    def copy_database(self, source: dict, name: str) -> None:
        """A copy of the (migrated) test database on the primary, schema and rows, by pg_dump."""
        self.sql(self.primary_port, f'create database "{name}"')
        env = {**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""}
        dump = subprocess.run(
            [f"{self.bindir}/pg_dump", "--no-owner", "--no-privileges", "-h", source.get("HOST") or "127.0.0.1",
             "-p", str(source.get("PORT") or 5432), "-U", source["USER"], "-d", source["NAME"]],
            capture_output=True, check=True, env=env, timeout=120,
        )  # fmt: skip
        subprocess.run(
            [f"{self.bindir}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.primary_port),
             "-U", "postgres", "-d", name],
            input=dump.stdout, capture_output=True, check=True, timeout=120,
        )  # fmt: skip

    def wait_replayed(self, dbname: str, timeout: float = 30.0) -> float:
        """Seconds until the replica has replayed everything the primary has written so far."""
        started = time.monotonic()
        (target,) = self.sql(self.primary_port, "select pg_current_wal_insert_lsn()")[0]
        while time.monotonic() - started < timeout:
            (done,) = self.sql(self.replica_port, f"select pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0]
            if done:
                return time.monotonic() - started
            time.sleep(0.005)
        raise AssertionError(f"the replica did not replay up to {target} within {timeout} s")

    def settings_for(self, port: int, dbname: str) -> dict:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": dbname,
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "OPTIONS": {"connect_timeout": 3},
        }


@contextmanager
def default_on(settings_dict: dict):
    """`default` points at another server while inside (the cluster's primary); put back after."""
    connection = connections[DEFAULT_DB_ALIAS]
    saved = connection.settings_dict.copy()
    connection.close()
    connection.settings_dict.update({k: v for k, v in settings_dict.items() if k != "OPTIONS"})
    connection.settings_dict["OPTIONS"] = {**saved.get("OPTIONS", {}), **settings_dict.get("OPTIONS", {})}
    try:
        yield connection
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
