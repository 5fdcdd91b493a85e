"""The figures kept for the pages (quiz.figures): equal to a recount by the queries the pages used
to make, kept by the beat while a round can move, recomputed after an erratum, checked by
verify_results."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from accounts.enums import OrganizationKind
from accounts.models import Organization, Profile
from audit.verification import verify_results
from contests.models import Contest
from quiz import figures
from quiz.enums import RoundKind
from quiz.figures import (
    FIGURES_STALE_SECONDS,
    LIVE_TAIL,
    contests_to_refresh,
    figures_differences,
    figures_fresh,
    figures_recompute,
    figures_refresh,
)
from quiz.models import Attempt, Round, RoundFigures
from quiz.services.attempts import attempt_start, finalize_expired_attempts
from reports import selectors
from tests.factories import ContestFactory, OrganizationFactory, contestant
from tests.quiz.factories import played, sealed_round

pytestmark = pytest.mark.django_db


def _recount(contest, row: RoundFigures) -> dict:
    """A row's figures by the queries the pages made before the figures were kept: the finished
    attempts of the round (or of the contest's weekly rounds), of the unit's branch by its path
    (or the unit alone, or everyone), counted and people counted distinct."""
    qs = Attempt.objects.finished().filter(round__contest=contest)
    if row.round_id is None:
        qs = qs.filter(round__kind=RoundKind.WEEKLY, round__approved_at__isnull=False)
    else:
        qs = qs.filter(round_id=row.round_id)
    if row.organization_id is not None:
        unit = Organization.objects.get(pk=row.organization_id)
        qs = qs.filter(organization__path__startswith=unit.path) if row.subtree else qs.filter(organization=unit)
    full, near = Q(score=F("round__questions_per_attempt")), Q(score=F("round__questions_per_attempt") - 1)
    return qs.aggregate(
        attempts=Count("id"), participants=Count("user", distinct=True), full_attempts=Count("id", filter=full),
        full_people=Count("user", filter=full, distinct=True), near_attempts=Count("id", filter=near),
        near_people=Count("user", filter=near, distinct=True), fastest_full_ms=Min("duration_ms", filter=full),
    )  # fmt: skip


def _assert_kept_equal_recount(contest):
    rows = list(RoundFigures.objects.filter(contest=contest))
    assert rows, "no figures kept"
    for row in rows:
        kept = {name: getattr(row, name) for name in figures.FIGURE_FIELDS}
        assert kept == _recount(contest, row), (row.round_id, row.organization_id, row.subtree)
    # Every unit where someone took part has its rows: its own and its branch's, each week and overall.
    keys = {(r.round_id, r.organization_id, r.subtree) for r in rows}
    for round_id, org_id, kind in (
        Attempt.objects.finished().filter(round__contest=contest).values_list("round_id", "organization_id", "round__kind")
    ):
        assert {(round_id, org_id, False), (round_id, org_id, True)} <= keys
        if kind == RoundKind.WEEKLY:
            assert {(None, org_id, False), (None, org_id, True)} <= keys


@pytest.fixture
def two_weeks():
    """Two weeks under a bloc, a unit with a cell, a contestant who changed unit during week 1
    (counted for both units that week, once for the bloc), one attempt left open."""
    contest = ContestFactory()
    bloc = OrganizationFactory(name="Đảng ủy Khối", kind=OrganizationKind.BLOC)
    tax = OrganizationFactory(name="Đảng bộ Cục Thuế tỉnh", parent=bloc)
    cell = OrganizationFactory(name="Chi bộ Phòng Kiểm tra", kind=OrganizationKind.CELL, parent=tax)
    power = OrganizationFactory(name="Đảng bộ Công ty Điện lực", parent=bloc)
    an, binh, chi = contestant(organization=cell), contestant(organization=tax), contestant(organization=power)
    week1, week2 = sealed_round(contest=contest, number=1), sealed_round(contest=contest, number=2)
    played(week1, an, 20)
    played(week1, an, 19)
    Profile.objects.filter(user=an).update(organization=power)  # moved, mid-week
    played(week1, an, 20)
    played(week1, binh, 19)
    played(week1, chi, 10)
    played(week2, an, 20)
    played(week2, binh, 20)
    attempt_start(round=week2, user=chi)  # open: counted nowhere
    figures_recompute(contest=contest)
    return contest, {"bloc": bloc, "tax": tax, "cell": cell, "power": power}, (week1, week2)


def test_kept_figures_equal_the_recount_row_by_row(two_weeks):
    contest, units, (week1, _week2) = two_weeks

    _assert_kept_equal_recount(contest)

    kept = figures.figures_read(contest=contest)
    # «An» took part in week 1 under two units: once for each, once for the bloc's branch.
    assert kept.get(week1.pk, units["tax"].pk).participants == 2
    assert kept.get(week1.pk, units["power"].pk).participants == 2
    assert kept.get(week1.pk, units["bloc"].pk).participants == 3
    assert kept.get(week1.pk, units["cell"].pk, subtree=False).attempts == 2
    assert kept.get(None).participants == 3  # the three people across both weeks
    assert kept.get(week1.pk).open_attempts == 0 and kept.get(_week2.pk).open_attempts == 1


def test_the_pages_show_the_same_figures_kept_or_counted_now(two_weeks):
    contest, units, (week1, _week2) = two_weeks

    def shown():
        weeks, total = selectors.weekly_table(contest=contest)
        table = selectors.unit_table(contest=contest, sort="name")
        mine = selectors.unit_table(contest=contest, units=[units["tax"], units["cell"]], round=week1, sort="name")
        stats = selectors.busiest_units(contest=contest)
        return (
            [(w.participants, w.attempts, w.full_attempts, w.full_people, w.near_attempts, w.near_people,
              w.fastest_full_ms) for w in weeks],
            (total.people, total.full_people_distinct, total.attempts),
            [(r.unit.pk, r.participants, r.attempts, r.full_attempts) for r in table + mine + stats],
            selectors.attempts_timeline(contest=contest),
        )  # fmt: skip

    kept = shown()
    with figures_fresh():
        counted = shown()

    assert kept == counted
    assert kept[1] == (3, 2, 7)  # «An» and «Bình» reached 20/20; «Chi» did not


def test_kept_figures_equal_the_recount_on_a_simulated_contest():
    call_command("simulate_contest", "--scale", "0.01", "--seed", "7")  # the simulation keeps them at its end
    contest = Contest.objects.get()

    _assert_kept_equal_recount(contest)
    assert figures_differences(contest=contest) == []


def test_verify_results_names_a_kept_figure_that_was_changed(two_weeks):
    contest, units, (week1, week2) = two_weeks
    later = timezone.now() + datetime.timedelta(days=30)  # both weeks closed and counted since
    with time_machine.travel(later, tick=False):
        finalize_expired_attempts()
        figures_recompute(contest=contest)
        assert verify_results(contest_slug=contest.slug).messages() == []
        RoundFigures.objects.filter(round=week1, organization=units["tax"], subtree=True).update(attempts=99)

        messages = verify_results(contest_slug=contest.slug).messages()

    assert len(messages) == 1
    assert messages[0] == "Tuần thi thứ 1, Đảng bộ Cục Thuế tỉnh, cả đơn vị cấp dưới: số bài thi lưu 99, tính lại 3."


def test_a_live_round_is_left_to_its_staleness_bound_by_verify_results(two_weeks):
    contest, _units, (week1, _week2) = two_weeks
    played(week1, contestant(), 20)  # after the count: the kept figures are behind by one attempt

    assert figures_differences(contest=contest) == []  # week 1 is still open: not compared yet
    assert verify_results(contest_slug=contest.slug).messages() == []  # the pages' roll-ups, counted now


def test_the_beat_recounts_while_a_round_can_move_and_then_stops(two_weeks):
    contest, _units, (week1, week2) = two_weeks
    played(week1, contestant(), 20)

    assert [c for c, _questions in contests_to_refresh()] == [contest]
    assert figures_refresh() == 1
    assert figures.figures_read(contest=contest).get(week1.pk).attempts == 6

    closes = max(week1.closes_at, week2.closes_at)
    with time_machine.travel(closes + LIVE_TAIL + datetime.timedelta(minutes=1), tick=False):
        assert [c for c, _questions in contests_to_refresh()] == [contest]  # counted before the tail: once more
        figures_refresh()
        assert [c for c, _questions in contests_to_refresh()] == [contest]  # an attempt was still open
        finalize_expired_attempts()  # the beat closes what time ran out on
        figures_refresh()
        assert contests_to_refresh() == []  # closed, counted after the tail, nothing open: left alone
    _assert_kept_equal_recount(contest)


def test_each_questions_answers_are_counted_at_most_every_quarter_hour(two_weeks):
    contest, _units, (week1, _week2) = two_weeks
    counted_at = RoundFigures.objects.get(round=week1, organization=None).questions_at

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5), tick=False):
        assert contests_to_refresh() == [(contest, False)]
        figures_refresh()
    assert RoundFigures.objects.get(round=week1, organization=None).questions_at == counted_at
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16), tick=False):
        assert contests_to_refresh() == [(contest, True)]


def test_a_contest_never_counted_is_counted_on_the_page_until_the_beat_keeps_it(django_assert_max_num_queries):
    contest = ContestFactory()
    week = sealed_round(contest=contest, number=1)
    played(week, contestant(), 20)

    weeks, total = selectors.weekly_table(contest=contest)

    assert (weeks[0].attempts, total.people, total.computed_at) == (1, 1, None)
    assert not RoundFigures.objects.exists()
    figures_refresh()
    weeks, total = selectors.weekly_table(contest=contest)
    assert total.computed_at is not None and weeks[0].attempts == 1


def test_the_beat_runs_as_often_as_the_staleness_bound_says():
    entry = settings.CELERY_BEAT_SCHEDULE["quiz-refresh-figures"]

    assert entry["task"] == "quiz.tasks.refresh_figures"
    assert entry["schedule"] == FIGURES_STALE_SECONDS


def test_the_round_figures_page_reads_the_kept_figures(client, two_weeks, django_assert_num_queries):
    from accounts.enums import Role
    from tests.factories import staff_user

    contest, _units, (week1, _week2) = two_weeks
    client.force_login(staff_user(Role.ORGANIZER))
    client.get(f"/quiz/manage/rounds/{week1.pk}/")

    html = client.get(f"/quiz/manage/rounds/{week1.pk}/").content.decode()

    assert 'data-stat="attempts">5<' in html and 'data-stat="participants">3<' in html
    assert "data-figures-updated" in html and "data-questions-updated" in html
    with figures_fresh():
        counted = selectors_round_stats(week1)
    kept = selectors_round_stats(week1)
    assert (kept.distribution, kept.per_question) == (counted.distribution, counted.per_question)
    assert sum(q["shown"] for q in kept.per_question) == 5 * 20


def selectors_round_stats(round):
    from quiz.selectors import round_stats

    return round_stats(round=Round.objects.select_related("contest").get(pk=round.pk))


def test_the_command_recounts_a_contest_by_hand_and_refuses_an_unknown_one(two_weeks, capsys):
    """`refresh_figures --contest SLUG` (the runbook's, after the beat was down) puts back what the
    attempts say; an unknown slug is a clear error in Vietnamese."""
    from django.core.management.base import CommandError

    contest, units, (week1, _week2) = two_weeks
    later = timezone.now() + datetime.timedelta(days=30)
    with time_machine.travel(later, tick=False):
        finalize_expired_attempts()
        figures_recompute(contest=contest)
        RoundFigures.objects.filter(round=week1, organization=units["tax"], subtree=True).update(attempts=99)

        call_command("refresh_figures", contest=contest.slug)

        assert "Đã đếm lại số liệu" in capsys.readouterr().out
        assert verify_results(contest_slug=contest.slug).messages() == []
        with pytest.raises(CommandError, match="Không có cuộc thi nào có slug «khong-co»"):
            call_command("refresh_figures", contest="khong-co")
        call_command("refresh_figures")
        assert "Đã đếm lại số liệu của 0 cuộc thi." in capsys.readouterr().out
