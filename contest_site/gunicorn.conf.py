"""gunicorn settings for production. Override any of them with GUNICORN_CMD_ARGS."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# One process per core, each with threads that wait on the database and Redis for several
# requests at once. Measured on 2 cores (docs/performance.md, capacity scenario): 2 × 8 spent
# 96 ms of app CPU per whole attempt against 104 ms for 5 × 4 (fewer processes, fewer warm-up
# costs and connections) with a lower p95 on start and submit; the lean autosave holds the GIL
# only briefly, so 8 threads do not queue behind each other.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", 8))
worker_class = "gthread"
# The application is loaded once in the master and the workers fork from it
# (contest_site/wsgi.py also imports the URLs, views and templates there): a worker, including
# one restarted by max_requests, serves its first request warm. GUNICORN_PRELOAD=0 loads it in
# each worker instead.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
timeout = 60
graceful_timeout = 30
keepalive = 5
# A guard against slow leaks. Each restart drops the keep-alive connections the worker holds
# (a request in flight on one is reset), so it is rare: at 300 requests a second a worker
# recycles about every six minutes. GUNICORN_MAX_REQUESTS=0 switches it off.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 100_000))
max_requests_jitter = max_requests // 10
# The access log ("-": stdout). GUNICORN_ACCESSLOG="" switches it off where the proxy keeps one
# (each line costs a lock and a write in the worker: ~2 % of a worker's time under load).
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
# Only our own proxy may set X-Forwarded-Proto (plain addresses, comma-separated). The client's
# address is decided by Django from DJANGO_TRUSTED_PROXIES (accounts/net.py), not here.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The access log is scrubbed (operations/access_log.py): signed links and tokens in the path
# masked, query values dropped, no request header; each line carries the request id that the
# application returned in X-Request-ID. JSON with DEBUG off (DJANGO_LOG_FORMAT=text for a terminal).
logger_class = "operations.access_log.AccessLogger"


# Metrics of several worker processes (operations/metrics.py): with PROMETHEUS_MULTIPROC_DIR
# set, each process writes its counters there and /metrics adds them up. The folder is emptied
# when gunicorn starts, so counters of a previous run are not added in.
def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".db"):
            os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
