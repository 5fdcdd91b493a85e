"""gunicorn settings for production. Override any of them with GUNICORN_CMD_ARGS."""

import math
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# One process per core, each with threads that wait on the database and Redis for several
# requests at once. Measured on 2 cores (docs/performance.md, capacity scenario): 2 × 8 spent
# 96 ms of app CPU per whole attempt against 104 ms for 5 × 4 (fewer processes, fewer warm-up
# costs and connections) with a lower p95 on start and submit; the lean autosave holds the GIL
# only briefly, so 8 threads do not queue behind each other.
#
# "One per core" counts the cores this container may use: its CPU quota (cgroup v2 `cpu.max`, v1
# `cpu.cfs_quota_us` / `cpu.cfs_period_us`, rounded up), else the cores it is pinned to — not the
# host's. Each thread holds one PostgreSQL connection, so workers × threads is this node's share of
# the connection budget (docs/operations.md); it is logged at start.
CGROUP_ROOT = "/sys/fs/cgroup"


def _read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def _own_cgroup(proc_cgroup):
    """This process's cgroup v2 path ("0::/a/b"), or "" when unknown."""
    for line in (_read(proc_cgroup) or "").splitlines():
        if line.startswith("0::"):
            return line[3:].strip("/")
    return ""


def cgroup_cpu_quota(root=CGROUP_ROOT, proc_cgroup="/proc/self/cgroup"):
    """The CPUs the cgroup quota allows (a fraction rounded up), or None without a quota."""
    own = _own_cgroup(proc_cgroup)
    for folder in dict.fromkeys([os.path.join(root, own) if own else root, root]):
        text = _read(os.path.join(folder, "cpu.max"))  # v2: "<quota> <period>" or "max <period>"
        if text:
            quota, _, period = text.partition(" ")
            if quota == "max":
                return None
            return max(1, math.ceil(int(quota) / int(period or 100_000)))
    for folder in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):  # v1
        quota, period = (_read(os.path.join(root, folder, f"cpu.cfs_{n}_us")) for n in ("quota", "period"))
        if quota and period:
            return max(1, math.ceil(int(quota) / int(period))) if int(quota) > 0 else None
    return None


def cpu_budget(root=CGROUP_ROOT, proc_cgroup="/proc/self/cgroup"):
    """(CPUs, where the number comes from): the smaller of the quota and the cores it may run on."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    try:
        quota = cgroup_cpu_quota(root, proc_cgroup)
    except ValueError:  # an unreadable quota: the cores
        quota = None
    return (quota, "the CPU quota") if quota and quota < cores else (cores, "the cores")


def available_cpus(root=CGROUP_ROOT, proc_cgroup="/proc/self/cgroup"):
    """The cores this container may use."""
    return cpu_budget(root, proc_cgroup)[0]


if os.environ.get("GUNICORN_WORKERS"):
    workers, workers_from = int(os.environ["GUNICORN_WORKERS"]), "GUNICORN_WORKERS"
else:
    workers, workers_from = cpu_budget()
threads = int(os.environ.get("GUNICORN_THREADS") or 8)
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


# At start, the node's connection budget goes to the log (GUNICORN_WORKERS, the quota or the cores).
# Metrics of several worker processes (operations/metrics.py): with PROMETHEUS_MULTIPROC_DIR
# set, each process writes its counters there and /metrics adds them up. The folder is emptied
# when gunicorn starts, so counters of a previous run are not added in.
def on_starting(server):
    cfg = server.cfg
    source = workers_from if cfg.workers == workers else "the command line"
    server.log.info(
        "connection budget: %d workers (from %s) x %d threads = %d PostgreSQL connections at most from this node",
        cfg.workers, source, cfg.threads, cfg.workers * cfg.threads,
    )  # fmt: skip
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
