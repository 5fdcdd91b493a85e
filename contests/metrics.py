"""The application's counters, at the bottom layer so that every app can count without importing
`operations` (which sits above them all and serves them at /metrics: operations/metrics.py).

Counters only, incremented where the event happens. Under gunicorn with several processes,
prometheus_client keeps them in files under PROMETHEUS_MULTIPROC_DIR when that is set, and the
scrape adds them up across the processes. Figures that are read from the database or Redis at
scrape time (the outbox backlog, the Celery queues) are not here: operations/metrics.py."""

import os

# Multiprocess mode writes each process's values into this folder from the first metric on.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

from prometheus_client import Counter, Histogram, disable_created_metrics  # noqa: E402 - after the folder exists

# No *_created series: half the lines of a scrape, and Prometheus does not need them.
disable_created_metrics()

# Label values are bounded: a view name from the URL resolver (or "unmatched"), a status class.
REQUEST_LATENCY = Histogram(
    "contest_request_duration_seconds",
    "Time to answer a request, by view name.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
RESPONSES = Counter("contest_responses_total", "Responses by status class (2xx, 3xx, 4xx, 5xx).", ["status_class"])
SERVER_ERRORS = Counter("contest_server_errors_total", "Responses with a 5xx status, by view name.", ["view"])
ATTEMPTS_STARTED = Counter("contest_attempts_started_total", "Quiz attempts started (committed).")
ATTEMPTS_FINISHED = Counter(
    "contest_attempts_finished_total", "Quiz attempts finished (committed), by how: submitted or expired.", ["status"]
)
AUTOSAVES = Counter("contest_autosaves_total", "Autosaves answered by the lean path, by outcome.", ["outcome"])
SMS_FAILURES = Counter("contest_sms_failures_total", "Text messages the SMS backend refused or could not send.")
ZALO_FAILURES = Counter("contest_zalo_failures_total", "Zalo messages the API refused or could not take (sent by SMS instead).")
EMAIL_FAILURES = Counter("contest_email_failures_total", "Notification e-mails that could not be sent.")
CACHE_ERRORS = Counter(
    "contest_cache_errors_total",
    "Cache calls that failed open (Redis unreachable), by kind: error (the call failed) or skipped "
    "(not tried while the breaker is open after a failure).",
    ["kind"],
)
REPLICA_SCOPES = Counter(
    "contest_replica_scopes_total",
    "Blocks of reads that asked for the read replica (contest_site.db_router), by the server they "
    "read from (replica or default) and why (ok, lagging, unreachable).",
    ["server", "reason"],
)
