"""Container health check: GET /healthz/ on the local gunicorn as the proxy would send it.

Run as `python contest_site/healthcheck.py`; exits 0 when the app answers (liveness: /healthz/ looks
at no dependency, so a database or Redis outage does not restart every web container; readiness,
with the database, is /readyz/)."""

import os
import sys
import urllib.request

host = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".") or "localhost"
request = urllib.request.Request("http://127.0.0.1:8000/healthz/", headers={"Host": host, "X-Forwarded-Proto": "https"})
try:
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - fixed local URL
        sys.exit(0 if response.status == 200 else 1)
except OSError:
    sys.exit(1)
