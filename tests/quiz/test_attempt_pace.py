"""The pace of attempts (quiz.limits): attempts per calendar day in Vietnam and minutes between two
starts, enforced by attempt_start under its lock, frozen by the seal, told on the round page."""

import datetime
import json
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz import limits
from quiz.admin.rounds import RoundAdmin
from quiz.errors import QuizError, SealedError
from quiz.models import Attempt, Round, RoundSeal
from quiz.seal import seal_build, seal_content, seal_encode, seal_fingerprint, seal_parse, seal_verify
from quiz.services.attempts import attempt_start, attempt_submit
from quiz.services.pool import round_pool_add
from tests.factories import contestant, staff_user
from tests.quiz.factories import QuestionFactory, RoundFactory, sealed_round

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db


def vn(day, hour, minute=0) -> datetime.datetime:
    return datetime.datetime(2025, 3, day, hour, minute, tzinfo=VN)


@contextmanager
def clock(moment):
    with mock.patch("django.utils.timezone.now", return_value=moment.astimezone(datetime.UTC)):
        yield


def paced_round(**kwargs):
    kwargs = {"attempts_per_day": 2, "min_start_interval_minutes": 30, **kwargs}
    return sealed_round(opens_at=vn(3, 8), closes_at=vn(11, 20), **kwargs)


def play(round, user, moment):
    """Start at `moment` and submit at once; the error's message if refused."""
    with clock(moment):
        try:
            attempt = attempt_start(round=round, user=user)
        except QuizError as exc:
            return exc.message
        attempt_submit(attempt=attempt, user=user, answers={})
    return "started"


def test_new_rounds_start_from_the_documented_defaults():
    round = Round()
    assert (round.attempts_per_day, round.min_start_interval_minutes, round.max_attempts) == (2, 30, None)


def test_a_start_too_soon_after_the_previous_one_is_refused_with_the_time():
    round, user = paced_round(), contestant()
    assert play(round, user, vn(4, 10, 5)) == "started"

    assert play(round, user, vn(4, 10, 20)) == "Anh/chị có thể bắt đầu lượt thi tiếp theo lúc 10:35."
    assert play(round, user, vn(4, 10, 35)) == "started"
    assert Attempt.objects.filter(round=round, user=user).count() == 2


def test_the_day_is_vietnams_calendar_day():
    round, user = paced_round(), contestant()
    assert play(round, user, vn(4, 6, 10)) == "started"  # 23:10 UTC the day before
    assert play(round, user, vn(4, 23, 10)) == "started"

    assert play(round, user, vn(4, 23, 59)) == "Hôm nay anh/chị đã thi đủ 2 lượt; mời quay lại ngày mai."
    assert play(round, user, vn(5, 0, 0)) == "started"


def test_the_day_limit_names_the_later_time_when_the_interval_runs_past_midnight():
    round, user = paced_round(), contestant()
    play(round, user, vn(4, 22, 0))
    play(round, user, vn(4, 23, 50))

    assert play(round, user, vn(4, 23, 55)) == "Hôm nay anh/chị đã thi đủ 2 lượt; mời quay lại lúc 00:20 ngày 5/3."
    assert play(round, user, vn(5, 0, 10)) == "Anh/chị có thể bắt đầu lượt thi tiếp theo lúc 00:20."
    assert play(round, user, vn(5, 0, 20)) == "started"


def test_no_promise_of_a_start_after_the_round_closes():
    round, user = paced_round(), contestant()
    play(round, user, vn(11, 19, 40))

    assert play(round, user, vn(11, 19, 50)) == "Anh/chị đã dùng hết số lượt được phép trước khi tuần thi đóng lúc 20:00."


def test_the_attempt_limit_of_the_round_still_speaks_first():
    round, user = paced_round(max_attempts=1), contestant()
    play(round, user, vn(4, 9))

    assert play(round, user, vn(6, 9)) == "Anh/chị đã thi đủ 1 lần cho phép của tuần này."


def test_a_double_tap_returns_the_open_attempt_not_a_refusal():
    round, user = paced_round(), contestant()
    with clock(vn(4, 9)):
        first = attempt_start(round=round, user=user)
    with clock(vn(4, 9, 1)):
        assert attempt_start(round=round, user=user).pk == first.pk


def test_an_expired_open_attempt_is_closed_and_counted():
    round, user = paced_round(), contestant()
    with clock(vn(4, 9)):
        first = attempt_start(round=round, user=user)
    with clock(vn(4, 9, 40)):
        second = attempt_start(round=round, user=user)

    first.refresh_from_db()
    assert first.status == "expired" and second.pk != first.pk
    assert play(round, user, vn(4, 10, 30)) == "Hôm nay anh/chị đã thi đủ 2 lượt; mời quay lại ngày mai."


def test_the_view_shows_the_refusal_in_vietnamese(client):
    round, user = paced_round(), contestant()
    client.force_login(user)
    play(round, user, vn(4, 10, 5))

    with clock(vn(4, 10, 20)):
        response = client.post(reverse("quiz:start", args=[round.pk]), follow=True)

    assert response.status_code == 200
    assert "Anh/chị có thể bắt đầu lượt thi tiếp theo lúc 10:35." in response.content.decode()


@pytest.mark.parametrize("pace", [{}, {"attempts_per_day": None, "min_start_interval_minutes": None}, {"max_attempts": 3}])
def test_a_start_costs_twelve_queries_whatever_the_limits(client, pace):
    round = paced_round(**pace)
    client.force_login(contestant())
    client.get("/")
    with clock(vn(4, 9)), CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("quiz:start", args=[round.pk]))
    assert response.status_code == 302 and "/quiz/attempts/" in response["Location"]
    assert len(queries) == 12, [q["sql"] for q in queries]


def test_the_round_page_tells_the_rules_and_what_is_left(client):
    round, user = paced_round(), contestant()
    client.force_login(user)
    url = reverse("quiz:round", args=[round.pk])

    with clock(vn(4, 9)):
        html = client.get(url).content.decode()
    assert "Mỗi ngày được bắt đầu tối đa 2 lượt thi" in html
    assert "Hai lượt thi liên tiếp phải bắt đầu cách nhau ít nhất 30 phút." in html
    assert "Hôm nay anh/chị còn 2 lượt thi." in html

    play(round, user, vn(4, 9, 5))
    with clock(vn(4, 9, 10)):
        html = client.get(url).content.decode()
    assert "Anh/chị có thể bắt đầu lượt thi tiếp theo lúc 09:35." in html
    assert reverse("quiz:start", args=[round.pk]) not in html

    play(round, user, vn(4, 9, 40))
    with clock(vn(4, 9, 45)):
        html = client.get(url).content.decode()
    assert "Hôm nay anh/chị đã thi đủ 2 lượt; mời quay lại ngày mai." in html


def test_the_round_page_costs_the_same_with_one_attempt_or_three(client, django_assert_num_queries):
    round, user = paced_round(), contestant()
    client.force_login(user)
    url = reverse("quiz:round", args=[round.pk])
    play(round, user, vn(4, 9))
    with clock(vn(4, 9, 1)):
        client.get(url)  # reads the user and keeps it in the cache (quiz.session_user)
    with clock(vn(4, 9, 1)), CaptureQueriesContext(connection) as one:
        client.get(url)
    play(round, user, vn(4, 10))
    play(round, user, vn(5, 10))
    with clock(vn(5, 10, 1)), CaptureQueriesContext(connection) as three:
        client.get(url)
    assert len(one) == len(three)


def test_anonymous_visitors_see_the_rules_but_no_allowance(client):
    round = paced_round()
    with clock(vn(4, 9)):
        html = client.get(reverse("quiz:round", args=[round.pk])).content.decode()
    assert "Hai lượt thi liên tiếp phải bắt đầu cách nhau ít nhất 30 phút." in html
    assert "data-pace" not in html


# --- The rule itself, over many sequences ---------------------------------------------------------

WINDOW_OPENS, WINDOW_CLOSES = vn(3, 8), vn(11, 20)


class Limits:
    def __init__(self, per_day, interval):
        self.attempts_per_day, self.min_start_interval_minutes, self.max_attempts = per_day, interval, None
        self.closes_at = WINDOW_CLOSES


def seen_at(starts, now):
    day = now.astimezone(VN).date()
    return limits.Seen(
        total=len(starts),
        today=sum(1 for s in starts if s.astimezone(VN).date() == day),
        last_started_at=starts[-1] if starts else None,
    )


@settings(max_examples=150, deadline=None)
@given(
    per_day=st.one_of(st.none(), st.integers(1, 5)),
    interval=st.one_of(st.none(), st.integers(1, 240)),
    tries=st.lists(st.integers(0, int((WINDOW_CLOSES - WINDOW_OPENS).total_seconds() // 60) - 1), max_size=60),
)
def test_allowance_never_lets_a_contestant_past_the_pace_and_names_a_time_that_works(per_day, interval, tries):
    round = Limits(per_day, interval)
    starts: list[datetime.datetime] = []
    for minute in sorted(tries):
        now = WINDOW_OPENS + datetime.timedelta(minutes=minute)
        seen = seen_at(starts, now)
        allowed = limits.allowance(round, seen=seen, now=now)
        if allowed.allowed:
            starts.append(now)
            continue
        assert allowed.code in {"day", "interval", "closed"}
        if allowed.code == "closed":
            continue
        # The time told is the first that works: allowed then (for the same history), not a minute before.
        at = allowed.next_start_at
        before = at - datetime.timedelta(minutes=1)
        assert limits.allowance(round, seen=seen_at(starts, at), now=at).allowed
        assert not limits.allowance(round, seen=seen_at(starts, before), now=before).allowed
    by_day: dict = {}
    for s in starts:
        by_day[s.astimezone(VN).date()] = by_day.get(s.astimezone(VN).date(), 0) + 1
    if per_day is not None:
        assert max(by_day.values(), default=0) <= per_day
    if interval is not None:
        assert all(b - a >= datetime.timedelta(minutes=interval) for a, b in zip(starts, starts[1:]))


# --- Frozen by the seal, written in the key file --------------------------------------------------


def test_a_sealed_round_keeps_its_pace():
    round = paced_round()
    round.attempts_per_day = 50
    with pytest.raises(SealedError, match="số lượt thi tối đa mỗi ngày"):
        round.save()
    round.refresh_from_db()
    round.min_start_interval_minutes = None
    with pytest.raises(SealedError, match="khoảng cách tối thiểu"):
        round.save(update_fields=["min_start_interval_minutes"])
    assert Round.objects.filter(pk=round.pk, attempts_per_day=2, min_start_interval_minutes=30).exists()


def test_the_admin_shows_the_pace_in_the_attempt_fieldset_read_only_once_sealed(rf):
    from django.contrib.admin.sites import site

    admin = RoundAdmin(Round, site)
    fieldset = dict(admin.fieldsets)["Bài thi"]["fields"]
    assert ("max_attempts", "attempts_per_day", "min_start_interval_minutes") in fieldset
    request = rf.get("/")
    request.user = staff_user("organizer")
    readonly = admin.get_readonly_fields(request, paced_round())
    assert {"attempts_per_day", "min_start_interval_minutes"} <= set(readonly)


def test_the_key_file_says_the_pace():
    round = paced_round()
    key = seal_parse(bytes(RoundSeal.objects.get(round=round).key_file))
    assert (key["round"]["attempts_per_day"], key["round"]["min_start_interval_minutes"]) == (2, 30)
    assert seal_verify(round) == []


def test_a_key_file_from_before_the_pace_limits_still_verifies():
    round = RoundFactory(attempts_per_day=None, min_start_interval_minutes=None)
    round_pool_add(round=round, question_ids=[QuestionFactory().pk for _ in range(20)])
    Round.objects.filter(pk=round.pk).update(approved_at=vn(1, 9))  # sealed the old way, no key file yet
    round.refresh_from_db()
    nonce = "ab" * 32
    old = seal_encode(seal_content(round, nonce=nonce, pace=False))
    assert "attempts_per_day" not in json.loads(old)["round"]
    RoundSeal.objects.create(round=round, key_file=old, sha256=seal_fingerprint(old), nonce=nonce)

    assert seal_parse(old)["nonce"] == nonce
    assert seal_verify(round) == []
    Round.objects.filter(pk=round.pk).update(attempts_per_day=3)  # behind the signal's back
    round.refresh_from_db()
    assert seal_verify(round) == [
        "Tệp niêm phong lập khi chưa có giới hạn lượt thi mỗi ngày và khoảng cách giữa hai lượt; tuần thi nay lại có."
    ]


def test_a_key_file_with_one_pace_limit_but_not_the_other_is_refused():
    round = paced_round()
    content = json.loads(seal_build(round))
    del content["round"]["min_start_interval_minutes"]
    with pytest.raises(ValueError, match="thiếu hoặc thừa"):
        seal_parse(seal_encode(content))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "pace,most", [({"attempts_per_day": 2, "min_start_interval_minutes": None}, 2), ({"min_start_interval_minutes": 30}, 1)]
)
def test_simultaneous_starts_never_pass_the_pace(pace, most):
    from tests.quiz.test_start_limits import _start_and_submit, _together

    round = sealed_round(**pace)
    users = [contestant() for _ in range(5)]
    for user in users:
        _results, errors = _together(lambda user=user: _start_and_submit(round, user))
        assert errors == []
    assert [Attempt.objects.filter(round=round, user=user).count() for user in users] == [most] * 5
