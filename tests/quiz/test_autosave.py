"""The autosave's lean path (quiz.autosave): a batch of answers, one UPDATE, the attempt page's
signed token instead of the session, the same rule as every other save
(quiz.services.attempts.attempt_save_answers)."""

import datetime
import re
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.db import OperationalError
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from quiz import autosave
from quiz.models import AttemptQuestion
from quiz.services.attempts import attempt_save_answers, attempt_start, attempt_submit
from tests.factories import contestant
from tests.quiz.factories import sealed_round

pytestmark = pytest.mark.django_db


def _open_page(client, round, user):
    client.force_login(user)
    attempt = attempt_start(round=round, user=user)
    html = client.get(reverse("quiz:attempt", args=[attempt.pk])).content.decode()
    return attempt, re.search(r'data-autosave-token="([^"]+)"', html).group(1)


def _chosen(attempt) -> dict[int, int | None]:
    return dict(AttemptQuestion.objects.filter(attempt=attempt).values_list("position", "chosen_index"))


def test_a_batch_is_saved_in_one_update_without_the_session(client, django_assert_num_queries):
    round = sealed_round()
    attempt, token = _open_page(client, round, contestant())

    with django_assert_num_queries(1):
        response = client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": token, "q1": 2, "q2": 0, "q3": 3})

    assert (response.status_code, response.json()) == (200, {"saved": [1, 2, 3]})
    assert {p: i for p, i in _chosen(attempt).items() if i is not None} == {1: 2, 2: 0, 3: 3}


def test_the_lean_answer_keeps_the_security_headers(client):
    round = sealed_round()
    attempt, token = _open_page(client, round, contestant())

    response = client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": token, "q1": 1})

    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Permissions-Policy"] == settings.PERMISSIONS_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_token_for_another_attempt_is_refused(client):
    round = sealed_round()
    mine, token = _open_page(client, round, contestant())
    other = attempt_start(round=round, user=contestant())

    response = client.post(reverse("quiz:autosave", args=[other.pk]), {"token": token, "q1": 1})

    assert response.status_code == 403
    assert "Phiên làm bài đã thay đổi" in response.json()["message"]
    assert set(_chosen(other).values()) == {None}


def test_a_forged_token_is_refused(client):
    round = sealed_round()
    attempt, token = _open_page(client, round, contestant())
    forged = autosave.signing.dumps([attempt.pk, attempt.user_id, "0" * 32], salt=autosave.SALT)

    for bad in (token[:-2] + "xx", forged, "garbage"):
        response = client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": bad, "q1": 1})
        assert response.status_code == 403, bad
    assert set(_chosen(attempt).values()) == {None}


def test_after_a_new_login_the_token_stops_and_the_session_path_saves(client):
    round = sealed_round()
    user = contestant()
    attempt, token = _open_page(client, round, user)
    client.logout()
    client.force_login(user)  # a new session cookie

    refused = client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": token, "q1": 1})
    fallback = client.post(reverse("quiz:autosave", args=[attempt.pk]), {"q1": 1})

    assert refused.status_code == 403
    assert (fallback.status_code, fallback.json()) == (200, {"saved": [1]})


def test_without_a_session_the_token_alone_does_not_save(client):
    round = sealed_round()
    attempt, token = _open_page(client, round, contestant())
    client.cookies.pop(settings.SESSION_COOKIE_NAME)

    response = client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": token, "q1": 1})

    assert response.status_code == 403
    assert _chosen(attempt)[1] is None


def test_nothing_is_saved_after_the_deadline_or_the_submit(client):
    round = sealed_round()
    user = contestant()
    attempt, token = _open_page(client, round, user)
    with time_machine.travel(attempt.deadline + datetime.timedelta(seconds=1)):
        late = client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": token, "q1": 1})

    assert late.status_code == 409
    assert late.json()["message"] == "Không lưu được câu trả lời: bài thi đã kết thúc hoặc hết giờ."
    attempt_submit(attempt=attempt, user=user, answers={})  # back in time, within the limit
    assert client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": token, "q2": 1}).status_code == 409
    assert set(_chosen(attempt).values()) == {None}


def test_a_batch_with_a_bad_answer_saves_the_good_ones_and_says_so(client):
    round = sealed_round()
    attempt, token = _open_page(client, round, contestant())

    response = client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": token, "q1": 1, "q2": 4, "q99": 0})

    assert response.status_code == 400
    assert response.json()["saved"] == [1]
    assert {p: i for p, i in _chosen(attempt).items() if i is not None} == {1: 1}


@pytest.mark.parametrize("body", [{"q1": "x"}, {"q1": "-1"}, {"q0": "1"}, {"qx": "1"}, {"q1": "1\x00"}])
def test_malformed_answers_get_a_vietnamese_400(client, body):
    round = sealed_round()
    attempt, token = _open_page(client, round, contestant())

    response = client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": token, **body})

    assert response.status_code == 400
    assert response.json()["message"] == "Dữ liệu không hợp lệ."
    assert set(_chosen(attempt).values()) == {None}


def test_the_first_pages_single_answer_still_saves(client):
    round = sealed_round()
    attempt, token = _open_page(client, round, contestant())

    response = client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": token, "position": 4, "index": 2})

    assert response.json() == {"saved": [4]}
    assert _chosen(attempt)[4] == 2


def test_a_dead_connection_is_retried_once(client):
    round = sealed_round()
    attempt, token = _open_page(client, round, contestant())
    real = attempt_save_answers
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    # Outside the test's transaction, as in a real request (the retry never runs inside one).
    outside = mock.Mock(in_atomic_block=False)
    with mock.patch.object(autosave, "attempt_save_answers", flaky), mock.patch.object(autosave, "connection", outside):
        response = client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": token, "q1": 3})

    assert (response.status_code, response.json(), len(calls)) == (200, {"saved": [1]}, 2)
    assert outside.close.call_count == 1


def test_a_database_that_stays_down_gets_a_503_the_page_retries(client):
    round = sealed_round()
    attempt, token = _open_page(client, round, contestant())

    with (
        mock.patch.object(autosave, "attempt_save_answers", side_effect=OperationalError("down")),
        mock.patch.object(autosave, "connection", mock.Mock(in_atomic_block=False)),
    ):
        response = client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": token, "q1": 3})

    assert response.status_code == 503


@pytest.fixture
def open_attempt(db):
    round = sealed_round(pool_size=20, fields=2, questions_per_attempt=20)
    user = contestant()
    return attempt_start(round=round, user=user), user


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.dictionaries(st.integers(min_value=-2, max_value=24), st.integers(min_value=-1, max_value=5), max_size=8))
def test_a_batch_saves_exactly_the_answers_that_exist(open_attempt, batch):
    attempt, user = open_attempt
    counts = dict(AttemptQuestion.objects.filter(attempt=attempt).values_list("position", "option_count"))
    before = _chosen(attempt)

    saved = attempt_save_answers(attempt_id=attempt.pk, user_id=user.pk, answers=batch)

    valid = {p for p, i in batch.items() if p in counts and 0 <= i < counts[p]}
    assert saved == valid
    after = _chosen(attempt)
    assert after == {p: batch[p] if p in valid else before[p] for p in counts}
