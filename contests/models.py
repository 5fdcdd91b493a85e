from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cleaning import validate_line, validate_multiline
from .enums import ContestStatus


class Contest(models.Model):
    """A campaign (cuộc thi) that quiz rounds and essay phases belong to. Several exist over the
    years: this year's, last year's archive, next year's draft. Texts are Markdown, sanitized
    when shown."""

    name = models.CharField(_("tên cuộc thi"), max_length=255, validators=[validate_line])
    slug = models.SlugField(_("đường dẫn"), unique=True)
    theme = models.CharField(_("chủ đề"), max_length=255, blank=True, validators=[validate_line])
    organizer_name = models.CharField(_("cơ quan tổ chức"), max_length=255, blank=True, validators=[validate_line])
    summary = models.TextField(
        _("giới thiệu ngắn"), blank=True, max_length=2000, help_text=_("Markdown; hiện trên trang chủ."),
        validators=[validate_multiline],
    )
    rules = models.TextField(
        _("thể lệ"), blank=True, max_length=30000, help_text=_("Markdown: tiêu đề ##, danh sách -, chữ đậm **…**."),
        validators=[validate_multiline],
    )
    starts_on = models.DateField(_("ngày bắt đầu"))
    ends_on = models.DateField(_("ngày kết thúc"))
    status = models.CharField(_("trạng thái"), max_length=16, choices=ContestStatus.choices, default=ContestStatus.DRAFT)
    hotline = models.CharField(_("đường dây nóng"), max_length=50, blank=True, validators=[validate_line])
    contact_email = models.EmailField(_("e-mail liên hệ"), blank=True)
    contact_address = models.CharField(_("địa chỉ liên hệ"), max_length=255, blank=True, validators=[validate_line])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cuộc thi")
        verbose_name_plural = _("cuộc thi")
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["status", "-starts_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="contest_dates_ordered")
        ]

    def __str__(self):
        return self.name


class ReferenceDocument(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="documents", verbose_name=_("cuộc thi"))
    title = models.CharField(_("tên tài liệu"), max_length=255, validators=[validate_line])
    description = models.TextField(_("mô tả"), blank=True, max_length=2000, validators=[validate_multiline])
    file = models.FileField(
        _("tệp"),
        upload_to="documents/%Y/",
        validators=[FileExtensionValidator(["pdf", "docx", "doc", "xlsx", "pptx", "txt"])],
    )
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tài liệu tham khảo")
        verbose_name_plural = _("tài liệu tham khảo")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.title


class FAQ(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="faqs", verbose_name=_("cuộc thi"))
    question = models.CharField(_("câu hỏi"), max_length=500, validators=[validate_line])
    answer = models.TextField(_("trả lời"), max_length=5000, help_text=_("Markdown."), validators=[validate_multiline])
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("câu hỏi thường gặp")
        verbose_name_plural = _("câu hỏi thường gặp")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.question


class DecisionQuerySet(models.QuerySet):
    """The log is append-only: bulk updates and deletes are refused here, and on PostgreSQL a
    trigger refuses them too (migration contests 0002), whatever path a write takes."""

    def update(self, **kwargs):
        raise DecisionLogError(_("Nhật ký quyết định chỉ được ghi thêm, không được sửa."))

    def delete(self):
        raise DecisionLogError(_("Nhật ký quyết định chỉ được ghi thêm, không được xoá."))


class DecisionLogError(Exception):
    pass


class Decision(models.Model):
    """One decision that changes a result: who, when, what, why. Written by
    `contests.decisions.decision_record` from the service that makes the decision."""

    class Action(models.TextChoices):
        SEAL = "seal", _("Duyệt và niêm phong tuần thi")
        WINDOW_EXTEND = "window_extend", _("Gia hạn tuần thi")
        PRIZES_DRAFT = "prizes_draft", _("Lập danh sách giải dự kiến")
        PRIZE_VERIFY = "prize_verify", _("Xác minh người đạt giải")
        PRIZE_INVALID = "prize_invalid", _("Xác định giải không hợp lệ")
        PRIZE_AMEND = "prize_amend", _("Sửa kết quả đã công bố")
        DISQUALIFY = "disqualify", _("Loại khỏi xếp hạng")
        CLEAR = "clear", _("Kết luận không có vấn đề")
        PUBLISH = "publish", _("Công bố kết quả")
        ESSAY_SCREEN = "essay_screen", _("Sơ loại bài viết")
        ESSAY_PUBLISH = "essay_publish", _("Đăng, gỡ bài viết")
        CONFLICT = "conflict", _("Khai báo xung đột lợi ích")
        SHEET_REOPEN = "sheet_reopen", _("Mở lại phiếu chấm")
        ADVANCE = "advance", _("Chọn bài vào vòng sau")
        ROUND_CLOSE = "round_close", _("Kết thúc vòng chấm")

    contest = models.ForeignKey(
        Contest, verbose_name=_("cuộc thi"), null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    action = models.CharField(_("quyết định"), max_length=32, choices=Action.choices)
    object_type = models.CharField(_("đối tượng"), max_length=64)
    object_id = models.PositiveBigIntegerField(_("mã đối tượng"), null=True, blank=True)
    object_repr = models.CharField(_("mô tả đối tượng"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người quyết định"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    actor_name = models.CharField(_("tên người quyết định"), max_length=300, blank=True)
    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    reason = models.TextField(_("lý do"), blank=True)
    data = models.JSONField(_("chi tiết"), default=dict, blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("quyết định")
        verbose_name_plural = _("nhật ký quyết định")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["contest", "action", "-at"]),
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "-at"]),
        ]

    def __str__(self):
        return f"{self.get_action_display()} – {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update"):
            raise DecisionLogError(_("Nhật ký quyết định chỉ được ghi thêm, không được sửa."))
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DecisionLogError(_("Nhật ký quyết định chỉ được ghi thêm, không được xoá."))
