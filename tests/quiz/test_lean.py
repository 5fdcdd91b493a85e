"""quiz.lean reads the same instances the ORM's select_related does."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quiz import lean
from quiz.models import Attempt, Round
from quiz.services.attempts import attempt_start
from tests.factories import contestant
from tests.quiz.factories import sealed_round

pytestmark = pytest.mark.django_db


def _fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_an_attempt_with_its_round_and_contest_is_what_the_orm_reads():
    attempt = attempt_start(round=sealed_round(), user=contestant(), ip_address="203.0.113.9")
    orm = Attempt.objects.select_related("round", "round__contest").get(pk=attempt.pk)

    with CaptureQueriesContext(connection) as queries:
        lean_attempt = lean.get_with_related(Attempt, attempt.pk, "round", "contest")
        assert _fields(lean_attempt) == _fields(orm)
        assert _fields(lean_attempt.round) == _fields(orm.round)
        assert _fields(lean_attempt.round.contest) == _fields(orm.round.contest)
    assert len(queries) == 1  # the round and the contest came with the attempt
    assert lean_attempt.deadline.tzinfo is not None and lean_attempt.round.opens_at == orm.round.opens_at
    assert not lean_attempt._state.adding and lean_attempt._state.db == orm._state.db


def test_a_missing_row_is_none():
    assert lean.get_with_related(Round, 987654, "contest") is None
    assert lean.get_with_related(Round, 10**22, "contest") is None  # out of the column's range: no row, as the ORM says
    assert lean.get_with_related(Round, -(2**63) - 1, "contest") is None
    assert lean.values(Attempt, ("id",), by="round", value=10**22) == []
    assert lean.get_locked(Attempt, 2**63) is None


def test_only_required_foreign_keys_can_be_followed():
    with pytest.raises(ValueError):
        lean.get_with_related(Round, 1, "approved_by")  # may be empty: an inner join would lose the row
