"""Sealing freezes the rules of a round; the closing time only moves later, with a recorded reason;
weekly rounds of a contest never overlap; sealing from the admin asks for confirmation."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.enums import Role
from contests.models import Contest
from quiz import selectors
from quiz.enums import AttemptStatus, RankingRule, ReviewPolicy, RoundKind
from quiz.errors import QuizError, SealedError
from quiz.models import Attempt, Round, RoundWindowChange
from quiz.round_fields import ROUND_FROZEN_FIELDS
from quiz.services.attempts import attempt_start
from quiz.services.pool import round_pool_add
from quiz.services.rounds import round_extend_window
from tests.factories import ContestFactory, contestant, staff_user
from tests.quiz.factories import QuestionFactory, RoundFactory, sealed_round

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def _changed_value(round: Round, name: str):
    return {
        "contest": lambda: ContestFactory(),
        "kind": lambda: RoundKind.PRACTICE,
        "number": lambda: round.number + 50,
        "name": lambda: round.name + " (đổi tên)",
        "opens_at": lambda: round.opens_at - HOUR,
        "questions_per_attempt": lambda: round.questions_per_attempt - 1,
        "time_limit_seconds": lambda: round.time_limit_seconds + 60,
        "max_attempts": lambda: 3,
        "attempts_per_day": lambda: 5,
        "min_start_interval_minutes": lambda: 10,
        "review_policy": lambda: ReviewPolicy.IMMEDIATE,
        "ranking_rule": lambda: RankingRule.SCORE_PREDICTION_TIME,
        "tiebreaker_enabled": lambda: not round.tiebreaker_enabled,
        "prizes_first": lambda: round.prizes_first + 1,
        "prizes_second": lambda: round.prizes_second + 1,
        "prizes_third": lambda: round.prizes_third + 1,
        "prizes_consolation": lambda: round.prizes_consolation + 1,
        "prize_min_score": lambda: round.prize_min_score + 5,
    }[name]()


@pytest.mark.parametrize("name", ROUND_FROZEN_FIELDS)
def test_sealed_round_refuses_a_change_of_each_frozen_field(name):
    round = sealed_round(pool_size=20, fields=2)
    before = Round.objects.filter(pk=round.pk).values(name).get()
    setattr(round, name, _changed_value(round, name))

    with pytest.raises(SealedError) as refused:
        round.save()

    assert "niêm phong" in refused.value.message
    assert Round.objects.filter(pk=round.pk).values(name).get() == before


@pytest.mark.parametrize("name", ROUND_FROZEN_FIELDS)
def test_draft_round_changes_freely(name):
    round = RoundFactory(kind=RoundKind.PRACTICE if name != "kind" else RoundKind.WEEKLY)
    value = _changed_value(round, name)
    if name == "kind":
        value = RoundKind.PRACTICE
    setattr(round, name, value)
    round.save()
    round.refresh_from_db()
    assert getattr(round, name) == value


def test_sealed_round_keeps_its_seal_and_takes_harmless_changes():
    round = sealed_round(pool_size=20, fields=2)
    round.full_score_actual = 3
    round.save()
    assert Round.objects.get(pk=round.pk).full_score_actual == 3

    # The key file names the round: the name is frozen with it.
    name = round.name
    round.name = "Tuần thi thứ nhất (đổi tên)"
    with pytest.raises(SealedError):
        round.save()
    round.refresh_from_db()
    assert round.name == name

    round.approved_at = None
    with pytest.raises(SealedError):
        round.save()
    round.refresh_from_db()
    round.approved_by = staff_user(Role.ORGANIZER)
    with pytest.raises(SealedError):
        round.save(update_fields=["approved_by"])


def test_sealed_round_refuses_a_new_closing_time_without_the_extension_record():
    round = sealed_round(pool_size=20, fields=2)
    original = round.closes_at
    for moved in (original + DAY, original - HOUR):
        round.closes_at = moved
        with pytest.raises(SealedError):
            round.save(update_fields=["closes_at"])
    assert Round.objects.get(pk=round.pk).closes_at == original


def test_extend_window_records_who_when_old_new_why_and_gives_cut_attempts_their_time():
    organizer = staff_user(Role.ORGANIZER)
    round = sealed_round(pool_size=20, fields=2, closes_at=timezone.now() + datetime.timedelta(minutes=5))
    cut = attempt_start(round=round, user=contestant())
    assert cut.deadline == round.closes_at
    new_close = round.closes_at + DAY

    change = round_extend_window(round=round, closes_at=new_close, by=organizer, reason="  Sự cố mạng  ")

    round.refresh_from_db()
    assert round.closes_at == new_close
    assert (change.old_closes_at, change.new_closes_at, change.reason, change.changed_by) == (
        new_close - DAY,
        new_close,
        "Sự cố mạng",
        organizer,
    )
    cut.refresh_from_db()
    assert cut.deadline == cut.started_at + datetime.timedelta(seconds=round.time_limit_seconds)
    assert cut.status == AttemptStatus.OPEN


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("earlier", "phải sau thời gian đóng hiện tại"),
        ("same", "phải sau thời gian đóng hiện tại"),
        ("no_reason", "Cần ghi lý do gia hạn"),
        ("draft", "chưa được niêm phong"),
        ("closed", "đã đóng"),
        ("published", "đã công bố"),
        ("overlap", "trùng với «Tuần thi thứ 9»"),
    ],
)
def test_extend_window_refusals(case, message):
    organizer = staff_user(Role.ORGANIZER)
    round = RoundFactory() if case == "draft" else sealed_round(pool_size=20, fields=2)
    closes_at, reason = round.closes_at + DAY, "Sự cố đường truyền"
    if case == "earlier":
        closes_at = round.closes_at - HOUR
    elif case == "same":
        closes_at = round.closes_at
    elif case == "no_reason":
        reason = "   "
    elif case == "closed":
        Round.objects.filter(pk=round.pk).update(closes_at=timezone.now() - HOUR, opens_at=timezone.now() - 2 * DAY)
        closes_at = timezone.now() + DAY
    elif case == "published":
        Round.objects.filter(pk=round.pk).update(results_published_at=timezone.now())
    elif case == "overlap":
        RoundFactory(contest=round.contest, number=9, opens_at=round.closes_at + HOUR, closes_at=round.closes_at + 7 * DAY)
    before = Round.objects.filter(pk=round.pk).values("closes_at").get()

    with pytest.raises(QuizError) as refused:
        round_extend_window(round=round, closes_at=closes_at, by=organizer, reason=reason)

    assert message in refused.value.message
    assert Round.objects.filter(pk=round.pk).values("closes_at").get() == before
    assert RoundWindowChange.objects.count() == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.integers(min_value=-20, max_value=20),
    length=st.integers(min_value=1, max_value=15),
    kind=st.sampled_from([RoundKind.WEEKLY, RoundKind.PRACTICE]),
)
def test_round_overlapping_is_interval_overlap_among_weekly_rounds(start, length, kind):
    base = timezone.now().replace(microsecond=0)
    contest = Contest.objects.first() or ContestFactory()
    existing = Round.objects.filter(contest=contest, number=1).first() or RoundFactory(
        contest=contest, number=1, opens_at=base, closes_at=base + 7 * DAY
    )
    probe = Round(
        contest=contest, kind=kind, number=2, opens_at=existing.opens_at + start * DAY,
        closes_at=existing.opens_at + (start + length) * DAY,
    )  # fmt: skip

    other = selectors.round_overlapping(round=probe)

    overlaps = probe.opens_at < existing.closes_at and existing.opens_at < probe.closes_at
    assert (other == existing) == (overlaps and kind == RoundKind.WEEKLY)
    assert bool(selectors.round_window_problems(round=probe)) == (overlaps and kind == RoundKind.WEEKLY)


# --- The admin ------------------------------------------------------------------------------------


@pytest.fixture
def organizer_client(client):
    client.force_login(staff_user(Role.ORGANIZER))
    return client


def _round_form(round: Round, **changes) -> dict:
    local = {name: timezone.localtime(getattr(round, name)) for name in ("opens_at", "closes_at")}
    data = {
        "contest": round.contest_id, "kind": round.kind, "number": round.number, "name": round.name,
        "opens_at_0": local["opens_at"].strftime("%d/%m/%Y"), "opens_at_1": local["opens_at"].strftime("%H:%M:%S"),
        "closes_at_0": local["closes_at"].strftime("%d/%m/%Y"), "closes_at_1": local["closes_at"].strftime("%H:%M:%S"),
        "questions_per_attempt": round.questions_per_attempt, "time_limit_seconds": round.time_limit_seconds,
        "max_attempts": "", "review_policy": round.review_policy, "ranking_rule": round.ranking_rule,
        "prizes_first": 1, "prizes_second": 2, "prizes_third": 3, "prizes_consolation": 10, "prize_min_score": 0,
    }  # fmt: skip
    for prefix in ("blueprint", "pool", "window_changes"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    data |= changes
    return data


def test_admin_refuses_a_prize_minimum_above_the_questions_per_attempt(organizer_client):
    round = RoundFactory(questions_per_attempt=10)
    url = reverse("admin:quiz_round_change", args=[round.pk])

    refused = organizer_client.post(url, _round_form(round, prize_min_score=11))
    accepted = organizer_client.post(url, _round_form(round, prize_min_score=10))

    assert refused.status_code == 200
    assert "Điểm tối thiểu để nhận giải (11) lớn hơn số câu mỗi bài thi (10)" in refused.content.decode()
    assert accepted.status_code == 302
    assert Round.objects.get(pk=round.pk).prize_min_score == 10


def test_admin_refuses_a_weekly_round_overlapping_another_and_names_it(organizer_client):
    now = timezone.now().replace(microsecond=0)
    week1 = RoundFactory(number=1, name="Tuần thi thứ nhất", opens_at=now - DAY, closes_at=now + 6 * DAY)
    draft = Round(contest=week1.contest, kind=RoundKind.WEEKLY, number=2, name="Tuần thi thứ hai")
    draft.opens_at, draft.closes_at = week1.closes_at - DAY, week1.closes_at + 6 * DAY

    response = organizer_client.post("/admin/quiz/round/add/", _round_form(draft))

    assert response.status_code == 200
    assert "trùng với «Tuần thi thứ nhất»" in response.content.decode()
    assert not Round.objects.filter(number=2).exists()

    draft.kind = RoundKind.PRACTICE
    response = organizer_client.post("/admin/quiz/round/add/", _round_form(draft))
    assert response.status_code == 302
    draft.kind, draft.number = RoundKind.WEEKLY, 3
    draft.opens_at = week1.closes_at
    response = organizer_client.post("/admin/quiz/round/add/", _round_form(draft))
    assert response.status_code == 302
    assert Round.objects.filter(contest=week1.contest).count() == 3


def test_admin_sealed_round_form_ignores_frozen_fields_and_offers_extension(organizer_client):
    round = sealed_round(pool_size=20, fields=2)
    name = round.name
    page = organizer_client.get(f"/admin/quiz/round/{round.pk}/change/").content.decode()
    assert 'name="time_limit_seconds"' not in page
    assert 'name="closes_at_0"' not in page
    assert f"/admin/quiz/round/{round.pk}/extend/" in page

    data = _round_form(round, time_limit_seconds=60, max_attempts=1, name="Tuần thi thứ nhất")
    response = organizer_client.post(f"/admin/quiz/round/{round.pk}/change/", data)

    assert response.status_code == 302
    round.refresh_from_db()
    # The name is frozen too: the key file names the round (quiz.round_fields).
    assert (round.time_limit_seconds, round.max_attempts, round.name) == (900, None, name)


def test_admin_extend_page_extends_with_reason_and_reports_bad_input(organizer_client):
    round = sealed_round(pool_size=20, fields=2)
    new_close = timezone.localtime(round.closes_at + DAY).replace(microsecond=0)
    url = f"/admin/quiz/round/{round.pk}/extend/"

    earlier = timezone.localtime(round.closes_at - HOUR)
    refused = organizer_client.post(
        url, {"closes_at_0": earlier.strftime("%d/%m/%Y"), "closes_at_1": earlier.strftime("%H:%M:%S"), "reason": "x"}
    )
    assert refused.status_code == 200
    assert "phải sau thời gian đóng hiện tại" in refused.content.decode()
    missing = organizer_client.post(url, {"closes_at_0": "", "closes_at_1": "", "reason": ""})
    assert missing.status_code == 200

    done = organizer_client.post(
        url,
        {"closes_at_0": new_close.strftime("%d/%m/%Y"), "closes_at_1": new_close.strftime("%H:%M:%S"), "reason": "Mất điện"},
    )
    assert done.status_code == 302
    change = RoundWindowChange.objects.get()
    assert (change.new_closes_at, change.reason) == (new_close, "Mất điện")
    page = organizer_client.get(f"/admin/quiz/round/{round.pk}/change/").content.decode()
    assert "Mất điện" in page


def test_admin_seal_action_asks_for_confirmation_then_seals_as_the_organizer(client):
    organizer = staff_user(Role.ORGANIZER)
    client.force_login(organizer)
    round = RoundFactory(questions_per_attempt=2)
    round_pool_add(round=round, question_ids=[QuestionFactory().pk, QuestionFactory().pk])
    post = {"action": "approve_and_seal", "_selected_action": [round.pk]}

    confirm = client.post("/admin/quiz/round/", post)

    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert round.name in html and "thời gian làm bài" in html.lower() and "Sẵn sàng niêm phong" in html
    assert Round.objects.get(pk=round.pk).approved_at is None

    done = client.post("/admin/quiz/round/", {**post, "post": "yes"})

    assert done.status_code == 302
    round.refresh_from_db()
    assert round.approved_by == organizer and round.is_sealed


def test_secretariat_cannot_seal_or_download_answers_from_the_admin(client, secretariat):
    draft = RoundFactory(questions_per_attempt=1)
    round_pool_add(round=draft, question_ids=[QuestionFactory().pk])
    sealed = sealed_round(pool_size=20, fields=2)
    client.force_login(secretariat)

    seal = client.post("/admin/quiz/round/", {"action": "approve_and_seal", "_selected_action": [draft.pk], "post": "yes"})
    key = client.post("/admin/quiz/round/", {"action": "export_answer_key", "_selected_action": [sealed.pk]})
    bank = client.get("/admin/quiz/question/export.xlsx")
    question = client.get(f"/admin/quiz/question/{sealed.pool.first().question_id}/change/")

    assert Round.objects.get(pk=draft.pk).approved_at is None
    assert "Content-Disposition" not in key
    assert seal.status_code < 500
    assert bank.status_code == 403
    assert question.status_code == 200
    assert "is_correct" not in question.content.decode()


def test_sealed_round_cannot_be_deleted_from_the_admin(organizer_client):
    round = sealed_round(pool_size=20, fields=2)
    response = organizer_client.post(f"/admin/quiz/round/{round.pk}/delete/", {"post": "yes"})
    bulk_delete = {"action": "delete_selected", "_selected_action": [round.pk], "post": "yes"}
    bulk = organizer_client.post("/admin/quiz/round/", bulk_delete)
    assert response.status_code == 403
    assert bulk.status_code in (200, 403)  # refused, or the page that says the seal protects it
    assert Round.objects.filter(pk=round.pk).exists()
    assert Attempt.objects.count() == 0
