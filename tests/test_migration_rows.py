"""A transactional test empties every table when it ends; the rows the data migrations made come
back before the next test (tests/conftest.py), whatever order a pytest-xdist worker runs files in.
Two transactional tests in a row: the second starts after the first's flush."""

import pytest
from django.contrib.auth.models import Group

from accounts.enums import Role
from accounts.models import ConsentText


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_ends_with_a_flush():
    assert ConsentText.objects.filter(version=1).exists()


@pytest.mark.django_db(transaction=True)
def test_the_next_test_finds_the_first_notice_and_the_role_groups_again():
    assert ConsentText.objects.filter(version=1, published_at__isnull=False).exists()
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}
