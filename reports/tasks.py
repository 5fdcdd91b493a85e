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
