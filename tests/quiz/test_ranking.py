"""The ranking rule lives in quiz.ranking: the place shown to a contestant is their position on
the leaderboard, whatever the entries and whichever rule."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.enums import Role
from accounts.roles import is_staff
from quiz import ranking, selectors
from quiz.enums import AttemptStatus, RankingRule
from quiz.models import Attempt, Prize, Round, RoundEntry
from quiz.services.attempts import attempt_start, attempt_submit
from quiz.services.prizes import round_prizes_draft
from tests.factories import OrganizationFactory, UserFactory, contestant, staff_user
from tests.quiz.factories import RoundFactory, answer_all, sealed_round

pytestmark = pytest.mark.django_db

BASE = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)

# Few distinct values, so that ties on every part of the key are common.
entry_strategy = st.fixed_dictionaries(
    {
        "score": st.integers(min_value=18, max_value=20),
        "duration": st.sampled_from([20_000, 30_000, 45_000]),
        "finished": st.integers(min_value=0, max_value=2),
        "prediction": st.one_of(st.none(), st.integers(min_value=0, max_value=6)),
        "disqualified": st.sampled_from([False, False, False, True]),
    }
)


@pytest.fixture
def arena():
    round = RoundFactory(
        closes_at=timezone.now() - datetime.timedelta(hours=1), opens_at=timezone.now() - datetime.timedelta(days=7)
    )
    unit = OrganizationFactory()
    users = [UserFactory() for _ in range(10)]
    return round, unit, users


@settings(max_examples=100, database=None, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(entry_strategy, min_size=1, max_size=10),
    rule=st.sampled_from(RankingRule.values),
    frozen=st.one_of(st.none(), st.integers(min_value=0, max_value=6)),
)
def test_place_shown_equals_position_on_the_leaderboard(arena, rows, rule, frozen):
    round, unit, users = arena
    with transaction.atomic():
        Round.objects.filter(pk=round.pk).update(ranking_rule=rule, full_score_actual=frozen)
        round.refresh_from_db()
        for user, row in zip(users, rows):
            finished = BASE + datetime.timedelta(seconds=row["finished"])
            attempt = Attempt.objects.create(
                round=round, user=user, organization=unit, status=AttemptStatus.SUBMITTED, started_at=BASE,
                deadline=BASE + datetime.timedelta(minutes=15), finished_at=finished, score=row["score"], question_count=20,
                duration_ms=row["duration"], prediction=row["prediction"],
            )  # fmt: skip
            RoundEntry.objects.create(
                round=round, user=user, best_attempt=attempt, score=row["score"], duration_ms=row["duration"],
                finished_at=finished, prediction=row["prediction"], attempts_count=1, disqualified=row["disqualified"],
            )  # fmt: skip

        board = selectors.leaderboard(round=round, limit=100)
        entries = {e.user_id: e for e in RoundEntry.objects.filter(round=round)}

        # Every ranked contestant is shown their position on the board; nobody shares a place.
        for position, row in enumerate(board, start=1):
            assert selectors.contestant_place(entry=entries[row.user_id], round=round) == position
        assert len(board) == sum(1 for e in entries.values() if not e.disqualified)
        for entry in entries.values():
            if entry.disqualified:
                assert selectors.contestant_place(entry=entry, round=round) is None
        # The SQL order is the Python key's order.
        actual = ranking.full_score_count(round=round)
        by_key = sorted(
            (e for e in entries.values() if not e.disqualified), key=lambda e: ranking.entry_key(e, rule=rule, actual=actual)
        )
        assert [e.user_id for e in by_key] == [e.user_id for e in board]
        transaction.set_rollback(True)


def _take(round, user, *, right, seconds, prediction=None):
    """An attempt started `seconds` ago and submitted now: the clock travels so the time taken is
    known, and the entry keeps pace through the services."""
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(seconds=seconds), tick=False) as clock:
        attempt = attempt_start(round=round, user=user)
        clock.move_to(now)
        answers = answer_all(attempt, right=right)
        return attempt_submit(attempt=attempt, user=user, answers=answers, prediction=prediction)


def _close(round, clock):
    """The round closes: the clock (time-machine's fixture) moves past its closing time."""
    clock.move_to(round.closes_at + datetime.timedelta(seconds=1), tick=False)
    return Round.objects.get(pk=round.pk)


def test_pages_show_the_leaderboard_place_under_the_prediction_rule(client, time_machine):
    round = sealed_round(tiebreaker_enabled=True, ranking_rule=RankingRule.SCORE_PREDICTION_TIME)
    quick, close_guess = contestant(), contestant()
    _take(round, quick, right=20, seconds=20, prediction=9)  # faster, but guessed far from 2
    attempt = _take(round, close_guess, right=20, seconds=60, prediction=2)
    round = _close(round, time_machine)

    client.force_login(staff_user(Role.ORGANIZER))
    board = client.get(f"/quiz/rounds/{round.pk}/leaderboard/").content.decode()
    assert board.index(f'data-entry="{close_guess.pk}"') < board.index(f'data-entry="{quick.pk}"')
    client.force_login(close_guess)
    result = client.get(f"/quiz/attempts/{attempt.pk}/result/").content.decode()
    assert "đứng <strong>thứ 1 / 2</strong>" in result
    assert "Xếp hạng: thứ 1 / 2." in client.get(f"/quiz/rounds/{round.pk}/").content.decode()
    assert "<span data-place>thứ 1 / 2</span>" in client.get("/quiz/my-results/").content.decode()


def test_equal_results_get_distinct_places_by_finish_then_attempt(time_machine):
    round = sealed_round()
    users = [contestant() for _ in range(3)]
    for user in users:
        _take(round, user, right=20, seconds=30)
    stamp = timezone.now() - datetime.timedelta(minutes=5)
    RoundEntry.objects.filter(round=round).update(finished_at=stamp)
    round = _close(round, time_machine)

    board = selectors.leaderboard(round=round)
    places = [selectors.contestant_place(entry=e, round=round) for e in RoundEntry.objects.filter(round=round)]

    assert sorted(places) == [1, 2, 3]
    assert [e.best_attempt_id for e in board] == sorted(e.best_attempt_id for e in board)


def test_best_attempt_is_picked_again_against_the_final_count_when_prizes_are_drafted(time_machine):
    round = sealed_round(
        tiebreaker_enabled=True, ranking_rule=RankingRule.SCORE_PREDICTION_TIME, prizes_first=1, prizes_second=0,
        prizes_third=0, prizes_consolation=0,
    )  # fmt: skip
    user, others = contestant(), [contestant(), contestant()]
    guess_three = _take(round, user, right=20, seconds=40, prediction=3)
    guess_one = _take(round, user, right=20, seconds=40, prediction=1)  # closer while only 1 full score
    assert RoundEntry.objects.get(user=user).best_attempt_id == guess_one.pk
    for other in others:
        _take(round, other, right=20, seconds=50, prediction=0)
    round = _close(round, time_machine)

    round_prizes_draft(round=round)

    round.refresh_from_db()
    entry = RoundEntry.objects.get(user=user)
    assert round.full_score_actual == 3
    assert (entry.best_attempt_id, entry.prediction, entry.attempts_count) == (guess_three.pk, 3, 2)
    assert Prize.objects.get().user == user
    assert (
        selectors.contestant_place(entry=entry, round=round)
        == 1
        == [e.user for e in selectors.leaderboard(round=round)].index(user) + 1
    )


def test_no_place_is_shown_to_contestants_while_the_round_is_open(client, time_machine):
    round = sealed_round()
    user = contestant()
    attempt = _take(round, user, right=20, seconds=30)
    _take(round, contestant(), right=20, seconds=40)
    client.force_login(user)

    pages = [f"/quiz/attempts/{attempt.pk}/result/", f"/quiz/rounds/{round.pk}/", "/quiz/my-results/"]
    for url in pages:
        html = client.get(url).content.decode()
        assert "data-place" not in html, url
        assert "Thứ hạng được công bố khi tuần thi kết thúc." in html, url
    assert "20/20" in client.get(pages[0]).content.decode()  # the best score and time stay
    board = client.get(f"/quiz/rounds/{round.pk}/leaderboard/").content.decode()
    assert "data-entry" not in board and "chưa được công bố" in board

    client.force_login(staff_user(Role.SECRETARIAT))
    live = client.get(f"/quiz/rounds/{round.pk}/leaderboard/").content.decode()
    assert live.count("data-entry") == 2

    _close(round, time_machine)
    client.force_login(user)
    for url in pages:
        assert "data-place" in client.get(url).content.decode(), url


def test_one_definition_of_staff_and_prizes_skip_it(time_machine):
    organizer, judge, admin_account = staff_user(Role.ORGANIZER), staff_user(Role.JUDGE), UserFactory(is_staff=True)
    assert [is_staff(u) for u in (organizer, judge, admin_account, contestant())] == [True, True, True, False]
    round = sealed_round(prizes_first=1, prizes_second=1, prizes_third=0, prizes_consolation=0)
    juror, winner = contestant(), contestant()
    juror.groups.add(*judge.groups.all())
    _take(round, juror, right=20, seconds=10)
    _take(round, winner, right=20, seconds=30)
    round = _close(round, time_machine)

    prizes = round_prizes_draft(round=round)

    assert [(p.user, p.rank) for p in prizes] == [(winner, 2)]


def test_finished_attempts_leave_out_open_ones():
    round = sealed_round()
    user = contestant()
    done = _take(round, user, right=5, seconds=60)
    still_open = attempt_start(round=round, user=user)

    assert list(Attempt.objects.filter(round=round).finished()) == [done]
    assert list(Attempt.objects.filter(round=round).open()) == [still_open]
