from django.db import models
from django.utils.translation import gettext_lazy as _


class ContestStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đang công bố")
    ARCHIVED = "archived", _("Đã kết thúc (lưu trữ)")
