from django.db import models
from django.utils.translation import gettext_lazy as _


class ContestStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đang công bố")
    ARCHIVED = "archived", _("Đã kết thúc (lưu trữ)")


class PrizeTier(models.TextChoices):
    """The prize tiers of both parts of a contest."""

    FIRST = "first", _("Giải Nhất")
    SECOND = "second", _("Giải Nhì")
    THIRD = "third", _("Giải Ba")
    CONSOLATION = "consolation", _("Giải Khuyến khích")


class PrizeStatus(models.TextChoices):
    """The secretariat's check of a winner, in both parts."""

    DRAFT = "draft", _("Dự kiến")
    VERIFIED = "verified", _("Đã xác minh")
    INVALID = "invalid", _("Không hợp lệ")


class NotificationKind(models.TextChoices):
    """What a notification is about; each kind can be turned off (unsubscribe) on its own."""

    ROUND_OPEN = "round_open", _("Tuần thi mới mở")
    RESULTS = "results", _("Công bố kết quả")
    PRIZE_WON = "prize_won", _("Đạt giải")
    SCREENING = "screening", _("Kết quả sơ loại bài viết")
    JUDGE_ASSIGNMENTS = "judge_assignments", _("Bài được phân công chấm")
    AWARD_DETAILS = "award_details", _("Thủ tục nhận giải thưởng")
    REMINDER = "reminder", _("Nhắc tham gia tuần thi")
    UNIT_DIGEST = "unit_digest", _("Tổng hợp hằng tuần cho cán bộ phụ trách đơn vị")
    APPEAL = "appeal", _("Kết quả giải quyết khiếu nại")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo")


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không được")
