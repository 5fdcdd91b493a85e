"""Extra time for one contestant: granted by an organizer with a reason, recorded, applied by the
one deadline rule (quiz.services.deadlines.attempt_deadline) and accepted by verify_results."""

import datetime

import pytest
import time_machine
from django.db.models import F
from django.utils import timezone

from accounts.enums import Role
from audit.verification import verify_results
from contests.models import Decision
from quiz.errors import QuizError
from quiz.models import Attempt, TimeExtension
from quiz.services.attempts import attempt_save_answer, attempt_start, attempt_submit
from quiz.services.deadlines import time_extension_grant
from quiz.services.rounds import round_extend_window
from tests.factories import contestant, staff_user
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer():
    return staff_user(Role.ORGANIZER)


def test_a_grant_lengthens_every_attempt_of_the_contestant_in_the_round(organizer):
    round = sealed_round()
    user, other = contestant(), contestant()
    time_extension_grant(round=round, user=user, minutes=10, reason="Thí sinh khiếm thị", by=organizer)
    time_extension_grant(round=round, user=user, minutes=5, reason="Thêm 5 phút", by=organizer)

    mine = attempt_start(round=round, user=user)
    theirs = attempt_start(round=round, user=other)

    assert mine.deadline - mine.started_at == datetime.timedelta(minutes=15 + 15)  # 15′ limit + 10′ + 5′
    assert theirs.deadline - theirs.started_at == datetime.timedelta(minutes=15)
    decision = Decision.objects.filter(action=Decision.Action.EXTRA_TIME).order_by("pk").first()
    assert decision.actor == organizer and decision.reason == "Thí sinh khiếm thị"
    assert decision.data == {"contestant": user.get_full_name(), "minutes": 10}
    assert decision.contest_id == round.contest_id


def test_extra_time_never_passes_the_close(organizer):
    round = sealed_round(closes_at=timezone.now() + datetime.timedelta(minutes=20))
    user = contestant()
    time_extension_grant(round=round, user=user, minutes=30, reason="Mất điện", by=organizer)

    attempt = attempt_start(round=round, user=user)

    assert attempt.deadline == round.closes_at


def test_a_grant_reopens_the_time_of_an_attempt_in_progress(organizer):
    """A lost connection: the attempt's time ran out but it is not closed yet; the grant gives
    the contestant the time back and an answer saved then counts."""
    round = sealed_round()
    user = contestant()
    started = timezone.now()
    with time_machine.travel(started, tick=False) as clock:
        attempt = attempt_start(round=round, user=user)
        clock.shift(datetime.timedelta(minutes=16))  # the 15 minutes ran out
        answers = answer_all(attempt, right=20)
        assert attempt_save_answer(attempt_id=attempt.pk, user=user, position=1, index=answers[1]) is False

        time_extension_grant(round=round, user=user, minutes=10, reason="Mất kết nối lúc 9:12", by=organizer)

        attempt.refresh_from_db()
        assert attempt.deadline == started + datetime.timedelta(minutes=25)
        assert attempt_save_answer(attempt_id=attempt.pk, user=user, position=1, index=answers[1]) is True
        result = attempt_submit(attempt=attempt, user=user, answers=answers)
    assert result.score == 20


@pytest.mark.parametrize(
    ("minutes", "reason", "message"),
    [(0, "Lý do", "từ 1 đến 120"), (121, "Lý do", "từ 1 đến 120"), (5, "   ", "Cần ghi lý do")],
)
def test_a_grant_needs_minutes_in_range_and_a_reason(organizer, minutes, reason, message):
    round = sealed_round()
    with pytest.raises(QuizError) as exc:
        time_extension_grant(round=round, user=contestant(), minutes=minutes, reason=reason, by=organizer)
    assert message in exc.value.message
    assert not TimeExtension.objects.exists()
    assert not Decision.objects.filter(action=Decision.Action.EXTRA_TIME).exists()


def test_no_grant_after_the_round_closed(organizer):
    round = sealed_round()
    with time_machine.travel(round.closes_at + datetime.timedelta(minutes=1)), pytest.raises(QuizError, match="đã đóng"):
        time_extension_grant(round=round, user=contestant(), minutes=5, reason="Muộn", by=organizer)


def test_extending_the_window_keeps_the_contestants_extra_time(organizer):
    round = sealed_round(closes_at=timezone.now() + datetime.timedelta(minutes=10))
    user = contestant()
    time_extension_grant(round=round, user=user, minutes=20, reason="Khiếm thị", by=organizer)
    attempt = attempt_start(round=round, user=user)
    assert attempt.deadline == round.closes_at

    round_extend_window(
        round=round, closes_at=round.closes_at + datetime.timedelta(hours=2), by=organizer, reason="Sự cố đường truyền"
    )

    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + datetime.timedelta(minutes=15 + 20)


def test_verify_results_accepts_extra_time_and_names_a_deadline_past_the_rule(organizer):
    round = sealed_round()
    user, other = contestant(), contestant()
    time_extension_grant(round=round, user=user, minutes=10, reason="Khiếm thị", by=organizer)
    for person in (user, other):
        # Both took 20 minutes: within the time of the one with 10 extra minutes only.
        with time_machine.travel(timezone.now() - datetime.timedelta(minutes=20), tick=False) as clock:
            attempt = attempt_start(round=round, user=person)
            clock.shift(datetime.timedelta(minutes=20))
            attempt_submit(attempt=attempt, user=person, answers=answer_all(attempt, right=10))
    assert verify_results(contest_slug=round.contest.slug).messages() == []

    Attempt.objects.filter(user=other).update(deadline=F("started_at") + datetime.timedelta(minutes=16))
    messages = verify_results(contest_slug=round.contest.slug).messages()
    assert any("hạn nộp muộn hơn thời gian làm bài" in m for m in messages)


def test_the_admin_grants_through_the_service(client, organizer):
    round = sealed_round()
    user = contestant()
    client.force_login(organizer)
    url = "/admin/quiz/timeextension/add/"

    response = client.post(url, {"round": round.pk, "user": user.pk, "minutes": 0, "reason": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "Cần ghi lý do" in html
    response = client.post(url, {"round": round.pk, "user": user.pk, "minutes": 10, "reason": "Khiếm thị"})
    assert response.status_code == 302
    extension = TimeExtension.objects.get()
    assert (extension.minutes, extension.granted_by, extension.user) == (10, organizer, user)
    assert Decision.objects.filter(action=Decision.Action.EXTRA_TIME, object_id=extension.pk).exists()
