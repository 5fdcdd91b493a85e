"""Reads for the quiz, shared by views, reports and exports."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contests.cleaning import normalize_text

from . import errata, lean, limits, pool_cache, ranking, rules
from .enums import PrizeStatus, QuestionStatus, RankingRule, ReviewPolicy, RoundKind
from .models import Attempt, AttemptQuestion, Prize, Question, Round, RoundEntry, RoundQuestion
from .scoring import ANNULLED


def visible_rounds(*, contest):
    """Rounds contestants can see: sealed ones (drafts stay with the organizers)."""
    return Round.objects.filter(contest=contest, approved_at__isnull=False).order_by("kind", "number")


def rounds_for_home(*, contest, user) -> list[Round]:
    """The contest's rounds worth showing on the home page: open now first, then the next one
    to open, then the practice set."""
    now = timezone.now()
    rounds = list(visible_rounds(contest=contest).filter(closes_at__gt=now))
    open_now = [r for r in rounds if r.kind == RoundKind.WEEKLY and r.opens_at <= now]
    upcoming = sorted((r for r in rounds if r.kind == RoundKind.WEEKLY and r.opens_at > now), key=lambda r: r.opens_at)[:1]
    practice = [r for r in rounds if r.kind == RoundKind.PRACTICE][:1]
    return open_now + upcoming + practice


def next_round(*, round: Round, now=None) -> Round | None:
    """The contest's next weekly round to open after `round` (sealed, not open yet), for the
    countdown on the round page. One query."""
    if round.kind != RoundKind.WEEKLY:
        return None
    now = now or timezone.now()
    return (
        visible_rounds(contest=round.contest_id)
        .filter(kind=RoundKind.WEEKLY, opens_at__gt=now, opens_at__gte=round.opens_at)
        .exclude(pk=round.pk)
        .order_by("opens_at", "pk")
        .first()
    )


def get_round_for_contestant(*, pk: int) -> Round:
    """A sealed round with its contest (one SELECT by primary key: quiz.lean)."""
    round = lean.get_with_related(Round, pk, "contest")
    if round is None or round.approved_at is None:
        raise Http404
    return round


def get_attempt_for_contestant(user, pk: int) -> Attempt:
    """The one access helper for attempts: a contestant only ever reaches their own. The attempt
    with its round and contest in one SELECT by primary key (quiz.lean)."""
    attempt = lean.get_with_related(Attempt, pk, "round", "contest")
    if attempt is None or not rules.can_take_attempt(user, attempt):
        raise Http404
    return attempt


@dataclass(frozen=True)
class AttemptImage:
    """A question's image as the attempt page shows it (the same for every attempt: it goes into
    the cached fragment)."""

    url: str
    width: int
    height: int
    alt: str


@dataclass
class AttemptItem:
    position: int
    text: str
    options: list[str]  # in the attempt's shuffled order
    chosen_index: int | None
    correct_index: int | None = None
    # Every option marked right in the review: the sealed one, or what the last erratum accepts
    # (two letters, or none when the question was annulled: `annulled`).
    accepted: tuple[int, ...] = ()
    annulled: bool = False
    is_correct: bool | None = None
    field_name: str = ""
    source: str = ""
    image: AttemptImage | None = None


def attempt_image(image: tuple[str, int, int, str] | None) -> AttemptImage | None:
    if image is None:
        return None
    sha, width, height, alt = image
    return AttemptImage(url=reverse("quiz:question_image", args=[sha]), width=width, height=height, alt=alt)


def attempt_items(*, attempt: Attempt, with_answers: bool = False) -> list[AttemptItem]:
    """The attempt's questions and options in the order it was drawn: one query for the attempt's
    rows, the texts from the sealed pool in memory (quiz.pool_cache). The correct answer is only
    handed out when `with_answers` (after the attempt is finished and the review policy allows)."""
    rows = sorted(
        lean.values(
            AttemptQuestion,
            ("position", "question_id", "option_ids", "chosen_index", "is_correct"),
            by="attempt",
            value=attempt.pk,
        )
    )  # by position
    pool = pool_cache.sealed_pool(round=attempt.round)
    questions, options = pool.questions, pool.options
    missing = {qid for _p, qid, *_rest in rows if qid not in questions}
    if missing:
        questions, options = pool_cache.questions_by_id(missing)
        questions, options = {**pool.questions, **questions}, {**pool.options, **options}
    errata_key = errata.erratum_key_cached(round=attempt.round) if with_answers else None
    items = []
    for position, qid, option_ids, chosen_index, is_correct in rows:
        question = questions[qid]
        item = AttemptItem(
            position=position,
            text=question.text,
            options=[options[oid].text for oid in option_ids],
            chosen_index=chosen_index,
            image=attempt_image(question.image),
        )
        if with_answers:
            item.correct_index = next(i for i, oid in enumerate(option_ids) if options[oid].is_correct)
            item.accepted = (item.correct_index,)
            corrected = errata_key.get(question.code) if errata_key else None
            if corrected == ANNULLED:
                item.annulled, item.accepted = True, ()
            elif corrected:
                item.accepted = tuple(i for i, oid in enumerate(option_ids) if options[oid].letter in corrected)
                item.correct_index = item.accepted[0] if item.accepted else item.correct_index
            item.is_correct = is_correct
            item.field_name = question.field_name
            item.source = question.source
        items.append(item)
    return items


def review_allowed(*, attempt: Attempt) -> bool:
    round = attempt.round
    if attempt.is_open:
        return False
    if round.kind == RoundKind.PRACTICE or round.review_policy == ReviewPolicy.IMMEDIATE:
        return True
    if round.review_policy == ReviewPolicy.AFTER_CLOSE:
        return round.is_closed
    return False


def answers_published(*, round: Round, now=None) -> bool:
    """Whether a sealed round's right answers are already out of the office's hands: its key file
    and results are published (quiz.seal.is_seal_public), or its review policy has shown them to
    contestants — after each attempt once it opened (the practice set, «ngay sau khi nộp»), or
    after its close. A question of such a round is no longer a secret in another round's pool."""
    from .seal import is_seal_public

    now = now or timezone.now()
    if not round.is_sealed:
        return False
    if is_seal_public(round):
        return True
    if round.kind == RoundKind.PRACTICE or round.review_policy == ReviewPolicy.IMMEDIATE:
        return now >= round.opens_at
    return round.review_policy == ReviewPolicy.AFTER_CLOSE and now >= round.closes_at


@dataclass(frozen=True)
class PublishedQuestion:
    code: str
    round_id: int
    round_name: str


def pool_published_questions(*, round: Round, now=None) -> list[PublishedQuestion]:
    """The questions of `round`'s pool whose answers another sealed round has published, or will
    have shown to its contestants while `round` is still open (answers_published at `round`'s
    close: week 2 showing its answers at its close, the day week 3 opens, counts), each with that
    round, ordered by code. One query."""
    # The last instant this round can be played: a round closing at the same time shows nothing
    # to this one's contestants.
    now = max(now or timezone.now(), round.closes_at - datetime.timedelta(microseconds=1))
    links = (
        RoundQuestion.objects.filter(
            question__in=RoundQuestion.objects.filter(round=round).values("question_id"), round__approved_at__isnull=False
        )
        .exclude(round=round)
        .select_related("round", "question")
        .only("question__code", "round__name", "round__kind", "round__opens_at", "round__closes_at",
              "round__approved_at", "round__results_published_at", "round__review_policy")
        .order_by("question__code", "round__opens_at")
    )  # fmt: skip
    return [
        PublishedQuestion(link.question.code, link.round_id, link.round.name)
        for link in links
        if answers_published(round=link.round, now=now)
    ]


def places_visible(*, round: Round) -> bool:
    """Contestants see places only once the round has closed: until then they see their best
    score and time, and nothing that lets them count the full scores (the prediction question)."""
    return round.kind != RoundKind.PRACTICE and round.is_closed


def contestant_place(*, entry: RoundEntry | None, round: Round) -> int | None:
    """The place shown to a contestant: their position on the leaderboard (quiz.ranking.place),
    only after the round has closed, never for a disqualified entry."""
    if entry is None or not places_visible(round=round):
        return None
    return ranking.place(entry=entry, round=round)


def attempts_for_user(*, user, round: Round | None = None, contest=None):
    qs = Attempt.objects.filter(user=user).select_related("round").order_by("-started_at")
    if round is not None:
        qs = qs.filter(round=round)
    if contest is not None:
        qs = qs.filter(round__contest=contest)
    return qs


def entries_for_user(*, user, contest) -> dict[int, RoundEntry]:
    return {e.round_id: e for e in RoundEntry.objects.filter(user=user, round__contest=contest)}


def leaderboard(*, round: Round, limit: int = 100) -> list[RoundEntry]:
    """The top of the round's ranking, with names and units: one indexed query."""
    return list(
        ranking.ranked_entries(round=round)
        .select_related("user", "best_attempt__organization")
        .only(
            "score", "duration_ms", "finished_at", "prediction", "attempts_count", "user__full_name", "user__email",
            "best_attempt__organization__name", "best_attempt__organization__path",
        )[:limit]
    )  # fmt: skip


def leaderboard_full_scores(*, round: Round) -> int | None:
    """The count of full scores the leaderboard shows beside each prediction: only when the round
    ranks by the prediction and has closed, else None (then no prediction is shown). The count the
    ranking compared with (quiz.ranking.full_score_count: frozen once prizes are drafted)."""
    if not ranking.uses_prediction(round) or not round.is_closed:
        return None
    return ranking.full_score_count(round=round)


def ranked_counts(*, round_ids) -> dict[int, int]:
    """How many contestants each round ranks (the N of «thứ 9 / N»: disqualified entries are not
    ranked). One query for any number of rounds."""
    rows = (
        RoundEntry.objects.filter(round_id__in=list(round_ids), disqualified=False)
        .values_list("round_id")
        .annotate(n=Count("id"))
        .values_list("round_id", "n")
    )
    counts = dict(rows)
    return {pk: counts.get(pk, 0) for pk in round_ids}


def valid_prizes_by_user(*, round: Round) -> dict[int, str]:
    """The published leaderboard's prize column: each winner's tier, once the results are
    published, for the prizes the secretariat has verified — a prize that joined the list after
    publication (someone above was found not valid) shows only once it is verified too. One query
    (none before publication)."""
    if not round.results_published_at:
        return {}
    prizes = Prize.objects.filter(round=round, status=PrizeStatus.VERIFIED).only("user_id", "tier")
    return {p.user_id: p.get_tier_display() for p in prizes}


def removed_places(*, round: Round) -> dict[int, int]:
    """Where the leaderboard notes that an entry left the ranking because its prize was found not
    valid (docs/decisions.md): {the place it held: how many}. The note goes just above the entry
    now at that place; no name, no reason in public. One query."""
    rows = Prize.objects.filter(round=round, status=PrizeStatus.INVALID, entry__disqualified=True).values_list("rank", flat=True)
    return dict(Counter(rows))


@dataclass(frozen=True)
class PrizeOutcome:
    """What «Kết quả của tôi» says about a contestant's prize in a round."""

    tier_label: str
    valid: bool
    reason: str  # the secretariat's reason when not valid
    removed: bool = False  # found not valid: the entry left the ranking (else it fell off the list)


def prize_outcomes_for_user(*, user, contest) -> dict[int, PrizeOutcome]:
    """A contestant's prizes by round: a verified one once the results are published; one found
    not valid, which took the entry out of the ranking; and a published one an amendment above
    took off the list — each with the reason, which only she sees. One query."""
    out = {}
    prizes = Prize.objects.filter(user=user, round__contest=contest).select_related("round", "entry")
    for prize in prizes:
        if prize.status == PrizeStatus.VERIFIED and prize.round.results_published_at:
            out[prize.round_id] = PrizeOutcome(prize.get_tier_display(), True, "")
        elif prize.status == PrizeStatus.INVALID and prize.entry_id and prize.entry.disqualified:
            reason = prize.amendments[-1]["reason"] if prize.amendments else prize.note
            out[prize.round_id] = PrizeOutcome(prize.get_tier_display(), False, reason, removed=True)
        elif prize.status == PrizeStatus.INVALID and prize.amendments and prize.round.results_published_at:
            out[prize.round_id] = PrizeOutcome(prize.get_tier_display(), False, prize.amendments[-1]["reason"])
    return out


def attempts_this_week(*, user, contest, now=None) -> list[Attempt]:
    """A contestant's attempts of the contest started this week (from Monday 00:00, local time),
    newest first, for the home page. One query."""
    now = timezone.localtime(now or timezone.now())
    monday = (now - datetime.timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        Attempt.objects.filter(user=user, round__contest=contest, started_at__gte=monday)
        .select_related("round")
        .order_by("-started_at")[:10]
    )


@dataclass
class RoundStats:
    participants: int
    attempts: int
    full_attempts: int
    full_people: int
    near_attempts: int
    near_people: int
    fastest_full_ms: int | None
    distribution: list[tuple[int, int]]
    per_question: list[dict]
    computed_at: object = None  # when the figures were counted (None: for this page)
    questions_at: object = None  # when each question's answers were counted


def round_stats(*, round: Round) -> RoundStats:
    """The organizers' figures of a round (finished attempts only), read from the kept figures
    (quiz.figures; `computed_at` and `questions_at` say when they were counted). Two queries:
    the figures and the questions' codes and texts."""
    from .figures import figures_read

    n = round.questions_per_attempt
    figures = figures_read(contest=round.contest, round_ids=[round.pk], organization_ids=(), questions=True)
    row = figures.get(round.pk)
    counted = {int(score): count for score, count in (row.distribution or {}).items() if score not in ("None", "")}
    distribution = [(score, counted.get(score, 0)) for score in range(n, -1, -1)]
    answers = row.questions or {}
    texts = Question.objects.filter(pk__in=[int(pk) for pk in answers]).values_list("pk", "code", "text").order_by("code")
    per_question = []
    for pk, code, text in texts:
        shown, right = answers[str(pk)]
        per_question.append({"question_id": pk, "question__code": code, "question__text": text, "shown": shown,
                             "right": right, "share": right / shown if shown else 0})  # fmt: skip
    totals = {name: getattr(row, name) for name in ("participants", "attempts", "full_attempts", "full_people",
                                                    "near_attempts", "near_people", "fastest_full_ms")}  # fmt: skip
    return RoundStats(
        distribution=distribution, per_question=per_question, computed_at=figures.computed_at,
        questions_at=row.questions_at, **totals,
    )  # fmt: skip


def start_allowance(*, round: Round, attempts: list[Attempt], now=None) -> "limits.Allowance":
    """Whether the contestant whose attempts of `round` these are may start another now, how many
    are left today and when the next may start (quiz.limits, the rule attempt_start applies).
    No query: the round page has the list already."""
    now = now or timezone.now()
    return limits.allowance(round, seen=limits.seen_from(attempts, now=now), now=now)


# --- The bank and the rounds, as the organizers prepare them -----------------------------------------


def question_is_sealed(question_id: int) -> bool:
    return RoundQuestion.objects.filter(question_id=question_id, round__approved_at__isnull=False).exists()


def question_changes(
    question: Question, *, field_name: str, text: str, options: list[str], correct_index: int, source: str, status: str,
    image_sha256: str | None = None, image_alt: str | None = None,
) -> list[str]:  # fmt: skip
    """The parts of a question an upsert would change (empty: nothing), comparing normalized
    text, so that an NFD copy or a stray space of the same question is the same question.
    Needs question.field and question.options (prefetch them for many questions)."""
    changes = []
    if normalize_text(question.field.name) != normalize_text(field_name):
        changes.append(_("lĩnh vực"))
    if normalize_text(question.text, multiline=True) != normalize_text(text, multiline=True):
        changes.append(_("câu hỏi"))
    stored = {o.letter: o for o in question.options.all()}
    for i, letter in enumerate("ABCDEF"[: max(len(stored), len(options))]):
        option = stored.get(letter)
        wanted = options[i] if i < len(options) else None
        if option is None or wanted is None or normalize_text(option.text) != normalize_text(wanted):
            changes.append(_("phương án %(letter)s") % {"letter": letter})
    if 0 <= correct_index < len(options):
        correct = stored.get("ABCDEF"[correct_index])
        if correct is None or not correct.is_correct:
            changes.append(_("đáp án đúng"))
    if normalize_text(question.source) != normalize_text(source):
        changes.append(_("nguồn"))
    if question.status != status:
        changes.append(_("trạng thái"))
    # An image or its description only when the file gives one (a blank cell keeps the image).
    if image_sha256 is not None and image_sha256 != question.image_sha256:
        changes.append(_("hình ảnh"))
    if image_alt is not None and normalize_text(image_alt) != normalize_text(question.image_alt):
        changes.append(_("mô tả hình ảnh"))
    return changes


def round_ranking_problems(*, ranking_rule: str, tiebreaker_enabled: bool) -> list[str]:
    """Why a round's ranking settings do not hold together: the prediction tie-break needs the
    prediction question, or contestants never see what they are ranked by (round_problems and
    the admin's round form ask this)."""
    if ranking_rule == RankingRule.SCORE_PREDICTION_TIME and not tiebreaker_enabled:
        return [
            _(
                "Cách xếp hạng dùng độ lệch dự đoán nhưng câu hỏi phụ dự đoán đang tắt: thí sinh sẽ không thấy câu hỏi. "
                "Hãy bật câu hỏi phụ dự đoán hoặc chọn xếp hạng theo điểm rồi thời gian."
            )
        ]
    return []


def round_prize_problems(*, prize_min_score: int | None, questions_per_attempt: int | None) -> list[str]:
    """Why a round's minimum score for a prize does not fit: above the most an attempt can score,
    no one could ever win (round_problems and the admin's round form ask this)."""
    if prize_min_score is None or questions_per_attempt is None or prize_min_score <= questions_per_attempt:
        return []
    return [
        _("Điểm tối thiểu để nhận giải (%(min)d) lớn hơn số câu mỗi bài thi (%(n)d): sẽ không ai nhận được giải.")
        % {"min": prize_min_score, "n": questions_per_attempt}
    ]


def round_problems(*, round: Round) -> list[str]:
    """Why a round cannot be approved yet (empty when it can)."""
    problems = round_ranking_problems(ranking_rule=round.ranking_rule, tiebreaker_enabled=round.tiebreaker_enabled)
    problems += round_prize_problems(prize_min_score=round.prize_min_score, questions_per_attempt=round.questions_per_attempt)
    pool = list(
        Question.objects.filter(round_entries__round=round)
        .annotate(n_options=Count("options"), n_correct=Count("options", filter=Q(options__is_correct=True)))
        .values("code", "field_id", "status", "n_options", "n_correct")
    )
    if len(pool) < round.questions_per_attempt:
        problems.append(
            _("Bộ câu hỏi có %(n)d câu, ít hơn số câu mỗi bài thi (%(k)d).") % {"n": len(pool), "k": round.questions_per_attempt}
        )
    for q in pool:
        if q["status"] != QuestionStatus.APPROVED:
            problems.append(_("Câu %(code)s chưa được duyệt.") % {"code": q["code"]})
        if not 2 <= q["n_options"] <= 6 or q["n_correct"] != 1:
            problems.append(_("Câu %(code)s cần 2–6 phương án và đúng một phương án đúng.") % {"code": q["code"]})
    by_field = Counter(q["field_id"] for q in pool)
    items = list(round.blueprint.select_related("field"))
    if items:
        total = sum(item.count for item in items)
        if total != round.questions_per_attempt:
            problems.append(
                _("Cơ cấu đề có tổng %(total)d câu, phải bằng số câu mỗi bài thi (%(k)d).")
                % {"total": total, "k": round.questions_per_attempt}
            )
        for item in items:
            if by_field[item.field_id] < item.count:
                problems.append(
                    _("Lĩnh vực «%(field)s» cần %(need)d câu mỗi bài nhưng bộ câu hỏi chỉ có %(have)d câu.")
                    % {"field": item.field.name, "need": item.count, "have": by_field[item.field_id]}
                )
    return problems


def moment_display(moment) -> str:
    moment = timezone.localtime(moment)
    return f"{moment:%H:%M} {moment.day}/{moment.month}/{moment.year}"


def round_overlapping(*, round: Round, opens_at=None, closes_at=None) -> Round | None:
    """Another weekly round of the same contest whose window overlaps this round's (or the given
    window). Practice rounds never count: they run beside the weeks."""
    opens_at = opens_at or round.opens_at
    closes_at = closes_at or round.closes_at
    if round.kind != RoundKind.WEEKLY or not (round.contest_id and opens_at and closes_at):
        return None
    others = Round.objects.filter(
        contest_id=round.contest_id, kind=RoundKind.WEEKLY, opens_at__lt=closes_at, closes_at__gt=opens_at
    )
    if round.pk:
        others = others.exclude(pk=round.pk)
    return others.order_by("opens_at").first()


def round_window_problems(*, round: Round) -> list[str]:
    """Why a round's window cannot be saved (empty when it can): closing after opening, and no
    overlap with another weekly round of the contest."""
    if not (round.opens_at and round.closes_at):
        return []
    if round.closes_at <= round.opens_at:
        return [_("Thời gian đóng phải sau thời gian mở.")]
    other = round_overlapping(round=round)
    if other is None:
        return []
    return [
        _("Thời gian thi trùng với «%(name)s» (%(opens)s – %(closes)s); các tuần thi của một cuộc thi không được chồng lên nhau.")
        % {"name": other.name, "opens": moment_display(other.opens_at), "closes": moment_display(other.closes_at)}
    ]
