"""Notifications across a stopped Celery worker (make loadtest LOADTEST_SCENARIO=faults).

    python tests/load/notify.py prepare N      load1…N get a verified mobile number and ask to be
                                               told when a round opens (by e-mail and SMS)
    python tests/load/notify.py open           a new weekly round opens and is announced as the beat
                                               does every minute (quiz.services.notifications.rounds_announce_opened):
                                               Notification rows written, one task each on the broker
    python tests/load/notify.py count [WAIT]   waits up to WAIT s (default 0) for the queued rows to
                                               be sent (or until none was sent for 15 s), then
                                               prints the rows by state. Rows still
                                               queued lost their task (a task that failed, e.g. in a
                                               PostgreSQL restart): the beat's
                                               requeue_stale_notifications, run as it would be
                                               STALE_AFTER (5 min) later, queues them again; waits
                                               WAIT s more and prints the states again. Exits 1
                                               if any row is not sent then

The SMS and e-mail backends are the console ones (the world's edge): the worker writes each message
to its log. The run's own Redis is the broker."""

import datetime
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contest_site.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count, Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from contests import notifications  # noqa: E402
from contests.enums import NotificationKind, NotificationStatus  # noqa: E402
from contests.models import Notification, NotificationPreference  # noqa: E402
from quiz.enums import RoundKind  # noqa: E402
from quiz.models import Round, RoundQuestion  # noqa: E402
from quiz.services.notifications import rounds_announce_opened  # noqa: E402
from quiz.services.pool import round_pool_add  # noqa: E402
from quiz.services.rounds import round_approve  # noqa: E402


def prepare(n: int) -> None:
    users = list(User.objects.filter(email__in=[f"load{i}@example.com" for i in range(1, n + 1)]))
    for user in users:
        user.phone, user.phone_verified = f"03{int(user.email[4:].split('@')[0]):08d}", True
    User.objects.bulk_update(users, ["phone", "phone_verified"])
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user=u, kind=NotificationKind.ROUND_OPEN, enabled=True) for u in users],
        ignore_conflicts=True,
    )
    print(f"{len(users)} contestants told when a round opens")


def open_round() -> None:
    load = Round.objects.get(kind=RoundKind.WEEKLY, number=99, name="Tuần thi tải thử")
    now = timezone.now()
    number = (Round.objects.filter(contest=load.contest).aggregate(n=Max("number"))["n"] or 0) + 1
    new = Round.objects.create(contest=load.contest, kind=RoundKind.WEEKLY, number=number, name=f"Tuần thi tải thử {number}",
                               opens_at=now - datetime.timedelta(minutes=1), closes_at=now + datetime.timedelta(days=1),
                               attempts_per_day=None, min_start_interval_minutes=None)  # fmt: skip
    pool = list(RoundQuestion.objects.filter(round=load).values_list("question_id", flat=True))
    round_pool_add(round=new, question_ids=pool)
    round_approve(round=new, by=User.objects.filter(is_superuser=True).first(), confirm_published=True)
    started = time.time()
    announced = rounds_announce_opened()
    rows = Notification.objects.filter(key=f"round_open:{new.pk}").count()
    print(f"{time.strftime('%H:%M:%S')} round {new.pk} opened: {announced} rounds announced, "
          f"{rows} notifications queued in {time.time() - started:.1f} s")  # fmt: skip


def tally(wait: float, label: str) -> tuple[int, int]:
    started = time.time()
    rows = Notification.objects.filter(kind=NotificationKind.ROUND_OPEN)
    queued, still = rows.filter(status=NotificationStatus.QUEUED).count(), 0
    # Until none is queued, or none was sent for 15 s (the rest lost their task), or WAIT s.
    while queued and still < 15 and time.time() - started < wait:
        time.sleep(1)
        now_queued = rows.filter(status=NotificationStatus.QUEUED).count()
        still, queued = (still + 1 if now_queued == queued else 0), now_queued
    states = dict(rows.values_list("status").annotate(n=Count("pk")).order_by())
    channels = dict(rows.filter(status=NotificationStatus.SENT).values_list("channel").annotate(n=Count("pk")).order_by())
    total = sum(states.values())
    sent = states.get(NotificationStatus.SENT, 0)
    print(f"notifications: {total} written, sent {sent} ({', '.join(f'{c} {n}' for c, n in sorted(channels.items()))}), "
          f"queued {states.get(NotificationStatus.QUEUED, 0)}, failed {states.get(NotificationStatus.FAILED, 0)} "
          f"({label}, after {time.time() - started:.0f} s)")  # fmt: skip
    return total, sent


def count(wait: float) -> int:
    total, sent = tally(wait, "the queue drained or the wait ended")
    if total and sent < total:
        from contests.tasks import send_notification

        due = notifications.notifications_due(now=timezone.now() + notifications.STALE_AFTER)
        for pk in due:
            send_notification.delay(notification_id=pk)
        print(f"{len(due)} rows queued again by the beat's requeue_stale_notifications (run as 5 min later)")
        total, sent = tally(wait, "after the requeue")
    return 0 if total and sent == total else 1


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(int(sys.argv[2]))
    elif sys.argv[1] == "open":
        open_round()
    else:
        sys.exit(count(float(sys.argv[2]) if len(sys.argv) > 2 else 0))
