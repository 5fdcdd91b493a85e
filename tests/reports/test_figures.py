import datetime

import pytest
import time_machine
from django.utils import timezone

from accounts.enums import OrganizationKind, Role
from accounts.models import Organization
from contests.models import Contest
from quiz.figures import figures_recompute
from quiz.models import Prize, Round
from quiz.services.attempts import attempt_start, attempt_submit
from quiz.services.prizes import round_prizes_draft
from reports import selectors
from tests.budgets import QUERIES
from tests.factories import ContestFactory, OrganizationFactory, contestant, staff_user
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db


def _take(round, user, right, seconds):
    """An attempt started `seconds` ago and submitted now (the clock travels, no row is written by hand)."""
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(seconds=seconds), tick=False) as clock:
        attempt = attempt_start(round=round, user=user)
        clock.move_to(now)
        attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=right))


def known_contest_build():
    """Two weeks, two grassroots units (one with a party cell), hand-countable attempts."""
    contest = ContestFactory()
    bloc = OrganizationFactory(name="Đảng ủy Khối", kind=OrganizationKind.BLOC)
    tax = OrganizationFactory(name="Đảng bộ Cục Thuế tỉnh", parent=bloc, member_count=10)
    tax_cell = OrganizationFactory(name="Chi bộ Phòng Kiểm tra", kind=OrganizationKind.CELL, parent=tax)
    power = OrganizationFactory(name="Đảng bộ Công ty Điện lực", parent=bloc)
    OrganizationFactory(name="Đảng bộ Sở Y tế", parent=bloc, member_count=50)  # nobody took part
    an, binh, chi = contestant(organization=tax_cell), contestant(organization=tax), contestant(organization=power)
    week1 = sealed_round(contest=contest, number=1, prizes_first=1, prizes_second=0, prizes_third=0, prizes_consolation=0)
    week2 = sealed_round(contest=contest, number=2)
    _take(week1, an, 20, 30)
    _take(week1, an, 19, 40)
    _take(week1, binh, 20, 25)
    _take(week1, chi, 10, 90)
    _take(week2, an, 19, 50)
    _take(week2, chi, 20, 60)
    attempt_start(round=week2, user=binh)  # still open: counted nowhere
    Round.objects.filter(pk=week1.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    round_prizes_draft(round=Round.objects.get(pk=week1.pk))
    figures_recompute(contest=contest)  # what the beat does (quiz.figures)
    return contest, tax, power


@pytest.fixture
def known_contest(_known_contest_rows):
    """known_contest_build's contest and units: built once for the module where its tests can
    share them (tests/conftest.py, `_known_contest_rows`), each test with fresh instances; else
    built for each test."""
    if _known_contest_rows is None:
        return known_contest_build()
    contest, tax, power = _known_contest_rows
    return Contest.objects.get(pk=contest.pk), Organization.objects.get(pk=tax.pk), Organization.objects.get(pk=power.pk)


def test_weekly_table_on_known_data(known_contest):
    contest, _tax, _power = known_contest

    weeks, total = selectors.weekly_table(contest=contest)

    assert [(w.participants, w.attempts, w.full_attempts, w.full_people, w.near_attempts, w.fastest_full_ms) for w in weeks] == [
        (3, 4, 2, 2, 1, 25_000),
        (2, 2, 1, 1, 1, 60_000),
    ]
    assert (total.participants, total.attempts, total.full_attempts, total.near_attempts, total.fastest_full_ms) == (
        5,
        6,
        3,
        2,
        25_000,
    )
    # an, binh and chi: five «lượt người» over two weeks are three people; an's 20/20 and binh's in
    # week 1 and chi's in week 2 are three people too
    assert (total.people, total.full_people_distinct) == (3, 3)
    assert [(w.people, w.full_people_distinct) for w in weeks] == [(None, None), (None, None)]


def test_weekly_table_is_one_query(known_contest, django_assert_num_queries):
    contest, _tax, _power = known_contest

    with django_assert_num_queries(2):  # the rounds, then the kept figures
        selectors.weekly_table(contest=contest)


def test_unit_table_rolls_cells_up_and_adds_up_to_the_contest(known_contest):
    contest, tax, power = known_contest

    rows = {r.unit.name: r for r in selectors.unit_table(contest=contest)}

    assert (rows[tax.name].participants, rows[tax.name].attempts, rows[tax.name].full_attempts) == (2, 4, 2)
    assert rows[tax.name].rate == 0.2
    assert rows[tax.name].prizes == {"first": 1}  # binh: 20/20 in 25 s
    assert (rows[power.name].participants, rows[power.name].attempts, rows[power.name].full_attempts) == (1, 2, 1)
    assert rows["Đảng bộ Sở Y tế"].attempts == 0 and rows["Đảng bộ Sở Y tế"].rate == 0
    _weeks, total = selectors.weekly_table(contest=contest)
    assert sum(r.attempts for r in rows.values()) == total.attempts
    assert sum(r.full_attempts for r in rows.values()) == total.full_attempts
    assert sum(r.prize_total for r in rows.values()) == Prize.objects.count()


def test_unit_table_sorts_laggards_first_and_names_in_vietnamese_order(known_contest):
    contest, _tax, _power = known_contest
    by_rate = selectors.unit_table(contest=contest, sort="rate")
    assert by_rate[0].unit.name in ("Đảng bộ Công ty Điện lực", "Đảng bộ Sở Y tế")
    names = [r.unit.name for r in selectors.unit_table(contest=contest, sort="name")]
    assert names == ["Đảng bộ Công ty Điện lực", "Đảng bộ Cục Thuế tỉnh", "Đảng bộ Sở Y tế"]


def test_dashboard_page_and_query_count(client, known_contest, django_assert_num_queries):
    contest, tax, _power = known_contest
    client.force_login(staff_user(Role.SECRETARIAT))
    client.get("/reports/")
    with django_assert_num_queries(QUERIES["dashboard"]):
        html = client.get("/reports/").content.decode()
    assert 'data-total="attempts">6<' in html
    assert "Đảng bộ Cục Thuế tỉnh" in html
    week3 = sealed_round(contest=contest, number=3)
    for _ in range(3):
        _take(week3, contestant(organization=OrganizationFactory(parent=tax.parent)), 15, 100)
    figures_recompute(contest=contest)
    with django_assert_num_queries(QUERIES["dashboard"]):
        client.get("/reports/")


def test_public_stats_show_totals_and_are_cached(client, known_contest, django_assert_num_queries):
    html = client.get("/stats/").content.decode()
    assert "5 lượt người tham gia với 6 bài thi." in html
    assert "<svg" in html
    with django_assert_num_queries(QUERIES["stats_cached"]):
        client.get("/stats/")


def test_unit_table_counts_essays_for_the_unit_written_about(known_contest):
    from essays.models import EssayPrize
    from tests.essays.factories import EssayFactory, EssayPhaseFactory

    contest, tax, _power = known_contest
    phase = EssayPhaseFactory(contest=contest)
    cell = tax.children.first()
    awarded = EssayFactory(phase=phase, subject_organization=cell, status="submitted", eligibility="eligible")
    EssayFactory(phase=phase, subject_organization=tax, status="submitted", eligibility="ineligible")
    EssayFactory(phase=phase, subject_organization=tax)  # a draft is not counted
    EssayPrize.objects.create(essay=awarded, tier="first", rank=1)

    row = next(r for r in selectors.unit_table(contest=contest) if r.unit == tax)

    assert (row.essays_submitted, row.essays_eligible, row.essays_awarded) == (2, 1, 1)


def test_attempts_timeline_adds_up(known_contest):
    contest, _tax, _power = known_contest
    by_day, by_hour = selectors.attempts_timeline(contest=contest)
    assert sum(n for _d, n in by_day) == sum(n for _h, n in by_hour) == 6
    assert len(by_hour) == 24
