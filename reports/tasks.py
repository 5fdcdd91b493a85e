from celery import shared_task

from . import services
from .models import ExportJob


@shared_task(name="reports.tasks.run_export", time_limit=30 * 60, soft_time_limit=25 * 60)
def run_export(*, job_id: int) -> None:
    """Build a queued export. Safe to run twice: a missing or finished job is skipped."""
    job = ExportJob.objects.select_related("contest").filter(pk=job_id).first()
    if job is None or job.status == ExportJob.Status.DONE:
        return
    services.export_run(job=job)


@shared_task(name="reports.tasks.send_unit_digests", time_limit=15 * 60, soft_time_limit=14 * 60)
def send_unit_digests() -> int:
    """Beat (Monday morning): each unit officer's weekly digest. Safe to run twice: the outbox
    key is per officer and week."""
    from .reminders import digests_send

    return digests_send()
