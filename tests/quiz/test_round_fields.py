"""One classification of every Round field (quiz.round_fields): a field added to the model fails
here until someone classifies it, and the seal (the Round signal) and the key file follow it."""

import datetime

import pytest
from django.db import models, transaction
from django.utils import timezone

from contests.models import Contest
from quiz.errors import SealedError
from quiz.models import Round
from quiz.round_fields import FROZEN, KEY_FILE, KEY_FILE_PATHS, ROUND_FIELDS, ROUND_FROZEN_FIELDS, fields_of
from quiz.seal import ROUND_KEYS, seal_content
from tests.factories import ContestFactory, UserFactory
from tests.quiz.factories import sealed_round

pytestmark = pytest.mark.django_db

NONCE = "0" * 64
# Kept by the seal besides the frozen set: the seal itself, and a closing time that only moves
# later with a recorded reason (round_extend_window); the primary key is never changed.
SEAL_KEEPS = {"approved_at", "approved_by", "closes_at"}
CHANGED = [name for name in ROUND_FIELDS if name != "id"]


def test_every_concrete_field_of_round_is_classified():
    model = [field.name for field in Round._meta.concrete_fields]
    unclassified = [name for name in model if name not in ROUND_FIELDS]
    gone = [name for name in ROUND_FIELDS if name not in model]
    assert unclassified == [], f"classify these Round fields in quiz/round_fields.py: {unclassified}"
    assert gone == [], f"quiz/round_fields.py classifies fields Round no longer has: {gone}"
    # In the model's order: the admin lists what sealing freezes in it.
    assert list(ROUND_FIELDS) == model


def test_a_field_in_no_kind_says_why_and_a_key_file_field_has_its_path():
    for name, rule in ROUND_FIELDS.items():
        assert rule.kinds or rule.why, name
        assert (rule.key is not None) == (KEY_FILE in rule.kinds), name


def test_the_frozen_set_and_the_key_file_names_are_read_from_the_classification():
    assert fields_of(FROZEN) == ROUND_FROZEN_FIELDS
    assert set(KEY_FILE_PATHS) == set(fields_of(KEY_FILE))
    # The key file's "round" object: the format of docs/seal.md, unchanged.
    assert ROUND_KEYS == (
        "kind", "number", "name", "questions_per_attempt", "time_limit_seconds", "max_attempts", "attempts_per_day",
        "min_start_interval_minutes", "review_policy", "ranking_rule", "tiebreaker_enabled", "prizes", "blueprint",
    )  # fmt: skip


def _other_value(round: Round, name: str):
    """A value of the field different from the round's."""
    field = Round._meta.get_field(name)
    value = getattr(round, name)
    if field.is_relation:
        return ContestFactory() if field.related_model is Contest else UserFactory()
    if isinstance(field, models.DateTimeField):
        return (value or timezone.now()) + datetime.timedelta(hours=1)
    if isinstance(field, models.BooleanField):
        return not value
    if field.choices:
        return next(choice for choice, _label in field.choices if choice != value)
    if isinstance(field, models.CharField):
        return f"{value} (2)"
    return (value or 0) + 1


@pytest.mark.parametrize("name", CHANGED)
def test_the_key_file_writes_exactly_the_key_file_fields(name):
    round = sealed_round(pool_size=4, fields=2, questions_per_attempt=4)
    before = seal_content(round, nonce=NONCE)
    value = _other_value(round, name)
    setattr(round, name, value)
    after = seal_content(round, nonce=NONCE)

    assert (after != before) == (KEY_FILE in ROUND_FIELDS[name].kinds)
    if KEY_FILE in ROUND_FIELDS[name].kinds:
        written = after
        for step in KEY_FILE_PATHS[name]:
            written = written[step]
        assert written == (value.slug if name == "contest" else value)


@pytest.mark.parametrize("name", CHANGED)
def test_the_seal_keeps_exactly_the_frozen_fields(name):
    round = sealed_round(pool_size=4, fields=2, questions_per_attempt=4)
    value = _other_value(round, name)
    setattr(round, name, value)
    kept = FROZEN in ROUND_FIELDS[name].kinds or name in SEAL_KEEPS

    if kept:
        with pytest.raises(SealedError), transaction.atomic():
            round.save()
    else:
        round.save()
        field = Round._meta.get_field(name)
        stored = Round.objects.filter(pk=round.pk).values_list(field.attname, flat=True).get()
        assert stored == (value.pk if field.is_relation else value)
