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
