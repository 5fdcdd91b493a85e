"""gunicorn's access log goes through the same scrubber and carries the request id."""

import datetime
import io
import json
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from operations.access_log import AccessLogger

SIGNED = ".eJxTKkktLlGyUlBKSU3OT0nNSy_KLQAAOcwGqw:1uabcd:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEFG"


def _logged(monkeypatch, log_format: str) -> str:
    monkeypatch.setenv("DJANGO_LOG_FORMAT", log_format)
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = AccessLogger(cfg)
    buffer = io.StringIO()
    for handler in logger.access_log.handlers:
        handler.setStream(buffer)
    resp = SimpleNamespace(status="302 Found", headers=[("Location", "/"), ("X-Request-ID", "rid-abcdef0123")], sent=0)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": f"/accounts/invitation/{SIGNED}/",
        "QUERY_STRING": "key=0f1e2d3c4b5a&lang=vi",
        "RAW_URI": f"/accounts/invitation/{SIGNED}/?key=0f1e2d3c4b5a&lang=vi",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_COOKIE": "sessionid=p4k2v9x0n7m1q8w3e5r6t0y2u4i6o8a9",
        "HTTP_REFERER": f"https://cuocthi.example.vn/accounts/invitation/{SIGNED}/",
    }
    logger.access(resp, SimpleNamespace(headers=[]), environ, datetime.timedelta(milliseconds=12))
    return buffer.getvalue()


def test_the_gunicorn_access_line_is_json_scrubbed_with_the_request_id(monkeypatch):
    line = _logged(monkeypatch, "json")

    entry = json.loads(line)
    assert entry["path"] == "/accounts/invitation/[…]/?key=…&lang=…"
    assert (entry["request_id"], entry["status"], entry["logger"]) == ("rid-abcdef0123", 302, "gunicorn.access")
    for secret in (SIGNED, "0f1e2d3c4b5a", "p4k2v9x0", "uabcd"):
        assert secret not in line


def test_the_text_access_line_is_scrubbed_too(monkeypatch):
    line = _logged(monkeypatch, "text")

    assert "GET /accounts/invitation/[…]/?key=…&lang=… 302" in line
    assert "rid=rid-abcdef0123" in line
    assert SIGNED not in line


def test_gunicorn_uses_the_scrubbing_logger():
    conf = runpy.run_path(str(Path(__file__).resolve().parents[2] / "contest_site" / "gunicorn.conf.py"))
    assert conf["logger_class"] == "operations.access_log.AccessLogger"


@pytest.fixture(autouse=True)
def _quiet_gunicorn_loggers():
    yield
    logging.getLogger("gunicorn.access").handlers.clear()
    logging.getLogger("gunicorn.error").handlers.clear()
