"""The integrity review's harvesting patterns (audit.harvesting): probes then a high score,
attempts far above the round's median, consecutive attempts that differ in one answer."""

import statistics

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from accounts.enums import Role
from audit import harvesting, integrity
from quiz.models import Attempt, Option
from quiz.services.attempts import attempt_start, attempt_submit
from tests.factories import ContestFactory, contestant, staff_user
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db


def take(round, user, *, right=None, answers=None):
    attempt = attempt_start(round=round, user=user)
    if answers is None:
        answers = answer_all(attempt, right=right) if right else {}
    return attempt_submit(attempt=attempt, user=user, answers=answers)


def week(contest=None, honest=6):
    round = sealed_round(contest=contest or ContestFactory(), pool_size=20, fields=2)
    for n in range(honest):
        person = contestant()
        for _ in range(1 + n % 2):  # one or two attempts each: the median is small
            take(round, person, right=15)
    return round


def probe_once(round, user, question_id, letter):
    """Answer one question (by its bank id) with the option of that letter, nothing else."""
    attempt = attempt_start(round=round, user=user)
    item = attempt.items.get(question_id=question_id)
    index = item.option_ids.index(Option.objects.get(question_id=question_id, letter=letter).pk)
    return attempt_submit(attempt=attempt, user=user, answers={item.position: index})


@given(st.dictionaries(st.integers(0, 50), st.integers(1, 20), min_size=1))
def test_median_from_counts_is_the_median(histogram):
    values = [v for v, n in histogram.items() for _ in range(n)]
    assert harvesting.median_from_counts(histogram) == statistics.median(values)


def test_differing_answers_counts_only_shared_questions_and_blanks_count():
    assert harvesting.differing_answers({1: 10, 2: None, 3: 30}, {1: 10, 2: 21, 4: 40}) == 1
    assert harvesting.differing_answers({1: 10}, {2: 20}) == 0
    assert harvesting.differing_answers({1: 10, 2: 20}, {1: 11, 2: 21}) == 2


def test_probes_then_a_high_score_is_a_case_with_its_evidence():
    round = week()
    cheat = contestant(user__full_name="Trần Văn Dò")
    probes = [take(round, cheat, right=1) for _ in range(5)]
    high = take(round, cheat, right=19)

    cases = [c for c in integrity.cases(contest=round.contest) if cheat.pk in c.user_ids]

    harvest = next(c for c in cases if c.kind == "harvest")
    assert harvest.key == f"harvest:{round.pk}:{cheat.pk}"
    assert harvest.account == f"Trần Văn Dò ({cheat.email})"
    assert harvest.round_name == round.name
    assert "5 bài ngắn điểm thấp rồi một bài 19/20" in harvest.description
    assert f"#{probes[0].pk} … #{probes[-1].pk}" in harvest.evidence[0]
    assert f"Sau đó bài #{high.pk}" in harvest.evidence[1]
    assert [a.id for a in harvest.attempts] == [a.pk for a in [*probes, high]]


def test_four_probes_then_a_high_score_is_not_yet_a_pattern():
    round = week()
    cheat = contestant()
    for _ in range(4):
        take(round, cheat, right=1)
    take(round, cheat, right=20)
    assert not [c for c in integrity.cases(contest=round.contest) if c.kind == "harvest"]


def test_attempts_far_above_the_median_are_a_case():
    round = week()
    busy, keen = contestant(), contestant()
    for _ in range(11):
        take(round, busy, right=10)
    for _ in range(10):
        take(round, keen, right=10)  # at the floor of ten: not flagged

    many = [c for c in integrity.cases(contest=round.contest) if c.kind == "many"]

    assert [c.user_ids for c in many] == [[busy.pk]]
    assert many[0].evidence[0] == "11 bài trong tuần; trung vị 2 bài mỗi người; ngưỡng 10."


def test_attempts_that_differ_from_the_previous_in_one_answer_are_probing():
    round = week()
    prober, honest = contestant(), contestant()
    question = round.pool.first().question_id
    for letter in "ABCD":  # the same question, another option each time
        probe_once(round, prober, question, letter)
    for _ in range(4):
        take(round, honest, right=12)  # every question answered, the answers vary: not probing

    probing = [c for c in integrity.cases(contest=round.contest) if c.kind == "probe"]

    assert [c.user_ids for c in probing] == [[prober.pk]]
    assert probing[0].evidence[0] == "3 trong 3 cặp bài liên tiếp giống nhau ở mọi câu chung, trừ một câu."
    assert "trung vị 1 trên 20 câu" in probing[0].evidence[1]


def test_case_keys_are_stable_as_attempts_come_in_and_decisions_stay():
    round = week()
    busy = contestant()
    for _ in range(11):
        take(round, busy, right=10)
    key = f"many:{round.pk}:{busy.pk}"
    case = next(c for c in integrity.cases(contest=round.contest) if c.key == key)
    integrity.decide(contest=round.contest, case=case, by=staff_user(Role.SECRETARIAT), verdict="clear", reason="Đã gọi điện")

    take(round, busy, right=10)
    again = next(c for c in integrity.cases(contest=round.contest) if c.key == key)

    assert again.decision is not None and again.decision.reason == "Đã gọi điện"
    assert len(again.attempts) == 12


def test_the_review_reads_a_constant_number_of_queries_for_one_harvester_or_three():
    contest = ContestFactory()
    round = week(contest)
    counts = []
    for harvesters in (1, 3):
        for _ in range(harvesters if not counts else harvesters - 1):
            user = contestant()
            for _ in range(6):
                take(round, user, right=1)
            take(round, user, right=19)
        with CaptureQueriesContext(connection) as queries:
            found = integrity.cases(contest=contest)
        counts.append(len(queries))
        assert len({c.user_ids[0] for c in found if c.kind == "harvest"}) == harvesters
    assert counts[0] == counts[1] == 10, counts  # 8, and two for the bursts of votes on essays (vote_bursts)


def test_the_page_names_the_account_the_round_the_evidence_and_the_attempts(client):
    round = week()
    cheat = contestant(user__full_name="Lê Thị Thử")
    attempts = [take(round, cheat, right=1) for _ in range(5)] + [take(round, cheat, right=19)]
    client.force_login(staff_user(Role.SECRETARIAT))

    page = client.get("/reports/integrity/").content.decode()

    assert f'data-case="harvest:{round.pk}:{cheat.pk}"' in page
    assert f"Lê Thị Thử ({cheat.email})" in page
    assert round.name in page
    for attempt in attempts:
        assert f'data-attempt="{attempt.pk}"' in page
    assert "19/20" in page


def test_rounds_where_nobody_is_above_the_floor_cost_one_query():
    round = week()
    contest = round.contest
    with CaptureQueriesContext(connection) as queries:
        assert harvesting.findings(contest=contest) == []
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert Attempt.objects.filter(round=round).count() == 9


def test_reading_the_examined_accounts_a_chunk_at_a_time_finds_the_same_cases(monkeypatch):
    """At a national size the answers of the accounts examined are read a chunk of accounts at a
    time (harvesting.EXAMINE_CHUNK); the cases found are the same whatever the chunk."""
    round = week()
    prober, busy, harvester = contestant(), contestant(), contestant()
    question = round.pool.first().question_id
    for letter in "ABCD":
        probe_once(round, prober, question, letter)
    for _ in range(11):
        take(round, busy, right=10)
    for _ in range(6):
        take(round, harvester, right=1)
    take(round, harvester, right=19)

    def seen():
        return [
            (c.key, c.description, c.evidence, [(a.id, a.answered) for a in c.attempts])
            for c in harvesting.findings(contest=round.contest)
        ]

    whole = seen()
    monkeypatch.setattr(harvesting, "EXAMINE_CHUNK", 1)
    assert seen() == whole
    assert {key.split(":")[0] for key, *_rest in whole} == {"probe", "many", "harvest"}
