"""Writes for the writing contest. Every change happens in one transaction."""

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import is_organizer
from contests.decisions import Action, decision_record
from contests.rules import guard_contest_writable

from .enums import Eligibility, EssayStatus
from .models import Essay, EssayAuthor, EssayFile, EssayPhase, EssayPrize


class EssayError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


def _guard_editable(essay: Essay) -> None:
    guard_contest_writable(essay.phase.contest, error=EssayError)
    if essay.status == EssayStatus.WITHDRAWN:
        raise EssayError(_("Bài viết đã được rút, không thể sửa."))
    if not essay.phase.is_open:
        raise EssayError(_("Giai đoạn nhận bài đã kết thúc; bài viết không thể sửa nữa."))
    from .freeze import guard_essay_unfrozen  # the freeze's one rule (it imports EssayError from here)

    guard_essay_unfrozen(essay)


@transaction.atomic
def essay_save(*, essay: Essay | None, phase: EssayPhase, submitter, authors: list[dict], **fields) -> Essay:
    """Create or update a draft (or a submitted essay while its phase is open) with its authors."""
    if essay is None:
        guard_contest_writable(phase.contest, error=EssayError)
        if not phase.is_open:
            raise EssayError(_("Giai đoạn nhận bài chưa mở hoặc đã kết thúc."))
        # A unique placeholder until the primary key gives the real code, in the same transaction.
        essay = Essay(phase=phase, submitter=submitter, code=f"tmp-{uuid.uuid4().hex[:12]}")
    else:
        _guard_editable(essay)
    for name, value in fields.items():
        setattr(essay, name, value)
    essay.save()
    if essay.code.startswith("tmp-"):
        essay.code = f"BV-{phase.opens_at.year}-{essay.pk:04d}"
        essay.save(update_fields=["code"])
    essay.authors.all().delete()
    EssayAuthor.objects.bulk_create(EssayAuthor(essay=essay, order=i, **author) for i, author in enumerate(authors))
    return essay


def essay_problems(essay: Essay) -> list[str]:
    """The rules checked at submission, as sentences a contestant can act on."""
    problems = []
    words, phase = essay.word_count, essay.phase
    if words < phase.min_words or words > phase.max_words:
        problems.append(
            _("Bài viết có %(n)d chữ; thể lệ yêu cầu từ %(min)d đến %(max)d chữ.")
            % {"n": words, "min": phase.min_words, "max": phase.max_words}
        )
    if not essay.declares_real:
        problems.append(_("Cần cam kết bài viết về người thật, việc thật."))
    if not essay.declares_unpublished:
        problems.append(_("Cần cam kết bài viết chưa đăng trên báo chí và chưa dự thi ở nơi khác."))
    if not essay.authors.exists():
        problems.append(_("Cần ít nhất một tác giả."))
    return problems


class AttachmentMissing(EssayError):
    """The phase's rules expect an attachment and the essay has none: the submitter confirms."""


def attachment_missing(essay: Essay) -> bool:
    """Whether submitting `essay` needs the submitter to confirm that they send no file: its phase
    expects an attachment (`EssayPhase.expects_attachment`) and it has none. The rule's one home,
    asked by `essay_submit` and the essay's page (which asks before «Nộp bài»)."""
    return essay.phase.expects_attachment and not essay.files.exists()


@transaction.atomic
def essay_submit(*, essay: Essay, user, without_attachment: bool = False) -> Essay:
    """Submit a draft. An essay without the attachment its phase expects is submitted only when
    the submitter confirmed it (`without_attachment`); otherwise `AttachmentMissing`. Submitting
    an essay already submitted changes nothing (its first time stays)."""
    essay = Essay.objects.select_for_update().select_related("phase").get(pk=essay.pk)
    if essay.submitter_id != user.pk:
        raise EssayError(_("Bài viết này không phải của anh/chị."))
    _guard_editable(essay)
    problems = essay_problems(essay)
    if problems:
        raise EssayError(" ".join(problems))
    if essay.status != EssayStatus.SUBMITTED and not without_attachment and attachment_missing(essay):
        raise AttachmentMissing(_("Thể lệ yêu cầu gửi kèm tệp bài viết (Word hoặc PDF) nhưng bài chưa có tệp nào."))
    if essay.status != EssayStatus.SUBMITTED:
        essay.status = EssayStatus.SUBMITTED
        essay.submitted_at = timezone.now()
        essay.save(update_fields=["status", "submitted_at"])
    return essay


@transaction.atomic
def essay_withdraw(*, essay: Essay, user) -> Essay:
    essay = Essay.objects.select_for_update().select_related("phase").get(pk=essay.pk)
    if essay.submitter_id != user.pk:
        raise EssayError(_("Bài viết này không phải của anh/chị."))
    _guard_editable(essay)
    essay.status = EssayStatus.WITHDRAWN
    essay.save(update_fields=["status"])
    return essay


@transaction.atomic
def essay_file_add(*, essay: Essay, upload, kind: str) -> EssayFile:
    _guard_editable(essay)
    if essay.files.count() >= 10:
        raise EssayError(_("Mỗi bài viết đính kèm tối đa 10 tệp."))
    record = EssayFile(essay=essay, kind=kind, original_name=upload.name[:255], size=upload.size)
    extension = {"pdf": "pdf", "docx": "docx", "jpeg": "jpg", "png": "png"}[kind]
    record.file.save(f"{essay.code}-{essay.files.count() + 1}.{extension}", upload, save=False)
    record.save()
    return record


@transaction.atomic
def essay_screen(*, essay: Essay, by, eligible: bool, reasons: list[str], note: str) -> Essay:
    """Vòng sơ loại: the secretariat marks a submitted essay eligible or not, with reasons."""
    essay = Essay.objects.select_for_update().get(pk=essay.pk)
    guard_contest_writable(essay.phase.contest, error=EssayError)
    if essay.status != EssayStatus.SUBMITTED:
        raise EssayError(_("Chỉ sơ loại bài đã nộp."))
    if not eligible and not reasons:
        raise EssayError(_("Cần chọn ít nhất một lý do không đủ điều kiện."))
    essay.eligibility = Eligibility.ELIGIBLE if eligible else Eligibility.INELIGIBLE
    essay.screening_reasons = [] if eligible else reasons
    essay.screening_note = note
    essay.screened_by = by
    essay.screened_at = timezone.now()
    essay.save(update_fields=["eligibility", "screening_reasons", "screening_note", "screened_by", "screened_at"])
    decision_record(
        action=Action.ESSAY_SCREEN, obj=essay, by=by, reason=note,
        data={"eligibility": essay.eligibility, "reasons": essay.screening_reasons},
    )  # fmt: skip
    _notify_screening(essay)
    return essay


def _notify_screening(essay: Essay) -> None:
    """The submitter hears the outcome (once per outcome: a changed verdict is told again)."""
    from django.conf import settings
    from django.urls import reverse

    from contests import notifications

    from .enums import IneligibleReason

    labels = dict(IneligibleReason.choices)
    notifications.notify(
        user=essay.submitter,
        kind=notifications.Kind.SCREENING,
        key=f"screening:{essay.pk}:{essay.eligibility}",
        context={
            "essay_code": essay.code,
            "essay_title": essay.title,
            "eligible": essay.eligibility == Eligibility.ELIGIBLE,
            "reasons": [str(labels.get(r, r)) for r in essay.screening_reasons],
            "note": essay.screening_note,
            "url": settings.SITE_URL + reverse("essays:mine_detail", args=[essay.pk]),
        },
    )


@transaction.atomic
def essay_publish(*, essay: Essay, by) -> Essay:
    """Put one essay on the contest's public pages. Only an essay that was submitted and found
    eligible in screening; an essay holding a prize appears with the prize list (prizes_publish),
    never ahead of it. Publishing twice keeps the first time."""
    essay = Essay.objects.select_for_update().get(pk=essay.pk)
    if not is_organizer(by):
        raise EssayError(_("Chỉ Ban Tổ chức được đăng bài viết lên trang cuộc thi."))
    if essay.published_at:
        return essay
    if essay.status != EssayStatus.SUBMITTED:
        raise EssayError(_("Bài %(code)s chưa được nộp (hoặc đã rút); không thể đăng.") % {"code": essay.code})
    if essay.eligibility == Eligibility.PENDING:
        raise EssayError(_("Bài %(code)s đang chờ sơ loại; chỉ đăng bài đã được xác định đủ điều kiện.") % {"code": essay.code})
    if essay.eligibility != Eligibility.ELIGIBLE:
        raise EssayError(_("Bài %(code)s không đủ điều kiện dự thi; không thể đăng.") % {"code": essay.code})
    if EssayPrize.objects.valid().filter(essay=essay).exists():
        raise EssayError(
            _("Bài %(code)s nằm trong danh sách giải; bài được đăng khi công bố danh sách giải.") % {"code": essay.code}
        )
    essay.published_at = timezone.now()
    essay.save(update_fields=["published_at"])
    decision_record(action=Action.ESSAY_PUBLISH, obj=essay, by=by, data={"published": True})
    return essay


@transaction.atomic
def essay_unpublish(*, essay: Essay, by) -> Essay:
    """Take an essay off the public pages. An essay published with the prize list stays: taking it
    down would undo part of the published results."""
    essay = Essay.objects.select_for_update().get(pk=essay.pk)
    if not is_organizer(by):
        raise EssayError(_("Chỉ Ban Tổ chức được gỡ bài viết khỏi trang cuộc thi."))
    if not essay.published_at:
        return essay
    if EssayPrize.objects.valid().filter(essay=essay).exists():
        raise EssayError(_("Bài %(code)s đạt giải đã công bố; không thể gỡ khỏi trang cuộc thi.") % {"code": essay.code})
    essay.published_at = None
    essay.save(update_fields=["published_at"])
    decision_record(action=Action.ESSAY_PUBLISH, obj=essay, by=by, data={"published": False})
    return essay
