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


class HttpStandIn:
    """A local HTTP stand-in of an outside service's contract, in a thread on a free loopback
    port: a subclass gives `handler` (a BaseHTTPRequestHandler class) and the `path` of its URL;
    `with` starts and stops it."""

    path = "/"

    def __init__(self, handler):
        from http.server import ThreadingHTTPServer
        from threading import Thread

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}{self.path}"
        self.thread = Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def answer_json(handler, data: bytes) -> None:
    """Answer 200 with a JSON body (or whatever bytes a test makes the service answer)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
