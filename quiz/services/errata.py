"""Errata of a sealed round's key (đính chính; quiz.errata holds the key file and the chain): the
one write, `round_erratum`, and the reasons it would refuse, `erratum_problems`, asked by the
admin's form as well. Every score, the ranking and the prize list follow in the same transaction:
before publication a drafted list is re-drafted; after it, the amendment path of the prize
lifecycle (contests.prizes.prizes_follow_ranking) and a message to everyone whose score or place
changed."""

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from contests import prizes
from contests.cleaning import normalize_text
from contests.decisions import Action, decision_record
from contests.rules import contest_is_writable, guard_contest_writable, read_only_message
from quiz import errata, ranking, receipts, scoring
from quiz.enums import AttemptStatus, ErratumAction
from quiz.errors import QuizError
from quiz.figures import figures_recompute
from quiz.models import Attempt, AttemptQuestion, Option, Question, Round, RoundErratum, RoundQuestion, RoundSeal
from quiz.seal import seal_encode, seal_fingerprint
from quiz.services.attempts import finalize_round_attempts
from quiz.services.notifications import erratum_notify
from quiz.services.prizes import QUIZ_PRIZES

REASON_MIN = 10
# How a prize moved by an erratum after publication says why (its amendments' reason).
AMENDMENT_PREFIX = "Đính chính đáp án số "
BATCH = 5000


def erratum_answer(*, action: str, letters: str) -> str:
    """The question's key an erratum writes: "*" to annul, the letters chosen (sorted, once
    each) to re-key."""
    if action == ErratumAction.ANNUL:
        return scoring.ANNULLED
    return "".join(sorted(set((letters or "").upper())))


def erratum_round_problem(round: Round) -> str:
    """Why this round takes no erratum now ("" when it does): it is sealed and closed (an erratum
    waits for the close: docs/decisions.md). Asked by erratum_problems and the admin's page."""
    if not contest_is_writable(round.contest):
        return read_only_message()
    if not round.is_sealed:
        return _("Tuần thi chưa niêm phong: hãy sửa câu hỏi trong ngân hàng trước khi duyệt.")
    if not RoundSeal.objects.filter(round_id=round.pk).exists():
        return _("Tuần thi chưa có tệp đáp án niêm phong: hãy lập bổ sung (lệnh seal_backfill) trước khi đính chính.")
    if not round.is_closed:
        return _("Chỉ đính chính đáp án sau khi tuần thi đã đóng. Nếu câu hỏi sai nghiêm trọng, hãy «Đóng sớm» tuần thi trước.")
    return ""


def erratum_problems(*, round: Round, question: Question | None, action: str, letters: str, reason: str) -> list[str]:
    """Why an erratum cannot be recorded as asked (empty when it can): the round is sealed and
    closed (an erratum waits for the close: docs/decisions.md), the question is in its pool, a
    re-key names options the question has, the key changes, and the reason says why."""
    problem = erratum_round_problem(round)
    problems = [problem] if problem else []
    if len(normalize_text(reason or "", multiline=True)) < REASON_MIN:
        problems.append(
            _("Cần ghi lý do đính chính (ít nhất %(n)d ký tự): lý do được công khai trên trang tuần thi.") % {"n": REASON_MIN}
        )
    if action not in ErratumAction.values:
        problems.append(_("Chọn huỷ câu hỏi hoặc sửa đáp án."))
        return problems
    if question is None or not RoundQuestion.objects.filter(round_id=round.pk, question_id=question.pk).exists():
        problems.append(_("Câu hỏi này không thuộc bộ câu hỏi của tuần thi."))
        return problems
    answer = erratum_answer(action=action, letters=letters)
    if action == ErratumAction.REKEY:
        own = set(Option.objects.filter(question=question).values_list("letter", flat=True))
        if not answer:
            problems.append(_("Chọn ít nhất một phương án đúng."))
        elif not set(answer) <= own:
            problems.append(
                _("Phương án %(letters)s không có trong câu hỏi %(code)s.")
                % {"letters": ", ".join(sorted(set(answer) - own)), "code": question.code}
            )
    if not problems:
        current, _sha = errata.current_key(round=round)
        if current.get(question.code) == answer:
            problems.append(_("Đáp án của câu %(code)s đã là như vậy; không có gì để đính chính.") % {"code": question.code})
    return problems


def _standing(round: Round) -> dict[int, tuple[int, int]]:
    """Each ranked contestant's (place, score): before and after, to tell who moved."""
    rows = ranking.ranked_entries(round=round).values_list("user_id", "score")
    return {user_id: (place, score) for place, (user_id, score) in enumerate(rows.iterator(chunk_size=2000), start=1)}


def _rows_right(*, round: Round, question: Question, answer: str):
    """Each finished attempt's row of the question: (row id, stored is_correct, right under
    `answer` by the scoring rule)."""
    letters = dict(Option.objects.filter(question=question).values_list("pk", "letter"))
    rows = (
        AttemptQuestion.objects.filter(attempt__round=round, question=question)
        .exclude(attempt__status=AttemptStatus.OPEN)
        .order_by()
        .values_list("pk", "is_correct", "option_ids", "chosen_index", "answered_at", "attempt__deadline")
    )
    for pk, stored, option_ids, chosen, answered_at, deadline in rows.iterator(chunk_size=BATCH):
        counts = scoring.answer_counts(chosen_index=chosen, answered_at=answered_at, deadline=deadline)
        letter = None
        if counts and isinstance(option_ids, list) and 0 <= chosen < len(option_ids):
            letter = letters.get(option_ids[chosen])
        yield pk, stored, scoring.answer_right(key=answer, letter=letter, counts=counts)


def erratum_preview(*, round: Round, question: Question, action: str, letters: str) -> dict:
    """What an erratum would change, for the confirmation page: the question's key now and
    after, the finished attempts that drew it, how many gain a point and how many lose one."""
    current, _sha = errata.current_key(round=round)
    answer = erratum_answer(action=action, letters=letters)
    drew = gain = lose = 0
    for _pk, stored, right in _rows_right(round=round, question=question, answer=answer):
        drew += 1
        gain += bool(right and not stored)
        lose += bool(stored and not right)
    return {"was": current.get(question.code, ""), "answer": answer, "attempts": drew, "gain": gain, "lose": lose}


def attempts_rescore(*, round: Round, question: Question, answer: str) -> int:
    """Score again every finished attempt of the round that drew the question, against its new
    key: each row by the scoring rule (quiz.scoring: saved in time, right per the key, an
    annulled question right for all), then each attempt's score counted from its rows in one
    UPDATE. Returns the number of attempts rescored."""
    right, wrong = [], []
    for pk, _stored, is_right in _rows_right(round=round, question=question, answer=answer):
        (right if is_right else wrong).append(pk)
    for ids, value in ((right, True), (wrong, False)):
        for start in range(0, len(ids), BATCH):
            AttemptQuestion.objects.filter(pk__in=ids[start : start + BATCH]).update(is_correct=value)
    right_rows = (
        AttemptQuestion.objects.filter(attempt=OuterRef("pk"), is_correct=True)
        .order_by()
        .values("attempt")
        .annotate(n=Count("pk"))
        .values("n")
    )
    drew = AttemptQuestion.objects.filter(attempt__round=round, question=question).values("attempt_id")
    return Attempt.objects.filter(round=round, pk__in=drew).finished().update(score=Coalesce(Subquery(right_rows), 0))


def _rerank(round: Round) -> None:
    """Every best attempt re-picked from the new scores; a frozen count of full scores (the
    prediction rule compares with it) counted again first."""
    if round.full_score_actual is not None:
        round.full_score_actual = None  # in memory: entries_rebuild counts full scores from the attempts
        ranking.entries_rebuild(round=round)
        round.full_score_actual = ranking.live_full_score_count(round=round)
        round.save(update_fields=["full_score_actual"])
    ranking.entries_rebuild(round=round)


@transaction.atomic
def round_erratum(*, round: Round, question: Question, action: str, letters: str = "", reason: str, by, at=None) -> RoundErratum:
    """Record an erratum of a closed round's sealed key: annul a question (every attempt that drew
    it counts it right) or re-key it (the letters accepted), with a reason. In one transaction: the
    erratum and its key file chained to the last one (quiz.errata), the decision, every attempt
    that drew the question scored again, the entries re-picked, and the prize list following —
    re-drafted before publication, amended after it (who moved is told). `at` dates it, for the
    demo data played now and dated in the past."""
    round = Round.objects.select_for_update().select_related("contest").get(pk=round.pk)
    guard_contest_writable(round.contest, error=QuizError)
    reason = normalize_text(reason or "", multiline=True)
    problems = erratum_problems(round=round, question=question, action=action, letters=letters, reason=reason)
    if problems:
        raise QuizError(problems[0], code="erratum")
    at = at or timezone.now()
    finalize_round_attempts(round=round)
    receipts.round_commit(round=round)  # the answers are committed before any score changes (once)
    answers, previous = errata.current_key(round=round)
    answer = erratum_answer(action=action, letters=letters)
    was = answers[question.code]
    seq = RoundErratum.objects.filter(round_id=round.pk).count() + 1
    published = round.results_published_at is not None
    before = _standing(round) if published else {}
    content = errata.erratum_content(
        round=round, contest=round.contest.slug, seq=seq, previous=previous, question=question.code, action=action,
        was=was, answer=answer, reason=reason, decided_at=at,
        answers=errata.erratum_applied(answers, question=question.code, answer=answer), nonce=errata.new_nonce(),
    )  # fmt: skip
    data = seal_encode(content)
    erratum = RoundErratum.objects.create(
        round=round, seq=seq, question=question, action=action, previous_answer=was, answer=answer, reason=reason,
        decided_by=by, created_at=at, key_file=data, sha256=seal_fingerprint(data), previous_sha256=previous,
    )  # fmt: skip
    rescored = attempts_rescore(round=round, question=question, answer=answer)
    decision_record(
        action=Action.ERRATUM, obj=round, by=by, reason=reason, at=at,
        data={"seq": seq, "question": question.code, "action": action, "was": was, "answer": answer,
              "sha256": erratum.sha256, "previous": previous, "attempts": rescored},
    )  # fmt: skip
    _rerank(round)
    figures_recompute(contest=round.contest)  # the kept figures count scores (quiz.figures)
    # The amendment's reason names the erratum (stored data, as the decision log keeps it).
    prizes.prizes_follow_ranking(part=QUIZ_PRIZES, scope=round, by=by, reason=f"{AMENDMENT_PREFIX}{seq}: {reason}")
    if published:
        erratum_notify(round=round, erratum=erratum, before=before, after=_standing(round))
    transaction.on_commit(lambda: errata.erratum_key_forget(round=round))  # the reviews mark the new key
    transaction.on_commit(lambda: _analyse_again(round.pk))  # the item analysis follows the new key
    return erratum


def _analyse_again(round_id: int) -> None:
    from quiz.tasks import analyse_round

    analyse_round.delay(round_id)
