from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import ContestStatus


class Contest(models.Model):
    """A campaign (cuộc thi) that quiz rounds and essay phases belong to. Several exist over the
    years: this year's, last year's archive, next year's draft. Texts are Markdown, sanitized
    when shown."""

    name = models.CharField(_("tên cuộc thi"), max_length=255)
    slug = models.SlugField(_("đường dẫn"), unique=True)
    theme = models.CharField(_("chủ đề"), max_length=255, blank=True)
    organizer_name = models.CharField(_("cơ quan tổ chức"), max_length=255, blank=True)
    summary = models.TextField(_("giới thiệu ngắn"), blank=True, max_length=2000, help_text=_("Markdown; hiện trên trang chủ."))
    rules = models.TextField(
        _("thể lệ"), blank=True, max_length=30000, help_text=_("Markdown: tiêu đề ##, danh sách -, chữ đậm **…**.")
    )
    starts_on = models.DateField(_("ngày bắt đầu"))
    ends_on = models.DateField(_("ngày kết thúc"))
    status = models.CharField(_("trạng thái"), max_length=16, choices=ContestStatus.choices, default=ContestStatus.DRAFT)
    hotline = models.CharField(_("đường dây nóng"), max_length=50, blank=True)
    contact_email = models.EmailField(_("e-mail liên hệ"), blank=True)
    contact_address = models.CharField(_("địa chỉ liên hệ"), max_length=255, blank=True)
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
    title = models.CharField(_("tên tài liệu"), max_length=255)
    description = models.TextField(_("mô tả"), blank=True, max_length=2000)
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
    question = models.CharField(_("câu hỏi"), max_length=500)
    answer = models.TextField(_("trả lời"), max_length=5000, help_text=_("Markdown."))
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("câu hỏi thường gặp")
        verbose_name_plural = _("câu hỏi thường gặp")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.question
