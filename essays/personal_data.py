"""What the writing contest holds about a person (the hooks of contests.personal_data, on
EssaysConfig): the essays they submitted, with their authors, files, screening and prize."""

from django.utils.translation import gettext as _

from contests.personal_data import Section, when

from .models import Essay, EssayAuthor, EssayFile, EssayPrize, EssayVote


def export(*, user) -> list[Section]:
    essays = list(Essay.objects.filter(submitter=user).select_related("phase", "subject_organization").order_by("created_at"))
    authors = EssayAuthor.objects.filter(essay__submitter=user).select_related("essay", "organization")
    files = EssayFile.objects.filter(essay__submitter=user).select_related("essay")
    prizes = EssayPrize.objects.filter(essay__submitter=user, essay__published_at__isnull=False).select_related("essay")
    votes = EssayVote.objects.filter(voter=user).select_related("essay").order_by("created_at")
    return [
        Section("essays", _("Bài dự thi viết"), [{
            _("Mã bài"): e.code, _("Giai đoạn"): e.phase.name, _("Tên bài viết"): e.title,
            _("Viết về"): e.get_subject_kind_display(), _("Tên tập thể hoặc cá nhân được viết"): e.subject_name,
            _("Đơn vị được viết"): e.subject_organization.name, _("Trạng thái"): e.get_status_display(),
            _("Nộp lúc"): when(e.submitted_at), _("Sơ loại"): e.get_eligibility_display(),
            _("Lý do không đủ điều kiện"): "; ".join(map(str, e.screening_reasons or [])),
            _("Ghi chú sơ loại"): e.screening_note, _("Đăng lúc"): when(e.published_at), _("Nội dung"): e.body,
        } for e in essays]),
        Section("essay_authors", _("Tác giả"), [{
            _("Mã bài"): a.essay.code, _("Họ và tên"): a.name, _("Đơn vị"): a.organization.name, _("Số điện thoại"): a.phone,
        } for a in authors]),
        Section("essay_files", _("Tệp đính kèm"), [{
            _("Mã bài"): f.essay.code, _("Tên tệp"): f.original_name, _("Loại"): f.kind, _("Dung lượng (byte)"): f.size,
            _("Tải lên lúc"): when(f.uploaded_at),
        } for f in files]),
        Section("essay_prizes", _("Giải bài viết"), [{
            _("Mã bài"): p.essay.code, _("Giải"): p.get_tier_display(), _("Hạng"): p.rank,
        } for p in prizes]),
        Section("essay_votes", _("Bình chọn bài viết"), [{
            _("Mã bài"): v.essay.code, _("Tên bài viết"): v.essay.title, _("Số điện thoại"): v.phone,
            _("Địa chỉ IP"): v.ip_address or "", _("Lúc"): when(v.created_at),
        } for v in votes]),
    ]  # fmt: skip


def anonymize(*, user, label: str) -> None:
    # The essay (its text, scores and prize) stays: it was judged and may be published. Who
    # wrote it goes: every author the person named, with their phones.
    EssayAuthor.objects.filter(essay__submitter=user).update(name=label, phone="")
    # The person's votes stay counted; the number and the address they came from go.
    EssayVote.objects.filter(voter=user).update(phone="", ip_address=None)


def objects(*, user) -> dict[str, list[int]]:
    return {
        "essays.essay": list(Essay.objects.filter(submitter=user).values_list("pk", flat=True)),
        "essays.essayprize": list(EssayPrize.objects.filter(essay__submitter=user).values_list("pk", flat=True)),
    }


def contests(*, users) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for user_id, contest_id in (
        Essay.objects.filter(submitter__in=users).values_list("submitter_id", "phase__contest_id").distinct()
    ):
        found.setdefault(user_id, set()).add(contest_id)
    return found
