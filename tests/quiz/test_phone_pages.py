"""What a contestant reads on the quiz pages: places as «thứ 9 / 2.076» once the round has
closed, their own row marked, prizes and full unit names on the leaderboard, countdowns, the
attempts of this week on the home page, and the attempt page's progress and navigator."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.enums import OrganizationKind, Role
from accounts.models import User
from quiz import selectors
from quiz.enums import AttemptStatus
from quiz.errors import QuizError
from quiz.models import Attempt, Round, RoundEntry
from quiz.services.attempts import attempt_save_answers, attempt_start, attempt_submit
from quiz.services.prizes import prize_verify, round_prizes_draft, round_publish_results
from tests.budgets import QUERIES
from tests.factories import OrganizationFactory, contestant, staff_user
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db


def _take(round, user, *, right: int, seconds: int, prediction=None) -> Attempt:
    """An attempt started `seconds` ago and submitted now (the clock travels, no row is written by hand)."""
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(seconds=seconds), tick=False) as clock:
        attempt = attempt_start(round=round, user=user)
        clock.move_to(now)
        answers = answer_all(attempt, right=right)
        return attempt_submit(attempt=attempt, user=user, answers=answers, prediction=prediction)


def _close(round, clock) -> Round:
    """The round closes: the clock (time-machine's fixture) moves past its closing time."""
    clock.move_to(round.closes_at + datetime.timedelta(seconds=1), tick=False)
    return Round.objects.get(pk=round.pk)


def _publish(round, clock) -> Round:
    """Closed, the prizes drafted and verified, the results published: through the services."""
    round = _close(round, clock)
    round_prizes_draft(round=round)
    secretary = staff_user(Role.SECRETARIAT)
    for prize in round.prizes.all():
        prize_verify(prize=prize, by=secretary, valid=True)
    return round_publish_results(round=round, by=staff_user(Role.ORGANIZER))


def _crowd(round, n: int, *, like: Attempt, score: int = 0, prefix: str = "dong") -> None:
    """n more ranked contestants with `score` (entries only, on `like`'s attempt: the places and
    the count are what matter)."""
    users = User.objects.bulk_create([User(email=f"{prefix}{i}@example.com", full_name=f"Người thi {i}") for i in range(n)])
    RoundEntry.objects.bulk_create(
        RoundEntry(round=round, user=u, best_attempt=like, score=score, duration_ms=1_000, finished_at=like.finished_at)
        for u in users
    )


def test_places_read_as_place_of_ranked_with_vietnamese_thousands(client, time_machine):
    round = sealed_round()
    user = contestant()
    attempt = _take(round, user, right=20, seconds=30)
    _crowd(round, 2_075, like=attempt, score=0)
    round = _close(round, time_machine)
    client.force_login(user)

    result = client.get(reverse("quiz:result", args=[attempt.pk])).content.decode()
    detail = client.get(reverse("quiz:round", args=[round.pk])).content.decode()
    mine = client.get(reverse("quiz:my_results")).content.decode()

    assert "đứng <strong>thứ 1 / 2.076</strong>" in result
    assert "Xếp hạng: thứ 1 / 2.076." in detail
    assert "<span data-place>thứ 1 / 2.076</span>" in mine


def test_disqualified_entries_are_not_counted_among_the_ranked():
    round = sealed_round()
    kept, dropped = contestant(), contestant()
    _take(round, kept, right=20, seconds=30)
    _take(round, dropped, right=20, seconds=20)
    RoundEntry.objects.filter(user=dropped).update(disqualified=True)

    assert selectors.ranked_counts(round_ids=[round.pk]) == {round.pk: 1}


def test_ranked_counts_is_one_query_for_many_rounds(django_assert_num_queries):
    rounds = [sealed_round() for _ in range(3)]
    for round, n in zip(rounds, (1, 2, 0), strict=True):
        for _ in range(n):
            _take(round, contestant(), right=10, seconds=40)

    with django_assert_num_queries(1):
        counts = selectors.ranked_counts(round_ids=[r.pk for r in rounds])

    assert counts == {rounds[0].pk: 1, rounds[1].pk: 2, rounds[2].pk: 0}


def test_no_place_while_the_round_is_open_even_with_the_count(client):
    round = sealed_round()
    user = contestant()
    attempt = _take(round, user, right=20, seconds=30)
    client.force_login(user)

    result = client.get(reverse("quiz:result", args=[attempt.pk])).content.decode()

    assert "thứ 1 /" not in result and "data-place" not in result


def test_published_leaderboard_marks_my_row_prizes_and_full_unit_names(client, time_machine):
    round = sealed_round(prizes_first=1, prizes_second=0, prizes_third=0, prizes_consolation=0)
    committee = OrganizationFactory(name="Đảng bộ Cục Thuế tỉnh")
    cell = OrganizationFactory(name="Chi bộ Phòng Tổng hợp", kind=OrganizationKind.CELL, parent=committee)
    winner, me = contestant(organization=cell), contestant()
    _take(round, winner, right=20, seconds=30)
    _take(round, me, right=19, seconds=30)
    round = _publish(round, time_machine)
    client.force_login(me)

    html = client.get(reverse("quiz:leaderboard", args=[round.pk])).content.decode()

    winner_row = re.search(rf'<tr data-entry="{winner.pk}">(.*?)</tr>', html, re.S).group(1)
    my_row = re.search(rf'<tr data-entry="{me.pk}" class="is-me" aria-current="true">(.*?)</tr>', html, re.S).group(1)
    assert '<span class="badge badge-prize" data-prize>Giải Nhất</span>' in winner_row
    assert "Đảng bộ Cục Thuế tỉnh › Chi bộ Phòng Tổng hợp" in winner_row
    assert '<span class="badge badge-me">Bạn</span>' in my_row
    assert "badge-me" not in winner_row


def test_my_line_is_added_under_the_table_when_i_am_beyond_it(client, time_machine):
    round = sealed_round()
    me = contestant()
    mine = _take(round, me, right=5, seconds=30)
    _crowd(round, 100, like=mine, score=20)  # the public table shows the first 100
    round = _publish(round, time_machine)
    client.force_login(me)

    html = client.get(reverse("quiz:leaderboard", args=[round.pk])).content.decode()

    assert html.count("data-entry=") == 101
    assert html.count('class="is-me"') == 1
    mine_part = html[html.index('<tbody class="mine">') :]
    assert f'data-entry="{me.pk}"' in mine_part and "thứ 101 / 101" in mine_part


def test_leaderboard_page_query_count_does_not_grow_with_entries(client, django_assert_num_queries, time_machine):
    round = sealed_round(prizes_first=1, prizes_second=1, prizes_third=0, prizes_consolation=0)
    first = _take(round, contestant(), right=20, seconds=30)
    round = _publish(round, time_machine)
    client.force_login(contestant())
    url = reverse("quiz:leaderboard", args=[round.pk])
    client.get(url)

    with django_assert_num_queries(QUERIES["leaderboard_page"]):
        one = client.get(url).content.decode()
    _crowd(round, 3, like=first, score=4)
    with django_assert_num_queries(QUERIES["leaderboard_page"]):
        four = client.get(url).content.decode()

    assert (one.count("data-entry="), four.count("data-entry=")) == (1, 4)


def test_round_and_home_show_the_closing_time_and_a_countdown(client):
    round = sealed_round()
    user = contestant()
    client.force_login(user)
    closes = timezone.localtime(round.closes_at)

    detail = client.get(reverse("quiz:round", args=[round.pk])).content.decode()
    home = client.get("/").content.decode()

    for html in (detail, home):
        assert f'data-until="{int(round.closes_at.timestamp())}"' in html
        assert "Đóng lúc <time datetime=" in html
        assert f"{closes:%H:%M} {closes:%d/%m/%Y}" in html


def test_a_round_not_yet_open_counts_down_to_its_opening(client):
    round = sealed_round(
        opens_at=timezone.now() + datetime.timedelta(days=2), closes_at=timezone.now() + datetime.timedelta(days=9)
    )

    html = client.get(reverse("quiz:round", args=[round.pk])).content.decode()

    assert f'data-until="{int(round.opens_at.timestamp())}"' in html
    assert "Mở lúc" in html and "Đóng lúc" not in html


def test_home_lists_my_attempts_of_this_week_only(client):
    round = sealed_round()
    user = contestant()
    this_week = _take(round, user, right=12, seconds=40)
    old = _take(round, user, right=3, seconds=40)
    Attempt.objects.filter(pk=old.pk).update(started_at=timezone.now() - datetime.timedelta(days=8))
    _take(round, contestant(), right=20, seconds=40)  # someone else's
    client.force_login(user)

    html = client.get("/").content.decode()
    section = html[html.index("data-my-week") : html.index("</section>", html.index("data-my-week"))]

    assert reverse("quiz:result", args=[this_week.pk]) in section
    assert reverse("quiz:result", args=[old.pk]) not in section
    assert section.count("<tr>") == 2  # the header and the one attempt
    assert "12/20" in section


def test_home_without_login_has_no_attempts_section(client):
    sealed_round()
    assert "data-my-week" not in client.get("/").content.decode()


def test_attempts_this_week_start_on_monday_local_time():
    round = sealed_round()
    user = contestant()
    attempt = _take(round, user, right=5, seconds=40)
    # A Wednesday noon in Hanoi: Monday 00:00 local is the boundary.
    wednesday = timezone.make_aware(datetime.datetime(2026, 11, 25, 12, 0))
    monday = timezone.make_aware(datetime.datetime(2026, 11, 23, 0, 0))
    Attempt.objects.filter(pk=attempt.pk).update(started_at=monday)
    assert [a.pk for a in selectors.attempts_this_week(user=user, contest=round.contest, now=wednesday)] == [attempt.pk]
    Attempt.objects.filter(pk=attempt.pk).update(started_at=monday - datetime.timedelta(seconds=1))
    assert selectors.attempts_this_week(user=user, contest=round.contest, now=wednesday) == []


# --- The attempt page ------------------------------------------------------------------------------


def test_attempt_page_counts_the_prediction_and_lists_every_question(client):
    round = sealed_round(tiebreaker_enabled=True)
    user = contestant()
    client.force_login(user)
    attempt = attempt_start(round=round, user=user)
    attempt_save_answers(attempt_id=attempt.pk, user_id=user.pk, answers={1: 0, 4: 1})

    html = client.get(reverse("quiz:attempt", args=[attempt.pk])).content.decode()

    assert 'data-total="21"' in html
    assert "<strong data-answered>2</strong>/21" in html
    navigator = re.findall(r'<a href="#q-([\w-]+)" data-nav="[\w-]+"( class="is-answered")?>', html)
    assert [key for key, _answered in navigator] == [str(n) for n in range(1, 21)] + ["prediction"]
    assert [key for key, answered in navigator if answered] == ["1", "4"]
    # The prediction sits before the submit button, with the id its navigator entry points to.
    assert html.index('id="q-prediction"') < html.index("data-submit>")
    assert html.index('id="q-20"') < html.index('id="q-prediction"')


def test_attempt_page_without_tiebreaker_counts_twenty(client):
    round = sealed_round()
    user = contestant()
    client.force_login(user)
    attempt = attempt_start(round=round, user=user)

    html = client.get(reverse("quiz:attempt", args=[attempt.pk])).content.decode()

    assert 'data-total="20"' in html and 'data-nav="prediction"' not in html


def test_a_submit_at_time_out_without_prediction_is_accepted_without_an_error(client):
    round = sealed_round(tiebreaker_enabled=True)
    user = contestant()
    client.force_login(user)
    attempt = attempt_start(round=round, user=user)
    answers = answer_all(attempt, right=7)

    # The page submits by itself a moment after the deadline, within the grace.
    with time_machine.travel(attempt.deadline + datetime.timedelta(seconds=2)):
        data = {f"q{p}": i for p, i in answers.items()}
        response = client.post(reverse("quiz:attempt", args=[attempt.pk]), data, follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("quiz:result", args=[attempt.pk])
    assert "câu hỏi dự đoán" not in html and "message-error" not in html
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score, attempt.prediction) == (AttemptStatus.SUBMITTED, 7, None)


def test_a_submit_before_the_deadline_still_needs_the_prediction():
    round = sealed_round(tiebreaker_enabled=True)
    user = contestant()
    attempt = attempt_start(round=round, user=user)

    with pytest.raises(QuizError, match="câu hỏi dự đoán"):
        attempt_submit(attempt=attempt, user=user, answers={})
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.OPEN
