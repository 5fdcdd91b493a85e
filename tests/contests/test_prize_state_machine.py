"""The prize lifecycle (contests.prizes) as a state machine: Hypothesis draws sequences of the
steps the organizers and the secretariat take — draft, verify, find not valid, publish, amend,
re-draft — on a closed weekly round, and after every step checks what must always hold:

- no holder twice (one prize per person, not-valid ones included);
- the valid prizes are the plan's tiers down the ranking, skipping staff and the holders found
  not valid, each prize carrying its holder's place;
- a verified prize stays verified, unless it is itself found not valid or, after publication, an
  amendment took it off the list (and the amendment is recorded on it);
- a not-valid prize counts nowhere: Prize.objects.valid(), the public leaderboard's prize column
  and the units' figures leave it out.

The round is built once per test through the services (attempts started and submitted, then the
clock moved past the closing); each drawn sequence runs in a savepoint rolled back after it."""

import datetime

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from accounts.enums import Role
from contests.enums import PrizeStatus
from quiz import selectors, services
from quiz.errors import QuizError
from quiz.models import Prize
from reports.selectors import unit_table
from tests.factories import UserFactory, contestant, staff_user
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db

PICK = st.integers(min_value=0, max_value=63)
REASON = "Dùng tài khoản của người khác"


class QuizPrizeLifecycle(RuleBasedStateMachine):
    """One weekly round: 3 tiers (first, second, third), 7 ranked people, one of them staff."""

    world: dict = {}

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.savepoint()
        self.round = self.world["round"]
        self.round.refresh_from_db()
        self.drafted = False
        self.published = False
        self.verified: set[int] = set()  # prizes seen verified, and what they must stay

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    # --- helpers ------------------------------------------------------------------------------------

    def _prizes(self) -> list[Prize]:
        return list(Prize.objects.filter(round=self.round).order_by("pk"))

    def _pick(self, pick: int) -> Prize | None:
        prizes = self._prizes()
        return prizes[pick % len(prizes)] if prizes else None

    def _refresh(self):
        self.round.refresh_from_db()

    # --- the steps ----------------------------------------------------------------------------------

    @rule()
    def draft(self):
        if self.published:
            with pytest.raises(QuizError, match="đã công bố"):
                services.round_prizes_draft(round=self.round, by=self.world["organizer"])
            return
        services.round_prizes_draft(round=self.round, by=self.world["organizer"])
        self.drafted = True

    @rule()
    def redraft(self):
        expected = self.drafted and not self.published and Prize.objects.filter(round=self.round).exists()
        assert services.round_prizes_redraft(round=self.round) == expected

    @rule(pick=PICK)
    def verify(self, pick):
        prize = self._pick(pick)
        if prize is None:
            return
        if self.published and prize.status != PrizeStatus.DRAFT:
            with pytest.raises(QuizError, match="sửa kết quả đã công bố"):
                services.prize_verify(prize=prize, by=self.world["secretary"], valid=True)
            return
        if prize.status == PrizeStatus.INVALID:  # its holder back beside the one who moved up: refused
            with pytest.raises(QuizError, match="không hợp lệ; không xác minh lại"):
                services.prize_verify(prize=prize, by=self.world["secretary"], valid=True)
            return
        services.prize_verify(prize=prize, by=self.world["secretary"], valid=True, note="Đơn vị đã xác nhận")
        self.verified.add(prize.pk)

    @rule(pick=PICK)
    def find_not_valid(self, pick):
        prize = self._pick(pick)
        if prize is None:
            return
        if self.published and prize.status != PrizeStatus.DRAFT:
            with pytest.raises(QuizError, match="sửa kết quả đã công bố"):
                services.prize_verify(prize=prize, by=self.world["secretary"], valid=False, note=REASON)
            return
        if prize.status == PrizeStatus.INVALID:
            with pytest.raises(QuizError, match="không hợp lệ; không xác minh lại"):
                services.prize_verify(prize=prize, by=self.world["secretary"], valid=False, note=REASON)
            return
        with pytest.raises(QuizError, match="Cần ghi lý do"):
            services.prize_verify(prize=prize, by=self.world["secretary"], valid=False, note=" ")
        services.prize_verify(prize=prize, by=self.world["secretary"], valid=False, note=REASON)
        self.verified.discard(prize.pk)
        assert Prize.objects.get(pk=prize.pk).status == PrizeStatus.INVALID

    @rule()
    def publish(self):
        prizes = self._prizes()
        if self.published or not prizes or any(p.status == PrizeStatus.DRAFT for p in prizes):
            with pytest.raises(QuizError):
                services.round_publish_results(round=self.round, by=self.world["organizer"])
            return
        services.round_publish_results(round=self.round, by=self.world["organizer"])
        self.published = True
        self._refresh()

    @rule(pick=PICK, valid=st.booleans())
    def amend(self, pick, valid):
        prize = self._pick(pick)
        if prize is None:
            return
        target = PrizeStatus.VERIFIED if valid else PrizeStatus.INVALID
        if not self.published or prize.status == target:
            with pytest.raises(QuizError):
                services.prize_amend(prize=prize, by=self.world["organizer"], valid=valid, reason="Khiếu nại được chấp nhận")
            return
        before = len(prize.amendments)
        amended = services.prize_amend(prize=prize, by=self.world["organizer"], valid=valid, reason="Khiếu nại được chấp nhận")
        assert len(amended.amendments) > before and amended.amendments[-1]["reason"] == "Khiếu nại được chấp nhận"
        if valid:
            self.verified.add(prize.pk)
        else:
            self.verified.discard(prize.pk)

    # --- what always holds --------------------------------------------------------------------------

    @invariant()
    def no_holder_twice(self):
        holders = [p.user_id for p in self._prizes()]
        assert len(holders) == len(set(holders))

    @invariant()
    def tiers_follow_the_ranking_skipping_not_valid_holders(self):
        prizes = self._prizes()
        if not self.drafted:
            assert prizes == []
            return
        not_valid = {p.user_id for p in prizes if p.status == PrizeStatus.INVALID}
        eligible = [pk for pk in self.world["ranking"] if pk not in self.world["staff"] and pk not in not_valid]
        expected = [(pk, tier, self.world["ranking"].index(pk) + 1) for pk, tier in zip(eligible, self.world["tiers"])]
        valid = sorted(Prize.objects.filter(round=self.round).valid(), key=lambda p: p.rank)
        assert [(p.user_id, p.tier, p.rank) for p in valid] == expected

    @invariant()
    def verified_stays_verified(self):
        for prize in Prize.objects.filter(pk__in=self.verified):
            if prize.status == PrizeStatus.VERIFIED:
                continue
            # Only an amendment after publication takes a verified prize off the list, on the record.
            assert self.published, (prize.pk, prize.status)
            assert prize.status == PrizeStatus.INVALID and prize.amendments[-1]["to"]["status"] == PrizeStatus.INVALID
            self.verified.discard(prize.pk)

    @invariant()
    def a_not_valid_prize_counts_nowhere(self):
        prizes = self._prizes()
        valid = {p.user_id for p in prizes if p.status != PrizeStatus.INVALID}
        assert {p.user_id for p in Prize.objects.filter(round=self.round).valid()} == valid
        self._refresh()
        shown = selectors.valid_prizes_by_user(round=self.round)
        assert set(shown) == (valid if self.published else set())
        by_units = unit_table(contest=self.round.contest, round=self.round)
        assert sum(sum(row.prizes.values()) for row in by_units) == len(valid)


@pytest.fixture
def quiz_world():
    round = sealed_round(prizes_first=1, prizes_second=1, prizes_third=1, prizes_consolation=0)
    people = [contestant() for _ in range(7)]
    clerk = people[2]  # ranked third, but staff: never drafted
    clerk.groups.add(*UserFactory(roles=[Role.SECRETARIAT]).groups.all())
    for right, person in zip(range(20, 13, -1), people):  # 20, 19, … 14 right answers: a strict ranking
        attempt = services.attempt_start(round=round, user=person)
        services.attempt_submit(attempt=attempt, user=person, answers=answer_all(attempt, right=right))
    return {
        "round": round,
        "ranking": [p.pk for p in people],
        "staff": {clerk.pk},
        "tiers": services.QUIZ_PRIZES.tiers(round),
        "organizer": staff_user(Role.ORGANIZER),
        "secretary": staff_user(Role.SECRETARIAT),
    }


def test_the_quiz_prize_lifecycle_keeps_its_invariants(quiz_world):
    QuizPrizeLifecycle.world = quiz_world
    after_closing = quiz_world["round"].closes_at + datetime.timedelta(minutes=1)
    with time_machine.travel(after_closing, tick=True):
        run_state_machine_as_test(
            QuizPrizeLifecycle,
            settings=settings(
                max_examples=25, stateful_step_count=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
            ),
        )
