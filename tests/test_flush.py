"""The test suite's own flush (tests/conftest.py, `_flush_only_what_holds_rows`): after a
transactional test, the next one starts from the rows `migrate` leaves and nothing else — also
when the test before it changed the role groups, whose rows the flush otherwise keeps."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.enums import Role
from accounts.roles import sync_role_permissions
from contests.models import Contest
from tests.factories import ContestFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _groups() -> dict[str, set[str]]:
    return {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}


def test_1_a_test_changes_the_role_groups_and_leaves_rows():
    ContestFactory()
    organizers = Group.objects.get(name=Role.ORGANIZER)
    organizers.permissions.remove(organizers.permissions.first())
    Group.objects.create(name="Nhóm thử")
    Permission.objects.filter(codename="view_contest").update(name="đổi tên")


def test_2_the_next_test_starts_from_what_migrate_leaves():
    assert not Contest.objects.exists()
    assert "Nhóm thử" not in _groups()
    assert Permission.objects.get(codename="view_contest").name != "đổi tên"
    kept = _groups()
    sync_role_permissions()
    assert _groups() == kept  # the role groups hold exactly their permissions again


def test_3_a_test_that_changes_nothing_of_them_leaves_them_as_they_are():
    before = _groups()
    ContestFactory()
    assert _groups() == before


def test_4_and_the_rows_it_made_are_gone():
    assert not Contest.objects.exists()
    assert Group.objects.filter(name=Role.ORGANIZER).exists()
