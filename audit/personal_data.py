"""What the audit holds about a person (the hooks of contests.personal_data, on AuditConfig):
the integrity review's decisions that name them."""

from django.utils.translation import gettext as _

from contests.personal_data import Section, when

from .models import IntegrityDecision


def export(*, user) -> list[Section]:
    decisions = IntegrityDecision.objects.filter(users=user).order_by("decided_at")
    return [
        Section("integrity", _("Kết luận rà soát"), [{
            _("Trường hợp"): d.key, _("Kết luận"): d.get_verdict_display(), _("Lý do"): d.reason,
            _("Lúc"): when(d.decided_at),
        } for d in decisions]),
    ]  # fmt: skip


def objects(*, user) -> dict[str, list[int]]:
    """The decision log names an object by its label at the time: decisions recorded while the
    model lived in reports say «reports.integritydecision» (the log is append-only, never rewritten)."""
    ids = list(IntegrityDecision.objects.filter(users=user).values_list("pk", flat=True))
    return {IntegrityDecision._meta.label_lower: ids, "reports.integritydecision": ids}
