"""A round's pool of questions and its blueprint before the seal: what «add N random questions»
draws from, adding and copying questions, how many of each field an attempt draws, and the guard
that keeps a sealed round's pool and blueprint as they were."""

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from quiz.enums import QuestionStatus
from quiz.errors import QuizError, SealedError
from quiz.models import BlueprintItem, Field, Question, Round, RoundQuestion

_random = secrets.SystemRandom()


def guard_round_unsealed(round_id: int | None) -> None:
    if round_id and Round.objects.filter(pk=round_id, approved_at__isnull=False).exists():
        raise SealedError(_("Tuần thi đã được duyệt và niêm phong; không thể thay đổi bộ câu hỏi hay cơ cấu đề."))


@transaction.atomic
def round_pool_add(*, round: Round, question_ids: list[int]) -> int:
    guard_round_unsealed(round.pk)
    existing = set(RoundQuestion.objects.filter(round=round).values_list("question_id", flat=True))
    new = [RoundQuestion(round=round, question_id=qid) for qid in dict.fromkeys(question_ids) if qid not in existing]
    RoundQuestion.objects.bulk_create(new)
    return len(new)


class PoolSource:
    """Where «add N random questions of a field» draws from."""

    UNUSED = "unused"  # approved questions no round of the contest has used yet
    EARLIER = "earlier"  # approved questions of earlier rounds' pools, not yet in this round's


def unused_questions(*, round: Round):
    """The approved questions no round of the round's contest has used yet (what «add N random»
    draws from; the pool page counts them per field)."""
    used = RoundQuestion.objects.filter(round__contest_id=round.contest_id).values("question_id")
    return Question.objects.filter(status=QuestionStatus.APPROVED).exclude(pk__in=used)


def earlier_questions(*, round: Round):
    """The approved questions already used in earlier rounds of the round's contest (a round
    that opened before this one) and not yet in this round's pool: «N questions already used»
    (week 3 of the seed took 50 of week 1)."""
    earlier = RoundQuestion.objects.filter(round__contest_id=round.contest_id, round__opens_at__lt=round.opens_at)
    mine = RoundQuestion.objects.filter(round_id=round.pk).values("question_id")
    return Question.objects.filter(status=QuestionStatus.APPROVED, pk__in=earlier.values("question_id")).exclude(pk__in=mine)


def pool_candidates(*, round: Round, source: str = PoolSource.UNUSED):
    return earlier_questions(round=round) if source == PoolSource.EARLIER else unused_questions(round=round)


def round_pool_add_random(*, round: Round, field: Field, count: int, source: str = PoolSource.UNUSED) -> int:
    """Add `count` random approved questions of `field`: unused by every round of the contest,
    or (source EARLIER) already used in an earlier round and not yet in this one."""
    candidates = list(pool_candidates(round=round, source=source).filter(field=field).values_list("pk", flat=True))
    if len(candidates) < count:
        if source == PoolSource.EARLIER:
            message = _(
                "Lĩnh vực «%(field)s» chỉ có %(n)d câu đã dùng ở các tuần trước (chưa có trong tuần này), không đủ %(count)d câu."
            )
        else:
            message = _("Lĩnh vực «%(field)s» chỉ còn %(n)d câu chưa dùng đã duyệt, không đủ %(count)d câu.")
        raise QuizError(message % {"field": field.name, "n": len(candidates), "count": count})
    return round_pool_add(round=round, question_ids=_random.sample(candidates, count))


def round_pool_copy(*, round: Round, source: Round) -> int:
    """Add all of an earlier round's pool (week 3 was 50 new + all 50 … of week 1)."""
    ids = list(RoundQuestion.objects.filter(round=source).values_list("question_id", flat=True))
    return round_pool_add(round=round, question_ids=ids)


def round_allocation(*, round: Round, pool_by_field: dict[int, int]) -> dict[int, int]:
    """How many questions of each field an attempt draws: the blueprint, or every field in
    proportion to its share of the pool (largest remainders; equal remainders go to the larger
    pool, then to the field made first, so every process and `verify_results` find the same
    allocation whatever order the pool was read in)."""
    items = list(round.blueprint.all())
    if items:
        return {item.field_id: item.count for item in items}
    total = sum(pool_by_field.values())
    n = round.questions_per_attempt
    if total == 0:
        return {}
    exact = {fid: n * cnt / total for fid, cnt in pool_by_field.items()}
    alloc = {fid: int(x) for fid, x in exact.items()}
    for fid, _x in sorted(exact.items(), key=lambda kv: (-(kv[1] - int(kv[1])), -pool_by_field[kv[0]], kv[0])):
        if sum(alloc.values()) >= n:
            break
        if alloc[fid] < pool_by_field[fid]:
            alloc[fid] += 1
    return alloc


def blueprint_set(*, round: Round, counts: dict[int, int]) -> None:
    guard_round_unsealed(round.pk)
    with transaction.atomic():
        BlueprintItem.objects.filter(round=round).delete()
        BlueprintItem.objects.bulk_create(BlueprintItem(round=round, field_id=f, count=c) for f, c in counts.items() if c)
