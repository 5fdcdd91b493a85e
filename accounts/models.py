from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contests.cleaning import validate_line, validate_multiline, validate_person_name

from .enums import InvitationChannel, InvitationStatus, MemberStatus, OrganizationKind


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with a mobile number or an e-mail address (either may be missing, not
    both: accounts.adapter). The contest details live on Profile.

    `phone` is the sign-in number (unique, 0XXXXXXXXX by accounts.phone.normalize_phone) and
    `phone_verified` says an SMS code proved it; notifications by SMS go only to a verified one.
    Profile.phone is the contact number the contestant gives with their unit (prefilled from this)."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail"), unique=True, null=True, blank=True)
    phone = models.CharField(_("số điện thoại đăng nhập"), max_length=10, unique=True, null=True, blank=True)
    phone_verified = models.BooleanField(_("đã xác minh số điện thoại"), default=False)
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True, validators=[validate_person_name])
    # Set when the person's data were anonymized (accounts.privacy.person_anonymize): the account
    # is inactive for good, but its results still count (docs/decisions.md, "Personal data").
    anonymized_at = models.DateTimeField(_("ẩn danh hoá lúc"), null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.full_name or self.email or self.phone or f"#{self.pk}"

    def save(self, *args, **kwargs):
        # No address is NULL, never "": two accounts without one must not collide on uniqueness.
        self.email = self.email or None
        self.phone = self.phone or None
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name or self.email or self.phone or ""

    def get_short_name(self):
        return self.full_name.rsplit(" ", 1)[-1] if self.full_name else (self.email or self.phone or "")


class Organization(models.Model):
    """A unit of the organization tree: bloc → grassroots organizations → party cells, plus
    district committees and mass organizations. `path` is a materialized path of ids
    ("/1/7/42/") kept by `organization_refresh_paths` after every save so statistics can roll up a
    subtree in one query."""

    code = models.CharField(_("mã đơn vị"), max_length=32, unique=True, validators=[validate_line])
    name = models.CharField(_("tên đơn vị"), max_length=255, validators=[validate_line])
    short_name = models.CharField(_("tên viết tắt"), max_length=100, blank=True, validators=[validate_line])
    kind = models.CharField(_("loại"), max_length=16, choices=OrganizationKind.choices, default=OrganizationKind.GRASSROOTS)
    parent = models.ForeignKey(
        "self", verbose_name=_("đơn vị cấp trên"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    member_count = models.PositiveIntegerField(
        _("số đảng viên, cán bộ"), null=True, blank=True, help_text=_("Để tính tỷ lệ tham gia; bỏ trống nếu chưa rõ.")
    )
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["path"]
        indexes = [models.Index(fields=["kind", "is_active"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # One transaction: a move refused by the path refresh (a cycle) leaves nothing saved.
        with transaction.atomic():
            super().save(*args, **kwargs)
            organization_refresh_paths(organization=self)


def organization_check_parent(*, organization: Organization, parent: Organization | None) -> None:
    """Refuse a parent that is the unit itself or one of its own units (the tree would loop).
    The admin form and the path refresh after every save both ask this."""
    if parent is None or organization.pk is None:
        return
    if parent.pk == organization.pk or f"/{organization.pk}/" in parent.path:
        raise ValidationError(
            gettext(
                "Không thể đặt «%(unit)s» dưới «%(parent)s»: một đơn vị không thể nằm dưới chính nó "
                "hay dưới một đơn vị cấp dưới của nó."
            )
            % {"unit": organization.name, "parent": parent.name},
            code="cycle",
        )


def organization_refresh_paths(*, organization: Organization) -> None:
    """Recompute the materialized path of an organization and of its whole subtree.

    Called after every save (inside its transaction); a move of a subtree rewrites the paths below
    it. Refuses a cycle with a ValidationError (organization_check_parent)."""
    parent_path = "/"
    if organization.parent_id:
        parent = Organization.objects.only("name", "path", "depth").get(pk=organization.parent_id)
        organization_check_parent(organization=organization, parent=parent)
        parent_path = parent.path
    new_path = f"{parent_path}{organization.pk}/"
    if new_path == organization.path:
        return
    old_path = organization.path
    depth = new_path.count("/") - 2
    Organization.objects.filter(pk=organization.pk).update(path=new_path, depth=depth)
    organization.path, organization.depth = new_path, depth
    if old_path:
        for child in Organization.objects.filter(path__startswith=old_path).exclude(pk=organization.pk):
            child_path = new_path + child.path[len(old_path) :]
            Organization.objects.filter(pk=child.pk).update(path=child_path, depth=child_path.count("/") - 2)


class Profile(models.Model):
    """What a contestant must give before taking part. Created when the profile is completed."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    phone = models.CharField(_("số điện thoại"), max_length=10, db_index=True)
    organization = models.ForeignKey(Organization, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="profiles")
    position = models.CharField(_("chức vụ, vị trí công tác"), max_length=150, validators=[validate_line])
    is_party_member = models.BooleanField(_("là đảng viên"), default=False)
    completed_at = models.DateTimeField(_("hoàn thành lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ thí sinh")
        verbose_name_plural = _("hồ sơ thí sinh")

    def __str__(self):
        return f"{self.user} – {self.organization}"

    def save(self, *args, changed_by=None, **kwargs):
        """Every save that moves the profile to another unit records the move (ProfileUnitChange)
        in the same transaction, whatever path it came by; `changed_by` says who, when known.
        QuerySet.update() bypasses this, as it bypasses every save(): the code never moves a
        profile that way."""
        update_fields = kwargs.get("update_fields")
        if self.pk is None or (update_fields is not None and "organization" not in update_fields):
            return super().save(*args, **kwargs)
        with transaction.atomic():
            before = Profile.objects.select_for_update().filter(pk=self.pk).values_list("organization_id", flat=True).first()
            super().save(*args, **kwargs)
            if before is not None and before != self.organization_id:
                ProfileUnitChange.objects.create(
                    profile=self, old_organization_id=before, new_organization_id=self.organization_id, changed_by=changed_by
                )


class ProfileUnitChange(models.Model):
    """An audit line: who moved a contestant from one unit to another, and when."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="unit_changes")
    old_organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    new_organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thay đổi đơn vị")
        verbose_name_plural = _("thay đổi đơn vị")
        ordering = ["-changed_at"]

    def __str__(self):
        return f"{self.old_organization_id} → {self.new_organization_id}"


class ConsentText(models.Model):
    """The notice on personal data (Decree 13/2023/NĐ-CP) that people consent to. A published
    version never changes: a new text is a new version, and everyone is asked again."""

    version = models.PositiveIntegerField(_("phiên bản"), unique=True, editable=False)
    title = models.CharField(_("tiêu đề"), max_length=200, validators=[validate_line])
    body = models.TextField(
        _("nội dung"), max_length=30000, help_text=_("Markdown: tiêu đề ##, danh sách -, chữ đậm **…**."),
        validators=[validate_multiline],
    )  # fmt: skip
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thông báo xử lý dữ liệu cá nhân")
        verbose_name_plural = _("thông báo xử lý dữ liệu cá nhân")
        ordering = ["-version"]

    def __str__(self):
        return gettext("Phiên bản %(v)d – %(title)s") % {"v": self.version, "title": self.title}

    def save(self, *args, **kwargs):
        if self.pk is not None and ConsentText.objects.filter(pk=self.pk, published_at__isnull=False).exists():
            raise ValidationError(gettext("Phiên bản đã công bố không được sửa; hãy tạo phiên bản mới."))
        if self.version is None:
            self.version = (ConsentText.objects.aggregate(m=models.Max("version"))["m"] or 0) + 1
        super().save(*args, **kwargs)


class Consent(models.Model):
    """A person's consent to one version of the notice: when, and from which address."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    text = models.ForeignKey(ConsentText, verbose_name=_("phiên bản"), on_delete=models.PROTECT, related_name="consents")
    given_at = models.DateTimeField(_("đồng ý lúc"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("sự đồng ý")
        verbose_name_plural = _("sự đồng ý xử lý dữ liệu cá nhân")
        ordering = ["-given_at"]
        constraints = [models.UniqueConstraint(fields=["user", "text"], name="consent_once_per_version")]

    def __str__(self):
        return f"{self.user_id} – v{self.text_id}"


class DeletionRequest(models.Model):
    """A person's request to delete their data; the secretariat handles it (anonymize or refuse
    with a reason)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ xử lý")
        DONE = "done", _("Đã ẩn danh hoá")
        REFUSED = "refused", _("Từ chối")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deletion_requests")
    reason = models.TextField(_("lý do"), max_length=2000, validators=[validate_multiline])
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người xử lý"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    handled_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    note = models.TextField(_("ghi chú xử lý"), blank=True, max_length=2000, validators=[validate_multiline])

    class Meta:
        verbose_name = _("yêu cầu xoá dữ liệu")
        verbose_name_plural = _("yêu cầu xoá dữ liệu")
        ordering = ["requested_at"]
        indexes = [models.Index(fields=["status", "requested_at"])]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(status="pending"), name="deletion_one_pending")
        ]

    def __str__(self):
        return gettext("Yêu cầu xoá dữ liệu #%(id)s") % {"id": self.pk}


class UnitOfficer(models.Model):
    """A unit officer (cán bộ phụ trách đơn vị) answers for one unit and everything under it. A
    person may answer for several units; organizers assign them (accounts.officers)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cán bộ"), on_delete=models.CASCADE, related_name="officer_units"
    )
    organization = models.ForeignKey(Organization, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="officers")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người giao"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(_("giao lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("cán bộ phụ trách đơn vị")
        verbose_name_plural = _("cán bộ phụ trách đơn vị")
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="unit_officer_unique")]

    def __str__(self):
        return f"{self.user} – {self.organization}"


class Member(models.Model):
    """A person on a unit's member list, imported from Excel, and the invitation to sign up that
    goes with it. The phone number (normalized) is who the person is within a unit's list:
    importing the same number again updates the line instead of adding a second one. Units that
    do not share an officer keep their own lines (accounts.members.members_import: an officer
    never learns that another unit lists a number)."""

    organization = models.ForeignKey(Organization, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="members")
    full_name = models.CharField(_("họ và tên"), max_length=150, validators=[validate_person_name])
    phone = models.CharField(_("số điện thoại"), max_length=10, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    position = models.CharField(_("chức vụ"), max_length=150, blank=True, validators=[validate_line])
    is_party_member = models.BooleanField(_("là đảng viên"), default=False)
    token = models.CharField(max_length=43, unique=True, editable=False)
    status = models.CharField(_("trạng thái"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.LISTED)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhập"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(_("nhập lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    sent_at = models.DateTimeField(_("gửi lời mời lúc"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("đăng ký lúc"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )

    class Meta:
        verbose_name = _("thành viên trong danh sách")
        verbose_name_plural = _("danh sách thành viên")
        ordering = ["organization__path", "full_name"]
        indexes = [models.Index(fields=["organization", "status"])]
        constraints = [models.UniqueConstraint(fields=["organization", "phone"], name="member_one_line_per_unit_and_phone")]

    def __str__(self):
        return f"{self.full_name} ({self.phone})"


class InvitationBatch(models.Model):
    """One press of «Gửi lời mời» on a unit's page: the invitations queued together, whose
    progress the officer follows (accounts.invitations)."""

    organization = models.ForeignKey(Organization, verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người gửi"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("đợt gửi lời mời")
        verbose_name_plural = _("các đợt gửi lời mời")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.organization} · {self.created_at:%d/%m/%Y %H:%M}"


class InvitationDelivery(models.Model):
    """One invitation to one person on a list by one channel: written when the officer sends,
    sent by a Celery task after the commit (accounts.invitations.invitation_delivery_send). The
    address is the one it went to; counted per address and day against the limits."""

    batch = models.ForeignKey(InvitationBatch, verbose_name=_("đợt gửi"), on_delete=models.CASCADE, related_name="deliveries")
    member = models.ForeignKey(Member, verbose_name=_("người được mời"), on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("kênh"), max_length=8, choices=InvitationChannel.choices)
    address = models.CharField(_("gửi tới"), max_length=254)
    status = models.CharField(_("trạng thái"), max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("gửi lần tới lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lời mời đã gửi")
        verbose_name_plural = _("lời mời đã gửi")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["channel", "address", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.member}"
