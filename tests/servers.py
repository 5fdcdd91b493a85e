"""Real servers the tests start for themselves on loopback ports: a free port, a Redis server of
a test's own (never the shared one on 6379)."""

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    """A loopback port nobody listens on now (connections to it are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_binary() -> str:
    binary = shutil.which("redis-server")
    if not binary:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing")
        pytest.skip("redis-server is not installed")
    return binary


def wait_for_redis(port: int, timeout: float = 10) -> None:
    import redis

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if redis.Redis(host="127.0.0.1", port=port, socket_timeout=0.5).ping():
                return
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    raise AssertionError(f"no Redis answers on {port} within {timeout} s")


@contextmanager
def redis_server(folder: Path, *args: str):
    """A redis-server keeping nothing on disk, on a free port; yields the port."""
    port = free_port()
    command = [redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = subprocess.Popen([*command, "--dir", str(folder), *args], stdout=subprocess.DEVNULL)  # noqa: S603 - our own arguments
    try:
        wait_for_redis(port)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)
