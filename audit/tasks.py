"""The audit app's background work: finding the integrity cases (audit.integrity.scan_run)."""

import datetime

from celery import shared_task


@shared_task(name="audit.tasks.integrity_scan", time_limit=3600, soft_time_limit=3500)
def integrity_scan(contest_id: int) -> int:
    """Find one contest's cases now (the review page's «Rà soát lại ngay»). Returns how many."""
    from contests.models import Contest

    from .integrity import scan_run

    contest = Contest.objects.filter(pk=contest_id).first()
    return scan_run(contest=contest).found.count() if contest is not None else 0


@shared_task(name="audit.tasks.integrity_scan_contests", time_limit=3600, soft_time_limit=3500)
def integrity_scan_contests() -> int:
    """The beat's scan (every INTEGRITY_SCAN_MINUTES): each contest where something may have
    changed since its last scan — a round open now or closed since — and any contest not
    scanned for a day (a profile's phone or name can change a case). Returns the contests scanned."""
    from django.utils import timezone

    from .integrity import contests_to_scan, scan_run

    done = 0
    for contest in contests_to_scan(now=timezone.now(), every=datetime.timedelta(days=1)):
        scan_run(contest=contest)
        done += 1
    return done
