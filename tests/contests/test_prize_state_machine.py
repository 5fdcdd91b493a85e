"""The prize lifecycle (contests.prizes) as a state machine: Hypothesis draws sequences of the
steps the organizers and the secretariat take — draft, verify, find not valid, publish, amend,
re-draft — on a closed weekly round (quiz.services) and on a closed final judging round
(essays.judging), and after every step checks what must always hold:

- no holder twice (one prize per person, not-valid ones included);
- the valid prizes are the plan's tiers down the ranking, skipping staff and the holders found
  not valid, each prize carrying its holder's place;
- a verified prize stays verified, unless it is itself found not valid or, after publication, an
  amendment took it off the list (and the amendment is recorded on it);
- a not-valid prize counts nowhere: `.valid()`, the public pages (the leaderboard's prize
  column, the published essays) and the units' figures leave it out.

Each round is built once per test through the services (attempts started and submitted, then the
clock moved past the closing; essays scored and the round closed); each drawn sequence runs in a
savepoint rolled back after it."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import time_machine
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from accounts.enums import Role
from contests import prizes
from contests.enums import PrizeStatus
from essays import judging
from essays import selectors as essay_selectors
from essays.models import Essay
from essays.services import EssayError
from quiz import selectors
from quiz.errors import QuizError
from quiz.models import Prize, Round, RoundEntry
from quiz.services.attempts import attempt_start, attempt_submit
from quiz.services.prizes import (
    QUIZ_PRIZES,
    prize_amend,
    prize_verify,
    round_prizes_draft,
    round_prizes_redraft,
    round_publish_results,
)
from reports.selectors import unit_table
from tests.essays.factories import EssayPhaseFactory
from tests.essays.test_judging import _eligible, _round, _score_all
from tests.factories import UserFactory, contestant, staff_user
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db

PICK = st.integers(min_value=0, max_value=63)
REASON = "Dùng tài khoản của người khác"


@dataclass
class Part:
    """What the machine needs of one part of the contest, through its real services."""

    prizes: Callable  # () -> the scope's prizes (a queryset with .valid())
    holder: str  # "user_id" or "essay_id"
    error: type[Exception]
    ranking: list[int]  # holders in the order of the part's ranking (1 = first)
    ineligible: set[int]  # ranked, never drafted (staff)
    tiers: list[str]
    draft: Callable
    redraft: Callable  # () -> bool
    verify: Callable  # (prize, valid, note)
    amend: Callable  # (prize, valid, reason)
    publish: Callable
    publishable_again: bool  # publishing a published list again (refused in both parts)
    is_published: Callable  # () -> bool
    shown: Callable  # () -> holders shown as winners on the public pages
    figures: Callable  # () -> the count of prizes in the units' figures
    out: Callable = set  # () -> holders out of the ranking (quiz: an entry whose prize was found not valid)
    invalid_leaves_ranking: bool = False  # a verdict «not valid» takes the holder out of the ranking (quiz)


class PrizeLifecycle(RuleBasedStateMachine):
    part: Part  # set by the test

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.savepoint()
        self.drafted = False
        self.verified: set[int] = set()  # prizes seen verified, and what they must stay
        self.found_invalid: set[int] = set()  # holders a verdict or an amendment found not valid

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    # --- helpers ------------------------------------------------------------------------------------

    def _prizes(self) -> list:
        return list(self.part.prizes().order_by("pk"))

    def _pick(self, pick: int):
        prizes = self._prizes()
        return prizes[pick % len(prizes)] if prizes else None

    def _holder(self, prize) -> int:
        return getattr(prize, self.part.holder)

    # --- the steps ----------------------------------------------------------------------------------

    @rule()
    def draft(self):
        if self.part.is_published():
            with pytest.raises(self.part.error, match="đã công bố"):
                self.part.draft()
            return
        self.part.draft()
        self.drafted = True

    @rule()
    def redraft(self):
        expected = self.drafted and not self.part.is_published() and self.part.prizes().exists()
        assert self.part.redraft() == expected

    @rule(pick=PICK)
    def verify(self, pick):
        prize = self._pick(pick)
        if prize is None:
            return
        if self.part.is_published() and prize.status != PrizeStatus.DRAFT:
            with pytest.raises(self.part.error, match="sửa kết quả đã công bố"):
                self.part.verify(prize, True, "")
            return
        if prize.status == PrizeStatus.INVALID:  # its holder back beside the one who moved up: refused
            with pytest.raises(self.part.error, match="không hợp lệ và đã chuyển cho người kế tiếp"):
                self.part.verify(prize, True, "")
            return
        if prize.status == PrizeStatus.VERIFIED:  # a second «Xác minh» writes no second identical decision
            with pytest.raises(self.part.error, match="đã được xác minh hợp lệ"):
                self.part.verify(prize, True, "Đơn vị đã xác nhận")
            return
        self.part.verify(prize, True, "Đơn vị đã xác nhận")
        self.verified.add(prize.pk)

    @rule(pick=PICK)
    def find_not_valid(self, pick):
        prize = self._pick(pick)
        if prize is None:
            return
        if self.part.is_published() and prize.status != PrizeStatus.DRAFT:
            with pytest.raises(self.part.error, match="sửa kết quả đã công bố"):
                self.part.verify(prize, False, REASON)
            return
        if prize.status == PrizeStatus.INVALID:
            with pytest.raises(self.part.error, match="không hợp lệ và đã chuyển cho người kế tiếp"):
                self.part.verify(prize, False, REASON)
            return
        with pytest.raises(self.part.error, match="Cần ghi lý do"):
            self.part.verify(prize, False, " ")
        self.part.verify(prize, False, REASON)
        self.verified.discard(prize.pk)
        self.found_invalid.add(self._holder(prize))
        assert type(prize).objects.get(pk=prize.pk).status == PrizeStatus.INVALID

    @rule()
    def publish(self):
        prizes = self._prizes()
        valid = [p for p in prizes if p.status != PrizeStatus.INVALID]
        drafts = any(p.status == PrizeStatus.DRAFT for p in prizes)
        if not valid or drafts or (self.part.is_published() and not self.part.publishable_again):
            with pytest.raises(self.part.error):
                self.part.publish()
            return
        self.part.publish()
        assert self.part.is_published()

    @rule(pick=PICK, valid=st.booleans())
    def amend(self, pick, valid):
        prize = self._pick(pick)
        if prize is None:
            return
        target = PrizeStatus.VERIFIED if valid else PrizeStatus.INVALID
        if not self.part.is_published() or prize.status == target:
            with pytest.raises(self.part.error):
                self.part.amend(prize, valid, "Khiếu nại được chấp nhận")
            return
        before = len(prize.amendments)
        amended = self.part.amend(prize, valid, "Khiếu nại được chấp nhận")
        assert len(amended.amendments) > before and amended.amendments[-1]["reason"] == "Khiếu nại được chấp nhận"
        if valid:
            self.verified.add(prize.pk)
            self.found_invalid.discard(self._holder(prize))
        else:
            self.verified.discard(prize.pk)
            self.found_invalid.add(self._holder(prize))

    # --- what always holds --------------------------------------------------------------------------

    @invariant()
    def no_holder_twice(self):
        holders = [self._holder(p) for p in self._prizes()]
        assert len(holders) == len(set(holders))

    @invariant()
    def tiers_follow_the_ranking_skipping_not_valid_holders(self):
        prizes = self._prizes()
        if not self.drafted:
            assert prizes == []
            return
        not_valid = {self._holder(p) for p in prizes if p.status == PrizeStatus.INVALID}
        # A holder out of the ranking leaves no place: everyone below moves up one.
        ranking = [pk for pk in self.part.ranking if pk not in self.part.out()]
        eligible = [pk for pk in ranking if pk not in self.part.ineligible and pk not in not_valid]
        expected = [(pk, tier, ranking.index(pk) + 1) for pk, tier in zip(eligible, self.part.tiers)]
        valid = sorted(self.part.prizes().valid(), key=lambda p: p.rank)
        assert [(self._holder(p), p.tier, p.rank) for p in valid] == expected

    @invariant()
    def a_holder_found_not_valid_leaves_the_ranking(self):
        """Only a verdict or an amendment takes an entry out, never a prize that fell off the list."""
        assert self.part.out() == (self.found_invalid if self.part.invalid_leaves_ranking else set())

    @invariant()
    def verified_stays_verified(self):
        for prize in self.part.prizes().filter(pk__in=self.verified):
            if prize.status == PrizeStatus.VERIFIED:
                continue
            # Only an amendment after publication takes a verified prize off the list, on the record.
            assert prize.amendments, (prize.pk, prize.status)
            assert prize.status == PrizeStatus.INVALID and prize.amendments[-1]["to"]["status"] == PrizeStatus.INVALID
            self.verified.discard(prize.pk)

    @invariant()
    def a_not_valid_prize_counts_nowhere(self):
        prizes = self._prizes()
        valid = {self._holder(p) for p in prizes if p.status != PrizeStatus.INVALID}
        verified = {self._holder(p) for p in prizes if p.status == PrizeStatus.VERIFIED}
        assert {self._holder(p) for p in self.part.prizes().valid()} == valid
        shown = self.part.shown()
        assert shown <= valid  # never a prize found not valid
        assert verified <= shown if self.part.is_published() else shown == set()
        assert self.part.figures() == len(valid)


def _run(part: Part, *, examples: int):
    PrizeLifecycle.part = part
    with translation.override("vi"):  # the messages matched are the Vietnamese ones, whatever a page left active
        run_state_machine_as_test(
            PrizeLifecycle,
            settings=settings(
                max_examples=examples, stateful_step_count=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
            ),
        )


def test_the_quiz_prize_lifecycle_keeps_its_invariants():
    """One weekly round: 3 tiers (first, second, third), 7 ranked people, the third of them staff."""
    round = sealed_round(prizes_first=1, prizes_second=1, prizes_third=1, prizes_consolation=0)
    people = [contestant() for _ in range(7)]
    clerk = people[2]
    clerk.groups.add(*UserFactory(roles=[Role.SECRETARIAT]).groups.all())
    for right, person in zip(range(20, 13, -1), people):  # 20, 19, … 14 right answers: a strict ranking
        attempt = attempt_start(round=round, user=person)
        attempt_submit(attempt=attempt, user=person, answers=answer_all(attempt, right=right))
    organizer, secretary = staff_user(Role.ORGANIZER), staff_user(Role.SECRETARIAT)

    def published():
        round.refresh_from_db()
        return round.results_published_at is not None

    part = Part(
        prizes=lambda: Prize.objects.filter(round=round),
        holder="user_id",
        error=QuizError,
        ranking=[p.pk for p in people],
        ineligible={clerk.pk},
        tiers=QUIZ_PRIZES.tiers(round),
        draft=lambda: round_prizes_draft(round=round, by=organizer),
        redraft=lambda: round_prizes_redraft(round=round),
        verify=lambda prize, valid, note: prize_verify(prize=prize, by=secretary, valid=valid, note=note),
        amend=lambda prize, valid, reason: prize_amend(prize=prize, by=organizer, valid=valid, reason=reason),
        publish=lambda: round_publish_results(round=round, by=organizer),
        publishable_again=False,
        is_published=published,
        shown=lambda: set(selectors.valid_prizes_by_user(round=Round.objects.get(pk=round.pk))),
        figures=lambda: sum(sum(row.prizes.values()) for row in unit_table(contest=round.contest, round=round)),
        out=lambda: set(RoundEntry.objects.filter(round=round, disqualified=True).values_list("user_id", flat=True)),
        invalid_leaves_ranking=True,
    )
    with time_machine.travel(round.closes_at + datetime.timedelta(minutes=1), tick=True):  # the round has closed
        _run(part, examples=25)


def test_the_essay_prize_lifecycle_keeps_its_invariants():
    """The final judging round of twelve essays, two judges, the contest's plan of ten prizes
    (every step uses judging.PRIZE_PLAN; prizes_award's `plan` reaches the draft only)."""
    phase = EssayPhaseFactory()
    _eligible(phase, 12)
    final, judges = _round(phase, judges=2)
    judging.round_fill_from_screening(round=final)
    judging.round_assign(round=final)
    for i, judge in enumerate(judges):
        _score_all(final, judge, base=5 + i)
    judging.round_close(round=final)
    essay_part = judging.EssayPrizes()
    organizer, secretary = staff_user(Role.ORGANIZER), staff_user(Role.SECRETARIAT)
    part = Part(
        prizes=lambda: essay_part.prizes(final),
        holder="essay_id",
        error=EssayError,
        ranking=[r.essay.pk for r in essay_selectors.round_results(round=final) if r.mean is not None],
        ineligible=set(),
        tiers=essay_part.tiers(final),
        draft=lambda: judging.prizes_award(round=final, by=organizer),
        redraft=lambda: prizes.redraft_if_drafted(part=essay_part, scope=final),
        verify=lambda prize, valid, note: judging.prize_verify(prize=prize, by=secretary, valid=valid, note=note),
        amend=lambda prize, valid, reason: judging.prize_amend(prize=prize, by=organizer, valid=valid, reason=reason),
        publish=lambda: judging.prizes_publish(round=final, by=organizer),
        publishable_again=False,
        is_published=lambda: essay_part.is_published(final),
        shown=lambda: {e.pk for e in Essay.objects.filter(phase=phase, published_at__isnull=False)},
        figures=lambda: sum(row.essays_awarded for row in unit_table(contest=phase.contest)),
    )
    _run(part, examples=12)
