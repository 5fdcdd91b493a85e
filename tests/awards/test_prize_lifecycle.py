"""One prize lifecycle for both parts (contests.prizes), not-valid prizes out of every figure,
the integrity review passing prizes on and back, and exports that add up to the dashboard."""

import datetime
import io

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from accounts.enums import Role
from audit import integrity
from audit.models import IntegrityDecision
from awards.exports import winners_workbook
from contests import prizes
from contests.enums import PrizeStatus, PrizeTier
from essays import judging
from essays import selectors as essay_selectors
from essays.models import EssayPrize
from essays.services import EssayError
from quiz.enums import RoundKind
from quiz.errors import QuizError
from quiz.models import Attempt, Prize, Round, RoundEntry
from quiz.services.attempts import attempt_start, attempt_submit
from quiz.services.prizes import prize_amend, prize_verify, round_prizes_draft, round_publish_results
from reports import exports, selectors
from tests.essays.factories import EssayPhaseFactory
from tests.essays.test_judging import _eligible, _round, _score_all
from tests.factories import ContestFactory, OrganizationFactory, contestant, staff_user
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db


def _take(round, user, right, seconds):
    """An attempt started `seconds` ago and submitted now (the clock travels, no row is written by hand)."""
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(seconds=seconds), tick=False) as clock:
        attempt = attempt_start(round=round, user=user)
        clock.move_to(now)
        attempt = attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=right))
    return attempt


def _close(round):
    Round.objects.filter(pk=round.pk).update(closes_at=round.opens_at + datetime.timedelta(hours=1))
    return Round.objects.get(pk=round.pk)


@pytest.fixture
def week():
    """A closed week with a first and a second prize and three contestants, best first."""
    round = sealed_round(prizes_first=1, prizes_second=1, prizes_third=0, prizes_consolation=0)
    people = [contestant(), contestant(), contestant()]
    for user, (right, seconds) in zip(people, [(20, 25), (20, 30), (19, 40)]):
        _take(round, user, right, seconds)
    round = _close(round)
    round_prizes_draft(round=round)
    return round, people


def _essay_final(n=3):
    """A closed final round of `n` essays, scored so that they rank in creation order."""
    phase = EssayPhaseFactory()
    _eligible(phase, n)
    final, judges = _round(phase, judges=1)
    judging.round_fill_from_screening(round=final)
    judging.round_assign(round=final)
    _score_all(final, judges[0], base=10)
    judging.round_close(round=final)
    ranked = [r.essay for r in essay_selectors.round_results(round=final)]
    return final, ranked


def _holders(queryset, holder):
    return [(getattr(p, holder), p.tier) for p in queryset.valid().order_by("rank")]


def test_not_valid_passes_the_tier_on_the_same_way_in_both_parts(week):
    round, (first, second, third) = week
    final, (e1, e2, e3) = _essay_final()
    judging.prizes_award(round=final, plan=[(PrizeTier.FIRST, 1), (PrizeTier.SECOND, 1)])
    secretary = staff_user(Role.SECRETARIAT)

    prize_verify(prize=Prize.objects.get(user=first), by=secretary, valid=False, note="Mượn tài khoản")
    judging.prize_verify(prize=EssayPrize.objects.get(essay=e1), by=secretary, valid=False, note="Đã đăng báo")

    quiz_invalid, essay_invalid = Prize.objects.get(user=first), EssayPrize.objects.get(essay=e1)
    # The record stays, with the tier it was drafted for and the reason, but counts nowhere.
    assert (quiz_invalid.status, quiz_invalid.tier, quiz_invalid.note) == (PrizeStatus.INVALID, PrizeTier.FIRST, "Mượn tài khoản")
    assert (essay_invalid.status, essay_invalid.tier, essay_invalid.note) == (PrizeStatus.INVALID, PrizeTier.FIRST, "Đã đăng báo")
    assert _holders(Prize.objects.filter(round=round), "user") == [(second, PrizeTier.FIRST), (third, PrizeTier.SECOND)]
    assert _holders(EssayPrize.objects.all(), "essay") == [(e2, PrizeTier.FIRST), (e3, PrizeTier.SECOND)]
    with pytest.raises(QuizError, match="Cần ghi lý do"):
        prize_verify(prize=Prize.objects.get(user=second), by=secretary, valid=False, note="  ")
    with pytest.raises(EssayError, match="Cần ghi lý do"):
        judging.prize_verify(prize=EssayPrize.objects.get(essay=e2), by=secretary, valid=False)


def test_after_publication_a_quiz_prize_changes_only_by_an_amendment(week, client):
    round, (first, second, third) = week
    secretary = staff_user(Role.SECRETARIAT)
    with pytest.raises(QuizError, match="chưa công bố"):
        prize_amend(prize=Prize.objects.get(user=first), by=secretary, valid=False, reason="Quá sớm")
    for prize in Prize.objects.filter(round=round):
        prize_verify(prize=prize, by=secretary, valid=True, note="Đã gọi đơn vị")
    round_publish_results(round=round, by=staff_user(Role.ORGANIZER))
    published = Prize.objects.get(user=first)

    with pytest.raises(QuizError, match="sửa kết quả đã công bố"):
        prize_verify(prize=published, by=secretary, valid=False, note="Phát hiện sau")
    with pytest.raises(QuizError, match="Cần ghi lý do"):
        prize_amend(prize=published, by=secretary, valid=False, reason="")
    client.force_login(secretary)
    client.post(f"/reports/prizes/{published.pk}/amend/", {"valid": "0", "reason": "Thi hộ, đơn vị xác nhận"})

    published.refresh_from_db()
    assert published.status == PrizeStatus.INVALID
    [stamp] = published.amendments
    assert (stamp["by"], stamp["reason"], stamp["from"]["status"], stamp["to"]["status"]) == (
        secretary.pk, "Thi hộ, đơn vị xác nhận", "verified", "invalid",
    )  # fmt: skip
    moved = Prize.objects.get(user=second)
    assert (moved.tier, moved.status, moved.amendments[0]["reason"]) == (PrizeTier.FIRST, "verified", "Thi hộ, đơn vị xác nhận")
    joined = Prize.objects.get(user=third)
    assert (joined.tier, joined.status) == (PrizeTier.SECOND, PrizeStatus.DRAFT)
    with pytest.raises(QuizError, match="chưa được xác minh"):
        prize_amend(prize=joined, by=secretary, valid=True, reason="Đi tắt")  # a newcomer takes a verdict
    prize_verify(prize=joined, by=secretary, valid=True, note="Đã gọi đơn vị")  # a newcomer is checked as usual
    rows = selectors.unit_table(contest=round.contest)
    assert sum(r.prize_total for r in rows) == Prize.objects.valid().count() == 2
    page = client.get(f"/reports/rounds/{round.pk}/winners/").content.decode()
    assert "Thi hộ, đơn vị xác nhận" in page and "Khôi phục giải" in page


def test_after_publication_an_essay_prize_changes_only_by_an_amendment():
    final, (e1, e2, e3) = _essay_final()
    judging.prizes_award(round=final, plan=[(PrizeTier.FIRST, 1), (PrizeTier.SECOND, 1)])
    secretary = staff_user(Role.SECRETARIAT)
    for prize in EssayPrize.objects.all():
        judging.prize_verify(prize=prize, by=secretary, valid=True)
    judging.prizes_publish(round=final)

    with pytest.raises(EssayError, match="sửa kết quả đã công bố"):
        judging.prize_verify(prize=EssayPrize.objects.get(essay=e1), by=secretary, valid=False, note="x")
    judging.prize_amend(prize=EssayPrize.objects.get(essay=e1), by=secretary, valid=False, reason="Sao chép bài khác")

    e1.refresh_from_db()
    assert e1.published_at is None  # off the public site
    joined = EssayPrize.objects.get(essay=e3)
    assert (joined.tier, joined.status) == (PrizeTier.SECOND, PrizeStatus.DRAFT)
    judging.prize_verify(prize=joined, by=secretary, valid=True)
    e3.refresh_from_db()
    assert e3.published_at is not None
    assert EssayPrize.objects.get(essay=e1).amendments[0]["reason"] == "Sao chép bài khác"


def test_the_services_refuse_what_allowed_actions_does_not_offer(week, client):
    round, (first, second, third) = week
    secretary = staff_user(Role.SECRETARIAT)
    prize_verify(prize=Prize.objects.get(user=first), by=secretary, valid=False, note="Mượn tài khoản")
    found = Prize.objects.get(user=first)
    assert prizes.allowed_actions(found, published=False) == prizes.PrizeActions()
    with pytest.raises(QuizError, match="không hợp lệ và đã chuyển"):
        prize_verify(prize=found, by=secretary, valid=True)  # its tier went to the next contestant
    client.force_login(secretary)
    page = client.get(f"/reports/rounds/{round.pk}/winners/").content.decode()
    assert page.count('action="/reports/prizes/') == 2  # the two valid prizes have a form, the not-valid one none
    with pytest.raises(QuizError, match="chưa công bố"):
        prize_amend(prize=found, by=secretary, valid=True, reason="Sớm")
    with pytest.raises(QuizError, match="chưa xác minh hết"):
        round_publish_results(round=round, by=staff_user(Role.ORGANIZER))
    for prize in Prize.objects.filter(round=round).valid():
        prize_verify(prize=prize, by=secretary, valid=True)
    assert prizes.fully_verified(Prize.objects.filter(round=round))
    round_publish_results(round=round, by=staff_user(Role.ORGANIZER))
    winner = Prize.objects.get(user=second)
    with pytest.raises(QuizError, match="đã ở trạng thái đó"):
        prize_amend(prize=winner, by=secretary, valid=True, reason="Không đổi")


def _case(*users, key):
    return integrity.Case(key=key, kind="fast", description="", user_ids=[u.pk for u in users])


def test_disqualifying_a_drafted_winner_passes_the_prize_and_clearing_restores_it(week):
    round, (first, second, third) = week
    secretary = staff_user(Role.SECRETARIAT)
    contest = round.contest

    integrity.decide(contest=contest, case=_case(first, key="fast:1"), by=secretary, verdict="disqualify", reason="17 giây")
    assert _holders(Prize.objects.filter(round=round), "user") == [(second, PrizeTier.FIRST), (third, PrizeTier.SECOND)]

    integrity.decide(contest=contest, case=_case(first, key="fast:1"), by=secretary, verdict="clear", reason="Đã xác minh")
    assert RoundEntry.objects.get(user=first).disqualified is False
    assert _holders(Prize.objects.filter(round=round), "user") == [(first, PrizeTier.FIRST), (second, PrizeTier.SECOND)]

    # Two decisions cover `first`; clearing one of them does not bring them back.
    integrity.decide(contest=contest, case=_case(first, key="fast:1"), by=secretary, verdict="disqualify", reason="17 giây")
    integrity.decide(
        contest=contest, case=_case(first, third, key="phone:1"), by=secretary, verdict="disqualify", reason="Chung số"
    )
    integrity.decide(contest=contest, case=_case(first, key="fast:1"), by=secretary, verdict="clear", reason="Nhầm")
    assert RoundEntry.objects.get(user=first).disqualified is True
    assert _holders(Prize.objects.filter(round=round), "user") == [(second, PrizeTier.FIRST)]
    with pytest.raises(ValueError):
        integrity.decide(contest=contest, case=_case(first, key="x"), by=secretary, verdict="maybe", reason="?")


def test_exports_add_up_to_the_dashboard(client):
    contest = ContestFactory()
    unit_a, unit_b = OrganizationFactory(), OrganizationFactory()
    week1 = sealed_round(contest=contest, number=1, prizes_first=1, prizes_second=1, prizes_third=1, prizes_consolation=0)
    week2 = sealed_round(contest=contest, number=2)
    practice = sealed_round(contest=contest, number=1, kind=RoundKind.PRACTICE)
    people = [contestant(organization=unit_a if i % 2 else unit_b) for i in range(5)]
    for i, user in enumerate(people):
        _take(week1, user, 20 - i, 30 + i)
        _take(practice, user, 10, 60)
    _take(week1, people[0], 18, 50)
    _take(week2, people[1], 20, 40)
    attempt_start(round=week2, user=people[2])  # open: counted nowhere
    week1 = _close(week1)
    round_prizes_draft(round=week1)
    secretary = staff_user(Role.SECRETARIAT)
    prize_verify(prize=Prize.objects.get(user=people[0]), by=secretary, valid=False, note="Không đúng người")
    integrity.decide(contest=contest, case=_case(people[1], key="fast:x"), by=secretary, verdict="disqualify", reason="Quá nhanh")
    assert IntegrityDecision.objects.count() == 1 and Prize.objects.count() == 4 and Prize.objects.valid().count() == 3

    weeks, total = selectors.weekly_table(contest=contest)
    units = selectors.unit_table(contest=contest)
    client.force_login(secretary)
    dashboard = client.get("/reports/").content.decode()
    assert f'data-total="attempts">{total.attempts}<' in dashboard

    attempts_book = io.BytesIO()
    exports.attempts_workbook(attempts_book, contest=contest)
    book = load_workbook(attempts_book)
    assert book.sheetnames == ["Bài thi", "Thi thử"]
    assert book["Bài thi"].max_row - 1 == total.attempts == sum(u.attempts for u in units) == 7
    assert book["Thi thử"].max_row - 1 == Attempt.objects.filter(round=practice).count() == 5

    winners_book = io.BytesIO()
    winners_workbook(winners_book, contest=contest)
    winner_rows = [r for sheet in load_workbook(winners_book).worksheets for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(winner_rows) == sum(u.prize_total for u in units) == Prize.objects.valid().count()
    assert people[0].full_name not in {r[2] for r in winner_rows} and people[1].full_name not in {r[2] for r in winner_rows}

    units_book = io.BytesIO()
    exports.organizations_workbook(units_book, contest=contest)
    book = load_workbook(units_book)
    unit_rows = list(book["Theo đơn vị"].iter_rows(min_row=2, values_only=True))
    assert sum(r[4] for r in unit_rows) == total.attempts
    assert sum(sum(r[6:10]) for r in unit_rows) == len(winner_rows)
    week_rows = {r[0]: r for r in book["Theo tuần"].iter_rows(min_row=2, values_only=True)}
    assert week_rows["Cộng"][:3] == ("Cộng", total.participants, total.attempts)
    assert week_rows["Số người (mỗi người một lần)"][1] == total.people == 5
