from django.db import models
from django.utils.translation import gettext_lazy as _

from contests.enums import PrizeStatus, PrizeTier  # noqa: F401 - one list of tiers and checks for both parts


class SubjectKind(models.TextChoices):
    COLLECTIVE = "collective", _("Tập thể (chi bộ kiểu mẫu, đơn vị tiêu biểu)")
    INDIVIDUAL = "individual", _("Cá nhân (đảng viên tiêu biểu)")


class EssayStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Đã nộp")
    WITHDRAWN = "withdrawn", _("Đã rút")


class Eligibility(models.TextChoices):
    PENDING = "pending", _("Chờ sơ loại")
    ELIGIBLE = "eligible", _("Đủ điều kiện")
    INELIGIBLE = "ineligible", _("Không đủ điều kiện")


class IneligibleReason(models.TextChoices):
    """The rule list the secretariat screens against (thể lệ phần thi viết)."""

    OFF_THEME = "off_theme", _("Không đúng chủ đề")
    NOT_REAL = "not_real", _("Không phải người thật, việc thật")
    PUBLISHED = "published", _("Đã đăng trên báo chí hoặc dự thi nơi khác")
    LENGTH = "length", _("Độ dài không đúng quy định")
    OUT_OF_SCOPE = "out_of_scope", _("Tập thể, cá nhân được viết không thuộc phạm vi cuộc thi")
    COPIED = "copied", _("Sao chép tác phẩm của người khác")
    INCOMPLETE = "incomplete", _("Thiếu thông tin tác giả hoặc cam kết")


class AssignmentMode(models.TextChoices):
    ALL = "all", _("Mọi giám khảo chấm mọi bài")
    PER_ESSAY = "per_essay", _("Mỗi bài N giám khảo, chia đều")


class JudgingStatus(models.TextChoices):
    DRAFT = "draft", _("Chuẩn bị")
    OPEN = "open", _("Đang chấm")
    CLOSED = "closed", _("Đã kết thúc")


class SheetStatus(models.TextChoices):
    PENDING = "pending", _("Chưa chấm")
    DRAFT = "draft", _("Đang chấm (nháp)")
    SUBMITTED = "submitted", _("Đã nộp điểm")
    CONFLICT = "conflict", _("Xung đột lợi ích")
