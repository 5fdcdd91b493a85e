"""The organizers' round page: each judge's progress and the median of their totals (a slow or a
harsh judge shows), the essays' medians beside their means; constant queries."""

import statistics

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.enums import Role
from essays import judging
from essays import selectors as essay_selectors
from essays.models import Assignment
from tests.budgets import QUERIES
from tests.essays.test_conflicts import REASON, _round
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


def _score(round, judge, values):
    sheets = Assignment.objects.filter(round=round, judge=judge).order_by("essay__code")
    for sheet, value in zip(sheets, values, strict=False):
        points = {c.pk: value for c in round.criteria.all()}
        judging.sheet_save(assignment=sheet, judge=judge, points=points, comment="", submit=True)


def test_each_judges_progress_and_median_against_the_panels():
    round, (lenient, strict, slow) = _round(judges=3, essays=3)
    _score(round, lenient, [18, 16, 14])  # totals 90, 80, 70 (5 criteria of weight 1)
    _score(round, strict, [8, 6, 4])  # 40, 30, 20
    _score(round, slow, [10])  # 50, then two sheets untouched

    results = essay_selectors.round_results(round=round)
    panel = essay_selectors.judge_summaries(round=round, results=results)
    by_judge = {j.judge_id: j for j in panel.judges}

    assert panel.median == statistics.median([90, 80, 70, 40, 30, 20, 50]) == 50
    assert (panel.submitted, panel.sheets) == (7, 9)
    assert (by_judge[lenient.pk].median, by_judge[lenient.pk].offset) == (80, 30)
    assert (by_judge[strict.pk].median, by_judge[strict.pk].offset) == (30, -20)
    assert (by_judge[slow.pk].submitted, by_judge[slow.pk].sheets, by_judge[slow.pk].percent) == (1, 3, 33)
    # The essays' medians beside their means.
    first = min(results, key=lambda r: r.essay.code)
    assert (first.mean, first.median) == (60, 50)


def test_a_conflict_is_counted_apart_from_the_sheets_to_score():
    round, (judge, *_rest) = _round(judges=3, essays=2)
    sheet = Assignment.objects.filter(round=round, judge=judge).first()
    judging.conflict_declare(assignment=sheet, judge=judge, reason=REASON)
    panel = essay_selectors.judge_summaries(round=round, results=essay_selectors.round_results(round=round))
    mine = next(j for j in panel.judges if j.judge_id == judge.pk)
    assert (mine.sheets, mine.conflicts, mine.median) == (1, 1, None)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=6), min_size=1, max_size=5))
def test_the_panel_median_is_the_median_of_every_total(totals_per_judge):
    """Whatever the totals, each judge's median and offset come from their own totals and the
    panel's median from all of them (computed here from plain results, no database)."""
    results = []
    for n in range(max(len(t) for t in totals_per_judge)):
        result = essay_selectors.EssayResult(essay=None)
        for judge_id, totals in enumerate(totals_per_judge, start=1):
            if n < len(totals):
                result.totals[judge_id] = float(totals[n])
        results.append(result)
    every = [t for totals in totals_per_judge for t in totals]
    expected = statistics.median(every)
    medians = {j: statistics.median(t) for j, t in enumerate(totals_per_judge, start=1)}
    # judge_summaries reads names and counts from the sheets; here only its arithmetic is checked.
    from unittest import mock

    rows = [
        {
            "judge_id": j,
            "judge__full_name": f"GK {j}",
            "judge__email": "",
            "sheets": 1,
            "submitted": 1,
            "drafts": 0,
            "conflicts": 0,
        }
        for j in medians
    ]
    with mock.patch.object(essay_selectors.Assignment.objects, "filter") as fake:
        fake.return_value.values.return_value.annotate.return_value.order_by.return_value = rows
        panel = essay_selectors.judge_summaries(round=None, results=results)
    assert panel.median == round(expected, 2)
    for j in panel.judges:
        assert j.median == round(medians[j.judge_id], 2)
        assert j.offset == round(medians[j.judge_id] - expected, 2)


def test_the_round_page_shows_progress_medians_and_conflicts(client):
    round, (lenient, strict, slow) = _round(judges=3, essays=3)
    _score(round, lenient, [18, 16, 14])
    _score(round, strict, [8, 6, 4])
    judging.conflict_declare(assignment=Assignment.objects.filter(judge=slow).first(), judge=slow, reason=REASON)
    client.force_login(staff_user(Role.SECRETARIAT))
    page = client.get(reverse("judging:manage_round", args=[round.pk])).content.decode()
    assert "Tiến độ và mức điểm của giám khảo" in page
    assert "Trung vị tổng điểm của mọi phiếu đã nộp: <strong>55</strong>." in page
    assert "3/3 (100%)" in page and "0/2 (0%)" in page
    assert "+25" in page and "-25" in page
    assert REASON in page
    # The secretariat follows, but only an organizer undoes a conflict.
    assert "conflicts/" not in page


def test_round_page_query_count_is_constant(client, django_assert_num_queries):
    round, (judge, *_rest) = _round(judges=3, essays=2)
    _score(round, judge, [10, 12])
    client.force_login(staff_user(Role.ORGANIZER))
    url = reverse("judging:manage_round", args=[round.pk])
    client.get(url)
    with django_assert_num_queries(QUERIES["judging_round"]):
        client.get(url)
    from tests.essays.factories import EssayFactory

    for _ in range(3):
        EssayFactory(phase=round.phase, status="submitted", eligibility="eligible")
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    judging.conflict_declare(
        assignment=Assignment.objects.filter(judge=judge, status="pending").first(), judge=judge, reason=REASON
    )
    with django_assert_num_queries(QUERIES["judging_round"]):
        client.get(url)
