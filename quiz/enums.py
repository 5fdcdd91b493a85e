from django.db import models
from django.utils.translation import gettext_lazy as _

from contests.enums import PrizeStatus, PrizeTier  # noqa: F401 - one list of tiers and checks for both parts


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    APPROVED = "approved", _("Đã duyệt")


class RoundKind(models.TextChoices):
    WEEKLY = "weekly", _("Tuần thi")
    PRACTICE = "practice", _("Thi thử (bộ câu hỏi mẫu)")


class ReviewPolicy(models.TextChoices):
    AFTER_CLOSE = "after_close", _("Chỉ báo điểm khi tuần thi đang mở; xem đáp án sau khi đóng")
    IMMEDIATE = "immediate", _("Xem đáp án ngay sau khi nộp bài")
    NONE = "none", _("Chỉ báo điểm, không công bố đáp án")


class RankingRule(models.TextChoices):
    SCORE_TIME = "score_time", _("Điểm, rồi thời gian làm bài")
    SCORE_PREDICTION_TIME = "score_prediction_time", _("Điểm, rồi độ lệch dự đoán, rồi thời gian làm bài")


class AttemptStatus(models.TextChoices):
    OPEN = "open", _("Đang làm")
    SUBMITTED = "submitted", _("Đã nộp")
    EXPIRED = "expired", _("Hết giờ, hệ thống tự nộp")


class RoundPhase(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SEALED = "sealed", _("Đã duyệt, niêm phong, chờ mở")
    OPEN = "open", _("Đang mở")
    CLOSED = "closed", _("Đã đóng, chờ công bố")
    PUBLISHED = "published", _("Đã công bố kết quả")


class ErratumAction(models.TextChoices):
    """What an erratum of a sealed key does to one question (quiz.services.errata)."""

    ANNUL = "annul", _("Huỷ câu hỏi")
    REKEY = "rekey", _("Sửa đáp án")
