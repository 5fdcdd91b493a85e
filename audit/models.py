from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contests.cleaning import validate_line, validate_multiline
from contests.storage import private_storage


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
    """When a contest's integrity cases were last found (`audit.integrity.scan_run`, by the beat
    every INTEGRITY_SCAN_MINUTES and on demand); the cases themselves are its IntegrityCase rows.
    The review, winners and publication pages read these, never the attempts, whose reading
    takes seconds at the seed's size and minutes at a national one. Replaced at each scan; the
    decisions on the cases are kept apart (IntegrityDecision) and never lost by a scan."""

    contest = models.OneToOneField("contests.Contest", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(_("bắt đầu rà soát lúc"))
    seconds = models.FloatField(_("thời gian rà soát (giây)"))

    class Meta:
        verbose_name = _("lần rà soát bất thường")
        verbose_name_plural = _("lần rà soát bất thường")

    def __str__(self):
        return f"{self.contest_id}: {self.started_at:%Y-%m-%d %H:%M}"


class IntegrityCase(models.Model):
    """A case found by the last scan of its contest (see IntegrityScan): a page of the review
    reads a page of these (a national contest has tens of thousands), the winners and
    publication pages only those about their winners (`users`)."""

    scan = models.ForeignKey(IntegrityScan, on_delete=models.CASCADE, related_name="found")
    key = models.CharField(max_length=200)
    kind = models.CharField(max_length=16)
    description = models.TextField()
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    # The harvesting patterns' account, round, evidence and attempts (audit.integrity.Case).
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("trường hợp bất thường")
        verbose_name_plural = _("trường hợp bất thường")
        ordering = ["kind", "id"]
        constraints = [models.UniqueConstraint(fields=["scan", "key"], name="integrity_case_once")]
        indexes = [models.Index(fields=["scan", "kind"], name="integrity_case_kind_idx")]

    def __str__(self):
        return self.key


class Appeal(models.Model):
    """A contestant's or an essay's author's appeal (khiếu nại) against a published result or an
    essay's refusal at screening,
    within the contest's window (audit.appeals.appeal_problem), decided by the office with a
    reason (audit.appeals.appeal_decide, recorded in the decision log)."""

    class Part(models.TextChoices):
        QUIZ = "quiz", _("Thi trắc nghiệm")
        ESSAY = "essay", _("Thi viết")
        SCREENING = "screen", _("Sơ loại bài viết")  # an essay refused at screening (vòng sơ loại)

    class Status(models.TextChoices):
        OPEN = "open", _("Đang chờ giải quyết")
        UPHELD = "upheld", _("Được chấp nhận")
        REJECTED = "rejected", _("Không được chấp nhận")

    contest = models.ForeignKey("contests.Contest", verbose_name=_("cuộc thi"), on_delete=models.PROTECT, related_name="+")
    part = models.CharField(_("phần thi"), max_length=8, choices=Part.choices)
    round = models.ForeignKey(
        "quiz.Round", verbose_name=_("tuần thi"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    essay = models.ForeignKey(
        "essays.Essay", verbose_name=_("bài viết"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    judging_round = models.ForeignKey(
        "essays.JudgingRound", verbose_name=_("vòng chấm"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người khiếu nại"), on_delete=models.PROTECT, related_name="appeals"
    )
    reason = models.TextField(_("nội dung khiếu nại"), max_length=2000, validators=[validate_multiline])
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.OPEN)
    filed_at = models.DateTimeField(_("gửi lúc"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người giải quyết"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("giải quyết lúc"), null=True, blank=True)
    decision_reason = models.TextField(_("lý do kết luận"), max_length=2000, blank=True, validators=[validate_multiline])

    class Meta:
        verbose_name = _("khiếu nại")
        verbose_name_plural = _("khiếu nại")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(part="quiz", round__isnull=False, essay__isnull=True, judging_round__isnull=True)
                    | models.Q(part="essay", round__isnull=True, essay__isnull=False, judging_round__isnull=False)
                    | models.Q(part="screen", round__isnull=True, essay__isnull=False, judging_round__isnull=True)
                ),
                name="appeal_part_target",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open", decided_at__isnull=True)
                | (~models.Q(status="open") & models.Q(decided_at__isnull=False)),
                name="appeal_decided_when_closed",
            ),
            # One open appeal per person and result.
            models.UniqueConstraint(
                fields=["appellant", "round"],
                condition=models.Q(status="open", round__isnull=False),
                name="appeal_one_open_per_round",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["appellant", "essay"],
                condition=models.Q(status="open", essay__isnull=False),
                name="appeal_one_open_per_essay",
            ),  # fmt: skip
        ]
        indexes = [
            models.Index(fields=["contest", "status", "-filed_at"], name="appeal_contest_status_idx"),
            models.Index(fields=["round", "status"], name="appeal_round_status_idx"),
            models.Index(fields=["judging_round", "status"], name="appeal_judging_status_idx"),
        ]

    def __str__(self):
        return gettext("Khiếu nại #%(id)s") % {"id": self.pk}

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class AppealFile(models.Model):
    """An attachment of an appeal (PDF, JPEG, PNG), checked by opening it, stored privately:
    only `audit.appeal_views.appeal_file_download` (asking `audit.rules.can_download_appeal_file`)
    serves it."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="appeals/%Y/%m/", storage=private_storage)
    kind = models.CharField(max_length=8)
    original_name = models.CharField(max_length=255, validators=[validate_line])
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp kèm khiếu nại")
        verbose_name_plural = _("tệp kèm khiếu nại")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name
