"""A round's prizes and results: the quiz part of the prize lifecycle (contests.prizes; the
ranking rule is quiz.ranking's), the draft, the secretariat's verification, an amendment after
publication, and publishing the results."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import may_win_prize
from contests import prizes
from contests.decisions import Action, decision_record
from quiz import ranking, receipts
from quiz.errors import QuizError
from quiz.models import Prize, Round
from quiz.services.attempts import finalize_round_attempts
from quiz.services.notifications import round_results_notify


class QuizPrizes(prizes.PrizePart):
    """The quiz part for the prize lifecycle: a weekly round's prizes go down its leaderboard,
    one per person, skipping staff and switched-off accounts (accounts.roles.may_win_prize); publication is the round's."""

    model = Prize
    holder = "user_id"
    error = QuizError

    def scope_of(self, prize):
        return Round.objects.select_for_update().get(pk=prize.round_id)

    def prizes(self, scope):
        return Prize.objects.filter(round=scope)

    def tiers(self, scope):
        return [tier for tier, count in scope.prize_plan for _i in range(count)]

    def candidates(self, scope):
        entries = ranking.ranked_entries(round=scope).select_related("user")
        for place, entry in enumerate(entries.iterator(chunk_size=500), start=1):
            if may_win_prize(entry.user):
                yield prizes.Candidate(entry.user_id, place, {"round": scope, "user": entry.user, "entry": entry})

    def is_published(self, scope):
        return scope.results_published_at is not None

    def prepare(self, scope):
        """The list is drafted from final results: the round is closed, attempts left open are
        closed at their deadline, the count of full scores is frozen and every entry's best
        attempt is re-picked against it."""
        if not scope.is_closed:
            raise QuizError(_("Chỉ lập danh sách giải sau khi tuần thi đã đóng."))
        finalize_round_attempts(round=scope)
        # The results are committed before any prize is drafted (once; quiz.receipts).
        receipts.round_commit(round=scope)
        scope.full_score_actual = ranking.live_full_score_count(round=scope)
        scope.save(update_fields=["full_score_actual"])
        ranking.entries_rebuild(round=scope)


QUIZ_PRIZES = QuizPrizes()


@transaction.atomic
def round_prizes_draft(*, round: Round, by=None) -> list[Prize]:
    """Compute the draft prize list from the prize plan after the round closes (see
    contests.prizes: one prize per person, staff and inactive accounts skipped, not-valid winners
    skipped so the next contestants move up, verified winners stay verified). Safe to run again."""
    round = Round.objects.select_for_update().get(pk=round.pk)
    return prizes.prizes_draft(part=QUIZ_PRIZES, scope=round, by=by)


def round_prizes_redraft(*, round: Round) -> bool:
    """Re-draft a round's list if one was drafted and is not published (after an integrity
    decision changed who is ranked)."""
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        return prizes.redraft_if_drafted(part=QUIZ_PRIZES, scope=round)


def prize_verify(*, prize: Prize, by, valid: bool, note: str = "") -> Prize:
    """The secretariat's check of a winner's identity with their unit (who and when recorded).
    A winner found not valid is replaced by the next eligible contestant."""
    return prizes.prize_verify(part=QUIZ_PRIZES, prize=prize, by=by, valid=valid, note=note)


def prize_amend(*, prize: Prize, by, valid: bool, reason: str) -> Prize:
    """«Sửa kết quả đã công bố» for a weekly prize (see contests.prizes.prize_amend)."""
    return prizes.prize_amend(part=QUIZ_PRIZES, prize=prize, by=by, valid=valid, reason=reason)


@transaction.atomic
def round_publish_results(*, round: Round, by) -> Round:
    """Publish the round's results and its prize list (the public leaderboard opens)."""
    round = Round.objects.select_for_update().get(pk=round.pk)
    if not round.is_closed:
        raise QuizError(_("Chỉ công bố kết quả sau khi tuần thi đã đóng."))
    if round.results_published_at:
        raise QuizError(_("Kết quả tuần thi này đã được công bố."))
    listed = list(Prize.objects.filter(round=round).valid().only("status"))
    if any(count for _t, count in round.prize_plan) and not prizes.fully_verified(listed):
        if not listed:
            raise QuizError(_("Chưa có danh sách giải: hãy lập danh sách giải dự kiến trước."))
        raise QuizError(_("Tổ Thư ký chưa xác minh hết danh sách đạt giải; chỉ công bố danh sách đã xác minh."))
    round.results_published_at = timezone.now()
    round.results_published_by = by
    round.save(update_fields=["results_published_at", "results_published_by"])
    decision_record(action=Action.PUBLISH, obj=round, by=by, data={"prizes": Prize.objects.filter(round=round).valid().count()})
    round_results_notify(round)
    return round
