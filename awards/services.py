"""Writes for awards: issuing a contest's certificates as a job with progress (the export job's
row and page, `reports.models.ExportJob`, kind "certificates")."""

from django.db import transaction
from django.utils import timezone

from reports.models import ExportJob

CERTIFICATES = "certificates"


def certificates_request(*, contest, user) -> ExportJob:
    """Queue the issue of every certificate the contest's data asks for (a job row with progress)."""
    from .tasks import run_certificates

    job = ExportJob.objects.create(kind=CERTIFICATES, contest=contest, requested_by=user)
    transaction.on_commit(lambda: run_certificates.delay(job_id=job.pk))
    return job


def certificates_run(*, job: ExportJob) -> ExportJob:
    """Issue the missing certificates, storing done/total as it goes. Safe to run twice: issued
    certificates keep their codes (`certificates.certificates_issue`), a finished job is left alone."""
    from .certificates import certificates_issue

    if job.status == ExportJob.Status.DONE:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)

    def progress(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

    try:
        _created, total = certificates_issue(contest=job.contest, progress=progress)
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    job.status, job.rows_done, job.rows_total, job.finished_at = ExportJob.Status.DONE, total, total, timezone.now()
    job.save(update_fields=["status", "rows_done", "rows_total", "finished_at"])
    return job
