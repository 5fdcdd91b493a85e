import pytest

from accounts.enums import Role
from accounts.models import Profile
from audit import integrity
from quiz import selectors as quiz_selectors
from quiz.models import Attempt, RoundEntry
from tests.factories import staff_user
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def test_cases_find_fast_full_scores_and_shared_phones(known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    fast = Attempt.objects.filter(score=20).order_by("pk").first()
    Attempt.objects.filter(pk=fast.pk).update(duration_ms=12_000)
    first, second = Profile.objects.order_by("pk")[:2]
    Profile.objects.filter(pk=second.pk).update(phone=first.phone)

    found = integrity.cases(contest=contest)

    fast_cases = [c for c in found if c.kind == "fast"]
    assert sorted(c.user_ids[0] for c in fast_cases) == sorted({fast.user_id, Attempt.objects.get(duration_ms=25_000).user_id})
    assert all("dưới 30 giây" in c.description for c in fast_cases)
    phones = [c for c in found if c.kind == "phone"]
    assert [sorted(c.user_ids) for c in phones] == [sorted([first.user_id, second.user_id])]


def test_disqualify_is_recorded_and_removes_from_the_ranking(client, known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    fast = Attempt.objects.filter(score=20).order_by("pk").first()
    Attempt.objects.filter(pk=fast.pk).update(duration_ms=12_000)
    key = f"fast:{fast.user_id}"
    secretary = staff_user(Role.SECRETARIAT)
    client.force_login(secretary)

    refused = client.post("/reports/integrity/", {"key": key, "verdict": "disqualify", "reason": ""}, follow=True)
    assert "Cần ghi lý do" in refused.content.decode()
    client.post("/reports/integrity/", {"key": key, "verdict": "disqualify", "reason": "17 giây cho 20 câu"})

    assert set(RoundEntry.objects.filter(user_id=fast.user_id).values_list("disqualified", flat=True)) == {True}
    assert all(e.user_id != fast.user_id for e in quiz_selectors.leaderboard(round=fast.round))
    page = client.get("/reports/integrity/").content.decode()
    assert "17 giây cho 20 câu" in page and secretary.full_name in page


def test_organizers_can_read_but_not_decide(client, known_contest):  # noqa: F811
    client.force_login(staff_user(Role.ORGANIZER))
    page = client.get("/reports/integrity/")
    assert page.status_code == 200
    assert 'name="verdict"' not in page.content.decode()  # no form the organizer would be refused
    assert client.post("/reports/integrity/", {"key": "x", "verdict": "clear", "reason": "x"}).status_code == 403
    client.force_login(staff_user(Role.SECRETARIAT))
    assert 'name="verdict"' in client.get("/reports/integrity/").content.decode()


def test_a_full_score_is_every_question_of_the_round_not_twenty():
    """A 25-question round: 25 of 25 in a few seconds is a fast full score; 20 of 25 is not."""
    from quiz.services.attempts import attempt_start, attempt_submit
    from tests.factories import contestant
    from tests.quiz.factories import answer_all, sealed_round

    round = sealed_round(questions_per_attempt=25)
    full, twenty = contestant(), contestant()
    for user, right in ((full, 25), (twenty, 20)):
        attempt = attempt_start(round=round, user=user)
        attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=right))

    assert list(Attempt.objects.filter(round=round).full_score().values_list("user_id", "score")) == [(full.pk, 25)]
    fast = [case.user_ids for case in integrity.cases(contest=round.contest) if case.kind == "fast"]
    assert fast == [[full.pk]]
    details = integrity.with_details(contest=round.contest, cases=integrity.cases(contest=round.contest))
    assert [week.round_id for case in details if case.kind == "fast" for week in case.weeks] == [round.pk]
