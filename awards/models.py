from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from contests.enums import PrizeTier


class Certificate(models.Model):
    """A certificate (giấy chứng nhận) as issued: what it certifies, to whom, with the name and
    unit as they were at issue. Whether it still holds is asked of the data behind it at every
    look-up (`awards.certificates.certificate_status`); the PDF is drawn on demand."""

    class Kind(models.TextChoices):
        PARTICIPATION = "participation", _("Chứng nhận tham gia")
        QUIZ_PRIZE = "quiz_prize", _("Giải thi trắc nghiệm")
        ESSAY_PRIZE = "essay_prize", _("Giải thi viết")
        VOTE_PRIZE = "vote_prize", _("Giải bình chọn")

    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("mã xác minh"), max_length=16, unique=True)
    contest = models.ForeignKey("contests.Contest", verbose_name=_("cuộc thi"), on_delete=models.CASCADE, related_name="+")
    # Who may download it: the contestant; for an essay prize, the essay's submitter.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates")
    prize = models.ForeignKey("quiz.Prize", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    essay_prize = models.ForeignKey("essays.EssayPrize", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    vote_prize = models.ForeignKey("essays.VotePrize", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    essay_author = models.ForeignKey("essays.EssayAuthor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tier = models.CharField(_("giải"), max_length=16, blank=True)
    holder_name = models.CharField(_("họ và tên"), max_length=150)
    unit_name = models.CharField(_("đơn vị"), max_length=500, blank=True)
    subject = models.CharField(_("nội dung"), max_length=500, blank=True)  # the round's name, the essay's title
    issued_at = models.DateTimeField(_("ngày cấp"))

    class Meta:
        verbose_name = _("giấy chứng nhận")
        verbose_name_plural = _("giấy chứng nhận")
        ordering = ["contest", "kind", "pk"]
        constraints = [
            # Issuing twice gives the same certificate (and code); a prize whose tier changed after
            # an amendment gets a new one, and the old one reads as revoked.
            models.UniqueConstraint(
                fields=["contest", "user"], condition=models.Q(kind="participation"), name="certificate_one_participation"
            ),
            models.UniqueConstraint(fields=["prize", "tier"], name="certificate_one_per_prize_tier"),
            models.UniqueConstraint(fields=["essay_prize", "essay_author", "tier"], name="certificate_one_per_author_tier"),
            models.UniqueConstraint(fields=["vote_prize", "essay_author"], name="certificate_one_per_vote_prize_author"),
        ]
        indexes = [models.Index(fields=["user", "contest"])]

    def __str__(self):
        return f"{self.code} – {self.holder_name}"


class WinnerDetails(models.Model):
    """What the award needs from a winner (ID number, date of birth, address, bank account), as
    one Fernet token: the database never holds the plain text (`awards.winner_details`)."""

    prize = models.OneToOneField("quiz.Prize", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    essay_prize = models.OneToOneField("essays.EssayPrize", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # «Giải bình chọn» (essays.VotePrize): paid to the essay's submitter, like an essay prize.
    vote_prize = models.OneToOneField("essays.VotePrize", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sealed = models.BinaryField(_("thông tin đã mã hóa"))
    submitted_at = models.DateTimeField(_("gửi lúc"))

    class Meta:
        verbose_name = _("thông tin nhận giải")
        verbose_name_plural = _("thông tin nhận giải")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(prize__isnull=False, essay_prize__isnull=True, vote_prize__isnull=True)
                | models.Q(prize__isnull=True, essay_prize__isnull=False, vote_prize__isnull=True)
                | models.Q(prize__isnull=True, essay_prize__isnull=True, vote_prize__isnull=False),
                name="winner_details_one_prize",
            )
        ]

    def __str__(self):
        if self.vote_prize_id:
            return f"vote prize {self.vote_prize_id}"
        return f"prize {self.prize_id}" if self.prize_id else f"essay prize {self.essay_prize_id}"


class WinnerDetailsAccess(models.Model):
    """Every time staff saw a winner's details: who, whose, when, where (page or export). The
    log outlives the details: when a winner is anonymized their details are deleted, and the
    prize still says whose details were seen."""

    details = models.ForeignKey(WinnerDetails, null=True, blank=True, on_delete=models.SET_NULL, related_name="accesses")
    prize = models.ForeignKey("quiz.Prize", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    essay_prize = models.ForeignKey("essays.EssayPrize", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    vote_prize = models.ForeignKey("essays.VotePrize", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField(auto_now_add=True)
    where = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("lượt xem thông tin nhận giải")
        verbose_name_plural = _("lượt xem thông tin nhận giải")
        ordering = ["-viewed_at"]

    def __str__(self):
        return f"{self.viewer_id} → {self.details_id} ({self.where})"


class WinnerDetailsRequest(models.Model):
    """One request to a winner for the award's details: the form is open to the prize's holder
    (signed in) until `expires_at` of the newest request. Each (re-)issue is a row: who asked,
    when (`awards.winner_details.winner_details_request`)."""

    prize = models.ForeignKey("quiz.Prize", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    essay_prize = models.ForeignKey("essays.EssayPrize", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    vote_prize = models.ForeignKey("essays.VotePrize", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người gửi yêu cầu"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    requested_at = models.DateTimeField(_("gửi lúc"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))

    class Meta:
        verbose_name = _("yêu cầu cung cấp thông tin nhận giải")
        verbose_name_plural = _("yêu cầu cung cấp thông tin nhận giải")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(prize__isnull=False, essay_prize__isnull=True, vote_prize__isnull=True)
                | models.Q(prize__isnull=True, essay_prize__isnull=False, vote_prize__isnull=True)
                | models.Q(prize__isnull=True, essay_prize__isnull=True, vote_prize__isnull=False),
                name="winner_details_request_one_prize",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("requested_at")), name="winner_details_request_expires_later"
            ),
        ]
        indexes = [
            models.Index(fields=["prize", "-expires_at"]), models.Index(fields=["essay_prize", "-expires_at"]),
            models.Index(fields=["vote_prize", "-expires_at"]),
        ]  # fmt: skip

    def __str__(self):
        if self.vote_prize_id:
            return f"vote prize {self.vote_prize_id}"
        return f"prize {self.prize_id}" if self.prize_id else f"essay prize {self.essay_prize_id}"


class AwardPart(models.TextChoices):
    """The two parts of a contest whose prizes are paid."""

    QUIZ = "quiz", _("Phần thi trắc nghiệm")
    ESSAY = "essay", _("Phần thi viết")


# The tiers the prize plan prices: the jury's tiers of both parts, and «Giải bình chọn», the
# readers' vote prize of the writing contest (essays.VotePrize: one per phase, no ranks).
VOTE_TIER = "vote"
AWARD_TIERS = [*PrizeTier.choices, (VOTE_TIER, _("Giải bình chọn"))]


def tier_label(tier: str) -> str:
    """A tier's name in the award files («Giải Nhất» … «Giải bình chọn»)."""
    return str(dict(AWARD_TIERS).get(tier, _("Giải chưa xếp hạng")))


# A sanity bound on one prize's amount (đồng): a typo of three extra zeros is refused.
MAX_PRIZE_AMOUNT = 1_000_000_000


class PrizeAmount(models.Model):
    """The prize plan's money: how much one prize of a tier of a part is worth (đồng), set by the
    organizers in the admin. A tier without a row has no amount: the award decision and the
    payment list are refused, naming it (`awards.payments`), never paid as 0."""

    contest = models.ForeignKey("contests.Contest", verbose_name=_("cuộc thi"), on_delete=models.CASCADE, related_name="+")
    part = models.CharField(_("phần thi"), max_length=8, choices=AwardPart.choices)
    tier = models.CharField(_("giải"), max_length=16, choices=AWARD_TIERS)
    amount = models.PositiveIntegerField(
        _("mức thưởng (đồng)"),
        validators=[MinValueValidator(1000, _("Mức thưởng tối thiểu là 1.000 đồng.")),
                    MaxValueValidator(MAX_PRIZE_AMOUNT, _("Mức thưởng tối đa là 1.000.000.000 đồng; xin kiểm tra số 0."))],
        help_text=_("Số tiền cho mỗi giải, tính bằng đồng, ví dụ 2000000."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("mức thưởng")
        verbose_name_plural = _("mức thưởng")
        ordering = ["contest", "part", "tier"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "part", "tier"], name="prize_amount_one_per_tier",
                violation_error_message=_("Giải này của phần thi này đã có mức thưởng; hãy sửa mức đã có."),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=1000, amount__lte=MAX_PRIZE_AMOUNT), name="prize_amount_in_bounds"
            ),
            models.CheckConstraint(
                condition=~models.Q(tier=VOTE_TIER) | models.Q(part=AwardPart.ESSAY), name="prize_amount_vote_tier_in_essays",
                violation_error_message=_("«Giải bình chọn» là giải của phần thi viết; xin chọn phần thi viết."),
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.get_part_display()} – {self.get_tier_display()}: {self.amount}"


class AwardDownload(models.Model):
    """Every download of the award decision or the payment list: who, when, which file, for which
    prizes (the scope), how many and for how much. The payment list's looks at winners' details
    are also in WinnerDetailsAccess (where «payments»), one row per winner."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("Quyết định khen thưởng (DOCX)")
        PAYMENTS = "payments", _("Danh sách chuyển khoản (Excel)")

    contest = models.ForeignKey("contests.Contest", verbose_name=_("cuộc thi"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("tệp"), max_length=16, choices=Kind.choices)
    scope = models.CharField(_("phạm vi"), max_length=200)
    prizes = models.PositiveIntegerField(_("số giải"))
    total = models.PositiveBigIntegerField(_("tổng tiền (đồng)"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người tải"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("lượt tải quyết định, danh sách chi trả")
        verbose_name_plural = _("lượt tải quyết định, danh sách chi trả")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["contest", "-at"])]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.scope}"
