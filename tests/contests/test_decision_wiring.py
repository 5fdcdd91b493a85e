"""Every decision that changes a result leaves one line in the log, written by the service that
makes it (so the admin, the views and the commands are all covered)."""

import datetime

import pytest
from django.utils import timezone

from accounts.enums import Role
from audit import integrity
from contests.enums import PrizeTier
from contests.models import Decision
from essays import judging
from essays import services as essay_services
from essays.enums import EssayStatus
from essays.models import Assignment, EssayPrize
from quiz.errors import QuizError
from quiz.models import Prize
from quiz.services.prizes import prize_amend, prize_verify, round_prizes_draft, round_publish_results
from quiz.services.rounds import round_approve, round_extend_window
from tests.awards.test_prize_lifecycle import _close, _essay_final, _take
from tests.essays.factories import EssayFactory
from tests.factories import contestant, staff_user
from tests.quiz.factories import RoundFactory, sealed_round

pytestmark = pytest.mark.django_db


def _actions(**filters):
    return list(Decision.objects.filter(**filters).order_by("id").values_list("action", flat=True))


def test_the_quiz_decisions_are_logged_with_who_and_why():
    organizer, secretary = staff_user(Role.ORGANIZER), staff_user(Role.SECRETARIAT)
    round = sealed_round(organizer=organizer, prizes_first=1, prizes_second=1, prizes_third=0, prizes_consolation=0)
    new_close = round.closes_at + datetime.timedelta(days=1)
    round_extend_window(round=round, closes_at=new_close, by=organizer, reason="Mất điện diện rộng")
    first, second, third = contestant(), contestant(), contestant()
    for user, right in ((first, 20), (second, 19), (third, 18)):
        _take(round, user, right, 60)
    round = _close(round)
    round_prizes_draft(round=round, by=organizer)
    prize_verify(prize=Prize.objects.get(user=first), by=secretary, valid=False, note="Thi hộ")
    for prize in Prize.objects.filter(round=round).valid():
        prize_verify(prize=prize, by=secretary, valid=True)
    round_publish_results(round=round, by=organizer)
    prize_amend(prize=Prize.objects.get(user=first), by=organizer, valid=True, reason="Đơn vị xác nhận lại")

    logged = Decision.objects.filter(contest=round.contest).order_by("id")
    assert [d.action for d in logged] == [
        "seal", "window_extend", "commit_results", "prizes_draft", "prize_invalid", "prize_verify", "prize_verify", "publish",
        "prize_amend",
    ]  # fmt: skip
    seal, extend, commit, draft, invalid, *_rest, amend = logged
    # The results are committed by the system before the first draft (quiz.receipts.round_commit).
    assert commit.actor is None and commit.data == {"root": round.commitment.root, "attempts": 3}
    assert seal.data["sha256"] == round.seal.sha256 and seal.actor == organizer
    assert extend.reason == "Mất điện diện rộng" and extend.actor == organizer
    assert draft.actor == organizer and draft.data == {"prizes": 2}
    assert (invalid.actor, invalid.reason, invalid.object_id) == (secretary, "Thi hộ", Prize.objects.get(user=first).pk)
    assert amend.data["from"]["status"] == "invalid" and amend.data["to"]["status"] == "verified"


def test_integrity_decisions_are_logged():
    secretary = staff_user(Role.SECRETARIAT)
    round = sealed_round()
    user = contestant()
    _take(round, user, 20, 60)
    case = integrity.Case("manual:1", "manual", "Thử nghiệm", [user.pk])
    integrity.decide(contest=round.contest, case=case, by=secretary, verdict="disqualify", reason="Thi hộ")
    integrity.decide(contest=round.contest, case=case, by=secretary, verdict="clear", reason="Đã xác minh")
    assert _actions(contest=round.contest) == ["seal", "disqualify", "clear"]
    clear = Decision.objects.filter(action="clear").get()
    assert clear.data["accounts"] == [user.email] and clear.reason == "Đã xác minh"


def test_the_writing_contest_decisions_are_logged():
    organizer, secretary = staff_user(Role.ORGANIZER), staff_user(Role.SECRETARIAT)
    final, (e1, e2, _e3) = _essay_final()
    contest = final.phase.contest
    judging.prizes_award(round=final, plan=[(PrizeTier.FIRST, 1)], by=organizer)
    judging.prize_verify(prize=EssayPrize.objects.get(essay=e1), by=secretary, valid=True)
    judging.prizes_publish(round=final, by=organizer)
    essay_services.essay_publish(essay=e2, by=organizer)
    sheet = Assignment.objects.filter(round=final).first()
    judging.sheet_reopen(assignment=sheet, by=organizer, reason="Giám khảo nhập nhầm")
    judging.sheet_reopen(assignment=sheet, by=organizer)  # already open: nothing decided, nothing logged
    actions = _actions(contest=contest)
    assert actions[-5:] == ["prizes_draft", "prize_verify", "publish", "essay_publish", "sheet_reopen"]
    assert "round_close" in actions
    assert Decision.objects.get(action="sheet_reopen").reason == "Giám khảo nhập nhầm"


def test_screening_is_logged_with_its_reasons():
    secretary = staff_user(Role.SECRETARIAT)
    essay = EssayFactory(status=EssayStatus.SUBMITTED)
    essay_services.essay_screen(essay=essay, by=secretary, eligible=False, reasons=["words"], note="Thiếu 200 chữ")
    decision = Decision.objects.get(action="essay_screen")
    assert (decision.actor, decision.reason, decision.data["eligibility"]) == (secretary, "Thiếu 200 chữ", "ineligible")
    assert decision.contest == essay.phase.contest


def test_a_refused_decision_leaves_no_line():
    organizer = staff_user(Role.ORGANIZER)
    round = RoundFactory(opens_at=timezone.now() - datetime.timedelta(days=1))
    with pytest.raises(QuizError):
        round_approve(round=round, by=organizer)  # an empty pool cannot be sealed
    assert not Decision.objects.exists()
