"""The attempt limit holds when a contestant taps «Bắt đầu» many times at once (several phones,
a double tap, a retrying proxy). Counting and creating happen under one lock per contestant."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quiz.errors import QuizError
from quiz.models import Attempt
from quiz.services.attempts import attempt_start, attempt_submit
from tests.budgets import QUERIES
from tests.factories import contestant
from tests.quiz.factories import sealed_round

PARALLEL = 10
ACCOUNTS = 20


def _together(fn, n=PARALLEL):
    """Run fn n times at the same instant, each on its own connection."""
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def _start_and_submit(round, user):
    """What a fast contestant on several phones does: start, and submit at once, so that the
    next start is allowed to make a new attempt if the limit is not yet reached."""
    try:
        attempt = attempt_start(round=round, user=user)
    except QuizError as exc:
        return exc.code
    attempt_submit(attempt=attempt, user=user, answers={})
    return "started"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("max_attempts", [1, 2])
def test_parallel_starts_never_exceed_the_attempt_limit(max_attempts):
    round = sealed_round(max_attempts=max_attempts)
    users = [contestant() for _ in range(ACCOUNTS)]

    outcomes, failures = [], []
    for user in users:
        results, errors = _together(lambda user=user: _start_and_submit(round, user))
        outcomes += results
        failures += errors

    assert failures == []
    assert set(outcomes) <= {"started", "limit"}
    counts = [Attempt.objects.filter(round=round, user=user).count() for user in users]
    assert max(counts) <= max_attempts, counts
    assert min(counts) >= 1, counts
    assert not Attempt.objects.filter(round=round, status="open").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_starts_through_the_view_never_answer_500():
    round = sealed_round(max_attempts=1)
    users = [contestant() for _ in range(ACCOUNTS)]

    statuses, failures = [], []
    for user in users:

        def tap(user=user):
            client = Client()
            client.force_login(user)
            response = client.post(reverse("quiz:start", args=[round.pk]))
            return response.status_code, response.get("Location", "")

        results, errors = _together(tap)
        statuses += results
        failures += errors
        locations = {location for _status, location in results}
        # Every tap of one contestant lands on the same, single attempt.
        assert len(locations) == 1 and re.search(r"/quiz/attempts/\d+/$", locations.pop())

    assert failures == []
    assert {status for status, _location in statuses} == {302}
    assert [Attempt.objects.filter(round=round, user=user).count() for user in users] == [1] * ACCOUNTS


@pytest.mark.django_db
def test_a_start_over_the_limit_is_refused_with_a_message(client):
    round = sealed_round(max_attempts=1)
    user = contestant()
    attempt_submit(attempt=attempt_start(round=round, user=user), user=user, answers={})
    client.force_login(user)

    response = client.post(reverse("quiz:start", args=[round.pk]), follow=True)

    assert response.status_code == 200
    assert "Anh/chị đã thi đủ 1 lần cho phép của tuần này." in response.content.decode()
    assert Attempt.objects.filter(round=round, user=user).count() == 1


@pytest.mark.django_db
def test_a_second_tap_returns_the_open_attempt_even_at_the_limit():
    round = sealed_round(max_attempts=1)
    user = contestant()
    first = attempt_start(round=round, user=user)

    again = attempt_start(round=round, user=user)

    assert again.pk == first.pk


@pytest.mark.django_db
@pytest.mark.parametrize("max_attempts", [None, 2])
def test_start_costs_the_same_queries_with_or_without_a_limit(client, django_assert_num_queries, max_attempts):
    round = sealed_round(max_attempts=max_attempts)
    client.force_login(contestant())
    client.get("/")
    # The same as before the lock: it is taken by the profile read every start already made.
    # Without a limit the open attempt is looked up before the lock; with one, the count under
    # the lock answers both "how many" and "is one open already" instead: the same number either way.
    expected = QUERIES["start_first"]
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("quiz:start", args=[round.pk]))
    assert response.status_code == 302
    assert len(queries) == expected, [q["sql"] for q in queries]
    if connection.vendor == "postgresql":
        locked = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
        assert len(locked) == 1 and 'FROM "accounts_profile"' in locked[0]
