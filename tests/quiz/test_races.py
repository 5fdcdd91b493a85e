"""Races on PostgreSQL: two taps on «Bắt đầu» or «Nộp bài» at the same instant, from two
connections. SQLite serializes writes, so these run only on PostgreSQL (CI)."""

import threading

import pytest
from django.db import connection

from quiz.models import Attempt, RoundEntry
from quiz.services.attempts import attempt_start, attempt_submit
from tests.factories import contestant
from tests.quiz.factories import answer_all, sealed_round

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _together(fn, n=2):
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


def test_two_simultaneous_starts_make_one_attempt():
    round = sealed_round()
    user = contestant()

    results, errors = _together(lambda: attempt_start(round=round, user=user).pk, n=4)

    assert errors == []
    assert len(set(results)) == 1
    assert Attempt.objects.filter(round=round, user=user).count() == 1


def test_two_simultaneous_submits_score_once():
    round = sealed_round()
    user = contestant()
    attempt = attempt_start(round=round, user=user)
    answers = answer_all(attempt, right=20)

    results, errors = _together(lambda: attempt_submit(attempt=attempt, user=user, answers=answers).score, n=4)

    assert errors == []
    assert results == [20, 20, 20, 20]
    entry = RoundEntry.objects.get(round=round, user=user)
    assert (entry.score, entry.attempts_count) == (20, 1)
