"""gunicorn's access log, scrubbed: contest_site/gunicorn.conf.py names `AccessLogger` as its
logger_class.

The line carries the path scrubbed by operations.logs.scrub_path (signed links masked, query
values dropped), the method, status, size, duration and the request id the application gave the
response (X-Request-ID), so an access line and the application's lines of one request share an
id. No header of the request is logged (no cookie, no Authorization, no Referer with a link in it).
DJANGO_LOG_FORMAT=json (the default with DEBUG off) writes one JSON object a line; text writes
a short line for a terminal."""

import datetime
import json
import logging
import os
import traceback

from gunicorn import glogging

from .logs import JsonFormatter, ScrubFilter, scrub_path


def _log_format() -> str:
    default = "text" if os.environ.get("DJANGO_DEBUG", "1").strip().lower() in {"1", "true", "yes", "on"} else "json"
    return os.environ.get("DJANGO_LOG_FORMAT", default).strip().lower() or default


def _response_header(resp, name: str) -> str | None:
    for key, value in getattr(resp, "headers", None) or []:
        if key.lower() == name:
            return value
    return None


def access_entry(resp, environ: dict, request_time: datetime.timedelta) -> dict:
    """The fields of one access line, scrubbed."""
    status = resp.status
    if isinstance(status, str):
        status = status.split(None, 1)[0]
    path = scrub_path(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
    method = environ.get("REQUEST_METHOD", "-")
    duration_ms = round(request_time.total_seconds() * 1000, 1)
    return {
        "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
        "level": "INFO",
        "logger": "gunicorn.access",
        "message": f"{method} {path} {status}",
        "request_id": _response_header(resp, "x-request-id"),
        "method": method,
        "path": path,
        "status": int(status) if str(status).isdigit() else status,
        "bytes": getattr(resp, "sent", None),
        "duration_ms": duration_ms,
        "remote_addr": environ.get("REMOTE_ADDR", "-"),
    }


class _GunicornJsonFormatter(logging.Formatter):
    """gunicorn's own lines (booting, worker timeouts) as JSON too, scrubbed."""

    def format(self, record: logging.LogRecord) -> str:
        ScrubFilter().filter(record)
        return JsonFormatter().format(record)


class AccessLogger(glogging.Logger):
    def setup(self, cfg):
        super().setup(cfg)
        if _log_format() == "json":
            for handler in self.error_log.handlers:
                handler.setFormatter(_GunicornJsonFormatter())

    def access(self, resp, req, environ, request_time):
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.logconfig_dict or self.cfg.logconfig_json):
            return
        try:
            self.access_log.info(self.format_access(access_entry(resp, environ, request_time)))
        except Exception:  # noqa: BLE001 - as gunicorn's own: a broken line never breaks a request
            self.error(traceback.format_exc())

    @staticmethod
    def format_access(entry: dict) -> str:
        if _log_format() == "json":
            return json.dumps(entry, ensure_ascii=False)
        return (
            f"{entry['time']} {entry['remote_addr']} {entry['message']} {entry['bytes'] or '-'}B "
            f"{entry['duration_ms']}ms rid={entry['request_id'] or '-'}"
        )
