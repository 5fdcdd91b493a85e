"""gunicorn settings for production. Override any of them with GUNICORN_CMD_ARGS."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Threads let one worker wait on the database for several requests; the quiz pages are I/O bound.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
keepalive = 5
# A guard against slow leaks. Each restart drops the keep-alive connections the worker holds
# (a request in flight on one is reset), so it is rare: at 300 requests a second a worker
# recycles about every six minutes. GUNICORN_MAX_REQUESTS=0 switches it off.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 100_000))
max_requests_jitter = max_requests // 10
accesslog = "-"
errorlog = "-"
# Only our own proxy may set X-Forwarded-Proto (plain addresses, comma-separated). The client's
# address is decided by Django from DJANGO_TRUSTED_PROXIES (accounts/net.py), not here.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
