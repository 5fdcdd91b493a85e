"""Error reporting to any Sentry-compatible server (Sentry, or a self-hosted GlitchTip on a
closed network), off unless SENTRY_DSN is set. Called once from settings.

No personal data goes out: send_default_pii is off (its default) (no user e-mail, no IP, no cookies), and
`before_send` drops request bodies, cookies and headers that carry secrets, and scrubs every
string of the event (messages, exception values, URLs, breadcrumbs, local variables) with the
same function as the logs (operations.logs.scrub). The request id and the view are tags, the
user is named by id only."""

import subprocess
from pathlib import Path

from .logs import current_user_id, request_id_var, scrub, view_var

_DROP_HEADERS = {"cookie", "authorization", "x-csrftoken", "proxy-authorization", "referer"}


def git_commit(base_dir: Path) -> str | None:
    """The commit the code runs at, when it runs from a git checkout (else None)."""
    try:
        out = subprocess.run(  # noqa: S603 - fixed arguments
            ["git", "rev-parse", "--short=12", "HEAD"],  # noqa: S607
            cwd=base_dir,
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() or None


def _scrub_value(value, depth: int = 0):
    if depth > 12:
        return value
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrub_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_value(v, depth + 1) for v in value]
    return value


def before_send(event: dict, hint: dict | None = None) -> dict:
    """Strip and scrub an event before it leaves the process."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("data", None)
        request.pop("cookies", None)
        request.pop("env", None)
        if isinstance(request.get("headers"), dict):
            request["headers"] = {k: v for k, v in request["headers"].items() if k.lower() not in _DROP_HEADERS}
        if request.get("query_string"):
            request["query_string"] = "[…]"
    # Only the id of a user, never a name, an e-mail or an address.
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if user.get("id") is not None else {}
    user_id = current_user_id()
    if user_id is not None:
        event["user"] = {"id": str(user_id)}
    tags = event.setdefault("tags", {})
    if isinstance(tags, dict):
        if request_id_var.get():
            tags["request_id"] = request_id_var.get()
        if view_var.get():
            tags["view"] = view_var.get()
    keep = {k: event[k] for k in ("tags", "event_id", "timestamp", "release", "environment") if k in event}
    event = _scrub_value(event)
    event.update(keep)
    return event


def before_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    return _scrub_value(crumb)


def init_sentry(*, dsn: str, environment: str, release: str | None, traces_sample_rate: float = 0.0) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        # send_default_pii stays at its default, off (sentry-sdk 2.x deprecates passing it): no
        # user e-mail, IP, cookies or bodies from the integrations; before_send removes the rest.
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            # Errors logged at ERROR become events; INFO lines become breadcrumbs (scrubbed).
            LoggingIntegration(),
        ],
    )
