"""The request id travels with the Celery tasks a request sends: set on the task message's
headers when it is published, read back when the worker runs it (connected by
contest_site/celery.py, so the web and the worker both have it). In eager mode (tests,
development without Redis) the task runs in the request's own context and keeps its id."""

from celery import signals

from .logs import request_id_var, view_var

HEADER = "request_id"
_tokens: dict[str, tuple] = {}


@signals.before_task_publish.connect(dispatch_uid="operations.request_id.publish")
def _publish(headers=None, **kwargs):
    request_id = request_id_var.get()
    if request_id and headers is not None and not headers.get(HEADER):
        headers[HEADER] = request_id


@signals.task_prerun.connect(dispatch_uid="operations.request_id.prerun")
def _prerun(task_id=None, task=None, **kwargs):
    request_id = getattr(task.request, HEADER, None) or (task.request.headers or {}).get(HEADER)
    tokens = [view_var.set(f"task:{task.name}")]
    if request_id:
        tokens.append(request_id_var.set(str(request_id)))
    _tokens[task_id] = tuple(tokens)


@signals.task_postrun.connect(dispatch_uid="operations.request_id.postrun")
def _postrun(task_id=None, **kwargs):
    tokens = _tokens.pop(task_id, ())
    for token in reversed(tokens):
        try:
            token.var.reset(token)
        except ValueError:  # set in another context (a pool that switched threads): leave it
            token.var.set(token.old_value if token.old_value is not token.MISSING else None)


@signals.celeryd_init.connect(dispatch_uid="operations.metrics.worker_wipe")
def _wipe_worker_metrics(**kwargs):
    """Before the pool starts: the counters of the previous run's processes are dropped, as
    gunicorn does for the web (contest_site/gunicorn.conf.py)."""
    import os

    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder or not os.environ.get("CELERY_METRICS_PORT", "").strip() or not os.path.isdir(folder):
        return
    for name in os.listdir(folder):
        if name.endswith(".db"):
            os.remove(os.path.join(folder, name))


@signals.worker_ready.connect(dispatch_uid="operations.metrics.worker")
def _serve_worker_metrics(**kwargs):
    """CELERY_METRICS_PORT set: the worker serves its counters (e-mail and SMS failures happen
    in its processes) on that port for Prometheus. Its pool's child processes need
    PROMETHEUS_MULTIPROC_DIR (a folder of the worker's own) so their counters are added up here.
    The scrape-time gauges (outbox, queues) are the web's."""
    import os

    port = os.environ.get("CELERY_METRICS_PORT", "").strip()
    if not port:
        return
    from prometheus_client import REGISTRY, CollectorRegistry, multiprocess, start_http_server

    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    start_http_server(int(port), addr=os.environ.get("CELERY_METRICS_ADDR", "0.0.0.0"), registry=registry)  # noqa: S104
