"""Bursts of the public's votes on essays in the integrity review (audit.integrity.vote_bursts):
one address with many votes from several numbers within an hour, or many numbers from one /24."""

import datetime

import pytest
from django.utils import timezone

from audit import integrity
from essays.models import EssayVote
from essays.votes import vote_day
from tests.essays.test_votes import published, vote_phase, voter

pytestmark = pytest.mark.django_db


def _votes(essays, *, ips, numbers, at):
    people = [voter() for _ in range(numbers)]
    rows = []
    for i, ip in enumerate(ips):
        person = people[i % numbers]
        essay = essays[(i // numbers) % len(essays)]
        moment = at + datetime.timedelta(seconds=i)
        day = vote_day(moment)
        rows.append(EssayVote(essay=essay, voter=person, phone=person.phone, day=day, ip_address=ip, created_at=moment))
    EssayVote.objects.bulk_create(rows, ignore_conflicts=True)
    return people


def _hour():
    return timezone.now().replace(minute=5, second=0, microsecond=0) - datetime.timedelta(hours=2)


def test_one_address_many_votes_from_several_numbers_is_a_case(django_assert_max_num_queries):
    phase = vote_phase()
    essays = [published(phase) for _ in range(5)]
    people = _votes(essays, ips=["203.0.113.7"] * 25, numbers=5, at=_hour())
    _votes(essays[:2], ips=["198.51.100.1"] * 2, numbers=2, at=_hour())  # two readers at home: nothing
    with django_assert_max_num_queries(3):  # two queries, and one for the voters of the one case
        found = integrity.vote_bursts(contest=phase.contest)
    assert [case.kind for case in found] == ["vote_ip"]
    case = found[0]
    assert "203.0.113.7" in case.description and "25 lượt bình chọn" in case.description
    assert sorted(case.user_ids) == sorted(p.pk for p in people)
    assert case.key in {c.key for c in integrity.cases(contest=phase.contest)}


def test_many_numbers_from_one_block_is_a_case():
    phase = vote_phase()
    essays = [published(phase) for _ in range(2)]
    ips = [f"192.0.2.{i}" for i in range(1, 17)]  # 16 addresses, one number each
    _votes(essays, ips=ips, numbers=16, at=_hour())
    found = integrity.vote_bursts(contest=phase.contest)
    assert [case.kind for case in found] == ["vote_block"]
    assert "192.0.2.0/24" in found[0].description and len(found[0].user_ids) == 16


def test_votes_spread_over_hours_are_no_case():
    phase = vote_phase()
    essays = [published(phase) for _ in range(5)]
    start = _hour() - datetime.timedelta(hours=10)
    for h in range(5):
        _votes(essays, ips=["203.0.113.8"] * 5, numbers=5, at=start + datetime.timedelta(hours=h))
    assert integrity.vote_bursts(contest=phase.contest) == []


def test_the_scan_stores_a_vote_case_and_details_have_no_quiz_weeks():
    phase = vote_phase()
    essays = [published(phase) for _ in range(5)]
    _votes(essays, ips=["203.0.113.9"] * 20, numbers=5, at=_hour())
    scan = integrity.scan_run(contest=phase.contest)
    assert scan.found.filter(kind="vote_ip").count() == 1
    page, _scan, kinds = integrity.scanned_page(contest=phase.contest, kind="vote_ip")
    assert kinds["vote_ip"] == 1
    detailed = integrity.with_details(contest=phase.contest, cases=page.object_list)
    vote_case = next(c for c in detailed if c.kind == "vote_ip")
    assert len(vote_case.accounts) == 5 and vote_case.weeks == []
