from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from contests.cleaning import validate_line


class IntegrityDecision(models.Model):
    """The secretariat's decision on a flagged case, with its reason (who and when recorded)."""

    class Verdict(models.TextChoices):
        CLEAR = "clear", _("Không có vấn đề")
        DISQUALIFY = "disqualify", _("Loại khỏi xếp hạng")

    contest = models.ForeignKey("contests.Contest", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200, help_text=_("Trường hợp bị đánh dấu, ví dụ phone:0912345678"))
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    reason = models.CharField(_("lý do"), max_length=500, validators=[validate_line])
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quyết định rà soát")
        verbose_name_plural = _("quyết định rà soát")
        constraints = [models.UniqueConstraint(fields=["contest", "key"], name="integrity_decision_unique")]

    def __str__(self):
        return f"{self.key}: {self.verdict}"


class IntegrityScan(models.Model):
    """A contest's integrity cases as last found (`audit.integrity.scan_run`, by the beat every
    INTEGRITY_SCAN_MINUTES and on demand): the review, winners and publication pages read this
    row, never the attempts, whose reading takes seconds at the seed's size and minutes at a
    national one. Replaced at each scan; the decisions on the cases are kept apart
    (IntegrityDecision) and never lost by a scan."""

    contest = models.OneToOneField("contests.Contest", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(_("bắt đầu rà soát lúc"))
    seconds = models.FloatField(_("thời gian rà soát (giây)"))
    cases = models.JSONField(default=list, editable=False)

    class Meta:
        verbose_name = _("lần rà soát bất thường")
        verbose_name_plural = _("lần rà soát bất thường")

    def __str__(self):
        return f"{self.contest_id}: {self.started_at:%Y-%m-%d %H:%M}"
