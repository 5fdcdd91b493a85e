"""quiz.rules: an attempt, its result and its review are its contestant's alone; the staff read attempts only as figures."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts.enums import Role
from quiz import rules, selectors
from quiz.services.attempts import attempt_start
from tests.factories import contestant, staff_user
from tests.quiz.factories import sealed_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(db):
    return attempt_start(round=sealed_round(), user=contestant())


@pytest.mark.parametrize(
    ("who", "take"),
    [("owner", True), ("secretariat", False), ("organizer", False), ("judge", False), ("other", False),
     ("anonymous", False)],
)  # fmt: skip
def test_attempt_predicates_per_role(attempt, who, take):
    user = {
        "owner": attempt.user,
        "secretariat": staff_user(Role.SECRETARIAT),
        "organizer": staff_user(Role.ORGANIZER),
        "judge": staff_user(Role.JUDGE),
        "other": contestant(),
        "anonymous": AnonymousUser(),
    }[who]

    assert rules.can_take_attempt(user, attempt) is take
    if take:
        assert selectors.get_attempt_for_contestant(user, attempt.pk) == attempt
    else:
        with pytest.raises(Http404):
            selectors.get_attempt_for_contestant(user, attempt.pk)
