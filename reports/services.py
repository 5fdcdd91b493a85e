"""Writes for reports: large exports run by a worker, with progress."""

import tempfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from contest_site.db_router import reading_from_replica
from quiz.enums import RoundKind

from . import exports
from .models import ExportJob

# The large exports a worker builds: the kind of ExportJob → its file's extension and writer.
EXPORT_KINDS = {"attempts": ("xlsx", exports.attempts_workbook), "attempts_csv": ("csv", exports.attempts_csv)}


def export_request(*, kind: str, contest, user) -> ExportJob:
    """Queue a large export (a kind of EXPORT_KINDS); the worker starts once this transaction has committed."""
    if kind not in EXPORT_KINDS:
        raise ValueError(kind)
    from .tasks import run_export

    job = ExportJob.objects.create(kind=kind, contest=contest, requested_by=user)
    transaction.on_commit(lambda: run_export.delay(job_id=job.pk))
    return job


def export_run(*, job: ExportJob) -> ExportJob:
    """Build the workbook, reporting progress every 2,000 rows. Idempotent: a finished job is left alone.
    The attempts are read from the read replica when it is fit (contest_site.db_router); the job's
    row (its status and progress) is written on the primary, where its page reads it."""
    if job.status == ExportJob.Status.DONE:
        return job
    with reading_from_replica():  # one server for the count and the rows
        return _export_build(job)


def _export_build(job: ExportJob) -> ExportJob:
    total = sum(exports.contest_attempts(contest=job.contest, kind=kind).count() for kind in RoundKind.values)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, rows_total=total, rows_done=0)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

    try:
        with tempfile.TemporaryFile() as handle:
            extension, write = EXPORT_KINDS.get(job.kind, EXPORT_KINDS["attempts"])
            write(handle, contest=job.contest, progress=progress)
            handle.seek(0)
            job.file.save(f"bai-thi-{job.contest.slug}-{job.pk}.{extension}", File(handle), save=False)
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    job.status, job.rows_done, job.rows_total, job.finished_at = ExportJob.Status.DONE, total, total, timezone.now()
    job.save(update_fields=["file", "status", "rows_done", "rows_total", "finished_at"])
    return job
