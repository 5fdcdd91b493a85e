"""Prometheus metrics: the counters of contests.metrics plus gauges read at scrape time.

Why prometheus-client and not django-prometheus: the figures that matter are a handful (latency
by view, status classes, attempts, autosaves, outbox backlog, send failures, queue lengths);
django-prometheus adds two middlewares, wraps the database and cache backends and exports
hundreds of series per process, all to be kept in the multiprocess files. A few explicit metrics
keep the cardinality bounded and the busiest path (the autosave) untouched.

Several gunicorn processes: with PROMETHEUS_MULTIPROC_DIR set (an empty folder, wiped when
gunicorn starts: contest_site/gunicorn.conf.py), every process writes its counters there and a
scrape of any one process adds them all up. Without it, the process's own counters are served.

A scrape-time gauge is one decorated function returning a number (or None to skip it):

    @scrape_gauge("contest_last_backup_age_seconds", "Seconds since the last good backup.")
    def _backup_age():
        return ...
"""

import logging
import os
from collections.abc import Callable

from django.conf import settings
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from contests import metrics as counters  # noqa: F401 - registers the counters with the default registry

logger = logging.getLogger(__name__)

_GAUGES: list[tuple[str, str, Callable[[], float | dict | None], str | None]] = []


def scrape_gauge(name: str, documentation: str, *, label: str | None = None):
    """Register `func` as a gauge computed at each scrape. It returns a number, or a dict of
    label value → number when `label` is given, or None when the figure is unknown (the series is
    left out rather than reported as 0). A failing function is logged and skipped."""

    def register(func):
        _GAUGES.append((name, documentation, func, label))
        return func

    return register


class ScrapeCollector(Collector):
    def collect(self):
        for name, documentation, func, label in _GAUGES:
            try:
                value = func()
            except Exception:  # noqa: BLE001 - one broken figure must not blank the others
                logger.warning("Metric %s could not be computed.", name, exc_info=True)
                continue
            if value is None:
                continue
            if label is None:
                yield GaugeMetricFamily(name, documentation, value=value)
            else:
                family = GaugeMetricFamily(name, documentation, labels=[label])
                for key, number in sorted(value.items()):
                    family.add_metric([str(key)], number)
                yield family


_scrape_registry = CollectorRegistry(auto_describe=False)
_scrape_registry.register(ScrapeCollector())


def exposition() -> bytes:
    """The text of a scrape: the counters (of every process in multiprocess mode) and the gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(_scrape_registry)


# --- Scrape-time gauges ---------------------------------------------------------------------------


@scrape_gauge("contest_notification_outbox", "Notification rows by status: queued is the backlog.", label="status")
def _outbox():
    from contests.notifications import outbox_counts

    return outbox_counts()


@scrape_gauge("contest_celery_queue_length", "Messages waiting in each Celery queue (Redis LLEN).", label="queue")
def _celery_queues():
    if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://", "unix://")):
        return None
    import redis

    from contest_site.celery import app

    names = {app.conf.task_default_queue or "celery"}
    names.update(q.name for q in (app.conf.task_queues or ()))
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        with client.pipeline(transaction=False) as pipe:
            for name in sorted(names):
                pipe.llen(name)
            return dict(zip(sorted(names), pipe.execute(), strict=True))
    finally:
        client.close()
