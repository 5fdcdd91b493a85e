"""quiz.scoring.ChosenOption: the option an answer chose, read by the database, is the option
the Python side reads from the same row (option_ids[chosen_index]), and NULL when blank."""

import pytest

from quiz.models import AttemptQuestion
from quiz.scoring import ChosenOption
from quiz.services.attempts import attempt_start, attempt_submit
from tests.factories import contestant
from tests.quiz.factories import sealed_round

pytestmark = pytest.mark.django_db


def test_the_database_reads_the_chosen_option_as_python_does():
    round = sealed_round(pool_size=20, fields=2)
    user = contestant()
    attempt = attempt_start(round=round, user=user)
    items = list(attempt.items.order_by("position"))
    # Every index an option can have, and some questions left blank.
    answers = {item.position: n % item.option_count for n, item in enumerate(items) if n % 5}
    attempt_submit(attempt=attempt, user=user, answers=answers)

    rows = AttemptQuestion.objects.filter(attempt=attempt).values_list("option_ids", "chosen_index", ChosenOption())

    assert {index for _ids, index, _option in rows} >= {None, 0, 1, 2, 3}
    for option_ids, index, option in rows:
        assert option == (None if index is None else option_ids[index])
