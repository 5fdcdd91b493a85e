"""«Đóng sớm»: a sealed round closed before its time (a leaked key), with a reason, recorded as a
decision, shown beside the seal on the round's page and reconciled by verify_results. Attempts
in progress end at the new close (quiz.services.deadlines.attempt_deadline)."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from audit.verification import verify_results
from contests.decisions import Action, decision_record
from contests.models import Decision
from quiz.enums import AttemptStatus
from quiz.errors import QuizError, SealedError
from quiz.models import Attempt, Round, RoundWindowChange
from quiz.services.attempts import attempt_save_answer, attempt_start
from quiz.services.deadlines import time_extension_grant
from quiz.services.rounds import round_close_early, round_extend_window
from tests.factories import ContestFactory, contestant, staff_user
from tests.quiz.factories import RoundFactory, answer_all, sealed_round

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def organizer():
    return staff_user(Role.ORGANIZER)


def _seal_history(round) -> list[str]:
    return [m for m in verify_results(contest_slug=round.contest.slug).messages() if "niêm phong:" in m]


def test_closing_now_ends_the_attempts_in_progress_and_records_the_decision(organizer):
    round = sealed_round()
    old_close = round.closes_at
    mine, short = contestant(), contestant()
    now = timezone.now()
    with time_machine.travel(now - 10 * MINUTE, tick=False):
        started_early = attempt_start(round=round, user=short)  # its 15′ end 5′ after the new close
    with time_machine.travel(now, tick=False):
        in_progress = attempt_start(round=round, user=mine)
        change = round_close_early(round=round, by=organizer, reason="  Đáp án bị lộ trên mạng xã hội  ")

    round.refresh_from_db()
    assert round.closes_at == now
    assert (change.old_closes_at, change.new_closes_at, change.reason, change.early) == (
        old_close, now, "Đáp án bị lộ trên mạng xã hội", True,
    )  # fmt: skip
    in_progress.refresh_from_db()
    started_early.refresh_from_db()
    assert in_progress.deadline == now
    assert started_early.deadline == now  # start + 15′ would be 5′ after the new close
    decision = Decision.objects.get(action=Action.WINDOW_CLOSE_EARLY)
    assert decision.actor == organizer and decision.reason == "Đáp án bị lộ trên mạng xã hội"
    assert decision.data["new_closes_at_utc"] == now.astimezone(datetime.UTC).isoformat()
    assert decision.data["old_closes_at_utc"] == old_close.astimezone(datetime.UTC).isoformat()


def test_an_attempt_ending_before_the_new_close_keeps_its_deadline_and_extra_time_is_cut(organizer):
    round = sealed_round()
    quick, slow = contestant(), contestant()
    time_extension_grant(round=round, user=slow, minutes=60, reason="Khiếm thị", by=organizer)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        a = attempt_start(round=round, user=quick)
        b = attempt_start(round=round, user=slow)
        round_close_early(round=round, closes_at=now + 30 * MINUTE, by=organizer, reason="Đáp án bị lộ")

    a.refresh_from_db()
    b.refresh_from_db()
    assert a.deadline == now + 15 * MINUTE  # untouched: its limit ends first
    assert b.deadline == now + 30 * MINUTE  # 15′ + 60′ cut at the new close


def test_after_an_early_close_nobody_starts_and_no_answer_is_saved(organizer):
    round = sealed_round()
    player, late = contestant(), contestant()
    now = timezone.now()
    with time_machine.travel(now, tick=False) as clock:
        attempt = attempt_start(round=round, user=player)
        answers = answer_all(attempt, right=20)
        assert attempt_save_answer(attempt_id=attempt.pk, user=player, position=1, index=answers[1]) is True
        round_close_early(round=round, closes_at=now + MINUTE, by=organizer, reason="Đáp án bị lộ")
        clock.shift(2 * MINUTE)
        assert attempt_save_answer(attempt_id=attempt.pk, user=player, position=2, index=answers[2]) is False
        round.refresh_from_db()
        with pytest.raises(QuizError, match="không mở"):
            attempt_start(round=round, user=late)
    assert Attempt.objects.filter(round=round).count() == 1


@pytest.mark.parametrize(
    ("closes_at", "reason", "message"),
    [
        (None, "   ", "Cần ghi lý do đóng sớm."),
        (-2 * HOUR, "Đáp án bị lộ", "thời điểm đã qua"),
        (7 * 24 * HOUR, "Đáp án bị lộ", "phải trước thời gian đóng hiện tại"),
    ],
)
def test_an_early_close_needs_a_reason_and_a_moment_between_now_and_the_close(organizer, closes_at, reason, message):
    round = sealed_round()
    before = round.closes_at
    with pytest.raises(QuizError) as refused:
        round_close_early(
            round=round, by=organizer, reason=reason, closes_at=None if closes_at is None else timezone.now() + closes_at
        )
    assert message in refused.value.message
    assert Round.objects.get(pk=round.pk).closes_at == before
    assert not RoundWindowChange.objects.exists()
    assert not Decision.objects.filter(action=Action.WINDOW_CLOSE_EARLY).exists()


def test_no_early_close_of_a_draft_a_closed_or_an_unopened_round(organizer):
    draft = RoundFactory()
    with pytest.raises(QuizError, match="chưa được niêm phong"):
        round_close_early(round=draft, by=organizer, reason="Lộ đáp án")
    closed = sealed_round()
    with time_machine.travel(closed.closes_at + MINUTE), pytest.raises(QuizError, match="đã đóng"):
        round_close_early(round=closed, by=organizer, reason="Lộ đáp án")
    opens = timezone.now() + HOUR
    later = sealed_round(opens_at=opens, closes_at=opens + 24 * HOUR)
    with pytest.raises(QuizError, match="thời gian đóng mới phải sau lúc mở"):
        round_close_early(round=later, by=organizer, reason="Lộ đáp án")
    round_close_early(round=later, closes_at=opens + HOUR, by=organizer, reason="Lộ đáp án")  # after the opening: fine
    assert Round.objects.get(pk=later.pk).closes_at == opens + HOUR


def test_the_signal_refuses_a_recorded_close_back_in_time(organizer):
    """An insider writes the record and moves the close into the past (cutting attempts already
    submitted): the Round signal refuses it even with the record."""
    round = sealed_round()
    past = timezone.now() - HOUR
    RoundWindowChange.objects.create(
        round=round, old_closes_at=round.closes_at, new_closes_at=past, reason="x", changed_by=organizer
    )
    round.closes_at = past
    with pytest.raises(SealedError):
        round.save(update_fields=["closes_at"])


def test_verify_results_accepts_an_early_close_after_an_extension(organizer):
    round = sealed_round()
    round_extend_window(round=round, closes_at=round.closes_at + HOUR, by=organizer, reason="Mất điện")
    round_close_early(round=round, closes_at=timezone.now() + HOUR, by=organizer, reason="Đáp án bị lộ")

    assert _seal_history(round) == []


def test_verify_results_names_an_early_close_without_its_decision(organizer):
    round = sealed_round()
    sooner = timezone.now() + HOUR
    RoundWindowChange.objects.create(
        round=round, old_closes_at=round.closes_at, new_closes_at=sooner, reason="x", changed_by=organizer
    )
    Round.objects.filter(pk=round.pk).update(closes_at=sooner)  # the owner's SQL: no signal

    messages = _seal_history(round)

    assert len(messages) == 1 and messages[0].endswith("thời gian đóng đã bị đổi ngoài chức năng gia hạn và đóng sớm.")


def test_verify_results_names_an_early_close_decided_back_in_time(organizer):
    round = sealed_round()
    old, past = round.closes_at, timezone.now() - HOUR
    Round.objects.filter(pk=round.pk).update(closes_at=past)
    decision_record(
        action=Action.WINDOW_CLOSE_EARLY, obj=round, by=organizer, reason="Lộ đáp án",
        data={
            "old_closes_at_utc": old.astimezone(datetime.UTC).isoformat(),
            "new_closes_at_utc": past.astimezone(datetime.UTC).isoformat(),
        },
    )  # fmt: skip

    messages = _seal_history(round)

    assert len(messages) == 1 and "một thời điểm đã qua" in messages[0]


def test_verify_results_names_an_extension_recorded_as_an_early_close(organizer):
    round = sealed_round()
    old, later = round.closes_at, round.closes_at + HOUR
    Round.objects.filter(pk=round.pk).update(closes_at=later)
    decision_record(
        action=Action.WINDOW_CLOSE_EARLY, obj=round, by=organizer, reason="Lộ đáp án",
        data={
            "old_closes_at_utc": old.astimezone(datetime.UTC).isoformat(),
            "new_closes_at_utc": later.astimezone(datetime.UTC).isoformat(),
        },
    )  # fmt: skip

    messages = _seal_history(round)

    assert len(messages) == 1 and "không trước thời gian đóng cũ" in messages[0]


def test_the_round_page_shows_the_early_close_and_its_reason_beside_the_seal(client, organizer):
    round = sealed_round(contest=ContestFactory())
    round_close_early(round=round, closes_at=timezone.now() + HOUR, by=organizer, reason="Đáp án bị lộ <b>lúc 9 giờ</b>")

    html = client.get(reverse("quiz:round", args=[round.pk])).content.decode()

    seal = html[html.index('id="niem-phong"') :]
    assert 'data-window-change="early"' in seal
    assert "Đáp án bị lộ &lt;b&gt;lúc 9 giờ&lt;/b&gt;" in seal
    assert organizer.get_full_name() not in seal


def test_the_admin_closes_early_through_the_service(client, organizer):
    round = sealed_round()
    attempt_start(round=round, user=contestant())
    client.force_login(organizer)
    change_page = client.get(reverse("admin:quiz_round_change", args=[round.pk])).content.decode()
    url = reverse("admin:quiz_round_close_early", args=[round.pk])
    assert url in change_page

    page = client.get(url).content.decode()
    assert 'data-in-progress="1"' in page
    refused = client.post(url, {"reason": "Đáp án bị lộ"})  # not confirmed
    assert refused.status_code == 200 and not RoundWindowChange.objects.exists()
    past = timezone.localtime(timezone.now() - HOUR)
    refused = client.post(
        url,
        {
            "reason": "Đáp án bị lộ",
            "confirm": "on",
            "closes_at_0": past.strftime("%d/%m/%Y"),
            "closes_at_1": past.strftime("%H:%M"),
        },
    )
    assert "thời điểm đã qua" in refused.content.decode() and not RoundWindowChange.objects.exists()

    response = client.post(url, {"reason": "Đáp án bị lộ", "confirm": "on"})

    assert response.status_code == 302
    assert Attempt.objects.get(round=round).status == AttemptStatus.OPEN
    assert Attempt.objects.get(round=round).deadline <= timezone.now()
    assert Decision.objects.filter(action=Action.WINDOW_CLOSE_EARLY, object_id=round.pk).count() == 1


def test_the_close_early_screen_needs_the_seal_permission(client):
    round = sealed_round()
    client.force_login(staff_user(Role.SECRETARIAT))
    response = client.get(reverse("admin:quiz_round_close_early", args=[round.pk]))
    assert response.status_code in (302, 403)
    assert not RoundWindowChange.objects.exists()


def test_the_round_page_costs_the_same_for_one_window_change_or_three(client, organizer):
    def cost(round):
        url = reverse("quiz:round", args=[round.pk])
        client.get(url)  # warm the process caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    one, three = sealed_round(), sealed_round()
    round_close_early(round=one, closes_at=timezone.now() + HOUR, by=organizer, reason="Lộ đáp án")
    round_extend_window(round=three, closes_at=three.closes_at + HOUR, by=organizer, reason="Mất điện")
    round_extend_window(round=three, closes_at=three.closes_at + 2 * HOUR, by=organizer, reason="Mất điện lần hai")
    round_close_early(round=three, closes_at=timezone.now() + HOUR, by=organizer, reason="Lộ đáp án")

    assert cost(one) == cost(three)


def test_a_start_that_read_the_round_before_the_early_close_is_brought_under_it_by_the_beat(organizer):
    """The one path to an open attempt past its round's close: a start whose request read the round
    just before the early close committed (its stale copy says the window is open). The beat's
    first step gives it the rule's deadline again, before anything is finalized or counted."""
    from quiz.services.attempts import finalize_expired_attempts

    round = sealed_round()
    stale_copy = Round.objects.get(pk=round.pk)
    late = contestant()
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        round_close_early(round=round, by=organizer, reason="Đáp án bị lộ trên mạng xã hội")
        straggler = attempt_start(round=stale_copy, user=late)  # the request that read the round before
    assert straggler.deadline > now  # what the race leaves behind

    with time_machine.travel(now + 30 * datetime.timedelta(seconds=1), tick=False):
        finalize_expired_attempts()

    straggler.refresh_from_db()
    assert straggler.deadline == now
    with time_machine.travel(now + 2 * MINUTE, tick=False):
        finalize_expired_attempts()
    straggler.refresh_from_db()
    assert straggler.status != AttemptStatus.OPEN
    report = verify_results(contest_slug=round.contest.slug)
    assert report.ok, "\n".join(report.lines()[:20])
