"""The writing contest: phases, essays and their authors and files, eligibility screening."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contests.cleaning import validate_line, validate_multiline
from contests.prizes import PrizeQuerySet

from .enums import AssignmentMode, Eligibility, EssayStatus, JudgingStatus, PrizeStatus, PrizeTier, SheetStatus, SubjectKind
from .files import private_storage

# The rules allow 3,000 words at most; 20 characters a word (a Vietnamese syllable and its space
# average under 5) leaves room for any honest essay and bounds the cost of showing one.
ESSAY_BODY_MAX_CHARS = 60_000


class EssayPhase(models.Model):
    """A phase (giai đoạn) of the writing contest: essays are received between its dates."""

    contest = models.ForeignKey(
        "contests.Contest", verbose_name=_("cuộc thi"), on_delete=models.PROTECT, related_name="essay_phases"
    )
    name = models.CharField(_("tên giai đoạn"), max_length=200, validators=[validate_line])
    opens_at = models.DateTimeField(_("nhận bài từ"))
    closes_at = models.DateTimeField(_("hạn nộp bài"))
    min_words = models.PositiveIntegerField(_("số chữ tối thiểu"), default=1500)
    max_words = models.PositiveIntegerField(_("số chữ tối đa"), default=3000)
    expects_attachment = models.BooleanField(
        _("thể lệ yêu cầu gửi kèm tệp"), default=True,
        help_text=_("Bản Word hoặc PDF của bài, ảnh minh họa. Bài không có tệp nào thì người gửi được hỏi lại trước khi nộp."),
    )  # fmt: skip
    # The public's vote («bình chọn», essays.votes): on or off, its window, its own prize.
    vote_enabled = models.BooleanField(
        _("mở bình chọn của công chúng"), default=False,
        help_text=_("Người đọc đã xác minh số điện thoại bình chọn cho các bài đã đăng; kết quả tách riêng, "
                    "không cộng vào điểm của Ban Giám khảo."),
    )  # fmt: skip
    vote_opens_at = models.DateTimeField(_("bình chọn từ"), null=True, blank=True)
    vote_closes_at = models.DateTimeField(_("bình chọn đến"), null=True, blank=True)
    vote_prize = models.BooleanField(
        _("có «Giải bình chọn»"), default=False,
        help_text=_("Bài có nhiều lượt bình chọn nhất khi kết thúc bình chọn; bằng nhau thì bài nộp sớm hơn."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("giai đoạn nhận bài")
        verbose_name_plural = _("giai đoạn nhận bài")
        ordering = ["opens_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="essay_phase_window_ordered"),
            models.CheckConstraint(condition=models.Q(max_words__gte=models.F("min_words")), name="essay_phase_words_ordered"),
            models.CheckConstraint(
                condition=models.Q(vote_enabled=False)
                | models.Q(vote_opens_at__isnull=False, vote_closes_at__gt=models.F("vote_opens_at")),
                name="essay_phase_vote_window_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        from .votes import vote_window_problems

        problems = vote_window_problems(self)
        if problems:
            raise ValidationError(problems)

    @property
    def is_open(self) -> bool:
        return self.opens_at <= timezone.now() < self.closes_at


class Essay(models.Model):
    code = models.CharField(_("mã bài"), max_length=20, unique=True)
    phase = models.ForeignKey(EssayPhase, verbose_name=_("giai đoạn"), on_delete=models.PROTECT, related_name="essays")
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người gửi"), on_delete=models.PROTECT, related_name="essays"
    )
    title = models.CharField(_("tên bài viết"), max_length=300, validators=[validate_line])
    subject_kind = models.CharField(_("viết về"), max_length=16, choices=SubjectKind.choices)
    subject_name = models.CharField(_("tên tập thể hoặc cá nhân được viết"), max_length=300, validators=[validate_line])
    subject_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("đơn vị của tập thể, cá nhân được viết"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(
        _("nội dung"),
        max_length=ESSAY_BODY_MAX_CHARS,
        help_text=_("Mỗi đoạn cách nhau một dòng trống; dòng bắt đầu bằng «## » là tiêu đề nhỏ."),
        validators=[validate_multiline],
    )
    declares_real = models.BooleanField(_("cam kết viết về người thật, việc thật"), default=False)
    declares_unpublished = models.BooleanField(_("cam kết bài chưa đăng báo, chưa dự thi nơi khác"), default=False)
    status = models.CharField(_("trạng thái"), max_length=16, choices=EssayStatus.choices, default=EssayStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    eligibility = models.CharField(_("sơ loại"), max_length=16, choices=Eligibility.choices, default=Eligibility.PENDING)
    screening_reasons = models.JSONField(_("lý do không đủ điều kiện"), default=list, blank=True)
    screening_note = models.TextField(_("ghi chú sơ loại"), blank=True, max_length=2000, validators=[validate_multiline])
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    screened_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("đăng trên trang cuộc thi lúc"), null=True, blank=True)
    recommended_to_press = models.BooleanField(_("giới thiệu đăng báo"), default=False)

    class Meta:
        verbose_name = _("bài dự thi viết")
        verbose_name_plural = _("bài dự thi viết")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["phase", "status", "eligibility"]),
            models.Index(fields=["submitter", "status"]),
        ]

    def __str__(self):
        return f"{self.code} – {self.title}"

    @property
    def word_count(self) -> int:
        return len(self.body.split())

    @property
    def is_editable(self) -> bool:
        return self.status != EssayStatus.WITHDRAWN and self.phase.is_open and self.eligibility == Eligibility.PENDING


class EssayAuthor(models.Model):
    essay = models.ForeignKey(Essay, on_delete=models.CASCADE, related_name="authors")
    name = models.CharField(_("họ và tên tác giả"), max_length=150, validators=[validate_line])
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField(_("số điện thoại"), max_length=10)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("tác giả")
        verbose_name_plural = _("tác giả")
        ordering = ["essay_id", "order", "id"]
        # A co-author finds their essays by their sign-in number (essays.rules.coauthor_filter).
        indexes = [models.Index(fields=["phone"], name="essay_author_phone_idx")]

    def __str__(self):
        return self.name


class EssayFile(models.Model):
    """An attachment (DOCX, PDF) or a photo (JPEG, PNG), checked by its content. Stored privately:
    only the view that asks `essays.rules.file_access` serves it."""

    essay = models.ForeignKey(Essay, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="essays/%Y/%m/", storage=private_storage)
    kind = models.CharField(max_length=8)
    original_name = models.CharField(max_length=255, validators=[validate_line])
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class JudgingRound(models.Model):
    """A judging round (vòng sơ khảo, vòng chung khảo) with its panel and rubric."""

    phase = models.ForeignKey(EssayPhase, verbose_name=_("giai đoạn"), on_delete=models.PROTECT, related_name="judging_rounds")
    name = models.CharField(_("tên vòng"), max_length=200, validators=[validate_line])
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    assignment_mode = models.CharField(
        _("cách phân công"), max_length=16, choices=AssignmentMode.choices, default=AssignmentMode.ALL
    )
    judges_per_essay = models.PositiveSmallIntegerField(_("số giám khảo mỗi bài"), default=3)
    status = models.CharField(_("trạng thái"), max_length=16, choices=JudgingStatus.choices, default=JudgingStatus.DRAFT)
    closed_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(
        _("hạn chấm"), null=True, blank=True, help_text=_("Giám khảo thấy hạn này trên danh sách bài và phiếu chấm.")
    )

    class Meta:
        verbose_name = _("vòng chấm")
        verbose_name_plural = _("vòng chấm")
        ordering = ["phase", "order"]
        constraints = [models.UniqueConstraint(fields=["phase", "order"], name="judging_round_order_unique")]

    def __str__(self):
        return self.name


class Criterion(models.Model):
    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("tiêu chí"), max_length=300, validators=[validate_line])
    max_points = models.PositiveSmallIntegerField(_("điểm tối đa"), default=10)
    weight = models.DecimalField(_("trọng số"), max_digits=4, decimal_places=2, default=1)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("tiêu chí chấm")
        verbose_name_plural = _("tiêu chí chấm")
        ordering = ["round_id", "order", "id"]

    def __str__(self):
        return self.name


class PanelMember(models.Model):
    """A judge of a round. `organization` is the judge's own unit: they never get its essays."""

    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="panel")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("giám khảo"), on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("đơn vị của giám khảo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("thành viên hội đồng")
        verbose_name_plural = _("hội đồng giám khảo")
        constraints = [models.UniqueConstraint(fields=["round", "judge"], name="panel_judge_unique")]

    def __str__(self):
        return str(self.judge)


class RoundEssay(models.Model):
    """An essay taking part in a judging round."""

    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="entries")
    essay = models.ForeignKey(Essay, on_delete=models.CASCADE, related_name="round_entries")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "essay"], name="round_essay_unique")]

    def __str__(self):
        return f"{self.round_id}:{self.essay_id}"


class Assignment(models.Model):
    """One judge's score sheet for one essay in one round."""

    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="assignments")
    essay = models.ForeignKey(Essay, on_delete=models.CASCADE, related_name="assignments")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="judging_assignments")
    status = models.CharField(max_length=16, choices=SheetStatus.choices, default=SheetStatus.PENDING)
    comment = models.TextField(_("nhận xét"), blank=True, max_length=5000, validators=[validate_multiline])
    conflict_reason = models.CharField(_("lý do xung đột lợi ích"), max_length=500, blank=True, validators=[validate_line])
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("phân công chấm")
        verbose_name_plural = _("phân công chấm")
        constraints = [models.UniqueConstraint(fields=["round", "essay", "judge"], name="assignment_unique")]
        indexes = [models.Index(fields=["judge", "round", "status"])]

    def __str__(self):
        return f"{self.round_id}:{self.essay_id}:{self.judge_id}"


class Score(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    points = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "criterion"], name="score_unique")]

    def __str__(self):
        return f"{self.assignment_id}:{self.criterion_id}={self.points}"


class EssayPrize(models.Model):
    """A prize of the writing contest: drafted from the final ranking, checked by the secretariat,
    then published with the essay. Its lifecycle is `contests.prizes`, the same as the quiz's;
    `EssayPrize.objects.valid()` is behind every figure."""

    essay = models.OneToOneField(Essay, on_delete=models.CASCADE, related_name="prize")
    tier = models.CharField(_("giải"), max_length=16, choices=PrizeTier.choices, blank=True)
    rank = models.PositiveSmallIntegerField(_("hạng"))
    status = models.CharField(_("xác minh"), max_length=16, choices=PrizeStatus.choices, default=PrizeStatus.DRAFT)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True, validators=[validate_line])
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    amendments = models.JSONField(
        _("sửa kết quả đã công bố"), default=list, blank=True, editable=False,
        help_text=_("Mỗi lần sửa sau khi công bố: ai, lúc nào, vì sao, sửa gì."),
    )  # fmt: skip

    objects = PrizeQuerySet.as_manager()

    class Meta:
        verbose_name = _("giải bài viết")
        verbose_name_plural = _("giải bài viết")
        ordering = ["rank"]

    def __str__(self):
        return f"{self.get_tier_display()} – {self.essay_id}"

    @property
    def is_valid(self) -> bool:
        return self.status != PrizeStatus.INVALID


class EssayVote(models.Model):
    """One vote of the public («bình chọn») for a published essay: one per verified phone, essay
    and day (the contest's calendar day), a database constraint behind essays.votes.essay_vote.
    The phone and the address are what the limits and the integrity review count; anonymizing
    the voter empties both (the vote stays counted)."""

    essay = models.ForeignKey(Essay, verbose_name=_("bài viết"), on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    phone = models.CharField(_("số điện thoại"), max_length=10, blank=True)
    day = models.DateField(_("ngày"))
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("lượt bình chọn")
        verbose_name_plural = _("lượt bình chọn")
        constraints = [
            models.UniqueConstraint(
                fields=["essay", "phone", "day"], condition=~models.Q(phone=""), name="essay_vote_one_per_phone_essay_day"
            )
        ]
        indexes = [
            models.Index(fields=["ip_address", "created_at"]),
            models.Index(fields=["phone", "created_at"]),
            models.Index(fields=["voter"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self):
        return _("Bình chọn bài %(code)s ngày %(day)s") % {"code": self.essay.code, "day": self.day.strftime("%d/%m/%Y")}


class VotePrize(models.Model):
    """«Giải bình chọn» of a phase: the essay with the most votes (essays.votes.vote_prize_draft),
    apart from the jury's prizes and never counted in them."""

    phase = models.OneToOneField(EssayPhase, on_delete=models.PROTECT, related_name="vote_prize_award")
    essay = models.ForeignKey(Essay, verbose_name=_("bài viết"), on_delete=models.PROTECT, related_name="+")
    votes = models.PositiveIntegerField(_("lượt bình chọn"))
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("giải bình chọn")
        verbose_name_plural = _("giải bình chọn")

    def __str__(self):
        return _("Giải bình chọn: %(code)s") % {"code": self.essay.code}
