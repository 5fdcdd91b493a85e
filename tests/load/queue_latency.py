"""How long a notification waits while exports run: one worker for every queue against a worker
per queue (docs/performance.md, "Queues per kind of work").

    DATABASE_URL=postgres://…/sim python -m tests.load.queue_latency [--exports 2] [--concurrency 2]

The database holds a contest (`manage.py simulate_contest`); the broker is a redis-server of the
script's own on a free loopback port, stopped at the end. Workers are started with the command
line of `make worker` (QUEUES=, CONCURRENCY=). In each layout: the exports are requested, and once
every export has started, one SMS notification is queued; the figure is the time from its queueing
to its row being marked sent (the console SMS backend stands for the gateway)."""

import argparse
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_command(**variables) -> list[str]:
    args = ["make", "-s", "-n", "--no-print-directory", "-o", f"{sys.prefix}/.installed", "worker", f"VENV={sys.prefix}"]
    args += [f"{k}={v}" for k, v in variables.items()]
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S603
    return shlex.split(out.stdout.strip().splitlines()[-1])


def wait(predicate, what: str, timeout: float = 600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise SystemExit(f"not within {timeout} s: {what}")


class Worker:
    def __init__(self, env: dict, folder: Path, *, queues: str, concurrency: int, name: str):
        self.log = folder / f"{name}.log"
        self.handle = open(self.log, "ab")  # noqa: SIM115
        command = worker_command(QUEUES=queues, CONCURRENCY=concurrency, WORKER_NAME=f"{name}@%h")
        self.process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=self.handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait(lambda: re.search(rf"{name}@\S+ ready\.", self.log.read_text(errors="replace")), f"{name} ready", 120)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.handle.close()


def scenario(label: str, layout: list[tuple[str, int]], *, exports: int, env: dict, folder: Path) -> dict:
    from django.utils import timezone

    from contests import notifications
    from contests.enums import NotificationKind
    from contests.models import Contest, Notification
    from reports.models import ExportJob
    from reports.services import export_request

    workers = [Worker(env, folder, queues=q, concurrency=c, name=f"{label}{i}") for i, (q, c) in enumerate(layout)]
    try:
        contest = Contest.objects.order_by("-pk").first()
        staff = _person("queue-latency-staff")
        jobs = [export_request(kind="attempts", contest=contest, user=staff) for _ in range(exports)]
        wait(
            lambda: ExportJob.objects.filter(pk__in=[j.pk for j in jobs], status="running").count() == exports, "exports running"
        )
        person = _person("queue-latency-person", phone=True)
        key = f"queue-latency:{label}:{time.time_ns()}"
        queued_at = timezone.now()
        notifications.notify(user=person, kind=NotificationKind.PRIZE_WON, key=key, context={"tier_label": "Giải Ba"})
        wait(lambda: Notification.objects.filter(key=key, status="sent").exists(), "notification sent")
        sent_at = Notification.objects.get(key=key).sent_at
        wait(lambda: ExportJob.objects.filter(pk__in=[j.pk for j in jobs], status="done").count() == exports, "exports done")
        finished = [j.finished_at for j in ExportJob.objects.filter(pk__in=[j.pk for j in jobs])]
        started = min(j.created_at for j in jobs)
        return {
            "layout": label,
            "notification_wait_s": round((sent_at - queued_at).total_seconds(), 2),
            "exports_s": round((max(finished) - started).total_seconds(), 1),
            "sent_before_exports_done": sent_at < min(finished),
        }
    finally:
        for worker in workers:
            worker.stop()


def _person(tag: str, phone: bool = False):
    """A staff member to request the exports, or a person reached by SMS only (made once)."""
    from accounts.models import User

    if phone:
        fields = {"phone": "0979999999", "defaults": {"phone_verified": True, "full_name": "Người Đo Thử"}}
    else:
        fields = {"email": f"{tag}@example.com", "defaults": {"full_name": "Người Đo Thử"}}
    return User.objects.get_or_create(**fields)[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exports", type=int, default=2, help="exports running when the notification is queued")
    parser.add_argument("--concurrency", type=int, default=2, help="of the single worker, and of the exports worker")
    args = parser.parse_args()
    binary = shutil.which("redis-server") or sys.exit("redis-server is not installed")
    folder = Path(tempfile.mkdtemp(prefix="queue-latency-"))
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "PROMETHEUS"))}
    env.update(
        DJANGO_SETTINGS_MODULE="contest_site.settings",
        DJANGO_DEBUG=env.get("DJANGO_DEBUG", "1"),
        CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/0",
        REDIS_URL=f"redis://127.0.0.1:{port}/1",
        CACHE_REDIS_URL=f"redis://127.0.0.1:{port}/1",
        SMS_BACKEND="contests.sms.ConsoleBackend",
        DJANGO_PRIVATE_MEDIA_ROOT=str(folder / "private"),
        DJANGO_MEDIA_ROOT=str(folder / "media"),
    )
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DJANGO_DEBUG", "CELERY_BROKER_URL", "REDIS_URL")})
    os.environ.update(CACHE_REDIS_URL=env["CACHE_REDIS_URL"], SMS_BACKEND=env["SMS_BACKEND"])
    import django

    django.setup()
    everything = "notifications,exports,analysis,housekeeping,celery"
    try:
        results = [
            scenario("one", [(everything, args.concurrency)], exports=args.exports, env=env, folder=folder),
            scenario(
                "split",
                [("notifications", 1), ("exports", args.concurrency), ("analysis,housekeeping,celery", 1)],
                exports=args.exports,
                env=env,
                folder=folder,
            ),
        ]
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(folder, ignore_errors=True)
    for row in results:
        print(row)


if __name__ == "__main__":
    main()
