"""Writes for awards: issuing a contest's certificates as a job with progress (the export job's
row and page, `reports.models.ExportJob`, kind "certificates")."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import ExportJob

CERTIFICATES = "certificates"


def certificates_request(*, contest, user) -> ExportJob:
    """Queue the issue of every certificate the contest's data asks for (a job row with progress)."""
    from .tasks import run_certificates

    job = ExportJob.objects.create(kind=CERTIFICATES, contest=contest, requested_by=user)
    transaction.on_commit(lambda: run_certificates.delay(job_id=job.pk))
    return job


def certificates_run(*, job: ExportJob) -> ExportJob:
    """Issue the missing certificates, storing done/total of this run's work as it goes (the
    certificates missing when it started, never the ones issued before). Safe to run twice: issued
    certificates keep their codes (`certificates.certificates_issue`), a finished job is left alone."""
    from .certificates import certificates_issue

    if job.status == ExportJob.Status.DONE:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)

    counted = {"total": 0}

    def progress(done: int, to_issue: int) -> None:
        # This run's work: the certificates missing when it started (certificates_issue).
        counted["total"] = to_issue
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=to_issue)

    try:
        certificates_issue(contest=job.contest, progress=progress)
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    total = counted["total"]
    job.status, job.rows_done, job.rows_total, job.finished_at = ExportJob.Status.DONE, total, total, timezone.now()
    job.save(update_fields=["status", "rows_done", "rows_total", "finished_at"])
    return job


@transaction.atomic
def quiz_prize_decide(*, prize, by, valid: bool, text: str, amend: bool = False, case_keys=()):
    """The secretariat's verdict on a weekly prize (`prize_verify`), or «sửa kết quả đã công bố»
    (`prize_amend`). Found not valid, it may also decide the undecided integrity cases about the
    winner that the verdict answers (`case_keys`, chosen on the winners page): each is decided
    «loại khỏi xếp hạng» with the same reason, so the case no longer reads «chưa quyết định»."""
    from audit import integrity
    from audit.models import IntegrityDecision
    from quiz.services import prizes as quiz_prizes

    if amend:
        prize = quiz_prizes.prize_amend(prize=prize, by=by, valid=valid, reason=text)
    else:
        prize = quiz_prizes.prize_verify(prize=prize, by=by, valid=valid, note=text)
    if not valid and case_keys:
        contest = prize.round.contest
        wanted = set(case_keys)
        for case in integrity.open_cases_by_user(contest=contest, user_ids=[prize.user_id]).get(prize.user_id, []):
            if case.key in wanted:
                reason = _("%(tier)s không hợp lệ: %(reason)s") % {"tier": prize.get_tier_display(), "reason": text.strip()}
                integrity.decide(
                    contest=contest, case=case, by=by, verdict=IntegrityDecision.Verdict.DISQUALIFY, reason=reason[:500]
                )
    return prize
