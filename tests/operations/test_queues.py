"""Celery queues per kind of work (settings.CELERY_TASK_ROUTES), each with workers of its own, so
that a large export never delays a round-opening SMS.

The routing table is checked against the tasks the app really registers. The rest runs real
workers — the command line `make worker QUEUES=…` writes, as subprocesses — against a Redis
server of the test's own (redis-server on a free loopback port, stopped afterwards) and the test
database; SMS go to the console backend (the world's edge), read back from the worker's output."""

import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from contest_site.celery import app
from contests import notifications
from contests.enums import NotificationKind
from contests.models import Notification
from tests import servers
from tests.factories import ContestFactory, contestant, staff_user

ROOT = Path(__file__).resolve().parents[2]
QUEUES = {"notifications", "exports", "analysis", "housekeeping", "celery"}
WAIT = 60  # seconds: a bound for what should take a second, never a figure asserted


# --- The routing table ------------------------------------------------------------------------------


def _our_apps() -> list[str]:
    """The project's own apps (INSTALLED_APPS that live in this repository)."""
    return [name for name in settings.INSTALLED_APPS if (ROOT / name.replace(".", "/")).is_dir()]


def _declared_tasks() -> set[str]:
    """Every `shared_task(name=…)` written in the apps' sources."""
    names = set()
    for app_name in _our_apps():
        for path in (ROOT / app_name.replace(".", "/")).rglob("*.py"):
            names |= set(re.findall(r"shared_task\(\s*name=\"([^\"]+)\"", path.read_text(encoding="utf-8")))
    return names


def _our_registered_tasks() -> set[str]:
    app.loader.import_default_modules()  # what a worker does at its start (autodiscovery)
    prefixes = tuple(f"{name}." for name in _our_apps())
    return {name for name in app.tasks if name.startswith(prefixes)}


def test_the_five_queues_are_declared_and_the_default_is_celery():
    assert {q.name for q in settings.CELERY_TASK_QUEUES} == QUEUES
    assert set(app.amqp.queues) == QUEUES  # a worker without -Q consumes all five
    assert settings.CELERY_TASK_DEFAULT_QUEUE == "celery"
    for queue in settings.CELERY_TASK_QUEUES:  # one exchange and routing key per queue, its name
        assert (queue.exchange.name, queue.routing_key) == (queue.name, queue.name)


def test_every_task_of_ours_is_routed_explicitly_to_a_declared_queue():
    registered = _our_registered_tasks()
    assert registered == _declared_tasks()  # autodiscovery found every task written, and only those
    assert len(registered) >= 12

    unrouted = registered - set(settings.CELERY_TASK_ROUTES)
    assert not unrouted, f"route these tasks in settings.CELERY_TASK_ROUTES: {sorted(unrouted)}"
    assert set(settings.CELERY_TASK_ROUTES) <= registered, "a route names a task that no longer exists"
    for name, route in settings.CELERY_TASK_ROUTES.items():
        assert route["queue"] in QUEUES
        assert app.amqp.router.route({}, name)["queue"].name == route["queue"]


def test_the_kinds_of_work_each_have_their_queue():
    queue_of = {name: route["queue"] for name, route in settings.CELERY_TASK_ROUTES.items()}
    assert queue_of["contests.tasks.send_notification"] == "notifications"
    assert queue_of["contests.tasks.requeue_stale_notifications"] == "notifications"
    assert queue_of["quiz.tasks.announce_opened_rounds"] == "notifications"
    assert queue_of["accounts.tasks.send_invitation"] == queue_of["accounts.tasks.requeue_stale_invitations"] == "notifications"
    assert queue_of["reports.tasks.run_export"] == queue_of["awards.tasks.run_certificates"] == "exports"
    assert {queue_of[n] for n in queue_of if ".analyse_" in n} == {"analysis"}
    # The contest's clock waits neither behind an export, an analysis, an SMS burst nor a nightly job.
    assert queue_of["quiz.tasks.finalize_expired_attempts"] == "celery"
    for name in ("accounts.tasks.anonymize_archived", "operations.tasks.clear_sessions", "operations.tasks.prune_exports"):
        assert queue_of[name] == "housekeeping"


def test_a_queue_that_is_not_declared_is_refused():
    from celery.exceptions import QueueNotFound

    with pytest.raises(QueueNotFound, match="notifcations"):
        app.amqp.router.route({"queue": "notifcations"}, "contests.tasks.send_notification")


def _make_worker(**variables) -> list[str]:
    """The worker's command line as `make worker` writes it (the one place it is written), for
    this interpreter's environment."""
    stamp = f"{sys.prefix}/.installed"
    args = ["make", "-s", "-n", "--no-print-directory", "-o", stamp, "worker", f"VENV={sys.prefix}"]
    args += [f"{k}={v}" for k, v in variables.items()]
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True, timeout=30)  # noqa: S603
    return shlex.split(out.stdout.strip().splitlines()[-1])


def test_make_worker_consumes_every_queue_or_the_ones_named():
    everything = _make_worker()
    assert everything[1:] == ["-A", "contest_site", "worker", "-l", "info"]
    assert "-Q" not in everything
    assert everything[0] == f"{sys.prefix}/bin/celery"

    picked = _make_worker(QUEUES="notifications", CONCURRENCY=4, WORKER_NAME="sms@%h")
    assert picked[6:] == ["-Q", "notifications", "--concurrency", "4", "-n", "sms@%h"]
    assert picked[:6] == everything


# --- A real Redis broker and real workers -------------------------------------------------------


def _wait(predicate, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


@pytest.fixture
def broker(tmp_path):
    """A Redis server of this test's own; the app publishes to it for real (not eagerly)."""
    import redis

    # The app reads Django's settings under the CELERY_ namespace: those are the keys to change.
    saved = {"CELERY_BROKER_URL": app.conf.broker_url, "CELERY_TASK_ALWAYS_EAGER": app.conf.task_always_eager}
    with servers.redis_server(tmp_path) as port:
        client = redis.Redis(host="127.0.0.1", port=port)
        url = f"redis://127.0.0.1:{port}/0"
        try:
            app.conf.update(CELERY_BROKER_URL=url, CELERY_TASK_ALWAYS_EAGER=False)
            assert (app.conf.broker_url, app.conf.task_always_eager) == (url, False)
            app._pool = None
            app.amqp._producer_pool = None
            yield {"url": url, "port": port, "redis": client}
        finally:
            if app._pool is not None:
                app._pool.force_close_all()
            app.conf.update(saved)
            app._pool = None
            app.amqp._producer_pool = None


def _length(broker, queue: str) -> int:
    return broker["redis"].llen(queue)


class Worker:
    """`make worker QUEUES=… CONCURRENCY=…`'s command, run against the broker and the test database."""

    def __init__(self, *, broker, tmp_path, queues: str, name: str, concurrency: int = 1):
        self.name = name
        self.log = tmp_path / f"worker-{name}.log"
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "CELERY_", "DATABASE_REPLICA"))}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        env.update(
            DJANGO_SETTINGS_MODULE="contest_site.settings",
            DJANGO_TESTING="0",
            DJANGO_DEBUG="1",
            DATABASE_URL=f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            REDIS_URL=f"redis://127.0.0.1:{broker['port']}/1",  # the worker's cache (the SMS ceiling)
            CACHE_REDIS_URL=f"redis://127.0.0.1:{broker['port']}/1",
            CELERY_BROKER_URL=broker["url"],
            DJANGO_CACHE_PREFIX=f"queues-{name}",
            SMS_BACKEND="contests.sms.ConsoleBackend",
            DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
            DJANGO_PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
            PYTHONUNBUFFERED="1",
        )
        command = _make_worker(QUEUES=queues, CONCURRENCY=concurrency, WORKER_NAME=f"{name}@%h")
        self.handle = open(self.log, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - the Makefile's own command line
            command, cwd=ROOT, env=env, stdout=self.handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        _wait(lambda: re.search(rf"{re.escape(name)}@\S+ ready\.", self.output()) or self._died(), f"worker {name} ready")

    def _died(self):
        if self.process.poll() is not None:
            raise AssertionError(f"worker {self.name} exited {self.process.returncode}:\n{self.output()[-3000:]}")
        return False

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def sms_sent(self) -> list[str]:
        """The tags (see _notify) of the SMS this worker sent, from the console backend's log
        lines (the number itself is masked by the log scrubber)."""
        lines = re.findall(r"^.* INFO contests\.sms \[SMS to .*$", self.output(), flags=re.M)
        return [tag for line in lines for tag in re.findall(r"\bTAG([A-Z]+)\b", line)]

    def kill(self):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.handle.close()

    def stop(self, timeout: float = 30):
        """Warm shutdown (SIGTERM, what `docker compose stop` sends): the task in hand finishes."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # the pool's children, should any be left
            os.killpg(self.process.pid, signal.SIGKILL)
        self.handle.close()


@pytest.fixture
def workers(broker, tmp_path):
    started = []

    def start(queues: str, name: str, concurrency: int = 1) -> Worker:
        worker = Worker(broker=broker, tmp_path=tmp_path, queues=queues, name=name, concurrency=concurrency)
        started.append(worker)
        return worker

    yield start
    for worker in started:  # the test is over: no task in hand matters, no warm shutdown to wait for
        worker.kill()


needs_postgres = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="workers in other processes share PostgreSQL"
)
_phones = iter(range(10**6))


def _people(n: int) -> list:
    return [contestant(user__phone=f"097{next(_phones):07d}", user__phone_verified=True, user__email=None) for _ in range(n)]


def _tag(i: int) -> str:
    return chr(ord("A") + i // 26) + chr(ord("A") + i % 26)


def _notify(user, key: str, tag: str) -> Notification:
    """An SMS to this person, its text marked TAG<tag> so that the worker's log shows which was sent."""
    notifications.notify(user=user, kind=NotificationKind.PRIZE_WON, key=key, context={"tier_label": f"Giải Ba TAG{tag}"})
    return Notification.objects.get(key=key, recipient=user)


def _sent(*rows) -> bool:
    return all(Notification.objects.get(pk=row.pk).status == "sent" for row in rows)


def _export(contest):
    from reports.models import ExportJob

    return ExportJob.objects.create(kind="attempts", contest=contest, requested_by=staff_user("secretariat"))


def _export_done(job) -> bool:
    job.refresh_from_db()
    assert job.status != "failed", job.error
    return job.status == "done"


@pytest.mark.django_db(transaction=True)
def test_the_beats_messages_land_on_their_queues(broker):
    """What the beat sends goes through the same routes: each declared entry, published by the
    project's scheduler (django-celery-beat, from the database), is in its queue's Redis list."""
    from contests.scheduler import Scheduler

    app.loader.import_default_modules()
    scheduler = Scheduler(app=app)
    entries = {name: entry for name, entry in scheduler.schedule.items() if name in settings.CELERY_BEAT_SCHEDULE}
    assert set(entries) == set(settings.CELERY_BEAT_SCHEDULE)
    expected: dict[str, int] = {}
    with app.producer_or_acquire() as producer:
        for entry in entries.values():
            scheduler.apply_async(entry, producer=producer, advance=False)
            queue = settings.CELERY_TASK_ROUTES[entry.task]["queue"]
            expected[queue] = expected.get(queue, 0) + 1

    assert {queue: _length(broker, queue) for queue in QUEUES} == {queue: expected.get(queue, 0) for queue in QUEUES}
    assert expected["notifications"] == 5 and expected["celery"] == 1 and expected["housekeeping"] == 4


@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_a_notification_waits_in_redis_without_its_worker_and_is_sent_when_one_starts(broker, workers):
    others = workers("exports,analysis,housekeeping,celery", "others")
    (person,) = _people(1)
    row = _notify(person, "prize:queued", "Q")
    assert _length(broker, "notifications") == 1

    # The other worker is up and consuming: an export queued after the notification is built…
    job = _export(ContestFactory())
    from reports.tasks import run_export

    run_export.delay(job_id=job.pk)
    _wait(lambda: _export_done(job), "the export is built")
    # …while the notification is still in Redis, not taken (nor lost) by a worker of other queues.
    assert _length(broker, "notifications") == 1
    assert Notification.objects.get(pk=row.pk).status == "queued"
    assert others.sms_sent() == []

    sms = workers("notifications", "sms")
    _wait(lambda: _sent(row), "the notification is sent once a notifications worker runs")
    assert sms.sms_sent() == ["Q"]
    assert _length(broker, "notifications") == 0
    row.refresh_from_db()
    assert row.attempts == 1


@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_a_long_export_does_not_delay_a_notification_when_each_queue_has_its_worker(broker, workers):
    exports = workers("exports", "exports")
    sms = workers("notifications", "sms")
    (person,) = _people(1)
    job = _export(ContestFactory())
    with _held(job):  # the export runs, and stays running, until the lock is let go
        from reports.tasks import run_export

        run_export.delay(job_id=job.pk)
        _wait(lambda: _blocked_on_the_job(), "the export worker is busy with the export")
        row = _notify(person, "prize:during-export", "D")
        _wait(lambda: _sent(row), "the notification is sent while the export runs")
        assert _blocked_on_the_job()  # the export is still running…
        job.refresh_from_db()
        assert job.status == "pending"  # …not even past its first write
    _wait(lambda: _export_done(job), "the export finishes once let go")
    row.refresh_from_db()
    assert row.sent_at < job.finished_at
    assert sms.sms_sent() == ["D"] and exports.sms_sent() == []


@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_with_one_worker_for_every_queue_the_notification_waits_for_the_export(broker, workers):
    """Why the queues have workers of their own: one worker of concurrency 1 for everything (the
    single-machine default of `make worker`) delivers the notification only after the export."""
    workers("notifications,exports,analysis,housekeeping,celery", "all")
    (person,) = _people(1)
    job = _export(ContestFactory())
    with _held(job):
        from reports.tasks import run_export

        run_export.delay(job_id=job.pk)
        _wait(lambda: _blocked_on_the_job(), "the worker is busy with the export")
        row = _notify(person, "prize:behind-export", "B")
        time.sleep(3)  # a window in which a free worker would have sent it (it takes ~0.1 s)
        assert Notification.objects.get(pk=row.pk).status == "queued"
        assert _length(broker, "notifications") == 1
    _wait(lambda: _sent(row), "the notification is sent after the export")
    _export_done(job)
    row.refresh_from_db()
    assert row.sent_at >= job.finished_at


@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_notifications_queued_while_the_worker_is_stopped_are_all_sent_once_after(broker, workers):
    """The fault of the issue at a small scale (the load scenario runs it for 60 s): the
    notifications worker stops; messages queued meanwhile wait in Redis, rows whose message was
    lost are re-queued by the beat's job through the notifications queue; once a worker is back,
    every one is sent, each exactly once."""
    from datetime import timedelta

    from django.utils import timezone

    from contests.tasks import requeue_stale_notifications

    first = workers("notifications", "sms1")
    people = _people(12)
    before = _notify(people[0], "prize:before-stop", "X")
    _wait(lambda: _sent(before), "sent while the worker runs")
    first.stop()

    waiting = [_notify(person, f"prize:stopped:{i}", _tag(i)) for i, person in enumerate(people[1:9], 1)]
    # Three whose message was lost (a broker emptied, a crash before the publish): rows only.
    lost = [
        Notification.objects.create(
            recipient=person,
            channel="sms",
            kind=NotificationKind.PRIZE_WON,
            key=f"prize:lost:{i}",
            address=person.phone,
            body=f"Giai Ba TAG{_tag(i)}",
            next_attempt_at=timezone.now() - timedelta(minutes=10),
        )
        for i, person in enumerate(people[9:], 9)
    ]
    assert _length(broker, "notifications") == len(waiting)
    requeue_stale_notifications.delay()  # what the beat sends every 2 minutes, to the same queue
    assert _length(broker, "notifications") == len(waiting) + 1
    assert all(Notification.objects.get(pk=r.pk).status == "queued" for r in waiting + lost)

    second = workers("notifications", "sms2", concurrency=2)
    _wait(lambda: _sent(*waiting, *lost), "every notification is sent after the restart")
    assert _length(broker, "notifications") == 0
    assert sorted(second.sms_sent()) == [_tag(i) for i in range(1, 12)]  # each once, none twice
    assert first.sms_sent() == ["X"]
    assert {Notification.objects.get(pk=r.pk).attempts for r in waiting + lost} == {1}


# --- A lock that keeps an export running ----------------------------------------------------------


class _held:
    """Holds the export job's row lock from a connection of its own: the worker's export blocks
    at its first write (status «running») until the lock is let go — a long export on demand."""

    def __init__(self, job):
        self.job = job

    def __enter__(self):
        import psycopg2

        db = connection.settings_dict
        self.conn = psycopg2.connect(
            dbname=db["NAME"],
            user=db["USER"],
            password=db.get("PASSWORD") or None,
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
        )
        with self.conn.cursor() as cursor:
            cursor.execute("select id from reports_exportjob where id = %s for update", [self.job.pk])
        return self

    def __exit__(self, *exc):
        self.conn.rollback()
        self.conn.close()


def _blocked_on_the_job() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'"
            " and query ilike '%%reports_exportjob%%'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_the_metrics_report_the_length_of_each_queue(broker, client, settings):
    """contest_celery_queue_length has one series per queue (the web reads the broker's lists)."""
    from contests.tasks import send_notification
    from reports.tasks import run_export

    settings.CELERY_BROKER_URL = broker["url"]
    for pk in (1, 2, 3):
        send_notification.delay(notification_id=pk)
    run_export.delay(job_id=1)

    text = client.get("/metrics").content.decode()

    lengths = dict(re.findall(r'^contest_celery_queue_length\{queue="(\w+)"\} ([\d.]+)$', text, flags=re.M))
    assert lengths == {"notifications": "3.0", "exports": "1.0", "analysis": "0.0", "housekeeping": "0.0", "celery": "0.0"}
