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
from quiz.models import Prize, Round, RoundEntry
from quiz.services.attempts import finalize_round_attempts
from quiz.services.notifications import prizes_moved_notify, round_results_notify

# How an entry taken out of the ranking by its prize found not valid says so (RoundEntry's
# disqualified_reason): an amendment restoring the prize puts back only an entry still out for
# this reason, never one an integrity decision took out since. Stored data, not interface text.
INVALID_PRIZE_REASON = "Giải không hợp lệ: "


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
        """Down the ranking, never below the round's minimum score: a tier nobody reaches it for
        stays empty rather than going to a low score (docs/decisions.md «A minimum score for a prize»)."""
        entries = ranking.ranked_entries(round=scope).filter(score__gte=scope.prize_min_score).select_related("user")
        for place, entry in enumerate(entries.iterator(chunk_size=500), start=1):
            if may_win_prize(entry.user):
                yield prizes.Candidate(entry.user_id, place, {"round": scope, "user": entry.user, "entry": entry})

    def is_published(self, scope):
        return scope.results_published_at is not None

    def on_found_invalid(self, prize, *, scope, reason):
        """«A prize found not valid leaves the ranking» (docs/decisions.md): the winner's entry is
        taken out like a disqualified one, so the public leaderboard, her own place and «thứ 9 / N»
        leave her out, everyone below moves up one place, and the checks (verify_results, the
        results bundle) read the same `disqualified` flag."""
        RoundEntry.objects.filter(pk=prize.entry_id).update(
            disqualified=True, disqualified_reason=(INVALID_PRIZE_REASON + reason)[:500]
        )
        self._rerank(scope)

    def on_restored(self, prize, *, scope):
        entry = RoundEntry.objects.filter(pk=prize.entry_id).first()
        if entry is None or not entry.disqualified:
            return
        if not entry.disqualified_reason.startswith(INVALID_PRIZE_REASON):
            raise QuizError(
                _("Thí sinh đang bị loại khỏi xếp hạng theo một quyết định rà soát; hãy xem lại quyết định đó trước.")
            )
        RoundEntry.objects.filter(pk=entry.pk).update(disqualified=False, disqualified_reason="")
        self._rerank(scope)

    def _rerank(self, scope):
        """After an entry leaves or rejoins the ranking: the frozen count of full scores follows
        (the prediction rule compares with it) and every best attempt is re-picked against it."""
        if scope.full_score_actual is not None:
            scope.full_score_actual = ranking.live_full_score_count(round=scope)
            scope.save(update_fields=["full_score_actual"])
        ranking.entries_rebuild(round=scope)

    def tell_moved(self, prizes):
        if prizes:
            prizes_moved_notify(round=Round.objects.select_related("contest").get(pk=prizes[0].round_id), prizes=prizes)

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


def round_publish_problem(round: Round) -> str:
    """Why a weekly round's results cannot be published now ("" when they can): the round has
    closed, is not published yet, and its prize list (if the plan has prizes) is fully verified.
    Asked by round_publish_results and by the confirmation page (awards.publication)."""
    if not round.is_closed:
        return _("Chỉ công bố kết quả sau khi tuần thi đã đóng.")
    if round.results_published_at:
        return _("Kết quả tuần thi này đã được công bố.")
    listed = list(Prize.objects.filter(round=round).valid().only("status"))
    if any(count for _t, count in round.prize_plan) and not prizes.fully_verified(listed):
        if not listed:
            return _("Chưa có danh sách giải: hãy lập danh sách giải dự kiến trước.")
        return _("Tổ Thư ký chưa xác minh hết danh sách đạt giải; chỉ công bố danh sách đã xác minh.")
    return ""


@transaction.atomic
def round_publish_results(*, round: Round, by, reason: str = "", data: dict | None = None) -> Round:
    """Publish the round's results and its prize list (the public leaderboard opens). `reason` and
    `data` go into the decision (awards.publication records an override of open integrity cases
    there); the pages publish through awards.publication, which asks for a confirmation."""
    round = Round.objects.select_for_update().get(pk=round.pk)
    problem = round_publish_problem(round)
    if problem:
        raise QuizError(problem)
    round.results_published_at = timezone.now()
    round.results_published_by = by
    round.save(update_fields=["results_published_at", "results_published_by"])
    decision_record(
        action=Action.PUBLISH, obj=round, by=by, reason=reason,
        data={"prizes": Prize.objects.filter(round=round).valid().count(), **(data or {})},
    )  # fmt: skip
    round_results_notify(round)
    return round
