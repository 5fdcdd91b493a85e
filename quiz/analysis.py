"""Item analysis of a closed round, its one home: how hard each question was, how well it told
stronger contestants from weaker ones, which options were chosen, and how consistent the round
was as a whole (the figures Moodle's quiz statistics give, docs/decisions.md).

The arithmetic is pure functions over arrays (`analyse`); `round_analyse` reads the finished
attempts and their answers, calls them and stores the result (QuestionStat, RoundStat).

Each attempt draws its own questions from the pool, so the matrix of answers has holes: a
question's figures use the attempts that drew it, and Cronbach's alpha is computed from the
pairwise variances and covariances of the questions over the attempts that drew both.

After an erratum (quiz.services.errata) the analysis follows the key the round is scored by now
(`quiz.errata.current_key`): each answer is right by `quiz.scoring.answer_right` against it, so a
re-keyed question counts every letter accepted; an annulled question (right for everyone) is left
out of the figures that judge questions and of alpha, and flagged as annulled, while the score
distribution stays the attempts' official scores. The analysis stores the fingerprint of the key
it used (`RoundStat.key_sha256`); an erratum queues the analysis again when it commits, and the
beat repeats any analysis made under an older key (`rounds_to_analyse`)."""

import time
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contest_site.db_router import reading_from_replica

from . import scoring
from .enums import AttemptStatus
from .errors import QuizError
from .models import OPTION_LETTERS, Attempt, AttemptQuestion, Option, QuestionStat, Round, RoundErratum, RoundSeal, RoundStat

# -- Thresholds: the one place they are set (shown on the analysis page) ----------------------------


@dataclass(frozen=True)
class Thresholds:
    easy_above: float = 0.9  # facility above this: too easy
    hard_below: float = 0.2  # facility below this: too hard
    discrimination_below: float = 0.0  # corrected point-biserial below this: negative discrimination
    min_attempts: int = 30  # fewer attempts than this: figures shown, no flag raised
    group_share: float = 0.27  # the upper and lower groups of the discrimination index


THRESHOLDS = Thresholds()

NOT_DRAWN = -2  # in the `chosen` matrix: the attempt did not draw the question
BLANK = -1  # drawn, no answer (or an answer saved after the deadline, which does not count)


class Flag:
    EASY = "easy"
    HARD = "hard"
    NEGATIVE = "negative"
    UNUSED_OPTION = "unused_option"
    ANNULLED = "annulled"  # an erratum annulled it: no figures, out of alpha
    REKEYED = "rekeyed"  # an erratum changed its key: figures by the letters accepted now

    LABELS = {
        EASY: gettext_lazy("quá dễ"),
        HARD: gettext_lazy("quá khó"),
        NEGATIVE: gettext_lazy("phân biệt âm"),
        UNUSED_OPTION: gettext_lazy("có phương án không ai chọn"),
        ANNULLED: gettext_lazy("đã hủy theo đính chính, không tính vào phân tích"),
        REKEYED: gettext_lazy("đáp án đã đính chính"),
    }


@dataclass
class ItemFigures:
    attempts: int  # attempts that drew the question
    facility: float | None  # share right (p)
    discrimination: float | None  # point-biserial of the item against the rest of the attempt's score
    upper_lower: float | None  # p in the top 27 % (by score) minus p in the bottom 27 %
    shares: list[float]  # share choosing each option (in the bank's order A, B, …), then no answer
    flags: list[str] = field(default_factory=list)


@dataclass
class RoundFigures:
    attempts: int
    items: list[ItemFigures]
    alpha: float | None
    test_length: int
    distribution: list[int]  # attempts with score 0, 1, 2, … test_length
    mean: float | None
    sd: float | None


def _pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    if len(x) < 2:
        return None
    dx, dy = x - x.mean(), y - y.mean()
    denominator = np.sqrt((dx * dx).sum() * (dy * dy).sum())
    if denominator <= 1e-12:
        return None
    return float(np.clip((dx * dy).sum() / denominator, -1.0, 1.0))


def item_figures(
    *, right: np.ndarray, scores: np.ndarray, chosen: np.ndarray, options: int, thresholds: Thresholds = THRESHOLDS
) -> ItemFigures:
    """One question over the attempts that drew it: `right` 0/1, `scores` the attempts' total
    scores, `chosen` the option index chosen (BLANK for none), `options` how many it has."""
    n = len(right)
    if n == 0:
        return ItemFigures(0, None, None, None, [0.0] * (options + 1))
    facility = float(right.mean())
    discrimination = _pearson(right, scores - right)
    # The upper and lower groups: the attempts ranked by score, ties kept in attempt order.
    group = max(1, int(round(thresholds.group_share * n)))
    order = np.argsort(-scores, kind="stable")
    upper_lower = float(right[order[:group]].mean() - right[order[-group:]].mean()) if n >= 2 else None
    counts = np.bincount(np.where(chosen == BLANK, options, chosen), minlength=options + 1)[: options + 1]
    shares = [float(c) / n for c in counts]
    flags = []
    if n >= thresholds.min_attempts:
        if facility > thresholds.easy_above:
            flags.append(Flag.EASY)
        if facility < thresholds.hard_below:
            flags.append(Flag.HARD)
        if discrimination is not None and discrimination < thresholds.discrimination_below:
            flags.append(Flag.NEGATIVE)
        if any(c == 0 for c in counts[:options]):
            flags.append(Flag.UNUSED_OPTION)
    return ItemFigures(n, facility, discrimination, upper_lower, shares, flags)


def cronbach_alpha(right: np.ndarray, *, test_length: int) -> float | None:
    """Cronbach's alpha (KR-20 for 0/1 items) of a test of `test_length` questions, from an
    attempts × questions matrix with NaN where an attempt did not draw a question.

    alpha = k·c̄ / (v̄ + (k − 1)·c̄), with v̄ the mean item variance and c̄ the mean covariance
    between two items; with no holes this is exactly Cronbach's formula. With holes each pair
    of items is taken over the attempts that drew both (pairwise), its two variances over the
    same attempts, pairs weighted by how many attempts drew both. Each pair's covariance is at
    most the mean of its two variances, so alpha never exceeds 1. None when there is nothing to
    compute (fewer than two items drawn together by two attempts, or no spread)."""
    if right.ndim != 2 or right.shape[1] < 2 or test_length < 2:
        return None
    drawn = (~np.isnan(right)).astype(float)
    x = np.nan_to_num(right)
    n = drawn.T @ drawn  # attempts that drew both i and j
    sum_i = x.T @ drawn  # [i, j]: sum of x_i over the attempts that drew j (and i)
    sum_sq_i = (x * x).T @ drawn
    sum_ij = x.T @ x
    mask = np.triu(n >= 2, k=1)
    if not mask.any():
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_i = sum_i / n
        var_i = sum_sq_i / n - mean_i**2
        cov = sum_ij / n - mean_i * mean_i.T
        var_pair = (var_i + var_i.T) / 2
    weights = n[mask]
    v = float((var_pair[mask] * weights).sum() / weights.sum())
    c = float((cov[mask] * weights).sum() / weights.sum())
    k = test_length
    denominator = v + (k - 1) * c
    if v <= 1e-12 or denominator <= 1e-12:
        return None
    return min(1.0, k * c / denominator)


def analyse(
    *,
    right: np.ndarray,
    chosen: np.ndarray,
    options: list[int],
    test_length: int,
    thresholds: Thresholds = THRESHOLDS,
    annulled: frozenset[int] = frozenset(),
) -> RoundFigures:
    """The whole round: `right` attempts × questions (1 right, 0 wrong or blank, NaN not drawn),
    `chosen` the same shape (option index, BLANK, NOT_DRAWN), `options` per question. An
    attempt's score is its number of right answers. The columns in `annulled` (questions an
    erratum annulled: right for everyone) keep their option shares and the flag ANNULLED, and are
    left out of every other figure that judges questions: the scores the others are compared with,
    alpha (over the questions an attempt drew and that still count). The distribution, mean and
    spread stay those of the official scores, which count an annulled question right."""
    attempts = right.shape[0]
    official = np.nansum(right, axis=1) if attempts else np.zeros(0)
    counted = [j for j in range(right.shape[1]) if j not in annulled]
    scored = right[:, counted]
    scores = np.nansum(scored, axis=1) if attempts else np.zeros(0)
    items = []
    for j in range(right.shape[1]):
        drew = chosen[:, j] != NOT_DRAWN
        if j in annulled:
            shares = item_figures(right=right[drew, j], scores=scores[drew], chosen=chosen[drew, j], options=options[j]).shares
            items.append(ItemFigures(int(drew.sum()), None, None, None, shares, [Flag.ANNULLED]))
            continue
        items.append(
            item_figures(
                right=right[drew, j], scores=scores[drew], chosen=chosen[drew, j], options=options[j], thresholds=thresholds
            )
        )
    length = test_length
    if annulled and attempts:  # the questions an attempt drew that still count, on average
        length = int(round(float((chosen[:, counted] != NOT_DRAWN).sum(axis=1).mean())))
    top = max(test_length, int(official.max()) if attempts else 0)
    distribution = np.bincount(official.astype(int), minlength=top + 1).tolist() if attempts else [0] * (top + 1)
    return RoundFigures(
        attempts=attempts,
        items=items,
        alpha=cronbach_alpha(scored, test_length=length),
        test_length=test_length,
        distribution=distribution,
        mean=float(official.mean()) if attempts else None,
        sd=float(official.std()) if attempts else None,
    )


# -- Reading a round and storing its figures ----------------------------------------------------------


def key_now(*, round: Round) -> tuple[dict[str, str] | None, str]:
    """The key the round is scored by now (code → letters, or ANNULLED) and its fingerprint: the
    last erratum's key file, else the seal's (`quiz.errata.current_key`). (None, "") for a round
    sealed before key files existed: its stored right and wrong answers are the only key."""
    from .errata import current_key

    if not RoundSeal.objects.filter(round_id=round.pk).exists():
        return None, ""
    return current_key(round=round)


def round_matrices(*, round: Round, key: dict[str, str] | None = None):
    """The finished attempts of a round as the arrays `analyse` takes, the questions of its pool
    in order, and the columns of annulled questions. An answer counts as chosen when it was saved
    before the deadline (quiz.scoring.answer_counts); it is right by `quiz.scoring.answer_right`
    against `key` (the key now, errata included), or as scoring stored it when there is no key
    file. Three queries."""
    attempts = dict(Attempt.objects.finished().filter(round=round).order_by("pk").values_list("pk", "deadline"))  # {id: deadline}
    row_of = {pk: i for i, pk in enumerate(attempts)}
    options = {}  # question id -> [option ids in letter order]
    codes = {}  # question id -> code
    for qid, code, oid in (
        Option.objects.filter(question__round_entries__round=round)
        .order_by("question_id", "letter")
        .values_list("question_id", "question__code", "pk")
    ):
        options.setdefault(qid, []).append(oid)
        codes[qid] = code
    questions = list(options)
    col_of = {qid: j for j, qid in enumerate(questions)}
    letter_of = {oid: i for ids in options.values() for i, oid in enumerate(ids)}
    keys = [key.get(codes[q]) if key is not None else None for q in questions]
    annulled = frozenset(j for j, k in enumerate(keys) if k == scoring.ANNULLED)
    right = np.full((len(attempts), len(questions)), np.nan)
    chosen = np.full((len(attempts), len(questions)), NOT_DRAWN, dtype=np.int16)
    items = (
        AttemptQuestion.objects.filter(attempt__round=round)
        .exclude(attempt__status=AttemptStatus.OPEN)
        .order_by()
        .values_list("attempt_id", "question_id", "option_ids", "chosen_index", "answered_at", "is_correct")
        .iterator(chunk_size=10_000)
    )
    for attempt_id, qid, option_ids, index, answered_at, is_correct in items:
        i, j = row_of.get(attempt_id), col_of.get(qid)
        if i is None or j is None:
            continue
        counts = scoring.answer_counts(chosen_index=index, answered_at=answered_at, deadline=attempts[attempt_id])
        picked = letter_of.get(option_ids[index], BLANK) if counts and 0 <= index < len(option_ids) else BLANK
        chosen[i, j] = picked
        if key is None:
            right[i, j] = 1.0 if is_correct else 0.0
        else:
            letter = OPTION_LETTERS[picked] if picked != BLANK else None
            right[i, j] = 1.0 if scoring.answer_right(key=keys[j], letter=letter, counts=picked != BLANK) else 0.0
    return questions, [len(options[q]) for q in questions], right, chosen, annulled


def round_analyse(*, round: Round) -> RoundStat:
    """Compute and store a closed round's item analysis (replacing an earlier one), by the key
    the round is scored by now (errata included). Safe to run again: the same answers and key
    give the same figures."""
    if not round.is_closed:
        raise QuizError(_("Chỉ phân tích câu hỏi sau khi tuần thi đã đóng."))
    started = time.perf_counter()
    key, key_sha256 = key_now(round=round)
    rekeyed = set(RoundErratum.objects.filter(round_id=round.pk).values_list("question_id", flat=True))
    with reading_from_replica():  # the answers from the read replica when fit; the figures stored on the primary
        questions, option_counts, right, chosen, annulled = round_matrices(round=round, key=key)
    figures = analyse(
        right=right, chosen=chosen, options=option_counts, test_length=round.questions_per_attempt, annulled=annulled
    )
    for j, (qid, item) in enumerate(zip(questions, figures.items)):
        if qid in rekeyed and j not in annulled:
            item.flags.append(Flag.REKEYED)
    seconds = time.perf_counter() - started
    now = timezone.now()
    with transaction.atomic():
        QuestionStat.objects.filter(round=round).delete()
        QuestionStat.objects.bulk_create(
            QuestionStat(
                round=round, question_id=qid, attempts=item.attempts, facility=item.facility,
                discrimination=item.discrimination, upper_lower=item.upper_lower,
                option_shares=dict(zip([*OPTION_LETTERS[:count], ""], item.shares)), flags=item.flags, computed_at=now,
            )
            for qid, count, item in zip(questions, option_counts, figures.items)
        )  # fmt: skip
        stat, _created = RoundStat.objects.update_or_create(
            round=round,
            defaults={
                "attempts": figures.attempts, "alpha": figures.alpha, "test_length": figures.test_length,
                "mean": figures.mean, "sd": figures.sd, "distribution": figures.distribution, "computed_at": now,
                "seconds": seconds, "key_sha256": key_sha256,
            },
        )  # fmt: skip
    return stat


def analysis_outdated(*, round: Round, stat: RoundStat | None) -> bool:
    """Whether a stored analysis was made under an older key than the round's last erratum's
    (it is being made again: the erratum queued it). One query when the round has a stat."""
    if stat is None:
        return False
    last = RoundErratum.objects.filter(round_id=round.pk).order_by("-seq").values_list("sha256", flat=True).first()
    return last is not None and last != stat.key_sha256


def rounds_to_analyse():
    """Closed rounds with finished attempts and no analysis yet, one older than the close (a
    round whose window was extended after it was analysed), or one made under a key an erratum
    has since replaced."""
    from django.db.models import Exists, F, OuterRef, Q, Subquery

    finished = Attempt.objects.finished().filter(round=OuterRef("pk"))
    last_key = RoundErratum.objects.filter(round=OuterRef("pk")).order_by("-seq").values("sha256")[:1]
    errata = RoundErratum.objects.filter(round=OuterRef("pk"))
    return (
        Round.objects.filter(approved_at__isnull=False, closes_at__lte=timezone.now())
        .filter(Exists(finished))
        .filter(
            Q(stat__isnull=True)
            | Q(stat__computed_at__lt=F("closes_at"))
            | (Q(Exists(errata)) & ~Q(stat__key_sha256=Subquery(last_key)))
        )
    )


# -- Reading the stored figures: the admin page and the Excel export ---------------------------------


def flag_labels(flags: list[str]) -> list[str]:
    return [str(Flag.LABELS.get(flag, flag)) for flag in flags]


def round_analysis(*, round: Round) -> tuple[RoundStat | None, list[QuestionStat]]:
    """A round's stored analysis: the round's figures and each question's, flagged ones first,
    then by code. Two queries."""
    stat = RoundStat.objects.filter(round=round).first()
    rows = sorted(
        QuestionStat.objects.filter(round=round).select_related("question", "question__field"),
        key=lambda s: (not s.flags, s.question.code),
    )
    return stat, rows


def shares_display(option_shares: dict) -> str:
    """«A 75 % · B 0 % · … · bỏ trống 5 %»."""
    parts = [f"{letter or _('bỏ trống')} {share:.0%}" for letter, share in sorted(option_shares.items(), key=_letters_first)]
    return " · ".join(parts)


def _letters_first(item):
    return (item[0] == "", item[0])


def write_analysis(buffer, *, round: Round) -> int:
    """The round's analysis as a workbook: one sheet of questions, one of the round's figures
    and score distribution. Every text cell through contests.text.excel_text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from contests.printing import print_title, sheet_print_setup
    from contests.text import excel_text

    stat, rows = round_analysis(round=round)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = excel_text(_("Câu hỏi"))
    letters = list(OPTION_LETTERS)
    head = [_("Mã câu"), _("Lĩnh vực"), _("Câu hỏi"), _("Số bài thi"), _("Độ dễ (p)"), _("Độ phân biệt (r)")]
    head += [_("Chỉ số nhóm 27 %")]
    head += [_("Chọn %(letter)s") % {"letter": x} for x in letters] + [_("Bỏ trống"), _("Cảnh báo")]
    sheet.append([excel_text(h) for h in head])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        q = row.question
        shares = [row.option_shares.get(x) for x in letters]
        sheet.append(
            [excel_text(q.code), excel_text(q.field.name), excel_text(q.text), row.attempts, row.facility, row.discrimination,
             row.upper_lower, *shares, row.option_shares.get(""), excel_text(", ".join(flag_labels(row.flags)))]
        )  # fmt: skip
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["C"].width = 60
    summary = workbook.create_sheet(excel_text(_("Tuần thi")))
    summary.append([excel_text(_("Tuần thi")), excel_text(round.name)])
    if stat is not None:
        summary.append([excel_text(_("Số bài thi")), stat.attempts])
        summary.append([excel_text(_("Số câu mỗi bài thi")), stat.test_length])
        summary.append([excel_text(_("Cronbach alpha (KR-20)")), stat.alpha])
        summary.append([excel_text(_("Điểm trung bình")), stat.mean])
        summary.append([excel_text(_("Độ lệch chuẩn")), stat.sd])
        summary.append([])
        summary.append([excel_text(_("Điểm")), excel_text(_("Số bài thi"))])
        for score, count in enumerate(stat.distribution):
            summary.append([score, count])
    heading = print_title(round.contest.name, round.name, _("Phân tích câu hỏi"))
    widths = [10, 13, 60] + [13] * (len(head) - 3)
    sheet_print_setup(sheet, title=heading, widths=widths)
    sheet_print_setup(summary, title=heading, widths=[30, 13], header_rows=0)
    workbook.save(buffer)
    return len(rows)
