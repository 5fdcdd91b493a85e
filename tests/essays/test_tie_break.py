"""Tied essays (equal normalized score and mean) take prize places by the tie-break written in
essays.selectors.result_order: the smaller spread between judges, then the earlier submission,
then the essay's id; never the essay's code. The same key orders verify_results' recomputation."""

import datetime
import random

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from audit.verification.essays import recompute
from contests.enums import PrizeTier
from essays import judging
from essays import selectors as essay_selectors
from essays.models import Assignment, Essay, EssayPrize
from tests.essays.factories import EssayPhaseFactory
from tests.essays.test_judging import _eligible, _round


def _mark(round, marks):
    """marks: judge -> essay -> points per criterion (five criteria of weight 1)."""
    for judge, per_essay in marks.items():
        for essay, value in per_essay.items():
            sheet = Assignment.objects.get(judge=judge, essay=essay)
            points = {c.pk: value for c in round.criteria.all()}
            judging.sheet_save(assignment=sheet, judge=judge, points=points, comment="", submit=True)


def _final(phase, marks_for):
    round, judges = _round(phase, judges=2)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    _mark(round, marks_for(*judges))
    judging.round_close(round=round)
    return round


@pytest.mark.django_db
def test_a_tie_goes_to_the_essay_the_judges_agreed_on_not_to_the_smaller_code():
    phase = EssayPhaseFactory()
    a, b = _eligible(phase, 2)  # a has the smaller code and id
    # a: 60 and 80 (mean 70, spread 20); b: 70 and 70 (mean 70, spread 0). Per judge, a and b are
    # one standard deviation either side of the judge's mean: both normalize to 0.
    round = _final(phase, lambda j1, j2: {j1: {a: 12, b: 14}, j2: {a: 16, b: 14}})

    results = essay_selectors.round_results(round=round)

    assert [(r.essay, r.mean, r.normalized, r.rank, r.tied) for r in results] == [
        (b, 70, 0, 1, True), (a, 70, 0, 1, True),
    ]  # fmt: skip
    judging.prizes_award(round=round, plan=[(PrizeTier.FIRST, 1), (PrizeTier.SECOND, 1)])
    assert [(p.essay, p.tier, p.rank) for p in EssayPrize.objects.order_by("rank")] == [
        (b, PrizeTier.FIRST, 1), (a, PrizeTier.SECOND, 2),
    ]  # fmt: skip
    codes = {e.pk: e.code for e in (a, b)}
    assert [row["essay_id"] for row in recompute(round, codes)] == [b.pk, a.pk]


@pytest.mark.django_db
def test_with_the_same_spread_the_earlier_submission_comes_first():
    phase = EssayPhaseFactory()
    a, b = _eligible(phase, 2)
    now = timezone.now()
    Essay.objects.filter(pk=a.pk).update(submitted_at=now)
    Essay.objects.filter(pk=b.pk).update(submitted_at=now - datetime.timedelta(hours=1))
    round = _final(phase, lambda j1, j2: {j1: {a: 15, b: 15}, j2: {a: 11, b: 11}})

    results = essay_selectors.round_results(round=round)

    assert [(r.essay, r.rank, r.tied) for r in results] == [(b, 1, True), (a, 1, True)]
    judging.prizes_award(round=round, plan=[(PrizeTier.FIRST, 1), (PrizeTier.SECOND, 1)])
    assert EssayPrize.objects.get(tier=PrizeTier.FIRST).essay == b
    submitted = dict(Essay.objects.filter(pk__in=[a.pk, b.pk]).values_list("pk", "submitted_at"))
    assert [row["essay_id"] for row in recompute(round, {a.pk: a.code, b.pk: b.code}, submitted)] == [b.pk, a.pk]


START = datetime.datetime(2022, 8, 1, tzinfo=datetime.UTC)
results = st.builds(
    dict,
    normalized=st.one_of(st.none(), st.sampled_from([-1.0, 0.0, 0.5, 1.0])),
    mean=st.sampled_from([40.0, 70.0, 90.0]),
    spread=st.sampled_from([0.0, 5.0, 20.0]),
    submitted_at=st.one_of(st.none(), st.integers(0, 3).map(lambda h: START + datetime.timedelta(hours=h))),
)


@given(st.lists(results, min_size=1, max_size=12), st.randoms())
def test_the_order_is_total_and_follows_the_written_tie_break(rows, rnd: random.Random):
    rows = [dict(row, essay_id=i) for i, row in enumerate(rows)]
    if any(row["normalized"] is None for row in rows):
        for row in rows:  # an essay without a normalized score has no sheet: no mean or spread either
            if row["normalized"] is None:
                row.update(mean=None, spread=None)
    shuffled = rows[:]
    rnd.shuffle(shuffled)

    ordered = sorted(rows, key=lambda r: essay_selectors.result_order(**r))

    assert ordered == sorted(shuffled, key=lambda r: essay_selectors.result_order(**r))  # input order never matters
    for before, after in zip(ordered, ordered[1:]):
        if after["normalized"] is None:
            continue
        assert before["normalized"] is not None and before["normalized"] >= after["normalized"]
        if before["normalized"] == after["normalized"]:
            assert before["mean"] >= after["mean"]
            if before["mean"] == after["mean"]:  # a tie: spread, then submission, then id
                tb = (before["spread"], before["submitted_at"] or datetime.datetime.max.replace(tzinfo=datetime.UTC))
                ta = (after["spread"], after["submitted_at"] or datetime.datetime.max.replace(tzinfo=datetime.UTC))
                assert tb < ta or (tb == ta and before["essay_id"] < after["essay_id"])
