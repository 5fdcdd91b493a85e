"""The item analysis after an erratum (quiz.analysis over quiz.services.errata): a re-keyed question
is scored by every letter accepted now, an annulled one is flagged and left out of the figures
that judge questions, the analysis is made again when the erratum commits, and the beat repeats
one made under an older key."""

import collections

import numpy as np
import pytest

from accounts.enums import Role
from quiz import analysis, errata, scoring
from quiz.analysis import Flag
from quiz.enums import ErratumAction
from quiz.models import Attempt, AttemptQuestion, Option, QuestionStat, RoundErratum, RoundStat
from quiz.services.errata import round_erratum
from quiz.tasks import analyse_closed_rounds
from tests.factories import staff_user
from tests.quiz.test_errata import REASON, _played

pytestmark = pytest.mark.django_db


def _wrong_row(round, user):
    """A question this contestant answered wrong (position 20 of a 19/20), and her letter."""
    item = AttemptQuestion.objects.get(attempt__round=round, attempt__user=user, position=20)
    return item.question, Option.objects.get(pk=item.option_ids[item.chosen_index]).letter


def _stat(round, question):
    return QuestionStat.objects.get(round=round, question=question)


def _facility_by_hand(round, question, key: str) -> float:
    """The share of the attempts that drew the question whose answer is right under `key`."""
    letters = dict(Option.objects.filter(question=question).values_list("pk", "letter"))
    rows = AttemptQuestion.objects.filter(attempt__round=round, question=question).select_related("attempt")
    right = []
    for row in rows:
        counts = scoring.answer_counts(chosen_index=row.chosen_index, answered_at=row.answered_at, deadline=row.attempt.deadline)
        letter = letters[row.option_ids[row.chosen_index]] if counts else None
        right.append(scoring.answer_right(key=key, letter=letter, counts=counts))
    return sum(right) / len(right)


def test_a_rekey_changes_the_analysis_when_the_erratum_commits(django_capture_on_commit_callbacks):
    round, people = _played(rights=(20, 19, 18, 17, 16, 15))
    stat = analysis.round_analyse(round=round)
    question, her_letter = _wrong_row(round, people[1])
    before = _stat(round, question).facility
    assert stat.key_sha256 == errata.current_key(round=round)[1]  # the seal's

    with django_capture_on_commit_callbacks(execute=True):
        erratum = round_erratum(
            round=round, question=question, action=ErratumAction.REKEY, letters="A" + her_letter, reason=REASON,
            by=staff_user(Role.ORGANIZER),
        )  # fmt: skip

    after = _stat(round, question)
    assert after.facility == pytest.approx(_facility_by_hand(round, question, erratum.answer))
    assert after.facility > before
    assert Flag.REKEYED in after.flags
    assert RoundStat.objects.get(round=round).key_sha256 == erratum.sha256
    assert not analysis.analysis_outdated(round=round, stat=RoundStat.objects.get(round=round))


def test_the_analysis_scores_by_the_key_not_by_what_was_stored():
    """Even with the stored right/wrong left as the seal had it, the analysis follows the key now."""
    round, people = _played(rights=(20, 19, 18, 17))
    question, her_letter = _wrong_row(round, people[1])
    erratum = round_erratum(
        round=round, question=question, action=ErratumAction.REKEY, letters="A" + her_letter, reason=REASON,
        by=staff_user(Role.ORGANIZER),
    )  # fmt: skip
    AttemptQuestion.objects.filter(attempt__round=round, question=question).update(is_correct=False)

    analysis.round_analyse(round=round)

    expected = _facility_by_hand(round, question, erratum.answer)
    assert expected > 0 and _stat(round, question).facility == pytest.approx(expected)


def test_an_annulled_question_is_flagged_and_left_out_of_the_figures(django_capture_on_commit_callbacks):
    round, people = _played(rights=(20, 19, 18, 17, 16, 15))
    analysis.round_analyse(round=round)
    question, _letter = _wrong_row(round, people[2])
    alpha_before = RoundStat.objects.get(round=round).alpha

    with django_capture_on_commit_callbacks(execute=True):
        round_erratum(round=round, question=question, action=ErratumAction.ANNUL, reason=REASON, by=staff_user(Role.ORGANIZER))

    row = _stat(round, question)
    assert row.flags == [Flag.ANNULLED]
    assert (row.facility, row.discrimination, row.upper_lower) == (None, None, None)
    assert row.attempts == 6 and sum(row.option_shares.values()) == pytest.approx(1.0)  # what people chose is kept
    stat = RoundStat.objects.get(round=round)
    official = collections.Counter(Attempt.objects.filter(round=round).finished().values_list("score", flat=True))
    assert stat.distribution == [official.get(score, 0) for score in range(len(stat.distribution))]
    assert stat.alpha != alpha_before
    # Alpha is that of the 19 questions still counted.
    questions, counts, right, chosen, annulled = analysis.round_matrices(round=round, key=errata.current_key(round=round)[0])
    kept = [j for j in range(len(questions)) if j not in annulled]
    assert stat.alpha == pytest.approx(analysis.cronbach_alpha(right[:, kept], test_length=19))
    assert not np.isnan(right).any()


def test_an_analysis_made_under_an_older_key_is_made_again_by_the_beat():
    round, people = _played(rights=(20, 19, 18))
    analysis.round_analyse(round=round)
    question, her_letter = _wrong_row(round, people[1])
    # The erratum's own callback never ran (a worker lost the task): the stored analysis is stale.
    round_erratum(
        round=round, question=question, action=ErratumAction.REKEY, letters="A" + her_letter, reason=REASON,
        by=staff_user(Role.ORGANIZER),
    )  # fmt: skip
    assert analysis.analysis_outdated(round=round, stat=RoundStat.objects.get(round=round))
    assert list(analysis.rounds_to_analyse()) == [round]

    assert analyse_closed_rounds() == 1

    assert RoundStat.objects.get(round=round).key_sha256 == RoundErratum.objects.get(round=round).sha256
    assert analyse_closed_rounds() == 0


def test_the_admin_page_says_when_the_analysis_predates_the_last_erratum(client):
    round, people = _played(rights=(20, 19, 18))
    analysis.round_analyse(round=round)
    question, her_letter = _wrong_row(round, people[1])
    round_erratum(
        round=round, question=question, action=ErratumAction.REKEY, letters="A" + her_letter, reason=REASON,
        by=staff_user(Role.ORGANIZER),
    )  # fmt: skip
    client.force_login(staff_user(Role.ORGANIZER))
    url = f"/admin/quiz/round/{round.pk}/analysis/"

    assert "data-analysis-outdated" in client.get(url).content.decode()
    analysis.round_analyse(round=round)
    html = client.get(url).content.decode()
    assert "data-analysis-outdated" not in html and "⚑ đáp án đã đính chính" in html
