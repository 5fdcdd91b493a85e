from celery import shared_task

from reports.models import ExportJob

from . import services


@shared_task(name="awards.tasks.run_certificates", time_limit=30 * 60, soft_time_limit=25 * 60)
def run_certificates(*, job_id: int) -> None:
    """Issue a contest's certificates. Safe to run twice: a missing or finished job is skipped,
    and issuing never duplicates a certificate."""
    job = ExportJob.objects.select_related("contest").filter(pk=job_id).first()
    if job is None or job.status == ExportJob.Status.DONE:
        return
    services.certificates_run(job=job)
