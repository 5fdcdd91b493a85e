from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cleaning import validate_line, validate_multiline
from .enums import ContestStatus, NotificationChannel, NotificationKind, NotificationStatus


class Contest(models.Model):
    """A campaign (cuộc thi) that quiz rounds and essay phases belong to. Several exist over the
    years: this year's, last year's archive, next year's draft. Texts are Markdown, sanitized
    when shown."""

    name = models.CharField(_("tên cuộc thi"), max_length=255, validators=[validate_line])
    slug = models.SlugField(_("đường dẫn"), unique=True)
    theme = models.CharField(_("chủ đề"), max_length=255, blank=True, validators=[validate_line])
    organizer_name = models.CharField(_("cơ quan tổ chức"), max_length=255, blank=True, validators=[validate_line])
    summary = models.TextField(
        _("giới thiệu ngắn"),
        blank=True,
        max_length=2000,
        help_text=_("Markdown; hiện trên trang chủ."),
        validators=[validate_multiline],
    )
    rules = models.TextField(
        _("thể lệ"),
        blank=True,
        max_length=30000,
        help_text=_("Markdown: tiêu đề ##, danh sách -, chữ đậm **…**."),
        validators=[validate_multiline],
    )
    starts_on = models.DateField(_("ngày bắt đầu"))
    ends_on = models.DateField(_("ngày kết thúc"))
    status = models.CharField(_("trạng thái"), max_length=16, choices=ContestStatus.choices, default=ContestStatus.DRAFT)
    hotline = models.CharField(_("đường dây nóng"), max_length=50, blank=True, validators=[validate_line])
    contact_email = models.EmailField(_("e-mail liên hệ"), blank=True)
    contact_address = models.CharField(_("địa chỉ liên hệ"), max_length=255, blank=True, validators=[validate_line])
    # The header and signature blocks of the contest's documents (the summary report), laid out
    # by contests.docx_party after Hướng dẫn 36-HD/VPTW. Organizers edit them in the admin.
    doc_superior_body = models.CharField(
        _("cơ quan cấp trên"), max_length=150, blank=True, validators=[validate_line],
        help_text=_("Dòng đầu bên trái, ví dụ «ĐẢNG BỘ TỈNH YÊN BÁI»."),
    )  # fmt: skip
    doc_issuing_body = models.CharField(
        _("cơ quan ban hành"), max_length=150, default="BAN TỔ CHỨC CUỘC THI", validators=[validate_line],
        help_text=_("In đậm dưới cơ quan cấp trên, ví dụ «ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH»."),
    )  # fmt: skip
    doc_number = models.CharField(
        _("số văn bản"), max_length=20, blank=True, validators=[validate_line],
        help_text=_("Để trống khi văn thư cấp số sau."),
    )  # fmt: skip
    doc_symbol = models.CharField(
        _("ký hiệu báo cáo"), max_length=50, default="BC/BTC", validators=[validate_line],
        help_text=_("Phần sau số, ví dụ «BC/ĐUK» cho «Số 125-BC/ĐUK»."),
    )  # fmt: skip
    doc_place = models.CharField(
        _("địa danh"), max_length=100, blank=True, validators=[validate_line],
        help_text=_("Nơi ban hành, đứng trước ngày tháng, ví dụ «Yên Bái»."),
    )  # fmt: skip
    doc_signer_authority = models.CharField(
        _("thẩm quyền ký"), max_length=100, default="T/M BAN TỔ CHỨC", validators=[validate_line]
    )
    doc_signer_title = models.CharField(_("chức vụ người ký"), max_length=100, default="TRƯỞNG BAN", validators=[validate_line])
    doc_signer_name = models.CharField(_("họ tên người ký"), max_length=100, blank=True, validators=[validate_line])
    doc_recipients = models.TextField(
        _("nơi nhận"), max_length=2000, blank=True, validators=[validate_multiline],
        default="Thường trực Đảng ủy (b/c)\nCác thành viên Ban Tổ chức\nLưu VP",
        help_text=_("Mỗi nơi nhận một dòng; dòng cuối thường là «Lưu VP»."),
    )  # fmt: skip
    appeal_days = models.PositiveSmallIntegerField(
        _("số ngày nhận khiếu nại"), default=7,
        validators=[MaxValueValidator(60)],
        help_text=_("Thí sinh và tác giả được khiếu nại kết quả trong số ngày này kể từ lúc công bố; 0: không nhận khiếu nại."),
    )  # fmt: skip
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
        WINDOW_CLOSE_EARLY = "window_close_early", _("Đóng sớm tuần thi")
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
        CONFLICT_UNDO = "conflict_undo", _("Hoàn tác khai báo xung đột lợi ích")
        SHEET_REOPEN = "sheet_reopen", _("Mở lại phiếu chấm")
        ADVANCE = "advance", _("Chọn bài vào vòng sau")
        ROUND_CLOSE = "round_close", _("Kết thúc vòng chấm")
        ANONYMIZE = "anonymize", _("Ẩn danh hoá dữ liệu cá nhân")
        EXTRA_TIME = "extra_time", _("Cho một thí sinh thêm giờ làm bài")
        WINNER_DETAILS_CHANGE = "winner_details_change", _("Sửa thông tin nhận giải của người đạt giải")
        COMMIT_RESULTS = "commit_results", _("Chốt mã kết quả tuần thi")
        RUBRIC_AMEND = "rubric_amend", _("Sửa tiêu chí chấm của vòng đã chấm")
        APPEAL_DECIDE = "appeal_decide", _("Giải quyết khiếu nại")
        ERRATUM = "erratum", _("Đính chính đáp án tuần thi")

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


class Notification(models.Model):
    """One message to one person by one channel: the outbox (contests.notifications).

    Written in the transaction of the event that causes it, sent by a Celery task after the
    commit; `key` names the event, so an event notifies each person once per channel whatever
    calls it twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhận"), on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(_("kênh"), max_length=8, choices=NotificationChannel.choices)
    kind = models.CharField(_("loại"), max_length=24, choices=NotificationKind.choices)
    key = models.CharField(_("sự kiện"), max_length=100)
    address = models.CharField(_("gửi tới"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"))
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("gửi lần tới lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    # Why a message meant for Zalo went by SMS (the API's error), "" otherwise.
    fallback = models.CharField(_("gửi SMS thay Zalo vì"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("hộp thư đi (thông báo)")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "channel", "key"], name="notification_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["kind", "status"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.address}"


class NotificationPreference(models.Model):
    """A person's choice for one kind of notification; without a row, the kind's default
    (contests.notifications.DEFAULT_ON: a new round is opt-in, the rest opt-out)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(_("loại"), max_length=24, choices=NotificationKind.choices)
    enabled = models.BooleanField(_("nhận"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lựa chọn nhận thông báo")
        verbose_name_plural = _("lựa chọn nhận thông báo")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]
        indexes = [models.Index(fields=["kind", "enabled"])]

    def __str__(self):
        return f"{self.user_id} {self.kind} {self.enabled}"


class ChannelChoice(models.Model):
    """The channel a person wants their messages by (SMS, Zalo or e-mail), from the profile page;
    without a row, the kind's own channels (contests.notifications.channels_for)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_choice")
    channel = models.CharField(_("kênh nhận tin"), max_length=8, choices=NotificationChannel.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kênh nhận tin đã chọn")
        verbose_name_plural = _("kênh nhận tin đã chọn")

    def __str__(self):
        return f"{self.user_id} {self.channel}"


class DecisionMask(models.Model):
    """What the decision log shows instead of the snapshot it took of an object about a person
    who has since been anonymized. The log itself is never rewritten (append-only); every reader
    goes through `contests.decisions.decisions_for`, which prefers the mask."""

    object_type = models.CharField(max_length=64)
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("che tên trong nhật ký")
        verbose_name_plural = _("che tên trong nhật ký")
        constraints = [models.UniqueConstraint(fields=["object_type", "object_id"], name="decision_mask_unique")]

    def __str__(self):
        return f"{self.object_type}#{self.object_id}"


class ZaloToken(models.Model):
    """The Zalo official account's current tokens (contests.zalo_token), one row (pk 1): the
    access token expires within a day and each refresh token is good once, so the renewed pair
    is kept here rather than in the environment. Both are sealed with a key derived from
    SECRET_KEY: the database login alone cannot send messages as the official account."""

    access_sealed = models.TextField(blank=True)
    refresh_sealed = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    renewed_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)  # renewals refused or unanswered since the last one that worked

    class Meta:
        verbose_name = _("mã truy cập Zalo")
        verbose_name_plural = _("mã truy cập Zalo")

    def __str__(self):
        return f"Zalo token until {self.expires_at}"
