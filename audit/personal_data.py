"""What the audit holds about a person (the hooks of contests.personal_data, on AuditConfig):
the integrity review's decisions that name them, and the appeals they filed."""

from django.db import transaction
from django.utils.translation import gettext as _

from contests.personal_data import Section, when

from .appeals import result_name
from .models import Appeal, AppealFile, IntegrityDecision


def export(*, user) -> list[Section]:
    decisions = IntegrityDecision.objects.filter(users=user).order_by("decided_at")
    appeals = Appeal.objects.filter(appellant=user).select_related("round", "essay", "judging_round").order_by("filed_at")
    files = AppealFile.objects.filter(appeal__appellant=user).order_by("uploaded_at", "id")
    return [
        Section("integrity", _("Kết luận rà soát"), [{
            _("Trường hợp"): d.key, _("Kết luận"): d.get_verdict_display(), _("Lý do"): d.reason,
            _("Lúc"): when(d.decided_at),
        } for d in decisions]),
        Section("appeals", _("Khiếu nại"), [{
            _("Số"): a.pk, _("Phần thi"): a.get_part_display(),
            _("Kết quả"): result_name(a),
            _("Nội dung"): a.reason, _("Gửi lúc"): when(a.filed_at), _("Trạng thái"): a.get_status_display(),
            _("Lý do kết luận"): a.decision_reason, _("Giải quyết lúc"): when(a.decided_at),
        } for a in appeals]),
        Section("appeal_files", _("Tệp kèm khiếu nại"), [{
            _("Số khiếu nại"): f.appeal_id, _("Tên tệp"): f.original_name, _("Loại"): f.kind,
            _("Dung lượng (byte)"): f.size, _("Tải lên lúc"): when(f.uploaded_at),
        } for f in files]),
    ]  # fmt: skip


def anonymize(*, user, label: str) -> None:
    """An appeal and its outcome stay (they are counted on the public results); what the person
    wrote and sent goes: the reason and the attachments (the files once the transaction commits)."""
    Appeal.objects.filter(appellant=user).update(reason=label)
    files = list(AppealFile.objects.filter(appeal__appellant=user))
    AppealFile.objects.filter(pk__in=[f.pk for f in files]).delete()
    for record in files:
        transaction.on_commit(lambda name=record.file.name, storage=record.file.storage: storage.delete(name))


def objects(*, user) -> dict[str, list[int]]:
    """The decision log names an object by its label at the time: decisions recorded while the
    model lived in reports say «reports.integritydecision» (the log is append-only, never rewritten)."""
    ids = list(IntegrityDecision.objects.filter(users=user).values_list("pk", flat=True))
    return {
        IntegrityDecision._meta.label_lower: ids,
        "reports.integritydecision": ids,
        Appeal._meta.label_lower: list(Appeal.objects.filter(appellant=user).values_list("pk", flat=True)),
    }


def contests(*, users) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for user_id, contest_id in Appeal.objects.filter(appellant__in=users).values_list("appellant_id", "contest_id").distinct():
        found.setdefault(user_id, set()).add(contest_id)
    return found
