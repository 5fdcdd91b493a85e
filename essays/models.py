"""The writing contest: phases, essays and their authors and files, eligibility screening."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import Eligibility, EssayStatus, SubjectKind


class EssayPhase(models.Model):
    """A phase (giai đoạn) of the writing contest: essays are received between its dates."""

    contest = models.ForeignKey(
        "contests.Contest", verbose_name=_("cuộc thi"), on_delete=models.PROTECT, related_name="essay_phases"
    )
    name = models.CharField(_("tên giai đoạn"), max_length=200)
    opens_at = models.DateTimeField(_("nhận bài từ"))
    closes_at = models.DateTimeField(_("hạn nộp bài"))
    min_words = models.PositiveIntegerField(_("số chữ tối thiểu"), default=1500)
    max_words = models.PositiveIntegerField(_("số chữ tối đa"), default=3000)

    class Meta:
        verbose_name = _("giai đoạn nhận bài")
        verbose_name_plural = _("giai đoạn nhận bài")
        ordering = ["opens_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="essay_phase_window_ordered"),
            models.CheckConstraint(condition=models.Q(max_words__gte=models.F("min_words")), name="essay_phase_words_ordered"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_open(self) -> bool:
        return self.opens_at <= timezone.now() < self.closes_at


class Essay(models.Model):
    code = models.CharField(_("mã bài"), max_length=20, unique=True)
    phase = models.ForeignKey(EssayPhase, verbose_name=_("giai đoạn"), on_delete=models.PROTECT, related_name="essays")
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người gửi"), on_delete=models.PROTECT, related_name="essays"
    )
    title = models.CharField(_("tên bài viết"), max_length=300)
    subject_kind = models.CharField(_("viết về"), max_length=16, choices=SubjectKind.choices)
    subject_name = models.CharField(_("tên tập thể hoặc cá nhân được viết"), max_length=300)
    subject_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("đơn vị của tập thể, cá nhân được viết"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(
        _("nội dung"), help_text=_("Mỗi đoạn cách nhau một dòng trống; dòng bắt đầu bằng «## » là tiêu đề nhỏ.")
    )
    declares_real = models.BooleanField(_("cam kết viết về người thật, việc thật"), default=False)
    declares_unpublished = models.BooleanField(_("cam kết bài chưa đăng báo, chưa dự thi nơi khác"), default=False)
    status = models.CharField(_("trạng thái"), max_length=16, choices=EssayStatus.choices, default=EssayStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    eligibility = models.CharField(_("sơ loại"), max_length=16, choices=Eligibility.choices, default=Eligibility.PENDING)
    screening_reasons = models.JSONField(_("lý do không đủ điều kiện"), default=list, blank=True)
    screening_note = models.TextField(_("ghi chú sơ loại"), blank=True)
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    screened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bài dự thi viết")
        verbose_name_plural = _("bài dự thi viết")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["phase", "status", "eligibility"]),
            models.Index(fields=["submitter", "status"]),
        ]

    def __str__(self):
        return f"{self.code} – {self.title}"

    @property
    def word_count(self) -> int:
        return len(self.body.split())

    @property
    def is_editable(self) -> bool:
        return self.status != EssayStatus.WITHDRAWN and self.phase.is_open and self.eligibility == Eligibility.PENDING


class EssayAuthor(models.Model):
    essay = models.ForeignKey(Essay, on_delete=models.CASCADE, related_name="authors")
    name = models.CharField(_("họ và tên tác giả"), max_length=150)
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField(_("số điện thoại"), max_length=10)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("tác giả")
        verbose_name_plural = _("tác giả")
        ordering = ["essay_id", "order", "id"]

    def __str__(self):
        return self.name


class EssayFile(models.Model):
    """An attachment (DOCX, PDF) or a photo (JPEG, PNG), checked by its content."""

    essay = models.ForeignKey(Essay, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="essays/%Y/%m/")
    kind = models.CharField(max_length=8)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name
