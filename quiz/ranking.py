"""The ranking rule of a quiz round, in one place.

A round ranks its contestants by one key, applied to each contestant's best attempt:

- ``score_time``: the higher score, then the shorter time taken;
- ``score_prediction_time``: the higher score, then the prediction closest to the number of
  contestants with a full score (no prediction counts as farthest), then the shorter time.

Both rules end with the same final tie-breakers, so no two entries ever share a place: the
earlier finish, then the attempt's id (stable and unique). An entry's key is its best attempt's
key, so the choice of the best attempt, the order of the leaderboard and the place of an entry
are one comparison, made in Python (`attempt_key`, `entry_key`) or in SQL (`ranked_entries`,
`place`) — never written anywhere else.

The prediction rule compares with the number of full scores, which is final only when the round
closes. While the round is open an entry keeps the best attempt by the key against the count of
that moment; `entries_rebuild` re-picks every entry's best attempt against the final count when
prizes are drafted (and after every integrity decision that changes the count). The leaderboard
and the place are both read from the entries with the same count, so the place shown to a
contestant is their position on the leaderboard at every moment. The score comes first in the
key, so re-picking never changes who has a full score: the count does not depend on the choice.
"""

from collections import defaultdict

from django.db.models import F, Q
from django.db.models.functions import Abs

from .enums import RankingRule, RoundKind
from .models import Attempt, Round, RoundEntry

# The prediction gap of an attempt without a prediction: after every real gap.
NO_PREDICTION = float("inf")


def uses_prediction(round: Round) -> bool:
    return round.ranking_rule == RankingRule.SCORE_PREDICTION_TIME


def full_score_count(*, round: Round) -> int:
    """How many ranked contestants have a full score: frozen on the round when prizes are drafted,
    counted live until then."""
    if round.full_score_actual is not None:
        return round.full_score_actual
    return live_full_score_count(round=round)


def live_full_score_count(*, round: Round) -> int:
    return RoundEntry.objects.filter(round=round, score=round.questions_per_attempt, disqualified=False).count()


def _key(rule, actual, *, score, duration_ms, finished_at, prediction, attempt_id) -> tuple:
    if rule == RankingRule.SCORE_PREDICTION_TIME:
        gap = NO_PREDICTION if prediction is None else abs(prediction - actual)
        return (-score, gap, duration_ms, finished_at, attempt_id)
    return (-score, duration_ms, finished_at, attempt_id)


def attempt_key(attempt: Attempt, *, rule: str, actual: int | None = None) -> tuple:
    """The sort key of a finished attempt (smaller is better)."""
    return _key(
        rule, actual, score=attempt.score, duration_ms=attempt.duration_ms, finished_at=attempt.finished_at,
        prediction=attempt.prediction, attempt_id=attempt.pk,
    )  # fmt: skip


def entry_key(entry: RoundEntry, *, rule: str, actual: int | None = None) -> tuple:
    """The sort key of an entry: its best attempt's key."""
    return _key(
        rule, actual, score=entry.score, duration_ms=entry.duration_ms, finished_at=entry.finished_at,
        prediction=entry.prediction, attempt_id=entry.best_attempt_id,
    )  # fmt: skip


def best_attempt(attempts, *, rule: str, actual: int | None = None) -> Attempt:
    """A contestant's best attempt among their finished ones."""
    return min(attempts, key=lambda a: attempt_key(a, rule=rule, actual=actual))


def ranked_entries(*, round: Round, actual: int | None = None):
    """The round's entries in ranking order, disqualified ones excluded. One query (plus one to
    count full scores under the prediction rule while that count is not frozen)."""
    qs = RoundEntry.objects.filter(round=round, disqualified=False)
    if uses_prediction(round):
        actual = full_score_count(round=round) if actual is None else actual
        return qs.annotate(prediction_gap=Abs(F("prediction") - actual)).order_by(
            "-score", F("prediction_gap").asc(nulls_last=True), "duration_ms", "finished_at", "best_attempt_id"
        )
    return qs.order_by("-score", "duration_ms", "finished_at", "best_attempt_id")


def _above(entry: RoundEntry, *, prediction: bool, actual: int | None) -> Q:
    """Entries whose key is strictly smaller than `entry`'s, as one condition (lexicographic)."""
    terms = [(Q(score__gt=entry.score), Q(score=entry.score))]
    if prediction:
        if entry.prediction is None:
            terms.append((Q(prediction__isnull=False), Q(prediction__isnull=True)))
        else:
            gap = abs(entry.prediction - actual)
            terms.append((Q(prediction_gap__lt=gap), Q(prediction_gap=gap)))
    terms += [
        (Q(duration_ms__lt=entry.duration_ms), Q(duration_ms=entry.duration_ms)),
        (Q(finished_at__lt=entry.finished_at), Q(finished_at=entry.finished_at)),
        (Q(best_attempt_id__lt=entry.best_attempt_id), Q(best_attempt_id=entry.best_attempt_id)),
    ]
    condition, equal_so_far = None, Q()
    for better, equal in terms:
        step = equal_so_far & better
        condition = step if condition is None else condition | step
        equal_so_far &= equal
    return condition


def place(*, entry: RoundEntry, round: Round | None = None) -> int | None:
    """The entry's place: 1 + how many entries stand strictly above it by the round's full key.
    The same number as its position in `ranked_entries`. None for a disqualified entry."""
    if entry.disqualified:
        return None
    round = round or entry.round
    prediction = uses_prediction(round)
    qs = RoundEntry.objects.filter(round_id=entry.round_id, disqualified=False)
    actual = None
    if prediction:
        actual = full_score_count(round=round)
        qs = qs.annotate(prediction_gap=Abs(F("prediction") - actual))
    return 1 + qs.filter(_above(entry, prediction=prediction, actual=actual)).count()


def entry_better(attempt: Attempt, entry: RoundEntry, *, round: Round) -> bool:
    """Whether a newly finished attempt beats the entry's best attempt (against the count of
    full scores of this moment, under the prediction rule)."""
    rule = round.ranking_rule
    actual = full_score_count(round=round) if uses_prediction(round) else None
    return attempt_key(attempt, rule=rule, actual=actual) < entry_key(entry, rule=rule, actual=actual)


def entries_rebuild(*, round: Round) -> int:
    """Re-pick every contestant's best attempt of the round from their finished attempts, by the
    rule against the current count of full scores, creating missing entries (the simulation builds
    its entries this way) and keeping disqualifications. Call inside a transaction. Returns the
    number of entries written."""
    if round.kind == RoundKind.PRACTICE:
        return 0
    entries = {e.user_id: e for e in RoundEntry.objects.select_for_update().filter(round=round)}
    by_user = defaultdict(list)
    for attempt in (
        Attempt.objects.filter(round=round)
        .finished()
        .only("id", "user_id", "score", "duration_ms", "finished_at", "prediction")
        .order_by()
        .iterator(chunk_size=5000)
    ):
        by_user[attempt.user_id].append(attempt)
    actual = round.full_score_actual
    if actual is None:
        n = round.questions_per_attempt
        out = {uid for uid, e in entries.items() if e.disqualified}
        actual = sum(1 for uid, attempts in by_user.items() if uid not in out and any(a.score == n for a in attempts))
    fields = ["best_attempt", "score", "duration_ms", "finished_at", "prediction", "attempts_count"]
    changed, new = [], []
    for user_id, attempts in by_user.items():
        best = best_attempt(attempts, rule=round.ranking_rule, actual=actual)
        values = {
            "best_attempt": best, "score": best.score, "duration_ms": best.duration_ms, "finished_at": best.finished_at,
            "prediction": best.prediction, "attempts_count": len(attempts),
        }  # fmt: skip
        entry = entries.get(user_id)
        if entry is None:
            new.append(RoundEntry(round=round, user_id=user_id, **values))
        elif (entry.best_attempt_id, entry.attempts_count, entry.score) != (best.pk, len(attempts), best.score):
            # A score changes under a kept best attempt when an erratum re-scores the round.
            for name, value in values.items():
                setattr(entry, name, value)
            changed.append(entry)
    RoundEntry.objects.bulk_update(changed, fields, batch_size=2000)
    RoundEntry.objects.bulk_create(new, batch_size=5000)
    return len(changed) + len(new)
