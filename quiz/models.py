"""The quiz: a question bank, weekly rounds with sealed pools, attempts, rankings and prizes.

Invariants that must hold under concurrency are database constraints: one open attempt per
contestant and round, one answer slot per question of an attempt, one ranking entry and one
prize per person and round, one correct option per question."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contests.cleaning import validate_line, validate_multiline
from contests.prizes import PrizeQuerySet
from contests.storage import private_storage

from .enums import (
    AttemptStatus,
    ErratumAction,
    PrizeStatus,
    PrizeTier,
    QuestionStatus,
    RankingRule,
    ReviewPolicy,
    RoundKind,
    RoundPhase,
)
from .errors import SealedError

OPTION_LETTERS = "ABCDEF"


class Field(models.Model):
    """A field (lĩnh vực) of the bank: party statutes, resolutions, model party cells …"""

    name = models.CharField(_("tên lĩnh vực"), max_length=200, unique=True, validators=[validate_line])
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Question(models.Model):
    code = models.CharField(_("mã câu"), max_length=32, unique=True, validators=[validate_line])
    field = models.ForeignKey(Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="questions")
    text = models.TextField(_("câu hỏi"), max_length=2000, validators=[validate_multiline])
    source = models.CharField(_("nguồn"), max_length=500, blank=True, validators=[validate_line])
    status = models.CharField(_("trạng thái"), max_length=16, choices=QuestionStatus.choices, default=QuestionStatus.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người soạn"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An optional image (quiz.images: checked with Pillow, written again as WebP, named by its
    # SHA-256, private). The SHA-256 goes into the sealed key file; a sealed question's image
    # and its alt text never change (quiz.signals).
    image = models.FileField(_("hình ảnh"), storage=private_storage, max_length=200, blank=True, editable=False)
    image_sha256 = models.CharField(_("SHA-256 của ảnh"), max_length=64, blank=True, editable=False, db_index=True)
    image_width = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(
        _("mô tả ảnh (cho người dùng trình đọc màn hình)"), max_length=500, blank=True, validators=[validate_line],
        help_text=_("Để trống: dùng nội dung câu hỏi."),
    )  # fmt: skip
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)

    class Meta:
        verbose_name = _("câu hỏi")
        verbose_name_plural = _("ngân hàng câu hỏi")
        ordering = ["code"]
        indexes = [models.Index(fields=["field", "status"])]

    def __str__(self):
        return f"{self.code} – {self.text[:80]}"


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    letter = models.CharField(_("phương án"), max_length=1)
    text = models.CharField(_("nội dung"), max_length=1000, validators=[validate_line])
    is_correct = models.BooleanField(_("đúng"), default=False)

    class Meta:
        verbose_name = _("phương án")
        verbose_name_plural = _("phương án")
        ordering = ["question_id", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["question", "letter"], name="option_letter_unique"),
            models.UniqueConstraint(fields=["question"], condition=Q(is_correct=True), name="option_one_correct"),
        ]

    def __str__(self):
        return f"{self.letter}. {self.text}"


class Round(models.Model):
    """A weekly round (tuần thi) or the practice set. Its pool and answer keys are sealed when an
    organizer approves it; from then on nothing about them can change."""

    contest = models.ForeignKey("contests.Contest", verbose_name=_("cuộc thi"), on_delete=models.PROTECT, related_name="rounds")
    kind = models.CharField(_("loại"), max_length=16, choices=RoundKind.choices, default=RoundKind.WEEKLY)
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    name = models.CharField(_("tên"), max_length=200, validators=[validate_line])
    opens_at = models.DateTimeField(_("mở lúc"))
    closes_at = models.DateTimeField(_("đóng lúc"))
    questions_per_attempt = models.PositiveSmallIntegerField(_("số câu mỗi bài thi"), default=20)
    time_limit_seconds = models.PositiveIntegerField(_("thời gian làm bài (giây)"), default=15 * 60)
    max_attempts = models.PositiveIntegerField(
        _("số lần thi tối đa"), null=True, blank=True, help_text=_("Bỏ trống: không giới hạn.")
    )
    # Defaults chosen in docs/decisions.md ("Attempt pace"): at two a day over a week's window a
    # script probing one question per attempt learns well under a quarter of a 48-question key,
    # while a contestant of the seed contest (3.6 attempts a week) never meets the limit.
    attempts_per_day = models.PositiveSmallIntegerField(
        _("số lượt thi tối đa mỗi ngày"), null=True, blank=True, default=2, validators=[MinValueValidator(1)],
        help_text=_("Tính theo ngày lịch ở Việt Nam (0:00–24:00). Bỏ trống: không giới hạn."),
    )  # fmt: skip
    min_start_interval_minutes = models.PositiveIntegerField(
        _("khoảng cách tối thiểu giữa hai lượt (phút)"), null=True, blank=True, default=30,
        validators=[MinValueValidator(1)],
        help_text=_("Tính từ lúc bắt đầu lượt trước đến lúc bắt đầu lượt sau. Bỏ trống: không giới hạn."),
    )  # fmt: skip
    review_policy = models.CharField(
        _("xem đáp án"), max_length=16, choices=ReviewPolicy.choices, default=ReviewPolicy.AFTER_CLOSE
    )
    ranking_rule = models.CharField(
        _("cách xếp hạng"), max_length=32, choices=RankingRule.choices, default=RankingRule.SCORE_TIME
    )
    tiebreaker_enabled = models.BooleanField(
        _("câu hỏi phụ dự đoán"),
        default=False,
        help_text=_("Thí sinh dự đoán số người đạt điểm tuyệt đối của tuần trước khi nộp bài."),
    )
    prizes_first = models.PositiveSmallIntegerField(_("số giải Nhất"), default=1)
    prizes_second = models.PositiveSmallIntegerField(_("số giải Nhì"), default=2)
    prizes_third = models.PositiveSmallIntegerField(_("số giải Ba"), default=3)
    prizes_consolation = models.PositiveSmallIntegerField(_("số giải Khuyến khích"), default=10)
    # No prize below it, whatever the plan says: a tier stays empty rather than going to a low score
    # (quiz.services.prizes.QuizPrizes.candidates). 0: no minimum (docs/decisions.md).
    prize_min_score = models.PositiveSmallIntegerField(
        _("điểm tối thiểu để nhận giải"),
        default=0,
        help_text=_("Bài có điểm thấp hơn mức này không nhận giải, kể cả khi còn giải trống. 0: không đặt mức tối thiểu."),
    )
    approved_at = models.DateTimeField(_("duyệt và niêm phong lúc"), null=True, blank=True, editable=False)
    # When «the round is open» went out (quiz.services.notifications.rounds_announce_opened): once per round.
    opening_announced_at = models.DateTimeField(_("báo tuần thi mở lúc"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người duyệt"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", editable=False,
    )  # fmt: skip
    results_published_at = models.DateTimeField(_("công bố kết quả lúc"), null=True, blank=True, editable=False)
    results_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    full_score_actual = models.PositiveIntegerField(
        _("số người đạt điểm tuyệt đối"), null=True, blank=True, editable=False,
        help_text=_("Chốt khi đóng tuần thi; dùng để tính độ lệch dự đoán."),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tuần thi")
        verbose_name_plural = _("tuần thi")
        ordering = ["contest", "kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "kind", "number"], name="round_number_unique"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="round_window_ordered"),
            models.CheckConstraint(condition=Q(questions_per_attempt__gte=1), name="round_questions_positive"),
            models.CheckConstraint(
                condition=Q(attempts_per_day__isnull=True) | Q(attempts_per_day__gte=1), name="round_attempts_per_day_positive"
            ),
            models.CheckConstraint(
                condition=Q(min_start_interval_minutes__isnull=True) | Q(min_start_interval_minutes__gte=1),
                name="round_start_interval_positive",
            ),
        ]
        indexes = [models.Index(fields=["contest", "opens_at"])]

    def __str__(self):
        return f"{self.name} – {self.contest}"

    @property
    def is_sealed(self) -> bool:
        return self.approved_at is not None

    @property
    def is_practice(self) -> bool:
        return self.kind == RoundKind.PRACTICE

    def phase(self, now=None) -> str:
        now = now or timezone.now()
        if not self.is_sealed:
            return RoundPhase.DRAFT
        if self.results_published_at:
            return RoundPhase.PUBLISHED
        if now < self.opens_at:
            return RoundPhase.SEALED
        if now < self.closes_at:
            return RoundPhase.OPEN
        return RoundPhase.CLOSED

    @property
    def is_open(self) -> bool:
        now = timezone.now()
        return self.is_sealed and self.opens_at <= now < self.closes_at

    @property
    def is_closed(self) -> bool:
        return timezone.now() >= self.closes_at

    @property
    def prize_plan(self) -> list[tuple[str, int]]:
        return [
            (PrizeTier.FIRST, self.prizes_first),
            (PrizeTier.SECOND, self.prizes_second),
            (PrizeTier.THIRD, self.prizes_third),
            (PrizeTier.CONSOLATION, self.prizes_consolation),
        ]

    @property
    def time_limit_display(self) -> str:
        from .templatetags.quiz_tags import seconds

        return seconds(self.time_limit_seconds * 1000)

    def get_phase_display(self) -> str:
        return RoundPhase(self.phase()).label


class RoundQuestion(models.Model):
    """A question of a round's pool."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="pool")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="round_entries")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("câu hỏi của tuần")
        verbose_name_plural = _("bộ câu hỏi của tuần")
        constraints = [models.UniqueConstraint(fields=["round", "question"], name="pool_question_unique")]

    def __str__(self):
        return f"{self.round_id}:{self.question_id}"


class BlueprintItem(models.Model):
    """How many questions of a field each attempt draws. Without items, every field in proportion."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="blueprint")
    field = models.ForeignKey(Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="+")
    count = models.PositiveSmallIntegerField(_("số câu"))

    class Meta:
        verbose_name = _("cơ cấu đề")
        verbose_name_plural = _("cơ cấu đề (số câu mỗi lĩnh vực)")
        constraints = [models.UniqueConstraint(fields=["round", "field"], name="blueprint_field_unique")]

    def __str__(self):
        return f"{self.field_id}×{self.count}"


class AttemptQuerySet(models.QuerySet):
    def finished(self):
        """Attempts that count: submitted, or closed by the system at the deadline. Every figure,
        export and review reads attempts through this one filter."""
        return self.exclude(status=AttemptStatus.OPEN)

    def open(self):
        return self.filter(status=AttemptStatus.OPEN)

    def full_score(self):
        """Finished attempts with every drawn question right: the full score is the attempt's own
        number of questions (the round's questions_per_attempt when it started), never a constant."""
        return self.finished().filter(score=models.F("question_count"))


class Attempt(models.Model):
    """One attempt (bài thi): its questions were drawn and shuffled at start. Times are the
    server's. `duration_ms` is the time taken, counted to submission or the deadline."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attempts")
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="attempts",
        help_text=_("Đơn vị của thí sinh lúc bắt đầu bài thi."),
    )  # fmt: skip
    status = models.CharField(max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.OPEN)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    question_count = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    prediction = models.PositiveIntegerField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The receipt (biên nhận, quiz.receipts): SHA-256 of the finished attempt's canonical record,
    # written in the UPDATE that scores it. The nonce and the pseudonyms are revealed only in the
    # round's published results bundle; none of them says who the contestant is.
    receipt = models.CharField(_("biên nhận (SHA-256)"), max_length=64, blank=True, default="", editable=False)
    receipt_nonce = models.CharField(_("chuỗi ngẫu nhiên của biên nhận"), max_length=64, blank=True, default="", editable=False)
    public_id = models.CharField(_("mã bài thi công khai"), max_length=16, blank=True, default="", editable=False)
    entrant_code = models.CharField(_("mã thí sinh công khai"), max_length=16, blank=True, default="", editable=False)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("bài thi")
        verbose_name_plural = _("bài thi")
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], condition=Q(status="open"), name="attempt_one_open_per_round"),
        ]
        indexes = [
            models.Index(fields=["round", "user"]),
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["round", "status", "score"]),
            models.Index(fields=["round", "finished_at"]),
        ]

    def __str__(self):
        return f"#{self.pk} {self.user_id} – {self.round_id}"

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.OPEN

    @property
    def duration_seconds(self) -> float | None:
        return None if self.duration_ms is None else self.duration_ms / 1000


class AttemptQuestion(models.Model):
    """A drawn question of an attempt. `option_ids` is the shuffled order of its options; the page
    posts an index into it, so nothing in the page says which option is right."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="attempt_items")
    position = models.PositiveSmallIntegerField()
    option_ids = models.JSONField()
    option_count = models.PositiveSmallIntegerField()
    chosen_index = models.PositiveSmallIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    is_correct = models.BooleanField(null=True)

    class Meta:
        ordering = ["attempt_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="attempt_item_position_unique"),
            models.UniqueConstraint(fields=["attempt", "question"], name="attempt_item_question_unique"),
        ]
        indexes = [models.Index(fields=["question", "is_correct"])]

    def __str__(self):
        return f"{self.attempt_id}:{self.position}"


class RoundEntry(models.Model):
    """A contestant's standing in a round: their best attempt by the round's rule. Kept at every
    finished attempt so the leaderboard is one indexed query."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="round_entries")
    best_attempt = models.ForeignKey(Attempt, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField()
    finished_at = models.DateTimeField()
    prediction = models.PositiveIntegerField(null=True, blank=True)
    attempts_count = models.PositiveIntegerField(default=0)
    disqualified = models.BooleanField(_("bị loại"), default=False)
    disqualified_reason = models.CharField(_("lý do loại"), max_length=500, blank=True, validators=[validate_line])

    class Meta:
        verbose_name = _("kết quả của thí sinh")
        verbose_name_plural = _("kết quả của thí sinh")
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="round_entry_unique")]
        indexes = [models.Index(fields=["round", "-score", "duration_ms", "finished_at"], name="round_entry_rank_idx")]

    def __str__(self):
        return f"{self.round_id}:{self.user_id} {self.score}"


class Prize(models.Model):
    """A weekly prize. Its lifecycle (draft → verified | not valid → published, amendments after
    publication) is `contests.prizes`; `Prize.objects.valid()` is behind every figure."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="prizes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quiz_prizes")
    entry = models.ForeignKey(RoundEntry, on_delete=models.PROTECT, related_name="+")
    tier = models.CharField(_("giải"), max_length=16, choices=PrizeTier.choices)
    rank = models.PositiveIntegerField(_("hạng"))
    status = models.CharField(_("xác minh"), max_length=16, choices=PrizeStatus.choices, default=PrizeStatus.DRAFT)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True, validators=[validate_line])
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    amendments = models.JSONField(
        _("sửa kết quả đã công bố"), default=list, blank=True, editable=False,
        help_text=_("Mỗi lần sửa sau khi công bố: ai, lúc nào, vì sao, sửa gì."),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PrizeQuerySet.as_manager()

    class Meta:
        verbose_name = _("giải thưởng tuần")
        verbose_name_plural = _("giải thưởng tuần")
        ordering = ["round", "rank"]
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="prize_one_per_person_round")]

    def __str__(self):
        return f"{self.get_tier_display()} – {self.user}"


class RoundSeal(models.Model):
    """The sealed key file of a round (niêm phong): the exact bytes written when the round was
    approved and their SHA-256 fingerprint, which the round's public page shows from the opening.
    Written once by `quiz.seal.seal_record`; a signal below and a database trigger (migration)
    refuse any later change, and the admin has no form for it. The format is in docs/seal.md."""

    round = models.OneToOneField(Round, verbose_name=_("tuần thi"), on_delete=models.PROTECT, related_name="seal", editable=False)
    key_file = models.BinaryField(_("tệp đáp án niêm phong"), editable=False)
    sha256 = models.CharField(_("mã niêm phong (SHA-256)"), max_length=64, unique=True, editable=False)
    nonce = models.CharField(_("chuỗi ngẫu nhiên"), max_length=64, editable=False)
    backfilled = models.BooleanField(
        _("lập bổ sung"), default=False, editable=False,
        help_text=_("Tệp được lập bổ sung cho một tuần thi đã duyệt trước khi có tệp niêm phong."),
    )  # fmt: skip
    created_at = models.DateTimeField(_("lập lúc"), default=timezone.now, editable=False)
    # The round's window when it was sealed (empty on seals written before it was kept): with the
    # window extensions of the decision log, in order, it gives the round's window now
    # (verify_results). Kept beside the key file, not in it: the file's format is unchanged.
    opens_at = models.DateTimeField(_("mở lúc (khi niêm phong)"), null=True, editable=False)
    closes_at = models.DateTimeField(_("đóng lúc (khi niêm phong)"), null=True, editable=False)

    class Meta:
        verbose_name = _("niêm phong tuần thi")
        verbose_name_plural = _("niêm phong tuần thi")
        constraints = [
            models.CheckConstraint(condition=Exact(Length("sha256"), 64), name="round_seal_sha256_length"),
            models.CheckConstraint(condition=Exact(Length("nonce"), 64), name="round_seal_nonce_length"),
        ]

    def __str__(self):
        return f"{self.round_id}: {self.sha256}"


@receiver(pre_save, sender=RoundSeal)
def _seal_refuse_update(sender, instance, **kwargs):
    if instance.pk is not None and RoundSeal.objects.filter(pk=instance.pk).exists():
        raise SealedError(_("Tệp đáp án niêm phong đã được lưu; không thể thay đổi."))


@receiver(pre_delete, sender=RoundSeal)
def _seal_refuse_delete(sender, instance, **kwargs):
    raise SealedError(_("Tệp đáp án niêm phong đã được lưu; không thể xoá."))


class RoundCommitment(models.Model):
    """A closed round's results commitment (mã kết quả): the Merkle root over every finished
    attempt's receipt, and the sorted receipts themselves (the leaves, 32 bytes each), written
    once by `quiz.receipts.round_commit` before any prize is drafted. Append-only like the seal:
    signals below and database triggers (migration) refuse any update or delete."""

    round = models.OneToOneField(
        Round, verbose_name=_("tuần thi"), on_delete=models.PROTECT, related_name="commitment", editable=False
    )
    root = models.CharField(_("mã kết quả (gốc Merkle)"), max_length=64, editable=False)
    leaf_count = models.PositiveIntegerField(_("số bài thi"), editable=False)
    leaves = models.BinaryField(_("các biên nhận, đã sắp xếp"), editable=False)
    created_at = models.DateTimeField(_("lập lúc"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("mã kết quả tuần thi")
        verbose_name_plural = _("mã kết quả tuần thi")
        constraints = [models.CheckConstraint(condition=Exact(Length("root"), 64), name="round_commitment_root_length")]

    def __str__(self):
        return f"{self.round_id}: {self.root}"


@receiver(pre_save, sender=RoundCommitment)
def _commitment_refuse_update(sender, instance, **kwargs):
    if instance.pk is not None and RoundCommitment.objects.filter(pk=instance.pk).exists():
        raise SealedError(_("Mã kết quả của tuần thi đã được lưu; không thể thay đổi."))


@receiver(pre_delete, sender=RoundCommitment)
def _commitment_refuse_delete(sender, instance, **kwargs):
    raise SealedError(_("Mã kết quả của tuần thi đã được lưu; không thể xoá."))


class RoundErratum(models.Model):
    """An erratum of a sealed round (đính chính): a question found wrong after the seal, annulled
    or re-keyed, with a reason, by whom and when. Each erratum stores a new key file (format
    `dinh-chinh/1`: the whole key after the change, docs/seal.md) and its SHA-256, chained to the
    previous key file's fingerprint (the seal's, then the last erratum's). Written once by
    `quiz.services.errata.round_erratum`; append-only like the seal (signals below, database
    triggers: contests.append_only), and one erratum per previous fingerprint, so the chain
    never forks."""

    round = models.ForeignKey(Round, verbose_name=_("tuần thi"), on_delete=models.PROTECT, related_name="errata", editable=False)
    seq = models.PositiveSmallIntegerField(_("số thứ tự"), editable=False)
    question = models.ForeignKey(
        Question, verbose_name=_("câu hỏi"), on_delete=models.PROTECT, related_name="errata", editable=False
    )
    action = models.CharField(_("đính chính"), max_length=8, choices=ErratumAction.choices, editable=False)
    # The key of the question before and after: option letters ("B"; "AB" when a re-key accepts
    # two), or "*" for an annulled question (quiz.scoring.ANNULLED).
    previous_answer = models.CharField(_("đáp án trước"), max_length=8, editable=False)
    answer = models.CharField(_("đáp án mới"), max_length=8, editable=False)
    reason = models.TextField(_("lý do"), validators=[validate_multiline], editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người quyết định"), on_delete=models.PROTECT, related_name="+",
        editable=False,
    )  # fmt: skip
    created_at = models.DateTimeField(_("quyết định lúc"), default=timezone.now, editable=False)
    key_file = models.BinaryField(_("tệp đáp án sau đính chính"), editable=False)
    sha256 = models.CharField(_("mã tệp đáp án mới (SHA-256)"), max_length=64, unique=True, editable=False)
    previous_sha256 = models.CharField(_("mã tệp đáp án trước (SHA-256)"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("đính chính đáp án")
        verbose_name_plural = _("đính chính đáp án")
        ordering = ["round_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["round", "seq"], name="round_erratum_seq_unique"),
            models.UniqueConstraint(fields=["round", "previous_sha256"], name="round_erratum_chain_unique"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="round_erratum_seq_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="round_erratum_reason"),
            models.CheckConstraint(condition=Exact(Length("sha256"), 64), name="round_erratum_sha256_length"),
            models.CheckConstraint(condition=Exact(Length("previous_sha256"), 64), name="round_erratum_previous_length"),
            models.CheckConstraint(
                condition=(Q(action="annul", answer="*") | (Q(action="rekey") & ~Q(answer="*") & ~Q(answer=""))),
                name="round_erratum_action_answer",
            ),
        ]

    def __str__(self):
        return f"{self.round_id}#{self.seq}: {self.sha256}"


@receiver(pre_save, sender=RoundErratum)
def _erratum_refuse_update(sender, instance, **kwargs):
    if instance.pk is not None and RoundErratum.objects.filter(pk=instance.pk).exists():
        raise SealedError(_("Đính chính đáp án đã được lưu; không thể thay đổi."))


@receiver(pre_delete, sender=RoundErratum)
def _erratum_refuse_delete(sender, instance, **kwargs):
    raise SealedError(_("Đính chính đáp án đã được lưu; không thể xoá."))


# An early close is to a moment not yet passed; the database's clock and the application's may
# differ by this much (quiz.signals, the trigger of quiz's migrations).
EARLY_CLOSE_SKEW = datetime.timedelta(minutes=1)


class RoundWindowChange(models.Model):
    """The changes a sealed round allows, each with the reason, by whom and when: its closing time
    moved later (quiz.services.rounds.round_extend_window) or earlier, to a moment not yet passed
    (round_close_early). The Round signal and the PostgreSQL trigger refuse a new closing time
    without its record."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="window_changes")
    old_closes_at = models.DateTimeField(_("đóng lúc (cũ)"))
    new_closes_at = models.DateTimeField(_("đóng lúc (mới)"))
    reason = models.TextField(_("lý do"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người quyết định"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("quyết định lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("đổi thời gian đóng tuần thi")
        verbose_name_plural = _("gia hạn, đóng sớm tuần thi")
        ordering = ["round_id", "changed_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(new_closes_at=models.F("old_closes_at")), name="round_window_change_moves"),
            models.CheckConstraint(condition=~Q(reason=""), name="round_window_change_reason"),
        ]

    def __str__(self):
        return f"{self.round_id}: {self.old_closes_at:%Y-%m-%d %H:%M} → {self.new_closes_at:%Y-%m-%d %H:%M}"

    @property
    def early(self) -> bool:
        """An early close (the round closes before the time it had), not an extension."""
        return self.new_closes_at < self.old_closes_at


EXTRA_MINUTES_MAX = 120


class TimeExtension(models.Model):
    """Extra minutes for one contestant in one round (a disability, a lost connection the
    organizers accept), granted by an organizer with a reason. Grants add up; every attempt the
    contestant starts in the round, and the one in progress, gets them (the deadline rule,
    quiz.services.deadlines.attempt_deadline). Never changed or deleted: a record, like the decision log."""

    round = models.ForeignKey(Round, verbose_name=_("tuần thi"), on_delete=models.PROTECT, related_name="time_extensions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("thí sinh"), on_delete=models.PROTECT, related_name="time_extensions"
    )
    minutes = models.PositiveSmallIntegerField(
        _("số phút cộng thêm"), validators=[MinValueValidator(1), MaxValueValidator(EXTRA_MINUTES_MAX)]
    )
    reason = models.TextField(_("lý do"), max_length=2000, validators=[validate_multiline])
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người cho thêm giờ"), on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("cho thêm giờ lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("quyết định cho thêm giờ")
        verbose_name_plural = _("cho thêm giờ làm bài (từng thí sinh)")
        ordering = ["round_id", "granted_at"]
        indexes = [models.Index(fields=["round", "user"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=EXTRA_MINUTES_MAX), name="time_extension_minutes_range"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="time_extension_reason"),
        ]

    def __str__(self):
        return f"{self.round_id}/{self.user_id}: +{self.minutes}′"


class RoundStat(models.Model):
    """A closed round's item analysis as a whole (quiz.analysis.round_analyse writes it)."""

    round = models.OneToOneField(Round, verbose_name=_("tuần thi"), on_delete=models.CASCADE, related_name="stat")
    attempts = models.PositiveIntegerField(_("số bài thi"))
    test_length = models.PositiveSmallIntegerField(_("số câu mỗi bài thi"))
    alpha = models.FloatField(_("hệ số Cronbach alpha"), null=True, blank=True)
    mean = models.FloatField(_("điểm trung bình"), null=True, blank=True)
    sd = models.FloatField(_("độ lệch chuẩn"), null=True, blank=True)
    distribution = models.JSONField(_("phân bố điểm"), default=list)
    computed_at = models.DateTimeField(_("phân tích lúc"))
    seconds = models.FloatField(_("thời gian tính (giây)"), default=0)
    # The fingerprint of the key file the answers were scored by (the seal's, or the last
    # erratum's); "" for a round without key files. quiz.analysis.analysis_outdated compares it.
    key_sha256 = models.CharField(_("mã đáp án dùng để phân tích"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("phân tích tuần thi")
        verbose_name_plural = _("phân tích tuần thi")

    def __str__(self):
        return f"{self.round_id}: α={self.alpha}"


class QuestionStat(models.Model):
    """One question's figures in one closed round (quiz.analysis): facility, discrimination, the
    share choosing each option (letters, "" for no answer) and the flags raised."""

    round = models.ForeignKey(Round, verbose_name=_("tuần thi"), on_delete=models.CASCADE, related_name="question_stats")
    question = models.ForeignKey(Question, verbose_name=_("câu hỏi"), on_delete=models.CASCADE, related_name="stats")
    attempts = models.PositiveIntegerField(_("số bài thi có câu này"))
    facility = models.FloatField(_("độ dễ (tỉ lệ đúng)"), null=True, blank=True)
    discrimination = models.FloatField(_("độ phân biệt (tương quan điểm-nhị phân)"), null=True, blank=True)
    upper_lower = models.FloatField(_("chỉ số phân biệt nhóm 27 %"), null=True, blank=True)
    option_shares = models.JSONField(_("tỉ lệ chọn từng phương án"), default=dict)
    flags = models.JSONField(_("cảnh báo"), default=list)
    computed_at = models.DateTimeField(_("phân tích lúc"))

    class Meta:
        verbose_name = _("phân tích câu hỏi")
        verbose_name_plural = _("phân tích câu hỏi")
        ordering = ["round_id", "question_id"]
        constraints = [models.UniqueConstraint(fields=["round", "question"], name="question_stat_unique")]
        indexes = [models.Index(fields=["question", "computed_at"])]

    def __str__(self):
        return f"{self.round_id}/{self.question_id}"


class ResultShare(models.Model):
    """A contestant's published result of a weekly round, shared by its owner at /share/<token>/
    (quiz.services.sharing). The token is the only address: unguessable, never derived from an id.
    Revoking deletes the row, so the link is dead for good; sharing again makes a new token."""

    class NameShown(models.TextChoices):
        FULL = "full", _("Họ và tên đầy đủ")
        INITIALS = "initials", _("Chỉ chữ cái đầu (ví dụ N. V. A.)")

    token = models.CharField(max_length=32, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="result_shares")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="shares")
    name_shown = models.CharField(
        _("tên hiện trên trang chia sẻ"), max_length=10, choices=NameShown.choices, default=NameShown.FULL
    )
    show_score = models.BooleanField(_("hiện điểm"), default=True)
    created_at = models.DateTimeField(_("chia sẻ lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("kết quả được chia sẻ")
        verbose_name_plural = _("kết quả được chia sẻ")
        constraints = [models.UniqueConstraint(fields=["user", "round"], name="result_share_one_per_round")]

    def __str__(self):
        return f"{self.round_id}:{self.user_id}"


class RoundFigures(models.Model):
    """The figures of finished attempts, kept so that pages never count every attempt
    (quiz.figures: recomputed from the attempts by the beat within `FIGURES_STALE_SECONDS`, and
    at once after a change to closed attempts; `verify_results` recomputes and compares).

    One row per (round, unit, scope): `round` null is the contest's weekly rounds together
    (people counted once across the weeks); `organization` null is everyone; `subtree` says
    whether the row counts the unit's whole branch or its own attempts only. People are
    distinct within the row. The everyone row of a round also holds the score distribution,
    the attempts still open when counted, and each question's answers (`questions`)."""

    contest = models.ForeignKey("contests.Contest", on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subtree = models.BooleanField(default=True)
    attempts = models.PositiveIntegerField(default=0)
    participants = models.PositiveIntegerField(default=0)
    full_attempts = models.PositiveIntegerField(default=0)
    full_people = models.PositiveIntegerField(default=0)
    near_attempts = models.PositiveIntegerField(default=0)
    near_people = models.PositiveIntegerField(default=0)
    fastest_full_ms = models.PositiveIntegerField(null=True, blank=True)
    open_attempts = models.PositiveIntegerField(default=0)
    distribution = models.JSONField(default=dict)  # score (as text) → attempts
    timeline = models.JSONField(default=dict)  # {"days": {ISO date: attempts}, "hours": {hour: attempts}}, local time
    questions = models.JSONField(default=dict)  # question id (as text) → [drawn, right]
    questions_at = models.DateTimeField(null=True, blank=True)  # when `questions` was counted
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("số liệu tuần thi")
        verbose_name_plural = _("số liệu tuần thi")
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "round", "organization", "subtree"], name="round_figures_unique", nulls_distinct=False
            )
        ]
        indexes = [models.Index(fields=["contest", "round", "organization"], name="round_figures_lookup")]

    def __str__(self):
        return f"{self.contest_id}/{self.round_id}/{self.organization_id}"
