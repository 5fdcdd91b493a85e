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


def test_a_superuser_holds_the_named_permission_but_never_reaches_someone_elses_attempt(attempt, client):
    """Why an object's permission is asked by calling its predicate where the object is fetched
    (docs/decisions.md): Django's `User.has_perm` answers yes to a superuser before any backend is
    asked, so `has_perm("quiz.take_attempt", attempt)` would hand every attempt to the admin."""
    from tests.factories import UserFactory

    boss = UserFactory(is_superuser=True, is_staff=True)
    assert boss.has_perm("quiz.take_attempt", attempt)  # Django's rule, not ours
    assert not rules.can_take_attempt(boss, attempt)
    client.force_login(boss)
    assert client.get(f"/quiz/attempts/{attempt.pk}/").status_code == 404
    assert client.get(f"/quiz/attempts/{attempt.pk}/result/").status_code == 404
