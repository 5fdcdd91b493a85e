import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quiz.enums import AttemptStatus, ReviewPolicy
from quiz.models import Attempt, Option
from quiz.services.attempts import attempt_start, attempt_submit
from tests.budgets import QUERIES
from tests.factories import contestant
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db


def _start(client, round):
    response = client.post(reverse("quiz:start", args=[round.pk]))
    assert response.status_code == 302, response.content
    return Attempt.objects.get(pk=int(re.search(r"/attempts/(\d+)/", response["Location"]).group(1)))


def test_attempt_page_has_the_contract_markup_and_no_answer_key(client):
    round = sealed_round()
    user = contestant()
    client.force_login(user)
    attempt = _start(client, round)

    html = client.get(reverse("quiz:attempt", args=[attempt.pk])).content.decode()

    assert html.count("<fieldset") == 20
    first = attempt.items.select_related("question").get(position=1)
    assert f"{first.question.text}</legend>" in html
    assert re.search(r'<label class="choice option"><input type="radio" name="q1" value="0"', html)
    # Nothing in the page tells which option is right: radios carry their index in the attempt's own
    # shuffled order (0, 1, 2 …), never an option id, and no "correct" flag appears.
    radios = re.findall(r'<input type="radio" name="q(\d+)" value="(\d+)"', html)
    per_question = {}
    for question, value in radios:
        per_question.setdefault(question, []).append(int(value))
    assert all(values == list(range(len(values))) for values in per_question.values())
    rest = re.sub(r'<input type="radio"[^>]*>', "", html)
    for oid in first.option_ids:
        assert f'value="{oid}"' not in rest
    assert "is_correct" not in html and "correct" not in html.lower().replace("incorrect", "")


def _token(html: str) -> str:
    return re.search(r'data-autosave-token="([^"]+)"', html).group(1)


def test_a_whole_attempt_stays_within_its_query_budget(client):
    round = sealed_round(pool_size=200, fields=5)
    attempt_start(round=round, user=contestant())  # an earlier contestant: the pool is in memory
    client.force_login(contestant())
    client.get("/")  # the session is now in the cache

    with CaptureQueriesContext(connection) as start_queries:
        attempt = _start(client, round)
        token = _token(client.get(reverse("quiz:attempt", args=[attempt.pk])).content.decode())
    answers = answer_all(attempt, right=18)  # the test's own look at the key, not counted
    with CaptureQueriesContext(connection) as save_queries:
        for position, index in answers.items():
            response = client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": token, f"q{position}": index})
            assert response.json() == {"saved": [position]}
    with CaptureQueriesContext(connection) as end_queries:
        response = client.post(reverse("quiz:attempt", args=[attempt.pk]), {f"q{p}": i for p, i in answers.items()})
        result = client.get(response["Location"])

    assert result.status_code == 200
    assert "18/20" in result.content.decode()
    assert len(save_queries) == 20  # one UPDATE per autosave: no session, no user row
    total = len(start_queries) + len(save_queries) + len(end_queries)
    assert total <= QUERIES["whole_attempt"], total


@pytest.mark.parametrize("pool_size", [40, 200])
def test_start_autosave_submit_query_counts_do_not_depend_on_pool_size(client, django_assert_num_queries, pool_size):
    round = sealed_round(pool_size=pool_size, fields=4)
    client.force_login(contestant())
    client.get("/")
    with django_assert_num_queries(QUERIES["start_first"] + 1):  # + the test's own look-up of the attempt
        _start(client, round)  # the first start in this process reads the sealed pool (3 queries)
    client.force_login(contestant())
    client.get("/")
    with django_assert_num_queries(QUERIES["start"] + 1):
        attempt = _start(client, round)  # every later one draws from memory
    # The start read the user row and kept it in the cache (quiz.session_user): the page reads
    # the attempt, its rows and (once) the roles; the submit and the result no user row at all.
    with django_assert_num_queries(QUERIES["attempt_page_first"]):
        token = _token(client.get(reverse("quiz:attempt", args=[attempt.pk])).content.decode())
    with django_assert_num_queries(QUERIES["attempt_page"]):
        client.get(reverse("quiz:attempt", args=[attempt.pk]))  # a reload: the attempt and its rows
    with django_assert_num_queries(QUERIES["autosave"]):
        client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": token, "q1": 0})
    with django_assert_num_queries(QUERIES["autosave"]):
        client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": token, "q2": 0, "q3": 1, "q4": 2})
    with django_assert_num_queries(QUERIES["autosave_without_token"]):
        client.post(reverse("quiz:autosave", args=[attempt.pk]), {"q5": 0})  # without the token: the user and the UPDATE
    with django_assert_num_queries(QUERIES["submit"]):
        response = client.post(reverse("quiz:attempt", args=[attempt.pk]), {"q1": 0})
    with django_assert_num_queries(QUERIES["result_page"]):
        client.get(response["Location"])  # the result: the attempt and the contestant's entry


def test_result_page_hides_the_key_while_the_round_is_open(client):
    round = sealed_round(review_policy=ReviewPolicy.AFTER_CLOSE)
    user = contestant()
    client.force_login(user)
    attempt = _start(client, round)
    client.post(reverse("quiz:attempt", args=[attempt.pk]), {"q1": 0})

    html = client.get(reverse("quiz:result", args=[attempt.pk])).content.decode()

    assert "Đáp án sẽ được công bố sau khi tuần thi kết thúc." in html
    assert "Đáp án đúng" not in html
    assert re.search(r"data-score>\d+/20<", html)


def test_result_page_shows_review_after_close(client):
    round = sealed_round(review_policy=ReviewPolicy.AFTER_CLOSE)
    user = contestant()
    attempt = attempt_start(round=round, user=user)
    attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=20))
    client.force_login(user)

    with time_machine.travel(round.closes_at + datetime.timedelta(minutes=1)):  # the round has closed
        html = client.get(reverse("quiz:result", args=[attempt.pk])).content.decode()

    assert html.count("Đáp án đúng</span>") == 20


def test_someone_elses_attempt_is_not_found(client):
    round = sealed_round()
    attempt = attempt_start(round=round, user=contestant())
    client.force_login(contestant())

    assert client.get(reverse("quiz:attempt", args=[attempt.pk])).status_code == 404
    assert client.post(reverse("quiz:attempt", args=[attempt.pk]), {"q1": 0}).status_code == 404
    assert client.get(reverse("quiz:result", args=[attempt.pk])).status_code == 404
    response = client.post(reverse("quiz:autosave", args=[attempt.pk]), {"position": 1, "index": 0})
    assert response.status_code == 409


def test_tampered_form_is_refused_with_a_message_and_saved_answers_stay(client):
    round = sealed_round()
    user = contestant()
    client.force_login(user)
    attempt = _start(client, round)
    client.post(reverse("quiz:autosave", args=[attempt.pk]), {"position": 2, "index": 1})

    response = client.post(reverse("quiz:attempt", args=[attempt.pk]), {"q1": "x' OR 1=1", "q2": 1}, follow=True)

    assert "Câu trả lời gửi lên không hợp lệ" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.OPEN
    assert attempt.items.get(position=2).chosen_index == 1


def test_start_on_a_closed_round_shows_a_vietnamese_message(client):
    round = sealed_round(
        opens_at=timezone.now() - datetime.timedelta(days=8), closes_at=timezone.now() - datetime.timedelta(days=1)
    )
    client.force_login(contestant())

    response = client.post(reverse("quiz:start", args=[round.pk]), follow=True)

    assert "Tuần thi này hiện không mở" in response.content.decode()
    assert Attempt.objects.count() == 0


def test_start_without_profile_sends_to_the_profile_form(client):
    from tests.factories import UserFactory

    round = sealed_round()
    client.force_login(UserFactory())

    response = client.post(reverse("quiz:start", args=[round.pk]))

    assert response["Location"].startswith("/accounts/profile/")


def test_anonymous_start_goes_to_login(client):
    round = sealed_round()
    response = client.post(reverse("quiz:start", args=[round.pk]))
    assert response["Location"].startswith("/accounts/login/")


def test_round_list_and_detail(client):
    round = sealed_round()
    client.force_login(contestant())
    assert round.name in client.get(reverse("quiz:rounds")).content.decode()
    assert "Bắt đầu làm bài" in client.get(reverse("quiz:round", args=[round.pk])).content.decode()


def test_option_texts_are_escaped(client):
    round = sealed_round()
    Option.objects.filter(question__round_entries__round=round, letter="B").update(text="<script>alert(1)</script>")
    client.force_login(contestant())
    attempt = _start(client, round)
    html = client.get(reverse("quiz:attempt", args=[attempt.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_database_gone_for_a_moment_is_a_503_that_loses_nothing(client):
    """A PostgreSQL restart behind PgBouncer (the scaled load scenario) cut a few starts and submits:
    they are a Vietnamese 503 page with Retry-After and a way back, never a 500; trying again works."""
    from django.db import OperationalError

    round = sealed_round()
    client.force_login(contestant())
    round_page = "http://testserver" + reverse("quiz:round", args=[round.pk])

    def server_gone(execute, sql, params, many, context):
        if 'FROM "quiz_round"' in sql:  # the view's first read (a lock wait inside the start has its own message)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(server_gone):
        response = client.post(reverse("quiz:start", args=[round.pk]), HTTP_REFERER=round_page)

    assert response.status_code == 503
    assert response["Retry-After"] == "5" and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "Câu trả lời đã lưu của anh/chị không bị mất" in page and f'href="{round_page}"' in page
    assert Attempt.objects.count() == 0

    _start(client, round)  # the database back: the same button works
    assert Attempt.objects.count() == 1


def test_the_503_page_sends_a_post_back_only_to_this_site(client):
    from django.db import OperationalError

    round = sealed_round()
    client.force_login(contestant())

    def server_gone(execute, sql, params, many, context):
        raise OperationalError("the database system is starting up")

    with connection.execute_wrapper(server_gone):
        response = client.post(reverse("quiz:start", args=[round.pk]), HTTP_REFERER="https://evil.example/phish")

    assert response.status_code == 503
    assert "evil.example" not in response.content.decode()
    assert f'href="{reverse("quiz:start", args=[round.pk])}"' in response.content.decode()
