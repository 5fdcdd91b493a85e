"""Item analysis (quiz.analysis): figures checked against a case computed by hand, properties
over many random rounds, and a real round analysed end to end."""

import datetime
import math

import numpy as np
import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz import analysis
from quiz.analysis import BLANK, NOT_DRAWN, Flag, Thresholds
from quiz.errors import QuizError
from quiz.models import Option, QuestionStat, RoundStat
from quiz.services.attempts import attempt_start, attempt_submit
from tests.budgets import QUERIES
from tests.factories import contestant
from tests.quiz.factories import sealed_round

NAN = math.nan
EVERY_FLAG = Thresholds(min_attempts=1)


def test_figures_of_a_small_round_computed_by_hand():
    """Four attempts, the same three questions (no holes), four options each, A right:

        attempt  q1 q2 q3  score        chosen q1 q2 q3
        1         1  1  1    3                 A  A  A
        2         1  1  0    2                 A  A  B
        3         1  0  0    1                 A  C  B
        4         0  0  0    0                 C  B  –

    facility p = 3/4, 2/4, 1/4. Item variances p(1 − p) = .1875, .25, .1875, sum .625; the
    scores 3, 2, 1, 0 have variance 1.25, so KR-20 = 3/2 · (1 − .625/1.25) = 0.75.
    Corrected point-biserial of q1: x = 1,1,1,0 against the rest 2,1,0,0: Σdx·dr = .75,
    Σdx² = .75, Σdr² = 2.75, r = .75/√(.75·2.75) = 0.52223; q2: x = 1,1,0,0, rest 2,1,1,0,
    r = 1/√2 = 0.70711; q3 as q1 by symmetry: 0.52223. Upper and lower 27 %: one attempt
    each (round(0.27·4) = 1), attempt 1 and attempt 4: 1 − 0 = 1 for every question."""
    right = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float)
    chosen = np.array([[0, 0, 0], [0, 0, 1], [0, 2, 1], [2, 1, BLANK]])

    figures = analysis.analyse(right=right, chosen=chosen, options=[4, 4, 4], test_length=3, thresholds=EVERY_FLAG)

    assert [item.facility for item in figures.items] == [0.75, 0.5, 0.25]
    assert [round(item.discrimination, 5) for item in figures.items] == [0.52223, 0.70711, 0.52223]
    assert [item.upper_lower for item in figures.items] == [1.0, 1.0, 1.0]
    assert figures.alpha == pytest.approx(0.75)
    assert figures.distribution == [1, 1, 1, 1]
    assert figures.mean == 1.5 and figures.sd == pytest.approx(math.sqrt(1.25))
    # Shares: A, B, C, D, no answer.
    assert figures.items[0].shares == [0.75, 0.0, 0.25, 0.0, 0.0]
    assert figures.items[1].shares == [0.5, 0.25, 0.25, 0.0, 0.0]
    assert figures.items[2].shares == [0.25, 0.5, 0.0, 0.0, 0.25]
    assert figures.items[0].flags == [Flag.UNUSED_OPTION]
    assert figures.items[2].flags == [Flag.UNUSED_OPTION]


def test_alpha_with_holes_is_pairwise_computed_by_hand():
    """Three questions, each attempt draws two (test length 2):

        attempt  q1 q2 q3
        1         1  1  –     pair (1,2) over attempts 1, 2: variances .25, .25, covariance .25
        2         0  0  –
        3         –  1  0     pair (2,3) over attempts 3, 4: variances .25, .25, covariance −.25
        4         –  0  1
        5         1  –  1     pair (1,3) over attempts 5, 6: variances .25, .25, covariance .25
        6         0  –  0

    v̄ = .25, c̄ = (.25 − .25 + .25)/3 = 1/12, alpha = 2·(1/12) / (.25 + 1/12) = 0.5."""
    right = np.array([[1, 1, NAN], [0, 0, NAN], [NAN, 1, 0], [NAN, 0, 1], [1, NAN, 1], [0, NAN, 0]])

    assert analysis.cronbach_alpha(right, test_length=2) == pytest.approx(0.5)
    # Without the third pair the two left cancel out.
    assert analysis.cronbach_alpha(right[:4], test_length=2) == pytest.approx(0.0)


def test_flags_follow_the_thresholds():
    n = 40
    easy = np.ones(n)
    easy[0] = 0
    scores = np.arange(n, dtype=float)
    chosen = np.where(easy == 1, 0, 1)
    item = analysis.item_figures(right=easy, scores=scores + easy, chosen=chosen, options=2)
    assert item.facility == 39 / 40 and Flag.EASY in item.flags
    # The weakest got it right, the strongest wrong: negative discrimination, too hard.
    hard = np.zeros(n)
    hard[:3] = 1
    item = analysis.item_figures(right=hard, scores=scores + hard, chosen=np.where(hard == 1, 0, 1), options=3)
    assert Flag.HARD in item.flags and Flag.NEGATIVE in item.flags and Flag.UNUSED_OPTION in item.flags
    assert item.upper_lower < 0
    # Fewer attempts than the minimum: figures, no flags.
    item = analysis.item_figures(right=hard[:10], scores=scores[:10], chosen=np.zeros(10, dtype=int), options=2)
    assert item.facility == 0.3 and item.flags == []


@st.composite
def rounds(draw):
    attempts = draw(st.integers(1, 25))
    questions = draw(st.integers(1, 8))
    length = draw(st.integers(1, questions))
    options = draw(st.lists(st.integers(2, 6), min_size=questions, max_size=questions))
    right = np.full((attempts, questions), NAN)
    chosen = np.full((attempts, questions), NOT_DRAWN)
    for i in range(attempts):
        drawn = draw(st.lists(st.integers(0, questions - 1), min_size=length, max_size=length, unique=True))
        for j in drawn:
            pick = draw(st.integers(-1, options[j] - 1))
            chosen[i, j] = pick
            right[i, j] = 1.0 if pick == 0 else 0.0
    return right, chosen, options, length


@settings(max_examples=150, deadline=None)
@given(rounds())
def test_properties_of_any_round(case):
    right, chosen, options, length = case
    figures = analysis.analyse(right=right, chosen=chosen, options=options, test_length=length)
    for j, item in enumerate(figures.items):
        assert item.attempts == int((chosen[:, j] != NOT_DRAWN).sum())
        if item.attempts:
            assert 0.0 <= item.facility <= 1.0
            assert math.isclose(sum(item.shares), 1.0)
            assert item.shares[0] == pytest.approx(item.facility)
        if item.discrimination is not None:
            assert -1.0 <= item.discrimination <= 1.0
        if item.upper_lower is not None:
            assert -1.0 <= item.upper_lower <= 1.0
    if figures.alpha is not None:
        assert figures.alpha <= 1.0
    assert sum(figures.distribution) == right.shape[0]


def _closed(round, clock):
    """The round closes: the clock (time-machine's fixture) moves past its closing time."""
    clock.move_to(round.closes_at + datetime.timedelta(seconds=1), tick=False)
    round.refresh_from_db()
    return round


@pytest.mark.django_db
def test_a_round_is_analysed_from_its_finished_attempts_and_stored(time_machine):
    round = sealed_round(pool_size=20, fields=2)
    people = [contestant() for _ in range(5)]
    for n, person in enumerate(people):
        attempt = attempt_start(round=round, user=person)
        answers = {}
        for item in attempt.items.order_by("position"):
            letters = dict(Option.objects.filter(pk__in=item.option_ids).values_list("pk", "letter"))
            index = {letters[oid]: i for i, oid in enumerate(item.option_ids)}
            # Question by question: the first n + 1 questions of the pool right (A), the others B.
            answers[item.position] = index["A"] if item.question_id in _first(round, n + 1) else index["B"]
        attempt_submit(attempt=attempt, user=person, answers=answers)
    attempt_start(round=round, user=contestant())  # open: not counted
    with pytest.raises(QuizError, match="sau khi tuần thi đã đóng"):
        analysis.round_analyse(round=round)

    stat = analysis.round_analyse(round=_closed(round, time_machine))

    assert stat.attempts == 5 and stat.test_length == 20
    assert stat.distribution[1:6] == [1, 1, 1, 1, 1] and stat.mean == 3.0
    pool = _first(round, 20)
    stats = {s.question_id: s for s in QuestionStat.objects.filter(round=round)}
    assert len(stats) == 20
    assert [stats[q].facility for q in pool[:6]] == [1.0, 0.8, 0.6, 0.4, 0.2, 0.0]
    assert stats[pool[0]].option_shares == {"A": 1.0, "B": 0.0, "C": 0.0, "D": 0.0, "": 0.0}
    assert stats[pool[5]].option_shares["B"] == 1.0  # A is right; everyone chose the next one
    # Safe to run again: the same figures, no duplicates.
    again = analysis.round_analyse(round=round)
    assert again.pk == stat.pk and QuestionStat.objects.filter(round=round).count() == 20


def _first(round, n):
    return list(round.pool.order_by("question_id").values_list("question_id", flat=True))[:n]


@pytest.mark.django_db
def test_the_task_analyses_closed_rounds_not_yet_analysed(time_machine):
    from quiz import tasks

    round = sealed_round(pool_size=20, fields=2)
    person = contestant()
    attempt = attempt_start(round=round, user=person)
    attempt_submit(attempt=attempt, user=person, answers={})
    assert tasks.analyse_closed_rounds() == 0  # still open
    _closed(round, time_machine)
    assert tasks.analyse_closed_rounds() == 1
    assert tasks.analyse_closed_rounds() == 0  # done once
    assert RoundStat.objects.get(round=round).attempts == 1
    call_command("analyse_round", str(round.pk))
    assert RoundStat.objects.get(round=round).attempts == 1


@pytest.fixture
def analysed_round(time_machine):
    round = sealed_round(pool_size=20, fields=2)
    for n in range(4):
        person = contestant()
        attempt = attempt_start(round=round, user=person)
        answers = {}
        for item in attempt.items.order_by("position"):
            letters = dict(Option.objects.filter(pk__in=item.option_ids).values_list("pk", "letter"))
            index = {letters[oid]: i for i, oid in enumerate(item.option_ids)}
            answers[item.position] = index["A"] if item.question_id in _first(round, n + 1) else index["C"]
        attempt_submit(attempt=attempt, user=person, answers=answers)
    analysis.round_analyse(round=_closed(round, time_machine))
    return round


@pytest.mark.django_db
def test_the_admin_shows_the_analysis_beside_the_round_and_each_question(client, analysed_round):
    from accounts.enums import Role
    from tests.factories import staff_user

    round = analysed_round
    first = round.pool.order_by("question_id").first().question
    QuestionStat.objects.filter(round=round, question=first).update(flags=[Flag.EASY, Flag.UNUSED_OPTION])
    client.force_login(staff_user(Role.ORGANIZER))

    html = client.get(f"/admin/quiz/round/{round.pk}/analysis/").content.decode()
    assert "data-round-stat" in html and html.count('<tr class="flagged"') >= 1
    assert f'data-question="{first.code}"' in html and "⚑ quá dễ" in html and "có phương án không ai chọn" in html
    page = client.get("/admin/quiz/question/").content.decode()
    assert "p 1,00 · r –" in page and "⚑ quá dễ, có phương án không ai chọn" in page
    detail = client.get(f"/admin/quiz/question/{first.pk}/change/").content.decode()
    assert "phân tích câu hỏi theo từng tuần thi" in detail.lower()
    assert "A 100% · B 0% · C 0% · D 0% · bỏ trống 0%" in detail


@pytest.mark.django_db
def test_the_analysis_page_costs_the_same_queries_whatever_the_pool(client, analysed_round, django_assert_max_num_queries):
    from accounts.enums import Role
    from tests.factories import staff_user

    client.force_login(staff_user(Role.SECRETARIAT))
    url = f"/admin/quiz/round/{analysed_round.pk}/analysis/"
    with django_assert_max_num_queries(QUERIES["admin_round_analysis"]):
        response = client.get(url)
    assert response.status_code == 200
    assert 'type="submit"' not in response.content.decode().split("data-question-stats")[1]  # no run button
    assert client.post(url).status_code == 403


@pytest.mark.django_db
def test_the_analysis_exports_to_excel_with_safe_cells(client, analysed_round):
    from io import BytesIO

    from openpyxl import load_workbook

    from accounts.enums import Role
    from quiz.models import Question
    from tests.factories import staff_user

    question = analysed_round.pool.order_by("question_id").first().question
    Question.objects.filter(pk=question.pk).update(text='=HYPERLINK("http://x")')
    client.force_login(staff_user(Role.ORGANIZER))

    response = client.get(f"/admin/quiz/round/{analysed_round.pk}/analysis.xlsx")

    workbook = load_workbook(BytesIO(response.content))
    rows = list(workbook["Câu hỏi"].values)
    assert rows[0][:7] == ("Mã câu", "Lĩnh vực", "Câu hỏi", "Số bài thi", "Độ dễ (p)", "Độ phân biệt (r)", "Chỉ số nhóm 27 %")
    row = next(r for r in rows if r[0] == question.code)
    assert row[2] == '\'=HYPERLINK("http://x")' and row[3] == 4 and row[4] == 1.0
    summary = dict(r[:2] for r in workbook["Tuần thi"].values if r and r[0] is not None)
    assert summary["Số bài thi"] == 4


@pytest.mark.django_db
def test_an_organizer_runs_the_analysis_again_from_the_page(client, analysed_round, django_capture_on_commit_callbacks):
    from accounts.enums import Role
    from tests.factories import staff_user

    RoundStat.objects.filter(round=analysed_round).delete()
    client.force_login(staff_user(Role.ORGANIZER))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/quiz/round/{analysed_round.pk}/analysis/")
    assert response.status_code == 302
    assert RoundStat.objects.get(round=analysed_round).attempts == 4
