"""Log lines that can be watched and that give nothing away.

- `scrub(text)`: the one function that masks signed links, tokens, codes, session ids, e-mail
  addresses and phone numbers in any text. The logging filter below, gunicorn's access log
  (contest_site/gunicorn.conf.py) and the Sentry `before_send` (operations/sentry.py) all call it.
- `ScrubFilter`: on every handler (settings.LOGGING); scrubs the message with its arguments and
  the traceback, and stamps the record with the request's context (request id, user id, view).
- `JsonFormatter`: one JSON object a line: time (ISO 8601, UTC), level, logger, message,
  request_id, user_id, view, and the exception when there is one.
- the request's context lives in contextvars, set by operations.middleware and, in a Celery
  worker, by the task signals in operations.signals from the task's headers.

This module imports nothing of Django at import time: gunicorn's configuration loads it before
the application."""

import contextvars
import datetime
import json
import logging
import re
import secrets
from urllib.parse import parse_qsl, quote

from django.http import HttpRequest

MASK = "[…]"

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
user_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("user_id", default=None)
view_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("view", default=None)
# The request itself, so that a line logged after the view loaded the user names them.
request_var: contextvars.ContextVar[object | None] = contextvars.ContextVar("request", default=None)

# An incoming X-Request-ID is kept when it is a sane token (a proxy's or a load balancer's id);
# anything else (too long, spaces, quotes, newlines that would forge log lines) is replaced.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_from(header: str | None) -> str:
    """The request id: the incoming header when it is a sane token, else a new random one."""
    if header and _SANE_REQUEST_ID.match(header):
        return header
    return secrets.token_hex(16)


# --- Scrubbing ------------------------------------------------------------------------------------

# Paths whose next segment is a secret: allauth's password reset key (<uidb36>-<key>) and e-mail
# confirmation key, the member invitation, an old-style winners' details link (the form itself,
# /awards/details/<part>/<id>/, holds no secret), the unsubscribe link, a certificate's
# verification code (it leads to a person's name).
_SECRET_AFTER = (
    "/accounts/password/reset/key/",
    "/accounts/confirm-email/",
    "/accounts/invitation/",
    "/awards/details/",
    "/notifications/unsubscribe/",
    "/verify/",
)
_SECRET_SEGMENT = re.compile(
    "(" + "|".join(re.escape(p) for p in _SECRET_AFTER) + r")(?!done/|quiz/\d|essay/\d)[^/?#\s\"']+",
)
# A Django signed value: value[:timestamp]:signature, the signature a base64 HMAC (27 or 43
# characters); signing.dumps(compress=True) starts with a dot.
_SIGNED = re.compile(r"[\w.\-~%]*:[\w\-]{27,}\b|[\w.\-~%]+(?::[\w\-]+)+:[\w\-]{20,}")
# Where a signed value can be: a run of those characters joined by colons, found in one pass
# (starting only where such a run starts). _SIGNED is asked inside each run, never over the
# whole text: over a hostile 5,000-character path it backtracked from every position (0.7 s of
# CPU for one request's "Not Found" line). A run longer than _SIGNED_RUN_MAX is masked whole.
_SIGNED_RUN = re.compile(r"(?<![\w.\-~%:])[\w.\-~%]*(?::[\w.\-~%]*)+")
_SIGNED_RUN_MAX = 400
# Query or form values named like secrets, in URLs (?code=…), cookies (sessionid=…) and text.
_SECRET_KEYS = (
    r"code|token|key|signed|signature|sig|password|passwd|secret|otp|session|sessionid|csrftoken|"
    r"csrfmiddlewaretoken|uid|uidb36|auth|authorization|api_key|access_token|refresh_token"
)
_KEY_VALUE = re.compile(rf"(?i)\b({_SECRET_KEYS})(=|\"?\s*:\s*\"?)([^&\s\"';,]+)")
# Bearer tokens in a header dump.
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+")
# A long random-looking run (an allauth key, a session id): 24+ characters of letters, digits
# and -_ with at least one digit and one letter. Slugs rarely reach it; masking one is harmless.
_LONG_TOKEN = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{24,}(?![\w-])")
# Starts only where a run of those characters starts: without the look-behind it was tried from
# every position of a long run (quadratic).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Vietnamese mobile numbers: 0xxxxxxxxx or +84xxxxxxxxx (spaces and dots allowed inside).
_PHONE = re.compile(r"(?<![\w+])(?:\+84|0)(?:[\s.]?\d){9}(?!\d)")
# An SMS or e-mail sign-in code in a sentence («Mã xác thực … là ABC123», "your code: 4829"):
# after such a word, every run of 4-10 capitals and digits on the same line is masked.
_CODE_CONTEXT = re.compile(r"(?i:\b(?:mã|ma|code|otp)\b)[^\n]{0,80}")
_CODE = re.compile(r"\b[A-Z0-9]{4,10}\b")


def _signed_masked(match: re.Match) -> str:
    run = match[0]
    return MASK if len(run) > _SIGNED_RUN_MAX else _SIGNED.sub(MASK, run)


def scrub(text: str) -> str:
    """`text` with every secret the app puts in links, headers and messages masked."""
    if not text:
        return text
    text = _SECRET_SEGMENT.sub(lambda m: m[1] + MASK, text)
    text = _BEARER.sub(lambda m: f"{m[1]} {MASK}", text)
    text = _KEY_VALUE.sub(lambda m: f"{m[1]}{m[2]}{MASK}", text)
    text = _SIGNED_RUN.sub(_signed_masked, text)
    text = _LONG_TOKEN.sub(MASK, text)
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub("[phone]", text)
    return _CODE_CONTEXT.sub(lambda m: _CODE.sub(MASK, m[0]), text)


def scrub_path(path: str, query: str = "") -> str:
    """A request's path for the access log: the path scrubbed, the query string's names kept
    and every value dropped (`/x/?page=…&code=…`)."""
    path = scrub(path)
    if not query:
        return path
    names = [name for name, _value in parse_qsl(query, keep_blank_values=True)]
    if not names:
        return f"{path}?{MASK}"
    return f"{path}?" + "&".join(f"{quote(scrub(name)[:40], safe='[]…')}=…" for name in names)


# --- Logging --------------------------------------------------------------------------------------


class ScrubFilter(logging.Filter):
    """On every handler: the record's message rendered and scrubbed (arguments included), the
    traceback scrubbed, and the request's context added. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "_scrubbed", False):
            try:
                message = record.getMessage()
            except Exception:  # noqa: BLE001 - a bad format string is still logged, as written
                message = str(record.msg)
            record.msg, record.args = scrub(message), None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = scrub(record.exc_text)
            # Django's request logger puts the request on the record (its repr holds the path):
            # its context is taken from it (the "Not Found" line is logged after the middleware
            # has returned), then it is dropped.
            # The development server's own lines carry its socket there instead: only an
            # HttpRequest is read.
            request = getattr(record, "request", None)
            if isinstance(request, HttpRequest):
                record.request_id = getattr(request, "request_id", None)
                match = getattr(request, "resolver_match", None)
                record.view = match.view_name if match is not None else None
                record.user_id = loaded_user_id(request)
            if hasattr(record, "request"):
                record.request = None
            record._scrubbed = True
        for name, var in (("request_id", request_id_var), ("user_id", user_id_var), ("view", view_var)):
            if getattr(record, name, None) is None:
                setattr(record, name, var.get())
        if record.user_id is None:
            record.user_id = current_user_id()
        return True


def current_user_id() -> int | None:
    """The id of the user of the request being served (or None)."""
    user_id = user_id_var.get()
    if user_id is None and request_var.get() is not None:
        user_id = loaded_user_id(request_var.get())
    return user_id


def loaded_user_id(request) -> int | None:
    """The signed-in user's numeric id, from the user or the session the request has already
    loaded: never a query (a log line must not cost one), never an e-mail, a phone or a name."""
    from django.utils.functional import empty

    user = request.__dict__.get("user")
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is not None and wrapped is not empty:
        return wrapped.pk if getattr(wrapped, "is_authenticated", False) else None
    session = request.__dict__.get("session")
    cache = getattr(session, "_session_cache", None) if session is not None else None
    user_id = str(cache.get("_auth_user_id", "")) if isinstance(cache, dict) else ""
    return int(user_id) if user_id.isdigit() else None


class JsonFormatter(logging.Formatter):
    """One JSON object a line (python-json-logger's role, in twenty lines: the fields are fixed)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
            "view": getattr(record, "view", None),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        for name in ("task", "task_id", "status_code", "duration_ms"):
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Development: readable, with the request id when there is one."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s%(rid)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None)
        record.rid = f" [{rid[:8]}]" if rid else ""
        return super().format(record)
