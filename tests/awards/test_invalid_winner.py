"""A winner found not valid leaves the ranking (docs/decisions.md): the public leaderboard, her own
place and «thứ 9 / N» leave her out with a short public note, the next contestants move up and are
told, the integrity case the verdict answers is decided, verify_results and the results bundle
agree; a second «Xác minh» is refused; «Công bố kết quả» asks for a confirmation and waits on
undecided cases about the winners."""

import pytest
from django.utils import translation

from accounts.enums import Role
from audit import integrity
from audit.models import IntegrityDecision
from audit.verification import verify_results
from awards import publication
from contests.enums import PrizeStatus, PrizeTier
from contests.models import Decision, Notification
from essays import judging
from essays.services import EssayError
from quiz import selectors
from quiz.errors import QuizError
from quiz.models import Prize, Round, RoundEntry
from quiz.receipts import bundle_content
from quiz.services.prizes import prize_amend, prize_verify, round_publish_results
from tests.awards.test_prize_lifecycle import _essay_final, _take, week  # noqa: F401
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


def _tiers(round):
    return [(p.user_id, p.tier, p.rank) for p in Prize.objects.filter(round=round).valid().order_by("rank")]


def _verify_all(round, secretary):
    for prize in Prize.objects.filter(round=round, status=PrizeStatus.DRAFT):
        prize_verify(prize=prize, by=secretary, valid=True)


def _problems(round):
    """verify_results' differences, but the seal's: the `week` fixture closes its round by moving
    `closes_at` by hand, which the seal check rightly names."""
    return [m for m in verify_results(contest_slug=round.contest.slug).messages() if "niêm phong:" not in m]


def test_a_winner_found_not_valid_leaves_the_ranking_and_the_next_move_up(week, client):  # noqa: F811
    round, (first, second, third) = week
    secretary = staff_user(Role.SECRETARIAT)
    prize_verify(prize=Prize.objects.get(user=first), by=secretary, valid=False, note="Mượn tài khoản của người khác")

    entry = RoundEntry.objects.get(user=first)
    assert entry.disqualified is True
    # Her place is gone; the others move up a place, not only a tier.
    assert _tiers(round) == [(second.pk, PrizeTier.FIRST, 1), (third.pk, PrizeTier.SECOND, 2)]
    assert selectors.contestant_place(entry=entry, round=round) is None
    assert selectors.contestant_place(entry=RoundEntry.objects.get(user=second), round=round) == 1
    assert selectors.ranked_counts(round_ids=[round.pk]) == {round.pk: 2}
    assert _problems(round) == []

    _verify_all(round, secretary)
    round_publish_results(round=round, by=staff_user(Role.ORGANIZER))
    page = client.get(f"/quiz/rounds/{round.pk}/leaderboard/").content.decode()
    assert first.full_name not in page
    assert page.count("data-removed") == 1 and "giải không hợp lệ" in page
    assert page.index("data-removed") < page.index(second.full_name)  # the note where she would have been
    bundle = bundle_content(round=Round.objects.get(pk=round.pk))
    assert len(bundle["results"]["disqualified"]) == 1 and bundle["results"]["invalid"] == bundle["results"]["disqualified"]

    # Her own page says why, instead of «thứ 1 / 3».
    client.force_login(first)
    mine = client.get("/quiz/my-results/").content.decode()
    assert "thứ 1 /" not in mine and "data-prize-invalid" in mine and "Mượn tài khoản của người khác" in mine
    client.force_login(second)
    assert "Giải Nhất" in client.get("/quiz/my-results/").content.decode()


def test_an_amendment_after_publication_tells_those_who_move_up(week, client):  # noqa: F811
    round, (first, second, third) = week
    secretary, organizer = staff_user(Role.SECRETARIAT), staff_user(Role.ORGANIZER)
    _verify_all(round, secretary)
    round_publish_results(round=round, by=organizer)

    prize_amend(prize=Prize.objects.get(user=first), by=organizer, valid=False, reason="Khiếu nại được chấp nhận")
    assert _tiers(round) == [(second.pk, PrizeTier.FIRST, 1), (third.pk, PrizeTier.SECOND, 2)]
    moved = Prize.objects.get(user=second)
    assert Notification.objects.filter(recipient=second, key=f"prize_won:quiz:{moved.pk}:first").exists()
    # The one who joined the list is a draft: not public and not told until verified.
    joined = Prize.objects.get(user=third)
    assert joined.status == PrizeStatus.DRAFT
    assert set(selectors.valid_prizes_by_user(round=Round.objects.get(pk=round.pk))) == {second.pk}
    assert not Notification.objects.filter(recipient=third, key__startswith="prize_won:").exists()
    prize_verify(prize=joined, by=secretary, valid=True)
    assert set(selectors.valid_prizes_by_user(round=Round.objects.get(pk=round.pk))) == {second.pk, third.pk}
    assert Notification.objects.filter(recipient=third, key=f"prize_won:quiz:{joined.pk}:second").exists()
    assert _problems(round) == []

    # Restoring the prize puts her back in the ranking.
    prize_amend(prize=Prize.objects.get(user=first), by=organizer, valid=True, reason="Xác minh lại: đúng người")
    assert RoundEntry.objects.get(user=first).disqualified is False
    assert _tiers(round)[0] == (first.pk, PrizeTier.FIRST, 1)
    assert _problems(round) == []
    # The one who fell off the list stays ranked, and her page says why her prize went.
    dropped = selectors.prize_outcomes_for_user(user=third, contest=round.contest)[round.pk]
    assert (dropped.valid, dropped.removed, dropped.reason) == (False, False, "Xác minh lại: đúng người")
    assert RoundEntry.objects.get(user=third).disqualified is False


def test_a_second_verification_is_refused_not_written_again(week, client):  # noqa: F811
    round, (first, _second, _third) = week
    client.force_login(staff_user(Role.SECRETARIAT))
    prize = Prize.objects.get(user=first)
    for _i in range(3):
        client.post(f"/reports/prizes/{prize.pk}/verify/", {"valid": "1", "note": "Đơn vị xác nhận"})
    assert Decision.objects.filter(action=Decision.Action.PRIZE_VERIFY, object_id=prize.pk).count() == 1
    page = client.get(f"/reports/rounds/{round.pk}/winners/").content.decode()
    # The verified card is folded below the ones awaiting a verdict and offers only «Không hợp lệ».
    assert page.index("data-verified-group") > page.index(f'data-winner="{_second.email}"')
    verified_card = page[page.index(f'data-winner="{first.email}"') :]
    assert 'name="valid" value="1"' not in verified_card.split("</section>")[0]


def test_not_valid_decides_the_integrity_case_it_answers(week, client):  # noqa: F811
    round, (first, second, _third) = week
    contest = round.contest
    case = next(c for c in integrity.cases(contest=contest) if c.key == f"fast:{first.pk}")
    assert case.decision is None
    client.force_login(staff_user(Role.SECRETARIAT))
    page = client.get(f"/reports/rounds/{round.pk}/winners/").content.decode()
    assert f'value="{case.key}"' in page  # offered beside the verdict
    prize = Prize.objects.get(user=first)
    client.post(f"/reports/prizes/{prize.pk}/verify/", {"valid": "0", "note": "Làm bài 25 giây", "case": case.key})
    decision = IntegrityDecision.objects.get(contest=contest, key=case.key)
    assert decision.verdict == IntegrityDecision.Verdict.DISQUALIFY and "Làm bài 25 giây" in decision.reason
    assert Prize.objects.get(pk=prize.pk).status == PrizeStatus.INVALID
    # Clearing the case later does not put back an entry whose prize was found not valid.
    integrity.decide(contest=contest, case=case, by=staff_user(Role.SECRETARIAT), verdict="clear", reason="Nhầm")
    assert RoundEntry.objects.get(user=first).disqualified is True


def test_publication_asks_for_a_confirmation_and_waits_on_open_cases(week, client):  # noqa: F811
    round, (first, second, _third) = week
    _verify_all(round, staff_user(Role.SECRETARIAT))
    organizer = staff_user(Role.ORGANIZER)
    client.force_login(organizer)

    # The old button no longer publishes: it leads to the confirmation.
    response = client.post(f"/quiz/manage/rounds/{round.pk}/publish/")
    assert response.status_code == 302 and response["Location"] == f"/reports/rounds/{round.pk}/publish/"
    url = f"/reports/rounds/{round.pk}/publish/"
    page = client.get(url).content.decode()
    assert first.full_name in page and second.full_name in page and "data-open-cases" in page
    assert Round.objects.get(pk=round.pk).results_published_at is None

    client.post(url, {"confirm": "1"})  # a fast full score of the first winner is undecided
    assert Round.objects.get(pk=round.pk).results_published_at is None
    with translation.override("vi"), pytest.raises(QuizError, match="trường hợp rà soát chưa quyết định"):
        publication.round_publish(round=round, by=organizer)
    client.post(url, {"override_reason": "Đã xác minh trực tiếp với đơn vị"})  # no confirmation ticked
    assert Round.objects.get(pk=round.pk).results_published_at is None

    client.post(url, {"confirm": "1", "override_reason": "Đã xác minh trực tiếp với đơn vị"})
    assert Round.objects.get(pk=round.pk).results_published_at is not None
    decision = Decision.objects.get(action=Decision.Action.PUBLISH, object_id=round.pk)
    assert decision.reason == "Đã xác minh trực tiếp với đơn vị" and decision.data["override_open_cases"]


def test_publication_without_open_cases_needs_no_reason(week, client):  # noqa: F811
    round, (first, _second, _third) = week
    secretary = staff_user(Role.SECRETARIAT)
    case = next(c for c in integrity.cases(contest=round.contest) if c.key == f"fast:{first.pk}")
    integrity.decide(contest=round.contest, case=case, by=secretary, verdict="clear", reason="Thuộc bài")
    _verify_all(round, secretary)
    client.force_login(staff_user(Role.ORGANIZER))
    client.post(f"/reports/rounds/{round.pk}/publish/", {"confirm": "1"})
    assert Round.objects.get(pk=round.pk).results_published_at is not None


def test_the_essay_prizes_publish_once_after_a_confirmation(client):
    final, ranked = _essay_final()
    secretary = staff_user(Role.SECRETARIAT)
    judging.prizes_award(round=final, plan=[(PrizeTier.FIRST, 1), (PrizeTier.SECOND, 1)])
    first, second = judging.EssayPrizes().prizes(final).order_by("rank")
    judging.prize_verify(prize=first, by=secretary, valid=True)
    client.force_login(secretary)
    page = client.get("/reports/essays/winners/").content.decode()
    # The one awaiting a verdict comes first; the verified one is folded below.
    assert page.index(f'data-essay-prize="{second.essay.code}"') < page.index("data-verified-group")
    assert page.index("data-verified-group") < page.index(f'data-essay-prize="{first.essay.code}"')
    judging.prize_verify(prize=second, by=secretary, valid=True)
    client.force_login(staff_user(Role.ORGANIZER))
    url = f"/reports/essays/rounds/{final.pk}/publish/"
    assert ranked[0].code in client.get(url).content.decode()
    client.post(url, {"confirm": "1"})
    assert judging.EssayPrizes().is_published(final)
    with translation.override("vi"), pytest.raises(EssayError, match="đã được công bố"):
        judging.prizes_publish(round=final, by=secretary)
    assert Decision.objects.filter(action=Decision.Action.PUBLISH, object_id=final.pk).count() == 1
