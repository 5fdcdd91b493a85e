from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    BLOC = "bloc", _("Đảng ủy Khối")
    GRASSROOTS = "grassroots", _("Đảng bộ, chi bộ cơ sở")
    CELL = "cell", _("Chi bộ")
    DISTRICT = "district", _("Huyện, thị, thành ủy")
    MASS = "mass", _("Đoàn thể")
    OTHER = "other", _("Đơn vị khác")


class Role(models.TextChoices):
    """Role names are also the names of the Django groups that carry their permissions."""

    ORGANIZER = "organizer", _("Ban Tổ chức")
    SECRETARIAT = "secretariat", _("Tổ Thư ký")
    JUDGE = "judge", _("Ban Giám khảo")
    CONTESTANT = "contestant", _("Thí sinh")
    UNIT_OFFICER = "unit_officer", _("Cán bộ phụ trách đơn vị")


class MemberStatus(models.TextChoices):
    """Where a person on a unit's member list stands with the invitation to sign up."""

    LISTED = "listed", _("Chưa gửi lời mời")
    SENT = "sent", _("Đã gửi lời mời")
    ACCEPTED = "accepted", _("Đã đăng ký")


class InvitationChannel(models.TextChoices):
    """How an invitation reaches a person: the number on the list always (sign-up is by SMS),
    their e-mail address too when the list has one."""

    SMS = "sms", _("Tin nhắn SMS")
    EMAIL = "email", _("E-mail")


class InvitationStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Không gửi được")
    CANCELLED = "cancelled", _("Không gửi (đã đăng ký)")
